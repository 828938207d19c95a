# 03-veth-netns: veth ends in different namespaces.
# Tests: creating a pair directly across namespaces (`netns` on both ends),
# moving an end with `ip link set ... netns`, the @ifN peer suffix,
# link-netns NAME (from the root) vs link-netnsid N (from a named netns),
# JSON (link_index, link_netnsid), moving a device to a missing namespace,
# and deleting a namespace destroys the veth end inside it and its peer.

ip netns add n03a
ip netns add n03b
ip link add v03a type veth peer name v03b
ip link set v03b netns n03a
ip link show v03a
ip -n n03a link show v03b
ip -j link show v03a
ip -n n03a -j link show v03b
ip link set v03a netns n03zz
echo rc=$?
ip link add v03c netns n03a type veth peer name v03d netns n03b
ip -n n03a link show v03c
ip -n n03b link show v03d
ip -n n03b -br link show
ip -n n03a link set v03c netns n03b
ip -n n03b link show
ip netns del n03a
sleep 2
ip link show
ip -n n03b link show
