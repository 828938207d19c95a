# 101-addr-scopes: address scopes, broadcast forms and show filters.
# Tests: scope host/link addresses go before global primaries, `brd -`,
# explicit brd (two broadcast routes), noprefixroute (flag, no main route),
# a secondary added with another scope (Invalid scope value), 127.0.0.2 on lo
# (scope host, secondary), ip -4 addr (no link line), -j -4, show filters
# (scope, primary, secondary, up), flush by scope, flush without arguments,
# del with the wrong prefix length, -br -j, invalid prefixes.

ip netns add n101
ip -n n101 link set lo up
ip -n n101 link add v101a type veth peer name v101b
ip -n n101 addr add 10.101.0.1/24 dev v101a
ip -n n101 addr add 10.101.0.2/24 dev v101a label v101a:x
ip -n n101 addr add 10.101.0.3/24 dev v101a scope link
echo rc=$?
ip -n n101 addr add 10.101.1.1/24 brd - dev v101a
ip -n n101 addr add 10.101.2.1/24 brd 10.101.2.7 dev v101a noprefixroute
ip -n n101 addr add 10.101.3.1/24 dev v101a scope link
ip -n n101 addr add 10.101.4.1/24 dev v101a scope host
ip -n n101 addr add 127.0.0.2/8 dev lo
ip -n n101 addr show
ip -n n101 -4 addr show
ip -n n101 -j -4 addr show v101a
ip -n n101 addr show dev v101a scope link
ip -n n101 addr show secondary
ip -n n101 addr show primary dev v101a
ip -n n101 addr show up
ip -n n101 link set v101a up
ip -n n101 route show table local dev v101a
ip -n n101 route show
ip -n n101 addr del 10.101.1.1/16 dev v101a
echo rc=$?
ip -n n101 addr add 300.1.1.1/24 dev v101a
echo rc=$?
ip -n n101 addr add 10.101.9.9/33 dev v101a
echo rc=$?
ip -n n101 addr flush
echo rc=$?
ip -n n101 addr flush dev v101a scope link
ip -n n101 -br addr show v101a
ip -n n101 -br -j addr show v101a
ip -n n101 addr show dev nope
echo rc=$?
ip -n n101 link set lo down
ip -n n101 addr show lo
ip -n n101 route show table local
