# 116-mtu-mismatch: the two ends of a link disagree on the MTU, and a route
# with an mtu attribute.
# c (10.116.1.2) - r (10.116.1.1 | 10.116.2.1) - s (10.116.2.2). The r-s
# veth has MTU 1500 on r's side but 9000 on s's side.
# Tests: small pings work; s -> r with 3000 bytes (s sends one 3028-byte
# packet, r's veth drops it: longer than its MTU) is lost; r -> s with 3000
# bytes (r fragments, s reassembles, s's unfragmented 3028-byte reply is
# dropped by r's veth) is lost; -M do on r: local error mtu=1500; after
# fixing s's MTU both work; c -> s through r with -M do and 1473 bytes:
# "Frag needed" from r; a route with `mtu 1400` on c gives the local error
# with mtu=1400; link show / ip -j link show the MTUs.

ip netns add n116c
ip netns add n116r
ip netns add n116s
ip link add v116c netns n116c type veth peer name v116rc netns n116r
ip link add v116s netns n116s type veth peer name v116rs netns n116r
ip -n n116c addr add 10.116.1.2/24 dev v116c
ip -n n116r addr add 10.116.1.1/24 dev v116rc
ip -n n116r addr add 10.116.2.1/24 dev v116rs
ip -n n116s addr add 10.116.2.2/24 dev v116s
ip -n n116s link set v116s mtu 9000
ip -n n116c link set v116c up
ip -n n116r link set v116rc up
ip -n n116r link set v116rs up
ip -n n116s link set v116s up
ip -n n116c route add default via 10.116.1.1
ip -n n116s route add default via 10.116.2.1
ip netns exec n116r sysctl -qw net.ipv4.ip_forward=1
ip -n n116s link show v116s
ip -n n116r link show v116rs
ip netns exec n116s ping -c 1 -W 1 10.116.2.1
ip netns exec n116s ping -c 1 -W 1 -s 3000 10.116.2.1
echo rc=$?
ip netns exec n116r ping -c 1 -W 1 -s 3000 10.116.2.2
echo rc=$?
ip netns exec n116r ping -c 1 -W 1 -s 3000 -M do 10.116.2.2
echo rc=$?
ip netns exec n116c ping -c 1 -W 1 -s 3000 10.116.2.2
echo rc=$?
ip -n n116s link set v116s mtu 1500
ip netns exec n116s ping -c 1 -W 1 -s 3000 10.116.2.1
ip netns exec n116r ping -c 1 -W 1 -s 3000 10.116.2.2
ip -n n116r link set v116rs mtu 1400
ip netns exec n116c ping -c 1 -W 1 -s 1473 -M do 10.116.2.2
echo rc=$?
ip netns exec n116c ping -c 1 -W 1 -s 1372 -M do 10.116.2.2
ip -n n116c route add 10.116.2.0/24 via 10.116.1.1 mtu 1300
ip -n n116c route show
ip netns exec n116c ping -c 1 -W 1 -s 1300 -M do 10.116.2.2
echo rc=$?
ip netns exec n116c ping -c 1 -W 1 -s 1272 -M do 10.116.2.2
ip -n n116c -j route show 10.116.2.0/24
ip -n n116r -br link show
ip -n n116s -j link show v116s
