# 203-martian-rpf: source validation on the receiving host.
# Tests: a packet whose source is one of the receiver's own addresses is a
# martian and dropped silently (no reply), accept_local=1 lets it in; a
# source without a route back is accepted with rp_filter=0 (the reply then
# fails: ping times out), dropped with rp_filter=2 (loose) and rp_filter=1;
# rp_filter uses the maximum of conf.all and conf.DEV.

ip netns add n203a
ip netns add n203b
ip link add v203a netns n203a address 02:00:00:00:cb:0a type veth peer name v203b netns n203b address 02:00:00:00:cb:0b
ip -n n203a link set lo up
ip -n n203b link set lo up
ip -n n203a link set v203a up
ip -n n203b link set v203b up
ip -n n203a addr add 10.203.0.1/24 dev v203a
ip -n n203b addr add 10.203.0.2/24 dev v203b
ip -n n203a addr add 10.203.0.2/32 dev lo
ip -n n203a addr add 172.16.203.1/32 dev lo
ip netns exec n203a ping -c 1 -W 1 -I 10.203.0.1 10.203.0.2
echo rc=$?
ip -n n203a addr del 10.203.0.2/32 dev lo
ip -n n203b addr add 10.203.0.1/32 dev lo
ip netns exec n203a ping -c 1 -W 1 10.203.0.2
echo rc=$?
ip netns exec n203b sysctl -qw net.ipv4.conf.v203b.accept_local=1
ip netns exec n203a ping -c 1 -W 1 10.203.0.2
echo rc=$?
ip -n n203b addr del 10.203.0.1/32 dev lo
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
ip -n n203b route add 172.16.203.0/24 via 10.203.0.1
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
ip -n n203b route del 172.16.203.0/24 via 10.203.0.1
ip netns exec n203b sysctl -qw net.ipv4.conf.all.rp_filter=2
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
ip -n n203b route add 172.16.203.0/24 via 10.203.0.1
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
ip -n n203b link add dummyx type veth peer name dummyy
ip -n n203b link set dummyx up
ip -n n203b link set dummyy up
ip -n n203b addr add 10.203.7.1/24 dev dummyx
ip -n n203b route replace 172.16.203.0/24 via 10.203.7.2
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
ip netns exec n203b sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec n203b sysctl -qw net.ipv4.conf.v203b.rp_filter=1
ip netns exec n203a ping -c 1 -W 1 -I 172.16.203.1 10.203.0.2
echo rc=$?
