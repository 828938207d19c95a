# 10-route-add: static routes and how `ip route show` prints them.
# Tests: via (gateway on a connected subnet), dev-only routes (scope link),
# metric, proto static/boot (default), scope, src, default route, the
# `Error: Nexthop has invalid gateway.` for an unreachable gateway, `Error:
# Device for nexthop is not up.`-style errors on a down link, adding an
# existing route (RTNETLINK answers: File exists), a route via a missing
# device, and JSON output of all of them.

ip netns add n10
ip -n n10 link add v10a type veth peer name v10b
ip -n n10 link add v10c type veth peer name v10d
ip -n n10 link set v10a up
ip -n n10 link set v10b up
ip -n n10 addr add 10.10.0.1/24 dev v10a
ip -n n10 addr add 10.10.9.1/24 dev v10c
ip -n n10 route add 192.168.1.0/24 via 10.10.0.254
ip -n n10 route add 192.168.2.0/24 dev v10a
ip -n n10 route add 192.168.3.0/24 via 10.10.0.254 metric 50
ip -n n10 route add 192.168.4.0/24 via 10.10.0.254 proto static
ip -n n10 route add 192.168.5.0/24 dev v10a scope host
ip -n n10 route add 192.168.6.0/24 via 10.10.0.254 src 10.10.0.1
ip -n n10 route add default via 10.10.0.254
ip -n n10 route show
ip -n n10 -j route show
ip -n n10 route add 192.168.7.0/24 via 10.20.0.1
echo rc=$?
ip -n n10 route add 192.168.7.0/24 via 10.10.9.254
echo rc=$?
ip -n n10 route add 192.168.7.0/24 dev v10c
echo rc=$?
ip -n n10 route add 192.168.1.0/24 via 10.10.0.253
echo rc=$?
ip -n n10 route add 192.168.8.0/24 dev v10x
echo rc=$?
ip -n n10 route add 192.168.9.0/24 via 10.10.0.1
echo rc=$?
ip -n n10 route add 192.168.10.1/24 dev v10a
echo rc=$?
ip -n n10 route add default via 10.10.0.253
echo rc=$?
ip -n n10 route show
