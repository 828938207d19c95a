# 114-reject-router: REJECT variants in a router's FORWARD chain, as seen by
# ping and nc on the client.
# c (10.114.1.2) - r (10.114.1.1 | 10.114.2.1) - s (10.114.2.2, nc on
# :80..:86 would answer, but r filters). r's FORWARD rules reject ICMP with
# the default (port unreachable), then with other codes; TCP ports 81-86
# with tcp-reset, icmp-host-unreachable, icmp-net-unreachable,
# icmp-host-prohibited, icmp-admin-prohibited, icmp-proto-unreachable;
# UDP 53 with port unreachable.
# Tests: ping: "From 10.114.1.1 icmp_seq=1 Destination Port Unreachable"
# etc. (the router's address), nc's errno for each ICMP code during connect
# (refused, No route to host, Network is unreachable, Protocol not
# available), UDP -z probe (no output, rc 1), counters; the errors are
# spaced with sleep 2 to stay within the ICMP rate limit.

ip netns add n114c
ip netns add n114r
ip netns add n114s
ip link add v114c netns n114c type veth peer name v114rc netns n114r
ip link add v114s netns n114s type veth peer name v114rs netns n114r
ip -n n114c addr add 10.114.1.2/24 dev v114c
ip -n n114r addr add 10.114.1.1/24 dev v114rc
ip -n n114r addr add 10.114.2.1/24 dev v114rs
ip -n n114s addr add 10.114.2.2/24 dev v114s
ip -n n114c link set v114c up
ip -n n114r link set v114rc up
ip -n n114r link set v114rs up
ip -n n114s link set v114s up
ip -n n114s link set lo up
ip -n n114c route add default via 10.114.1.1
ip -n n114s route add default via 10.114.2.1
ip netns exec n114r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n114s nc -l -p 80 -k &
ip netns exec n114r iptables -A FORWARD -p icmp -j REJECT
ip netns exec n114r iptables -A FORWARD -p tcp --dport 81 -j REJECT --reject-with tcp-reset
ip netns exec n114r iptables -A FORWARD -p tcp --dport 82 -j REJECT --reject-with icmp-host-unreachable
ip netns exec n114r iptables -A FORWARD -p tcp --dport 83 -j REJECT --reject-with icmp-net-unreachable
ip netns exec n114r iptables -A FORWARD -p tcp --dport 84 -j REJECT --reject-with icmp-host-prohibited
ip netns exec n114r iptables -A FORWARD -p tcp --dport 85 -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n114r iptables -A FORWARD -p tcp --dport 86 -j REJECT --reject-with icmp-proto-unreachable
ip netns exec n114r iptables -A FORWARD -p udp --dport 53 -j REJECT
sleep 1
ip netns exec n114c ping -c 1 -W 1 10.114.2.2
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 80
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 81
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 82
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 83
echo rc=$?
sleep 2
ip netns exec n114c nc -z -v -w 1 10.114.2.2 84
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 85
echo rc=$?
ip netns exec n114c nc -z -v -w 1 10.114.2.2 86
echo rc=$?
sleep 2
ip netns exec n114c nc -z -v -u -w 1 10.114.2.2 53
echo rc=$?
ip netns exec n114r iptables -R FORWARD 1 -p icmp -j REJECT --reject-with icmp-host-prohibited
ip netns exec n114c ping -c 1 -W 1 10.114.2.2
ip netns exec n114r iptables -R FORWARD 1 -p icmp -j REJECT --reject-with icmp-net-prohibited
ip netns exec n114c ping -c 1 -W 1 10.114.2.2
sleep 2
ip netns exec n114r iptables -R FORWARD 1 -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-host-unreachable
ip netns exec n114c ping -c 1 -W 1 10.114.2.2
ip netns exec n114s ping -c 1 -W 1 10.114.1.2
ip netns exec n114r iptables -L FORWARD -n -v -x
ip netns exec n114r iptables -S FORWARD
