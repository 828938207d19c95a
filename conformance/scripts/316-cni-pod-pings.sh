# 316-cni-pod-pings: traffic between pods the plugins wired on one node.
# Tests: two bridge pods (same L2: ttl 64), a ptp pod (routed through the
# node: ttl 63) to a bridge pod and back, pods to the node's uplink address,
# a bridge pod (ipMasq) to an outside host through the node (masqueraded:
# the outside host has no route back to the pod subnet, yet the ping
# works), the ptp pod without ipMasq to the outside host (fails: no route
# back), traceroute from a ptp pod to a bridge pod.
ip netns add n316
ip netns add ext
ip netns add pa
ip netns add pb
ip netns add pc
ip link add up0 netns n316 type veth peer name ext0 netns ext
ip -n n316 link set up0 up
ip -n ext link set ext0 up
ip -n n316 addr add 192.168.50.1/24 dev up0
ip -n ext addr add 192.168.50.2/24 dev ext0
cat > br.json <<'EOF'
{"cniVersion":"1.0.0","name":"brnet316","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.34.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
cat > ptp.json <<'EOF'
{"cniVersion":"1.0.0","name":"ptpnet316","type":"ptp","ipam":{"type":"host-local","subnet":"10.34.1.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n316 /usr/lib/cni/bridge < br.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n316 /usr/lib/cni/bridge < br.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n316 /usr/lib/cni/ptp < ptp.json
echo " rc=$?"
sleep 1
ip netns exec pa ping -c 1 -W 1 10.34.0.3
ip netns exec pc ping -c 1 -W 1 10.34.0.2
ip netns exec pa ping -c 1 -W 1 10.34.1.2
ip netns exec pa ping -c 1 -W 1 192.168.50.1
ip netns exec pc ping -c 1 -W 1 192.168.50.1
ip netns exec pa ping -c 1 -W 1 192.168.50.2
ip netns exec pc ping -c 1 -W 1 192.168.50.2
echo rc=$?
ip netns exec pc traceroute -n -q 1 -w 1 10.34.0.3
ip netns exec n316 iptables-save -t nat
