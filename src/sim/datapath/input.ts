/**
 * IPv4 input (ip_rcv -> PREROUTING -> ip_rcv_finish -> routing decision):
 * drops frames for other hosts, runs PREROUTING (conntrack, DNAT), routes
 * (martians, rp_filter, local/broadcast/forward/error) and hands the packet
 * to local delivery (INPUT), forwarding, or ip_error.
 */
import { BROADCAST_MAC, formatIp4, isMulticast, type Ip4 } from '../../model/addr.js';
import type { Link, NsName } from '../../model/world.js';
import {
  ICMP_DEST_UNREACH,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PKT_FILTERED,
  type Frame,
  type Ipv4Packet,
} from '../packet.js';
import type { Walk } from './engine.js';
import { frameSummary, headerView, pktSummary, routeLine } from './describe.js';
import { applyVerdict, runNfHook } from './hooks.js';
import { routeInput } from './route-input.js';
import { ipForward } from './forward.js';
import { localDeliver } from './local.js';
import { mcastInput } from './mcast-input.js';
import { icmpSend, ipErrorAllow } from './icmp.js';
import { devForwarding } from './route-input.js';

export function ipRcv(w: Walk, ns: NsName, link: Link, frame: Frame & { type: 'ipv4' }): void {
  const bns = w.bns(ns);
  const isMcastMac = (parseInt(frame.dst.slice(0, 2), 16) & 1) === 1;
  const broadcastFrame = frame.dst === BROADCAST_MAC || isMcastMac;
  if (link.kind !== 'loopback' && frame.dst !== link.mac && !broadcastFrame) {
    // PACKET_OTHERHOST: not addressed to this device's MAC.
    w.step({ kind: 'receive', action: `${frameSummary(frame)}: destination MAC ${frame.dst} is not ${link.name}'s, dropped` });
    w.decideFallback('neighbor_unreachable', `the frame's destination MAC ${frame.dst} belongs to no device that received it`, ns);
    return;
  }
  let pkt = frame.ip;
  const rx = pkt;
  w.step(() => ({ kind: 'receive', action: `received ${pktSummary(rx)} on ${link.name}`, before: headerView(rx) }));
  // PREROUTING (unless br_netfilter already ran it on the bridge: ip_sabotage_in).
  let after: Ipv4Packet | undefined = pkt;
  if (!w.preroutingDone.has(frame)) {
    const pre = runNfHook(w, ns, 'PREROUTING', pkt, { in: link.ifindex });
    after = applyVerdict(w, ns, 'PREROUTING', pre, { inIfindex: link.ifindex, localRoute: false });
  }
  if (!after) return;
  if (after !== pkt && after.dst !== pkt.dst) {
    w.step({ kind: 'nat', action: `after PREROUTING: ${pktSummary(after)}`, before: headerView(pkt), after: headerView(after) });
  }
  const dnatted = after.dst !== pkt.dst;
  pkt = after;
  // Looped-back local traffic keeps its output route (unless DNAT changed the destination).
  if (w.routedLocal.has(frame) && !dnatted) {
    localDeliver(w, ns, link, pkt, { broadcast: false });
    return;
  }
  // ip_route_input_rcu(): a multicast destination is decided before the FIB (no martian checks).
  if (isMulticast(pkt.dst)) {
    mcastInput(w, ns, link, pkt);
    return;
  }
  const rt = routeInput(bns, pkt.src, pkt.dst, pkt.tos, link);
  const dst = pkt.dst;
  switch (rt.kind) {
    case 'martian_source':
    case 'martian_destination':
      w.step({ kind: 'martian', action: `${rt.kind.replace('_', ' ')} ${formatIp4(rt.kind === 'martian_source' ? pkt.src : pkt.dst)} on ${link.name}: ${rt.why}; dropped` });
      w.decide('martian', `${rt.kind.replace('_', ' ')}: ${rt.why}`, ns);
      return;
    case 'rp_filter':
      w.step({ kind: 'rp_filter', action: `reverse path check failed for source ${formatIp4(pkt.src)} on ${link.name}: ${rt.why}; dropped` });
      w.decide('rp_filter', rt.why, ns);
      return;
    case 'local':
      w.step(() => ({ kind: 'route', action: `${formatIp4(dst)} is local: deliver`, entry: routeLine(bns, rt.route) }));
      localDeliver(w, ns, link, pkt, { broadcast: false });
      return;
    case 'broadcast':
      w.step({ kind: 'route', action: `${formatIp4(pkt.dst)} is a broadcast address: deliver`, ...(rt.route ? { entry: routeLine(bns, rt.route) } : {}) });
      localDeliver(w, ns, link, pkt, { broadcast: true });
      return;
    case 'forward':
      w.step(() => ({ kind: 'route', action: `${formatIp4(dst)} is not local: forward via ${rt.gateway !== undefined ? formatIp4(rt.gateway) : 'direct'}`, entry: routeLine(bns, rt.route) }));
      ipForward(w, ns, link, frame, pkt, rt);
      return;
    case 'error':
      ipError(w, ns, link, pkt, rt.errno, rt.route ? routeLine(bns, rt.route) : undefined);
      return;
  }
}

/**
 * ip_error(): the input route is an error (no route, or an unreachable,
 * prohibit or blackhole route). Without forwarding on the input device the
 * packet is dropped silently; otherwise ICMP net/host unreachable or
 * "packet filtered" goes back (blackhole: silent), subject to ip_error's
 * own rate limit and icmp_send's.
 */
function ipError(w: Walk, ns: NsName, link: Link, pkt: Ipv4Packet, errno: string, entry: string | undefined): void {
  const e = entry ? { entry } : {};
  if (!devForwarding(link)) {
    w.step({ kind: 'route', action: `${formatIp4(pkt.dst)} is not local and forwarding is off on ${link.name} (net.ipv4.conf.${link.name}.forwarding=0): dropped`, ...e });
    w.decide('forwarding_disabled', `${formatIp4(pkt.dst)} is not a local address and IP forwarding is disabled`, ns);
    return;
  }
  const code = errno === 'ENETUNREACH' ? ICMP_NET_UNREACH : errno === 'EHOSTUNREACH' ? ICMP_HOST_UNREACH : errno === 'EACCES' ? ICMP_PKT_FILTERED : undefined;
  const disp = errno === 'ENETUNREACH' ? 'no_route' : errno === 'EHOSTUNREACH' ? 'unreachable' : errno === 'EACCES' ? 'prohibited' : 'null_routed';
  const what = errno === 'ENETUNREACH' ? `no route to ${formatIp4(pkt.dst)}` : entry ? `the route is ${entry}` : errno;
  w.step({ kind: 'route', action: `route lookup for ${formatIp4(pkt.dst)}: ${what}`, ...e });
  w.decide(disp, what, ns);
  if (code === undefined) return;
  if (!ipErrorAllow(w, ns, pkt.src as Ip4)) {
    w.step({ kind: 'icmp', action: 'no ICMP error: rate-limited (ip_error: 1 per second, burst 5)' });
    return;
  }
  icmpSend(w, ns, pkt, { type: ICMP_DEST_UNREACH, code, localRoute: false, inIfindex: link.ifindex });
}
