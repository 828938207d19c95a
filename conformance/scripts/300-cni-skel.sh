# 300-cni-skel: the plugin protocol of the 1.1.1 reference plugins (libcni skel),
# exercised through host-local (it needs no namespace).
# Tests: the "about" text on stderr when CNI_COMMAND is unset (exit 0); VERSION
# (compact JSON + newline, stdin ignored); the required env variables per
# command (code 4, in declaration order); config decoding errors (code 6, Go's
# json error texts); missing/invalid network name (code 7); container id and
# interface name validation (codes 3/4); version negotiation (code 1, Go %q
# lists); CHECK below 0.4.0; unknown commands; CNI_ARGS parsing (IgnoreUnknown);
# errors as indented JSON with no trailing newline, HTML-escaped like Go.
cat > ok.json <<'EOF'
{"cniVersion":"1.0.0","name":"net300","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
/usr/lib/cni/host-local
echo rc=$?
/usr/lib/cni/host-local 2>/dev/null
echo rc=$?
CNI_COMMAND=VERSION /usr/lib/cni/host-local < ok.json
echo rc=$?
CNI_COMMAND=ADD /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=DEL /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=GC CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=STATUS CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local
echo " rc=$?"
cat > bad1.json <<'EOF'
{"cniVersion":"1.0.0","name":"net300",
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < bad1.json
echo " rc=$?"
cat > bad2.json <<'EOF'
{"cniVersion":"1.0.0","name":"net300"} {}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < bad2.json
echo " rc=$?"
cat > bad3.json <<'EOF'
{"cniVersion":"1.0.0" "name":"net300"}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < bad3.json
echo " rc=$?"
cat > bad4.json <<'EOF'
{"cniVersion":"1.0.0","name":net300}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < bad4.json
echo " rc=$?"
cat > bad5.json <<'EOF'
{"cniVersion":"1.0.0","name":5,"ipam":{}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < bad5.json
echo " rc=$?"
cat > noname.json <<'EOF'
{"cniVersion":"1.0.0","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < noname.json
echo " rc=$?"
cat > badname.json <<'EOF'
{"cniVersion":"1.0.0","name":"a<b>&c","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < badname.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=-c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0123456789abcd CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=.. CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth:0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
cat > ver5.json <<'EOF'
{"cniVersion":5,"name":"net300","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ver5.json
echo " rc=$?"
cat > ver11.json <<'EOF'
{"cniVersion":"1.1.0","name":"net300","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ver11.json
echo " rc=$?"
cat > ver031.json <<'EOF'
{"cniVersion":"0.3.1","name":"net300","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ver031.json
echo " rc=$?"
cat > verabc.json <<'EOF'
{"cniVersion":"abc","name":"net300","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}
EOF
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < verabc.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=FOO CNI_CONTAINERID=c1 CNI_IFNAME=eth0 /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=K8S_POD_NAME=p1 /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=IgnoreUnknown=yes /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=a=b=c /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=p1' /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < ok.json
echo " rc=$?"
