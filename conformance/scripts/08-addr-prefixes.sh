# 08-addr-prefixes: /32, /31, /30 and peer addresses.
# Tests: a /32 creates no prefix route in main (only local), a /31 has no
# network/broadcast entries in local (RFC 3021), /30 gets a broadcast route,
# `peer` addresses create a route to the peer; addr show formatting of each.

ip netns add n08
ip -n n08 link add v08a type veth peer name v08b
ip -n n08 link set v08a up
ip -n n08 link set v08b up
ip -n n08 addr add 10.8.0.1/32 dev v08a
ip -n n08 addr add 10.8.1.0/31 dev v08a
ip -n n08 addr add 10.8.2.1/30 dev v08a
ip -n n08 addr add 10.8.3.1 peer 10.8.3.2 dev v08a
ip -n n08 addr add 10.8.4.1 peer 10.8.5.0/24 dev v08a
ip -n n08 addr show dev v08a
ip -n n08 -j addr show dev v08a
ip -n n08 route show
ip -n n08 route show table local
ip -n n08 -br addr show dev v08a
