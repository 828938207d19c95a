# 47-vxlan: unicast VXLAN between two hosts over a veth underlay.
# h1 (underlay 192.168.47.1) and h2 (192.168.47.2); vxlan47 id 47 dstport
# 4789 on each, overlay 10.47.0.1/24 and 10.47.0.2/24, flooding via an
# all-zero fdb entry appended with the remote VTEP (`bridge fdb append
# 00:00:00:00:00:00 dev vxlan47 dst ...`).
# Tests: -d link show of the vxlan (id, remote/local absent, dev, srcport 0 0,
# dstport, ttl auto, ageing 300, udpcsum...), mtu 1450 default (1500 - 50),
# the fdb entries (self permanent, dst; shown while the links are still down:
# once up, IPv6 neighbour discovery may teach the remote MAC at any time),
# overlay ping works (ttl=64), the
# learned remote MAC appears in the vxlan fdb with `dst 192.168.47.2 self`,
# the JSON fdb form, and the overlay ARP entry.

ip netns add n47h1
ip netns add n47h2
ip link add v47a netns n47h1 type veth peer name v47b netns n47h2
ip -n n47h1 link set v47a up
ip -n n47h2 link set v47b up
ip -n n47h1 addr add 192.168.47.1/24 dev v47a
ip -n n47h2 addr add 192.168.47.2/24 dev v47b
ip -n n47h1 link add vxlan47 address 02:00:00:00:47:01 type vxlan id 47 dstport 4789 dev v47a local 192.168.47.1
ip -n n47h2 link add vxlan47 address 02:00:00:00:47:02 type vxlan id 47 dstport 4789 dev v47b local 192.168.47.2
ip -n n47h1 -d link show vxlan47
ip -n n47h1 -j -d link show vxlan47
bridge -n n47h1 fdb append 00:00:00:00:00:00 dev vxlan47 dst 192.168.47.2
bridge -n n47h2 fdb append 00:00:00:00:00:00 dev vxlan47 dst 192.168.47.1
bridge -n n47h1 fdb show dev vxlan47
ip -n n47h1 link set vxlan47 up
ip -n n47h2 link set vxlan47 up
ip -n n47h1 addr add 10.47.0.1/24 dev vxlan47
ip -n n47h2 addr add 10.47.0.2/24 dev vxlan47
ip netns exec n47h1 ping -c 2 -i 0.2 -W 1 10.47.0.2
bridge -n n47h1 fdb show dev vxlan47
bridge -n n47h1 -j fdb show dev vxlan47
ip -n n47h1 neigh show dev vxlan47
ip -n n47h1 link show vxlan47
ip -n n47h1 route get 10.47.0.2
bridge -n n47h1 fdb append 00:00:00:00:00:00 dev vxlan47 dst 192.168.47.2
echo rc=$?
bridge -n n47h1 fdb del 00:00:00:00:00:00 dev vxlan47 dst 192.168.47.2
bridge -n n47h1 fdb show dev vxlan47
