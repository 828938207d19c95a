# 204-traceroute-nc-forms: traceroute and nc output forms and errors.
# a - r - b (veth). Tests: traceroute -n with 3 probes per hop, without -n
# ("addr (addr)"), a second trace right after the first (the destination's
# port unreachables are rate limited: "* * *" hops until the tokens refill),
# -f, packetlen, !H from an unreachable route, argument errors (bad option,
# -q out of range, bad packetlen, extra argument) and connect errors; nc
# -zv to a port range with a -k listener, -n (no service name), refused
# ports, the missing-port and invalid-port errors.

ip netns add n204a
ip netns add n204r
ip netns add n204b
ip -n n204a link set lo up
ip -n n204r link set lo up
ip -n n204b link set lo up
ip link add v204a netns n204a type veth peer name v204ra netns n204r
ip link add v204b netns n204b type veth peer name v204rb netns n204r
ip -n n204a link set v204a up
ip -n n204r link set v204ra up
ip -n n204r link set v204rb up
ip -n n204b link set v204b up
ip -n n204a addr add 10.204.1.2/24 dev v204a
ip -n n204r addr add 10.204.1.1/24 dev v204ra
ip -n n204r addr add 10.204.2.1/24 dev v204rb
ip -n n204b addr add 10.204.2.2/24 dev v204b
ip -n n204a route add default via 10.204.1.1
ip -n n204b route add default via 10.204.2.1
ip netns exec n204r sysctl -qw net.ipv4.ip_forward=1
ip -n n204r route add unreachable 10.204.5.0/24
ip netns exec n204a traceroute -n 10.204.2.2
echo rc=$?
ip netns exec n204a traceroute 10.204.2.2
ip netns exec n204a traceroute -n -q 2 -m 3 10.204.5.1
ip netns exec n204a traceroute -n 10.204.1.2
sleep 10
ip netns exec n204a traceroute -n -f 2 10.204.2.2 100
ip netns exec n204a traceroute -n -Z 10.204.2.2
echo rc=$?
ip netns exec n204a traceroute -n -q 11 10.204.2.2
echo rc=$?
ip netns exec n204a traceroute -n 10.204.2.2 abc
echo rc=$?
ip netns exec n204a traceroute -n 10.204.2.2 100 7
echo rc=$?
ip netns exec n204a traceroute -n -m 0 10.204.2.2
echo rc=$?
ip netns exec n204b nc -l -k -p 80 &
sleep 1
ip netns exec n204a nc -zv 10.204.2.2 79-81
echo rc=$?
ip netns exec n204a nc -zvn 10.204.2.2 80
ip netns exec n204a nc -z 10.204.2.2 81
echo rc=$?
ip netns exec n204a nc -zv 10.204.2.2
echo rc=$?
ip netns exec n204a nc -zv 10.204.2.2 99999
echo rc=$?
ip netns exec n204b ip route del default
ip netns exec n204b traceroute -n 10.204.1.2
echo rc=$?
