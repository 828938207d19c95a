/**
 * A 200-line twin-shell script for the shell-vs-kernel benchmark: a chain of
 * routers (namespaces joined by veth pairs), addresses, routes, iptables rules
 * and pings end to end. Generated, so the benchmark needs no fixture file.
 */
export function chainScript(targetLines = 200): string {
  const lines: string[] = ['sysctl -q -w net.ipv4.ip_forward=1'];
  let n = 0;
  // Each router adds ~12 lines.
  const routers = Math.max(2, Math.floor((targetLines - 20) / 12));
  for (let i = 0; i < routers; i++) lines.push(`ip netns add bn${i}`);
  for (let i = 0; i + 1 < routers; i++) {
    const a = `bv${i}a`;
    const b = `bv${i}b`;
    lines.push(`ip link add ${a} netns bn${i} type veth peer name ${b} netns bn${i + 1}`);
    lines.push(`ip -n bn${i} addr add 10.${i}.0.1/24 dev ${a}`);
    lines.push(`ip -n bn${i + 1} addr add 10.${i}.0.2/24 dev ${b}`);
    lines.push(`ip -n bn${i} link set ${a} up`);
    lines.push(`ip -n bn${i + 1} link set ${b} up`);
    lines.push(`ip netns exec bn${i} sysctl -q -w net.ipv4.ip_forward=1`);
    n++;
  }
  for (let i = 0; i < routers; i++) {
    if (i + 1 < routers) lines.push(`ip -n bn${i} route add 10.200.0.0/16 via 10.${i}.0.2`);
    if (i > 0) lines.push(`ip -n bn${i} route add 10.0.0.0/9 via 10.${i - 1}.0.1`);
    lines.push(`ip netns exec bn${i} iptables -A FORWARD -p icmp -j ACCEPT`);
  }
  const last = routers - 1;
  lines.push(`ip -n bn${last} addr add 10.200.0.1/32 dev lo`);
  lines.push(`ip -n bn${last} link set lo up`);
  lines.push(`ip -n bn0 link set lo up`);
  while (lines.length < targetLines - 2) {
    lines.push(`ip netns exec bn0 ping -c 1 -W 1 10.200.0.1`);
    lines.push(`ip -n bn${n % routers} -j route show`);
    n++;
  }
  lines.push(`ip netns exec bn0 iptables-save -c`);
  for (let i = 0; i < routers; i++) lines.push(`ip netns del bn${i}`);
  return lines.slice(0, Math.max(targetLines, lines.length)).join('\n') + '\n';
}
