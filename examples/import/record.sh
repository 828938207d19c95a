#!/bin/bash
# Records the fixture of examples/import on the real kernel: a node running the
# reference bridge CNI plugin (bridge + host-local, ipMasq) for three pods, the
# collector's bundle of it (node1.bundle), then what the kernel answers to five
# pings and the counters they moved (kernel.txt). Run as root, in a throwaway
# sandbox (nothing leaves the namespaces it creates), from the repository root:
#
#   mkdir -p /run/netns
#   unshare --net --mount --propagation private --pid --fork --mount-proc \
#     bash -c 'mount -t tmpfs tmpfs /run/netns; ip link set lo up; bash examples/import/record.sh examples/import'
#
# Needs iproute2, iptables, iputils-ping and the CNI plugins in /usr/lib/cni.
set -u
OUT=$(cd "${1:-.}" && pwd)
COLLECTOR=$(cd "$(dirname "$0")/../.." && pwd)/src/collect/podnet-collect.sh
WORK=$(mktemp -d)
cd "$WORK"
# host-local's store, private to the sandbox.
mkdir -p /var/lib/cni && mount -t tmpfs tmpfs /var/lib/cni
mkdir -p net.d

# The node's NIC (eth0) and a server beyond it: the namespace "outside".
ip netns add outside
ip link add eth0 type veth peer name eth0 netns outside
ip addr add 192.168.40.1/24 dev eth0
ip link set eth0 up
ip -n outside addr add 192.168.40.2/24 dev eth0
ip -n outside link set eth0 up
ip -n outside link set lo up

# The node's CNI configuration, and what libcni hands the plugin from it (the list's name and cniVersion injected).
cat > net.d/10-mynet.conflist <<'J'
{"cniVersion":"1.0.0","name":"mynet","plugins":[{"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.40.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}]}
J
cat > bridge.json <<'J'
{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.40.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}
J

# The pods' sandboxes, named as containerd names them, set up with the kubelet's CNI_ARGS.
FE=cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31
BE=cni-a1f2e3d4-5b6c-4d7e-8f90-1a2b3c4d5e6f
DB=cni-0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f
for pod in frontend:$FE:7f3a9c0d1e2b4a5c6d7e8f9011223344556677889900aabbccddeeff00112233 \
           backend:$BE:1b2c3d4e5f60718293a4b5c6d7e8f9011223344556677889900aabbccddeeff01 \
           db:$DB:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a1908f7e6d5c4b; do
  name=${pod%%:*}; rest=${pod#*:}; ns=${rest%%:*}; id=${rest#*:}
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  CNI_COMMAND=ADD CNI_CONTAINERID=$id CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
    CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$name;K8S_POD_INFRA_CONTAINER_ID=$id" \
    /usr/lib/cni/bridge < bridge.json > /dev/null || echo "ADD $name failed" >&2
done

# Evidence rules (they count, they change nothing): whom backend sees pinging it, whom the server sees.
ip netns exec $BE iptables -A INPUT -s 10.40.0.2/32 -p icmp
ip netns exec $BE iptables -A INPUT -s 192.168.40.1/32 -p icmp
ip netns exec outside iptables -A INPUT -s 192.168.40.1/32 -p icmp
ip netns exec outside iptables -A INPUT -s 10.40.0.0/24 -p icmp
sleep 2

sh "$COLLECTOR" --name node1 --cni-conf-dir ./net.d > "$OUT/node1.bundle"

# What the kernel answers (each command, then its output).
run() { echo "\$ $*"; "$@" 2>&1; }
{
  run ip netns exec $FE ping -c 1 -W 1 10.40.0.3
  run ip netns exec $DB ping -c 1 -W 1 10.40.0.3
  run ip netns exec $FE ping -c 1 -W 1 192.168.40.2
  run ip netns exec $DB ping -c 1 -W 1 192.168.40.2
  run ping -c 1 -W 1 10.40.0.3
  run ip netns exec $BE iptables -L INPUT -v -n -x
  run ip netns exec outside iptables -L INPUT -v -n -x
  run iptables -t nat -L POSTROUTING -v -n -x
  run iptables -t nat -S
} > "$OUT/kernel.txt"
cd / && rm -rf "$WORK"
