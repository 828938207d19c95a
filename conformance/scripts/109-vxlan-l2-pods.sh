# 109-vxlan-l2-pods: an L2 overlay: on each node a bridge holds the pods'
# veths and a VXLAN device (id 109, `remote` the other node), so pods of both
# nodes share one subnet 10.109.0.0/24.
# Underlay: n109n1 eth0 192.168.109.1/24 <-> n109n2 eth0 192.168.109.2/24.
# Pods: n109p1 10.109.0.11 (node1), n109p2 10.109.0.12 (node2); pod MACs
# fixed. The bridges take the VXLAN's MTU 1450 (smallest port MTU); pod p1
# keeps 1500, pod p2 is set to 1450.
# Tests: bridge mtu after enslaving the vxlan, pod -> pod over the overlay
# (ttl 64: pure L2), the pod's ARP entry (remote pod's MAC), a 1450-byte
# packet fits (-s 1422 -M do), a 1451-byte one from p1 is dropped by the
# bridge without any ICMP (rc 1), p2 (mtu 1450) gets a local error,
# vxlan link details, ip -j link show of the bridge.

ip netns add n109n1
ip netns add n109n2
ip netns add n109p1
ip netns add n109p2
ip link add eth0 netns n109n1 type veth peer name eth0 netns n109n2
ip -n n109n1 addr add 192.168.109.1/24 dev eth0
ip -n n109n2 addr add 192.168.109.2/24 dev eth0
ip -n n109n1 link set eth0 up
ip -n n109n2 link set eth0 up
ip -n n109n1 link add vxlan109 type vxlan id 109 remote 192.168.109.2 dstport 4789 dev eth0
ip -n n109n2 link add vxlan109 type vxlan id 109 remote 192.168.109.1 dstport 4789 dev eth0
ip -n n109n1 -d link show vxlan109
ip -n n109n1 link add br109 type bridge
ip -n n109n2 link add br109 type bridge
ip -n n109n1 link add vh1 type veth peer name eth0 netns n109p1 address 02:00:00:00:09:11
ip -n n109n2 link add vh2 type veth peer name eth0 netns n109p2 address 02:00:00:00:09:12
ip -n n109n1 link set vh1 master br109
ip -n n109n1 link show br109
ip -n n109n1 link set vxlan109 master br109
ip -n n109n2 link set vh2 master br109
ip -n n109n2 link set vxlan109 master br109
ip -n n109n1 link show br109
ip -n n109n1 link set vxlan109 up
ip -n n109n2 link set vxlan109 up
ip -n n109n1 link set vh1 up
ip -n n109n2 link set vh2 up
ip -n n109n1 link set br109 up
ip -n n109n2 link set br109 up
ip -n n109p1 addr add 10.109.0.11/24 dev eth0
ip -n n109p2 addr add 10.109.0.12/24 dev eth0
ip -n n109p1 link set eth0 up
ip -n n109p2 link set eth0 mtu 1450 up
ip netns exec n109p1 ping -c 2 -i 0.2 -W 1 10.109.0.12
ip -n n109p1 neigh show 10.109.0.12
ip netns exec n109p1 ping -c 1 -W 1 -s 1422 -M do 10.109.0.12
ip netns exec n109p1 ping -c 1 -W 1 -s 1423 -M do 10.109.0.12
echo rc=$?
ip netns exec n109p2 ping -c 1 -W 1 -s 1423 -M do 10.109.0.11
echo rc=$?
ip netns exec n109p2 ping -c 1 -W 1 -s 1422 -M do 10.109.0.11
ip -n n109n1 -j link show br109
ip -n n109p2 -br link show eth0
ip -n n109n2 link show master br109
