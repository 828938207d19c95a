# 151-iptables-errors: iptables' own error messages and exit codes.
# Tests: usage errors (prefix "iptables v1.8.9 (nf_tables): ", "Try" line,
# status 2), lookups that fail in the kernel ("iptables: ...", status 1),
# kernel rejections (RULE_APPEND failed, status 4), option checks done after
# parsing (-o with INPUT), and the nf_tables view of missing chains.

iptables -A FOO -j ACCEPT
echo rc=$?
iptables -A INPUT -j FOO
echo rc=$?
iptables -D INPUT -j ACCEPT
echo rc=$?
iptables -D INPUT 1
echo rc=$?
iptables -L NOPE
echo rc=$?
iptables -A INPUT -j ACCEPT
iptables -D INPUT 2
echo rc=$?
iptables -D INPUT 0
echo rc=$?
iptables -I INPUT 3 -j ACCEPT
echo rc=$?
iptables -R INPUT 5 -j ACCEPT
echo rc=$?
iptables -R INPUT -j ACCEPT
echo rc=$?
iptables -C INPUT -j ACCEPT
echo rc=$?
iptables -C INPUT -j DROP
echo rc=$?
iptables -A INPUT -o eth0 -j ACCEPT
echo rc=$?
iptables -A OUTPUT -i lo
echo rc=$?
iptables -t foo -L
echo rc=$?
iptables -t nat -A PREROUTING -j DROP
echo rc=$?
iptables -t nat -A FORWARD -j ACCEPT
echo rc=$?
iptables -A INPUT -j MASQUERADE
echo rc=$?
iptables -A INPUT -p udp -j REJECT --reject-with tcp-reset
echo rc=$?
iptables -A INPUT -p tcp --dport 99999 -j ACCEPT
echo rc=$?
iptables -A INPUT -s 10.0.0.1/33 -j ACCEPT
echo rc=$?
iptables -A INPUT --bogus
echo rc=$?
iptables -A INPUT -m foo
echo rc=$?
iptables
echo rc=$?
iptables -A
echo rc=$?
iptables -A INPUT -A OUTPUT
echo rc=$?
iptables -A INPUT -j ACCEPT -j DROP
echo rc=$?
iptables -A INPUT ! -j ACCEPT
echo rc=$?
iptables -A INPUT -s 1.2.3.4 -s 5.6.7.8
echo rc=$?
iptables -A INPUT ! ! -s 1.2.3.4
echo rc=$?
iptables -A INPUT x
echo rc=$?
iptables -A INPUT !
echo rc=$?
iptables -A INPUT -n -j ACCEPT
echo rc=$?
iptables -L -S
echo rc=$?
iptables -A INPUT -p tcp --dport 80 --dport 90
echo rc=$?
iptables -A INPUT --dport 80
echo rc=$?
iptables -A INPUT -p tcp --dport 90:80
echo rc=$?
iptables -A INPUT -m multiport --dports 1
echo rc=$?
iptables -A INPUT -p icmp --icmp-type foo
echo rc=$?
iptables -A INPUT -m comment
echo rc=$?
iptables -A INPUT -m mark --mark xyz
echo rc=$?
iptables -A INPUT -m conntrack --ctstate FOO -j ACCEPT
echo rc=$?
iptables -A INPUT -p foo -j ACCEPT
echo rc=$?
iptables -A INPUT -j REJECT --reject-with foo
echo rc=$?
iptables -A INPUT -j MARK
echo rc=$?
iptables -A INPUT -i abcdefghijklmnopq
echo rc=$?
iptables -t nat -A PREROUTING -p tcp -j DNAT
echo rc=$?
iptables -t nat -A PREROUTING -j DNAT --to-destination 1.2.3.4:80
echo rc=$?
iptables -w -A INPUT -j DROP
iptables -w 5 -D INPUT -j DROP
iptables -S
