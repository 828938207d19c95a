# 152-iptables-chains: user chains and chain-level verbs.
# Tests: -N name checks, chain listing order (user chains sorted by name),
# references, -E rename (jumps follow), -X refusals (busy: referenced or not
# empty; all-or-nothing without an argument), -F/-Z/-X with -v, -P, loops
# ("Too many links") and jumps to built-ins, -S -v counters.

iptables -N ZZ152
iptables -N AA152
iptables -N MM152
iptables -N ZZ152
echo rc=$?
iptables -N INPUT
echo rc=$?
iptables -N ACCEPT
echo rc=$?
iptables -N 'a b'
echo rc=$?
iptables -N '!x'
echo rc=$?
iptables -N abcdefghijklmnopqrstuvwxyz0123
echo rc=$?
iptables -A INPUT -j AA152
iptables -A INPUT -g AA152
iptables -A MM152 -j ACCEPT
iptables -L -n
iptables -E AA152 BB152
iptables -E BB152 MM152
echo rc=$?
iptables -E NOPE X
echo rc=$?
iptables -S
iptables -X BB152
echo rc=$?
iptables -X MM152
echo rc=$?
iptables -X
echo rc=$?
iptables -X NOPE
echo rc=$?
iptables -X INPUT
echo rc=$?
iptables -P BB152 DROP
echo rc=$?
iptables -P INPUT REJECT
echo rc=$?
iptables -A ZZ152 -j ZZ152
iptables -A INPUT -j ZZ152
echo rc=$?
iptables -A INPUT -j INPUT
echo rc=$?
iptables -v -F
iptables -v -Z
iptables -v -X ZZ152
iptables -S
iptables -X
iptables -v -A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3 -j ACCEPT
iptables -v -I INPUT -p tcp --dport 80 -j DROP
iptables -v -D INPUT -p tcp --dport 80 -j DROP
iptables -D INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3 -j ACCEPT
iptables -P FORWARD DROP
iptables -S -v
iptables -L -v -Z
iptables -S
