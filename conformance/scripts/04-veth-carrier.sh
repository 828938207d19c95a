# 04-veth-carrier: administrative state vs carrier on veth pairs.
# Tests: one end up with the peer down -> NO-CARRIER, state LOWERLAYERDOWN;
# both up -> LOWER_UP, state UP; peer down again -> NO-CARRIER; -br and -j
# operstate; down end shows state DOWN without NO-CARRIER.

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
ip -n n04a link set lo up
ip -n n04a link show lo
ip -n n04a addr show lo
