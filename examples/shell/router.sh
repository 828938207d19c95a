#  A router between two subnets: ip_forward, TTL and ICMP errors.
#
#   netns client              netns router                     netns server
#   eth0 10.1.0.2/24 ====== r-c 10.1.0.1/24   r-s 10.2.0.1/24 ====== eth0 10.2.0.2/24
#   default via 10.1.0.1      ip_forward=1                    default via 10.2.0.1
#
# Run it:  npx podnet sh --trace examples/shell/router.sh
ip netns add client
ip netns add router
ip netns add server
ip link add eth0 netns client type veth peer name r-c netns router
ip link add eth0 netns server type veth peer name r-s netns router
ip -n client addr add 10.1.0.2/24 dev eth0
ip -n router addr add 10.1.0.1/24 dev r-c
ip -n router addr add 10.2.0.1/24 dev r-s
ip -n server addr add 10.2.0.2/24 dev eth0
ip -n client link set eth0 up
ip -n router link set r-c up
ip -n router link set r-s up
ip -n server link set eth0 up
ip -n client route add default via 10.1.0.1
ip -n server route add default via 10.2.0.1
# Forwarding is off: the router drops what is not for itself.
ip netns exec router sysctl -w net.ipv4.ip_forward=0
ip netns exec client ping -c 1 -W 1 10.2.0.2
echo rc=$?
ip netns exec router sysctl -w net.ipv4.ip_forward=1
ip netns exec client ping -c 1 -W 1 10.2.0.2
ip netns exec client traceroute -n -q 1 -w 1 10.2.0.2
# TTL 1 dies at the router, which says so from the address facing the client.
ip netns exec client ping -c 1 -W 1 -t 1 10.2.0.2
# No route for 10.9.0.0/16 on the router: ICMP net unreachable.
ip netns exec client ping -c 1 -W 1 10.9.0.1
ip netns del client
ip netns del router
ip netns del server
