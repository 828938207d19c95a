# 42-iptables-reject-drop: what clients see for DROP vs REJECT.
# Tests: ping through DROP -> silent loss; REJECT (default
# icmp-port-unreachable) -> "From 10.42.0.2 icmp_seq=1 Destination Port
# Unreachable"; icmp-host-prohibited -> "Destination Host Prohibited";
# icmp-net-unreachable -> "Destination Net Unreachable"; icmp-admin-prohibited
# -> "Packet filtered"; TCP: nc -z to a DROP port times out ("nc: connect to
# 10.42.0.2 port 81 (tcp) timed out: Operation now in progress"), REJECT
# --reject-with tcp-reset -> "Connection refused", REJECT default for tcp
# (ICMP port unreachable) -> "Connection refused" as well; -S shows the
# implicit --reject-with. The 5 ICMP errors stay within the rate-limit burst
# of 6 (see 33-icmp-ratelimit).

ip netns add n42a
ip netns add n42b
ip link add v42a netns n42a type veth peer name v42b netns n42b
ip -n n42a link set lo up
ip -n n42b link set lo up
ip -n n42a link set v42a up
ip -n n42b link set v42b up
ip -n n42a addr add 10.42.0.1/24 dev v42a
ip -n n42b addr add 10.42.0.2/24 dev v42b
ip netns exec n42b iptables -A INPUT -p icmp -j DROP
ip netns exec n42a ping -c 1 -W 1 10.42.0.2
echo rc=$?
ip netns exec n42b iptables -R INPUT 1 -p icmp -j REJECT
ip netns exec n42a ping -c 1 -W 1 10.42.0.2
echo rc=$?
ip netns exec n42b iptables -R INPUT 1 -p icmp -j REJECT --reject-with icmp-host-prohibited
ip netns exec n42a ping -c 1 -W 1 10.42.0.2
ip netns exec n42b iptables -R INPUT 1 -p icmp -j REJECT --reject-with icmp-net-unreachable
ip netns exec n42a ping -c 1 -W 1 10.42.0.2
ip netns exec n42b iptables -R INPUT 1 -p icmp -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n42a ping -c 1 -W 1 10.42.0.2
ip netns exec n42b iptables -A INPUT -p tcp --dport 81 -j DROP
ip netns exec n42b iptables -A INPUT -p tcp --dport 82 -j REJECT --reject-with tcp-reset
ip netns exec n42b iptables -A INPUT -p tcp --dport 83 -j REJECT
ip netns exec n42a nc -z -v -w 1 10.42.0.2 81
echo rc=$?
ip netns exec n42a nc -z -v -w 1 10.42.0.2 82
echo rc=$?
ip netns exec n42a nc -z -v -w 1 10.42.0.2 83
echo rc=$?
ip netns exec n42b iptables -S
