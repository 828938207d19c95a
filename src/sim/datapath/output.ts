/**
 * Local output (ip_route_output_key + ip_local_out + ip_output): a packet a
 * socket of this namespace sends. Route lookup and source selection
 * (src/sim/fib.ts), the path MTU check, the OUTPUT hook (with a new route
 * lookup if DNAT changed the destination), POSTROUTING, then the neighbour
 * layer (or the loopback device for local destinations).
 */
import { formatIp4, type Ip4 } from '../../model/addr.js';
import type { NsName } from '../../model/world.js';
import { routeOutput, type OutputRoute } from '../fib.js';
import type { Ipv4Packet } from '../packet.js';
import type { Walk } from './engine.js';
import { devName, headerView, pktSummary, routeLine } from './describe.js';
import { applyVerdict, runNfHook } from './hooks.js';
import { neighOutput } from './neigh.js';
import { pathMtu } from './pmtu.js';
import { withRedirect } from './redirect.js';
import type { Disposition } from '../trace.js';

/** IP_MTU_DISCOVER of the sending socket: ping -M want (default) | do | dont. Kernel sockets (ICMP) use dont. */
export type PmtuDisc = 'want' | 'do' | 'dont';

export interface LocalOutOpts {
  /** SO_BINDTODEVICE (ping -I dev): the route must use this device. */
  readonly oif?: number;
  readonly pmtudisc: PmtuDisc;
  /** The packet's source need not be ours (nf_send_reset: the RST is sent as if from the destination). */
  readonly transparent?: boolean;
  /**
   * The kernel's ICMP socket sends it (an echo reply, an ICMP error): a REJECT
   * in OUTPUT answers nothing (icmp_xmit_lock is held; see IcmpSendOpts.xmitLocked).
   */
  readonly icmpSocket?: boolean;
}

const ERRNO_DISPOSITION: Record<string, Disposition> = {
  ENETUNREACH: 'no_route',
  EHOSTUNREACH: 'unreachable',
  EACCES: 'prohibited',
  EINVAL: 'null_routed',
  ENODEV: 'no_route',
};

export function localOut(w: Walk, ns: NsName, pkt0: Ipv4Packet, o: LocalOutOpts): void {
  const bns = w.bns(ns);
  w.hopIn(ns);
  // Options set field by field (routeOutput reads each with `??`): spreading
  // conditional literals costs a runtime copy each, per packet.
  const ro: { src?: Ip4; oif?: number; tos?: number } = {};
  if (pkt0.src !== 0 && !o.transparent) ro.src = pkt0.src;
  if (o.oif !== undefined) ro.oif = o.oif;
  if (pkt0.tos) ro.tos = pkt0.tos;
  const rt0 = routeOutput(bns, pkt0.dst, ro);
  if (!rt0.ok) {
    const entry = rt0.route ? routeLine(bns, rt0.route) : undefined;
    w.step({ kind: 'output', action: `route lookup for ${formatIp4(pkt0.dst)} failed: ${rt0.errno}`, ...(entry ? { entry } : {}) });
    const d = rt0.errno === 'EINVAL' && rt0.route?.type !== 'blackhole' ? 'martian' : (ERRNO_DISPOSITION[rt0.errno] ?? 'no_route');
    w.decide(d, rt0.route ? `the route is ${rt0.route.type}: ${entry}` : `no route to ${formatIp4(pkt0.dst)}`, ns);
    w.localError = { errno: rt0.errno === 'ENODEV' ? 'ENODEV' : rt0.errno };
    return;
  }
  // A route exception learnt from an ICMP redirect replaces the nexthop's gateway.
  const rt = withRedirect(w.cur(ns), rt0, pkt0.dst, w.now);
  let pkt: Ipv4Packet = pkt0.src === 0 ? { ...pkt0, src: rt.src } : pkt0;
  w.sent ??= pkt;
  const sentPkt = pkt;
  w.step(() => ({
    kind: 'output',
    action: `route lookup: ${formatIp4(sentPkt.dst)} ${rt.type === 'local' ? 'is local' : `via ${rt.gateway !== undefined ? formatIp4(rt.gateway) : 'direct'} dev ${devName(bns, rt.dev)}`}, source ${formatIp4(sentPkt.src)}`,
    ...(rt.route ? { entry: routeLine(bns, rt.route) } : {}),
    after: headerView(sentPkt),
  }));
  let route: OutputRoute = rt;
  // Path MTU and DF (ip_dont_fragment / __ip_make_skb).
  const mtu = pathMtu(w, ns, route, pkt.dst);
  if (o.pmtudisc === 'do') {
    pkt = { ...pkt, df: true };
    if (pkt.len > mtu) {
      w.step({ kind: 'mtu', action: `${pkt.len} bytes with DF do not fit the path MTU ${mtu}: EMSGSIZE` });
      w.decide('frag_needed', `message too long for the path MTU ${mtu}`, ns);
      w.localError = { errno: 'EMSGSIZE', mtu };
      return;
    }
  } else if (o.pmtudisc === 'want') {
    // DF when it fits; otherwise the stack fragments it locally (without DF).
    pkt = { ...pkt, df: pkt.len <= mtu };
  } else {
    pkt = { ...pkt, df: false };
  }
  if (!pkt.df && pkt.len > mtu) {
    pkt = { ...pkt, fragSize: Math.min(pkt.fragSize ?? Infinity, mtu) };
    w.step({ kind: 'mtu', action: `${pkt.len} bytes > path MTU ${mtu}: sent as fragments of at most ${mtu} bytes` });
  }
  // OUTPUT hook; DNAT may change the destination: route again (ip_route_me_harder).
  const outRes = runNfHook(w, ns, 'OUTPUT', pkt, { out: route.dev });
  const afterOut = applyVerdict(w, ns, 'OUTPUT', outRes, { localRoute: route.type === 'local', icmpSocket: o.icmpSocket });
  if (!afterOut) {
    // NF_DROP in OUTPUT (REJECT too: it sends its error, then drops): sendmsg returns EPERM.
    if (outRes.verdict !== 'accept') w.localError = { errno: 'EPERM' };
    return;
  }
  if (afterOut.dst !== pkt.dst) {
    const again = routeOutput(bns, afterOut.dst, { src: afterOut.src, ...(o.oif !== undefined ? { oif: o.oif } : {}) });
    if (!again.ok) {
      w.step({ kind: 'output', action: `re-route after DNAT to ${formatIp4(afterOut.dst)} failed: ${again.errno}` });
      w.decide(ERRNO_DISPOSITION[again.errno] ?? 'no_route', `no route to ${formatIp4(afterOut.dst)} after DNAT`, ns);
      w.localError = { errno: again.errno };
      return;
    }
    route = again;
    w.step({ kind: 'output', action: `re-routed after DNAT: dev ${devName(bns, route.dev)}`, ...(route.route ? { entry: routeLine(bns, route.route) } : {}) });
  }
  pkt = afterOut;
  postRouting(w, ns, pkt, route.dev, (route.gateway ?? pkt.dst) as Ip4, {
    broadcast: route.type === 'broadcast',
    local: route.type === 'local',
  });
}

/**
 * ip_output -> POSTROUTING -> ip_finish_output: for locally generated and
 * forwarded packets alike. The MTU was checked by the caller.
 */
export function postRouting(
  w: Walk,
  ns: NsName,
  pkt0: Ipv4Packet,
  dev: number,
  nexthop: Ip4,
  o: { readonly broadcast?: boolean; readonly local?: boolean; readonly forwardedFrom?: number },
): void {
  const res = runNfHook(w, ns, 'POSTROUTING', pkt0, { out: dev }, { nextHop: nexthop });
  const pkt = applyVerdict(w, ns, 'POSTROUTING', res);
  if (!pkt) {
    if (res.verdict === 'drop' && o.forwardedFrom === undefined) w.localError = { errno: 'EPERM' };
    return;
  }
  if (pkt !== pkt0 && (pkt.src !== pkt0.src || pkt.dst !== pkt0.dst)) {
    w.step({ kind: 'nat', action: `after POSTROUTING: ${pktSummary(pkt)}`, before: headerView(pkt0), after: headerView(pkt) });
  }
  if (o.local) {
    // Local destination: out through lo, keeping the route (loopback_xmit keeps skb_dst).
    const bns = w.bns(ns);
    const lo = Object.values(bns.links).find((l) => l.kind === 'loopback');
    if (!lo) return;
    const frame = { src: lo.mac, dst: lo.mac, type: 'ipv4' as const, ip: pkt };
    w.routedLocal.add(frame);
    w.transmit(ns, lo.ifindex, frame);
    return;
  }
  // neighOutput reads `broadcast` (truthy) and `forwardedFrom` (!== undefined) only: `o` as is.
  neighOutput(w, ns, dev, nexthop, pkt, o);
}
