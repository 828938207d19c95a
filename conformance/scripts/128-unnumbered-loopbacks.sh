# 128-unnumbered-loopbacks: routers with /32 "loopback" addresses on lo and
# unnumbered point-to-point links (no address on the veths), routes onlink
# via the neighbour's loopback address, the way BGP-unnumbered or Calico
# setups route.
# a (lo 10.128.255.1/32, LAN 10.128.1.1/24 to host ha 10.128.1.2) == veth
# without addresses == b (lo 10.128.255.2/32, LAN 10.128.2.1/24 to hb
# 10.128.2.2). a: `10.128.255.2 dev ab scope link`, `10.128.2.0/24 via
# 10.128.255.2 dev ab onlink`; b symmetric.
# Tests: route show/get (source addresses picked from lo), ping between the
# loopbacks and LANs (ttl 62), traceroute (the hop address is b's loopback
# or LAN address? the first address picked for the reply route), the same
# with icmp_errors_use_inbound_ifaddr=1 on b (inbound interface has no
# address: falls back), a route without onlink is refused (Nexthop has
# invalid gateway), arp entries on the unnumbered link.

ip netns add n128a
ip netns add n128b
ip netns add n128ha
ip netns add n128hb
ip link add ab netns n128a address 02:00:00:00:28:0a type veth peer name ba netns n128b address 02:00:00:00:28:0b
ip link add eth0 netns n128ha type veth peer name lan netns n128a
ip link add eth0 netns n128hb type veth peer name lan netns n128b
ip -n n128a addr add 10.128.255.1/32 dev lo
ip -n n128b addr add 10.128.255.2/32 dev lo
ip -n n128a addr add 10.128.1.1/24 dev lan
ip -n n128b addr add 10.128.2.1/24 dev lan
ip -n n128ha addr add 10.128.1.2/24 dev eth0
ip -n n128hb addr add 10.128.2.2/24 dev eth0
ip -n n128a link set lo up
ip -n n128b link set lo up
ip -n n128a link set ab up
ip -n n128b link set ba up
ip -n n128a link set lan up
ip -n n128b link set lan up
ip -n n128ha link set eth0 up
ip -n n128hb link set eth0 up
ip -n n128ha route add default via 10.128.1.1
ip -n n128hb route add default via 10.128.2.1
ip netns exec n128a sysctl -qw net.ipv4.ip_forward=1
ip netns exec n128b sysctl -qw net.ipv4.ip_forward=1
ip -n n128a route add 10.128.2.0/24 via 10.128.255.2 dev ab
echo rc=$?
ip -n n128a route add 10.128.255.2 dev ab scope link
ip -n n128a route add 10.128.2.0/24 via 10.128.255.2 dev ab onlink
ip -n n128b route add 10.128.255.1 dev ba scope link
ip -n n128b route add 10.128.1.0/24 via 10.128.255.1 dev ba onlink
ip -n n128a route show
ip -n n128a route get 10.128.255.2
ip -n n128a route get 10.128.2.2
ip netns exec n128a ping -c 1 -W 1 10.128.255.2
ip netns exec n128ha ping -c 1 -W 1 10.128.2.2
ip netns exec n128ha ping -c 1 -W 1 10.128.255.2
ip netns exec n128ha traceroute -n -q 1 -w 1 10.128.2.2
ip netns exec n128b sysctl -w net.ipv4.icmp_errors_use_inbound_ifaddr=1
sleep 2
ip netns exec n128ha traceroute -n -q 1 -w 1 10.128.2.2
ip -n n128a neigh show dev ab
ip -n n128b route get 10.128.1.2 from 10.128.2.2 iif lan
ip -n n128a -j route show
