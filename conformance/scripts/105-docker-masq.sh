# 105-docker-masq: a docker-like host, as a user would build it by hand.
# Host n105h: bridge br105 172.18.0.1/16 (docker0-like) with containers
# n105c1 (172.18.0.2, nc listening on :80) and n105c2 (172.18.0.3), uplink
# v105h 10.105.0.1/24 to an "outside" namespace n105o (10.105.0.2, nc on
# :9000) that has no route to 172.18.0.0/16.
# Docker's filter rules: FORWARD policy DROP, established traffic back to the
# bridge, everything from the bridge; MASQUERADE of the container subnet
# leaving by another interface; a published port (DNAT 10.105.0.1:8080 ->
# 172.18.0.2:80).
# Tests: container -> outside without forwarding (silent), with forwarding
# but no NAT (no way back), with MASQUERADE (works, ttl 63); container ->
# container through FORWARD (br_netfilter); nc out and in through the
# published port; the outside only ever sees 10.105.0.1 (its INPUT counter);
# iptables-save -c of the host; ip -j at the end.

ip netns add n105h
ip netns add n105c1
ip netns add n105c2
ip netns add n105o
ip -n n105h link add br105 type bridge
ip -n n105h addr add 172.18.0.1/16 dev br105
ip -n n105h link set br105 up
ip -n n105h link add v105c1 type veth peer name eth0 netns n105c1
ip -n n105h link add v105c2 type veth peer name eth0 netns n105c2
ip -n n105h link set v105c1 master br105 up
ip -n n105h link set v105c2 master br105 up
ip -n n105c1 addr add 172.18.0.2/16 dev eth0
ip -n n105c1 link set eth0 up
ip -n n105c1 link set lo up
ip -n n105c1 route add default via 172.18.0.1
ip -n n105c2 addr add 172.18.0.3/16 dev eth0
ip -n n105c2 link set eth0 up
ip -n n105c2 route add default via 172.18.0.1
ip link add v105h netns n105h type veth peer name v105o netns n105o
ip -n n105h addr add 10.105.0.1/24 dev v105h
ip -n n105h link set v105h up
ip -n n105o addr add 10.105.0.2/24 dev v105o
ip -n n105o link set v105o up
ip -n n105o link set lo up
ip netns exec n105o iptables -A INPUT -s 10.105.0.1
ip netns exec n105o nc -l -p 9000 -k &
ip netns exec n105c1 nc -l -p 80 -k &
ip netns exec n105c2 ping -c 1 -W 1 10.105.0.2
echo rc=$?
ip netns exec n105h sysctl -w net.ipv4.ip_forward=1
ip netns exec n105h iptables -P FORWARD DROP
ip netns exec n105h iptables -A FORWARD -o br105 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec n105h iptables -A FORWARD -i br105 ! -o br105 -j ACCEPT
ip netns exec n105h iptables -A FORWARD -i br105 -o br105 -j ACCEPT
ip netns exec n105c2 ping -c 1 -W 1 10.105.0.2
echo rc=$?
ip netns exec n105h iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br105 -j MASQUERADE
ip netns exec n105c2 ping -c 2 -i 0.2 -W 1 10.105.0.2
ip netns exec n105c1 ping -c 1 -W 1 172.18.0.3
ip netns exec n105c1 nc -z -v -w 1 10.105.0.2 9000
echo rc=$?
ip netns exec n105h iptables -t nat -A PREROUTING -d 10.105.0.1 -p tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80
ip netns exec n105h iptables -A FORWARD -d 172.18.0.2 -o br105 -p tcp --dport 80 -j ACCEPT
ip netns exec n105o nc -z -v -w 1 10.105.0.1 8080
echo rc=$?
ip netns exec n105o nc -z -v -w 1 10.105.0.1 8081
echo rc=$?
ip netns exec n105o iptables -L INPUT -n -v -x
ip netns exec n105h iptables-save -c
ip -n n105c2 route get 10.105.0.2
ip -n n105h -j route show
ip -n n105h -j addr show dev br105
ip -n n105c1 -j link show eth0
