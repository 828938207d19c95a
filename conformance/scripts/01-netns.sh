# 01-netns: network namespace registry.
# Tests: ip netns add/list/del (text and -j), adding an existing name,
# deleting and exec-ing a missing namespace (messages and exit codes),
# a new namespace has only lo and it is DOWN, and netns ids appear in
# `ip netns list` only once a netns id has been assigned (moving a veth end).

ip netns list
ip netns add n01a
ip netns add n01b
ip netns list
ip -j netns list
ip netns add n01a
echo rc=$?
ip netns del n01zz
echo rc=$?
ip netns exec n01zz ip link show
echo rc=$?
ip -n n01zz link show
echo rc=$?
ip -n n01a link show
ip -n n01a addr show
ip link add v01a type veth peer name v01b
ip link set v01b netns n01b
ip netns list
ip -j netns list
ip netns del n01a
echo rc=$?
ip netns list
ip netns del n01b
ip netns list
echo rc=$?
# namespace teardown is asynchronous: give the kernel a moment
sleep 2
ip link show
