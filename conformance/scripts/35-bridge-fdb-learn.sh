# 35-bridge-fdb-learn: MAC learning on a bridge (node namespace with two pods).
# Tests: after pod-to-pod pings, `bridge fdb show br` lists per port (ports in
# ifindex order, newest entry first): the learned pod MAC (no state word;
# JSON "state":""), the port's own MAC as `master br permanent`, then the
# port's multicast `self permanent` entries (33:33:00:00:00:01,
# 01:00:5e:00:00:01, 33:33:ff:<last 3 bytes>); the bridge device's own self
# entries first. Per-port view with brport, JSON view.
# All MACs are fixed (02:00:00:...) so the dump is deterministic; the pods'
# IPv6 traffic may teach the bridge earlier, so the fdb is only shown after
# the pings.

ip netns add n35
ip netns add n35p1
ip netns add n35p2
ip -n n35 link add br35 address 02:00:00:00:35:b0 type bridge
ip -n n35 link add v35h1 address 02:00:00:00:35:11 type veth peer name eth0 netns n35p1 address 02:00:00:00:35:12
ip -n n35 link add v35h2 address 02:00:00:00:35:21 type veth peer name eth0 netns n35p2 address 02:00:00:00:35:22
ip -n n35 link set v35h1 master br35
ip -n n35 link set v35h2 master br35
ip -n n35 link set br35 up
ip -n n35 link set v35h1 up
ip -n n35 link set v35h2 up
ip -n n35p1 link set eth0 up
ip -n n35p2 link set eth0 up
ip -n n35p1 addr add 10.35.0.2/24 dev eth0
ip -n n35p2 addr add 10.35.0.3/24 dev eth0
ip netns exec n35p1 ping -c 1 -W 1 10.35.0.3
ip netns exec n35p2 ping -c 1 -W 1 10.35.0.2
bridge -n n35 fdb show br br35
bridge -n n35 fdb show brport v35h2
bridge -n n35 -j fdb show brport v35h1
ip -n n35p1 neigh show dev eth0
