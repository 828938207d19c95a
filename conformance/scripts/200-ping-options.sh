# 200-ping-options: iputils ping options and argument errors.
# Tests: the header forms (-I address: "from A : ", -I device: "from A dev: "),
# reply lines without a time for less than 16 data bytes (and the empty line
# that replaces the rtt line), -q, -t, -c with -i, ping to an own address and
# to 127.0.0.1, -w deadline, and the argument errors: missing destination,
# invalid -c / -t / -M values, -t 0, unknown -I address or device, a name
# that does not resolve, a broadcast destination without -b.

ip netns add n200a
ip netns add n200b
ip link add v200a netns n200a address 02:00:00:00:c8:0a type veth peer name v200b netns n200b address 02:00:00:00:c8:0b
ip -n n200a link set lo up
ip -n n200b link set lo up
ip -n n200a link set v200a up
ip -n n200b link set v200b up
ip -n n200a addr add 10.200.0.1/24 dev v200a
ip -n n200b addr add 10.200.0.2/24 dev v200b
ip netns exec n200a ping -c 2 -i 0.2 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 -s 0 10.200.0.2
ip netns exec n200a ping -c 1 -s 8 10.200.0.2
ip netns exec n200a ping -c 1 -s 15 10.200.0.2
ip netns exec n200a ping -c 1 -s 16 10.200.0.2
ip netns exec n200a ping -c 1 -s 1000 10.200.0.2
ip netns exec n200a ping -q -c 3 -i 0.2 10.200.0.2
ip netns exec n200a ping -c 1 -I 10.200.0.1 10.200.0.2
ip netns exec n200a ping -c 1 -I v200a 10.200.0.2
ip netns exec n200a ping -c 1 -t 1 10.200.0.2
ip netns exec n200a ping -c 1 10.200.0.1
ip netns exec n200a ping -c 1 127.0.0.1
ip netns exec n200a ping -c 1 -I lo -W 1 10.200.0.2
echo rc=$?
ip netns exec n200a ping -w 2 -c 1 10.200.0.2
echo rc=$?
ip netns exec n200a ping
echo rc=$?
ip netns exec n200a ping -c 0 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c abc 10.200.0.2
echo rc=$?
ip netns exec n200a ping -t 256 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 -t 0 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 -M maybe 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 -I 10.200.9.9 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 -I v200zz 10.200.0.2
echo rc=$?
ip netns exec n200a ping -c 1 no-such-host-200
echo rc=$?
ip netns exec n200a ping -c 1 10.200.0.255
echo rc=$?
ip netns exec n200a ping -c 1 -W 1 -b 10.200.0.255
echo rc=$?
