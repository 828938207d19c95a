# 02-veth-create: veth pairs in one namespace.
# Tests: creating a pair (both ends named@peer, DOWN, M-DOWN not shown),
# a second pair with an existing name (RTNETLINK answers: File exists, rc 2),
# missing devices for show/set/del (wording and rc), deleting one end removes
# the peer, default mtu/qlen/qdisc, fixed MAC via `address`.

ip netns add n02
ip -n n02 link add v02a type veth peer name v02b
ip -n n02 link show
ip -n n02 link add v02a type veth peer name v02c
echo rc=$?
ip -n n02 link add v02c type veth peer name v02a
echo rc=$?
ip -n n02 link show v02x
echo rc=$?
ip -n n02 link set v02x up
echo rc=$?
ip -n n02 link del v02x
echo rc=$?
ip -n n02 link add v02c address 02:00:00:00:02:0c type veth peer name v02d address 02:00:00:00:02:0d
ip -n n02 link show v02c
ip -n n02 link show v02d
ip -n n02 link del v02a
ip -n n02 link show
ip -n n02 link del v02d
ip -n n02 link show
