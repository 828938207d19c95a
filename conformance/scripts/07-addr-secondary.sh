# 07-addr-secondary: several addresses on one interface.
# Tests: a second address in the same subnet is "secondary" (flag in text and
# "secondary":true in JSON), one in another subnet is primary with its own
# routes; labels; deleting a primary with promote_secondaries=0 removes its
# secondaries too, with promote_secondaries=1 the secondary is promoted.

ip netns add n07
ip -n n07 link add v07a type veth peer name v07b
ip -n n07 link set v07a up
ip -n n07 link set v07b up
ip netns exec n07 sysctl -w net.ipv4.conf.v07a.promote_secondaries=0
ip -n n07 addr add 10.7.0.1/24 dev v07a
ip -n n07 addr add 10.7.0.2/24 dev v07a
ip -n n07 addr add 10.7.0.3/24 dev v07a label v07a:1
ip -n n07 addr add 10.7.1.1/24 dev v07a
ip -n n07 addr show dev v07a
ip -n n07 -j addr show dev v07a
ip -n n07 route show
ip -n n07 route show table local
ip -n n07 addr del 10.7.0.1/24 dev v07a
ip -n n07 addr show dev v07a
ip -n n07 route show
ip netns exec n07 sysctl -w net.ipv4.conf.v07b.promote_secondaries=1
ip -n n07 addr add 10.7.0.1/24 dev v07b
ip -n n07 addr add 10.7.0.2/24 dev v07b
ip -n n07 addr add 10.7.0.3/24 dev v07b
ip -n n07 addr del 10.7.0.1/24 dev v07b
ip -n n07 addr show dev v07b
ip -n n07 route show dev v07b
ip -n n07 route show table local dev v07b
