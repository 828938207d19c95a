# 20-neigh-ping: ARP resolution driven by traffic.
# Tests: a successful ping (also with -I dev) leaves a REACHABLE entry on the pinger and a
# learned entry on the target (DELAY: created STALE by the ARP request, then
# used for the echo reply), a ping to an absent host leaves FAILED after the
# 3 ARP probes (1 s apart) with "From <own addr> icmp_seq=1 Destination Host
# Unreachable" and "+1 errors" (the local ICMP error is delivered through lo,
# so lo must be up), and a failed entry is shown as FAILED without lladdr.

ip netns add n20a
ip netns add n20b
ip link add v20a netns n20a address 02:00:00:00:20:0a type veth peer name v20b netns n20b address 02:00:00:00:20:0b
ip -n n20a link set lo up
ip -n n20a link set v20a up
ip -n n20b link set v20b up
ip -n n20a addr add 10.20.0.1/24 dev v20a
ip -n n20b addr add 10.20.0.2/24 dev v20b
ip -n n20a neigh show
ip netns exec n20a ping -c 1 -W 1 10.20.0.2
ip -n n20a neigh show
ip -n n20b neigh show
ip -n n20a -j neigh show
ip netns exec n20a ping -c 1 -W 1 -I v20a 10.20.0.2
ip netns exec n20a ping -c 1 -W 5 10.20.0.9
echo rc=$?
ip -n n20a neigh show 10.20.0.9
ip -n n20a -j neigh show 10.20.0.9
