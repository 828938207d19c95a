# 44-nat-dnat: port forwarding with DNAT (kube-proxy-like).
# Topology: client c - router r - server s. r DNATs 10.44.1.1:8080 (its own
# address) to s 10.44.2.2:80, where `nc -l -p 80` listens (a listener
# without -k exits after one connection, so one is started per connection).
# Tests: nc -z -v to the DNAT address succeeds (nc reports the original
# address and port), a port without DNAT is refused by r itself, nat table
# counters: PREROUTING DNAT counts 1 packet per connection (only the first
# packet of a flow traverses nat), -t nat -S / -L output, iptables-save of
# the nat table, OUTPUT DNAT for locally generated traffic on r.

ip netns add n44c
ip netns add n44r
ip netns add n44s
ip link add v44c netns n44c type veth peer name v44rc netns n44r
ip link add v44s netns n44s type veth peer name v44rs netns n44r
ip -n n44c link set v44c up
ip -n n44r link set lo up
ip -n n44r link set v44rc up
ip -n n44r link set v44rs up
ip -n n44s link set v44s up
ip -n n44c addr add 10.44.1.2/24 dev v44c
ip -n n44r addr add 10.44.1.1/24 dev v44rc
ip -n n44r addr add 10.44.2.1/24 dev v44rs
ip -n n44s addr add 10.44.2.2/24 dev v44s
ip -n n44c route add default via 10.44.1.1
ip -n n44s route add default via 10.44.2.1
ip netns exec n44r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n44r iptables -t nat -A PREROUTING -d 10.44.1.1 -p tcp --dport 8080 -j DNAT --to-destination 10.44.2.2:80
ip netns exec n44r iptables -t nat -A OUTPUT -d 10.44.1.1 -p tcp --dport 8080 -j DNAT --to-destination 10.44.2.2:80
ip netns exec n44s nc -l -p 80 &
sleep 1
ip netns exec n44c nc -z -v -w 1 10.44.1.1 8080
echo rc=$?
ip netns exec n44c nc -z -v -w 1 10.44.1.1 8081
echo rc=$?
ip netns exec n44s nc -l -p 80 &
sleep 1
ip netns exec n44c nc -z -v -w 1 10.44.1.1 8080
ip netns exec n44s nc -l -p 80 &
sleep 1
ip netns exec n44r nc -z -v -w 1 10.44.1.1 8080
ip netns exec n44r iptables -t nat -L -n -v -x
ip netns exec n44r iptables -t nat -S
ip netns exec n44r iptables-save -t nat
