# 202-arp-sysctls: how ARP sysctls change who answers and what is learned.
# Tests: the weak host model (b answers ARP for an address configured on
# another of its devices: arp_ignore=0), arp_ignore=1 (only addresses of the
# receiving device: no reply, no entry learned), arp_announce=0 (the request
# carries the packet's source, so the target learns that address) vs
# arp_announce=2 (the device's own address in the target's subnet), and the
# target's learned entries (DELAY after answering a ping).

ip netns add n202a
ip netns add n202b
ip link add v202a netns n202a address 02:00:00:00:ca:0a type veth peer name v202b netns n202b address 02:00:00:00:ca:0b
ip -n n202a link set lo up
ip -n n202b link set lo up
ip -n n202a link set v202a up
ip -n n202b link set v202b up
ip -n n202a addr add 10.202.0.1/24 dev v202a
ip -n n202a addr add 10.202.5.1/32 dev lo
ip -n n202b addr add 10.202.0.2/24 dev v202b
ip -n n202b addr add 10.202.9.9/32 dev lo
ip -n n202a route add 10.202.9.9/32 dev v202a
ip netns exec n202a ping -c 1 -W 1 10.202.9.9
echo rc=$?
ip -n n202a neigh show
ip -n n202b neigh show
ip -n n202a neigh flush dev v202a
ip -n n202b neigh flush dev v202b
ip netns exec n202b sysctl -qw net.ipv4.conf.v202b.arp_ignore=1
ip netns exec n202a ping -c 1 -W 4 10.202.9.9
echo rc=$?
ip -n n202a neigh show
ip -n n202b neigh show
ip netns exec n202b sysctl -qw net.ipv4.conf.v202b.arp_ignore=0
ip -n n202a neigh flush dev v202a
ip -n n202b neigh flush dev v202b
ip -n n202b route add 10.202.5.1/32 dev v202b
ip netns exec n202a ping -c 1 -W 1 -I 10.202.5.1 10.202.0.2
echo rc=$?
ip -n n202b neigh show
ip -n n202a neigh flush dev v202a
ip -n n202b neigh flush dev v202b
ip netns exec n202a sysctl -qw net.ipv4.conf.all.arp_announce=2
ip netns exec n202a ping -c 1 -W 1 -I 10.202.5.1 10.202.0.2
echo rc=$?
ip -n n202b neigh show 10.202.0.1
