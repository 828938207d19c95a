# 301-host-local-alloc: host-local allocation and its store.
# Tests: round-robin allocation from last_reserved_ip + 1, skipping the gateway;
# a released address is not reused until the range wraps; exhaustion ("no IP
# addresses available in range set: start-end"); the store's bytes ("<id>\r\n
# <ifname>", last_reserved_ip.N holding the address, an empty lock file);
# duplicate allocation for the same id+ifname (another ifname is fine);
# rangeStart/rangeEnd/gateway; a range set of two ranges (wrapping into the
# second); two range sets (one address each, last_reserved_ip.0 and .1);
# requested IPs from CNI_ARGS, args.cni.ips and runtimeConfig.ips (taken ->
# error); custom dataDir; resolvConf and routes in the result; CHECK; DEL by
# id+ifname, of an unknown container, and of an old-format (id only) entry;
# result versions 0.1.0/0.2.0/0.3.0/0.3.1/0.4.0.
cat > small.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301","ipam":{"type":"host-local","subnet":"10.31.0.0/29"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
cat /var/lib/cni/networks/n301/10.31.0.2
echo
cat /var/lib/cni/networks/n301/last_reserved_ip.0
echo
cat /var/lib/cni/networks/n301/lock
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=b CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
cat /var/lib/cni/networks/n301/10.31.0.3
CNI_COMMAND=ADD CNI_CONTAINERID=d CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=e CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=f CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=g CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=d CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=h CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=zzz CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
CNI_COMMAND=CHECK CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
echo x301 > /var/lib/cni/networks/n301/10.31.0.9
CNI_COMMAND=DEL CNI_CONTAINERID=x301 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < small.json
echo " rc=$?"
cat /var/lib/cni/networks/n301/10.31.0.9
cat > custom.json <<'EOF'
{"cniVersion":"0.4.0","name":"n301c","ipam":{"type":"host-local","subnet":"10.31.1.0/24","rangeStart":"10.31.1.10","rangeEnd":"10.31.1.12","gateway":"10.31.1.11"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < custom.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < custom.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < custom.json
echo " rc=$?"
cat > twor.json <<'EOF'
{"cniVersion":"0.3.1","name":"n301r","ipam":{"type":"host-local","ranges":[[{"subnet":"10.31.2.0/30"},{"subnet":"10.31.3.0/24","rangeStart":"10.31.3.100","rangeEnd":"10.31.3.101"}]]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twor.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twor.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twor.json
echo " rc=$?"
CNI_COMMAND=ADD CNI_CONTAINERID=d CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twor.json
echo " rc=$?"
cat > twosets.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301s","ipam":{"type":"host-local","ranges":[[{"subnet":"10.31.4.0/24"}],[{"subnet":"10.31.5.0/24","gateway":"10.31.5.254"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.31.4.1"}]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < twosets.json
echo " rc=$?"
cat /var/lib/cni/networks/n301s/last_reserved_ip.1
echo
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=IP=10.31.5.77 /usr/lib/cni/host-local < twosets.json
echo " rc=$?"
cat > req.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301q","ipam":{"type":"host-local","subnet":"10.31.6.0/24"},"args":{"cni":{"ips":["10.31.6.50"]}}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < req.json
echo " rc=$?"
cat > req2.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301q","ipam":{"type":"host-local","subnet":"10.31.6.0/24"},"runtimeConfig":{"ips":["10.31.6.50"]}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < req2.json
echo " rc=$?"
cat > req3.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301q","ipam":{"type":"host-local","subnet":"10.31.6.0/24"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=IP=10.31.6.3 /usr/lib/cni/host-local < req3.json
echo " rc=$?"
cat > resolv.conf <<'EOF'
# a comment
nameserver 10.96.0.10
nameserver 1.1.1.1
search default.svc.cluster.local svc.cluster.local
options ndots:5 edns0
domain cluster.local
EOF
cat > dd.json <<'EOF'
{"cniVersion":"1.0.0","name":"n301d","ipam":{"type":"host-local","subnet":"10.31.7.0/24","dataDir":"/var/lib/cni/other/","resolvConf":"resolv.conf"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < dd.json
echo " rc=$?"
cat /var/lib/cni/other/n301d/10.31.7.2
echo
cat > v010.json <<'EOF'
{"cniVersion":"0.1.0","name":"n301v","ipam":{"type":"host-local","subnet":"10.31.8.0/24","routes":[{"dst":"0.0.0.0/0","gw":"10.31.8.1"}],"resolvConf":"resolv.conf"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=v010 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < v010.json
echo " rc=$?"
cat > v020.json <<'EOF'
{"cniVersion":"0.2.0","name":"n301v","ipam":{"type":"host-local","subnet":"10.31.8.0/24","routes":[{"dst":"0.0.0.0/0","gw":"10.31.8.1"}],"resolvConf":"resolv.conf"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=v020 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < v020.json
echo " rc=$?"
cat > v030.json <<'EOF'
{"cniVersion":"0.3.0","name":"n301v","ipam":{"type":"host-local","subnet":"10.31.8.0/24","routes":[{"dst":"0.0.0.0/0","gw":"10.31.8.1"}],"resolvConf":"resolv.conf"}}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=v030 CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-local < v030.json
echo " rc=$?"
