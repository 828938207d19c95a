# 106-two-bridges-router: two L2 segments, each a bridge in its own "switch"
# namespace, joined by a router namespace with one leg on each.
# Segment A (switch n106sa, bridge br106a): hosts n106h1 10.106.1.11 and
# n106h2 10.106.1.12; segment B (n106sb, br106b): host n106h3 10.106.2.13.
# Router n106r: 10.106.1.1 on A, 10.106.2.1 on B. All host MACs are fixed.
# Tests: same-segment ping (ttl 64), routed ping (ttl 63), traceroute across,
# the router's ARP entry for h3, host route get, the switch's fdb for one
# port after traffic, a host without a default route (Network is
# unreachable), bridge link show, ip -br views.

ip netns add n106sa
ip netns add n106sb
ip netns add n106r
ip netns add n106h1
ip netns add n106h2
ip netns add n106h3
ip -n n106sa link add br106a type bridge
ip -n n106sb link add br106b type bridge
ip -n n106sa link set br106a up
ip -n n106sb link set br106b up
ip link add eth0 netns n106h1 address 02:00:00:00:06:11 type veth peer name p106h1 netns n106sa address 02:00:00:00:06:21
ip link add eth0 netns n106h2 address 02:00:00:00:06:12 type veth peer name p106h2 netns n106sa
ip link add eth0 netns n106h3 address 02:00:00:00:06:13 type veth peer name p106h3 netns n106sb
ip link add eth0 netns n106r address 02:00:00:00:06:01 type veth peer name p106ra netns n106sa
ip link add eth1 netns n106r address 02:00:00:00:06:02 type veth peer name p106rb netns n106sb
ip -n n106sa link set p106h1 master br106a up
ip -n n106sa link set p106h2 master br106a up
ip -n n106sa link set p106ra master br106a up
ip -n n106sb link set p106h3 master br106b up
ip -n n106sb link set p106rb master br106b up
ip -n n106h1 addr add 10.106.1.11/24 dev eth0
ip -n n106h2 addr add 10.106.1.12/24 dev eth0
ip -n n106h3 addr add 10.106.2.13/24 dev eth0
ip -n n106r addr add 10.106.1.1/24 dev eth0
ip -n n106r addr add 10.106.2.1/24 dev eth1
ip -n n106h1 link set eth0 up
ip -n n106h2 link set eth0 up
ip -n n106h3 link set eth0 up
ip -n n106r link set eth0 up
ip -n n106r link set eth1 up
ip -n n106h1 route add default via 10.106.1.1
ip -n n106h3 route add default via 10.106.2.1
ip netns exec n106r sysctl -w net.ipv4.ip_forward=1
ip netns exec n106h1 ping -c 1 -W 1 10.106.1.12
ip netns exec n106h1 ping -c 2 -i 0.2 -W 1 10.106.2.13
ip netns exec n106h2 ping -c 1 -W 1 10.106.2.13
echo rc=$?
ip netns exec n106h1 traceroute -n -q 1 -w 1 10.106.2.13
ip -n n106r neigh show 10.106.2.13
ip -n n106h3 neigh show dev eth0
ip -n n106h1 route get 10.106.2.13
ip -n n106h2 route get 10.106.2.13
bridge -n n106sa fdb show dev p106h1
bridge -n n106sb link show
ip -n n106sa -br link show
ip -n n106r -br addr show
ip -n n106r route show
