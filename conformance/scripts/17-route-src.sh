# 17-route-src: source address selection.
# Tests: route get picks the primary address of the outgoing interface's
# matching subnet, an explicit `src` on a route overrides it, `src` that is not
# a local address is refused (Error: Invalid prefsrc address.), with several
# subnets on one interface the address in the gateway's subnet is used, and
# an interface without addresses borrows a global address from another one.

ip netns add n17
ip -n n17 link add v17a type veth peer name v17b
ip -n n17 link set v17a up
ip -n n17 link set v17b up
ip -n n17 addr add 10.17.0.1/24 dev v17a
ip -n n17 addr add 10.17.1.1/24 dev v17a
ip -n n17 addr add 10.17.0.2/24 dev v17a
ip -n n17 route add 40.0.0.0/8 via 10.17.1.254
ip -n n17 route add 41.0.0.0/8 via 10.17.0.254
ip -n n17 route add 42.0.0.0/8 via 10.17.0.254 src 10.17.0.2
ip -n n17 route add 43.0.0.0/8 via 10.17.0.254 src 10.17.9.9
echo rc=$?
ip -n n17 route add 44.0.0.0/8 dev v17b
ip -n n17 route get 40.1.1.1
ip -n n17 route get 41.1.1.1
ip -n n17 route get 42.1.1.1
ip -n n17 route get 44.1.1.1
ip -n n17 route get 10.17.0.77
ip -n n17 route get 41.1.1.1 from 10.17.1.1
ip -n n17 route get 41.1.1.1 from 10.17.9.9
echo rc=$?
ip -n n17 route show
