# 251-bridge-mc-entries: the "self permanent" multicast entries bridge fdb
# prints for each device (its multicast address list) with IPv6 enabled.
# Tests: a new veth has 33:33:00:00:00:01; up without carrier adds
# 01:00:5e:00:00:01; carrier adds the solicited-node group of the link-local
# (33:33:ff + the last three MAC bytes); carrier loss keeps them; down drops
# them all; up again re-adds in the other order; a bridge up adds
# 01:00:5e:00:00:6a and 33:33:00:00:00:6a; a MAC change keeps the old
# solicited-node group; `bridge fdb add MAC dev veth` adds a unicast "self"
# entry listed before the multicast ones.

ip netns add n251
ip -n n251 link add v251a address 02:00:00:00:51:0a type veth peer name v251b address 02:00:00:00:51:0b
bridge -n n251 fdb show
ip -n n251 link set v251a up
bridge -n n251 fdb show dev v251a
ip -n n251 link set v251b up
bridge -n n251 fdb show
ip -n n251 link set v251b down
bridge -n n251 fdb show dev v251a
ip -n n251 link set v251a down
bridge -n n251 fdb show dev v251a
bridge -n n251 -j fdb show dev v251a
ip -n n251 link set v251a up
bridge -n n251 fdb show dev v251a
ip -n n251 link set v251b up
bridge -n n251 fdb show dev v251a
ip -n n251 link set v251a address 02:00:00:00:51:aa
bridge -n n251 fdb show dev v251a
bridge -n n251 fdb add 02:00:00:00:51:77 dev v251a
bridge -n n251 fdb show dev v251a
bridge -n n251 fdb add 02:00:00:00:51:77 dev v251a
echo rc=$?
bridge -n n251 fdb add 02:00:00:00:51:78 dev v251a self static
echo rc=$?
bridge -n n251 fdb del 02:00:00:00:51:77 dev v251a
bridge -n n251 fdb del 02:00:00:00:51:77 dev v251a
echo rc=$?
ip -n n251 link add br251 address 02:00:00:00:51:b0 type bridge
bridge -n n251 fdb show dev br251
ip -n n251 link set br251 up
bridge -n n251 fdb show dev br251
ip -n n251 link set br251 down
bridge -n n251 fdb show dev br251
ip -n n251 link add br251f type bridge
ip -n n251 link set br251f address 02:00:00:00:51:f0
ip -n n251 link set br251f up
bridge -n n251 fdb show br br251f
