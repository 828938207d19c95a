# 129-bridge-netfilter-isolation: a network-policy-like filter between pods
# on one bridge, done in the node's FORWARD chain thanks to br_netfilter.
# Node n129: bridge br129 10.129.0.1/24; pods a (10.129.0.2, nc :80), b
# (10.129.0.3), c (10.129.0.4).
# Policy: a accepts only from b: FORWARD: established accept, -d a -s b
# accept, -d a drop. Tests: b -> a ping and nc work, c -> a both blocked
# (timeout), a -> c (new connection from a) allowed and its replies come
# back (ESTABLISHED), the host itself (not forwarded) still reaches a;
# counters with line numbers; -I / -D by number; bridge-nf-call-iptables=0
# switches the policy off for bridged traffic.

ip netns add n129
ip netns add n129a
ip netns add n129b
ip netns add n129c
ip -n n129 link add br129 type bridge
ip -n n129 addr add 10.129.0.1/24 dev br129
ip -n n129 link set br129 up
ip -n n129 link add va type veth peer name eth0 netns n129a
ip -n n129 link add vb type veth peer name eth0 netns n129b
ip -n n129 link add vc type veth peer name eth0 netns n129c
ip -n n129 link set va master br129 up
ip -n n129 link set vb master br129 up
ip -n n129 link set vc master br129 up
ip -n n129a addr add 10.129.0.2/24 dev eth0
ip -n n129b addr add 10.129.0.3/24 dev eth0
ip -n n129c addr add 10.129.0.4/24 dev eth0
ip -n n129a link set eth0 up
ip -n n129b link set eth0 up
ip -n n129c link set eth0 up
ip -n n129a link set lo up
ip netns exec n129a nc -l -p 80 -k &
ip netns exec n129 iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec n129 iptables -A FORWARD -s 10.129.0.3 -d 10.129.0.2 -j ACCEPT
ip netns exec n129 iptables -A FORWARD -d 10.129.0.2 -j DROP
sleep 1
ip netns exec n129b ping -c 1 -W 1 10.129.0.2
ip netns exec n129b nc -z -v -w 1 10.129.0.2 80
echo rc=$?
ip netns exec n129c ping -c 1 -W 1 10.129.0.2
echo rc=$?
ip netns exec n129c nc -z -v -w 1 10.129.0.2 80
echo rc=$?
ip netns exec n129a ping -c 2 -i 0.2 -W 1 10.129.0.4
ip netns exec n129 ping -c 1 -W 1 10.129.0.2
ip netns exec n129 iptables -L FORWARD -n -v -x --line-numbers
ip netns exec n129 iptables -I FORWARD 2 -p icmp -s 10.129.0.4 -j ACCEPT
ip netns exec n129c ping -c 1 -W 1 10.129.0.2
ip netns exec n129 iptables -D FORWARD 2
ip netns exec n129 sysctl -w net.bridge.bridge-nf-call-iptables=0
ip netns exec n129c ping -c 1 -W 1 10.129.0.2
ip netns exec n129c nc -z -v -w 1 10.129.0.2 80
echo rc=$?
ip netns exec n129 iptables -L FORWARD -n -v -x --line-numbers
