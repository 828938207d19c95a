# 107-k8s-static-routes: Kubernetes pod networking by hand (the classic
# picture): two nodes on one L2 "switch", each with a cni0-like bridge and
# pods, and static routes to each other's pod subnets.
# Switch n107sw: bridge br107. Node n107n1: eth0 192.168.107.11/24, bridge
# cni107 10.244.1.1/24 with pods n107p1a (.2) and n107p1b (.3). Node n107n2:
# eth0 192.168.107.12/24, cni107 10.244.2.1/24 with pod n107p2a (.2).
# Tests: before the node routes, a cross-node pod ping is answered by node1
# with Net Unreachable; after `ip route add 10.244.2.0/24 via
# 192.168.107.12` (and back) pod -> pod works with ttl 62, node -> remote
# pod ttl 63, same-node pods ttl 64; traceroute shows node1's bridge IP, node2's
# eth0 IP, the pod; route get on a pod and a node; nc between pods.

ip netns add n107sw
ip netns add n107n1
ip netns add n107n2
ip netns add n107p1a
ip netns add n107p1b
ip netns add n107p2a
ip -n n107sw link add br107 type bridge
ip -n n107sw link set br107 up
ip link add eth0 netns n107n1 type veth peer name sw1 netns n107sw
ip link add eth0 netns n107n2 type veth peer name sw2 netns n107sw
ip -n n107sw link set sw1 master br107 up
ip -n n107sw link set sw2 master br107 up
ip -n n107n1 addr add 192.168.107.11/24 dev eth0
ip -n n107n2 addr add 192.168.107.12/24 dev eth0
ip -n n107n1 link set eth0 up
ip -n n107n2 link set eth0 up
ip -n n107n1 link add cni107 type bridge
ip -n n107n2 link add cni107 type bridge
ip -n n107n1 addr add 10.244.1.1/24 dev cni107
ip -n n107n2 addr add 10.244.2.1/24 dev cni107
ip -n n107n1 link set cni107 up
ip -n n107n2 link set cni107 up
ip -n n107n1 link add veth1a type veth peer name eth0 netns n107p1a
ip -n n107n1 link add veth1b type veth peer name eth0 netns n107p1b
ip -n n107n2 link add veth2a type veth peer name eth0 netns n107p2a
ip -n n107n1 link set veth1a master cni107 up
ip -n n107n1 link set veth1b master cni107 up
ip -n n107n2 link set veth2a master cni107 up
ip -n n107p1a addr add 10.244.1.2/24 dev eth0
ip -n n107p1b addr add 10.244.1.3/24 dev eth0
ip -n n107p2a addr add 10.244.2.2/24 dev eth0
ip -n n107p1a link set eth0 up
ip -n n107p1b link set eth0 up
ip -n n107p2a link set eth0 up
ip -n n107p2a link set lo up
ip -n n107p1a route add default via 10.244.1.1
ip -n n107p1b route add default via 10.244.1.1
ip -n n107p2a route add default via 10.244.2.1
ip netns exec n107n1 sysctl -w net.ipv4.ip_forward=1
ip netns exec n107n2 sysctl -w net.ipv4.ip_forward=1
ip netns exec n107p1a ping -c 1 -W 1 10.244.1.3
ip netns exec n107p1a ping -c 1 -W 1 10.244.2.2
echo rc=$?
ip -n n107n1 route add 10.244.2.0/24 via 192.168.107.12
ip -n n107n2 route add 10.244.1.0/24 via 192.168.107.11
ip netns exec n107p1a ping -c 2 -i 0.2 -W 1 10.244.2.2
ip netns exec n107p2a ping -c 1 -W 1 10.244.1.3
ip netns exec n107n1 ping -c 1 -W 1 10.244.2.2
ip netns exec n107p1a ping -c 1 -W 1 192.168.107.12
ip netns exec n107p1b traceroute -n -q 1 -w 1 10.244.2.2
ip netns exec n107p2a nc -l -p 8080 &
sleep 1
ip netns exec n107p1a nc -z -v -w 1 10.244.2.2 8080
echo rc=$?
ip netns exec n107p1a nc -z -v -w 1 10.244.2.2 8081
echo rc=$?
ip -n n107p1a route get 10.244.2.2
ip -n n107n1 route get 10.244.2.2
ip -n n107n1 route get 10.244.1.3
ip -n n107n1 route show
ip -n n107n2 -br addr show
