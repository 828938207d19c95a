# 124-bridge-port-down: a node bridge whose ports and bridge device go down
# and up under working traffic.
# Node n124: bridge br124 10.124.0.1/24 (fixed MAC) with pods n124a
# (10.124.0.2) and n124b (10.124.0.3) on ports v124a, v124b (fixed pod
# MACs).
# Tests: bridge link show (ports forwarding, cost 2), pod -> pod and pod ->
# gateway; host-side port down: the port shows down, the pod's eth0 loses
# carrier (NO-CARRIER, state DOWN: its iflink is its own ifindex), pod ->
# pod is lost; port up again: forwarding, works; the bridge itself down:
# its connected route disappears (the address stays), the ports show
# M-DOWN and state disabled, nothing is bridged any more; bridge up: the
# route returns and pods talk again; nomaster: the port leaves the bridge
# (b unreachable); ip -br link at the end.

ip netns add n124
ip netns add n124a
ip netns add n124b
ip -n n124 link add br124 address 02:00:00:00:24:b0 type bridge
ip -n n124 addr add 10.124.0.1/24 dev br124
ip -n n124 link set br124 up
ip -n n124 link add v124a type veth peer name eth0 netns n124a address 02:00:00:00:24:0a
ip -n n124 link add v124b type veth peer name eth0 netns n124b address 02:00:00:00:24:0b
ip -n n124 link set v124a master br124 up
ip -n n124 link set v124b master br124 up
ip -n n124a addr add 10.124.0.2/24 dev eth0
ip -n n124b addr add 10.124.0.3/24 dev eth0
ip -n n124a link set eth0 up
ip -n n124b link set eth0 up
ip -n n124a link set lo up
sleep 2
bridge -n n124 link show
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
ip netns exec n124a ping -c 1 -W 1 10.124.0.1
ip -n n124 link set v124b down
sleep 2
bridge -n n124 link show
ip -n n124b link show eth0
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
echo rc=$?
ip -n n124 link set v124b up
sleep 2
bridge -n n124 link show dev v124b
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
ip -n n124 link set br124 down
sleep 2
ip -n n124 route show
ip -n n124 addr show dev br124
bridge -n n124 link show
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
echo rc=$?
ip -n n124 link set br124 up
sleep 2
ip -n n124 route show
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
ip netns exec n124a ping -c 1 -W 1 10.124.0.1
ip -n n124 link set v124b nomaster
bridge -n n124 link show
ip netns exec n124a ping -c 1 -W 1 10.124.0.3
echo rc=$?
ip -n n124 -br link show
