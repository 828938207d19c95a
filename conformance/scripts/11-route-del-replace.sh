# 11-route-del-replace: deleting and replacing routes.
# Tests: route del of an existing and a missing route (RTNETLINK answers: No
# such process), replace creating a new route and replacing an existing one
# (gateway, metric), del matching by metric, `ip route del default`, the
# effect of `append`, and route flush? (not supported by the twin; omitted).

ip netns add n11
ip -n n11 link add v11a type veth peer name v11b
ip -n n11 link set v11a up
ip -n n11 link set v11b up
ip -n n11 addr add 10.11.0.1/24 dev v11a
ip -n n11 addr add 10.11.1.1/24 dev v11b
ip -n n11 route add 172.16.0.0/16 via 10.11.0.2
ip -n n11 route replace 172.16.0.0/16 via 10.11.0.3
ip -n n11 route show
ip -n n11 route replace 172.17.0.0/16 via 10.11.1.2
ip -n n11 route show
ip -n n11 route add 172.16.0.0/16 via 10.11.1.2 metric 10
ip -n n11 route show
ip -n n11 route replace 172.16.0.0/16 dev v11b metric 10
ip -n n11 route show
ip -n n11 route del 172.16.0.0/16 metric 10
ip -n n11 route show
ip -n n11 route del 172.16.0.0/16
ip -n n11 route del 172.16.0.0/16
echo rc=$?
ip -n n11 route del 172.18.0.0/16 via 10.11.0.9
echo rc=$?
ip -n n11 route add default via 10.11.0.2
ip -n n11 route del default via 10.11.0.3
echo rc=$?
ip -n n11 route del default
echo rc=$?
ip -n n11 route show
ip -n n11 route del 172.17.0.0/16 dev v11a
echo rc=$?
ip -n n11 route del 172.17.0.0/16 dev v11b
ip -n n11 route show
