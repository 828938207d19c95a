# 30-pmtu: MTU, DF and path MTU discovery seen by ping.
# Topology: c - r - s, r's link towards s has mtu 1400 on both ends.
# Tests: ping -s 1472 -M do (1500-byte packet) from c -> r answers "From
# 10.30.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)"; the next ping
# fails locally with "ping: local error: message too long, mtu=1400" (PMTU
# cached on c); -s 1372 -M do fits; c's own interface mtu: ping -s 1473 -M do
# on a 1500 link -> local error mtu=1500; -M dont with a big packet is
# fragmented and answered (reply size shown as 1480 bytes: ping prints the ICMP
# payload length).

ip netns add n30c
ip netns add n30r
ip netns add n30s
ip link add v30c netns n30c type veth peer name v30a netns n30r
ip link add v30b netns n30r type veth peer name v30s netns n30s
ip -n n30c link set lo up
ip -n n30c link set v30c up
ip -n n30r link set v30a up
ip -n n30r link set v30b mtu 1400 up
ip -n n30s link set v30s mtu 1400 up
ip -n n30c addr add 10.30.1.2/24 dev v30c
ip -n n30r addr add 10.30.1.1/24 dev v30a
ip -n n30r addr add 10.30.2.1/24 dev v30b
ip -n n30s addr add 10.30.2.2/24 dev v30s
ip -n n30c route add default via 10.30.1.1
ip -n n30s route add default via 10.30.2.1
ip netns exec n30r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n30c ping -c 1 -W 1 -s 1472 -M do 10.30.2.2
echo rc=$?
ip netns exec n30c ping -c 1 -W 1 -s 1472 -M do 10.30.2.2
echo rc=$?
ip netns exec n30c ping -c 1 -W 1 -s 1372 -M do 10.30.2.2
echo rc=$?
ip netns exec n30c ping -c 1 -W 1 -s 1473 -M do 10.30.1.1
echo rc=$?
ip netns exec n30c ping -c 1 -W 1 -s 2000 -M dont 10.30.2.2
echo rc=$?
ip netns exec n30c ping -c 1 -W 1 -s 1472 -M do 10.30.1.1
echo rc=$?
