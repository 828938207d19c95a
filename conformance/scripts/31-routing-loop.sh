# 31-routing-loop: two routers whose default routes point at each other.
# Topology: c - r1 - r2; r1 default via r2, r2 default via r1. Tests: a ping
# to an unknown destination bounces between r1 and r2 until the TTL runs out;
# c sends ttl 64, r1 sees even TTLs and r2 odd ones, so r2 sends "Time to live
# exceeded" from its address 10.31.2.2; with -t 4 it is r2 again, with -t 3
# r1 (10.31.1.1).

ip netns add n31c
ip netns add n31r1
ip netns add n31r2
ip link add v31c netns n31c type veth peer name v31a netns n31r1
ip link add v31b netns n31r1 type veth peer name v31d netns n31r2
ip -n n31c link set lo up
ip -n n31c link set v31c up
ip -n n31r1 link set v31a up
ip -n n31r1 link set v31b up
ip -n n31r2 link set v31d up
ip -n n31c addr add 10.31.1.2/24 dev v31c
ip -n n31r1 addr add 10.31.1.1/24 dev v31a
ip -n n31r1 addr add 10.31.2.1/24 dev v31b
ip -n n31r2 addr add 10.31.2.2/24 dev v31d
ip -n n31c route add default via 10.31.1.1
ip -n n31r1 route add default via 10.31.2.2
ip -n n31r2 route add default via 10.31.2.1
ip netns exec n31r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n31r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n31c ping -c 1 -W 1 10.31.9.9
echo rc=$?
ip netns exec n31c ping -c 1 -W 1 -t 4 10.31.9.9
ip netns exec n31c ping -c 1 -W 1 -t 3 10.31.9.9
ip netns exec n31c traceroute -n -q 1 -w 1 -m 4 10.31.9.9
