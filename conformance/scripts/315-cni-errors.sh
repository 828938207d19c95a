# 315-cni-errors: error paths of bridge and ptp, invoked as a runtime would.
# Tests: bad JSON, a bad CIDR, missing environment variables, a missing
# netns, ADD twice for the same container (second fails, first untouched),
# DEL twice, DEL of an unknown container, exhaustion of a /30 (ptp: the
# second pod fails and nothing stays reserved), version mismatch (1.1.0 is
# not supported by 1.1.1; CHECK refused below 0.4.0), bridge CHECK without
# prevResult, with an L2-only config, with a prevResult that names no
# bridge, with a sandbox that does not match, isDefaultGateway with an IPAM
# default route.
ip netns add n315
ip netns add pa
ip netns add pb
ip netns add pc
cat > bad.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"bridge",
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < bad.json
echo " rc=$?"
cat > badcidr.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"ptp","ipam":{"type":"host-local","subnet":"10.33.0.0/33"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/ptp < badcidr.json
echo " rc=$?"
cat > ok.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"bridge","bridge":"br315","ipam":{"type":"host-local","subnet":"10.33.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_NETNS=/var/run/netns/pa CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 ip netns exec n315 /usr/lib/cni/ptp < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/gone CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
ip -n pa route show dev eth0
cat /var/lib/cni/networks/e/10.33.0.2
cat /var/lib/cni/networks/e/10.33.0.3
CNI_COMMAND=DEL CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=e1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=nobody CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=nobody CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/ptp < ok.json
echo " rc=$?"
cat > tiny.json <<'EOF'
{"cniVersion":"1.0.0","name":"tiny315","type":"ptp","ipam":{"type":"host-local","subnet":"10.33.1.0/30"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=t1 CNI_NETNS=/var/run/netns/pb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/ptp < tiny.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=t2 CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/ptp < tiny.json
echo " rc=$?"
ip -n pc link show
cat /var/lib/cni/networks/tiny315/last_reserved_ip.0
echo
cat > v110.json <<'EOF'
{"cniVersion":"1.1.0","name":"e","type":"bridge","bridge":"br315","ipam":{"type":"host-local","subnet":"10.33.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=v1 CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < v110.json
echo " rc=$?"
cat > v031.json <<'EOF'
{"cniVersion":"0.3.1","name":"e","type":"bridge","bridge":"br315","ipam":{"type":"host-local","subnet":"10.33.0.0/24"}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=v1 CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < v031.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < ok.json
echo " rc=$?"
cat > l2chk.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"bridge","bridge":"br315","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"br315"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < l2chk.json
echo " rc=$?"
cat > nobr.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"bridge","bridge":"br315","ipam":{"type":"host-local","subnet":"10.33.0.0/24"},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/pa"}],"ips":[{"interface":0,"address":"10.33.0.4/24"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < nobr.json
echo " rc=$?"
cat > sbx.json <<'EOF'
{"cniVersion":"1.0.0","name":"e","type":"bridge","bridge":"br315","ipam":{"type":"host-local","subnet":"10.33.0.0/24"},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"br315"},{"name":"eth0","sandbox":"/var/run/netns/pb"}],"ips":[{"interface":1,"address":"10.33.0.4/24"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < sbx.json
echo " rc=$?"
cat > dgw.json <<'EOF'
{"cniVersion":"1.0.0","name":"dgw315","type":"bridge","bridge":"br315b","isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"10.33.2.0/24","routes":[{"dst":"0.0.0.0/0","gw":"10.33.2.254"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=d1 CNI_NETNS=/var/run/netns/pc CNI_IFNAME=eth2 CNI_PATH=/usr/lib/cni ip netns exec n315 /usr/lib/cni/bridge < dgw.json
echo " rc=$?"
ip -n pc route
