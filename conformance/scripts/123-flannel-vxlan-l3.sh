# 123-flannel-vxlan-l3: flannel's VXLAN backend by hand: a routed overlay.
# Nodes n123n1 (eth0 172.16.123.11/24) and n123n2 (172.16.123.12/24) on one
# veth. Each has flannel.1 (vxlan id 1, dstport 8472, nolearning, fixed
# MAC) addressed 10.123.N.0/32, a bridge cni0 10.123.N.1/24 with one pod
# (10.123.N.2, mtu 1450). For the remote pod subnet each node has
# `10.123.M.0/24 via 10.123.M.0 dev flannel.1 onlink`, a permanent ARP entry
# 10.123.M.0 -> remote flannel.1 MAC, and an fdb entry remote MAC -> remote
# node IP.
# Tests: the vxlan's MTU 1450, the route/neigh/fdb triplet (fdb shows only
# the static entry: nolearning), pod -> pod across (ttl 62), traceroute
# (10.123.1.1, 10.123.2.0, 10.123.2.2), route get on a node (src
# 10.123.1.0), pod with mtu 1500: -M do 1423 bytes -> "Frag needed and DF
# set (mtu = 1450)" from node1, then the cached local error; a node -> remote
# pod ping (source 10.123.1.0).

ip netns add n123n1
ip netns add n123n2
ip netns add n123p1
ip netns add n123p2
ip link add eth0 netns n123n1 type veth peer name eth0 netns n123n2
ip -n n123n1 addr add 172.16.123.11/24 dev eth0
ip -n n123n2 addr add 172.16.123.12/24 dev eth0
ip -n n123n1 link set eth0 up
ip -n n123n2 link set eth0 up
ip -n n123n1 link add flannel.1 address 02:00:00:00:23:01 type vxlan id 1 local 172.16.123.11 dev eth0 dstport 8472 nolearning
ip -n n123n2 link add flannel.1 address 02:00:00:00:23:02 type vxlan id 1 local 172.16.123.12 dev eth0 dstport 8472 nolearning
ip -n n123n1 addr add 10.123.1.0/32 dev flannel.1
ip -n n123n2 addr add 10.123.2.0/32 dev flannel.1
ip -n n123n1 link set flannel.1 up
ip -n n123n2 link set flannel.1 up
ip -n n123n1 link add cni0 type bridge
ip -n n123n2 link add cni0 type bridge
ip -n n123n1 addr add 10.123.1.1/24 dev cni0
ip -n n123n2 addr add 10.123.2.1/24 dev cni0
ip -n n123n1 link set cni0 up
ip -n n123n2 link set cni0 up
ip -n n123n1 link add veth1 type veth peer name eth0 netns n123p1
ip -n n123n2 link add veth2 type veth peer name eth0 netns n123p2
ip -n n123n1 link set veth1 master cni0 up
ip -n n123n2 link set veth2 master cni0 up
ip -n n123p1 addr add 10.123.1.2/24 dev eth0
ip -n n123p2 addr add 10.123.2.2/24 dev eth0
ip -n n123p1 link set eth0 up
ip -n n123p2 link set eth0 mtu 1450 up
ip -n n123p1 route add default via 10.123.1.1
ip -n n123p2 route add default via 10.123.2.1
ip netns exec n123n1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n123n2 sysctl -qw net.ipv4.ip_forward=1
ip -n n123n1 route add 10.123.2.0/24 via 10.123.2.0 dev flannel.1 onlink
ip -n n123n2 route add 10.123.1.0/24 via 10.123.1.0 dev flannel.1 onlink
ip -n n123n1 neigh add 10.123.2.0 lladdr 02:00:00:00:23:02 dev flannel.1 nud permanent
ip -n n123n2 neigh add 10.123.1.0 lladdr 02:00:00:00:23:01 dev flannel.1 nud permanent
bridge -n n123n1 fdb add 02:00:00:00:23:02 dev flannel.1 dst 172.16.123.12
bridge -n n123n2 fdb add 02:00:00:00:23:01 dev flannel.1 dst 172.16.123.11
ip -n n123n1 link show flannel.1
ip -n n123n1 route show
ip -n n123n1 neigh show dev flannel.1
bridge -n n123n1 fdb show dev flannel.1
ip netns exec n123p1 ping -c 2 -i 0.2 -W 1 10.123.2.2
ip netns exec n123p1 traceroute -n -q 1 -w 1 10.123.2.2
ip -n n123n1 route get 10.123.2.2
ip netns exec n123n1 ping -c 1 -W 1 10.123.2.2
ip netns exec n123p2 ping -c 1 -W 1 -s 1422 -M do 10.123.1.2
ip netns exec n123p1 ping -c 1 -W 1 -s 1423 -M do 10.123.2.2
echo rc=$?
ip netns exec n123p1 ping -c 1 -W 1 -s 1423 -M do 10.123.2.2
echo rc=$?
bridge -n n123n1 fdb show dev flannel.1
ip -n n123n2 -d link show flannel.1
