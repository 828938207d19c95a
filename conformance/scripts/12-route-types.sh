# 12-route-types: blackhole, unreachable, prohibit, throw, local and
# broadcast routes, and what a local ping sees for each.
# Tests: show format of each type (text and JSON), ping errors:
# blackhole -> "ping: connect: Invalid argument"? (see golden),
# unreachable -> "ping: connect: No route to host",
# prohibit -> "ping: connect: Permission denied"? (see golden),
# `ip route get` of each type with its error text and exit code.

ip netns add n12
ip -n n12 link set lo up
ip -n n12 link add v12a type veth peer name v12b
ip -n n12 link set v12a up
ip -n n12 link set v12b up
ip -n n12 addr add 10.12.0.1/24 dev v12a
ip -n n12 route add blackhole 10.12.1.0/24
ip -n n12 route add unreachable 10.12.2.0/24
ip -n n12 route add prohibit 10.12.3.0/24
ip -n n12 route add throw 10.12.4.0/24
ip -n n12 route add local 10.12.5.0/24 dev lo
ip -n n12 route add unreachable 10.12.6.0/24 metric 7
ip -n n12 route show
ip -n n12 -j route show
ip -n n12 route show table local
ip netns exec n12 ping -c 1 -W 1 10.12.1.1
echo rc=$?
ip netns exec n12 ping -c 1 -W 1 10.12.2.1
echo rc=$?
ip netns exec n12 ping -c 1 -W 1 10.12.3.1
echo rc=$?
ip netns exec n12 ping -c 1 -W 1 10.12.4.1
echo rc=$?
ip netns exec n12 ping -c 1 -W 1 10.12.5.7
echo rc=$?
ip -n n12 route get 10.12.1.1
echo rc=$?
ip -n n12 route get 10.12.2.1
echo rc=$?
ip -n n12 route get 10.12.3.1
echo rc=$?
ip -n n12 route get 10.12.4.1
echo rc=$?
ip -n n12 route get 10.12.5.7
echo rc=$?
ip -n n12 route add blackhole 10.12.7.0/24 dev v12a
echo rc=$?
ip -n n12 route add blackhole 10.12.8.0/24 via 10.12.0.2
echo rc=$?
