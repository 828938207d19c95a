# 201-ping-local-errors: what the sending host's own stack refuses.
# Tests: connect() errors for local blackhole ("Invalid argument"),
# unreachable ("No route to host") and prohibit routes (EACCES: the
# broadcast hint message), no route ("Network is unreachable"); -M do with a
# packet over the device MTU ("ping: local error: message too long,
# mtu=1500", counted as an error), -M want/dont fragmenting it locally (the
# reply arrives), a veth whose peer is down (ARP never answered: "From
# <own address> ... Destination Host Unreachable" after 3 s, FAILED entry).

ip netns add n201a
ip netns add n201b
ip link add v201a netns n201a address 02:00:00:00:c9:0a type veth peer name v201b netns n201b address 02:00:00:00:c9:0b
ip -n n201a link set lo up
ip -n n201b link set lo up
ip -n n201a link set v201a up
ip -n n201b link set v201b up
ip -n n201a addr add 10.201.0.1/24 dev v201a
ip -n n201b addr add 10.201.0.2/24 dev v201b
ip -n n201a route add blackhole 10.201.7.0/24
ip -n n201a route add unreachable 10.201.8.0/24
ip -n n201a route add prohibit 10.201.9.0/24
ip netns exec n201a ping -c 1 10.201.7.1
echo rc=$?
ip netns exec n201a ping -c 1 10.201.8.1
echo rc=$?
ip netns exec n201a ping -c 1 10.201.9.1
echo rc=$?
ip netns exec n201a ping -c 1 192.0.2.1
echo rc=$?
ip netns exec n201a ping -c 2 -i 0.2 -s 1500 -M do 10.201.0.2
echo rc=$?
ip netns exec n201a ping -c 1 -s 1472 -M do 10.201.0.2
echo rc=$?
ip netns exec n201a ping -c 1 -s 3000 -M want 10.201.0.2
echo rc=$?
ip netns exec n201a ping -c 1 -s 3000 -M dont 10.201.0.2
echo rc=$?
ip netns exec n201a ping -c 1 -s 3000 10.201.0.2
echo rc=$?
ip -n n201b link set v201b down
ip netns exec n201a ping -c 1 -W 1 10.201.0.2
echo rc=$?
ip netns exec n201a ping -c 1 -W 5 10.201.0.3
echo rc=$?
ip -n n201a neigh show 10.201.0.3
