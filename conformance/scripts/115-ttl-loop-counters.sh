# 115-ttl-loop-counters: a routing loop between two routers, measured with
# iptables counters.
# c (10.115.1.2) - r1 (10.115.1.1 | 10.115.2.1) - r2 (10.115.2.2). r1 routes
# 10.115.9.0/24 to r2 and r2 routes it back to r1. A packet bounces until
# its TTL runs out: r1 forwards it with TTL 63, 61, ..., 1 (32 times) and r2
# answers Time to live exceeded.
# Tests: the FORWARD counter on r1 for one ping (32 packets, 2688 bytes),
# with ping -t 10 (5 packets), the sender of the error (r2, address on the
# r1 link), a lower default TTL on the client (ip_default_ttl=5: r1 gets the
# TTL-1 packet back and answers), route get on both routers, traceroute
# alternating between the routers.

ip netns add n115c
ip netns add n115r1
ip netns add n115r2
ip link add v115c netns n115c type veth peer name v115a netns n115r1
ip link add v115b netns n115r1 type veth peer name v115d netns n115r2
ip -n n115c addr add 10.115.1.2/24 dev v115c
ip -n n115r1 addr add 10.115.1.1/24 dev v115a
ip -n n115r1 addr add 10.115.2.1/24 dev v115b
ip -n n115r2 addr add 10.115.2.2/24 dev v115d
ip -n n115c link set v115c up
ip -n n115r1 link set v115a up
ip -n n115r1 link set v115b up
ip -n n115r2 link set v115d up
ip -n n115c route add default via 10.115.1.1
ip -n n115r1 route add 10.115.9.0/24 via 10.115.2.2
ip -n n115r2 route add 10.115.9.0/24 via 10.115.2.1
ip -n n115r2 route add 10.115.1.0/24 via 10.115.2.1
ip netns exec n115r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n115r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n115r1 iptables -A FORWARD -d 10.115.9.9
ip netns exec n115r2 iptables -A FORWARD -d 10.115.9.9
ip netns exec n115c ping -c 1 -W 1 10.115.9.9
echo rc=$?
ip netns exec n115r1 iptables -L FORWARD -n -v -x
ip netns exec n115r2 iptables -L FORWARD -n -v -x
ip netns exec n115r1 iptables -Z FORWARD
ip netns exec n115r2 iptables -Z FORWARD
ip netns exec n115c ping -c 1 -W 1 -t 10 10.115.9.9
ip netns exec n115r1 iptables -L FORWARD -n -v -x
ip netns exec n115r2 iptables -L FORWARD -n -v -x
ip netns exec n115c sysctl -w net.ipv4.ip_default_ttl=5
sleep 2
ip netns exec n115c ping -c 1 -W 1 10.115.9.9
ip netns exec n115r1 iptables -L FORWARD -n -v -x
ip -n n115r1 route get 10.115.9.9
ip -n n115r2 route get 10.115.9.9
sleep 2
ip netns exec n115c traceroute -n -q 1 -w 1 -m 5 10.115.9.9
