# 131-forwarding-per-device: net.ipv4.conf.DEV.forwarding on a router with
# three legs, and how ip_forward resets them.
# c1 (10.131.1.2) and c2 (10.131.2.2) on router r's legs v131a (10.131.1.1)
# and v131b (10.131.2.1); server s (10.131.3.2) on v131c (10.131.3.1).
# Tests: ip_forward=1 then conf.v131a.forwarding=0: packets arriving on
# v131a are not forwarded (silent loss for c1), c2 still reaches s, and s's
# reply to c1 (arriving on v131c, which forwards) would be forwarded; ip
# route get iif shows "No route to host" for v131a; the sysctl values of
# all/default/each device; writing ip_forward again sets every device;
# conf.all.forwarding=0 turns everything off; route get iif after each.

ip netns add n131c1
ip netns add n131c2
ip netns add n131r
ip netns add n131s
ip link add eth0 netns n131c1 type veth peer name v131a netns n131r
ip link add eth0 netns n131c2 type veth peer name v131b netns n131r
ip link add eth0 netns n131s type veth peer name v131c netns n131r
ip -n n131c1 addr add 10.131.1.2/24 dev eth0
ip -n n131c2 addr add 10.131.2.2/24 dev eth0
ip -n n131s addr add 10.131.3.2/24 dev eth0
ip -n n131r addr add 10.131.1.1/24 dev v131a
ip -n n131r addr add 10.131.2.1/24 dev v131b
ip -n n131r addr add 10.131.3.1/24 dev v131c
ip -n n131c1 link set eth0 up
ip -n n131c2 link set eth0 up
ip -n n131s link set eth0 up
ip -n n131r link set v131a up
ip -n n131r link set v131b up
ip -n n131r link set v131c up
ip -n n131c1 route add default via 10.131.1.1
ip -n n131c2 route add default via 10.131.2.1
ip -n n131s route add default via 10.131.3.1
ip netns exec n131r sysctl -w net.ipv4.ip_forward=1
ip netns exec n131r sysctl net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding net.ipv4.conf.v131a.forwarding net.ipv4.conf.lo.forwarding
ip netns exec n131c1 ping -c 1 -W 1 10.131.3.2
ip netns exec n131r sysctl -w net.ipv4.conf.v131a.forwarding=0
ip netns exec n131r sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding
ip netns exec n131c1 ping -c 1 -W 1 10.131.3.2
echo rc=$?
ip netns exec n131c2 ping -c 1 -W 1 10.131.3.2
ip netns exec n131c1 ping -c 1 -W 1 10.131.1.1
ip netns exec n131c1 ping -c 1 -W 1 10.131.2.1
ip -n n131r route get 10.131.3.2 from 10.131.1.2 iif v131a
ip -n n131r route get 10.131.3.2 from 10.131.2.2 iif v131b
ip -n n131r route get 10.131.1.2 from 10.131.3.2 iif v131c
ip netns exec n131r sysctl -w net.ipv4.ip_forward=1
ip netns exec n131r sysctl net.ipv4.conf.v131a.forwarding
ip netns exec n131c1 ping -c 1 -W 1 10.131.3.2
ip netns exec n131r sysctl -w net.ipv4.conf.all.forwarding=0
ip netns exec n131r sysctl net.ipv4.ip_forward net.ipv4.conf.v131b.forwarding net.ipv4.conf.default.forwarding
ip netns exec n131c2 ping -c 1 -W 1 10.131.3.2
echo rc=$?
ip -n n131r route get 10.131.3.2 from 10.131.2.2 iif v131b
ip netns exec n131r sysctl -w net.ipv4.conf.default.forwarding=1
ip netns exec n131r sysctl net.ipv4.ip_forward net.ipv4.conf.v131b.forwarding
