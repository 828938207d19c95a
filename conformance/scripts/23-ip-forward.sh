# 23-ip-forward: a namespace as router between two others.
# Tests: with net.ipv4.ip_forward=0 on the router the client's ping to the
# server gets no answer at all (silently dropped, no ICMP), while the
# router's own far-side address still answers (local delivery does not need
# forwarding); with ip_forward=1 it works and the reply TTL is 63;
# conf.all.forwarding mirrors ip_forward; per-interface forwarding=0 on the
# ingress interface blocks forwarding again.

ip netns add n23c
ip netns add n23r
ip netns add n23s
ip link add v23c netns n23c type veth peer name v23rc netns n23r
ip link add v23s netns n23s type veth peer name v23rs netns n23r
ip -n n23c link set lo up
ip -n n23r link set lo up
ip -n n23s link set lo up
ip -n n23c link set v23c up
ip -n n23r link set v23rc up
ip -n n23r link set v23rs up
ip -n n23s link set v23s up
ip -n n23c addr add 10.23.1.2/24 dev v23c
ip -n n23r addr add 10.23.1.1/24 dev v23rc
ip -n n23r addr add 10.23.2.1/24 dev v23rs
ip -n n23s addr add 10.23.2.2/24 dev v23s
ip -n n23c route add default via 10.23.1.1
ip -n n23s route add default via 10.23.2.1
ip netns exec n23r sysctl -w net.ipv4.ip_forward=0
ip netns exec n23c ping -c 1 -W 1 10.23.2.2
echo rc=$?
ip netns exec n23c ping -c 1 -W 1 10.23.2.1
echo rc=$?
ip netns exec n23r sysctl -w net.ipv4.ip_forward=1
ip netns exec n23r sysctl net.ipv4.conf.all.forwarding net.ipv4.conf.v23rc.forwarding
ip netns exec n23c ping -c 1 -W 1 10.23.2.2
echo rc=$?
ip netns exec n23r sysctl -w net.ipv4.conf.v23rc.forwarding=0
ip netns exec n23c ping -c 1 -W 1 10.23.2.2
echo rc=$?
ip netns exec n23r sysctl -w net.ipv4.conf.all.forwarding=0
ip netns exec n23r sysctl net.ipv4.ip_forward net.ipv4.conf.v23rs.forwarding
