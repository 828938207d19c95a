#!/bin/sh
# podnet-collect: write a bundle describing this node's Linux networking, for `podnet import`.
#
#   sh podnet-collect.sh > node1.bundle            (as root, on the node)
#   podnet collect | ssh node1 'sudo sh' > node1.bundle
#
# Read-only: it only runs listing commands (ip ... show, bridge ... show,
# iptables-save, sysctl -a, ip netns list) and reads files; it writes nothing
# on the node (the bundle goes to standard output). `ip netns exec` enters
# each named network namespace in a private mount namespace of its own, which
# disappears when the command ends.
#
# Options:
#   --no-netns            only the namespace this script runs in (e.g. when run
#                         inside a pod's namespace with nsenter)
#   --netns NAME          only this named namespace besides the current one
#                         (repeatable)
#   --cni-conf-dir DIR    CNI configuration directory (default /etc/cni/net.d)
#   --cni-state-dir DIR   CNI state directory with the host-local store
#                         (default /var/lib/cni)
#   --proc                also the network namespaces of processes that have no
#                         `ip netns` name (e.g. Docker containers), entered with
#                         nsenter --net=/proc/PID/ns/net and named pid-PID
#   --name NAME           the node's name in the bundle (default: uname -n)
#
# The bundle format is described in docs/import.md: lines starting with
# "@@podnet " delimit sections; every section body is followed by one extra
# newline (so output without a final newline survives) and a status line.
# POSIX sh only (dash, busybox ash): no arrays, no `local`, no bashisms.

PODNET_COLLECT_VERSION=1
set -u
LC_ALL=C
export LC_ALL
PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
export PATH

no_netns=0
proc=0
only_netns=''
cni_conf_dir=/etc/cni/net.d
cni_state_dir=/var/lib/cni
node_name=''

usage() {
	sed -n '2,/^# POSIX/p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--no-netns) no_netns=1 ;;
	--proc) proc=1 ;;
	--netns)
		[ $# -ge 2 ] || { echo "podnet-collect: --netns needs a name" >&2; exit 2; }
		only_netns="$only_netns$2
"
		shift ;;
	--cni-conf-dir)
		[ $# -ge 2 ] || { echo "podnet-collect: --cni-conf-dir needs a directory" >&2; exit 2; }
		cni_conf_dir=$2; shift ;;
	--cni-state-dir)
		[ $# -ge 2 ] || { echo "podnet-collect: --cni-state-dir needs a directory" >&2; exit 2; }
		cni_state_dir=$2; shift ;;
	--name)
		[ $# -ge 2 ] || { echo "podnet-collect: --name needs a name" >&2; exit 2; }
		node_name=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "podnet-collect: unknown option: $1" >&2; exit 2 ;;
	esac
	shift
done

have() { command -v "$1" >/dev/null 2>&1; }

# emit_status RC ERRTEXT: close a section (the body already written).
emit_status() {
	printf '\n@@podnet status %s\n' "$1"
	if [ -n "$2" ]; then
		printf '%s\n' "$2" | sed 's/^/@@podnet stderr /'
	fi
}

# run LABEL CMD...: one section `@@podnet cmd LABEL` with CMD's stdout as body,
# its exit status and its stderr (captured separately through fd 3).
run() {
	label=$1
	shift
	printf '@@podnet cmd %s\n' "$label"
	{ err=$( { "$@" </dev/null; } 2>&1 1>&3 3>&-); rc=$?; } 3>&1
	emit_status "$rc" "$err"
}

# in_ns NS CMD...: CMD in namespace NS ("/" = where this script runs; pid-PID = the
# namespace of process PID; else an `ip netns` name).
in_ns() {
	ns=$1
	shift
	case $ns in
	/) "$@" ;;
	pid-*) nsenter --net="/proc/${ns#pid-}/ns/net" "$@" ;;
	*) ip netns exec "$ns" "$@" ;;
	esac
}

# The sysctls the twin models (IPv4 forwarding, per-interface conf, neighbour
# parameters, ICMP, bridge netfilter, IPv6 enable/forwarding switches).
SYSCTL_RE='^net\.(ipv4\.(conf\.|neigh\.|ip_forward |ip_default_ttl |icmp_|ip_local_port_range |ping_group_range |route\.mtu_expires |ip_no_pmtu_disc |ip_nonlocal_bind |ip_forward_use_pmtu )|bridge\.|ipv6\.conf\.[^.]*\.(disable_ipv6|forwarding) )'

sysctls() {
	in_ns "$1" sysctl -a 2>/dev/null | grep -E "$SYSCTL_RE"
}

legacy_tables() {
	in_ns "$1" cat /proc/net/ip_tables_names 2>/dev/null
}

# collect_ns NS: every listing of one namespace.
collect_ns() {
	ns=$1
	printf '@@podnet netns %s\n' "$ns"
	# ip and bridge: `-n NS` for named namespaces, nsenter for a process's ($n and $pre are split on
	# purpose: namespace names cannot contain blanks for ip -n).
	n=''
	pre=''
	case $ns in
	/) ;;
	pid-*) pre="nsenter --net=/proc/${ns#pid-}/ns/net" ;;
	*) n="-n $ns" ;;
	esac
	run 'ip -j -d link show' $pre ip $n -j -d link show
	run 'ip -j -d addr show' $pre ip $n -j -d addr show
	run 'ip -j -d -4 route show table all' $pre ip $n -j -d -4 route show table all
	run 'ip -j -d -6 route show table all' $pre ip $n -j -d -6 route show table all
	run 'ip -j -d -4 route show table all cache' $pre ip $n -j -d -4 route show table all cache
	run 'ip -j -s -4 neigh show nud all' $pre ip $n -j -s -4 neigh show nud all
	run 'ip -j -4 neigh show proxy' $pre ip $n -j -4 neigh show proxy
	run 'ip -j -6 neigh show' $pre ip $n -j -6 neigh show
	run 'ip -j -4 rule show' $pre ip $n -j -4 rule show
	run 'ip -j -6 rule show' $pre ip $n -j -6 rule show
	run 'ip -j netns list-id' $pre ip $n -j netns list-id
	if have bridge; then
		run 'bridge -j -s fdb show' $pre bridge $n -j -s fdb show
		run 'bridge -j -d link show' $pre bridge $n -j -d link show
		run 'bridge -j vlan show' $pre bridge $n -j vlan show
	fi
	run 'iptables-save -c' in_ns "$ns" iptables-save -c
	if have ip6tables-save; then run 'ip6tables-save -c' in_ns "$ns" ip6tables-save -c; fi
	if have iptables-legacy-save && [ -n "$(legacy_tables "$ns")" ]; then
		run 'iptables-legacy-save -c' in_ns "$ns" iptables-legacy-save -c
	fi
	if in_ns "$ns" test -r /proc/net/nf_conntrack; then
		run 'nf_conntrack' in_ns "$ns" cat /proc/net/nf_conntrack
	elif have conntrack; then
		run 'conntrack -L' in_ns "$ns" conntrack -L
	fi
	run 'sysctl' sysctls "$ns"
}

# collect_files DIR: every regular file under DIR, in sorted order.
collect_files() {
	[ -d "$1" ] || return 0
	find "$1" -type f 2>/dev/null | sort | while IFS= read -r f; do
		printf '@@podnet file %s\n' "$f"
		{ err=$( { cat "$f" </dev/null; } 2>&1 1>&3 3>&-); rc=$?; } 3>&1
		emit_status "$rc" "$err"
	done
}

[ -n "$node_name" ] || node_name=$(uname -n 2>/dev/null || echo node)
printf '@@podnet bundle %s\n' "$PODNET_COLLECT_VERSION"
printf '@@podnet node %s\n' "$node_name"
run 'uname -r' uname -r
run 'ip -V' ip -V
run 'iptables -V' iptables -V
run 'id -u' id -u
run 'ip -j netns list' ip -j netns list
run 'cni-conf-dir' printf '%s\n' "$cni_conf_dir"
run 'cni-state-dir' printf '%s\n' "$cni_state_dir"

collect_ns /
if [ "$no_netns" = 0 ]; then
	if [ -n "$only_netns" ]; then
		printf '%s' "$only_netns"
	else
		ip -j netns list 2>/dev/null | tr '{' '\n' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p'
	fi | while IFS= read -r ns; do
		[ -n "$ns" ] && collect_ns "$ns"
	done
fi
# Namespaces of processes that no `ip netns` name points to (one per namespace: the first PID).
if [ "$proc" = 1 ] && [ "$no_netns" = 0 ] && have nsenter; then
	seen=" $(ls -iL /proc/self/ns/net 2>/dev/null | awk '{print $1}') "
	for f in /run/netns/* /var/run/netns/*; do
		[ -e "$f" ] && seen="$seen$(ls -iL "$f" 2>/dev/null | awk '{print $1}') "
	done
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		ino=$(ls -iL "$d/ns/net" 2>/dev/null | awk '{print $1}')
		[ -n "$ino" ] || continue
		case $seen in *" $ino "*) continue ;; esac
		seen="$seen$ino "
		collect_ns "pid-$pid"
	done
fi
collect_files "$cni_conf_dir"
collect_files "$cni_state_dir"
# Dumping a veth whose peer is in another namespace makes the kernel give that namespace a netnsid
# (peernet2id_alloc), as any `ip link show` does: the list again, with the ids the node has now.
run 'ip -j netns list (after)' ip -j netns list
printf '@@podnet end\n'
