/**
 * How the engine names packets, routes and neighbours in trace steps: short,
 * in the words (and formats) of the tools a student knows (`ip route`,
 * tcpdump-like packet summaries).
 */
import { formatIp4, formatRouteDst } from '../../model/addr.js';
import type { Netns, Route } from '../../model/world.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  type Frame,
  type Ipv4Packet,
} from '../packet.js';
import type { HeaderView } from '../trace.js';

const UNREACH_NAMES: Record<number, string> = {
  0: 'net unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'frag needed',
  9: 'net prohibited',
  10: 'host prohibited',
  13: 'admin prohibited',
};

/** "ICMP echo request", "ICMP time exceeded", "UDP 33434", "TCP SYN 8080". */
export function l4Summary(p: Ipv4Packet): string {
  if (p.proto === PROTO_ICMP && p.icmp) {
    const t = p.icmp.type;
    if (t === ICMP_ECHO) return `ICMP echo request id ${p.icmp.id ?? 0} seq ${p.icmp.seq ?? 0}`;
    if (t === ICMP_ECHOREPLY) return `ICMP echo reply id ${p.icmp.id ?? 0} seq ${p.icmp.seq ?? 0}`;
    if (t === ICMP_TIME_EXCEEDED) return 'ICMP time exceeded';
    if (t === ICMP_DEST_UNREACH) {
      const name = UNREACH_NAMES[p.icmp.code] ?? `unreachable code ${p.icmp.code}`;
      return `ICMP ${name}${p.icmp.mtu !== undefined ? ` (mtu ${p.icmp.mtu})` : ''}`;
    }
    if (t === ICMP_REDIRECT) {
      const gw = p.icmp.gw !== undefined ? ` (new nexthop ${formatIp4(p.icmp.gw)})` : '';
      return `ICMP redirect ${p.icmp.code === 0 ? 'network' : p.icmp.code === 1 ? 'host' : `code ${p.icmp.code}`}${gw}`;
    }
    return `ICMP type ${t} code ${p.icmp.code}`;
  }
  if (p.proto === PROTO_UDP) return `UDP ${p.ports?.sport ?? 0} > ${p.ports?.dport ?? 0}`;
  if (p.proto === PROTO_TCP) return `TCP ${p.ports?.flags ?? ''} ${p.ports?.sport ?? 0} > ${p.ports?.dport ?? 0}`.replace('  ', ' ');
  return `proto ${p.proto}`;
}

/** "ICMP echo request id 1 seq 1 10.0.0.1 -> 10.0.0.2 ttl 64 len 84". */
export function pktSummary(p: Ipv4Packet): string {
  return `${l4Summary(p)} ${formatIp4(p.src)} -> ${formatIp4(p.dst)} ttl ${p.ttl} len ${p.len}${p.df ? ' DF' : ''}`;
}

export function frameSummary(f: Frame): string {
  if (f.type === 'arp') {
    const a = f.arp;
    return a.op === 'request'
      ? `ARP who-has ${formatIp4(a.targetIp)} tell ${formatIp4(a.senderIp)}`
      : `ARP reply ${formatIp4(a.senderIp)} is-at ${a.senderMac}`;
  }
  return pktSummary(f.ip);
}

export function headerView(p: Ipv4Packet): HeaderView {
  const proto = p.proto === PROTO_ICMP ? 'icmp' : p.proto === PROTO_TCP ? 'tcp' : p.proto === PROTO_UDP ? 'udp' : p.proto;
  return {
    src: formatIp4(p.src),
    dst: formatIp4(p.dst),
    proto,
    ttl: p.ttl,
    len: p.len,
    ...(p.ports ? { sport: p.ports.sport, dport: p.ports.dport } : {}),
    ...(p.icmp ? { icmpType: p.icmp.type, icmpCode: p.icmp.code } : {}),
  };
}

function devName(ns: Netns, ifindex: number | undefined): string {
  if (ifindex === undefined) return '?';
  return ns.links[ifindex]?.name ?? `if${ifindex}`;
}

/** A route as `ip route show table all` would print it (close enough for a trace). */
export function routeLine(ns: Netns, r: Route): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(formatRouteDst(r.dst));
  if (r.gateway !== undefined) parts.push(`via ${formatIp4(r.gateway)}`);
  if (r.dev !== undefined) parts.push(`dev ${devName(ns, r.dev)}`);
  if (r.table !== 254) parts.push(`table ${r.table === 255 ? 'local' : r.table === 253 ? 'default' : r.table}`);
  if (r.proto !== 'boot') parts.push(`proto ${r.proto}`);
  if (r.scope !== 'global') parts.push(`scope ${r.scope}`);
  if (r.prefsrc !== undefined) parts.push(`src ${formatIp4(r.prefsrc)}`);
  if (r.metric) parts.push(`metric ${r.metric}`);
  if (r.mtu !== undefined) parts.push(`mtu ${r.mtu}`);
  return parts.join(' ');
}

export { devName };
