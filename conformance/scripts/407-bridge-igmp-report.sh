# 407-bridge-igmp-report: a snooping bridge's IGMPv3 reports for its
# 224.0.0.106 membership (br_multicast_open -> igmp_ifc_event): two of them,
# the first right after the bridge comes up, the repeat within a second; each
# 40 bytes (IP header with Router Alert, one group record) to 224.0.0.22
# through the host's OUTPUT and POSTROUTING whatever its ports. A port that
# comes up later hears neither; after a down/up with the VXLAN port up both
# are flooded to it and encapsulated (two UDP 4789 packets of 90 bytes in
# OUTPUT). The far end learns the bridge's MAC from them, counts them in
# PREROUTING and drops them (not a member of 224.0.0.22: nothing in INPUT).
# The far bridge has mcast_snooping 0: it joins no group and sends nothing.
ip netns add n407a
ip netns add n407b
ip netns exec n407a sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n407a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n407b sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n407b sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip link add u407a netns n407a type veth peer name u407b netns n407b
ip -n n407a addr add 10.47.0.1/24 dev u407a
ip -n n407b addr add 10.47.0.2/24 dev u407b
ip -n n407a link set u407a up
ip -n n407b link set u407b up
ip netns exec n407a iptables -A OUTPUT -p igmp
ip netns exec n407a iptables -A OUTPUT -p udp --dport 4789
ip netns exec n407a iptables -t mangle -A POSTROUTING -p igmp
ip netns exec n407b iptables -t raw -A PREROUTING -p igmp
ip netns exec n407b iptables -t raw -A PREROUTING -p udp --dport 4789
ip netns exec n407b iptables -A INPUT -p igmp
ip -n n407a link add br407 address 02:00:00:00:47:01 type bridge
ip -n n407a link add vx407 address 02:00:00:00:47:11 type vxlan id 407 dstport 4789 local 10.47.0.1 dev u407a
ip -n n407a link set vx407 master br407
bridge -n n407a fdb append 00:00:00:00:00:00 dev vx407 dst 10.47.0.2
ip -n n407b link add br407 address 02:00:00:00:47:02 type bridge mcast_snooping 0
ip -n n407b link add vx407 address 02:00:00:00:47:12 type vxlan id 407 dstport 4789 local 10.47.0.2 dev u407b
ip -n n407b link set vx407 master br407
bridge -n n407b fdb append 00:00:00:00:00:00 dev vx407 dst 10.47.0.1
ip -n n407b link set vx407 up
ip -n n407b link set br407 up
ip -n n407a link set br407 up
sleep 2
ip netns exec n407a iptables -L OUTPUT -n -v -x
ip netns exec n407a iptables -t mangle -L POSTROUTING -n -v -x
ip -n n407a link set vx407 up
sleep 2
ip netns exec n407a iptables -L OUTPUT -n -v -x
bridge -n n407b fdb show br br407
ip -n n407a link set br407 down
ip -n n407a link set br407 up
sleep 2
ip netns exec n407a iptables -L OUTPUT -n -v -x
ip netns exec n407a iptables -t mangle -L POSTROUTING -n -v -x
bridge -n n407b fdb show br br407
bridge -n n407b fdb show dev vx407
ip netns exec n407b iptables -t raw -L PREROUTING -n -v -x
ip netns exec n407b iptables -L INPUT -n -v -x
