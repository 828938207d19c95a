# 314-cni-chain: a plugin chain run by hand the way libcni runs the conflist
# {"cniVersion":"1.0.0","name":"chain","plugins":[bridge+host-local, portmap,
# tuning-free loopback]}: each plugin gets the list's name and version
# injected, keys sorted (libcni re-marshals a map), the previous plugin's
# result as prevResult (as libcni 1.2 marshals it: sorted keys, no empty
# dns) and its enabled capabilities under runtimeConfig; DEL runs in reverse
# order with the cached result as prevResult.
# Tests: every plugin's output along the chain (portmap and loopback pass the
# result through as the config's version), the state after ADD and after the
# reverse DEL, and a 0.4.0 chain where the loopback plugin gets a 0.4.0
# prevResult.
ip netns add n314
ip netns add pa
cat > 1-bridge.json <<'EOF'
{"bridge":"cni0","cniVersion":"1.0.0","ipMasq":true,"ipam":{"routes":[{"dst":"0.0.0.0/0"}],"subnet":"10.32.0.0/24","type":"host-local"},"isGateway":true,"name":"chain","type":"bridge"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/bridge < 1-bridge.json
echo " rc=$?"
cat > 2-portmap.json <<'EOF'
{"capabilities":{"portMappings":true},"cniVersion":"1.0.0","name":"chain","prevResult":{"cniVersion":"1.0.0","interfaces":[{"mac":"02:00:00:00:00:01","name":"cni0"},{"mac":"02:00:00:00:00:02","name":"veth12345678"},{"mac":"02:00:00:00:00:03","name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"address":"10.32.0.2/24","gateway":"10.32.0.1","interface":2}],"routes":[{"dst":"0.0.0.0/0"}]},"runtimeConfig":{"portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]},"type":"portmap"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/portmap < 2-portmap.json
echo " rc=$?"
cat > 3-loopback.json <<'EOF'
{"cniVersion":"1.0.0","name":"chain","prevResult":{"cniVersion":"1.0.0","interfaces":[{"mac":"02:00:00:00:00:01","name":"cni0"},{"mac":"02:00:00:00:00:02","name":"veth12345678"},{"mac":"02:00:00:00:00:03","name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"address":"10.32.0.2/24","gateway":"10.32.0.1","interface":2}],"routes":[{"dst":"0.0.0.0/0"}]},"type":"loopback"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/loopback < 3-loopback.json
echo " rc=$?"
sleep 1
ip -n pa addr
ip netns exec n314 iptables-save -t nat
CNI_COMMAND=DEL CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/loopback < 3-loopback.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/portmap < 2-portmap.json
echo " rc=$?"
cat > 1-bridge-del.json <<'EOF'
{"bridge":"cni0","cniVersion":"1.0.0","ipMasq":true,"ipam":{"routes":[{"dst":"0.0.0.0/0"}],"subnet":"10.32.0.0/24","type":"host-local"},"isGateway":true,"name":"chain","prevResult":{"cniVersion":"1.0.0","interfaces":[{"mac":"02:00:00:00:00:01","name":"cni0"},{"mac":"02:00:00:00:00:02","name":"veth12345678"},{"mac":"02:00:00:00:00:03","name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"address":"10.32.0.2/24","gateway":"10.32.0.1","interface":2}],"routes":[{"dst":"0.0.0.0/0"}]},"type":"bridge"}
EOF
CNI_COMMAND=DEL CNI_CONTAINERID=cnitool-3813f9445af48799b274 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/bridge < 1-bridge-del.json
echo " rc=$?"
sleep 1
ip -n pa addr
ip -n n314 link show
ip netns exec n314 iptables-save -t nat
cat /var/lib/cni/networks/chain/last_reserved_ip.0
echo
cat /var/lib/cni/networks/chain/10.32.0.2
cat > 4-bridge040.json <<'EOF'
{"bridge":"cni1","cniVersion":"0.4.0","ipam":{"subnet":"10.32.1.0/24","type":"host-local"},"name":"chain040","type":"bridge"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c040 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/bridge < 4-bridge040.json
echo " rc=$?"
cat > 5-loopback040.json <<'EOF'
{"cniVersion":"0.4.0","name":"chain040","prevResult":{"cniVersion":"0.4.0","dns":{},"interfaces":[{"name":"cni1","mac":"02:00:00:00:00:01"},{"name":"veth12345678","mac":"02:00:00:00:00:02"},{"name":"eth1","mac":"02:00:00:00:00:03","sandbox":"/var/run/netns/pa"}],"ips":[{"version":"4","interface":2,"address":"10.32.1.2/24","gateway":"10.32.1.1"}]},"type":"loopback"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c040 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/loopback < 5-loopback040.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c040 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni ip netns exec n314 /usr/lib/cni/loopback < 5-loopback040.json
echo " rc=$?"
