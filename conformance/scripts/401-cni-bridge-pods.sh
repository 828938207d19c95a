# 401-cni-bridge-pods: a node running the reference bridge CNI plugin with
# host-local for three pods, called the way the container runtime calls it:
# the node is this namespace, each pod sandbox a named namespace, ipMasq on,
# and a server outside the node behind ext0. It is also the "real node" the
# import proof (issue #10, scripts/import-record.ts) collects from.
# Tests: the three ADDs (10.40.0.2-4 on cni0, gateway 10.40.0.1), pod to pod
# over cni0 (ttl 64), pod to the outside server masqueraded to the node's
# address (the server's counting rules: 192.168.40.1 counts, 10.40.0.0/16
# does not), the CNI-<id> chains and their counters, the pod's routes, the
# host-local store (one file per address: container id and ifname).
ip netns add pod1
ip netns add pod2
ip netns add pod3
ip netns add outside
ip link add ext0 type veth peer name eth0 netns outside
ip addr add 192.168.40.1/24 dev ext0
ip link set ext0 up
ip -n outside addr add 192.168.40.2/24 dev eth0
ip -n outside link set eth0 up
ip -n outside link set lo up
ip netns exec outside iptables -A INPUT -s 192.168.40.1/32 -p icmp
ip netns exec outside iptables -A INPUT -s 10.40.0.0/16 -p icmp
cat > 10-mynet.conf <<'EOF'
{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.40.0.0/16","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge < 10-mynet.conf
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pod2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge < 10-mynet.conf
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c3 CNI_NETNS=/var/run/netns/pod3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge < 10-mynet.conf
echo " rc=$?"
ip -n pod1 route
ip route
ip netns exec pod1 ping -c 1 -W 1 10.40.0.3
ip netns exec pod3 ping -c 1 -W 1 10.40.0.2
ip netns exec pod1 ping -c 1 -W 1 192.168.40.2
ip netns exec pod2 ping -c 1 -W 1 192.168.40.2
ip netns exec outside iptables -L INPUT -v -n -x
iptables-save -t nat -c
cat /var/lib/cni/networks/mynet/10.40.0.4
echo
