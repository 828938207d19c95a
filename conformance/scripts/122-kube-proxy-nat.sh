# 122-kube-proxy-nat: kube-proxy's iptables mode by hand: a ClusterIP
# service and a NodePort, with the KUBE-* chain structure, the masquerade
# mark and two nodes.
# Switch-free: node n122n1 (eth0 192.168.122.11/24) <-> node n122n2 (eth0
# 192.168.122.12/24), each with a bridge kube122 and one pod: n122p1
# (10.122.1.2) on node1, n122p2 (10.122.2.2, nc on :8080) on node2; static
# routes between the pod subnets. External client n122x (192.168.123.2) on
# node1's second interface x122 (192.168.123.1/24).
# Service 10.96.0.10:80 -> 10.122.2.2:8080 (KUBE-SVC/KUBE-SEP chains on
# node1); NodePort 30080 on node1 -> same endpoint, marked for masquerade.
# Tests: pod -> ClusterIP (DNAT in PREROUTING), node1 itself -> ClusterIP
# (OUTPUT), external -> NodePort (masqueraded to node1's eth0 address:
# node2 has no route to 192.168.123.0/24), a port without a service (node1
# sends it to its default, node2, which answers Net Unreachable), counters
# per chain, iptables-save of nat, route get of the ClusterIP.

ip netns add n122n1
ip netns add n122n2
ip netns add n122p1
ip netns add n122p2
ip netns add n122x
ip link add eth0 netns n122n1 type veth peer name eth0 netns n122n2
ip -n n122n1 addr add 192.168.122.11/24 dev eth0
ip -n n122n2 addr add 192.168.122.12/24 dev eth0
ip -n n122n1 link set eth0 up
ip -n n122n2 link set eth0 up
ip -n n122n1 link set lo up
ip -n n122n1 link add kube122 type bridge
ip -n n122n2 link add kube122 type bridge
ip -n n122n1 addr add 10.122.1.1/24 dev kube122
ip -n n122n2 addr add 10.122.2.1/24 dev kube122
ip -n n122n1 link set kube122 up
ip -n n122n2 link set kube122 up
ip -n n122n1 link add vp1 type veth peer name eth0 netns n122p1
ip -n n122n2 link add vp2 type veth peer name eth0 netns n122p2
ip -n n122n1 link set vp1 master kube122 up
ip -n n122n2 link set vp2 master kube122 up
ip -n n122p1 addr add 10.122.1.2/24 dev eth0
ip -n n122p2 addr add 10.122.2.2/24 dev eth0
ip -n n122p1 link set eth0 up
ip -n n122p2 link set eth0 up
ip -n n122p2 link set lo up
ip -n n122p1 route add default via 10.122.1.1
ip -n n122p2 route add default via 10.122.2.1
ip -n n122n1 route add 10.122.2.0/24 via 192.168.122.12
ip -n n122n2 route add 10.122.1.0/24 via 192.168.122.11
ip -n n122n1 route add default via 192.168.122.12
ip link add x122 netns n122n1 type veth peer name eth0 netns n122x
ip -n n122n1 addr add 192.168.123.1/24 dev x122
ip -n n122x addr add 192.168.123.2/24 dev eth0
ip -n n122n1 link set x122 up
ip -n n122x link set eth0 up
ip -n n122x route add default via 192.168.123.1
ip netns exec n122n1 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n122n2 sysctl -qw net.ipv4.ip_forward=1
ip netns exec n122n1 iptables -t nat -N KUBE-SERVICES
ip netns exec n122n1 iptables -t nat -N KUBE-NODEPORTS
ip netns exec n122n1 iptables -t nat -N KUBE-SVC-WEB
ip netns exec n122n1 iptables -t nat -N KUBE-SEP-WEB1
ip netns exec n122n1 iptables -t nat -N KUBE-MARK-MASQ
ip netns exec n122n1 iptables -t nat -N KUBE-POSTROUTING
ip netns exec n122n1 iptables -t nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
ip netns exec n122n1 iptables -t nat -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
ip netns exec n122n1 iptables -t nat -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
ip netns exec n122n1 iptables -t nat -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
ip netns exec n122n1 iptables -t nat -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
ip netns exec n122n1 iptables -t nat -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
ip netns exec n122n1 iptables -t nat -A KUBE-POSTROUTING -j MASQUERADE
ip netns exec n122n1 iptables -t nat -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-WEB
ip netns exec n122n1 iptables -t nat -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
ip netns exec n122n1 iptables -t nat -A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 30080 -j KUBE-MARK-MASQ
ip netns exec n122n1 iptables -t nat -A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 30080 -j KUBE-SVC-WEB
ip netns exec n122n1 iptables -t nat -A KUBE-SVC-WEB -m comment --comment "default/web -> 10.122.2.2:8080" -j KUBE-SEP-WEB1
ip netns exec n122n1 iptables -t nat -A KUBE-SEP-WEB1 -s 10.122.2.2/32 -j KUBE-MARK-MASQ
ip netns exec n122n1 iptables -t nat -A KUBE-SEP-WEB1 -p tcp -m tcp -j DNAT --to-destination 10.122.2.2:8080
ip netns exec n122p2 nc -l -p 8080 -k &
sleep 1
ip netns exec n122p1 nc -z -v -w 1 10.96.0.10 80
echo rc=$?
ip netns exec n122n1 nc -z -v -w 1 10.96.0.10 80
echo rc=$?
ip netns exec n122x nc -z -v -w 1 192.168.123.1 30080
echo rc=$?
ip netns exec n122x nc -z -v -w 1 192.168.122.11 30080
echo rc=$?
ip netns exec n122p1 nc -z -v -w 1 10.96.0.10 81
echo rc=$?
ip netns exec n122n1 iptables -t nat -L KUBE-SERVICES -n -v -x
ip netns exec n122n1 iptables -t nat -L KUBE-NODEPORTS -n -v -x
ip netns exec n122n1 iptables -t nat -L KUBE-SVC-WEB -n -v -x
ip netns exec n122n1 iptables-save -t nat
ip -n n122n1 route get 10.96.0.10
