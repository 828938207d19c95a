# 127-double-nat-traceroute: a pod behind a node (MASQUERADE) behind an
# edge router (SNAT to a public address), traced from the pod.
# pod n127p 10.127.0.2 -(bridge-less veth)- node n127n (10.127.0.1 |
# 192.168.127.2) - edge n127e (192.168.127.1 | 198.51.100.1) - server n127s
# (198.51.100.9). The server knows nothing about 10.127/16 or
# 192.168.127/24: the edge SNATs to 198.51.100.1, the node MASQUERADEs the
# pod to 192.168.127.2.
# Tests: ping pod -> server (ttl 62), the server's INPUT counter sees only
# 198.51.100.1, traceroute from the pod through both NATs (the ICMP time
# exceeded of the edge and the server's port unreachable find their way
# back: related conntrack entries), nc through both NATs, nat counters on
# both, SNAT rule in iptables -S form.

ip netns add n127p
ip netns add n127n
ip netns add n127e
ip netns add n127s
ip link add eth0 netns n127p type veth peer name vpod netns n127n
ip link add up0 netns n127n type veth peer name down0 netns n127e
ip link add up0 netns n127e type veth peer name eth0 netns n127s
ip -n n127p addr add 10.127.0.2/24 dev eth0
ip -n n127n addr add 10.127.0.1/24 dev vpod
ip -n n127n addr add 192.168.127.2/24 dev up0
ip -n n127e addr add 192.168.127.1/24 dev down0
ip -n n127e addr add 198.51.100.1/24 dev up0
ip -n n127s addr add 198.51.100.9/24 dev eth0
ip -n n127p link set eth0 up
ip -n n127n link set vpod up
ip -n n127n link set up0 up
ip -n n127e link set down0 up
ip -n n127e link set up0 up
ip -n n127s link set eth0 up
ip -n n127s link set lo up
ip -n n127p route add default via 10.127.0.1
ip -n n127n route add default via 192.168.127.1
ip netns exec n127n sysctl -qw net.ipv4.ip_forward=1
ip netns exec n127e sysctl -qw net.ipv4.ip_forward=1
ip netns exec n127n iptables -t nat -A POSTROUTING -o up0 -j MASQUERADE
ip netns exec n127e iptables -t nat -A POSTROUTING -s 192.168.127.0/24 -o up0 -j SNAT --to-source 198.51.100.1
ip netns exec n127s iptables -A INPUT -s 198.51.100.1
ip netns exec n127s nc -l -p 443 -k &
sleep 1
ip netns exec n127p ping -c 2 -i 0.2 -W 1 198.51.100.9
ip netns exec n127p traceroute -n -q 1 -w 1 198.51.100.9
ip netns exec n127p nc -z -v -w 1 198.51.100.9 443
echo rc=$?
ip netns exec n127n ping -c 1 -W 1 198.51.100.9
ip netns exec n127s ping -c 1 -W 1 192.168.127.2
echo rc=$?
ip netns exec n127s iptables -L INPUT -n -v -x
ip netns exec n127n iptables -t nat -L POSTROUTING -n -v -x
ip netns exec n127e iptables -t nat -L POSTROUTING -n -v -x
ip netns exec n127e iptables -t nat -S
ip -n n127p route get 198.51.100.9
ip -n n127n route get 198.51.100.9 from 10.127.0.2 iif vpod
