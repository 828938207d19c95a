# 402-iptables-statistic: the statistic match (kube-proxy's load balancing):
# random mode with probabilities as kube-proxy writes them (1/n with 10
# decimals, stored as lround(2^31 p) and printed with 11 decimals), nth mode,
# inversion, listing forms, and the option errors of iptables 1.8.9.
# Traffic: n400c (10.40.0.1) pings n400s (10.40.0.2) six times; the OUTPUT
# chain has nth rules (every 2, every 3 packet 1) and random rules with
# probability 1 and 0, so the counters are deterministic.
iptables -N X
iptables -A X -m statistic --mode random --probability 0.5000000000 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0.3333333333 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0.25 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0.20000000000 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0.1428571429 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0.0002441406 -j ACCEPT
iptables -A X -m statistic --mode random --probability 1 -j ACCEPT
iptables -A X -m statistic --mode random --probability 0 -j ACCEPT
iptables -A X -m statistic --mode random --probability .5 -j ACCEPT
iptables -A X -m statistic --mode random ! --probability 0.25 -j ACCEPT
iptables -A X -m statistic --mode nth --every 3 --packet 0 -j ACCEPT
iptables -A X -m statistic --mode nth --every 2 --packet 1 -j ACCEPT
iptables -A X -m statistic --mode nth ! --every 2 --packet 1 -j ACCEPT
iptables -A X -m statistic --mode nth --every 0x10 --packet 0 -j ACCEPT
iptables -A X -p tcp -m statistic --mode nth --every 2 --packet 1 -m tcp --dport 80 -j ACCEPT
iptables -S X
iptables -L X -n
iptables -L X -n -v
iptables -C X -m statistic --mode random --probability 0.5 -j ACCEPT
echo rc=$?
iptables -C X -m statistic --mode random --probability 0.4 -j ACCEPT
echo rc=$?
iptables -D X -m statistic --mode nth --every 3 --packet 0 -j ACCEPT
echo rc=$?
iptables -A X -m statistic -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --probability 1.5 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --probability -1 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --probability abc -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode foo -j ACCEPT
echo rc=$?
iptables -A X -m statistic ! --mode random --probability 0.1 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 0 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 3 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 3 --packet 3 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --packet 1 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --every 3 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 3 --probability 0.5 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --probability 0.5 --every 2 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --probability 0.5 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --probability 0.5 --probability 0.4 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode random --mode nth -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 3 ! --packet 1 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 2 --packet -1 -j ACCEPT
echo rc=$?
iptables -A X -m statistic --mode nth --every 4294967296 --packet 0 -j ACCEPT
echo rc=$?
iptables-save -t filter
ip netns add n400c
ip netns add n400s
ip link add v400c netns n400c type veth peer name v400s netns n400s
ip -n n400c addr add 10.40.0.1/24 dev v400c
ip -n n400s addr add 10.40.0.2/24 dev v400s
ip -n n400c link set v400c up
ip -n n400s link set v400s up
ip netns exec n400c iptables -A OUTPUT -p icmp -m statistic --mode nth --every 2 --packet 0 -j ACCEPT
ip netns exec n400c iptables -A OUTPUT -p icmp -m statistic --mode nth --every 3 --packet 1
ip netns exec n400c iptables -A OUTPUT -p icmp -m statistic --mode random --probability 0 -j DROP
ip netns exec n400c iptables -A OUTPUT -p icmp -m statistic --mode random ! --probability 0 -j ACCEPT
ip netns exec n400c ping -c 6 -i 0.2 -W 1 -q 10.40.0.2
ip netns exec n400c iptables -L OUTPUT -n -v -x
ip netns exec n400c iptables -Z OUTPUT
ip netns exec n400c ping -c 2 -i 0.2 -W 1 -q 10.40.0.2
ip netns exec n400c iptables -S OUTPUT -v
