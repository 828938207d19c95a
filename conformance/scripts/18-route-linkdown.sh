# 18-route-linkdown: what happens to routes when a link goes down.
# Tests: admin down removes the connected route and every static route using
# the device from main (local-table entries remain), admin up restores only
# the kernel (connected) routes; losing carrier (peer down) keeps routes but
# marks them `linkdown` (text flag and JSON flags), and ip route get still
# resolves through them.

ip netns add n18a
ip netns add n18b
ip link add v18a netns n18a type veth peer name v18b netns n18b
ip -n n18a link set v18a up
ip -n n18b link set v18b up
sleep 2
ip -n n18a addr add 10.18.0.1/24 dev v18a
ip -n n18a route add 50.0.0.0/8 via 10.18.0.2
ip -n n18a route add 51.0.0.0/8 dev v18a
ip -n n18a route show
ip -n n18b link set v18b down
# carrier changes reach the FIB through linkwatch (up to 1 s later when the
# veth ends have equal ifindexes)
sleep 2
ip -n n18a route show
ip -n n18a -j route show
ip -n n18a route get 50.1.1.1
ip -n n18b link set v18b up
sleep 2
ip -n n18a route show
ip -n n18a link set v18a down
ip -n n18a route show
ip -n n18a route show table local
ip -n n18a route get 50.1.1.1
echo rc=$?
ip -n n18a link set v18a up
ip -n n18a route show
ip -n n18a route show table local
