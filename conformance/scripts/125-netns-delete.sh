# 125-netns-delete: deleting a namespace in the middle of a setup.
# c (10.125.1.2) - r (10.125.1.1 | 10.125.2.1) - s (10.125.2.2), plus a
# second server s2 behind r (10.125.3.2).
# Tests: ping works; `ip netns del` of s destroys its veth, so r's peer end
# vanishes with its addresses and routes (netns cleanup is asynchronous:
# sleep 2 before looking); c now gets Net Unreachable from r
# for 10.125.2.2; r's link list, route show, netns list; s2 still works;
# re-creating s with the same names works again; deleting r leaves c's veth
# gone too (c's default route vanishes with it: Network is unreachable).

ip netns add n125c
ip netns add n125r
ip netns add n125s
ip netns add n125s2
ip link add v125c netns n125c type veth peer name v125rc netns n125r
ip link add v125s netns n125s type veth peer name v125rs netns n125r
ip link add v125t netns n125s2 type veth peer name v125rt netns n125r
ip -n n125c addr add 10.125.1.2/24 dev v125c
ip -n n125r addr add 10.125.1.1/24 dev v125rc
ip -n n125r addr add 10.125.2.1/24 dev v125rs
ip -n n125r addr add 10.125.3.1/24 dev v125rt
ip -n n125s addr add 10.125.2.2/24 dev v125s
ip -n n125s2 addr add 10.125.3.2/24 dev v125t
ip -n n125c link set v125c up
ip -n n125r link set v125rc up
ip -n n125r link set v125rs up
ip -n n125r link set v125rt up
ip -n n125s link set v125s up
ip -n n125s2 link set v125t up
ip -n n125c route add default via 10.125.1.1
ip -n n125s route add default via 10.125.2.1
ip -n n125s2 route add default via 10.125.3.1
ip netns exec n125r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n125c ping -c 1 -W 1 10.125.2.2
ip netns list
ip netns del n125s
sleep 2
ip netns list
ip -n n125r -br link show
ip -n n125r route show
ip netns exec n125c ping -c 1 -W 1 10.125.2.2
echo rc=$?
ip netns exec n125c ping -c 1 -W 1 10.125.3.2
ip netns add n125s
ip link add v125s netns n125s type veth peer name v125rs netns n125r
ip -n n125s addr add 10.125.2.2/24 dev v125s
ip -n n125s link set v125s up
ip -n n125r link set v125rs up
ip -n n125r addr add 10.125.2.1/24 dev v125rs
ip -n n125s route add default via 10.125.2.1
ip netns exec n125c ping -c 1 -W 1 10.125.2.2
ip -n n125r link show v125rs
ip netns del n125r
sleep 2
ip -n n125c link show
ip -n n125c route show
ip netns exec n125c ping -c 1 -W 1 10.125.2.2
echo rc=$?
ip netns del n125r
echo rc=$?
ip netns list
