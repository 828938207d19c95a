# 406-iptables-reject-output: a packet REJECTed by an OUTPUT rule of its own
# sender (kube-proxy's "has no endpoints" rule on a node). nf_send_unreach
# sends the ICMP error from the sending host to itself: it walks OUTPUT,
# then lo, PREROUTING and INPUT, and reaches the sending socket; the send
# itself fails with EPERM (the REJECT target's NF_DROP). ping prints the
# error then "ping: sendmsg: Operation not permitted" (-q: neither, still
# "+1 errors"); nc's TCP connect fails with the error's errno (tcp-reset:
# the RST, "Connection refused"); nc -u -z fails at its first write;
# traceroute stops with "send: Operation not permitted". An error that is
# itself REJECTed (the rule matches the sender's own address) reports
# nothing. DROP in OUTPUT: the probe is just lost.
ip netns add n406a
ip netns add n406b
ip link add v406a netns n406a type veth peer name v406b netns n406b
ip -n n406a link set lo up
ip -n n406b link set lo up
ip -n n406a link set v406a up
ip -n n406b link set v406b up
ip -n n406a addr add 10.46.0.1/24 dev v406a
ip -n n406b addr add 10.46.0.2/24 dev v406b
ip netns exec n406b nc -l -p 80 -k &
ip netns exec n406b nc -u -l -p 53 -k &
sleep 1
ip netns exec n406a iptables -A INPUT -p icmp
ip netns exec n406a iptables -A OUTPUT -p icmp
ip netns exec n406a iptables -A OUTPUT -d 10.46.0.2 -j REJECT
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
echo rc=$?
ip netns exec n406a iptables -L -n -v -x
ip netns exec n406a ping -c 2 -W 1 10.46.0.2
echo rc=$?
ip netns exec n406a ping -q -c 1 -W 1 10.46.0.2
echo rc=$?
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
echo rc=$?
ip netns exec n406a nc -u -z -v -w 1 10.46.0.2 53
echo rc=$?
ip netns exec n406a traceroute -n -w 1 -q 1 10.46.0.2
echo rc=$?
ip netns exec n406a iptables -L -n -v -x
ip netns exec n406a iptables -Z
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.2 -j REJECT --reject-with icmp-host-prohibited
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
echo rc=$?
ip netns exec n406a nc -u -z -v -w 1 10.46.0.2 53
echo rc=$?
ip netns exec n406a traceroute -n -w 1 -q 1 10.46.0.2
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.2 -j REJECT --reject-with icmp-net-unreachable
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.2 -j REJECT --reject-with icmp-admin-prohibited
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.2 -j REJECT --reject-with icmp-proto-unreachable
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
ip netns exec n406a iptables -R OUTPUT 2 -p tcp -d 10.46.0.2 -j REJECT --reject-with tcp-reset
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
echo rc=$?
ip netns exec n406a nc -z -v -w 1 10.46.0.2 81
echo rc=$?
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
echo rc=$?
ip netns exec n406a iptables -L -n -v -x
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.1 -j REJECT
ip netns exec n406a ping -c 1 -W 1 10.46.0.1
echo rc=$?
ip netns exec n406a nc -z -v -w 1 10.46.0.1 80
echo rc=$?
ip netns exec n406a iptables -R OUTPUT 2 -d 10.46.0.2 -j DROP
ip netns exec n406a ping -c 1 -W 1 10.46.0.2
echo rc=$?
ip netns exec n406a nc -z -v -w 1 10.46.0.2 80
echo rc=$?
ip netns exec n406a nc -u -z -v -w 1 10.46.0.2 53
echo rc=$?
ip netns exec n406a traceroute -n -w 1 -q 1 10.46.0.2
echo rc=$?
ip netns exec n406a iptables -L -n -v -x
ip netns exec n406a iptables -F
ip netns exec n406a iptables -A OUTPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset
ip netns exec n406a nc -v -w 1 10.46.0.2 80
echo rc=$?
ip netns exec n406a nc -z -v -w 1 10.46.0.1 80
echo rc=$?
cat > msg <<'END'
hello
END
ip netns exec n406a iptables -R OUTPUT 1 -d 10.46.0.2 -j REJECT
ip netns exec n406a nc -u -w 1 10.46.0.2 53 < msg
echo rc=$?
ip netns exec n406a nc -w 1 10.46.0.2 80 < msg
echo rc=$?
