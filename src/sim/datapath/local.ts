/**
 * Local delivery (ip_local_deliver -> INPUT -> the protocol handlers):
 * ICMP (echo requests answered, replies and errors handed to the sockets,
 * "frag needed" updating the path MTU), UDP (a listener or an open socket,
 * else ICMP port unreachable), TCP (SYN to a listener answered with SYN-ACK,
 * else a RST).
 */
import { formatIp4 } from '../../model/addr.js';
import type { Link, Listener, NsName } from '../../model/world.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_FRAG_NEEDED,
  ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_REDIRECT,
  isIcmpError,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  tcpPacket,
  type Ipv4Packet,
} from '../packet.js';
import { allHandlers } from '../devices/index.js';
import type { OpenSocket, Walk } from './engine.js';
import { l4Summary } from './describe.js';
import { applyVerdict, defaultTtl, runNfHook } from './hooks.js';
import { icmpEcho, icmpSend } from './icmp.js';
import { learnPmtu } from './pmtu.js';
import { redirectRcv } from './redirect.js';

function where(ns: NsName): string {
  return ns === '/' ? 'the host' : `netns ${ns}`;
}

/** The listener (nc -l) that takes a segment/datagram for `pkt.dst:port`. */
export function findListener(listeners: readonly Listener[], proto: 'tcp' | 'udp', pkt: Ipv4Packet): number {
  const port = pkt.ports?.dport;
  return listeners.findIndex((l) => l.proto === proto && l.port === port && (l.addr === 0 || l.addr === pkt.dst));
}

/** Does the (connected) socket `s` take this segment/datagram? */
function socketTakes(s: OpenSocket, ns: NsName, proto: 'tcp' | 'udp', pkt: Ipv4Packet): boolean {
  if (s.ns !== ns || s.proto !== proto || s.port !== pkt.ports?.dport) return false;
  return s.remote === undefined || (s.remote.addr === pkt.src && s.remote.port === pkt.ports.sport);
}

export function localDeliver(w: Walk, ns: NsName, link: Link, pkt0: Ipv4Packet, o: { readonly broadcast: boolean }): void {
  const res = runNfHook(w, ns, 'INPUT', pkt0, { in: link.ifindex });
  const pkt = applyVerdict(w, ns, 'INPUT', res, { inIfindex: link.ifindex, localRoute: true });
  if (!pkt) return;
  const bns = w.bns(ns);
  if (pkt.proto === PROTO_ICMP && pkt.icmp) {
    const t = pkt.icmp.type;
    if (t === ICMP_ECHO) {
      icmpEcho(w, ns, pkt, o.broadcast, link.ifindex);
      return;
    }
    if (t === ICMP_ECHOREPLY || isIcmpError(t)) {
      if (t === ICMP_DEST_UNREACH && pkt.icmp.code === ICMP_FRAG_NEEDED && pkt.icmp.mtu !== undefined && pkt.icmp.quoted) {
        learnPmtu(w, ns, pkt.icmp.quoted.dst, pkt.icmp.mtu);
      }
      if (t === ICMP_REDIRECT) redirectRcv(w, ns, link, pkt);
      w.step(() => ({ kind: 'deliver', action: `${l4Summary(pkt)} from ${formatIp4(pkt.src)} delivered to the sockets of ${where(ns)}` }));
      w.decide('delivered', () => `${l4Summary(pkt)} delivered to ${where(ns)}`, ns);
      w.event({ ns, pkt, inDev: link.name });
      return;
    }
    w.step(() => ({ kind: 'deliver', action: `${l4Summary(pkt)} consumed by ${where(ns)}` }));
    w.decide('delivered', () => `${l4Summary(pkt)} delivered to ${where(ns)}`, ns);
    return;
  }
  if (pkt.proto === PROTO_UDP && pkt.ports) {
    const li = findListener(bns.listeners, 'udp', pkt);
    const sock = w.sockets.some((s) => socketTakes(s, ns, 'udp', pkt));
    if (li >= 0 || sock) {
      w.step({ kind: 'deliver', action: `UDP to port ${pkt.ports.dport} delivered to a socket of ${where(ns)}` });
      w.decide('delivered', `UDP port ${pkt.ports.dport} in ${where(ns)}`, ns);
      w.event({ ns, pkt, inDev: link.name, ...(li >= 0 ? { listener: li } : {}) });
      return;
    }
    for (const h of allHandlers()) {
      if (h.udpRx?.(w, ns, pkt, link.ifindex)) return;
    }
    if (o.broadcast) {
      w.step({ kind: 'deliver', action: `no socket on UDP port ${pkt.ports.dport}: broadcast datagram dropped` });
      w.decide('port_unreachable', `no socket on UDP port ${pkt.ports.dport}`, ns);
      return;
    }
    w.step({ kind: 'deliver', action: `no socket on UDP port ${pkt.ports.dport} in ${where(ns)}` });
    w.decide('port_unreachable', `nothing listens on UDP port ${pkt.ports.dport} in ${where(ns)}`, ns);
    icmpSend(w, ns, pkt, { type: ICMP_DEST_UNREACH, code: ICMP_PORT_UNREACH, localRoute: true, inIfindex: link.ifindex });
    return;
  }
  if (pkt.proto === PROTO_TCP && pkt.ports) {
    const p = pkt.ports;
    const sock = w.sockets.some((s) => socketTakes(s, ns, 'tcp', pkt));
    if (sock) {
      w.step({ kind: 'deliver', action: `${l4Summary(pkt)} delivered to the connecting socket of ${where(ns)}` });
      w.decide('delivered', `${l4Summary(pkt)} delivered to ${where(ns)}`, ns);
      w.event({ ns, pkt, inDev: link.name });
      return;
    }
    const li = findListener(bns.listeners, 'tcp', pkt);
    if (li >= 0) {
      w.step({ kind: 'deliver', action: `${l4Summary(pkt)} delivered to the listener on port ${p.dport} of ${where(ns)}` });
      w.decide('delivered', `TCP port ${p.dport} in ${where(ns)} accepts`, ns);
      w.event({ ns, pkt, inDev: link.name, listener: li });
      if (p.flags === 'SYN') {
        const synack = tcpPacket({ src: pkt.dst, dst: pkt.src, sport: p.dport, dport: p.sport, flags: 'SYNACK', ttl: defaultTtl(w, ns) });
        w.spawn({ ns, pkt: synack, delayMs: 0, why: 'TCP SYN-ACK', pmtudisc: 'want' });
      }
      return;
    }
    if (p.flags === 'RST' || p.flags === 'RSTACK') {
      w.step({ kind: 'deliver', action: 'TCP RST for no socket: ignored' });
      w.decide('delivered', 'RST for no socket', ns);
      return;
    }
    // tcp_v4_send_reset: nothing listens.
    w.step({ kind: 'deliver', action: `nothing listens on TCP port ${p.dport} in ${where(ns)}: RST sent` });
    w.decide('port_unreachable', `nothing listens on TCP port ${p.dport} in ${where(ns)} (connection refused)`, ns);
    const rst = tcpPacket({
      src: pkt.dst,
      dst: pkt.src,
      sport: p.dport,
      dport: p.sport,
      flags: p.flags === 'SYN' ? 'RSTACK' : 'RST',
      ttl: defaultTtl(w, ns),
    });
    w.spawn({ ns, pkt: rst, delayMs: 0, why: 'TCP RST', pmtudisc: 'dont' });
    return;
  }
  // No handler for this protocol: ICMP protocol unreachable.
  w.step({ kind: 'deliver', action: `no handler for IP protocol ${pkt.proto}` });
  w.decide('port_unreachable', `protocol ${pkt.proto} not handled`, ns);
  icmpSend(w, ns, pkt, { type: ICMP_DEST_UNREACH, code: ICMP_PROT_UNREACH, localRoute: true, inIfindex: link.ifindex });
}
