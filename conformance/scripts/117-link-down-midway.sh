# 117-link-down-midway: links going down in the middle of a working setup.
# c (10.117.1.2) - r (10.117.1.1 | 10.117.2.1) - s (10.117.2.2).
# Tests: r's interface towards s admin down: its connected route disappears,
# c gets "Destination Net Unreachable" from r, route get on r fails; back up:
# the connected route returns and pings work; s's end admin down: r's
# interface loses carrier (NO-CARRIER, route flagged linkdown, still used:
# silent loss), s's own default route is gone for good (admin down removes
# static routes), s's ping: Network is unreachable; s up again without the
# default: replies cannot return; re-added: works. c's own link down: ping
# from c fails with Network is unreachable.

ip netns add n117c
ip netns add n117r
ip netns add n117s
ip link add v117c netns n117c type veth peer name v117rc netns n117r
ip link add v117s netns n117s type veth peer name v117rs netns n117r
ip -n n117c addr add 10.117.1.2/24 dev v117c
ip -n n117r addr add 10.117.1.1/24 dev v117rc
ip -n n117r addr add 10.117.2.1/24 dev v117rs
ip -n n117s addr add 10.117.2.2/24 dev v117s
ip -n n117c link set v117c up
ip -n n117r link set v117rc up
ip -n n117r link set v117rs up
ip -n n117s link set v117s up
ip -n n117c route add default via 10.117.1.1
ip -n n117s route add default via 10.117.2.1
ip netns exec n117r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
ip -n n117r link set v117rs down
ip -n n117r route show
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
echo rc=$?
ip -n n117r route get 10.117.2.2
ip -n n117r link set v117rs up
sleep 2
ip -n n117r route show
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
ip -n n117s link set v117s down
sleep 2
ip -n n117r link show v117rs
ip -n n117r route show
ip -n n117r route get 10.117.2.2
ip -n n117s route show
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
echo rc=$?
ip netns exec n117s ping -c 1 -W 1 10.117.1.2
echo rc=$?
ip -n n117s link set v117s up
sleep 2
ip -n n117s route show
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
echo rc=$?
ip -n n117s route add default via 10.117.2.1
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
ip -n n117c link set v117c down
ip netns exec n117c ping -c 1 -W 1 10.117.2.2
echo rc=$?
ip -n n117c route show
ip -n n117c -br addr show
