# 104-neigh-misc: neighbour entries from the command line.
# Tests: `router` flag (text and JSON), `nud noarp` shown only with
# `nud noarp`/`nud all`, change of an absent entry (No such file or
# directory), change of a present one, proxy entries in several hash buckets
# (dump order), adding an existing proxy entry (no error), flush keeps
# permanent entries unless `nud permanent`, entries vanish when their
# link goes down (carrier loss keeps PERMANENT and proxy entries, drops
# NOARP ones), no lladdr in a namespace without a local table (broadcast).
# Multi-entry dumps are avoided: their order follows a per-boot hash.

ip netns add n104
ip -n n104 link add v104a type veth peer name v104b
ip -n n104 link set v104a up
ip -n n104 link set v104b up
ip -n n104 neigh add 10.104.0.2 lladdr 02:00:00:00:01:02 dev v104a router
ip -n n104 neigh add 10.104.0.3 lladdr 02:00:00:00:01:03 dev v104a nud noarp
ip -n n104 neigh show dev v104a
ip -n n104 -j neigh show dev v104a
ip -4 -n n104 neigh show nud noarp
ip -4 -n n104 neigh show nud all 10.104.0.3
ip -n n104 neigh change 10.104.0.9 lladdr 02:00:00:00:01:09 dev v104a
echo rc=$?
ip -n n104 neigh change 10.104.0.2 lladdr 02:00:00:00:01:22 dev v104a nud stale
ip -n n104 neigh show 10.104.0.2
ip -n n104 neigh add proxy 10.104.1.1 dev v104a
ip -n n104 neigh add proxy 10.104.1.2 dev v104a
ip -n n104 neigh add proxy 10.104.1.17 dev v104a
ip -n n104 neigh add proxy 192.168.5.5 dev v104b
ip -n n104 neigh add proxy 10.104.1.1 dev v104a
echo rc=$?
ip -n n104 neigh show proxy
ip -n n104 -j neigh show proxy
ip -n n104 neigh add 10.104.0.4 lladdr 02:00:00:00:01:04 dev v104a nud reachable
ip -n n104 neigh add 10.104.0.5 lladdr 02:00:00:00:01:05 dev v104a
ip -n n104 neigh flush dev v104a
ip -4 -n n104 neigh show nud all 10.104.0.4
ip -4 -n n104 neigh show nud all 10.104.0.5
ip -n n104 neigh flush dev v104a nud permanent
ip -4 -n n104 neigh show nud all 10.104.0.5
ip -n n104 neigh add 10.104.0.6 dev v104a
echo rc=$?
ip -n n104 neigh add 10.104.0.7 lladdr 02:00:00:00:01:07 dev v104b
ip -n n104 link set v104b down
ip -4 -n n104 neigh show nud all
ip -n n104 neigh show proxy
