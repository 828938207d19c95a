# 09-addr-del-flush: removing addresses.
# Tests: addr del of a present and an absent address (RTNETLINK answers:
# Cannot assign requested address), del without prefix length (warning text),
# routes vanish with the address, addr flush dev, flush of an interface with
# nothing to flush, addr del on a missing device.

ip netns add n09
ip -n n09 link add v09a type veth peer name v09b
ip -n n09 link set v09a up
ip -n n09 link set v09b up
ip -n n09 addr add 10.9.0.1/24 dev v09a
ip -n n09 addr add 10.9.1.1/24 dev v09a
ip -n n09 addr add 10.9.2.1/24 dev v09a
ip -n n09 addr del 10.9.0.1/24 dev v09a
ip -n n09 addr del 10.9.0.1/24 dev v09a
echo rc=$?
ip -n n09 addr del 10.9.1.1 dev v09a
echo rc=$?
ip -n n09 addr show dev v09a
ip -n n09 route show
ip -n n09 route show table local
ip -n n09 addr del 10.9.2.1/24 dev v09x
echo rc=$?
ip -n n09 addr add 10.9.3.1/24 dev v09a
ip -n n09 addr add 10.9.4.1/24 dev v09a
ip -n n09 addr flush dev v09a
echo rc=$?
ip -n n09 addr show dev v09a
ip -n n09 route show
ip -n n09 route show table local
ip -n n09 addr flush dev v09b
echo rc=$?
