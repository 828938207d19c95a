# 41-iptables-chains: user-defined chains.
# Tests: -N, -N of an existing chain ("iptables: Chain already exists."),
# jumping to it, jumping to a missing chain (rc 2, "Chain 'C42' does not
# exist"), -X of a referenced chain and of a non-empty unreferenced chain
# (nf_tables backend: "CHAIN_DEL failed (Device or resource busy)", rc 4 -
# NOT the legacy "Too many links."), -X / -F of a missing chain ("iptables:
# No chain/target/match by that name."), -L of a user chain ("(1
# references)"), -S output, RETURN semantics seen via counters,
# -X without argument deletes all empty user chains, -X of a built-in chain.

ip netns add n41a
ip netns add n41b
ip link add v41a netns n41a type veth peer name v41b netns n41b
ip -n n41a link set v41a up
ip -n n41b link set v41b up
ip -n n41a addr add 10.41.0.1/24 dev v41a
ip -n n41b addr add 10.41.0.2/24 dev v41b
ip netns exec n41b iptables -N C41
ip netns exec n41b iptables -N C41
echo rc=$?
ip netns exec n41b iptables -A C41 -p icmp --icmp-type echo-request -j RETURN
ip netns exec n41b iptables -A C41 -j DROP
ip netns exec n41b iptables -A INPUT -s 10.41.0.1 -j C41
ip netns exec n41b iptables -A INPUT -s 10.41.0.1
ip netns exec n41b iptables -A INPUT -j C42
echo rc=$?
ip netns exec n41a ping -c 2 -i 0.2 -W 1 10.41.0.2
ip netns exec n41b iptables -L -n -v -x
ip netns exec n41b iptables -X C41
echo rc=$?
ip netns exec n41b iptables -X C99
echo rc=$?
ip netns exec n41b iptables -F C99
echo rc=$?
ip netns exec n41b iptables -D INPUT 1
ip netns exec n41b iptables -X C41
echo rc=$?
ip netns exec n41b iptables -S
ip netns exec n41b iptables -F C41
ip netns exec n41b iptables -N C43
ip netns exec n41b iptables -X
ip netns exec n41b iptables -S
ip netns exec n41b iptables -X INPUT
echo rc=$?
