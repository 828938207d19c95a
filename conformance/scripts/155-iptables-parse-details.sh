# 155-iptables-parse-details: corner cases of the command line.
# Tests: protocol and state names in any case, long option prefixes
# (--dp, --to), option aliases (--src, --destination-port...), bundled
# flags (-nvL, -LINPUT), short addresses ("10.1", "0/0"), "+" interfaces,
# --log-prefix truncation, -I with several addresses (last ends first),
# -R with several addresses, addrtype --limit-iface-* per hook, -E without
# name checks, -Z CHAIN N, -C and -v, -V.

iptables -A INPUT -p TCP --dport 22
iptables -A INPUT -p Tcp --dport 22
iptables -A INPUT -p icmp --icmp-type ping
iptables -A INPUT -m state --state established
iptables -A INPUT -m conntrack --ctstate new
iptables -A INPUT -j LOG --log-prefix "0123456789012345678901234567890"
iptables -A INPUT -s 10.1
iptables -A INPUT -s 0/0 -d 1.2.3.4/0.0.0.0
iptables -I INPUT 1 -s 1.1.1.1,2.2.2.2 -j DROP
iptables -R INPUT 1 -s 3.3.3.3,4.4.4.4 -j DROP
iptables -A INPUT -i eth0+ -o +
iptables -A FORWARD -i eth0+ -o +
iptables -A INPUT -p udp --dport 53:53
iptables -A INPUT -p udp --dport 0
iptables -A INPUT -p udp --sport domain
iptables -A INPUT -p tcp --dp 22
iptables -A INPUT -p tcp --destination-port 22
iptables -A INPUT -p tcp --source-port 22
iptables -A INPUT --proto tcp --dport 23
iptables -A INPUT --src 9.9.9.9 --dst 8.8.8.8 --in-interface lo --jump ACCEPT
iptables --append INPUT --protocol udp --match udp --dport 5
iptables -A INPUT -m tcp -p tcp --dport 6
iptables -A INPUT -p tcp -m multiport --dport 1,2
iptables -A INPUT -p tcp -m multiport --port 1,2
iptables -A INPUT -p tcp -m multiport --sports 1:2,3
iptables -A INPUT -p udp -m multiport --destination-ports domain,5353
iptables -A INPUT -m mark --mark 0x10/0xf0 -j ACCEPT
iptables -A INPUT -m mark --mark 010
iptables -A INPUT -j MARK --set-mark 0xffffffff
iptables -A INPUT -j MARK --set-xmark 0x100000000
iptables -A INPUT -m addrtype --src-type local
iptables -A INPUT -m addrtype --dst-type UNICAST,LOCAL
iptables -A INPUT -m addrtype --dst-type LOCAL --limit-iface-out
iptables -A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out
iptables -A INPUT -p icmp -m icmp --icmp-type 3/255
iptables -A INPUT ! -i lo ! -s 1.1.1.1 ! -d 2.2.2.2 ! -p udp
iptables -A INPUT -p udp -j REJECT --reject-with icmp-proto-unreachable
iptables -A INPUT -j REJECT --reject-with icmp-net-prohibited
iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited
iptables -A INPUT -j REJECT --reject-with port-unreach
iptables -A INPUT -j DROP -m comment --comment x
iptables -A INPUT -m comment --comment x -m comment --comment y
iptables -S INPUT
iptables -S FORWARD
iptables -L INPUT -v
iptables -L INPUT -n
iptables -Z X 1
iptables -Z INPUT 5
iptables -Z NOPE
iptables -A INPUT -j ACCEPT
iptables -Z INPUT 5
iptables -Z INPUT 1
iptables -D X 1
iptables -D INPUT -j X
iptables -D OUTPUT 1
iptables -N Y
iptables -Z Y 1
iptables -N A155
iptables -E A155 ACCEPT
iptables -S ACCEPT
iptables -E ACCEPT abcdefghijklmnopqrstuvwxyz012
iptables -nvL INPUT
iptables -LINPUT -n
iptables -t filter -nL FORWARD
iptables --table=nat --list POSTROUTING --numeric
iptables -C INPUT -s 1.2.3.4 -v
iptables -V
iptables -S
