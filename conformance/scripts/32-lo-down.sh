# 32-lo-down: a namespace whose loopback is still DOWN (as after
# `ip netns add`).
# Tests: pinging the namespace's own veth address gets no reply (local
# delivery needs lo up), 127.0.0.1 is "Network is unreachable" (no 127/8
# routes: they appear only when lo comes up), local ICMP errors such as
# "Destination Host Unreachable" for a failed ARP are not delivered either;
# after `ip link set lo up` all three work, and lo gets 127.0.0.1/8 plus
# local-table routes.

ip netns add n32a
ip netns add n32b
ip link add v32a netns n32a type veth peer name v32b netns n32b
ip -n n32a link set v32a up
ip -n n32b link set v32b up
ip -n n32a addr add 10.32.0.1/24 dev v32a
ip -n n32b addr add 10.32.0.2/24 dev v32b
ip -n n32a route show table local
ip netns exec n32a ping -c 1 -W 1 10.32.0.1
echo rc=$?
ip netns exec n32a ping -c 1 -W 1 127.0.0.1
echo rc=$?
ip netns exec n32a ping -c 1 -W 5 10.32.0.9
echo rc=$?
ip netns exec n32a ping -c 1 -W 1 10.32.0.2
echo rc=$?
ip -n n32a link set lo up
ip -n n32a route show table local
ip -n n32a addr show lo
ip netns exec n32a ping -c 1 -W 1 10.32.0.1
ip netns exec n32a ping -c 1 -W 1 127.0.0.1
ip netns exec n32a ping -c 1 -W 5 10.32.0.8
