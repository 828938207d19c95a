# 120-proxy-arp-subnet: one /24 split across two segments by a router that
# answers ARP for the other side (proxy ARP subnetting), with the sysctl on
# one side and a proxy neighbour entry on the other.
# h1 n120h1 10.120.0.10/24 - r n120r (v120a 10.120.0.1/32, v120b
# 10.120.0.1/32 - no connected /24 on r) - h2 n120h2 10.120.0.200/24. r has
# host routes 10.120.0.10 dev v120a and 10.120.0.200 dev v120b; proxy_arp=1
# on v120a; `ip neigh add proxy 10.120.0.10 dev v120b` on the other side.
# MACs fixed; proxy_delay 0 on both r interfaces.
# Tests: h1 -> h2 (ttl 63; h1's ARP entry for h2 is r's v120a MAC), h2 -> h1
# (proxy entry), h2 -> an address r has no route for (no proxy answer:
# Destination Host Unreachable after the ARP timeout), r's routes and
# proxy entries, forwarding off: proxy entries are answered only while
# forwarding (h2's ARP fails), route get on r.

ip netns add n120h1
ip netns add n120h2
ip netns add n120r
ip link add eth0 netns n120h1 address 02:00:00:00:20:10 type veth peer name v120a netns n120r address 02:00:00:00:20:0a
ip link add eth0 netns n120h2 address 02:00:00:00:20:20 type veth peer name v120b netns n120r address 02:00:00:00:20:0b
ip -n n120h1 addr add 10.120.0.10/24 dev eth0
ip -n n120h2 addr add 10.120.0.200/24 dev eth0
ip -n n120r addr add 10.120.0.1/32 dev v120a
ip -n n120r addr add 10.120.0.1/32 dev v120b
ip -n n120h1 link set eth0 up
ip -n n120h2 link set eth0 up
ip -n n120h1 link set lo up
ip -n n120h2 link set lo up
ip -n n120r link set v120a up
ip -n n120r link set v120b up
ip -n n120r route add 10.120.0.10 dev v120a
ip -n n120r route add 10.120.0.200 dev v120b
ip netns exec n120r sysctl -w net.ipv4.ip_forward=1
ip netns exec n120r sysctl -w net.ipv4.conf.v120a.proxy_arp=1
ip netns exec n120r sysctl -w net.ipv4.neigh.v120a.proxy_delay=0 net.ipv4.neigh.v120b.proxy_delay=0
ip -n n120r neigh add proxy 10.120.0.10 dev v120b
ip -n n120r route show
ip -n n120r neigh show proxy
ip netns exec n120h1 ping -c 2 -i 0.2 -W 1 10.120.0.200
ip -n n120h1 neigh show 10.120.0.200
ip netns exec n120h2 ping -c 1 -W 1 10.120.0.10
ip -n n120h2 neigh show 10.120.0.10
ip netns exec n120h2 ping -c 1 -W 5 10.120.0.77
echo rc=$?
ip netns exec n120h1 ping -c 1 -W 1 10.120.0.1
ip -n n120r route get 10.120.0.200
ip -n n120r route get 10.120.0.10 from 10.120.0.200 iif v120b
ip netns exec n120r sysctl -w net.ipv4.ip_forward=0
ip -n n120h2 neigh flush dev eth0
ip netns exec n120h2 ping -c 1 -W 5 10.120.0.10
echo rc=$?
ip -n n120h2 neigh show 10.120.0.10
