# 37-bridge-gateway-masq: docker0-like setup.
# node: bridge br37 172.30.0.1/24 with pods p1 (.2) and p2 (.3) behind it,
# uplink v37n 192.168.37.1/24 to namespace "out" (192.168.37.2), which has
# no route back to 172.30.0.0/24.
# Tests: pod -> bridge IP and pod -> pod work; pod -> out fails without NAT
# (out cannot answer), works with MASQUERADE (ip_forward=1); the nat
# POSTROUTING counter counts only the first packet of the flow (conntrack),
# `out` sees the node's address as source (its INPUT rule counts packets from
# 192.168.37.1), pod's route get and ping TTL through the node (63).

ip netns add n37
ip netns add n37p1
ip netns add n37p2
ip netns add n37out
ip -n n37 link add br37 address 02:00:00:00:37:b0 type bridge
ip -n n37 link set br37 up
ip -n n37 addr add 172.30.0.1/24 dev br37
ip -n n37 link add v37h1 type veth peer name eth0 netns n37p1
ip -n n37 link add v37h2 type veth peer name eth0 netns n37p2
ip -n n37 link set v37h1 master br37
ip -n n37 link set v37h2 master br37
ip -n n37 link set v37h1 up
ip -n n37 link set v37h2 up
ip -n n37p1 link set eth0 up
ip -n n37p2 link set eth0 up
ip -n n37p1 addr add 172.30.0.2/24 dev eth0
ip -n n37p2 addr add 172.30.0.3/24 dev eth0
ip -n n37p1 route add default via 172.30.0.1
ip -n n37p2 route add default via 172.30.0.1
ip link add v37n netns n37 type veth peer name v37o netns n37out
ip -n n37 link set v37n up
ip -n n37out link set v37o up
ip -n n37 addr add 192.168.37.1/24 dev v37n
ip -n n37out addr add 192.168.37.2/24 dev v37o
ip netns exec n37 sysctl -w net.ipv4.ip_forward=1
ip netns exec n37out iptables -A INPUT -s 192.168.37.1 -p icmp
ip netns exec n37p1 ping -c 1 -W 1 172.30.0.1
ip netns exec n37p1 ping -c 1 -W 1 172.30.0.3
ip netns exec n37p1 ping -c 1 -W 1 192.168.37.2
echo rc=$?
ip netns exec n37 iptables -t nat -A POSTROUTING -s 172.30.0.0/24 ! -o br37 -j MASQUERADE
ip netns exec n37p1 ping -c 3 -i 0.2 -W 1 192.168.37.2
ip netns exec n37p2 ping -c 1 -W 1 192.168.37.2
ip netns exec n37 iptables -t nat -L POSTROUTING -n -v -x
ip netns exec n37out iptables -L INPUT -n -v -x
ip -n n37p1 route get 192.168.37.2
