# 119-json-everything: a node with a bridge, pods, a VXLAN device, static
# neighbours and several route types, dumped in every JSON form at the end
# (the way tools and tests consume iproute2).
# Node n119: bridge br119 10.119.0.1/24 (fixed MAC), pod veth v119p ->
# n119p eth0 10.119.0.2, uplink v119u 192.168.119.1/24 to n119x, vxlan119
# (id 119, local 192.168.119.1, dev v119u) with 10.119.9.1/24, a secondary
# address, a permanent neighbour, routes: via, blackhole, unreachable,
# metric, table 200.
# Tests: ip -j / ip -j -d / ip -br -j forms of link, addr, route, neigh
# (fixed MACs: -br -j keeps the IPv6 link-local addresses);
# ip -j -p (pretty) of one address; -4 filters.

ip netns add n119
ip netns add n119p
ip netns add n119x
ip -n n119 link add br119 address 02:00:00:00:19:b0 type bridge
ip -n n119 link add v119p address 02:00:00:00:19:03 type veth peer name eth0 netns n119p
ip -n n119 link set v119p master br119
ip link add v119u netns n119 address 02:00:00:00:19:01 type veth peer name v119x netns n119x address 02:00:00:00:19:02
ip -n n119 addr add 10.119.0.1/24 dev br119
ip -n n119 addr add 10.119.0.254/24 dev br119
ip -n n119 addr add 192.168.119.1/24 dev v119u
ip -n n119 link set br119 up
ip -n n119 link set v119p up
ip -n n119 link set v119u up
ip -n n119x link set v119x up
ip -n n119x addr add 192.168.119.2/24 dev v119x
ip -n n119 link add vxlan119 address 02:00:00:00:19:09 type vxlan id 119 local 192.168.119.1 dev v119u dstport 4789
ip -n n119 addr add 10.119.9.1/24 dev vxlan119
ip -n n119 link set vxlan119 up
ip -n n119p addr add 10.119.0.2/24 dev eth0
ip -n n119p link set eth0 up
ip -n n119p route add default via 10.119.0.1
ip -n n119 neigh add 192.168.119.2 lladdr 02:00:00:00:19:02 dev v119u nud permanent
ip -n n119 route add 10.200.0.0/16 via 192.168.119.2 metric 50
ip -n n119 route add blackhole 10.201.0.0/16
ip -n n119 route add unreachable 10.202.0.0/16 metric 7
ip -n n119 route add 10.203.0.0/16 via 192.168.119.2 table 200
ip netns exec n119p ping -c 1 -W 1 10.119.0.1
ip -n n119 -j link show
ip -n n119 -j addr show
ip -n n119 -j -4 addr show
ip -n n119 -j route show
ip -n n119 -j route show table 200
ip -n n119 -j route show table local
ip -n n119 -j neigh show dev v119u
ip -n n119 -j -d link show vxlan119
ip -n n119 -j -d link show v119u
ip -n n119 -br -j addr show
ip -n n119 -br -j link show
ip -n n119 -4 -j -p addr show dev v119u
ip -n n119 -j link show master br119
ip -n n119p -j route get 10.200.0.1
ip -n n119 -j route get 10.200.0.1
ip -n n119 -j route get 10.201.0.1
