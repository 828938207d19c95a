# 14-route-get: `ip route get` output.
# Tests: connected destination, via-gateway destination, local address (with
# `local` type and `cache <local>`), broadcast address, loopback, unreachable
# destination (RTNETLINK answers: Network is unreachable, rc 2), `from` and
# `oif` arguments, the uid field, JSON output (prefsrc/flags/uid/cache).

ip netns add n14
ip -n n14 link set lo up
ip -n n14 link add v14a type veth peer name v14b
ip -n n14 link set v14a up
ip -n n14 link set v14b up
ip -n n14 addr add 10.14.0.1/24 dev v14a
ip -n n14 addr add 10.14.1.1/24 dev v14b
ip -n n14 route add 172.20.0.0/16 via 10.14.0.254
ip -n n14 route get 10.14.0.7
ip -n n14 route get 172.20.3.4
ip -n n14 route get 10.14.0.1
ip -n n14 route get 10.14.0.255
ip -n n14 route get 127.0.0.1
ip -n n14 route get 8.8.8.8
echo rc=$?
ip -n n14 route get 10.14.1.9 from 10.14.0.1
ip -n n14 route get 172.20.3.4 oif v14b
ip -n n14 -j route get 10.14.0.7
ip -n n14 -j route get 172.20.3.4
ip -n n14 -j route get 10.14.0.1
ip -n n14 route add default via 10.14.1.254
ip -n n14 route get 8.8.8.8
ip -n n14 -j route get 8.8.8.8
