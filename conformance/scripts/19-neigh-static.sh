# 19-neigh-static: managing neighbour entries by hand.
# Tests: neigh add (default nud permanent), nud noarp (hidden from a plain
# show), nud stale, nud reachable; show by address (text, JSON) - a full
# `ip neigh show` with several entries is NOT compared: the kernel dumps the
# neighbour hash table, whose order depends on a per-boot random seed;
# adding an existing entry (RTNETLINK answers: File exists), replace (changes
# lladdr, creates missing), del of present and missing entries (RTNETLINK
# answers: No such file or directory), a missing device, flush dev (keeps
# PERMANENT entries, removes the others), entries vanish when the link goes
# down.

ip netns add n19
ip -n n19 link add v19a type veth peer name v19b
ip -n n19 link set v19a up
ip -n n19 link set v19b up
ip -n n19 addr add 10.19.0.1/24 dev v19a
ip -n n19 neigh add 10.19.0.2 lladdr 02:00:00:00:19:02 dev v19a
ip -n n19 neigh add 10.19.0.3 lladdr 02:00:00:00:19:03 dev v19a nud noarp
ip -n n19 neigh add 10.19.0.4 lladdr 02:00:00:00:19:04 dev v19a nud stale
ip -n n19 neigh add 10.19.0.5 lladdr 02:00:00:00:19:05 dev v19a nud reachable
ip -n n19 neigh show 10.19.0.2
ip -n n19 neigh show 10.19.0.3
ip -n n19 neigh show 10.19.0.4
ip -n n19 neigh show 10.19.0.5 dev v19a
ip -n n19 -j neigh show 10.19.0.2
ip -n n19 -j neigh show 10.19.0.4
ip -n n19 neigh add 10.19.0.2 lladdr 02:00:00:00:19:22 dev v19a
echo rc=$?
ip -n n19 neigh replace 10.19.0.2 lladdr 02:00:00:00:19:22 dev v19a
ip -n n19 neigh replace 10.19.0.6 lladdr 02:00:00:00:19:06 dev v19a
ip -n n19 neigh show 10.19.0.2
ip -n n19 neigh show 10.19.0.6
ip -n n19 neigh del 10.19.0.3 dev v19a
ip -n n19 neigh del 10.19.0.3 dev v19a
echo rc=$?
ip -n n19 neigh add 10.19.0.7 lladdr 02:00:00:00:19:07 dev v19x
echo rc=$?
ip -n n19 neigh add 10.19.9.9 lladdr 02:00:00:00:19:09 dev v19b
ip -n n19 neigh show dev v19b
ip -n n19 neigh flush dev v19a
echo rc=$?
ip -n n19 neigh show 10.19.0.4
ip -n n19 neigh show 10.19.0.5
ip -n n19 neigh show 10.19.0.6
ip -n n19 link set v19a down
ip -n n19 neigh show dev v19a
ip -n n19 neigh show
