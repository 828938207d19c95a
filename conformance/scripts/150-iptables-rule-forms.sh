# 150-iptables-rule-forms: how iptables-nft prints rules back.
# Tests: -S and iptables-save canonical forms (addresses reduced to their
# network with /32 spelled out, -p names, implicit -m tcp/udp/icmp, match
# order as given, comment quoting, MARK in --set-xmark form, LOG defaults,
# REJECT default), and -L in its three spellings (names: services, hosts,
# "anywhere"; -n numeric with protocol numbers; -v with interfaces).

iptables -A INPUT -s 10.0.0.1/24 -j ACCEPT
iptables -A INPUT -s 10.0.0.1 -d 192.168.1.0/255.255.255.0 -j DROP
iptables -A INPUT ! -s 10.0.0.0/8 -i eth0 -j DROP
iptables -A INPUT -i veth+ -j ACCEPT
iptables -A FORWARD -i veth+ ! -o br0 -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -j ACCEPT
iptables -A INPUT -p tcp -m tcp --sport 1000:2000 --dport 22 -j ACCEPT
iptables -A INPUT -p udp --dport 53 -j ACCEPT
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p icmp --icmp-type 3/3 -j ACCEPT
iptables -A INPUT -p all -j ACCEPT
iptables -A INPUT -p 6 -j ACCEPT
iptables -A INPUT -p 47 -j ACCEPT
iptables -A INPUT ! -p tcp -j ACCEPT
iptables -A INPUT -m comment --comment "hello world" -j ACCEPT
iptables -A INPUT -m comment --comment hello -j ACCEPT
iptables -A INPUT -s 1.2.3.4 -m comment --comment 'a "q" b' -p tcp --dport 1 -j ACCEPT
iptables -A INPUT -p tcp --dport 80 -m comment --comment after
iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
iptables -A INPUT -m addrtype ! --src-type LOCAL ! --dst-type BROADCAST,MULTICAST
iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A INPUT -m state --state NEW -j ACCEPT
iptables -A INPUT -m conntrack ! --ctstate NEW,INVALID
iptables -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
iptables -A INPUT -p tcp -m multiport ! --dports 22,80
iptables -A INPUT -p tcp ! --sport 1:2 ! --dport 3
iptables -A INPUT -p tcp --syn
iptables -A INPUT -p tcp --tcp-flags ALL NONE
iptables -A INPUT -m mark --mark 0x4000/0x4000 -j ACCEPT
iptables -A INPUT -m mark ! --mark 5 -j ACCEPT
iptables -A INPUT -j REJECT
iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
iptables -A INPUT -j REJECT --reject-with icmp-admin-prohibited
iptables -A INPUT -j LOG
iptables -A INPUT -j LOG --log-prefix "IN: " --log-level debug
iptables -A INPUT -j MARK --set-mark 16
iptables -A INPUT -j MARK --set-mark 0x4000/0x4000
iptables -A INPUT -j MARK --and-mark 0xf
iptables -A INPUT -j MARK --xor-mark 0x20
iptables -A INPUT -j MARK --set-xmark 0x1/0x3
iptables -A INPUT -s 127.0.0.1 -d 169.254.0.0/16
iptables -N KUBE-150
iptables -A INPUT -j KUBE-150
iptables -A INPUT -p tcp --dport 8080 -g KUBE-150
iptables -A KUBE-150 -j RETURN
iptables -S
iptables -L
iptables -L -n
iptables -L -v
iptables -L -n -v --line-numbers
iptables -L INPUT 3
iptables -S INPUT 17
iptables-save
