# 24-ttl-routers: reply TTLs through a chain of routers.
# Topology: c - r1 - r2 - r3 - s (10.24.N.0/24 links, default routes along
# the chain). Tests: ping from c to each router's far address and to s
# shows ttl=64/63/62/61 (each router decrements the reply), and ping -t
# with exactly enough hops succeeds.

ip netns add n24c
ip netns add n24r1
ip netns add n24r2
ip netns add n24r3
ip netns add n24s
ip link add v24c netns n24c type veth peer name v24a netns n24r1
ip link add v24b netns n24r1 type veth peer name v24d netns n24r2
ip link add v24e netns n24r2 type veth peer name v24f netns n24r3
ip link add v24g netns n24r3 type veth peer name v24s netns n24s
ip -n n24c link set v24c up
ip -n n24r1 link set v24a up
ip -n n24r1 link set v24b up
ip -n n24r2 link set v24d up
ip -n n24r2 link set v24e up
ip -n n24r3 link set v24f up
ip -n n24r3 link set v24g up
ip -n n24s link set v24s up
ip -n n24c addr add 10.24.1.2/24 dev v24c
ip -n n24r1 addr add 10.24.1.1/24 dev v24a
ip -n n24r1 addr add 10.24.2.1/24 dev v24b
ip -n n24r2 addr add 10.24.2.2/24 dev v24d
ip -n n24r2 addr add 10.24.3.1/24 dev v24e
ip -n n24r3 addr add 10.24.3.2/24 dev v24f
ip -n n24r3 addr add 10.24.4.1/24 dev v24g
ip -n n24s addr add 10.24.4.2/24 dev v24s
ip -n n24c route add default via 10.24.1.1
ip -n n24r1 route add default via 10.24.2.2
ip -n n24r2 route add 10.24.1.0/24 via 10.24.2.1
ip -n n24r2 route add default via 10.24.3.2
ip -n n24r3 route add default via 10.24.3.1
ip -n n24s route add default via 10.24.4.1
ip netns exec n24r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n24r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n24r3 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n24c ping -c 1 -W 1 10.24.2.1
ip netns exec n24c ping -c 1 -W 1 10.24.3.1
ip netns exec n24c ping -c 1 -W 1 10.24.4.1
ip netns exec n24c ping -c 1 -W 1 10.24.4.2
ip netns exec n24c ping -c 1 -W 1 -t 4 10.24.4.2
