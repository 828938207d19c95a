# 304-cni-static: the static IPAM plugin.
# Tests: addresses with and without gateway (address kept as written, host bits
# included), routes and dns from the config, CNI_ARGS IP= (comma list, added to
# the configured ones) and GATEWAY= (set on the CNI_ARGS addresses it
# contains), args.cni.ips and runtimeConfig.ips replacing the configured list,
# result versions 0.2.0/0.3.1/0.4.0, two addresses below 0.3.0, no addresses
# (fine in 1.0.0, "cannot convert" in 0.2.0), the CIDR-notation errors, DEL
# (always succeeds), CHECK against a prevResult.
cat > s1.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24","gateway":"10.34.0.1"},{"address":"10.35.0.7/16"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.34.0.1"}],"dns":{"nameservers":["10.96.0.10"],"search":["svc.local"]}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=10.36.0.2/24,10.37.0.3/24;GATEWAY=10.37.0.1' /usr/lib/cni/static < s1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=10.36.0.2' /usr/lib/cni/static < s1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IP=10.36.0.2/24;GATEWAY=bad' /usr/lib/cni/static < s1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='GATEWAY=10.34.0.1' /usr/lib/cni/static < s1.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='FOO=1' /usr/lib/cni/static < s1.json
echo " rc=$?"
cat > s2.json <<'EOF'
{"cniVersion":"0.3.1","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24"}]},"args":{"cni":{"ips":["10.38.0.9/24"]}},"runtimeConfig":{"ips":["10.39.0.9/24","10.40.0.9/8"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s2.json
echo " rc=$?"
cat > s3.json <<'EOF'
{"cniVersion":"0.4.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24"}]},"args":{"cni":{"ips":["10.38.0.9/24"]}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s3.json
echo " rc=$?"
cat > s4.json <<'EOF'
{"cniVersion":"0.2.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24","gateway":"10.34.0.1"}],"routes":[{"dst":"10.0.0.0/8"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s4.json
echo " rc=$?"
cat > s5.json <<'EOF'
{"cniVersion":"0.2.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24"},{"address":"10.35.0.5/24"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s5.json
echo " rc=$?"
cat > s6.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s6.json
echo " rc=$?"
cat > s7.json <<'EOF'
{"cniVersion":"0.2.0","name":"st","ipam":{"type":"static"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s7.json
echo " rc=$?"
cat > s8.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s8.json
echo " rc=$?"
cat > s9.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static"},"runtimeConfig":{"ips":["10.34.0.5"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s9.json
echo " rc=$?"
cat > s10.json <<'EOF'
{"cniVersion":"1.0.0","name":"st"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s10.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s10.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < s1.json
echo " rc=$?"
cat > c1.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24","gateway":"10.34.0.1"}]},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.34.0.5/24","gateway":"10.34.0.1"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < c1.json
echo " rc=$?"
cat > c2.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24","gateway":"10.34.0.1"}]},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.34.0.5/24","gateway":"10.34.0.9"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < c2.json
echo " rc=$?"
cat > c3.json <<'EOF'
{"cniVersion":"1.0.0","name":"st","ipam":{"type":"static","addresses":[{"address":"10.34.0.5/24"}]}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c304 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/static < c3.json
echo " rc=$?"
