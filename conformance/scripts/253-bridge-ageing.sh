# 253-bridge-ageing: learned FDB entries age out after ageing_time.
# Tests: ageing_time 200 (2 s) set at creation and shown by -d; ping learns
# both hosts' MACs; after 3 s they are gone while the local entries stay;
# `ip link set BR type bridge ageing_time` changes it (and its errors).
# (Neighbour probes re-teach MACs ~5 s after a ping: shows stay within that.)

ip netns add n253
ip netns add n253a
ip netns add n253b
ip netns add n253c
ip netns exec n253 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n253 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n253a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n253b sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n253c sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n n253 link add br253 address 02:00:00:00:53:b0 type bridge ageing_time 200
ip -n n253 link add p253a address 02:00:00:00:53:1a type veth peer name eth0 netns n253a address 02:00:00:00:53:0a
ip -n n253 link add p253b address 02:00:00:00:53:1b type veth peer name eth0 netns n253b address 02:00:00:00:53:0b
ip -n n253 link add p253c address 02:00:00:00:53:1c type veth peer name eth0 netns n253c address 02:00:00:00:53:0c
ip -n n253 link set p253a master br253
ip -n n253 link set p253b master br253
ip -n n253 link set p253c master br253
ip -n n253 link set br253 up
ip -n n253 link set p253a up
ip -n n253 link set p253b up
ip -n n253 link set p253c up
ip -n n253a link set eth0 up
ip -n n253b link set eth0 up
ip -n n253c link set eth0 up
ip -n n253a addr add 10.253.0.1/24 dev eth0
ip -n n253b addr add 10.253.0.2/24 dev eth0
ip -n n253c addr add 10.253.0.3/24 dev eth0
ip -n n253 -d link show br253
bridge -n n253 fdb show dynamic
ip netns exec n253a ping -c 1 -W 1 10.253.0.2
bridge -n n253 fdb show dynamic
sleep 3
bridge -n n253 fdb show dynamic
bridge -n n253 fdb show br br253
ip -n n253 link set br253 type bridge ageing_time 30000
ip netns exec n253b ping -c 1 -W 1 10.253.0.3
bridge -n n253 fdb show dynamic
ip -n n253 link set br253 type bridge ageing_time abc
echo rc=$?
ip -n n253 link set br253 type bridge foo 1
echo rc=$?
