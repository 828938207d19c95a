# 112-router-types-multihop: special route types on the second router of a
# chain, seen by ping, traceroute and ip route get.
# c (10.112.1.2) - r1 (10.112.1.1 | 10.112.2.1) - r2 (10.112.2.2) ; r2 has
# blackhole 10.112.10.0/24, unreachable 10.112.11.0/24, prohibit
# 10.112.12.0/24 and a default route back via r1; r1 sends everything to r2.
# Tests: blackhole: silent (rc 1); unreachable: "From 10.112.2.2 ...
# Destination Host Unreachable"; prohibit: "Packet filtered"; traceroute
# through r1 to each type (!H, !X, stars for the blackhole); the same
# routes seen locally on r2 (ping errors, route get errors) and the route
# types in ip route show / ip -j route show. Route errors are rate limited
# (see 33-icmp-ratelimit): the probes are spaced with sleep 2.

ip netns add n112c
ip netns add n112r1
ip netns add n112r2
ip link add v112c netns n112c type veth peer name v112a netns n112r1
ip link add v112b netns n112r1 type veth peer name v112d netns n112r2
ip -n n112c addr add 10.112.1.2/24 dev v112c
ip -n n112r1 addr add 10.112.1.1/24 dev v112a
ip -n n112r1 addr add 10.112.2.1/24 dev v112b
ip -n n112r2 addr add 10.112.2.2/24 dev v112d
ip -n n112c link set v112c up
ip -n n112r1 link set v112a up
ip -n n112r1 link set v112b up
ip -n n112r2 link set v112d up
ip -n n112r2 link set lo up
ip -n n112c route add default via 10.112.1.1
ip -n n112r1 route add default via 10.112.2.2
ip -n n112r2 route add default via 10.112.2.1
ip -n n112r2 route add blackhole 10.112.10.0/24
ip -n n112r2 route add unreachable 10.112.11.0/24
ip -n n112r2 route add prohibit 10.112.12.0/24
ip netns exec n112r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n112r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n112c ping -c 1 -W 1 10.112.2.2
ip netns exec n112c ping -c 1 -W 1 10.112.10.5
echo rc=$?
ip netns exec n112c ping -c 1 -W 1 10.112.11.5
echo rc=$?
sleep 2
ip netns exec n112c ping -c 1 -W 1 10.112.12.5
echo rc=$?
sleep 2
ip netns exec n112c traceroute -n -q 1 -w 1 10.112.11.5
sleep 2
ip netns exec n112c traceroute -n -q 1 -w 1 10.112.12.5
sleep 2
ip netns exec n112c traceroute -n -q 1 -w 1 -m 4 10.112.10.5
ip netns exec n112r2 ping -c 1 -W 1 10.112.10.5
ip netns exec n112r2 ping -c 1 -W 1 10.112.11.5
ip netns exec n112r2 ping -c 1 -W 1 10.112.12.5
ip -n n112r2 route get 10.112.10.5
ip -n n112r2 route get 10.112.11.5
ip -n n112r2 route get 10.112.12.5
ip -n n112r1 route get 10.112.11.5
ip -n n112r2 route show
ip -n n112r2 -j route show
ip -n n112r2 route show type unreachable
