# 317-cni-kubenet: the configs kubelet's kubenet generates, run by hand.
# Tests: the Kubernetes 1.19/1.20 template (range "subnet" = podCIDR with
# the gateway's host bits, "gateway" given) refused by host-local 1.1.1
# ("Network has host bits set", after the veth pair was made: kubenet's
# teardown DEL removes it), the 1.21+ template (subnet = podCIDR):
# cbr0 with the first address, a 0.1.0 result (ip4), the kubenet-loopback
# config (0.1.0, CNI_IFNAME lo), kubenet's masquerade rule, DEL.
ip netns add n317
ip netns add pa
cat > old.json <<'EOF'
{
  "cniVersion": "0.1.0",
  "name": "kubenet",
  "type": "bridge",
  "bridge": "cbr0",
  "mtu": 1460,
  "addIf": "eth0",
  "isGateway": true,
  "ipMasq": false,
  "hairpinMode": false,
  "ipam": {
    "type": "host-local",
    "ranges": [
[{
"subnet": "10.245.3.1/24",
"gateway": "10.245.3.1"
}]],
    "routes": [
      { "dst": "0.0.0.0/0" },
      { "dst": "::/0" }
    ]
  }
}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n317 /usr/lib/cni/bridge < old.json
echo " rc=$?"
CNI_COMMAND=DEL CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n317 /usr/lib/cni/bridge < old.json
echo " rc=$?"
cat > lo.json <<'EOF'
{
  "cniVersion": "0.1.0",
  "name": "kubenet-loopback",
  "type": "loopback"
}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=lo CNI_PATH=/usr/lib/cni ip netns exec n317 /usr/lib/cni/loopback < lo.json
echo " rc=$?"
cat > new.json <<'EOF'
{
  "cniVersion": "0.1.0",
  "name": "kubenet",
  "type": "bridge",
  "bridge": "cbr0",
  "mtu": 1460,
  "addIf": "eth0",
  "isGateway": true,
  "ipMasq": false,
  "hairpinMode": true,
  "ipam": {
    "type": "host-local",
    "ranges": [
[{
"subnet": "10.245.3.0/24"
}]],
    "routes": [{"dst": "0.0.0.0/0"}]
  }
}
EOF
CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n317 /usr/lib/cni/bridge < new.json
echo " rc=$?"
ip netns exec n317 iptables -t nat -A POSTROUTING -m comment --comment "kubenet: SNAT for outbound traffic from cluster" -m addrtype ! --dst-type LOCAL ! -d 10.0.0.0/8 -j MASQUERADE
ip netns exec n317 iptables-save -t nat
sleep 1
ip -n n317 -br addr show cbr0
bridge -n n317 -d link show
ip -n pa route
CNI_COMMAND=DEL CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/pa CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec n317 /usr/lib/cni/bridge < new.json
echo " rc=$?"
cat /var/lib/cni/networks/kubenet/last_reserved_ip.0
echo
