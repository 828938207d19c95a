# 100-link-attrs: less common `ip link` attributes and errors.
# Tests: alias (shown by ip link, not by ip addr), txqueuelen, promisc flag,
# `ip link add type veth` with kernel-chosen names (veth0/veth1), names that
# are invalid or too long, deleting lo, moving lo, moving onto a taken name,
# unknown device type, `ip link show up` and `type veth` filters, -d and -j -d,
# and a device that moves between namespaces loses its addresses and qdisc.

ip netns add n100
ip netns add n100b
ip -n n100 link set lo up
ip -n n100 link add v100a type veth peer name v100b
ip -n n100 link set v100a alias "uplink to r1"
ip -n n100 link set v100a txqueuelen 500
ip -n n100 link set v100a promisc on
ip -n n100 link show v100a
ip -n n100 -j link show v100a
ip -n n100 addr show v100a
ip -n n100 link set v100a promisc off
ip -n n100 link add type veth
ip -n n100 link show
ip -n n100 link add "a b" type veth peer name v100c
echo rc=$?
ip -n n100 link add v100aaaaaaaaaaaaaaaa type veth peer name v100c
echo rc=$?
ip -n n100 link del lo
echo rc=$?
ip -n n100 link set lo netns n100b
echo rc=$?
ip -n n100b link add v100b type veth peer name v100x
ip -n n100 link set v100b netns n100b
echo rc=$?
ip -n n100 link add v100d type foo
echo rc=$?
ip -n n100 link set v100a up
ip -n n100 link show up
ip -n n100 -br link show type veth
ip -n n100 -d link show lo
ip -n n100 -d link show v100a
ip -n n100 -d -j link show v100a
ip -n n100 addr add 10.100.0.1/24 dev v100a
ip -n n100 link set v100a netns n100b
ip -n n100b link show v100a
ip -n n100b addr show v100a
ip -n n100 link show v100b
ip -n n100 link set v100b mtu abc
echo rc=$?
ip -n n100 link set v100b address zz
echo rc=$?
ip -n n100 link foo
echo rc=$?
