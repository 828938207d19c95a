# 108-k8s-router-missing-routes: two nodes in different subnets behind a
# router that knows the node subnets but not the pod subnets (then fixed).
# Node n108n1: eth0 10.108.1.11/24 (default via router 10.108.1.1), bridge
# cbr108 10.245.1.1/24 with pod n108p1 (10.245.1.2). Node n108n2: eth0
# 10.108.2.12/24 (default via 10.108.2.1), cbr108 10.245.2.1/24 with pod
# n108p2 (10.245.2.2). Router n108r: 10.108.1.1/24 and 10.108.2.1/24.
# Tests: node -> node works through the router (ttl 63); pod -> remote pod
# fails: the router has no route to 10.245.2.0/24 and none back to the pod
# either, so its Net Unreachable cannot even be sent (silent loss, rc 1);
# traceroute shows node1 then stars; node1 -> remote pod gets the router's
# Net Unreachable (the router can answer node1); after adding the pod routes
# on the router everything works (pod -> pod ttl 61) and traceroute shows 3
# hops; route get on the router.

ip netns add n108r
ip netns add n108n1
ip netns add n108n2
ip netns add n108p1
ip netns add n108p2
ip link add eth0 netns n108n1 type veth peer name r1 netns n108r
ip link add eth0 netns n108n2 type veth peer name r2 netns n108r
ip -n n108r addr add 10.108.1.1/24 dev r1
ip -n n108r addr add 10.108.2.1/24 dev r2
ip -n n108r link set r1 up
ip -n n108r link set r2 up
ip -n n108n1 addr add 10.108.1.11/24 dev eth0
ip -n n108n2 addr add 10.108.2.12/24 dev eth0
ip -n n108n1 link set eth0 up
ip -n n108n2 link set eth0 up
ip -n n108n1 route add default via 10.108.1.1
ip -n n108n2 route add default via 10.108.2.1
ip -n n108n1 link add cbr108 type bridge
ip -n n108n2 link add cbr108 type bridge
ip -n n108n1 link set cbr108 up
ip -n n108n2 link set cbr108 up
ip -n n108n1 addr add 10.245.1.1/24 dev cbr108
ip -n n108n2 addr add 10.245.2.1/24 dev cbr108
ip -n n108n1 link add vp1 type veth peer name eth0 netns n108p1
ip -n n108n2 link add vp2 type veth peer name eth0 netns n108p2
ip -n n108n1 link set vp1 master cbr108
ip -n n108n2 link set vp2 master cbr108
ip -n n108n1 link set vp1 up
ip -n n108n2 link set vp2 up
ip -n n108p1 addr add 10.245.1.2/24 dev eth0
ip -n n108p2 addr add 10.245.2.2/24 dev eth0
ip -n n108p1 link set eth0 up
ip -n n108p2 link set eth0 up
ip -n n108p1 route add default via 10.245.1.1
ip -n n108p2 route add default via 10.245.2.1
ip netns exec n108r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n108n1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n108n2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n108n1 ping -c 1 -W 1 10.108.2.12
ip netns exec n108p1 ping -c 1 -W 1 10.245.2.2
echo rc=$?
ip netns exec n108p1 traceroute -n -q 1 -w 1 -m 4 10.245.2.2
sleep 2
ip netns exec n108n1 ping -c 1 -W 1 10.245.2.2
echo rc=$?
ip -n n108r route get 10.245.2.2
ip -n n108r route add 10.245.1.0/24 via 10.108.1.11
ip -n n108r route add 10.245.2.0/24 via 10.108.2.12
ip netns exec n108p1 ping -c 2 -i 0.2 -W 1 10.245.2.2
sleep 2
ip netns exec n108p2 traceroute -n -q 1 -w 1 10.245.1.2
ip -n n108r route get 10.245.2.2
ip -n n108r route show
ip -n n108n1 route show
