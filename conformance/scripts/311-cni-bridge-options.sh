# 311-cni-bridge-options: bridge plugin options and failure modes.
# Tests: layer-2 only (no ipam: eth0 up without address, no ips); mtu on the
# bridge and both veth ends; promiscMode; hairpinMode with promiscMode
# refused; isDefaultGateway adding the default route; isDefaultGateway plus an
# IPAM default route failing with "file exists" (the IP is released, the pair
# stays); IPAM exhaustion passed through with its own code and message, the
# container veth left behind (down) and the next ADD failing "already
# exists"; a second network on the same bridge with another gateway
# (refused, then forceAddress); a non-bridge device named like the bridge;
# an IPAM plugin missing from CNI_PATH; a missing netns (the bridge is still
# created); MAC from CNI_ARGS and runtimeConfig, an invalid MAC; invalid VLAN
# and a wrongly typed field; results for 0.3.1 and 0.2.0.
ip netns add n311
ip netns add qa
ip netns add qb
ip netns add qc
ip netns add qd
ip netns add qe
ip netns add qf
ip netns add qg
ip netns add qh
cat > l2.json <<'EOF'
{"cniVersion":"0.3.1","name":"l2net","type":"bridge","bridge":"br-l2","mtu":1400,"promiscMode":true}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=ca CNI_NETNS=/var/run/netns/qa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < l2.json
echo " rc=$?"
ip -n n311 link show br-l2
ip -n qa addr show eth0
cat > hp.json <<'EOF'
{"cniVersion":"1.0.0","name":"hp","type":"bridge","bridge":"br-hp","hairpinMode":true,"promiscMode":true}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cb CNI_NETNS=/var/run/netns/qb CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < hp.json
echo " rc=$?"
ip -n n311 link show br-hp
cat > dgw.json <<'EOF'
{"cniVersion":"1.0.0","name":"dgw","type":"bridge","bridge":"br-dgw","isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"10.31.1.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cc CNI_NETNS=/var/run/netns/qc CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < dgw.json
echo " rc=$?"
ip -n qc route
ip -n n311 addr show br-dgw
cat > dgw2.json <<'EOF'
{"cniVersion":"1.0.0","name":"dgw2","type":"bridge","bridge":"br-dgw2","isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"10.31.2.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cd CNI_NETNS=/var/run/netns/qd CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < dgw2.json
echo " rc=$?"
ip -n qd addr show eth0
cat /var/lib/cni/networks/dgw2/10.31.2.2
cat > tiny.json <<'EOF'
{"cniVersion":"1.0.0","name":"tiny","type":"bridge","bridge":"br-tiny","ipam":{"type":"host-local","subnet":"10.31.3.0/30"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=ce CNI_NETNS=/var/run/netns/qe CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < tiny.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=cf CNI_NETNS=/var/run/netns/qf CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < tiny.json
echo " rc=$?"
ip -n qf link show eth0
CNI_COMMAND=ADD CNI_CONTAINERID=cf CNI_NETNS=/var/run/netns/qf CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < tiny.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=cf CNI_NETNS=/var/run/netns/qf CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < tiny.json
echo " rc=$?"
ip -n qf link show
cat > gw1.json <<'EOF'
{"cniVersion":"1.0.0","name":"gw1","type":"bridge","bridge":"br-share","isGateway":true,"ipam":{"type":"host-local","subnet":"10.31.4.0/24"}}
EOF
cat > gw2.json <<'EOF'
{"cniVersion":"1.0.0","name":"gw2","type":"bridge","bridge":"br-share","isGateway":true,"ipam":{"type":"host-local","subnet":"10.31.5.0/24"}}
EOF
cat > gw3.json <<'EOF'
{"cniVersion":"1.0.0","name":"gw2","type":"bridge","bridge":"br-share","isGateway":true,"forceAddress":true,"ipam":{"type":"host-local","subnet":"10.31.5.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cg CNI_NETNS=/var/run/netns/qg CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < gw1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=ch CNI_NETNS=/var/run/netns/qh CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < gw2.json
echo " rc=$?"
cat /var/lib/cni/networks/gw2/10.31.5.2
CNI_COMMAND=ADD CNI_CONTAINERID=ch CNI_NETNS=/var/run/netns/qh CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < gw3.json
echo " rc=$?"
ip -n n311 addr show br-share
ip -n n311 link add notbr type veth peer name notbr-p
cat > notbr.json <<'EOF'
{"cniVersion":"1.0.0","name":"notbr","type":"bridge","bridge":"notbr"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=ci CNI_NETNS=/var/run/netns/qa CNI_IFNAME=net2 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < notbr.json
echo " rc=$?"
cat > nopath.json <<'EOF'
{"cniVersion":"1.0.0","name":"nopath","type":"bridge","bridge":"br-np","ipam":{"type":"host-local","subnet":"10.31.6.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cj CNI_NETNS=/var/run/netns/qb CNI_IFNAME=net3 CNI_PATH=/nonexistent ip netns exec n311 /usr/lib/cni/bridge < nopath.json
echo " rc=$?"
ip -n qb link show net3
CNI_COMMAND=ADD CNI_CONTAINERID=ck CNI_NETNS=/var/run/netns/nope CNI_IFNAME=net4 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < nopath.json
echo " rc=$?"
ip -n n311 link show br-np
cat > mac.json <<'EOF'
{"cniVersion":"1.0.0","name":"mac","type":"bridge","bridge":"br-mac","runtimeConfig":{"mac":"02:00:00:00:11:02"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cl CNI_NETNS=/var/run/netns/qc CNI_IFNAME=net5 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;MAC=02:00:00:00:11:01' ip netns exec n311 /usr/lib/cni/bridge < mac.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=cm CNI_NETNS=/var/run/netns/qc CNI_IFNAME=net6 CNI_PATH=/usr/lib/cni CNI_ARGS='MAC=02:00:00:00:11:03' ip netns exec n311 /usr/lib/cni/bridge < l2.json
echo " rc=$?"
ip -n qc link show net6
CNI_COMMAND=ADD CNI_CONTAINERID=cn CNI_NETNS=/var/run/netns/qc CNI_IFNAME=net7 CNI_PATH=/usr/lib/cni CNI_ARGS='MAC=zz' ip netns exec n311 /usr/lib/cni/bridge < l2.json
echo " rc=$?"
cat > vlan.json <<'EOF'
{"cniVersion":"1.0.0","name":"v","type":"bridge","vlan":5000}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=co CNI_NETNS=/var/run/netns/qc CNI_IFNAME=net8 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < vlan.json
echo " rc=$?"
cat > mtus.json <<'EOF'
{"cniVersion":"1.0.0","name":"v","type":"bridge","mtu":"1400"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cp CNI_NETNS=/var/run/netns/qc CNI_IFNAME=net8 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < mtus.json
echo " rc=$?"
cat > v020.json <<'EOF'
{"cniVersion":"0.2.0","name":"v020","type":"bridge","bridge":"br-v020","isGateway":true,"ipam":{"type":"host-local","subnet":"10.31.7.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=cq CNI_NETNS=/var/run/netns/qd CNI_IFNAME=net9 CNI_PATH=/usr/lib/cni ip netns exec n311 /usr/lib/cni/bridge < v020.json
echo " rc=$?"
