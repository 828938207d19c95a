# 49-nc-tcp-udp: TCP and UDP probes with netcat-openbsd.
# Tests: nc -z -v to a listening port (service name from /etc/services in
# the message), to a closed port (Connection refused, rc 1), to an address
# that does not answer ARP (timeout with -w 1), to an unroutable address
# ("nc: connect to ... failed: Network is unreachable"), UDP -z probes:
# "succeeded" unless an ICMP port unreachable comes back (a closed port
# answers with one: no message at all and rc 1; a port whose packets are
# dropped by iptables "succeeds" although nothing listens), and data sent
# from a here-document file to a listener that prints it.

ip netns add n49a
ip netns add n49b
ip link add v49a netns n49a type veth peer name v49b netns n49b
ip -n n49a link set lo up
ip -n n49b link set lo up
ip -n n49a link set v49a up
ip -n n49b link set v49b up
ip -n n49a addr add 10.49.0.1/24 dev v49a
ip -n n49b addr add 10.49.0.2/24 dev v49b
ip netns exec n49b nc -l -p 8080 &
ip netns exec n49b nc -l -p 9000 &
ip netns exec n49b iptables -A INPUT -p udp --dport 5353 -j DROP
sleep 1
ip netns exec n49a nc -z -v -w 1 10.49.0.2 8080
echo rc=$?
ip netns exec n49a nc -z -v -w 1 10.49.0.2 8081
echo rc=$?
ip netns exec n49a nc -z -v -w 1 10.49.0.2 22
echo rc=$?
ip netns exec n49a nc -z -v -w 1 10.49.0.9 8080
echo rc=$?
ip netns exec n49a nc -z -v -w 1 10.99.0.9 8080
echo rc=$?
ip netns exec n49a nc -z -v -u -w 1 10.49.0.2 5353
echo rc=$?
ip netns exec n49a nc -z -v -u -w 1 10.49.0.2 5354
echo rc=$?
cat > msg.txt <<'EOF2'
hello from n49a
EOF2
ip netns exec n49a nc -w 1 10.49.0.2 9000 < msg.txt
echo rc=$?
