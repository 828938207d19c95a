# 256-br-netfilter-local: with bridge-nf-call-iptables=1, traffic a bridge
# delivers to its own IP stack meets PREROUTING once (br_netfilter runs it,
# ip_rcv skips it), and bridged traffic between ports meets FORWARD with
# -i/-o the bridge; with 0, bridged traffic skips iptables entirely.
# Tests: mangle PREROUTING / filter INPUT counters for pings to the bridge
# address, FORWARD counters with -i br256 -o br256 for pings between ports.

ip netns add n256
ip netns add n256a
ip netns add n256b
ip netns exec n256 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n256 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n256a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip netns exec n256b sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n n256 link add br256 address 02:00:00:00:56:b0 type bridge
ip -n n256 link add p256a address 02:00:00:00:56:1a type veth peer name eth0 netns n256a address 02:00:00:00:56:0a
ip -n n256 link add p256b address 02:00:00:00:56:1b type veth peer name eth0 netns n256b address 02:00:00:00:56:0b
ip -n n256 link set p256a master br256
ip -n n256 link set p256b master br256
ip -n n256 link set br256 up
ip -n n256 link set p256a up
ip -n n256 link set p256b up
ip -n n256a link set eth0 up
ip -n n256b link set eth0 up
ip -n n256 addr add 10.56.0.254/24 dev br256
ip -n n256a addr add 10.56.0.1/24 dev eth0
ip -n n256b addr add 10.56.0.2/24 dev eth0
ip netns exec n256 sysctl -w net.bridge.bridge-nf-call-iptables=1
ip netns exec n256 iptables -t mangle -A PREROUTING -p icmp -i br256
ip netns exec n256 iptables -A INPUT -p icmp -i br256
ip netns exec n256 iptables -A FORWARD -p icmp -i br256 -o br256
ip netns exec n256a ping -c 2 -i 0.2 -W 1 10.56.0.254
ip netns exec n256a ping -c 3 -i 0.2 -W 1 10.56.0.2
ip netns exec n256 iptables -t mangle -L PREROUTING -n -v -x
ip netns exec n256 iptables -L INPUT -n -v -x
ip netns exec n256 iptables -L FORWARD -n -v -x
ip netns exec n256 sysctl -w net.bridge.bridge-nf-call-iptables=0
ip netns exec n256a ping -c 1 -W 1 10.56.0.2
ip netns exec n256a ping -c 1 -W 1 10.56.0.254
ip netns exec n256 iptables -t mangle -L PREROUTING -n -v -x
ip netns exec n256 iptables -L FORWARD -n -v -x
