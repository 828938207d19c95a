# 126-one-armed-router: two subnets on one L2 segment (a bridge in a switch
# namespace) routed by a router with both gateway addresses on one
# interface ("router on a stick" without VLANs). h1 10.126.1.2/24, h2
# 10.126.2.2/24, r eth0 10.126.1.1/24 + 10.126.2.1/24 + 10.126.1.5/24 (sec.)
# Tests: h1 -> h2 leaves r by the interface it came in on: r sends an ICMP
# redirect ("From 10.126.1.1: icmp_seq=1 Redirect Host(New nexthop:
# 10.126.2.2)"); shared_media=1 (default) lets h1 and h2 accept redirects
# to off-subnet gateways: the first one only resolves the new gateway's
# MAC, a later one creates a route exception, after which h1 and h2 talk
# directly (ttl 64, even once r lost 10.126.1.1); send_redirects sysctls;
# deleting the primary without promote_secondaries removes the secondary
# too; h1's route get. Redirects are rate limited per peer (20 ms << n)
# and r also redirects the echo replies, so the ping lines depend on that.

ip netns add n126sw
ip netns add n126r
ip netns add n126h1
ip netns add n126h2
ip -n n126sw link add br126 type bridge
ip -n n126sw link set br126 up
ip link add eth0 netns n126r address 02:00:00:00:26:01 type veth peer name pr netns n126sw
ip link add eth0 netns n126h1 address 02:00:00:00:26:11 type veth peer name ph1 netns n126sw
ip link add eth0 netns n126h2 address 02:00:00:00:26:12 type veth peer name ph2 netns n126sw
ip -n n126sw link set pr master br126 up
ip -n n126sw link set ph1 master br126 up
ip -n n126sw link set ph2 master br126 up
ip -n n126r addr add 10.126.1.1/24 dev eth0
ip -n n126r addr add 10.126.2.1/24 dev eth0
ip -n n126r addr add 10.126.1.5/24 dev eth0
ip -n n126h1 addr add 10.126.1.2/24 dev eth0
ip -n n126h2 addr add 10.126.2.2/24 dev eth0
ip -n n126r link set eth0 up
ip -n n126h1 link set eth0 up
ip -n n126h2 link set eth0 up
ip -n n126h1 route add default via 10.126.1.1
ip -n n126h2 route add default via 10.126.2.1
ip netns exec n126r sysctl -w net.ipv4.ip_forward=1
ip -n n126r addr show dev eth0
ip -n n126r route show
ip netns exec n126h1 ping -c 1 -W 1 10.126.2.2
ip -n n126h1 route get 10.126.2.2
ip netns exec n126r sysctl -w net.ipv4.conf.all.send_redirects=0
ip netns exec n126h2 ping -c 1 -W 1 10.126.1.2
ip netns exec n126r sysctl -w net.ipv4.conf.eth0.send_redirects=0
ip netns exec n126h2 ping -c 1 -W 1 10.126.1.2
ip netns exec n126h1 ping -c 1 -W 1 10.126.1.5
ip -n n126r addr del 10.126.1.1/24 dev eth0
ip -n n126r addr show dev eth0
ip -n n126r route show
ip netns exec n126h1 ping -c 1 -W 1 10.126.2.2
echo rc=$?
ip -n n126h1 neigh show 10.126.1.1
