# 303-cni-loopback: the loopback plugin on a fresh namespace.
# Tests: ADD sets lo up (127.0.0.1/8 and its local routes appear) and reports
# lo with MAC 00:00:00:00:00:00, sandbox = CNI_NETNS verbatim, 127.0.0.1/8 and
# ::1/128 on interface 0 (CNI_IFNAME ignored); the result is a 1.0.0 struct
# labelled with the config's version, printed unconverted for 0.3.1 and 0.2.0
# (no ips[].version), converted to ip4/ip6 when cniVersion is absent; CHECK;
# DEL sets lo down; CHECK then fails; missing and non-namespace netns paths;
# DEL of a vanished netns or without CNI_NETNS succeeds; a prevResult is passed
# through (re-encoded: unknown fields dropped); a prevResult of another version
# and a non-object prevResult fail; a non-loopback address on lo fails.
ip netns add p303
cat > lo100.json <<'EOF'
{"cniVersion":"1.0.0","name":"lo","type":"loopback"}
EOF
cat > lo031.json <<'EOF'
{"cniVersion":"0.3.1","name":"lo","type":"loopback"}
EOF
cat > lo020.json <<'EOF'
{"cniVersion":"0.2.0","name":"lo","type":"loopback"}
EOF
cat > lonover.json <<'EOF'
{"name":"lo","type":"loopback"}
EOF
ip -n p303 link show lo
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=whatever CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
ip -n p303 link show lo
ip -n p303 addr show lo
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo031.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo020.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lonover.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
ip -n p303 link show lo
CNI_COMMAND=CHECK CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/nope CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/ CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/nope CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
cat > prev.json <<'EOF'
{"cniVersion":"1.0.0","name":"lo","type":"loopback","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:03:03","sandbox":"/var/run/netns/p303","mtu":1500}],"ips":[{"interface":0,"address":"10.33.0.5/24","gateway":"10.33.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{"nameservers":["10.96.0.10"]},"extra":true}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < prev.json
echo " rc=$?"
cat > prevnover.json <<'EOF'
{"cniVersion":"0.4.0","name":"lo","type":"loopback","prevResult":{"interfaces":[{"name":"eth0"}],"ips":[{"version":"4","interface":0,"address":"10.33.0.5/24"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < prevnover.json
echo " rc=$?"
cat > prevmismatch.json <<'EOF'
{"cniVersion":"1.0.0","name":"lo","type":"loopback","prevResult":{"cniVersion":"0.3.1","ips":[{"version":"4","address":"10.33.0.5/24"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < prevmismatch.json
echo " rc=$?"
cat > prevstr.json <<'EOF'
{"cniVersion":"1.0.0","name":"lo","type":"loopback","prevResult":"x"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < prevstr.json
echo " rc=$?"
cat > prevbadaddr.json <<'EOF'
{"cniVersion":"1.0.0","name":"lo","type":"loopback","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.33.0.5"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < prevbadaddr.json
echo " rc=$?"
ip netns add p303b
ip -n p303b addr add 10.33.0.1/8 dev lo
CNI_COMMAND=ADD CNI_CONTAINERID=c303 CNI_NETNS=/var/run/netns/p303b CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/loopback < lo100.json
echo " rc=$?"
ip -n p303b link show lo
