# 26-icmp-unreachable: unreachable destinations seen by ping.
# Tests: no local route -> "ping: connect: Network is unreachable" (rc 2);
# a router without a route answers "From 10.26.1.1 icmp_seq=1 Destination
# Net Unreachable" (rc 1, "+1 errors"); a router whose connected next hop
# does not answer ARP sends "Destination Host Unreachable" after ~3 s (3 ARP
# probes, retrans_time 1 s); the router's own far-side address answers.

ip netns add n26c
ip netns add n26r
ip link add v26c netns n26c type veth peer name v26r netns n26r
ip link add v26x netns n26r type veth peer name v26y
ip -n n26c link set lo up
ip -n n26r link set lo up
ip -n n26c link set v26c up
ip -n n26r link set v26r up
ip -n n26r link set v26x up
ip -n n26c addr add 10.26.1.2/24 dev v26c
ip -n n26r addr add 10.26.1.1/24 dev v26r
ip -n n26r addr add 10.26.2.1/24 dev v26x
ip netns exec n26r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n26c ping -c 1 -W 1 10.26.9.9
echo rc=$?
ip -n n26c route add default via 10.26.1.1
ip netns exec n26c ping -c 1 -W 1 10.26.9.9
echo rc=$?
ip netns exec n26c ping -c 1 -W 5 10.26.2.7
echo rc=$?
ip netns exec n26c ping -c 1 -W 1 10.26.2.1
echo rc=$?
