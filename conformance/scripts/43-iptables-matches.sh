# 43-iptables-matches: common match extensions and how they print.
# Tests: -m comment, -m multiport (--dports / --sports), -m addrtype
# (--dst-type LOCAL, --src-type), -m conntrack --ctstate, -m state, icmp
# types by name and number, -p tcp flags (--syn), ! negation, -i/-o with +
# wildcard, -m mark, -m limit? (no), mac? (no); in -S, -L -n and
# iptables-save form; invalid extension option errors.

iptables -A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -m comment --comment "web ports" -j ACCEPT
iptables -A INPUT -p udp -m multiport --sports 53,123 -j ACCEPT
iptables -A INPUT -m addrtype --dst-type LOCAL -j RETURN
iptables -A INPUT -m addrtype --src-type LOCAL ! --dst-type BROADCAST
iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A INPUT -m conntrack --ctstate INVALID -j DROP
iptables -A INPUT -m state --state NEW
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p icmp --icmp-type 3/4 -j ACCEPT
iptables -A INPUT -p tcp --syn -j DROP
iptables -A INPUT ! -s 10.43.0.0/16 -i veth+ -j DROP
iptables -A FORWARD -o br+ -m mark --mark 0x4000/0x4000 -j ACCEPT
iptables -A FORWARD -p tcp ! --dport 22 -j REJECT --reject-with tcp-reset
iptables -S
iptables -L -n
iptables -L INPUT -n -v
iptables-save
iptables -A INPUT -m multiport --dports 80 -j ACCEPT
echo rc=$?
iptables -A INPUT -p tcp --dport 99999 -j ACCEPT
echo rc=$?
iptables -A INPUT -m conntrack --ctstate BOGUS -j ACCEPT
echo rc=$?
