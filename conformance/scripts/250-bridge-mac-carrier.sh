# 250-bridge-mac-carrier: a bridge's MAC, bridge id and carrier follow its ports.
# Tests: a new bridge up without ports has carrier (LOWER_UP, state UNKNOWN)
# and bridge_id 8000.0:0:0:0:0:0; enslaving takes the lowest port MAC; a
# port's MAC change moves the bridge MAC to the new minimum; the last port
# leaving leaves 00:00:00:00:00:00 and NO-CARRIER; an explicitly set MAC sticks
# (and a bridge created with `address` has no carrier without ports); port
# state disabled/forwarding; master errors (not a bridge, bridge into bridge,
# lo); -d of a port (promiscuity 1, bridge_slave block) and of the bridge.

ip netns add n250
ip netns exec n250 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n250 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n n250 link add br250 type bridge
ip -n n250 -d link show br250
ip -n n250 link set br250 up
ip -n n250 link show br250
ip -n n250 link add v250a address 02:00:00:00:50:0b type veth peer name v250b address 02:00:00:00:50:1b
ip -n n250 link add v250c address 02:00:00:00:50:0a type veth peer name v250d address 02:00:00:00:50:1a
ip -n n250 link set v250a master br250
ip -n n250 link show br250
ip -n n250 link set v250c master br250
ip -n n250 link show br250
ip -n n250 link set v250c address 02:00:00:00:50:0c
ip -n n250 link show br250
bridge -n n250 fdb show br br250
ip -n n250 link set v250a up
ip -n n250 link set v250b up
ip -n n250 link show br250
bridge -n n250 link show
ip -n n250 link set v250b down
ip -n n250 link show br250
ip -n n250 -d link show v250a
ip -n n250 -j -d link show v250a
bridge -n n250 link show dev v250a
ip -n n250 link set v250a nomaster
ip -n n250 link set v250c nomaster
ip -n n250 link show br250
bridge -n n250 fdb show br br250
ip -n n250 link set v250c master v250a
echo rc=$?
ip -n n250 link add br250x type bridge
ip -n n250 link set br250x master br250
echo rc=$?
ip -n n250 link set lo master br250
echo rc=$?
ip -n n250 link set v250d master nope
echo rc=$?
ip -n n250 link add br250y address 02:00:00:00:50:ff type bridge
ip -n n250 link set br250y up
ip -n n250 link show br250y
ip -n n250 link set v250a master br250y
ip -n n250 link show br250y
bridge -n n250 fdb show br br250y
ip -n n250 link set br250 address 02:00:00:00:50:ee
ip -n n250 link set v250c master br250
ip -n n250 link show br250
bridge -n n250 fdb show br br250
ip -n n250 link set v250c master br250y
bridge -n n250 link show
ip -n n250 link del br250y
bridge -n n250 link show
ip -n n250 link show v250a
