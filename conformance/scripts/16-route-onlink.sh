# 16-route-onlink: gateways outside every connected subnet.
# Tests: `via` a gateway not covered by a connected route fails with
# "Error: Nexthop has invalid gateway.", succeeds with `onlink` (flag shown in
# text and JSON), onlink without dev (error), and the /32 point-to-point
# pattern used by Calico/Cilium (169.254.1.1 onlink default) shown by route
# get; a route via the host route of a /32 address.

ip netns add n16
ip -n n16 link add v16a type veth peer name v16b
ip -n n16 link set v16a up
ip -n n16 link set v16b up
ip -n n16 addr add 10.16.0.5/32 dev v16a
ip -n n16 route add default via 169.254.1.1
echo rc=$?
ip -n n16 route add default via 169.254.1.1 dev v16a
echo rc=$?
ip -n n16 route add default via 169.254.1.1 onlink
echo rc=$?
ip -n n16 route add default via 169.254.1.1 dev v16a onlink
ip -n n16 route show
ip -n n16 -j route show
ip -n n16 route get 1.2.3.4
ip -n n16 route add 169.254.1.1 dev v16b scope link
ip -n n16 route add 10.99.0.0/16 via 169.254.1.1
ip -n n16 route show
ip -n n16 route get 10.99.1.1
