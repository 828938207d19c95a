# 04-veth-carrier: administrative state vs carrier on veth pairs.
# Tests: one end up with the peer down -> NO-CARRIER; the operstate is then
# LOWERLAYERDOWN when the device's ifindex differs from its peer's ifindex
# (iflink) and DOWN when they happen to be equal (pair created directly in two
# fresh namespaces: both ends get ifindex 2); both up -> LOWER_UP, state UP;
# peer down again -> NO-CARRIER; a down end shows state DOWN; -br and -j.

ip netns add n04a
ip netns add n04b
ip link add v04a netns n04a type veth peer name v04b netns n04b
ip -n n04a link set v04a up
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -br link show v04a
ip -n n04b link set v04b up
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -br link show
ip -n n04a -j link show v04a
ip -n n04b link set v04b down
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -j link show v04a
ip -n n04a link set v04a down
ip -n n04a link show v04a
ip link add v04c type veth peer name v04d
ip link set v04d netns n04b
ip link set v04c up
ip link show v04c
ip -br link show v04c
ip -j link show v04c
ip -n n04b link set v04d up
ip link show v04c
ip -n n04a link set lo up
ip -n n04a link show lo
ip -n n04a addr show lo
