# 302-host-local-config: host-local's config errors, each as the real binary
# reports it (code 999, Go error texts): missing ipam, no ranges, invalid or too
# small subnets, host bits, rangeStart/rangeEnd outside the network, invalid
# gateways (Go >= 1.17 rejects leading zeros), null and wrongly typed fields
# (json type errors with their Go struct field context), empty or overlapping
# range sets, more than one range set below 0.3.0, invalid routes and
# requested IPs, a missing resolvConf, requesting the gateway or an address
# outside every range set; plus case-insensitive keys and duplicate keys (the
# last wins), which succeed.
cat > noipam.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < noipam.json
echo " rc=$?"
cat > emptyipam.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < emptyipam.json
echo " rc=$?"
cat > ipamstr.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":"host-local"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ipamstr.json
echo " rc=$?"
cat > badcidr.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/33"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badcidr.json
echo " rc=$?"
cat > nocidr.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < nocidr.json
echo " rc=$?"
cat > small.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.1/31"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
cat > hostbits.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.5/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < hostbits.json
echo " rc=$?"
cat > startout.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","rangeStart":"10.32.1.10"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < startout.json
echo " rc=$?"
cat > endout.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","rangeEnd":"10.32.1.10"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < endout.json
echo " rc=$?"
cat > endbeforestart.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","rangeStart":"10.32.0.50","rangeEnd":"10.32.0.10"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < endbeforestart.json
echo " rc=$?"
cat > badgw.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","gateway":"10.32.0.256"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badgw.json
echo " rc=$?"
cat > leadingzero.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","gateway":"10.32.0.01"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < leadingzero.json
echo " rc=$?"
cat > nullgw.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","gateway":null}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < nullgw.json
echo " rc=$?"
cat > nullsubnet.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":null}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < nullsubnet.json
echo " rc=$?"
cat > numsubnet.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":10}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < numsubnet.json
echo " rc=$?"
cat > objranges.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":{}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < objranges.json
echo " rc=$?"
cat > emptyset.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":[[]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < emptyset.json
echo " rc=$?"
cat > nosubnetinset.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":[[{"rangeStart":"10.32.0.5"}]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < nosubnetinset.json
echo " rc=$?"
cat > overlapset.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":[[{"subnet":"10.32.0.0/24"},{"subnet":"10.32.0.0/25"}]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < overlapset.json
echo " rc=$?"
cat > overlapsets.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":[[{"subnet":"10.32.0.0/24"}],[{"subnet":"10.32.0.0/16"}]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < overlapsets.json
echo " rc=$?"
cat > twofam020.json <<'EOF'
{"cniVersion":"0.2.0","name":"n302","ipam":{"type":"host-local","ranges":[[{"subnet":"10.32.0.0/24"}],[{"subnet":"10.33.0.0/24"}]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twofam020.json
echo " rc=$?"
cat > badroute.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","routes":[{"dst":"default"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badroute.json
echo " rc=$?"
cat > badroutegw.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","routes":[{"dst":"0.0.0.0/0","gw":5}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badroutegw.json
echo " rc=$?"
cat > routesobj.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","routes":{"dst":"0.0.0.0/0"}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < routesobj.json
echo " rc=$?"
cat > badips.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24"},"args":{"cni":{"ips":["10.32.0.x"]}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badips.json
echo " rc=$?"
cat > numips.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24"},"runtimeConfig":{"ips":[7]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < numips.json
echo " rc=$?"
cat > twoerrs.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","dataDir":5,"gateway":"x"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twoerrs.json
echo " rc=$?"
cat > resolvmissing.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","resolvConf":"/nonexistent/resolv.conf"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < resolvmissing.json
echo " rc=$?"
cat > reqgw.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24"},"args":{"cni":{"ips":["10.32.0.1"]}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < reqgw.json
echo " rc=$?"
cat > reqout.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24"},"runtimeConfig":{"ips":["10.99.0.5"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < reqout.json
echo " rc=$?"
cat > reqoutrange.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.0.0/24","rangeStart":"10.32.0.100"},"runtimeConfig":{"ips":["10.32.0.5/24"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < reqoutrange.json
echo " rc=$?"
cat > caseins.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","IPAM":{"Type":"host-local","SUBNET":"10.32.0.0/30","Routes":[{"DST":"0.0.0.0/0","GW":"10.32.0.1"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < caseins.json
echo " rc=$?"
cat > dupkey.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","subnet":"10.32.1.0/30","subnet":"10.32.2.0/30"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < dupkey.json
echo " rc=$?"
cat > nullrange.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302","ipam":{"type":"host-local","ranges":[[{"subnet":"10.32.3.0/30"}],null]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < nullrange.json
echo " rc=$?"
cat > plain.json <<'EOF'
{"cniVersion":"1.0.0","name":"n302b","ipam":{"type":"host-local","subnet":"10.32.4.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c302b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=10.32.0.x' /usr/lib/cni/host-local < plain.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c302b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=' /usr/lib/cni/host-local < plain.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c302b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=10.32.4.7/24;IgnoreUnknown=true;K8S_POD_NAME=x' /usr/lib/cni/host-local < plain.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c302b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='CommonArgs=1' /usr/lib/cni/host-local < plain.json
echo " rc=$?"
