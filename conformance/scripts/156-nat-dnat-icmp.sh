# 156-nat-dnat-icmp: DNAT of ICMP and conntrack states through a router.
# Topology: client c - router r - server s. r DNATs pings for its own
# address 10.156.1.1 to s; FORWARD policy DROP with conntrack rules.
# Tests: the client sees replies from the address it pinged, FORWARD counts
# per state (NEW once per flow, ESTABLISHED for the rest, DNAT state),
# the nat rule counts once per flow, s sees the client's own address,
# an unanswered flow (REJECT on s) comes back as a RELATED error.

ip netns add n156c
ip netns add n156r
ip netns add n156s
ip link add v156c netns n156c type veth peer name v156rc netns n156r
ip link add v156s netns n156s type veth peer name v156rs netns n156r
ip -n n156c link set v156c up
ip -n n156r link set v156rc up
ip -n n156r link set v156rs up
ip -n n156s link set v156s up
ip -n n156c addr add 10.156.1.2/24 dev v156c
ip -n n156r addr add 10.156.1.1/24 dev v156rc
ip -n n156r addr add 10.156.2.1/24 dev v156rs
ip -n n156s addr add 10.156.2.2/24 dev v156s
ip -n n156c route add default via 10.156.1.1
ip -n n156s route add default via 10.156.2.1
ip netns exec n156r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n156r iptables -t nat -A PREROUTING -d 10.156.1.1 -p icmp -j DNAT --to-destination 10.156.2.2
ip netns exec n156r iptables -P FORWARD DROP
ip netns exec n156r iptables -A FORWARD -m conntrack --ctstate NEW,DNAT -j ACCEPT
ip netns exec n156r iptables -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT
ip netns exec n156r iptables -A FORWARD -m conntrack --ctstate RELATED -j ACCEPT
ip netns exec n156s iptables -A INPUT -s 10.156.1.2 -p icmp
ip netns exec n156c ping -c 3 -i 0.2 -W 1 10.156.1.1
ip netns exec n156r iptables -L FORWARD -n -v -x
ip netns exec n156r iptables -t nat -L PREROUTING -n -v -x
ip netns exec n156s iptables -L INPUT -n -v -x
ip netns exec n156s iptables -I INPUT -p icmp --icmp-type echo-request -j REJECT
ip netns exec n156c ping -c 1 -W 1 10.156.1.1
echo rc=$?
ip netns exec n156r iptables -L FORWARD -n -v -x
ip netns exec n156r iptables-save -c
