# 313-cni-portmap: the portmap plugin chained by hand after bridge (its
# prevResult written by hand, as a runtime would pass it).
# Tests: the shared chains CNI-HOSTPORT-SETMARK (mark 0x2000/0x2000),
# CNI-HOSTPORT-MASQ (first in POSTROUTING), CNI-HOSTPORT-DNAT (from
# PREROUTING and OUTPUT for local destinations) and the per-container
# CNI-DN-<hash> chain (SETMARK for the pod subnet and 127.0.0.1, DNAT; a
# hostIP adds -d; one multiport entry per protocol), route_localnet=1 on the
# bridge, the result passed through unchanged (as the config's version);
# connections to the host port from the node (own address and 127.0.0.1)
# and from another pod (hairpin through the bridge, masqueraded); portmap
# without mappings (result passed through, nothing added), not chained
# (error), a bad port; CHECK (fails: the 1.1.1 plugin also checks
# ip6tables); DEL without runtimeConfig (nothing removed: the chains leak),
# DEL with it (the per-container chain and its jumps go, the shared chains
# stay), repeated DEL.
ip netns add n313
ip netns add pa
ip netns add pb
ip -n pa link set lo up
ip -n pb link set lo up
cat > br.json <<'EOF'
{"cniVersion":"1.0.0","name":"pmnet","type":"bridge","bridge":"cni0","isGateway":true,"ipam":{"type":"host-local","subnet":"10.31.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/bridge < br.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/bridge < br.json
echo " rc=$?"
cat > pm.json <<'EOF'
{"cniVersion":"1.0.0","name":"pmnet","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp"},{"hostPort":8443,"containerPort":443,"protocol":"tcp","hostIP":"10.31.0.1"}]},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"cni0"},{"name":"veth0"},{"name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"interface":2,"address":"10.31.0.2/24","gateway":"10.31.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm.json
echo " rc=$?"
ip netns exec n313 iptables-save -t nat
ip netns exec n313 sysctl net.ipv4.conf.cni0.route_localnet
ip netns exec pa nc -l -p 80 &
sleep 1
ip netns exec n313 nc -z -v -w 1 10.31.0.1 8080
echo rc=$?
ip netns exec pa nc -l -p 80 &
sleep 1
ip netns exec pb nc -z -v -w 1 10.31.0.1 8080
echo rc=$?
ip netns exec n313 nc -z -v -w 1 10.31.0.1 8081
echo rc=$?
cat > pm0.json <<'EOF'
{"cniVersion":"0.4.0","name":"pmnet","type":"portmap","capabilities":{"portMappings":true},"prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/pb"}],"ips":[{"version":"4","interface":0,"address":"10.31.0.3/24","gateway":"10.31.0.1"}],"dns":{}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm0.json
echo " rc=$?"
cat > pmnochain.json <<'EOF'
{"cniVersion":"1.0.0","name":"pmnet","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pmnochain.json
echo " rc=$?"
cat > pmbad.json <<'EOF'
{"cniVersion":"1.0.0","name":"pmnet","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80,"protocol":"tcp"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pmbad.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm0.json
echo " rc=$?"
ip netns exec n313 iptables -t nat -S CNI-HOSTPORT-DNAT
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm.json
echo " rc=$?"
ip netns exec n313 iptables-save -t nat
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n313 /usr/lib/cni/portmap < pm.json
echo " rc=$?"
ip netns exec n313 iptables-save -t nat
