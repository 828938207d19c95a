# 28-rp-filter: reverse path filtering with asymmetric routes.
# Topology: c has two links to router r (10.28.1.0/24 and 10.28.2.0/24), s is
# behind r (10.28.3.0/24). c sends to s over link 1 with source 10.28.2.2
# (ping -I), so r sees a source that it routes back over link 2.
# Tests: rp_filter 0 (off) forwards, 1 (strict) drops silently, 2 (loose)
# forwards; the effective value is max(conf.all, conf.<dev>): all=2 with
# dev=0 is loose, all=1 with dev=2 is loose?  (max -> 2); and a source r has
# no route for at all is dropped by loose mode.

ip netns add n28c
ip netns add n28r
ip netns add n28s
ip link add v28c1 netns n28c type veth peer name v28r1 netns n28r
ip link add v28c2 netns n28c type veth peer name v28r2 netns n28r
ip link add v28s netns n28s type veth peer name v28r3 netns n28r
ip -n n28c link set v28c1 up
ip -n n28c link set v28c2 up
ip -n n28r link set v28r1 up
ip -n n28r link set v28r2 up
ip -n n28r link set v28r3 up
ip -n n28s link set v28s up
ip -n n28c addr add 10.28.1.2/24 dev v28c1
ip -n n28c addr add 10.28.2.2/24 dev v28c2
ip -n n28c addr add 10.28.7.7/32 dev v28c2
ip -n n28r addr add 10.28.1.1/24 dev v28r1
ip -n n28r addr add 10.28.2.1/24 dev v28r2
ip -n n28r addr add 10.28.3.1/24 dev v28r3
ip -n n28s addr add 10.28.3.2/24 dev v28s
ip -n n28c route add 10.28.3.0/24 via 10.28.1.1
ip -n n28s route add default via 10.28.3.1
ip netns exec n28c sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v28c2.rp_filter=0
ip netns exec n28r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n28r sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v28r1.rp_filter=0
ip netns exec n28c ping -c 1 -W 1 -I 10.28.2.2 10.28.3.2
ip netns exec n28r sysctl -w net.ipv4.conf.v28r1.rp_filter=1
ip netns exec n28c ping -c 1 -W 1 -I 10.28.2.2 10.28.3.2
echo rc=$?
ip netns exec n28c ping -c 1 -W 1 -I 10.28.1.2 10.28.3.2
ip netns exec n28r sysctl -w net.ipv4.conf.v28r1.rp_filter=2
ip netns exec n28c ping -c 1 -W 1 -I 10.28.2.2 10.28.3.2
ip netns exec n28c ping -c 1 -W 1 -I 10.28.7.7 10.28.3.2
echo rc=$?
ip netns exec n28r sysctl -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.v28r1.rp_filter=0
ip netns exec n28c ping -c 1 -W 1 -I 10.28.2.2 10.28.3.2
echo rc=$?
ip netns exec n28r sysctl -w net.ipv4.conf.all.rp_filter=2
ip netns exec n28c ping -c 1 -W 1 -I 10.28.2.2 10.28.3.2
