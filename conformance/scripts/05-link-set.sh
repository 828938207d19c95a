# 05-link-set: changing link attributes.
# Tests: mtu (valid and out of range errors), rename (only while down: "Device
# or resource busy" when up), MAC address change, `ip link set` on a missing
# device, alias? no; -d output of a veth, JSON after changes.

ip netns add n05
ip -n n05 link add v05a type veth peer name v05b
ip -n n05 link set v05a mtu 9000
ip -n n05 link set v05a mtu 70000
echo rc=$?
ip -n n05 link set v05a mtu 60
echo rc=$?
ip -n n05 link set v05a address 02:00:00:00:05:0a
ip -n n05 link set v05a address ff:ff:ff:ff:ff:ff
echo rc=$?
ip -n n05 link set v05a name v05z
ip -n n05 link show v05z
ip -n n05 link set v05z up
ip -n n05 link set v05z name v05y
echo rc=$?
ip -n n05 link set v05b up
ip -n n05 link show
ip -n n05 link set v05z down
ip -n n05 link set v05z name v05b
echo rc=$?
ip -n n05 -d link show v05z
ip -n n05 -j link show v05z
ip -n n05 link set dev v05z mtu 1400 up
ip -n n05 -br link show
