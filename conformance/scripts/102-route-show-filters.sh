# 102-route-show-filters: selectors of `ip route show` and `ip route flush`.
# Tests: table 100 with mtu and proto numbers (printed by name), tos routes,
# ip -4 route show table all (table column), -d (type/proto/scope always),
# type/proto/scope/dev filters (the filtered field is not printed),
# root/match/exact prefix selectors, flush by table and by dev, flush with
# nothing to flush, `ip route show table default` (does not exist), and
# routes via a link that goes down (removed) vs scope host routes (kept).

ip netns add n102
ip -n n102 link set lo up
ip -n n102 link add v102a type veth peer name v102b
ip -n n102 link set v102a up
ip -n n102 link set v102b up
ip -n n102 addr add 10.102.0.1/24 dev v102a
ip -n n102 route add 10.200.0.0/16 via 10.102.0.2 table 100 mtu 1400
ip -n n102 route add 10.201.0.0/16 dev v102a table 100 src 10.102.0.1 metric 5 proto 42
ip -n n102 route add 10.202.0.0/16 via 10.102.0.2 tos 0x10
ip -n n102 route add 10.202.0.0/16 via 10.102.0.3
ip -n n102 route add 10.203.0.0/16 dev v102a scope host
ip -n n102 route add 10.0.0.0/8 via 10.102.0.4 proto static
ip -n n102 -4 route show table all
ip -n n102 -4 -j route show table all
ip -n n102 -d route show
ip -n n102 -d -j route show
ip -n n102 route show table main type unicast
ip -n n102 route show proto kernel
ip -n n102 route show proto static
ip -n n102 route show scope link
ip -n n102 route show dev v102a
ip -n n102 route show root 10.0.0.0/8
ip -n n102 route show match 10.202.1.1
ip -n n102 route show exact 10.0.0.0/8
ip -n n102 route show 10.202.0.0/16
ip -n n102 -j route show table 100
ip -n n102 route show table default
echo rc=$?
ip -n n102 route flush table 100
ip -n n102 route show table 100
ip -n n102 route flush proto static
ip -n n102 route show
ip -n n102 link set v102a down
ip -n n102 route show
ip -n n102 link set v102a up
ip -n n102 route show
ip -n n102 route flush dev v102a
ip -n n102 route show
ip -n n102 route show table local
