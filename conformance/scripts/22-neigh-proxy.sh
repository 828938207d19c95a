# 22-neigh-proxy: per-address proxy ARP entries (ip neigh add proxy).
# Tests: add/show/del of proxy entries (text and JSON), with proxy_arp=0 a
# proxy entry makes the router answer ARP for that single address, so the
# client reaches it; an address without entry stays unanswered.

ip netns add n22c
ip netns add n22r
ip netns add n22s
ip link add v22c netns n22c type veth peer name v22rc netns n22r
ip link add v22s netns n22s type veth peer name v22rs netns n22r
ip -n n22c link set lo up
ip -n n22c link set v22c up
ip -n n22r link set v22rc up
ip -n n22r link set v22rs up
ip -n n22s link set v22s up
ip -n n22c addr add 10.22.0.2/16 dev v22c
ip -n n22r addr add 10.22.0.1/24 dev v22rc
ip -n n22r addr add 10.22.1.1/24 dev v22rs
ip -n n22s addr add 10.22.1.2/24 dev v22s
ip -n n22s addr add 10.22.1.3/24 dev v22s
ip -n n22s route add default via 10.22.1.1
ip netns exec n22r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n22r sysctl -qw net.ipv4.conf.all.proxy_arp=0
ip netns exec n22r sysctl -qw net.ipv4.conf.v22rc.proxy_arp=0
ip -n n22r neigh add proxy 10.22.1.2 dev v22rc
ip -n n22r neigh show proxy
ip -n n22r -j neigh show proxy
ip -n n22r neigh show
ip netns exec n22c ping -c 1 -W 2 10.22.1.2
echo rc=$?
ip netns exec n22c ping -c 1 -W 5 10.22.1.3
echo rc=$?
ip -n n22r neigh del proxy 10.22.1.2 dev v22rc
ip -n n22r neigh del proxy 10.22.1.2 dev v22rc
echo rc=$?
ip -n n22r neigh show proxy
