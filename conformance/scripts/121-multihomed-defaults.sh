# 121-multihomed-defaults: a host with two uplinks and two default routes of
# different metrics to an "internet" host 203.0.113.9.
# h: v121a 10.121.1.2/24 (gw r1 10.121.1.1, metric 100), v121b 10.121.2.2/24
# (gw r2 10.121.2.1, metric 200). r1 and r2 both reach n121i (203.0.113.9)
# which routes 10.121.1.0/24 via r1 and 10.121.2.0/24 via r2.
# Tests: route show ordering by metric, route get picks r1 and its source,
# ping (ttl 63), ping -I v121b (source 10.121.2.2, out via v121b? the route
# lookup with oif picks r2's default), route get oif, r1's link admin down on
# h: the metric-100 default is removed, r2 takes over; back up: the static
# default via r1 is not restored; a default with `src`; route del of one
# default by metric; ip -j route show.

ip netns add n121h
ip netns add n121r1
ip netns add n121r2
ip netns add n121i
ip link add v121a netns n121h type veth peer name eth0 netns n121r1
ip link add v121b netns n121h type veth peer name eth0 netns n121r2
ip link add i netns n121r1 type veth peer name r1 netns n121i
ip link add i netns n121r2 type veth peer name r2 netns n121i
ip -n n121h addr add 10.121.1.2/24 dev v121a
ip -n n121h addr add 10.121.2.2/24 dev v121b
ip -n n121r1 addr add 10.121.1.1/24 dev eth0
ip -n n121r2 addr add 10.121.2.1/24 dev eth0
ip -n n121r1 addr add 10.121.11.1/24 dev i
ip -n n121r2 addr add 10.121.12.1/24 dev i
ip -n n121i addr add 10.121.11.2/24 dev r1
ip -n n121i addr add 10.121.12.2/24 dev r2
ip -n n121i addr add 203.0.113.9/32 dev lo
ip -n n121h link set v121a up
ip -n n121h link set v121b up
ip -n n121r1 link set eth0 up
ip -n n121r1 link set i up
ip -n n121r2 link set eth0 up
ip -n n121r2 link set i up
ip -n n121i link set r1 up
ip -n n121i link set r2 up
ip -n n121i link set lo up
ip -n n121r1 route add 203.0.113.0/24 via 10.121.11.2
ip -n n121r2 route add 203.0.113.0/24 via 10.121.12.2
ip -n n121i route add 10.121.1.0/24 via 10.121.11.1
ip -n n121i route add 10.121.2.0/24 via 10.121.12.1
ip netns exec n121r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n121r2 sysctl -qw net.ipv4.ip_forward=1
ip -n n121h route add default via 10.121.2.1 metric 200
ip -n n121h route add default via 10.121.1.1 metric 100
ip -n n121h route show
ip -n n121h route get 203.0.113.9
ip netns exec n121h ping -c 1 -W 1 203.0.113.9
ip netns exec n121h ping -c 1 -W 1 -I v121b 203.0.113.9
ip netns exec n121h ping -c 1 -W 1 -I 10.121.2.2 203.0.113.9
ip -n n121h route get 203.0.113.9 oif v121b
ip -n n121h route get 203.0.113.9 from 10.121.2.2
ip -n n121h link set v121a down
ip -n n121h route show
ip -n n121h route get 203.0.113.9
ip netns exec n121h ping -c 1 -W 1 203.0.113.9
ip -n n121h link set v121a up
ip -n n121h route show
ip -n n121h route add default via 10.121.1.1 src 10.121.2.2 metric 50
ip -n n121h route get 203.0.113.9
ip netns exec n121h ping -c 1 -W 1 203.0.113.9
echo rc=$?
ip -n n121h route del default metric 50
ip -n n121h route del default
ip -n n121h route show
ip -n n121h -j route show
ip -n n121h route del default
echo rc=$?
