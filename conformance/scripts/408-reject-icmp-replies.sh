# 408-reject-icmp-replies: an OUTPUT REJECT that hits a packet the kernel
# itself sends from its ICMP socket (an echo reply, an ICMP error) sends no
# ICMP error about it: icmp_reply()/__icmp_send() hold icmp_xmit_lock
# while the packet passes the OUTPUT hook, so REJECT's nested icmp_send()
# finds the lock taken and sends nothing. The packet is still dropped and
# the rule counts it; the pinger just sees loss, whatever --reject-with.
# In FORWARD the same echo reply is an ordinary forwarded packet: the
# router REJECTs it with an ICMP error to the reply's source (counted on
# that node's INPUT), and the pinger again sees loss. A port unreachable
# (nc -u, traceroute's last hop) or a router's time exceeded hitting
# OUTPUT REJECT: nothing sent, the probe shows "*". A TCP RST from a
# closed port is sent by tcp_v4_send_reset on the per-cpu TCP control
# socket, not the ICMP socket: an OUTPUT REJECT of it does send the ICMP
# error (to the node itself: the RST's source) and tcp-reset never answers
# an RST (nf_send_reset). traceroute stays at -m 3 so the node's errors
# stay within the ICMP rate limit's burst (icmpv4_xrlim_allow, 6 tokens).
# nc -w 2 against the REJECTed RST: the SYN retransmission (1 s) always
# happens before the timeout, so the counters don't race it.
# The script ends with an echo-reply REJECT on n408b, so the import probes
# (pings of n408b from the other nodes) cover it on imported state too.
ip netns add n408a
ip netns add n408r
ip netns add n408b
ip link add v408a netns n408a type veth peer name v408ra netns n408r
ip link add v408b netns n408b type veth peer name v408rb netns n408r
ip -n n408a link set lo up
ip -n n408r link set lo up
ip -n n408b link set lo up
ip -n n408a link set v408a up
ip -n n408r link set v408ra up
ip -n n408r link set v408rb up
ip -n n408b link set v408b up
ip -n n408a addr add 10.48.1.1/24 dev v408a
ip -n n408r addr add 10.48.1.254/24 dev v408ra
ip -n n408r addr add 10.48.2.254/24 dev v408rb
ip -n n408b addr add 10.48.2.1/24 dev v408b
ip -n n408a route add default via 10.48.1.254
ip -n n408b route add default via 10.48.2.254
ip netns exec n408r sysctl -q -w net.ipv4.ip_forward=1
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -A OUTPUT -p icmp --icmp-type echo-reply -j REJECT
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408a ping -c 1 -W 1 10.48.2.254
echo rc=$?
ip netns exec n408b iptables -L -v -x -n
ip netns exec n408r iptables -L -v -x -n
ip netns exec n408b iptables -R OUTPUT 1 -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-host-prohibited
ip netns exec n408a ping -c 2 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -R OUTPUT 1 -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -R OUTPUT 1 -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-net-unreachable
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -R OUTPUT 1 -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-proto-unreachable
ip netns exec n408a ping -q -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables-save -c
ip netns exec n408b iptables -F
ip netns exec n408b iptables -Z
ip netns exec n408a iptables -A INPUT -p icmp --icmp-type destination-unreachable
ip netns exec n408b iptables -A INPUT -p icmp --icmp-type destination-unreachable
ip netns exec n408r iptables -A FORWARD -p icmp --icmp-type echo-reply -j REJECT
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b ping -c 1 -W 1 10.48.1.1
echo rc=$?
ip netns exec n408r iptables -R FORWARD 1 -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-host-prohibited
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408r iptables-save -c
ip netns exec n408a iptables -L INPUT -v -x -n
ip netns exec n408b iptables -L INPUT -v -x -n
ip netns exec n408r iptables -F
ip netns exec n408r iptables -Z
ip netns exec n408b iptables -F
ip netns exec n408b iptables -Z
ip netns exec n408b iptables -A INPUT -p icmp
ip netns exec n408b iptables -A OUTPUT -p icmp --icmp-type destination-unreachable -j REJECT
ip netns exec n408a nc -u -z -v -w 1 10.48.2.1 53
echo rc=$?
ip netns exec n408a traceroute -n -w 1 -q 1 -m 3 10.48.2.1
echo rc=$?
ip netns exec n408a ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -L -v -x -n
ip netns exec n408r iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j REJECT
ip netns exec n408a traceroute -n -w 1 -q 1 -m 2 10.48.2.1
echo rc=$?
ip netns exec n408r iptables -R OUTPUT 1 -p icmp --icmp-type time-exceeded -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n408a traceroute -n -w 1 -q 1 -m 1 10.48.2.1
echo rc=$?
ip netns exec n408r iptables-save -c
ip netns exec n408r iptables -F
ip netns exec n408b iptables -F
ip netns exec n408b iptables -Z
ip netns exec n408b iptables -A OUTPUT -p tcp --tcp-flags RST RST -j REJECT
ip netns exec n408a nc -z -v -w 2 10.48.2.1 81
echo rc=$?
ip netns exec n408b iptables -R OUTPUT 1 -p tcp --tcp-flags RST RST -j REJECT --reject-with tcp-reset
ip netns exec n408a nc -z -v -w 2 10.48.2.1 81
echo rc=$?
ip netns exec n408b iptables -L -v -x -n
ip netns exec n408b iptables -F
ip netns exec n408a nc -z -v -w 1 10.48.2.1 81
echo rc=$?
ip netns exec n408b iptables -A OUTPUT -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-host-unreachable
ip netns exec n408b ping -c 1 -W 1 10.48.2.1
echo rc=$?
ip netns exec n408b ping -c 1 -W 1 127.0.0.1
echo rc=$?
ip netns exec n408a ping -c 1 -W 1 -s 1000 10.48.2.1
echo rc=$?
ip netns exec n408b iptables -L OUTPUT -v -x -n
ip netns exec n408b iptables -F
ip netns exec n408b iptables -A INPUT -p udp -j REJECT
ip netns exec n408b iptables -A OUTPUT -p icmp --icmp-type port-unreachable -j REJECT --reject-with icmp-host-prohibited
ip netns exec n408a nc -u -z -v -w 1 10.48.2.1 53
echo rc=$?
ip netns exec n408b iptables -L -v -x -n
ip netns exec n408a iptables -L INPUT -v -x -n
ip netns exec n408b iptables -A OUTPUT -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n408b iptables-save -c
