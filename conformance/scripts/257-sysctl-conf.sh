# 257-sysctl-conf: per-device conf keys and the kernel's propagation rules.
# Tests: conf.default reaches devices that did not set the key themselves,
# never lo (devinet_copy_dflt_conf); a device's own write sticks; conf.default
# .forwarding does not reach existing devices but new ones; ip_forward sets
# every device's forwarding; net.ipv6.conf.all.disable_ipv6 reaches default
# and every device; bridge-nf-call-* clamps to 1; proc_dointvec parsing
# (octal, hex, trailing garbage, a partial vector write, out of range);
# -n/-N/-b/-e; a device directory listing; errors and exit codes.

ip netns add n257
ip -n n257 link add v257a type veth peer name v257b
ip netns exec n257 sysctl -w net.ipv4.conf.v257a.rp_filter=2
ip netns exec n257 sysctl -w net.ipv4.conf.default.rp_filter=1
ip netns exec n257 sysctl net.ipv4.conf.v257a.rp_filter net.ipv4.conf.v257b.rp_filter net.ipv4.conf.lo.rp_filter net.ipv4.conf.all.rp_filter
ip netns exec n257 sysctl -w net.ipv4.conf.default.accept_local=1 net.ipv4.conf.default.arp_ignore=2
ip netns exec n257 sysctl net.ipv4.conf.lo.accept_local net.ipv4.conf.v257b.accept_local net.ipv4.conf.v257b.arp_ignore
ip netns exec n257 sysctl -w net.ipv4.conf.default.forwarding=1
ip netns exec n257 sysctl net.ipv4.conf.v257a.forwarding net.ipv4.ip_forward
ip -n n257 link add v257c type veth peer name v257d
ip netns exec n257 sysctl net.ipv4.conf.v257c.forwarding net.ipv4.conf.v257c.rp_filter net.ipv4.conf.v257c.accept_local
ip netns exec n257 sysctl -w net.ipv4.ip_forward=1
ip netns exec n257 sysctl net.ipv4.conf.v257a.forwarding net.ipv4.conf.lo.forwarding net.ipv4.conf.all.forwarding
ip netns exec n257 sysctl -w net.ipv4.conf.all.forwarding=0
ip netns exec n257 sysctl net.ipv4.conf.v257d.forwarding net.ipv4.ip_forward net.ipv4.conf.default.forwarding
ip netns exec n257 sysctl -w net.ipv6.conf.all.disable_ipv6=1
ip netns exec n257 sysctl net.ipv6.conf.v257a.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6
ip netns exec n257 sysctl net.ipv6.conf.v257a.mtu net.ipv6.conf.lo.mtu net.ipv6.conf.all.mtu
ip netns exec n257 sysctl -w net.bridge.bridge-nf-call-iptables=7
ip netns exec n257 sysctl net.bridge.bridge-nf-call-iptables
ip netns exec n257 sysctl -w net.ipv4.ip_default_ttl=010
ip netns exec n257 sysctl net.ipv4.ip_default_ttl
ip netns exec n257 sysctl -w net.ipv4.ip_default_ttl=0x40
ip netns exec n257 sysctl -n net.ipv4.ip_default_ttl
ip netns exec n257 sysctl -w net.ipv4.ip_default_ttl=64abc
echo rc=$?
ip netns exec n257 sysctl -w net.ipv4.ip_default_ttl=0
echo rc=$?
ip netns exec n257 sysctl -w net.ipv4.ip_local_port_range=40000
ip netns exec n257 sysctl net.ipv4.ip_local_port_range
ip netns exec n257 sysctl -w "net.ipv4.ip_local_port_range=50000 40000"
echo rc=$?
ip netns exec n257 sysctl -N net.ipv4.ip_forward
ip netns exec n257 sysctl -n net.ipv4.ip_forward net.ipv4.ip_default_ttl
ip netns exec n257 sysctl -e net.ipv4.nope net.ipv4.ip_forward
echo rc=$?
ip netns exec n257 sysctl net.ipv4.conf.v257a
ip netns exec n257 sysctl net.ipv4.conf.nope.forwarding
echo rc=$?
ip -n n257 link del v257a
ip netns exec n257 sysctl net.ipv4.conf.v257a.forwarding
echo rc=$?
ip netns exec n257 sysctl -w net.ipv4.conf.lo=1
echo rc=$?
ip netns exec n257 sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.nope=1 net.ipv4.ip_default_ttl=9
echo rc=$?
ip netns exec n257 sysctl net.ipv4.ip_forward net.ipv4.ip_default_ttl
ip netns exec n257 sysctl -w net.ipv4.ip_forward=1 net.ipv4.ip_default_ttl
echo rc=$?
