# 39-iptables-basics: rule management in the filter table (nf_tables backend).
# Tests: empty -S and -L output, -A/-I (with position), -L -n (protocol
# shown numerically: "0" for all, "6" tcp), -S, -S CHAIN, -D by number
# and by specification, -R, -P, errors: deleting a missing rule ("iptables:
# Bad rule (does a matching rule exist in that chain?)."), bad positions
# ("iptables: Index of replacement too big.", "iptables: Index of insertion
# too big."), unknown chain, bad policy, -P on a user chain.

iptables -S
iptables -L -n
iptables -A INPUT -s 10.39.0.1 -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -I INPUT -i lo -j ACCEPT
iptables -I INPUT 2 -d 10.39.0.2 -j DROP
iptables -A OUTPUT -o lo -p udp --sport 53 -j RETURN
iptables -S
iptables -S INPUT
iptables -L INPUT -n
iptables -L -n
iptables -D INPUT 2
iptables -D INPUT -s 10.39.0.1 -j ACCEPT
iptables -D INPUT -s 10.39.0.1 -j ACCEPT
echo rc=$?
iptables -R INPUT 1 -i lo -j DROP
iptables -R INPUT 9 -i lo -j DROP
echo rc=$?
iptables -I INPUT 5 -j ACCEPT
echo rc=$?
iptables -A NOPE -j ACCEPT
echo rc=$?
iptables -P FORWARD DROP
iptables -P FORWARD BOGUS
echo rc=$?
iptables -N U39
iptables -P U39 DROP
echo rc=$?
iptables -S
iptables -L FORWARD -n
