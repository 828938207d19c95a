# 154-nat-counters: counters through NAT and conntrack (nf_tables rules).
# Topology: client c - router r - server s (s has no route back to c).
# Tests: MASQUERADE counts one packet per flow (ping -c 3 = 1), FORWARD
# counts every packet both ways, nat chain policy counters exist only after
# -P (and count only a flow's first packet), a filter chain created by -A
# never counts its policy while one set by -P does, mangle MARK + -m mark,
# an ICMP error from the server about a NATed flow is RELATED and translated
# back to the client (ping prints it), -Z zeroes rule and policy counters.

ip netns add n154c
ip netns add n154r
ip netns add n154s
ip link add v154c netns n154c type veth peer name v154rc netns n154r
ip link add v154s netns n154s type veth peer name v154rs netns n154r
ip -n n154c link set v154c up
ip -n n154r link set v154rc up
ip -n n154r link set v154rs up
ip -n n154s link set v154s up
ip -n n154c addr add 10.154.1.2/24 dev v154c
ip -n n154r addr add 10.154.1.1/24 dev v154rc
ip -n n154r addr add 10.154.2.1/24 dev v154rs
ip -n n154s addr add 10.154.2.2/24 dev v154s
ip -n n154c route add default via 10.154.1.1
ip netns exec n154r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n154r iptables -t nat -A POSTROUTING -o v154rs -j MASQUERADE
ip netns exec n154r iptables -t nat -P PREROUTING ACCEPT
ip netns exec n154r iptables -A FORWARD -p icmp -j ACCEPT
ip netns exec n154r iptables -P OUTPUT ACCEPT
ip netns exec n154r iptables -t mangle -A FORWARD -i v154rc -j MARK --set-mark 0x154
ip netns exec n154r iptables -t mangle -A FORWARD -m mark --mark 0x154
ip netns exec n154s iptables -A INPUT -s 10.154.2.1 -p icmp
ip netns exec n154c ping -c 3 -i 0.2 -W 1 10.154.2.2
ip netns exec n154r iptables -t nat -L -n -v -x
ip netns exec n154r iptables -L -n -v -x
ip netns exec n154r iptables -t mangle -L FORWARD -n -v -x
ip netns exec n154s iptables -L INPUT -n -v -x
ip netns exec n154c ping -c 2 -i 0.2 -W 1 10.154.2.2
ip netns exec n154r iptables-save -c
ip netns exec n154s iptables -A INPUT -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-host-prohibited
ip netns exec n154c ping -c 1 -W 1 10.154.2.2
echo rc=$?
ip netns exec n154s iptables -L INPUT -n -v -x
ip netns exec n154r iptables -L FORWARD -n -v -x
ip netns exec n154r iptables -Z
ip netns exec n154r iptables -t nat -Z
ip netns exec n154r iptables-save -c
