# 113-dnat-hairpin: a port forward to a pod, used from outside, from another
# pod on the same bridge, and from the pod itself (hairpin).
# Host n113h: bridge br113 10.113.0.1/24 with pods n113p1 (10.113.0.2, nc
# on :80) and n113p2 (10.113.0.3); uplink v113h 192.168.113.1/24 to client
# n113o (192.168.113.2). DNAT 192.168.113.1:8080 -> 10.113.0.2:80 in
# PREROUTING (and OUTPUT for the host itself).
# Tests: outside -> forward works; p2 -> 192.168.113.1:8080 works while
# br_netfilter un-NATs the reply bridged from p1 to p2, and times out with
# bridge-nf-call-iptables=0 (the reply comes from 10.113.0.2:80, p2 resets);
# p1 -> itself through the forward fails even with a hairpin MASQUERADE:
# br_netfilter DNATs in the bridge's PREROUTING and, the new destination
# being behind the same bridge, bridges the packet back out of the port it
# came from, which needs `hairpin on` on that port (then it works); the
# host itself through OUTPUT DNAT; nat counters (one per connection: a SYN
# dropped before conntrack confirmation is counted again when it is
# retransmitted, hence -w 2: exactly one retransmission) and iptables-save
# of the nat table.

ip netns add n113h
ip netns add n113p1
ip netns add n113p2
ip netns add n113o
ip -n n113h link add br113 type bridge
ip -n n113h link set br113 up
ip -n n113h addr add 10.113.0.1/24 dev br113
ip -n n113h link add v113p1 type veth peer name eth0 netns n113p1
ip -n n113h link add v113p2 type veth peer name eth0 netns n113p2
ip -n n113h link set v113p1 master br113 up
ip -n n113h link set v113p2 master br113 up
ip -n n113p1 addr add 10.113.0.2/24 dev eth0
ip -n n113p2 addr add 10.113.0.3/24 dev eth0
ip -n n113p1 link set eth0 up
ip -n n113p2 link set eth0 up
ip -n n113p1 link set lo up
ip -n n113p1 route add default via 10.113.0.1
ip -n n113p2 route add default via 10.113.0.1
ip link add v113h netns n113h type veth peer name v113o netns n113o
ip -n n113h addr add 192.168.113.1/24 dev v113h
ip -n n113o addr add 192.168.113.2/24 dev v113o
ip -n n113h link set v113h up
ip -n n113o link set v113o up
ip -n n113h link set lo up
ip netns exec n113h sysctl -qw net.ipv4.ip_forward=1
ip netns exec n113h iptables -t nat -A PREROUTING -d 192.168.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.113.0.2:80
ip netns exec n113h iptables -t nat -A OUTPUT -d 192.168.113.1 -p tcp --dport 8080 -j DNAT --to-destination 10.113.0.2:80
ip -n n113o route add 10.113.0.0/24 via 192.168.113.1
ip netns exec n113p1 nc -l -p 80 -k &
sleep 1
ip netns exec n113o nc -z -v -w 1 192.168.113.1 8080
echo rc=$?
ip netns exec n113p2 nc -z -v -w 1 192.168.113.1 8080
echo rc=$?
ip netns exec n113h sysctl -w net.bridge.bridge-nf-call-iptables=0
ip netns exec n113p2 nc -z -v -w 1 192.168.113.1 8080
echo rc=$?
ip netns exec n113h sysctl -w net.bridge.bridge-nf-call-iptables=1
ip netns exec n113p1 nc -z -v -w 2 192.168.113.1 8080
echo rc=$?
ip netns exec n113h iptables -t nat -A POSTROUTING -s 10.113.0.0/24 -d 10.113.0.0/24 -j MASQUERADE
ip netns exec n113p1 nc -z -v -w 2 192.168.113.1 8080
echo rc=$?
bridge -n n113h link set dev v113p1 hairpin on
ip netns exec n113p1 nc -z -v -w 1 192.168.113.1 8080
echo rc=$?
bridge -n n113h link show dev v113p1
ip netns exec n113h nc -z -v -w 1 192.168.113.1 8080
echo rc=$?
ip netns exec n113o ping -c 1 -W 1 10.113.0.2
ip netns exec n113h iptables -t nat -L -n -v -x
ip netns exec n113h iptables-save -t nat
