# 254-vxlan-create: ip link add type vxlan and the vxlan fdb.
# Tests: the missing-dstport warning (kernel default 8472), `dstport 0`,
# remote/local/dev with the default fdb entry `00:00:00:00:00:00 dst R via D
# self permanent`, mtu = underlay - 50 (1500 without dev), nolearning/ttl/
# srcport/ageing in -d and -j -d, errors (no id, id too big, same VNI and
# port, unknown dev), fdb add/replace/append/del on a vxlan (append is
# ignored for a unicast MAC, replace refused for the all-zero MAC).

ip netns add n254
ip -n n254 link add u254 address 02:00:00:00:54:01 type veth peer name u254p
ip -n n254 addr add 192.168.254.1/24 dev u254
ip -n n254 link add vx254a type vxlan id 42
echo rc=$?
ip -n n254 -d link show vx254a
ip -n n254 link add vx254b type vxlan id 43 dstport 4789 local 192.168.254.1 remote 192.168.254.2 dev u254
ip -n n254 -d link show vx254b
ip -n n254 -j -d link show vx254b
bridge -n n254 fdb show
ip -n n254 link add vx254c address 02:00:00:00:54:0c type vxlan id 44 dstport 4789 nolearning ttl 10 dev u254 srcport 1000 2000 ageing 60
ip -n n254 -d link show vx254c
ip -n n254 -j -d link show vx254c
ip -n n254 link add vx254d type vxlan id 45 dstport 0 ttl inherit
ip -n n254 -d link show vx254d
ip -n n254 link add vx254e type vxlan dstport 4789
echo rc=$?
ip -n n254 link add vx254e type vxlan id 16777216 dstport 4789
echo rc=$?
ip -n n254 link add vx254e type vxlan id 43 dstport 4789
echo rc=$?
ip -n n254 link add vx254e type vxlan id 46 dstport 4789 dev nope
echo rc=$?
ip -n n254 link add vx254e type vxlan id 43 dstport 4790
ip -n n254 link show vx254e
bridge -n n254 fdb append 00:00:00:00:00:00 dst 192.168.254.3 dev vx254b
bridge -n n254 fdb add 02:00:00:00:54:aa dst 192.168.254.4 dev vx254b
bridge -n n254 fdb add 02:00:00:00:54:ab dst 192.168.254.5 dev vx254b via u254
bridge -n n254 fdb show dev vx254b
bridge -n n254 -j fdb show dev vx254b
bridge -n n254 fdb add 02:00:00:00:54:aa dst 192.168.254.6 dev vx254b
echo rc=$?
bridge -n n254 fdb replace 02:00:00:00:54:aa dst 192.168.254.6 dev vx254b
bridge -n n254 fdb append 02:00:00:00:54:aa dst 192.168.254.7 dev vx254b
bridge -n n254 fdb replace 00:00:00:00:00:00 dst 192.168.254.8 dev vx254b
echo rc=$?
bridge -n n254 fdb append 00:00:00:00:00:00 dst 192.168.254.3 dev vx254b
echo rc=$?
bridge -n n254 fdb show dev vx254b
bridge -n n254 fdb del 02:00:00:00:54:aa dev vx254b
bridge -n n254 fdb del 00:00:00:00:00:00 dst 192.168.254.3 dev vx254b
bridge -n n254 fdb del 00:00:00:00:00:00 dst 192.168.254.9 dev vx254b
echo rc=$?
bridge -n n254 fdb show dev vx254b
ip -n n254 link set vx254b up
ip -n n254 link show vx254b
bridge -n n254 fdb show dev vx254b
