# 255-vxlan-bridge: an L2 overlay: on each of two hosts a bridge with a
# VXLAN port and a pod (veth) port; pods ping each other across the underlay.
# Tests: the bridge learns the remote pod's MAC on the vxlan port and the
# vxlan learns it behind the remote VTEP ("dst 192.168.255.2 self"); the
# vxlan's own MAC is a local entry of the bridge; pod MTU 1450 fits, a larger
# DF packet fails at the pod (ping -M do); nolearning keeps only the static
# entries; a static per-MAC remote (`bridge fdb add MAC dev vx dst IP`) is
# used instead of flooding; the outer flow is visible to iptables OUTPUT.

ip netns add n255h1
ip netns add n255h2
ip netns add n255p1
ip netns add n255p2
ip netns exec n255h1 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n255h1 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n255h2 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n255h2 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n255p1 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n255p2 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip link add u255a netns n255h1 address 02:00:00:00:55:a1 type veth peer name u255b netns n255h2 address 02:00:00:00:55:b1
ip -n n255h1 addr add 192.168.255.1/24 dev u255a
ip -n n255h2 addr add 192.168.255.2/24 dev u255b
ip -n n255h1 link set u255a up
ip -n n255h2 link set u255b up
ip -n n255h1 link add br255 address 02:00:00:00:55:01 type bridge
ip -n n255h2 link add br255 address 02:00:00:00:55:02 type bridge
ip -n n255h1 link add vx255 address 02:00:00:00:55:11 type vxlan id 255 dstport 4789 local 192.168.255.1 dev u255a
ip -n n255h2 link add vx255 address 02:00:00:00:55:12 type vxlan id 255 dstport 4789 local 192.168.255.2 dev u255b
ip -n n255h1 link add pa255 address 02:00:00:00:55:21 mtu 1450 type veth peer name eth0 netns n255p1 address 02:00:00:00:55:31 mtu 1450
ip -n n255h2 link add pb255 address 02:00:00:00:55:22 mtu 1450 type veth peer name eth0 netns n255p2 address 02:00:00:00:55:32 mtu 1450
ip -n n255h1 link set vx255 master br255
ip -n n255h1 link set pa255 master br255
ip -n n255h2 link set vx255 master br255
ip -n n255h2 link set pb255 master br255
bridge -n n255h1 fdb append 00:00:00:00:00:00 dev vx255 dst 192.168.255.2
bridge -n n255h2 fdb append 00:00:00:00:00:00 dev vx255 dst 192.168.255.1
ip -n n255h1 link set br255 up
ip -n n255h1 link set vx255 up
ip -n n255h1 link set pa255 up
ip -n n255h2 link set br255 up
ip -n n255h2 link set vx255 up
ip -n n255h2 link set pb255 up
ip -n n255p1 link set eth0 up
ip -n n255p2 link set eth0 up
ip -n n255p1 addr add 10.255.0.1/24 dev eth0
ip -n n255p2 addr add 10.255.0.2/24 dev eth0
bridge -n n255h1 link show
ip -n n255h1 link show br255
ip netns exec n255h1 iptables -A OUTPUT -p udp --dport 4789
sleep 2
# The sleep above: each bridge repeats its IGMP report at a random delay of up to a
# second after it comes up; both bridges' reports cross before the pods' first packet, so the FDBs learn in a fixed order.
ip netns exec n255p1 ping -c 2 -i 0.2 -W 1 10.255.0.2
bridge -n n255h1 fdb show br br255
bridge -n n255h1 fdb show dev vx255
bridge -n n255h2 fdb show dev vx255
bridge -n n255h2 -j fdb show brport vx255
ip netns exec n255h1 iptables -L OUTPUT -n -v -x
ip -n n255p1 neigh show
ip netns exec n255p1 ping -c 1 -W 1 -s 1422 -M do 10.255.0.2
ip netns exec n255p1 ping -c 1 -W 1 -s 1423 -M do 10.255.0.2
echo rc=$?
ip -n n255h1 link add vx255n type vxlan id 256 dstport 4789 nolearning dev u255a
ip -n n255h2 link add vx255n address 02:00:00:00:55:42 type vxlan id 256 dstport 4789 nolearning dev u255b
bridge -n n255h1 fdb add 02:00:00:00:55:42 dev vx255n dst 192.168.255.2
bridge -n n255h2 fdb append 00:00:00:00:00:00 dev vx255n dst 192.168.255.1
ip -n n255h1 addr add 10.254.0.1/24 dev vx255n
ip -n n255h2 addr add 10.254.0.2/24 dev vx255n
ip -n n255h1 link set vx255n up
ip -n n255h2 link set vx255n up
ip -n n255h1 neigh add 10.254.0.2 lladdr 02:00:00:00:55:42 dev vx255n
ip netns exec n255h1 ping -c 1 -W 1 10.254.0.2
bridge -n n255h1 fdb show dev vx255n
bridge -n n255h2 fdb show dev vx255n
