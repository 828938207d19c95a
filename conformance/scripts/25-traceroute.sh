# 25-traceroute: UDP traceroute through two routers.
# Topology: c - r1 - r2 - s. Tests: the header line (printed on stderr,
# merged), one line per hop with the router's ingress address, the final hop
# is the server (port unreachable), -m limiting the hops, and a destination
# beyond a router without a route: the router answers with net unreachable
# (`!N`) and traceroute stops. traceroute sends up to 16 probes at once;
# answers beyond the ICMP rate limit (see 33-icmp-ratelimit) are lost, which
# is harmless for the first probes; the runs are 2 s apart so that each
# starts with refilled token buckets.

ip netns add n25c
ip netns add n25r1
ip netns add n25r2
ip netns add n25s
ip link add v25c netns n25c type veth peer name v25a netns n25r1
ip link add v25b netns n25r1 type veth peer name v25d netns n25r2
ip link add v25e netns n25r2 type veth peer name v25s netns n25s
ip -n n25c link set v25c up
ip -n n25r1 link set v25a up
ip -n n25r1 link set v25b up
ip -n n25r2 link set v25d up
ip -n n25r2 link set v25e up
ip -n n25s link set v25s up
ip -n n25c addr add 10.25.1.2/24 dev v25c
ip -n n25r1 addr add 10.25.1.1/24 dev v25a
ip -n n25r1 addr add 10.25.2.1/24 dev v25b
ip -n n25r2 addr add 10.25.2.2/24 dev v25d
ip -n n25r2 addr add 10.25.3.1/24 dev v25e
ip -n n25s addr add 10.25.3.2/24 dev v25s
ip -n n25c route add default via 10.25.1.1
ip -n n25r1 route add default via 10.25.2.2
ip -n n25r2 route add 10.25.1.0/24 via 10.25.2.1
ip -n n25s route add default via 10.25.3.1
ip netns exec n25r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n25r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n25c traceroute -n -q 1 -w 1 10.25.3.2
echo rc=$?
sleep 2
ip netns exec n25c traceroute -n -q 1 -w 1 -m 2 10.25.3.2
echo rc=$?
sleep 2
ip netns exec n25c traceroute -n -q 1 -w 1 10.25.9.9
echo rc=$?
sleep 2
ip netns exec n25c traceroute -n -q 2 -w 1 10.25.2.2
