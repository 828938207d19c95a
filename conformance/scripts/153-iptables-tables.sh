# 153-iptables-tables: which tables exist, and the nat/mangle/raw tables.
# Tests: listing does not create a table (iptables-save stays empty after -L,
# -S, -F, -Z), -P/-N/-A create one, iptables-save table order (mangle, raw,
# filter, nat), -t T prints T even when missing, unknown table, nat target
# forms (DNAT/SNAT/MASQUERADE options) and where NAT targets are refused.

iptables-save
iptables -L -n
iptables -t nat -L -n
iptables -t raw -S
iptables -F
iptables -Z
iptables-save
iptables-save -t nat
iptables-save -t foo
echo rc=$?
iptables -t mangle -N M153
iptables -P FORWARD DROP
iptables -t raw -A OUTPUT -j ACCEPT
iptables-save
iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -o cni0 -j MASQUERADE
iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000
iptables -t nat -A POSTROUTING -j MASQUERADE --random-fully
iptables -t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4
iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4-1.2.3.10:1000-2000 --random
iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
iptables -t nat -A PREROUTING -d 1.1.1.1 -j DNAT --to-destination 10.0.0.2
iptables -t nat -A OUTPUT -p tcp -d 1.1.1.1 --dport 80 -j DNAT --to 10.0.0.3:80
iptables -t nat -A INPUT -j SNAT --to-source 5.5.5.5
iptables -t nat -A INPUT -j MASQUERADE
echo rc=$?
iptables -t nat -A OUTPUT -j MASQUERADE
echo rc=$?
iptables -t nat -A POSTROUTING -j DNAT --to-destination 1.1.1.1
echo rc=$?
iptables -t nat -N U153
iptables -t nat -A U153 -j DNAT --to-destination 1.1.1.1
iptables -t nat -A POSTROUTING -j U153
echo rc=$?
iptables -t nat -A PREROUTING -j U153
iptables -t nat -A U153 -j MASQUERADE
echo rc=$?
iptables -t mangle -A INPUT -j REJECT
echo rc=$?
iptables -t mangle -A PREROUTING -j MARK --set-mark 0x10
iptables -t raw -A PREROUTING -j NOTRACK
iptables -t raw -A PREROUTING -j CT --notrack
iptables -t nat -L -n -v
iptables -t nat -L
iptables -t mangle -L -v
iptables -t raw -L -n --line-numbers
iptables-save
iptables-save -c -t nat
