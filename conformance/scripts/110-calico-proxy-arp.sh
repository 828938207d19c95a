# 110-calico-proxy-arp: Calico-style pod networking: no bridge, one veth per
# pod, pod addresses as /32 host routes on the host side, the pods' gateway
# 169.254.1.1 answered by proxy ARP on the host's veth (which has no IPv4
# address at all).
# Node n110n1 (eth0 192.168.110.1/24): pods n110a (10.110.1.2/32, host veth
# cali110a) and n110b (10.110.1.3/32, cali110b). Node n110n2 (eth0
# 192.168.110.2/24): pod n110c (10.110.2.2/32, cali110c). Nodes route each
# other's pod block (/26) via the node address. Host veth MACs are fixed
# (ee:ee-like 02:00:00:00:10:xx).
# Tests: pod routes (169.254.1.1 scope link + default via it), host /32
# routes, a pod ping before proxy_arp=1 fails (no ARP answer, rc 1), after
# it works; pod -> pod same node (ttl 63: routed by the host), cross node
# (ttl 62); the pod's neighbour entry for 169.254.1.1 has the host veth's
# MAC; route get on the pod and on the node (source address for a route out
# of an address-less veth); traceroute pod -> remote pod.

ip netns add n110n1
ip netns add n110n2
ip netns add n110a
ip netns add n110b
ip netns add n110c
ip link add eth0 netns n110n1 type veth peer name eth0 netns n110n2
ip -n n110n1 addr add 192.168.110.1/24 dev eth0
ip -n n110n2 addr add 192.168.110.2/24 dev eth0
ip -n n110n1 link set eth0 up
ip -n n110n2 link set eth0 up
ip -n n110n1 link add cali110a address 02:00:00:00:10:0a type veth peer name eth0 netns n110a
ip -n n110n1 link add cali110b address 02:00:00:00:10:0b type veth peer name eth0 netns n110b
ip -n n110n2 link add cali110c address 02:00:00:00:10:0c type veth peer name eth0 netns n110c
ip -n n110n1 link set cali110a up
ip -n n110n1 link set cali110b up
ip -n n110n2 link set cali110c up
ip -n n110a addr add 10.110.1.2/32 dev eth0
ip -n n110b addr add 10.110.1.3/32 dev eth0
ip -n n110c addr add 10.110.2.2/32 dev eth0
ip -n n110a link set eth0 up
ip -n n110b link set eth0 up
ip -n n110c link set eth0 up
ip -n n110a route add 169.254.1.1 dev eth0 scope link
ip -n n110a route add default via 169.254.1.1 dev eth0
ip -n n110b route add 169.254.1.1 dev eth0 scope link
ip -n n110b route add default via 169.254.1.1 dev eth0
ip -n n110c route add 169.254.1.1 dev eth0 scope link
ip -n n110c route add default via 169.254.1.1 dev eth0
ip -n n110n1 route add 10.110.1.2 dev cali110a scope link
ip -n n110n1 route add 10.110.1.3 dev cali110b scope link
ip -n n110n2 route add 10.110.2.2 dev cali110c scope link
ip -n n110n1 route add 10.110.2.0/26 via 192.168.110.2 dev eth0
ip -n n110n2 route add 10.110.1.0/26 via 192.168.110.1 dev eth0
ip netns exec n110n1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n110n2 sysctl -qw net.ipv4.ip_forward=1
ip -n n110a route show
ip netns exec n110a ping -c 1 -W 5 10.110.1.3
echo rc=$?
ip -n n110a neigh flush dev eth0
ip netns exec n110n1 sysctl -w net.ipv4.conf.cali110a.proxy_arp=1
ip netns exec n110n1 sysctl -w net.ipv4.conf.cali110b.proxy_arp=1
ip netns exec n110n2 sysctl -w net.ipv4.conf.cali110c.proxy_arp=1
ip netns exec n110a ping -c 1 -W 2 10.110.1.3
echo rc=$?
ip netns exec n110a ping -c 2 -i 0.2 -W 2 10.110.2.2
ip -n n110a neigh show 169.254.1.1
ip -n n110a route get 10.110.2.2
ip -n n110n1 route get 10.110.1.2
ip -n n110n1 route get 10.110.2.2
ip -n n110n1 route show
sleep 2
ip netns exec n110a traceroute -n -q 1 -w 1 10.110.2.2
ip netns exec n110n1 ping -c 1 -W 1 10.110.1.2
