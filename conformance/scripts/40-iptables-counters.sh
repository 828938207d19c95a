# 40-iptables-counters: packet/byte counters.
# Tests: counters after pings in -L -n -v -x (exact widths), chain policy
# counters, iptables-save -c ([pkts:bytes] per rule and per chain), -Z of one
# chain, -Z of everything, -L -v without -x (human units), the ICMP echo
# request/reply sizes (84 bytes each for ping -s 56). With iptables-nft
# 1.8.9 a built-in chain's policy counter stays "0 packets, 0 bytes" / [0:0]
# until the policy has been set explicitly with -P (even -P ACCEPT); from
# then on packets reaching the policy are counted, and every -P resets the
# policy counter to zero.

ip netns add n40a
ip netns add n40b
ip link add v40a netns n40a type veth peer name v40b netns n40b
ip -n n40a link set v40a up
ip -n n40b link set v40b up
ip -n n40a addr add 10.40.0.1/24 dev v40a
ip -n n40b addr add 10.40.0.2/24 dev v40b
ip netns exec n40b iptables -A INPUT -p icmp -j ACCEPT
ip netns exec n40b iptables -A OUTPUT -p icmp --icmp-type echo-reply
ip netns exec n40b iptables -A INPUT -p tcp
ip netns exec n40a ping -c 3 -i 0.2 -W 1 10.40.0.2
ip netns exec n40b iptables -L -n -v -x
ip netns exec n40b iptables -L INPUT -n -v
ip netns exec n40b iptables-save -c
ip netns exec n40b iptables -Z INPUT
ip netns exec n40b iptables -L -n -v -x
ip netns exec n40a ping -c 1 -W 1 10.40.0.2
ip netns exec n40b iptables -Z
ip netns exec n40b iptables-save -c -t filter
ip netns exec n40b iptables -D INPUT 1
ip netns exec n40b iptables -P INPUT DROP
ip netns exec n40a ping -c 2 -i 0.2 -W 1 10.40.0.2
ip netns exec n40b iptables -L INPUT -n -v -x
ip netns exec n40b iptables-save -c -t filter
ip netns exec n40b iptables -P INPUT ACCEPT
ip netns exec n40b iptables -P OUTPUT ACCEPT
ip netns exec n40a ping -c 1 -W 1 10.40.0.2
ip netns exec n40b iptables -L -n -v -x
