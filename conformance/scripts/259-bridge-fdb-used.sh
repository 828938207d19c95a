# 259-bridge-fdb-used: `bridge -s fdb show` prints "used X/Y": X seconds since
# a frame was last forwarded to the entry (fdb->used, set by
# br_handle_frame_finish() for a known unicast destination), Y since it was
# last learned/refreshed as a source (fdb->updated, br_fdb_update()); -j -s
# prints "used":X,"updated":Y. Tests: a ping both ways creates both entries
# (0/0); 2 s later a one-way ping from n259a to an address nobody answers
# (n259b's MAC, not its IP: dropped silently, ping waits its 1 s -W) refreshes
# `updated` of n259a's entry and `used` of n259b's; a ping from the bridge
# itself (br_dev_xmit) to n259b's MAC leaves `used` alone; VXLAN entries
# print used/updated too: vxlan_xmit() -> vxlan_find_mac() sets `used` of the
# entry it found (the MAC's own, else the all-zero default), `fdb replace`
# refreshes only `updated`. Static neighbours and no IPv6: no ARP/ND
# chatter refreshes the entries behind the script's back.

ip netns add n259
ip netns add n259a
ip netns add n259b
ip netns exec n259 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n259 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n259a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n259b sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n n259 link add br259 address 02:00:00:00:59:b0 type bridge
ip -n n259 link add p259a address 02:00:00:00:59:1a type veth peer name eth0 netns n259a address 02:00:00:00:59:0a
ip -n n259 link add p259b address 02:00:00:00:59:1b type veth peer name eth0 netns n259b address 02:00:00:00:59:0b
ip -n n259 link set p259a master br259
ip -n n259 link set p259b master br259
ip -n n259 link set br259 up
ip -n n259 link set p259a up
ip -n n259 link set p259b up
ip -n n259a link set eth0 up
ip -n n259b link set eth0 up
ip -n n259 addr add 10.59.0.254/24 dev br259
ip -n n259a addr add 10.59.0.1/24 dev eth0
ip -n n259b addr add 10.59.0.2/24 dev eth0
ip -n n259a neigh replace 10.59.0.2 lladdr 02:00:00:00:59:0b nud permanent dev eth0
ip -n n259a neigh replace 10.59.0.9 lladdr 02:00:00:00:59:0b nud permanent dev eth0
ip -n n259b neigh replace 10.59.0.1 lladdr 02:00:00:00:59:0a nud permanent dev eth0
ip -n n259 neigh replace 10.59.0.9 lladdr 02:00:00:00:59:0b nud permanent dev br259
ip netns exec n259a ping -c 1 -W 1 10.59.0.2
bridge -n n259 -s fdb show br br259 dynamic
sleep 2
ip netns exec n259a ping -c 1 -W 1 10.59.0.9
bridge -n n259 -s fdb show br br259 dynamic
bridge -n n259 -j -s fdb show br br259 dynamic
ip netns exec n259 ping -c 1 -W 1 10.59.0.9
bridge -n n259 -s fdb show br br259 dynamic
bridge -n n259 -s fdb show dev p259b
ip netns exec n259b ping -c 1 -W 1 10.59.0.1
bridge -n n259 -s -j fdb show br br259 dynamic
ip -n n259 link add vx259 type vxlan id 259 dstport 4789 local 10.59.0.254 nolearning
bridge -n n259 fdb append 00:00:00:00:00:00 dev vx259 dst 10.59.1.2
bridge -n n259 fdb add 02:00:00:00:59:05 dev vx259 dst 10.59.1.5
sleep 1
bridge -n n259 -s fdb show dev vx259
bridge -n n259 -s -j fdb show dev vx259
ip -n n259 addr add 10.59.9.1/24 dev vx259
ip -n n259 link set vx259 up
ip -n n259 neigh replace 10.59.0.2 lladdr 02:00:00:00:59:0b nud permanent dev br259
ip -n n259 route add 10.59.1.0/24 via 10.59.0.2
ip -n n259 neigh replace 10.59.9.5 lladdr 02:00:00:00:59:05 nud permanent dev vx259
ip -n n259 neigh replace 10.59.9.6 lladdr 02:00:00:00:59:06 nud permanent dev vx259
sleep 1
ip netns exec n259 ping -c 1 -W 1 10.59.9.5
bridge -n n259 -s fdb show dev vx259
ip netns exec n259 ping -c 1 -W 1 10.59.9.6
bridge -n n259 -s fdb show dev vx259
bridge -n n259 fdb replace 02:00:00:00:59:05 dev vx259 dst 10.59.1.7
bridge -n n259 -s -j fdb show dev vx259
