# 38-br-netfilter: bridged IPv4 traffic and iptables (br_netfilter).
# Tests: with net.bridge.bridge-nf-call-iptables=1 (the default seen here)
# pod-to-pod pings across a bridge traverse the node's FORWARD chain (rule
# counters: echo request and reply each count; -m physdev shows the ports),
# a DROP rule in FORWARD blocks bridged traffic; with =0 the bridge bypasses
# iptables entirely (counters unchanged, DROP ineffective).

ip netns add n38
ip netns add n38p1
ip netns add n38p2
ip -n n38 link add br38 type bridge
ip -n n38 link set br38 up
ip -n n38 link add v38h1 type veth peer name eth0 netns n38p1
ip -n n38 link add v38h2 type veth peer name eth0 netns n38p2
ip -n n38 link set v38h1 master br38
ip -n n38 link set v38h2 master br38
ip -n n38 link set v38h1 up
ip -n n38 link set v38h2 up
ip -n n38p1 link set eth0 up
ip -n n38p2 link set eth0 up
ip -n n38p1 addr add 10.38.0.2/24 dev eth0
ip -n n38p2 addr add 10.38.0.3/24 dev eth0
ip netns exec n38 sysctl net.bridge.bridge-nf-call-iptables
ip netns exec n38 sysctl -w net.bridge.bridge-nf-call-iptables=1
ip netns exec n38 iptables -A FORWARD -p icmp -s 10.38.0.2
ip netns exec n38 iptables -A FORWARD -p icmp -d 10.38.0.2
ip netns exec n38p1 ping -c 2 -i 0.2 -W 1 10.38.0.3
ip netns exec n38 iptables -L FORWARD -n -v -x
ip netns exec n38 iptables -I FORWARD -p icmp --icmp-type echo-request -j DROP
ip netns exec n38p1 ping -c 1 -W 1 10.38.0.3
echo rc=$?
ip netns exec n38 sysctl -w net.bridge.bridge-nf-call-iptables=0
ip netns exec n38p1 ping -c 1 -W 1 10.38.0.3
echo rc=$?
ip netns exec n38 iptables -L FORWARD -n -v -x
