# 34-bridge-basic: a Linux bridge and its ports.
# Tests: a new bridge is DOWN; up without ports -> UP flags with LOWER_UP and
# state UNKNOWN; with only down ports -> NO-CARRIER, state DOWN; the bridge
# takes the numerically smallest port MAC unless its address was set
# explicitly; `ip link show master br`, the `master br0` field, `bridge link
# show` (port@bridge naming, state forwarding, priority 32, cost 2) text and
# JSON; nomaster; deleting the bridge releases its ports; enslaving to a
# non-bridge device fails.

ip netns add n34
ip -n n34 link add br34 type bridge
ip -n n34 link show br34
ip -n n34 link set br34 up
sleep 1
ip -n n34 link show br34
ip -n n34 link add v34a address 02:00:00:00:34:0a type veth peer name v34b address 02:00:00:00:34:0b
ip -n n34 link add v34c address 02:00:00:00:34:0c type veth peer name v34d address 02:00:00:00:34:01
ip -n n34 link set v34c master br34
ip -n n34 link set v34a master br34
sleep 1
ip -n n34 link show br34
ip -n n34 link set v34a up
ip -n n34 link set v34b up
sleep 1
ip -n n34 link show br34
ip -n n34 link show master br34
ip -n n34 -br link show master br34
bridge -n n34 link show
bridge -n n34 -j link show
ip -n n34 -j link show v34a
ip -n n34 link set v34c nomaster
bridge -n n34 link show
ip -n n34 link set v34d master v34b
echo rc=$?
ip -n n34 link add br34b address 02:00:00:00:34:b0 type bridge
ip -n n34 link set v34c master br34b
ip -n n34 link show br34b
ip -n n34 link del br34
ip -n n34 link show v34a
bridge -n n34 link show
