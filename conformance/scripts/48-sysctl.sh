# 48-sysctl: the sysctl tool against net.* keys.
# Tests: reading one and several keys (also the slash form), -w output, -q
# silence, -n? (not in the twin language), writing without -w (also
# accepted: "sysctl k=v"), unknown keys ("sysctl: cannot stat
# /proc/sys/net/ipv4/nonexistent: No such file or directory", rc 255),
# invalid values ("sysctl: setting key ...: Invalid argument"), per-device
# keys appear with the device and vanish with it, conf.default is inherited by
# devices created later, conf.all does not rewrite existing devices'
# values for rp_filter, ip_forward <-> conf.all.forwarding coupling,
# forwarding of existing devices follows conf.all.forwarding; keys that exist
# only in the initial namespace (neigh.default.*, route.error_cost,
# net.core.devconf_inherit_init_net) cannot be read here.

sysctl net.ipv4.ip_forward
sysctl net.ipv4.ip_default_ttl net.ipv4.conf.all.rp_filter
sysctl net/ipv4/conf/lo/forwarding
sysctl -w net.ipv4.ip_forward=1
sysctl net.ipv4.conf.all.forwarding net.ipv4.conf.lo.forwarding net.ipv4.conf.default.forwarding
sysctl -q -w net.ipv4.ip_forward=0
sysctl net.ipv4.conf.lo.forwarding
sysctl net.ipv4.ip_default_ttl=32
sysctl net.ipv4.ip_default_ttl
sysctl net.ipv4.nonexistent
echo rc=$?
sysctl -w net.ipv4.nonexistent=1
echo rc=$?
sysctl -w net.ipv4.ip_default_ttl=0
echo rc=$?
sysctl net.ipv4.neigh.default.gc_thresh1
sysctl net.ipv4.route.error_cost
sysctl net.core.devconf_inherit_init_net
sysctl net.ipv4.neigh.lo.retrans_time_ms net.ipv4.route.mtu_expires
sysctl -w net.ipv4.conf.all.rp_filter=abc
echo rc=$?
sysctl net.ipv4.conf.v48a.rp_filter
echo rc=$?
sysctl -w net.ipv4.conf.default.rp_filter=2
sysctl -w net.ipv4.conf.all.proxy_arp=1
ip link add v48a type veth peer name v48b
sysctl net.ipv4.conf.v48a.rp_filter net.ipv4.conf.v48a.proxy_arp
sysctl -w net.ipv4.conf.all.rp_filter=1
sysctl net.ipv4.conf.v48a.rp_filter
ip link del v48a
sysctl net.ipv4.conf.v48b.rp_filter
echo rc=$?
ip netns add n48
ip netns exec n48 sysctl net.ipv4.conf.default.rp_filter net.ipv4.ip_default_ttl net.ipv4.ip_forward
