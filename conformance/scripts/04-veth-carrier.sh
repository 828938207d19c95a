# 04-veth-carrier: administrative state vs carrier on veth pairs.
# Tests: one end up with the peer down -> NO-CARRIER; the operstate is then
# DOWN when the device's ifindex equals its peer's ifindex (iflink) - a pair
# created directly in two fresh namespaces: both ends get ifindex 2 - and
# LOWERLAYERDOWN (plus M-DOWN) for a pair within one namespace. (For a pair
# across namespaces with different ifindexes the kernel's answer depends on
# linkwatch timing - it looks the iflink up in the device's own namespace -
# so that case is deliberately not tested.) Both up -> LOWER_UP, state UP;
# peer down again -> NO-CARRIER; a down end shows state DOWN; -br and -j.

ip netns add n04a
ip netns add n04b
ip link add v04a netns n04a type veth peer name v04b netns n04b
ip -n n04a link set v04a up
sleep 2
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -br link show v04a
ip -n n04b link set v04b up
# operstate is updated by linkwatch, up to 1 s later for these ends
sleep 2
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -br link show
ip -n n04a -j link show v04a
ip -n n04b link set v04b down
sleep 2
ip -n n04a link show v04a
ip -n n04b link show v04b
ip -n n04a -j link show v04a
ip -n n04a link set v04a down
sleep 2
ip -n n04a link show v04a
ip link add v04c type veth peer name v04d
ip link set v04d up
sleep 2
ip link show v04d
ip -br link show v04d
ip -j link show v04d
ip link set v04c up
sleep 2
ip link show v04d
ip -n n04a link set lo up
ip -n n04a link show lo
ip -n n04a addr show lo
