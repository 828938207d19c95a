# 27-router-route-types: blackhole/unreachable/prohibit/throw routes on a
# router, observed from a client behind it.
# Tests: unreachable -> "From 10.27.1.1 icmp_seq=1 Destination Host
# Unreachable"; prohibit -> "Packet filtered"; blackhole -> silence (100%
# loss, no "+1 errors"); throw (no match in a lower table) -> "Destination Net
# Unreachable"; traceroute shows !H / !X; the route lookup happens before the
# TTL check, so -t 1 towards an unreachable route still gets "Destination Host
# Unreachable", not "Time to live exceeded".
# Each such error costs 2 s of the router's per-client ICMP token bucket (see
# 33-icmp-ratelimit), which starts with 5 s: after two errors the script
# sleeps 2 s before each further one.

ip netns add n27c
ip netns add n27r
ip link add v27c netns n27c type veth peer name v27r netns n27r
ip -n n27c link set lo up
ip -n n27r link set lo up
ip -n n27c link set v27c up
ip -n n27r link set v27r up
ip -n n27c addr add 10.27.1.2/24 dev v27c
ip -n n27r addr add 10.27.1.1/24 dev v27r
ip -n n27c route add default via 10.27.1.1
ip netns exec n27r sysctl -qw net.ipv4.ip_forward=1
ip -n n27r route add blackhole 10.27.10.0/24
ip -n n27r route add unreachable 10.27.11.0/24
ip -n n27r route add prohibit 10.27.12.0/24
ip -n n27r route add throw 10.27.13.0/24
ip netns exec n27c ping -c 1 -W 1 10.27.10.1
echo rc=$?
ip netns exec n27c ping -c 1 -W 1 10.27.11.1
echo rc=$?
ip netns exec n27c ping -c 1 -W 1 10.27.12.1
echo rc=$?
sleep 2
ip netns exec n27c ping -c 1 -W 1 10.27.13.1
echo rc=$?
sleep 2
ip netns exec n27c ping -c 1 -W 1 -t 1 10.27.11.1
sleep 2
ip netns exec n27c traceroute -n -q 1 -w 1 -m 1 10.27.11.1
sleep 2
ip netns exec n27c traceroute -n -q 1 -w 1 -m 1 10.27.12.1
ip netns exec n27c traceroute -n -q 1 -w 1 -m 2 10.27.10.1
