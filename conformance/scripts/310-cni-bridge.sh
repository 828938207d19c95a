# 310-cni-bridge: the bridge plugin with host-local, run in a node namespace
# (`ip netns exec node1 /usr/lib/cni/bridge`), pods in their own namespaces.
# Tests: ADD creates cni0 (ifindex 2 of the node), the pair (host end
# vethXXXXXXXX ifindex 3, enslaved, up; eth0 in the pod, txqueuelen 0 on both
# ends), the gateway 10.22.0.1/16 on cni0, the pod's address (with broadcast)
# and routes, ip_forward=1, arp_notify=1 in the pod, the CNI-<sha512> masquerade
# chain with its comment; the result (interfaces bridge/host/container, ips
# on interface 2); a second pod; ADD over an existing eth0 fails before IPAM;
# DEL removes the pair, the rules and the IP; a repeated DEL succeeds; DEL
# with a vanished netns releases the IP but leaks the masquerade rules.
ip netns add node1
ip netns add p1
ip netns add p2
cat > br.json <<'EOF'
{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/16","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
ip -n node1 link show
ip -n node1 addr show cni0
ip -n p1 addr show eth0
ip -n p1 route
ip -n node1 route
ip netns exec node1 iptables-save -t nat
ip netns exec node1 sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding
ip netns exec p1 sysctl net.ipv4.conf.eth0.arp_notify
bridge -n node1 link
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/p2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
ip -n node1 link show
bridge -n node1 link
CNI_COMMAND=ADD CNI_CONTAINERID=c3 CNI_NETNS=/var/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
cat /var/lib/cni/networks/mynet/last_reserved_ip.0
echo
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
sleep 1
ip -n node1 link show
ip -n p1 link show
ip netns exec node1 iptables-save -t nat
cat /var/lib/cni/networks/mynet/10.22.0.2
cat /var/lib/cni/networks/mynet/10.22.0.3
echo
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
ip netns del p2
CNI_COMMAND=DEL CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/p2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
cat /var/lib/cni/networks/mynet/10.22.0.3
sleep 1
ip -n node1 link show
ip netns exec node1 iptables-save -t nat
CNI_COMMAND=DEL CNI_CONTAINERID=c2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json
echo " rc=$?"
