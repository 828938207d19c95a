# 33-icmp-ratelimit: ICMP error rate limiting on a router (defaults).
# Model: one token bucket per (router netns, ICMP destination), in time units,
# starting full. icmp_send() of a rate-limited type (icmp_ratemask 6168:
# dest-unreachable except frag-needed, source-quench, time-exceeded,
# parameter-problem) refills, caps at 6 x icmp_ratelimit (1000 ms) and costs
# 1000 ms. Errors for unreachable/prohibit/missing routes (ip_error) first
# refill/cap at route.error_burst (5000 ms) and pay route.error_cost (1000
# ms), then go through icmp_send() as well.
# Tests: 10 pings 10 ms apart with -t 1 -> 6 "Time to live exceeded"; after a
# 6 s refill, 10 pings to an unreachable route -> 2 "Destination Host
# Unreachable"; with icmp_ratelimit=0 (after another refill) -> 5.

ip netns add n33c
ip netns add n33r
ip link add v33c netns n33c type veth peer name v33r netns n33r
ip -n n33c link set lo up
ip -n n33r link set lo up
ip -n n33c link set v33c up
ip -n n33r link set v33r up
ip -n n33c addr add 10.33.1.2/24 dev v33c
ip -n n33r addr add 10.33.1.1/24 dev v33r
ip -n n33c route add default via 10.33.1.1
ip -n n33r route add 10.33.9.0/24 via 10.33.1.3
ip -n n33r route add unreachable 10.33.11.0/24
ip netns exec n33r sysctl -qw net.ipv4.ip_forward=1
ip netns exec n33r sysctl net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask
ip netns exec n33c ping -c 10 -i 0.01 -W 1 -t 1 10.33.9.1
echo rc=$?
sleep 7
ip netns exec n33c ping -c 10 -i 0.01 -W 1 10.33.11.1
echo rc=$?
ip netns exec n33r sysctl -w net.ipv4.icmp_ratelimit=0
sleep 7
ip netns exec n33c ping -c 10 -i 0.01 -W 1 10.33.11.1
