# 118-route-get-everywhere: ip route get in every namespace of a small
# network with several route kinds, as a user checks a design.
# h (10.118.1.2, default via r) - r (10.118.1.1 | 10.118.2.1, lo
# 10.118.255.1/32) - g (10.118.2.2, 10.118.3.1/24 on a dummy-like veth to
# nowhere). r has a static route to 10.118.3.0/24 via g, a blackhole
# 10.118.4.0/24, a more specific 10.118.3.128/25 via g with src, and a route
# in table 100.
# Tests: route get to local, connected, via-gateway, more specific, own
# loopback-style address, broadcast and network addresses, from/oif/iif/tos
# variants, the forwarding decision on r (`iif`, with and without
# ip_forward), unreachable destinations, JSON form, table 100 not consulted
# without a rule.

ip netns add n118h
ip netns add n118r
ip netns add n118g
ip link add v118h netns n118h type veth peer name v118a netns n118r
ip link add v118b netns n118r type veth peer name v118g netns n118g
ip link add v118x netns n118g type veth peer name v118y netns n118g
ip -n n118h addr add 10.118.1.2/24 dev v118h
ip -n n118r addr add 10.118.1.1/24 dev v118a
ip -n n118r addr add 10.118.2.1/24 dev v118b
ip -n n118r addr add 10.118.255.1/32 dev lo
ip -n n118g addr add 10.118.2.2/24 dev v118g
ip -n n118g addr add 10.118.3.1/24 dev v118x
ip -n n118h link set v118h up
ip -n n118r link set v118a up
ip -n n118r link set v118b up
ip -n n118r link set lo up
ip -n n118g link set v118g up
ip -n n118g link set v118x up
ip -n n118g link set v118y up
ip -n n118h route add default via 10.118.1.1
ip -n n118g route add default via 10.118.2.1
ip -n n118r route add 10.118.3.0/24 via 10.118.2.2
ip -n n118r route add 10.118.3.128/25 via 10.118.2.2 src 10.118.255.1
ip -n n118r route add blackhole 10.118.4.0/24
ip -n n118r route add 10.118.5.0/24 via 10.118.2.2 table 100
ip -n n118h route get 10.118.1.2
ip -n n118h route get 10.118.1.1
ip -n n118h route get 10.118.3.7
ip -n n118h route get 10.118.1.255
ip -n n118h route get 10.118.1.0
ip -n n118h route get 255.255.255.255
ip -n n118r route get 10.118.3.7
ip -n n118r route get 10.118.3.200
ip -n n118r route get 10.118.255.1
ip -n n118r route get 10.118.4.1
ip -n n118r route get 10.118.5.1
ip -n n118r route get 10.118.3.7 from 10.118.1.1
ip -n n118r route get 10.118.3.7 oif v118a
ip -n n118r route get 10.118.3.7 tos 0x10
ip -n n118r route get 10.118.3.7 from 10.118.1.2 iif v118a
echo rc=$?
ip netns exec n118r sysctl -qw net.ipv4.ip_forward=1
ip -n n118r route get 10.118.3.7 from 10.118.1.2 iif v118a
ip -n n118r route get 10.118.3.200 from 10.118.1.2 iif v118a
ip -n n118r route get 10.118.2.1 from 10.118.1.2 iif v118a
ip -n n118r route get 10.118.4.1 from 10.118.1.2 iif v118a
ip -n n118r route get 10.118.9.9 from 10.118.1.2 iif v118a
ip -n n118r -j route get 10.118.3.200
ip -n n118r -j route get 10.118.3.7 from 10.118.1.2 iif v118a
ip -n n118g route get 10.118.3.1
ip -n n118g route get 10.118.3.9
ip -n n118g route get 10.118.1.2
ip -n n118g route get 10.118.1.2 from 10.118.3.1
ip -n n118r route show table 100
ip -n n118r route show table local
