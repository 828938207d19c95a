# 132-route-replace-live: a host moving its default route between two
# gateways while traffic flows, with replace/change/append/prepend/del and
# the route selectors (exact, root, match).
# h (v132a 10.132.1.2/24 to r1 10.132.1.1, v132b 10.132.2.2/24 to r2
# 10.132.2.1); r1 and r2 both reach s (10.132.9.9 on lo) over their own
# links; s routes replies by source subnet.
# Tests: default via r1 then `replace default via r2` (one route, ping
# still works, route get changes), `change` of a missing route (No such
# file or directory), `append` of a second default (same metric: both kept,
# the first is used), `prepend` puts a new one first, `del default` removes
# the first match, `del default via` a specific one, show exact/root/match,
# `ip route flush 10.132.50.0/24`-like cleanup by prefix, JSON.

ip netns add n132h
ip netns add n132r1
ip netns add n132r2
ip netns add n132s
ip link add v132a netns n132h type veth peer name h netns n132r1
ip link add v132b netns n132h type veth peer name h netns n132r2
ip link add s netns n132r1 type veth peer name r1 netns n132s
ip link add s netns n132r2 type veth peer name r2 netns n132s
ip -n n132h addr add 10.132.1.2/24 dev v132a
ip -n n132h addr add 10.132.2.2/24 dev v132b
ip -n n132r1 addr add 10.132.1.1/24 dev h
ip -n n132r2 addr add 10.132.2.1/24 dev h
ip -n n132r1 addr add 10.132.11.1/24 dev s
ip -n n132r2 addr add 10.132.12.1/24 dev s
ip -n n132s addr add 10.132.11.2/24 dev r1
ip -n n132s addr add 10.132.12.2/24 dev r2
ip -n n132s addr add 10.132.9.9/32 dev lo
ip -n n132h link set v132a up
ip -n n132h link set v132b up
ip -n n132r1 link set dev h up
ip -n n132r1 link set s up
ip -n n132r2 link set dev h up
ip -n n132r2 link set s up
ip -n n132s link set r1 up
ip -n n132s link set r2 up
ip -n n132s link set lo up
ip -n n132r1 route add 10.132.9.9 via 10.132.11.2
ip -n n132r2 route add 10.132.9.9 via 10.132.12.2
ip -n n132s route add 10.132.1.0/24 via 10.132.11.1
ip -n n132s route add 10.132.2.0/24 via 10.132.12.1
ip netns exec n132r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n132r2 sysctl -qw net.ipv4.ip_forward=1
ip -n n132h route add default via 10.132.1.1
ip netns exec n132h ping -c 1 -W 1 10.132.9.9
ip -n n132h route replace default via 10.132.2.1
ip -n n132h route show
ip -n n132h route get 10.132.9.9
ip netns exec n132h ping -c 1 -W 1 10.132.9.9
ip -n n132h route change 10.132.50.0/24 via 10.132.1.1
echo rc=$?
ip -n n132h route change default via 10.132.1.1 dev v132a
ip -n n132h route get 10.132.9.9
ip -n n132h route append default via 10.132.2.1
ip -n n132h route show default
ip -n n132h route prepend default via 10.132.2.1 metric 10
ip -n n132h route prepend default via 10.132.1.1 metric 10
echo rc=$?
ip -n n132h route show
ip -n n132h route get 10.132.9.9
ip -n n132h route add 10.132.50.0/24 via 10.132.1.1
ip -n n132h route add 10.132.50.128/25 via 10.132.2.1
ip -n n132h route show root 10.132.50.0/24
ip -n n132h route show match 10.132.50.200
ip -n n132h route show exact 10.132.50.0/24
ip -n n132h route del default
ip -n n132h route show default
ip -n n132h route del default via 10.132.2.1 metric 10
ip -n n132h route del default via 10.132.1.1
echo rc=$?
ip -n n132h route show
ip -n n132h -j route show default
ip netns exec n132h ping -c 1 -W 1 10.132.9.9
ip -n n132h route flush root 10.132.50.0/24
ip -n n132h route show
