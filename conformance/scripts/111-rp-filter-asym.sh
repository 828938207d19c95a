# 111-rp-filter-asym: strict reverse path filtering against asymmetric
# routing.
# Client n111c has two uplinks: v111c1 10.111.1.2/24 to router n111r1 and
# v111c2 10.111.2.2/24 to router n111r2; both routers reach server n111s
# (10.111.3.2 via r1's 10.111.3.1, 10.111.4.2 via r2's 10.111.4.1: the
# server has two interfaces too). The client sends to 10.111.3.2 via r1, but
# the server's default route points at r2, so replies come back on v111c2.
# Tests: rp_filter 0 -> works (ttl 63); client's all.rp_filter=1 (strict,
# max(all, dev)) -> the reply is dropped (rc 1); loose (2) -> works again;
# r2 has no route back to the server's 10.111.3.2, so strict or loose
# filtering on r2's server-facing interface drops the replies there; ip
# route get with iif shows each decision (Invalid cross-device link for
# the packets rp_filter drops).

ip netns add n111c
ip netns add n111r1
ip netns add n111r2
ip netns add n111s
ip link add v111c1 netns n111c type veth peer name c netns n111r1
ip link add v111c2 netns n111c type veth peer name c netns n111r2
ip link add v111s1 netns n111s type veth peer name s netns n111r1
ip link add v111s2 netns n111s type veth peer name s netns n111r2
ip -n n111c addr add 10.111.1.2/24 dev v111c1
ip -n n111c addr add 10.111.2.2/24 dev v111c2
ip -n n111r1 addr add 10.111.1.1/24 dev c
ip -n n111r2 addr add 10.111.2.1/24 dev c
ip -n n111r1 addr add 10.111.3.1/24 dev s
ip -n n111r2 addr add 10.111.4.1/24 dev s
ip -n n111s addr add 10.111.3.2/24 dev v111s1
ip -n n111s addr add 10.111.4.2/24 dev v111s2
ip -n n111c link set v111c1 up
ip -n n111c link set v111c2 up
ip -n n111r1 link set c up
ip -n n111r1 link set s up
ip -n n111r2 link set c up
ip -n n111r2 link set s up
ip -n n111s link set v111s1 up
ip -n n111s link set v111s2 up
ip -n n111c route add 10.111.3.0/24 via 10.111.1.1
ip -n n111r2 route add 10.111.1.0/24 via 10.111.2.2
ip -n n111s route add default via 10.111.4.1
ip netns exec n111r1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n111r2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n111c sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec n111r2 sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec n111c ping -c 1 -W 1 10.111.3.2
ip netns exec n111c sysctl -w net.ipv4.conf.all.rp_filter=1
ip netns exec n111c ping -c 1 -W 1 10.111.3.2
echo rc=$?
ip -n n111c route get 10.111.2.2 from 10.111.3.2 iif v111c2
ip -n n111c route get 10.111.1.2 from 10.111.3.2 iif v111c2
ip -n n111c route get 10.111.1.2 from 10.111.3.2 iif v111c1
ip netns exec n111c sysctl -w net.ipv4.conf.all.rp_filter=2
ip netns exec n111c ping -c 1 -W 1 10.111.3.2
ip -n n111c route get 10.111.1.2 from 10.111.3.2 iif v111c2
ip netns exec n111c sysctl -w net.ipv4.conf.all.rp_filter=0
ip netns exec n111r2 sysctl -w net.ipv4.conf.s.rp_filter=1
ip netns exec n111c ping -c 1 -W 1 10.111.3.2
echo rc=$?
ip -n n111r2 route get 10.111.1.2 from 10.111.3.2 iif s
ip -n n111r2 route get 10.111.1.2 from 10.111.4.2 iif s
ip netns exec n111r2 sysctl -w net.ipv4.conf.s.rp_filter=2
ip netns exec n111c ping -c 1 -W 1 10.111.3.2
ip -n n111r2 route get 10.111.1.2 from 10.111.3.2 iif s
ip -n n111r2 route get 10.111.1.2 from 10.111.9.9 iif s
