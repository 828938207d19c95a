# 15-route-lpm-metric: route selection.
# Tests: longest prefix match across /8, /16, /24, /32 and default (checked
# with `ip route get`), the lowest metric wins among equal prefixes, deleting
# the preferred route falls back to the next metric, and a more specific
# blackhole beats a less specific route.

ip netns add n15
ip -n n15 link add v15a type veth peer name v15b
ip -n n15 link set v15a up
ip -n n15 link set v15b up
ip -n n15 addr add 10.15.0.1/24 dev v15a
ip -n n15 addr add 10.15.1.1/24 dev v15b
ip -n n15 route add default via 10.15.0.100
ip -n n15 route add 20.0.0.0/8 via 10.15.0.8
ip -n n15 route add 20.1.0.0/16 via 10.15.0.16
ip -n n15 route add 20.1.2.0/24 via 10.15.1.24
ip -n n15 route add 20.1.2.3/32 via 10.15.1.32
ip -n n15 route get 20.9.9.9
ip -n n15 route get 20.1.9.9
ip -n n15 route get 20.1.2.9
ip -n n15 route get 20.1.2.3
ip -n n15 route get 21.0.0.1
ip -n n15 route add 30.0.0.0/8 via 10.15.0.30 metric 100
ip -n n15 route add 30.0.0.0/8 via 10.15.1.30 metric 50
ip -n n15 route add 30.0.0.0/8 via 10.15.0.31 metric 200
ip -n n15 route show
ip -n n15 route get 30.1.1.1
ip -n n15 route del 30.0.0.0/8 metric 50
ip -n n15 route get 30.1.1.1
ip -n n15 route add blackhole 20.1.2.128/25
ip -n n15 route get 20.1.2.200
echo rc=$?
ip -n n15 route show
