# 252-bridge-fdb-ops: bridge fdb add/append/replace/del and bridge link set.
# Tests: master entries permanent/static (dynamic refused on a disabled port: EPERM), replace
# keeps the entry's place, append on a bridge, entries on the bridge itself
# (`dev br0` without master -> "dev br0 master br0 permanent", `master` ->
# EOPNOTSUPP), deleting a port's own local entry, del of a missing entry
# (ENOENT), argument errors, show filters (br, brport, dev, dynamic, state),
# `bridge link set` learning/hairpin/flood/cost/priority and its errors,
# bridge -d/-j link show, the `@NAME` that bridge link prints for a peer in
# another namespace (the local device with the peer's ifindex).

ip netns add n252
ip netns add n252p
ip netns exec n252 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip -n n252 link add br252 address 02:00:00:00:52:b0 type bridge
ip -n n252 link add v252a address 02:00:00:00:52:0a type veth peer name v252b address 02:00:00:00:52:0b
ip -n n252 link add v252c address 02:00:00:00:52:0c netns n252 type veth peer name eth0 netns n252p
ip -n n252 link set v252a master br252
ip -n n252 link set v252c master br252
bridge -n n252 fdb add 02:00:00:00:52:aa dev v252a master
bridge -n n252 fdb add 02:00:00:00:52:ab dev v252a master static
bridge -n n252 fdb add 02:00:00:00:52:ac dev v252a master dynamic
echo rc=$?
bridge -n n252 fdb add 02:00:00:00:52:aa dev v252a master
echo rc=$?
bridge -n n252 fdb replace 02:00:00:00:52:aa dev v252c master static
bridge -n n252 fdb append 02:00:00:00:52:af dev v252a master
bridge -n n252 fdb add 02:00:00:00:52:b1 dev br252
bridge -n n252 fdb add 02:00:00:00:52:b2 dev br252 self
bridge -n n252 fdb add 02:00:00:00:52:b3 dev br252 master
echo rc=$?
bridge -n n252 fdb show
bridge -n n252 fdb show br br252 state static
bridge -n n252 fdb show dev v252c
bridge -n n252 -j fdb show brport v252a
bridge -n n252 fdb show dynamic
bridge -n n252 fdb del 02:00:00:00:52:ab dev v252a master
bridge -n n252 fdb del 02:00:00:00:52:ab dev v252a master
echo rc=$?
bridge -n n252 fdb del 02:00:00:00:52:0a dev v252a master
bridge -n n252 fdb show br br252
bridge -n n252 fdb add 02:00:00:00:52:cc
echo rc=$?
bridge -n n252 fdb add 02:00:00:00:52:cc dev nope
echo rc=$?
bridge -n n252 fdb add zz:00 dev v252a
echo rc=$?
bridge -n n252 fdb show br nope
echo rc=$?
bridge -n n252 fdb show br v252a
echo rc=$?
bridge -n n252 fdb show dev
echo rc=$?
bridge -n n252 fdb foo
echo rc=$?
bridge -n n252 foo
echo rc=$?
bridge -n n252 link set dev v252a learning off hairpin on flood off cost 7 priority 9
bridge -n n252 -d link show
bridge -n n252 -j -d link show dev v252a
bridge -n n252 link set dev v252b learning off
echo rc=$?
bridge -n n252 link set dev v252a learning maybe
echo rc=$?
bridge -n n252 link show dev nope
echo rc=$?
bridge -n n252 link foo
echo rc=$?
ip -n n252 -d link show v252a
