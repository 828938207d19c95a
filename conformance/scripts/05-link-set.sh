# 05-link-set: changing link attributes.
# Tests: mtu (set, and out-of-range errors), MAC address change (and an
# invalid broadcast MAC), renaming (also while up: allowed on this kernel),
# operations on the old name after a rename, -d output of a veth, JSON and
# -br after the changes, combined `mtu N up` in one command.

ip netns add n05
ip -n n05 link add v05a type veth peer name v05b
ip -n n05 link set v05a mtu 9000
ip -n n05 link set v05a mtu 70000
echo rc=$?
ip -n n05 link set v05a mtu 60
echo rc=$?
ip -n n05 link set v05a address 02:00:00:00:05:0a
ip -n n05 link set v05a address ff:ff:ff:ff:ff:ff
echo rc=$?
ip -n n05 link set v05a name v05z
ip -n n05 link show v05z
ip -n n05 link set v05a up
echo rc=$?
ip -n n05 link set v05z up
ip -n n05 link set v05z name v05y
echo rc=$?
ip -n n05 link set v05b up
ip -n n05 link show
ip -n n05 link set v05y name v05b
echo rc=$?
ip -n n05 -d link show v05y
ip -n n05 -j link show v05y
ip -n n05 link set dev v05b mtu 1400 down
ip -n n05 -br link show
ip -n n05 link show v05y
