# 103-route-get-misc: more `ip route get` cases and route change/append.
# Tests: `from` a local address (no src printed), from a non-local address
# (Network is unreachable), `oif lo` (made-up on-link route, cache <local>),
# 0.0.0.0 (local via lo), 255.255.255.255 and 224.0.0.1 without a default
# route, an unknown oif, JSON with from; prepend/append/change semantics and
# `ip route del` matching by gateway, dev, metric and type.

ip netns add n103
ip -n n103 link set lo up
ip -n n103 link add v103a type veth peer name v103b
ip -n n103 link set v103a up
ip -n n103 link set v103b up
ip -n n103 addr add 10.103.0.1/24 dev v103a
ip -n n103 addr add 10.103.1.1/24 dev v103b
ip -n n103 route get 10.103.0.9 from 10.103.0.1
ip -n n103 -j route get 10.103.0.9 from 10.103.0.1
ip -n n103 route get 10.103.0.1 from 10.103.0.1
ip -n n103 route get 10.103.0.9 from 10.103.7.7
echo rc=$?
ip -n n103 route get 10.103.0.7 oif lo
ip -n n103 route get 0.0.0.0
ip -n n103 route get 255.255.255.255
echo rc=$?
ip -n n103 route get 224.0.0.1
echo rc=$?
ip -n n103 route get 10.103.0.7 oif vx
echo rc=$?
ip -n n103 route get 10.103.1.5 oif v103a
ip -n n103 route add 60.0.0.0/8 via 10.103.0.2
ip -n n103 route append 60.0.0.0/8 via 10.103.1.2
ip -n n103 route prepend 60.0.0.0/8 via 10.103.0.3
ip -n n103 route show
ip -n n103 route get 60.1.1.1
ip -n n103 route append 60.0.0.0/8 via 10.103.1.2
echo rc=$?
ip -n n103 route change 61.0.0.0/8 via 10.103.0.2
echo rc=$?
ip -n n103 route change 60.0.0.0/8 via 10.103.1.9
ip -n n103 route show
ip -n n103 route del 60.0.0.0/8 dev v103b
ip -n n103 route show
ip -n n103 route del 60.0.0.0/8 via 10.103.0.2
ip -n n103 route show
ip -n n103 route add blackhole 62.0.0.0/8
ip -n n103 route del unreachable 62.0.0.0/8
echo rc=$?
ip -n n103 route del blackhole 62.0.0.0/8
ip -n n103 route add 63.0.0.0/8 via 10.103.0.2 metric 10
ip -n n103 route del 63.0.0.0/8 metric 20
echo rc=$?
ip -n n103 route add 64.0.0.0/8 via 10.103.0.2 src 10.103.1.1
ip -n n103 addr del 10.103.1.1/24 dev v103b
ip -n n103 route show
