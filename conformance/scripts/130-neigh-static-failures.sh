# 130-neigh-static-failures: neighbour entries going wrong on a pod
# network: a stale static ARP entry for the gateway, a failed resolution, a
# replaced entry, and what ping and ip neigh show for each.
# Node n130: bridge br130 10.130.0.1/24 (MAC 02:00:00:00:30:b0), pods n130a
# (10.130.0.2, MAC ..:0a) and n130b (10.130.0.3, MAC ..:0b); uplink v130u
# 10.130.9.1/24 to n130x (10.130.9.2).
# Tests: a permanent entry with a wrong MAC for the gateway on pod a: the
# gateway and the outside are unreachable (no reply, no error), ip neigh
# shows PERMANENT; add over it: File exists; `replace ... nud reachable`
# fixes it; a ping to an absent pod address: Destination Host Unreachable
# from the pod itself after the ARP timeout, entry FAILED; `nud noarp`
# without lladdr: No link layer address given; neigh del / flush (a
# missing entry: No such file or directory); ip -j neigh of one entry.

ip netns add n130
ip netns add n130a
ip netns add n130b
ip netns add n130x
ip -n n130 link add br130 address 02:00:00:00:30:b0 type bridge
ip -n n130 addr add 10.130.0.1/24 dev br130
ip -n n130 link set br130 up
ip -n n130 link add v130a type veth peer name eth0 netns n130a address 02:00:00:00:30:0a
ip -n n130 link add v130b type veth peer name eth0 netns n130b address 02:00:00:00:30:0b
ip -n n130 link set v130a master br130 up
ip -n n130 link set v130b master br130 up
ip -n n130a addr add 10.130.0.2/24 dev eth0
ip -n n130b addr add 10.130.0.3/24 dev eth0
ip -n n130a link set eth0 up
ip -n n130b link set eth0 up
ip -n n130a link set lo up
ip -n n130a route add default via 10.130.0.1
ip -n n130b route add default via 10.130.0.1
ip link add v130u netns n130 type veth peer name eth0 netns n130x
ip -n n130 addr add 10.130.9.1/24 dev v130u
ip -n n130x addr add 10.130.9.2/24 dev eth0
ip -n n130 link set v130u up
ip -n n130x link set eth0 up
ip -n n130x route add 10.130.0.0/24 via 10.130.9.1
ip netns exec n130 sysctl -qw net.ipv4.ip_forward=1
ip -n n130a neigh add 10.130.0.1 lladdr 02:00:00:00:30:ee dev eth0 nud permanent
ip -n n130a neigh show 10.130.0.1
ip netns exec n130a ping -c 1 -W 1 10.130.0.1
echo rc=$?
ip netns exec n130a ping -c 1 -W 1 10.130.9.2
echo rc=$?
ip -n n130a neigh add 10.130.0.1 lladdr 02:00:00:00:30:b0 dev eth0
echo rc=$?
ip -n n130a neigh replace 10.130.0.1 lladdr 02:00:00:00:30:b0 dev eth0 nud reachable
ip -n n130a neigh show 10.130.0.1
ip netns exec n130a ping -c 1 -W 1 10.130.9.2
ip -n n130a -j neigh show 10.130.0.1
ip netns exec n130a ping -c 1 -W 5 10.130.0.77
echo rc=$?
ip -n n130a neigh show 10.130.0.77
ip -n n130a neigh del 10.130.0.77 dev eth0
ip -n n130a neigh show 10.130.0.77
ip netns exec n130b ping -c 1 -W 1 10.130.0.2
ip -n n130b neigh show 10.130.0.2
ip -n n130 neigh show dev v130u
ip -n n130 neigh add 10.130.9.99 dev v130u nud noarp
ip -n n130 neigh show 10.130.9.99
ip -n n130 neigh show 10.130.9.99 nud noarp
ip -n n130 neigh flush dev v130u
ip -n n130 neigh show dev v130u
ip -n n130 neigh del 10.130.9.99 dev v130u
echo rc=$?
ip -n n130a neigh flush all
ip -n n130a neigh show
