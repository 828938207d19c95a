# 312-cni-ptp: the ptp plugin with host-local, run in a node namespace.
# Tests: ADD for two pods (result [host veth, container] with ips on
# interface 1, dns from the config), mtu on both ends, the gateway as a /32
# on every host veth, a host route per pod, in the pod the connected route
# replaced by `<gw> dev eth0 scope link src <ip>` and `<subnet> via <gw>`,
# ip_forward=1, the masquerade chain; pings pod to pod (routed: ttl 63), pod
# to gateway, node to pod; ADD over an existing eth0 fails after IPAM (the IP
# is released again); ADD with a missing netns (IPAM ADD then DEL: the
# cursor moved, nothing reserved); CHECK with a prevResult given by hand
# (match, address mismatch, missing prevResult, sandbox mismatch); DEL (IPAM
# first, then the link, the host route and the masquerade rules), repeated
# DEL, DEL with a vanished netns (rules leak), a 0.3.1 result.
ip netns add n312
ip netns add pa
ip netns add pb
ip netns add pc
cat > ptp.json <<'EOF'
{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipMasq":true,"mtu":1400,"ipam":{"type":"host-local","subnet":"10.30.0.0/24","routes":[{"dst":"0.0.0.0/0"}]},"dns":{"nameservers":["10.30.0.53"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
sleep 1
ip -n n312 link show
ip -n n312 -4 addr show
ip -n n312 route
ip -n pa -4 addr show eth0
ip -n pa route
ip -n pa link show eth0
ip netns exec n312 iptables-save -t nat
ip netns exec n312 sysctl net.ipv4.ip_forward
ip netns exec pa ping -c 1 -W 1 10.30.0.3
ip netns exec pa ping -c 1 -W 1 10.30.0.1
ip netns exec n312 ping -c 1 -W 1 10.30.0.3
CNI_COMMAND=ADD CNI_CONTAINERID=c3 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
cat /var/lib/cni/networks/ptpnet/10.30.0.4
CNI_COMMAND=ADD CNI_CONTAINERID=c4 CNI_NETNS=/var/run/netns/nope CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
cat /var/lib/cni/networks/ptpnet/last_reserved_ip.0
echo
cat /var/lib/cni/networks/ptpnet/10.30.0.5
cat > ptpchk.json <<'EOF'
{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipMasq":true,"mtu":1400,"ipam":{"type":"host-local","subnet":"10.30.0.0/24","routes":[{"dst":"0.0.0.0/0"}]},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"interface":0,"address":"10.30.0.2/24","gateway":"10.30.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptpchk.json
echo " rc=$?"
cat > ptpchk2.json <<'EOF'
{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipam":{"type":"host-local","subnet":"10.30.0.0/24"},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"interface":0,"address":"10.30.0.9/24","gateway":"10.30.0.1"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptpchk2.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptpchk.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
ip -n n312 route
ip -n pa link show
ip netns exec n312 iptables-save -t nat
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
ip netns del pb
CNI_COMMAND=DEL CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
cat /var/lib/cni/networks/ptpnet/10.30.0.3
ip netns exec n312 iptables-save -t nat
cat > ptp031.json <<'EOF'
{"cniVersion":"0.3.1","name":"ptp031","type":"ptp","ipam":{"type":"host-local","subnet":"10.30.1.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c5 CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n312 /usr/lib/cni/ptp < ptp031.json
echo " rc=$?"
