# 45-nat-snat: source NAT.
# Topology: client c - router r - server s; s has no route back to c's
# subnet. Tests: without NAT the ping gets no reply; SNAT --to-source makes
# it work; the server sees the SNAT address (counted by an INPUT rule on s);
# POSTROUTING counts only the first packet of each flow (ping -c 3 = one
# flow = 1 packet); replacing SNAT by MASQUERADE (picks the egress address);
# a second flow (new ping) counts again; -L -n -v -x target column text
# "to:10.44..."; iptables-save -c.

ip netns add n45c
ip netns add n45r
ip netns add n45s
ip link add v45c netns n45c type veth peer name v45rc netns n45r
ip link add v45s netns n45s type veth peer name v45rs netns n45r
ip -n n45c link set v45c up
ip -n n45r link set v45rc up
ip -n n45r link set v45rs up
ip -n n45s link set v45s up
ip -n n45c addr add 10.45.1.2/24 dev v45c
ip -n n45r addr add 10.45.1.1/24 dev v45rc
ip -n n45r addr add 10.45.2.1/24 dev v45rs
ip -n n45r addr add 10.45.2.9/24 dev v45rs
ip -n n45s addr add 10.45.2.2/24 dev v45s
ip -n n45c route add default via 10.45.1.1
ip netns exec n45r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n45s iptables -A INPUT -s 10.45.2.9 -p icmp
ip netns exec n45s iptables -A INPUT -s 10.45.2.1 -p icmp
ip netns exec n45c ping -c 1 -W 1 10.45.2.2
echo rc=$?
ip netns exec n45r iptables -t nat -A POSTROUTING -s 10.45.1.0/24 -o v45rs -j SNAT --to-source 10.45.2.9
ip netns exec n45c ping -c 3 -i 0.2 -W 1 10.45.2.2
ip netns exec n45r iptables -t nat -L POSTROUTING -n -v -x
ip netns exec n45r iptables -t nat -R POSTROUTING 1 -s 10.45.1.0/24 -o v45rs -j MASQUERADE
ip netns exec n45c ping -c 2 -i 0.2 -W 1 10.45.2.2
ip netns exec n45r iptables -t nat -L POSTROUTING -n -v -x
ip netns exec n45s iptables -L INPUT -n -v -x
ip netns exec n45r iptables-save -c -t nat
