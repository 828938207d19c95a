# 400-iptables-restore: loading iptables-save text (the importer of issue #10
# loads every namespace's rules this way). Tests: -c keeps chain and rule
# counters, without -c they are zero; each table named is emptied first
# (policies back to ACCEPT, user chains gone) unless --noflush; with
# --noflush an existing user chain is flushed; quoted comments; a counted
# policy takes effect (INPUT DROP counts dropped pings); errors and their
# line numbers (a jump to a missing chain is reported at COMMIT); nothing
# changes when any line fails.

ip netns add n400
ip netns add n400b
ip link add v400 netns n400 type veth peer name v400b netns n400b
ip -n n400 link set v400 up
ip -n n400b link set v400b up
ip -n n400 addr add 10.40.0.1/24 dev v400
ip -n n400b addr add 10.40.0.2/24 dev v400b
cat > ok.txt <<'X'
*nat
:PREROUTING ACCEPT [3:180]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [1:60]
:POSTROUTING ACCEPT [0:0]
:MYCHAIN - [0:0]
[5:300] -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE
-A MYCHAIN -d 1.2.3.4/32 -j RETURN
COMMIT
*filter
:INPUT DROP [7:420]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
[2:168] -A INPUT -i lo -j ACCEPT
-A INPUT -m comment --comment "a b \"c\"" -p tcp --dport 22 -j ACCEPT
COMMIT
X
ip netns exec n400 iptables-restore -c < ok.txt
echo rc=$?
ip netns exec n400 iptables-save -c
ip netns exec n400b ping -c 2 -i 0.2 -W 1 10.40.0.1
ip netns exec n400 iptables -L INPUT -v -n -x
ip netns exec n400 iptables-restore < ok.txt
echo rc=$?
ip netns exec n400 iptables-save -c
cat > nf.txt <<'X'
*nat
:MYCHAIN - [0:0]
-A MYCHAIN -j RETURN
COMMIT
*filter
-A OUTPUT -d 9.9.9.9/32 -j DROP
COMMIT
X
ip netns exec n400 iptables-restore -n < nf.txt
echo rc=$?
ip netns exec n400 iptables-save
ip netns exec n400 iptables-restore nf.txt
echo rc=$?
ip netns exec n400 iptables-save
cat > bad1.txt <<'X'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 80 -j ACCEPT
-A INPUT --bogus -j ACCEPT
COMMIT
X
ip netns exec n400 iptables-restore < bad1.txt
echo rc=$?
cat > bad2.txt <<'X'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -j NOSUCH
COMMIT
X
ip netns exec n400 iptables-restore < bad2.txt
echo rc=$?
cat > bad3.txt <<'X'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -j ACCEPT
X
ip netns exec n400 iptables-restore < bad3.txt
echo rc=$?
cat > bad4.txt <<'X'
*bogus
COMMIT
X
ip netns exec n400 iptables-restore < bad4.txt
echo rc=$?
cat > bad5.txt <<'X'
-A INPUT -j ACCEPT
X
ip netns exec n400 iptables-restore < bad5.txt
echo rc=$?
cat > bad6.txt <<'X'
*filter
:INPUT BOGUS [0:0]
COMMIT
X
ip netns exec n400 iptables-restore < bad6.txt
echo rc=$?
cat > bad7.txt <<'X'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -j MASQUERADE
COMMIT
X
ip netns exec n400 iptables-restore < bad7.txt
echo rc=$?
cat > bad8.txt <<'X'
*filter
-t nat -A INPUT -j ACCEPT
COMMIT
X
ip netns exec n400 iptables-restore < bad8.txt
echo rc=$?
cat > bad9.txt <<'X'
*filter
:INPUT ACCEPT [0:0]
[1:2 -A INPUT -j ACCEPT
COMMIT
X
ip netns exec n400 iptables-restore -c < bad9.txt
echo rc=$?
cat > bad10.txt <<'X'
*filter
-A INPUT -j ACCEPT
-D INPUT -s 1.1.1.1 -j ACCEPT
COMMIT
X
ip netns exec n400 iptables-restore < bad10.txt
echo rc=$?
ip netns exec n400 iptables-save
ip netns exec n400 iptables-restore --bogus < ok.txt
echo rc=$?
ip netns exec n400 iptables-restore -x < ok.txt
echo rc=$?
ip netns exec n400 iptables-restore nofile
echo rc=$?
