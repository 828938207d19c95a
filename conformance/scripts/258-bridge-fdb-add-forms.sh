# 258-bridge-fdb-add-forms: `bridge fdb add/replace/del ... master` with each
# state keyword, with and without `self` (rtnl_fdb_add: the master's table
# first, then the device's own one). Tests: br_fdb_add -> fdb_add_entry():
# `dynamic` (NUD_REACHABLE) needs the port in learning/forwarding state
# (EPERM on a disabled port: bridge down, port down or no carrier), EEXIST
# before that only when the port forwards; a dynamic user entry prints no
# state ("master br0 " with its trailing space, "state":"" in -j);
# `master self dynamic|static` adds the master entry and then fails on the
# veth's ndo_dflt_fdb_add (EINVAL, only NUD_PERMANENT); `self dynamic` alone
# EINVAL; the bridge itself (dev br0) without permanent EINVAL, with master
# EOPNOTSUPP; a port's own MAC, another port's MAC and the bridge's MAC are
# EEXIST for add and taken over by replace; a non-port with master
# EOPNOTSUPP; del matches the port; bridge down (br_stp_disable_port ->
# br_fdb_delete_by_port) flushes the dynamic entries, static ones stay.

ip netns add n258
ip netns exec n258 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n258 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n n258 link add br258 address 02:00:00:00:58:b0 type bridge
ip -n n258 link add v258a address 02:00:00:00:58:01 type veth peer name v258ap address 02:00:00:00:58:11
ip -n n258 link add v258b address 02:00:00:00:58:02 type veth peer name v258bp address 02:00:00:00:58:12
ip -n n258 link add v258c address 02:00:00:00:58:03 type veth peer name v258cp address 02:00:00:00:58:13
ip -n n258 link set v258a master br258
ip -n n258 link set v258b master br258
bridge -n n258 fdb add 02:00:00:00:58:a1 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a2 dev v258a master static
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a3 dev v258a master permanent
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a4 dev v258a master self dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a2 dev v258a master dynamic
echo rc=$?
ip -n n258 link set br258 up
bridge -n n258 fdb add 02:00:00:00:58:a5 dev v258a master dynamic
echo rc=$?
ip -n n258 link set v258a up
ip -n n258 link set v258ap up
ip -n n258 link set v258b up
bridge -n n258 link show
bridge -n n258 fdb add 02:00:00:00:58:a6 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a6 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a6 dev v258a master static
echo rc=$?
bridge -n n258 fdb replace 02:00:00:00:58:a6 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a7 dev v258a master static
bridge -n n258 fdb add 02:00:00:00:58:a8 dev v258a master permanent
bridge -n n258 fdb add 02:00:00:00:58:a9 dev v258a master self dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:aa dev v258a master self static
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:ab dev v258a master self
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:ac dev v258a self dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:ad dev v258a self static
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:ae dev v258a dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:01 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:01 dev v258a master static
echo rc=$?
bridge -n n258 fdb replace 02:00:00:00:58:01 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:02 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:b0 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c1 dev v258c master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c2 dev v258c master
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c3 dev br258 master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c4 dev br258 dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c5 dev br258 self dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c6 dev br258 static
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:c7 dev v258b master dynamic
echo rc=$?
bridge -n n258 fdb show
bridge -n n258 -j fdb show br br258
bridge -n n258 -s fdb show br br258
bridge -n n258 fdb show dynamic
bridge -n n258 fdb show state static
bridge -n n258 fdb del 02:00:00:00:58:a6 dev v258a master
echo rc=$?
bridge -n n258 fdb del 02:00:00:00:58:a6 dev v258a master
echo rc=$?
bridge -n n258 fdb del 02:00:00:00:58:a9 dev v258b master
echo rc=$?
bridge -n n258 fdb del 02:00:00:00:58:a9 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb del 02:00:00:00:58:aa dev v258a master self
echo rc=$?
bridge -n n258 fdb show br br258
ip -n n258 link set br258 down
bridge -n n258 fdb show br br258
bridge -n n258 fdb add 02:00:00:00:58:d1 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:d2 dev v258a master static
echo rc=$?
bridge -n n258 fdb replace 02:00:00:00:58:a7 dev v258a master dynamic
echo rc=$?
bridge -n n258 fdb add 02:00:00:00:58:a7 dev v258a master dynamic
echo rc=$?
ip -n n258 link set br258 up
bridge -n n258 fdb add 02:00:00:00:58:e1 dev v258a master dynamic
ip -n n258 link set v258ap down
bridge -n n258 fdb show br br258 dynamic
bridge -n n258 fdb add 02:00:00:00:58:e2 dev v258a master dynamic
echo rc=$?
