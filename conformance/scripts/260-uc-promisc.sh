# 260-uc-promisc: a veth has no unicast filtering, so it goes promiscuous (+1
# promiscuity) while its uc list (`bridge fdb add MAC dev X self`) is non-empty;
# __dev_set_rx_mode() recomputes that only while the device is up, so the count
# sticks while it is down; the bridge device itself filters (no change).

ip netns add n260
ip -n n260 link add br260 type bridge
ip -n n260 link add v260c type veth peer name v260d
bridge -n n260 fdb add 02:00:00:00:00:c1 dev v260c self
ip -n n260 -d link show v260c
ip -n n260 link set v260c up
ip -n n260 -d link show v260c
bridge -n n260 fdb add 02:00:00:00:00:c2 dev v260c self
ip -n n260 -j -d link show v260c
ip -n n260 link set v260c down
ip -n n260 -d link show v260c
bridge -n n260 fdb del 02:00:00:00:00:c1 dev v260c self
bridge -n n260 fdb del 02:00:00:00:00:c2 dev v260c self
ip -n n260 -d link show v260c
ip -n n260 link set v260c up
ip -n n260 -d link show v260c
bridge -n n260 fdb add 02:00:00:00:00:c3 dev v260c self
ip -n n260 -d link show v260c
bridge -n n260 fdb del 02:00:00:00:00:c3 dev v260c self
ip -n n260 -j -d link show v260c
bridge -n n260 fdb add 02:00:00:00:00:b1 dev br260 self
ip -n n260 link set br260 up
ip -n n260 -d link show br260
