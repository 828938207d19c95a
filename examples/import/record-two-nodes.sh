#!/bin/bash
# Records the two-node fixture of examples/import on the real kernel: two
# "nodes" (namespaces node1, node2) on one LAN, each running the reference
# bridge CNI plugin (bridge + host-local, no ipMasq) for its pods, routes to the
# other node's pod CIDR via that node (flannel host-gw style); the collector run
# once per node, inside the node's namespace (node1.bundle is written as
# two-node-1.bundle, node2's as two-node-2.bundle), then what the kernel answers
# to pings across the nodes and the counters they moved (two-node-kernel.txt).
# Run as root, in a throwaway sandbox (nothing leaves the namespaces it
# creates), from the repository root:
#
#   mkdir -p /run/netns
#   unshare --net --mount --propagation private --pid --fork --mount-proc \
#     bash -c 'mount -t tmpfs tmpfs /run/netns; ip link set lo up; bash examples/import/record-two-nodes.sh examples/import'
#
# The LAN: each node's eth0 is a macvlan (mode bridge) of one device lan0 (a
# veth, up, in the sandbox's own namespace, which nobody collects). Sibling macvlans
# in bridge mode reach each other as NICs on one switch would, and the
# collector sees a device of kind macvlan (not a veth whose peer it would look
# for), so the import infers the switch from the nodes' addresses.
#
# Needs iproute2, iptables, iputils-ping and the CNI plugins in /usr/lib/cni.
set -u
OUT=$(cd "${1:-.}" && pwd)
COLLECTOR=$(cd "$(dirname "$0")/../.." && pwd)/src/collect/podnet-collect.sh
# host-local's store and the CNI configuration, private to the sandbox (fixed paths: they are in the bundles).
mkdir -p /var/lib/cni /etc/cni
mount -t tmpfs tmpfs /var/lib/cni
mount -t tmpfs tmpfs /etc/cni

# The LAN.
ip link add lan0 type veth peer name lan0peer
ip link set lan0 up
ip link set lan0peer up
n=1
for node in node1 node2; do
  ip netns add $node
  ip -n $node link set lo up
  ip link add nic$n link lan0 type macvlan mode bridge
  ip link set nic$n netns $node
  ip -n $node link set nic$n name eth0
  ip -n $node addr add 192.168.41.$n/24 dev eth0
  ip -n $node link set eth0 up
  mkdir -p /etc/cni/$node/net.d /var/lib/cni/$node
  cat > /etc/cni/$node/net.d/10-mynet.conflist <<J
{"cniVersion":"1.0.0","name":"mynet","plugins":[{"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":false,"ipam":{"type":"host-local","subnet":"10.41.$n.0/24","dataDir":"/var/lib/cni/$node/networks","routes":[{"dst":"0.0.0.0/0"}]}}]}
J
  # What libcni hands the plugin from that list (its name and cniVersion injected).
  cat > /etc/cni/$node/bridge.json <<J
{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":false,"ipam":{"type":"host-local","subnet":"10.41.$n.0/24","dataDir":"/var/lib/cni/$node/networks","routes":[{"dst":"0.0.0.0/0"}]}}
J
  n=$((n + 1))
done
# host-gw: each node routes the other node's pod CIDR via that node's address.
ip -n node1 route add 10.41.2.0/24 via 192.168.41.2 dev eth0
ip -n node2 route add 10.41.1.0/24 via 192.168.41.1 dev eth0

# The pods' sandboxes, named as containerd names them, set up by each node's plugin with the kubelet's CNI_ARGS.
WEB=cni-41a0c1d2-0e3f-4a5b-8c6d-7e8f90a1b2c3
CACHE=cni-41b1d2e3-1f40-4b6c-9d7e-8f90a1b2c3d4
API=cni-41c2e3f4-2051-4c7d-ae8f-90a1b2c3d4e5
for pod in node1:web:$WEB:41aa00112233445566778899aabbccddeeff00112233445566778899aabbccdd \
           node1:cache:$CACHE:41bb00112233445566778899aabbccddeeff00112233445566778899aabbccdd \
           node2:api:$API:41cc00112233445566778899aabbccddeeff00112233445566778899aabbccdd; do
  node=${pod%%:*}; rest=${pod#*:}; name=${rest%%:*}; rest=${rest#*:}; ns=${rest%%:*}; id=${rest#*:}
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec $node env CNI_COMMAND=ADD CNI_CONTAINERID=$id CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$name;K8S_POD_INFRA_CONTAINER_ID=$id" \
    /usr/lib/cni/bridge < /etc/cni/$node/bridge.json > /dev/null || echo "ADD $name failed" >&2
done

# Evidence rules (they count, they change nothing): who the receiver sees pinging it.
ip netns exec $API iptables -A INPUT -s 10.41.1.2/32 -p icmp
ip netns exec $API iptables -A INPUT -s 192.168.41.1/32 -p icmp
ip netns exec $WEB iptables -A INPUT -s 10.41.2.2/32 -p icmp
ip netns exec node2 iptables -A INPUT -s 10.41.1.3/32 -p icmp
ip netns exec node2 iptables -A INPUT -s 192.168.41.1/32 -p icmp
sleep 2

ip netns exec node1 sh "$COLLECTOR" --name node1 --netns $WEB --netns $CACHE \
  --cni-conf-dir /etc/cni/node1/net.d --cni-state-dir /var/lib/cni/node1 > "$OUT/two-node-1.bundle"
ip netns exec node2 sh "$COLLECTOR" --name node2 --netns $API \
  --cni-conf-dir /etc/cni/node2/net.d --cni-state-dir /var/lib/cni/node2 > "$OUT/two-node-2.bundle"

# What the kernel answers (each command, then its output).
run() { echo "\$ $*"; "$@" 2>&1; }
{
  run ip netns exec $WEB ping -c 1 -W 1 10.41.2.2
  run ip netns exec $API ping -c 1 -W 1 10.41.1.2
  run ip netns exec $WEB ping -c 1 -W 1 10.41.1.3
  run ip netns exec $CACHE ping -c 1 -W 1 192.168.41.2
  run ip netns exec node1 ping -c 1 -W 1 10.41.2.2
  run ip netns exec $API iptables -L INPUT -v -n -x
  run ip netns exec $WEB iptables -L INPUT -v -n -x
  run ip netns exec node2 iptables -L INPUT -v -n -x
  run ip netns exec node1 ip route
  run ip netns exec $WEB traceroute -n -q 1 -w 1 10.41.2.2
} > "$OUT/two-node-kernel.txt"
