# 46-conntrack-state: a stateful firewall on a router.
# Topology: c (10.46.1.2) - r - s (10.46.2.2). r's FORWARD policy is DROP,
# with ESTABLISHED,RELATED accepted and NEW accepted only from c's side.
# Tests: c -> s ping and TCP work, s -> c ping is dropped, the counters show
# the first packet as NEW and the rest (incl. replies) as ESTABLISHED, an
# ICMP error for a c-initiated flow is RELATED (REJECT on s for TCP port 81:
# c sees "Connection refused"), INVALID? (not exercised).

ip netns add n46c
ip netns add n46r
ip netns add n46s
ip link add v46c netns n46c type veth peer name v46rc netns n46r
ip link add v46s netns n46s type veth peer name v46rs netns n46r
ip -n n46c link set v46c up
ip -n n46r link set v46rc up
ip -n n46r link set v46rs up
ip -n n46s link set v46s up
ip -n n46c addr add 10.46.1.2/24 dev v46c
ip -n n46r addr add 10.46.1.1/24 dev v46rc
ip -n n46r addr add 10.46.2.1/24 dev v46rs
ip -n n46s addr add 10.46.2.2/24 dev v46s
ip -n n46c route add default via 10.46.1.1
ip -n n46s route add default via 10.46.2.1
ip netns exec n46r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n46r iptables -P FORWARD DROP
ip netns exec n46r iptables -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT
ip netns exec n46r iptables -A FORWARD -m conntrack --ctstate RELATED -j ACCEPT
ip netns exec n46r iptables -A FORWARD -i v46rc -m conntrack --ctstate NEW -j ACCEPT
ip netns exec n46s iptables -A INPUT -p tcp --dport 81 -j REJECT
ip netns exec n46s nc -l -p 80 &
sleep 1
ip netns exec n46c ping -c 3 -i 0.2 -W 1 10.46.2.2
ip netns exec n46s ping -c 1 -W 1 10.46.1.2
echo rc=$?
ip netns exec n46c nc -z -v -w 1 10.46.2.2 80
ip netns exec n46c nc -z -v -w 1 10.46.2.2 81
ip netns exec n46r iptables -L FORWARD -n -v -x
