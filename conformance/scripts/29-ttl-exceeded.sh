# 29-ttl-exceeded: ping -t through routers.
# Topology: c - r1 - r2 - s. Tests: -t 1 -> "From 10.29.1.1 icmp_seq=1 Time
# to live exceeded" (r1's address facing c), -t 2 -> from r2's address on
# the r1-r2 link (the ICMP source is the address of the interface the error
# leaves through, here the same as the ingress), -t 3 reaches s (ttl=62).

ip netns add n29c
ip netns add n29r1
ip netns add n29r2
ip netns add n29s
ip link add v29c netns n29c type veth peer name v29a netns n29r1
ip link add v29b netns n29r1 type veth peer name v29d netns n29r2
ip link add v29e netns n29r2 type veth peer name v29s netns n29s
ip -n n29c link set lo up
ip -n n29c link set v29c up
ip -n n29r1 link set v29a up
ip -n n29r1 link set v29b up
ip -n n29r2 link set v29d up
ip -n n29r2 link set v29e up
ip -n n29s link set v29s up
ip -n n29c addr add 10.29.1.2/24 dev v29c
ip -n n29r1 addr add 10.29.1.1/24 dev v29a
ip -n n29r1 addr add 10.29.2.1/24 dev v29b
ip -n n29r2 addr add 10.29.2.2/24 dev v29d
ip -n n29r2 addr add 10.29.3.1/24 dev v29e
ip -n n29s addr add 10.29.3.2/24 dev v29s
ip -n n29c route add default via 10.29.1.1
ip -n n29r1 route add default via 10.29.2.2
ip -n n29r2 route add 10.29.1.0/24 via 10.29.2.1
ip -n n29s route add default via 10.29.3.1
ip netns exec n29r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n29r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n29c ping -c 1 -W 1 -t 1 10.29.3.2
echo rc=$?
ip netns exec n29c ping -c 1 -W 1 -t 2 10.29.3.2
echo rc=$?
ip netns exec n29c ping -c 1 -W 1 -t 3 10.29.3.2
echo rc=$?
