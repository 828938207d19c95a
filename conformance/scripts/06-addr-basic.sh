# 06-addr-basic: adding an IPv4 address and the routes the kernel derives.
# Tests: addr add /24 on a down link (local table entries exist, main-table
# prefix route does not until the link is up), on an up link (proto kernel
# scope link src route), the broadcast address shown only with `brd +`,
# adding the same address twice (Error: ipv4: Address already assigned.),
# missing device, addr show text/-j/-br, ip route show table local.

ip netns add n06a
ip netns add n06b
ip link add v06a netns n06a type veth peer name v06b netns n06b
ip -n n06a addr add 10.6.0.1/24 dev v06a
ip -n n06a addr show dev v06a
ip -n n06a route show
ip -n n06a route show table local
ip -n n06a link set v06a up
ip -n n06a route show
ip -n n06b link set v06b up
ip -n n06a route show
ip -n n06a addr add 10.6.0.1/24 dev v06a
echo rc=$?
ip -n n06a addr add 10.6.0.1/16 dev v06a
echo rc=$?
ip -n n06a addr add 10.6.0.9/24 dev v06x
echo rc=$?
ip -n n06b addr add 10.6.0.2/24 brd + dev v06b
ip -n n06b addr show v06b
ip -n n06b -j addr show v06b
ip -n n06b -br addr show
ip -n n06b route show table local
ip -n n06b route show table main
ip -n n06b -j route show
ip -n n06b -j route show table local
ip -n n06a addr add 10.6.1.1 dev v06a
ip -n n06a addr show v06a
ip -n n06a route show
