# 13-route-tables: routing tables other than main.
# Tests: routes in table 100 are invisible in `ip route show` and shown with
# `table 100`, JSON of table routes, `ip route get` ignores table 100 without
# a rule, the local table contents for lo and an interface, local and
# broadcast route types added by hand, deleting from a table, showing an
# empty/unknown table, and route del with the wrong table.

ip netns add n13
ip -n n13 link set lo up
ip -n n13 link add v13a type veth peer name v13b
ip -n n13 link set v13a up
ip -n n13 link set v13b up
ip -n n13 addr add 10.13.0.1/24 dev v13a
ip -n n13 route add 10.100.0.0/16 via 10.13.0.2 table 100
ip -n n13 route add default via 10.13.0.3 table 100
ip -n n13 route add unreachable 10.101.0.0/16 table 100
ip -n n13 route show
ip -n n13 route show table 100
ip -n n13 -j route show table 100
ip -n n13 route get 10.100.1.1
echo rc=$?
ip -n n13 route show table local
ip -n n13 route show table 200
echo rc=$?
ip -n n13 route add local 10.13.5.5 dev v13a table local
ip -n n13 route add broadcast 10.13.6.255 dev v13a table local
ip -n n13 route show table local
ip -n n13 route del 10.100.0.0/16 via 10.13.0.2
echo rc=$?
ip -n n13 route del 10.100.0.0/16 via 10.13.0.2 table 100
ip -n n13 route show table 100
ip -n n13 route show table main
