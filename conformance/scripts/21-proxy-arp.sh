# 21-proxy-arp: proxy ARP on a router.
# Tests: client c has 10.21.0.2/16 (thinks 10.21.1.2 is on-link), router r
# has 10.21.0.1/24 towards c and 10.21.1.1/24 towards s. With proxy_arp=0
# the client's ARP for 10.21.1.2 is unanswered (Destination Host
# Unreachable); with proxy_arp=1 on r's c-facing interface r answers with its
# own MAC after a random proxy_delay (<0.8 s) and the ping goes through
# (ip_forward=1); proxy ARP answers only when
# r has a route to the target via ANOTHER interface: for 10.21.0.77 (same
# interface) it stays silent.

ip netns add n21c
ip netns add n21r
ip netns add n21s
ip link add v21c netns n21c address 02:00:00:00:21:0c type veth peer name v21rc netns n21r address 02:00:00:00:21:01
ip link add v21s netns n21s address 02:00:00:00:21:0d type veth peer name v21rs netns n21r address 02:00:00:00:21:02
ip -n n21c link set lo up
ip -n n21c link set v21c up
ip -n n21r link set v21rc up
ip -n n21r link set v21rs up
ip -n n21s link set v21s up
ip -n n21c addr add 10.21.0.2/16 dev v21c
ip -n n21r addr add 10.21.0.1/24 dev v21rc
ip -n n21r addr add 10.21.1.1/24 dev v21rs
ip -n n21s addr add 10.21.1.2/24 dev v21s
ip -n n21s route add default via 10.21.1.1
ip netns exec n21r sysctl -w net.ipv4.ip_forward=1
ip netns exec n21r sysctl -w net.ipv4.conf.v21rc.proxy_arp=0
ip netns exec n21r sysctl -w net.ipv4.conf.all.proxy_arp=0
ip netns exec n21c ping -c 1 -W 5 10.21.1.2
echo rc=$?
ip -n n21c neigh flush dev v21c
ip netns exec n21r sysctl -w net.ipv4.conf.v21rc.proxy_arp=1
ip netns exec n21c ping -c 1 -W 2 10.21.1.2
echo rc=$?
ip -n n21c neigh show 10.21.1.2
ip netns exec n21c ping -c 1 -W 5 10.21.0.77
echo rc=$?
ip -n n21c neigh show 10.21.0.77
