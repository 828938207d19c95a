/**
 * ip_forward(): a packet routed through this namespace. Checks in the
 * kernel's order: the frame was for us (PACKET_HOST), TTL (> 1, else ICMP
 * time exceeded), MTU (DF and too big: ICMP frag needed with the next-hop
 * MTU), then the TTL is decremented, the FORWARD hook runs, and ip_output
 * (POSTROUTING, neighbour) sends it on.
 */
import { BROADCAST_MAC, formatIp4 } from '../../model/addr.js';
import type { Link, NsName } from '../../model/world.js';
import { ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_TIME_EXCEEDED, type Frame, type Ipv4Packet } from '../packet.js';
import type { Walk } from './engine.js';
import { devName, headerView } from './describe.js';
import { applyVerdict, runNfHook } from './hooks.js';
import { icmpSend } from './icmp.js';
import { postRouting } from './output.js';
import { findRedirect, sendRedirect } from './redirect.js';
import type { RouteIn } from './route-input.js';

export function ipForward(w: Walk, ns: NsName, inLink: Link, frame: Frame, pkt: Ipv4Packet, rt: RouteIn & { kind: 'forward' }): void {
  const bns = w.bns(ns);
  if (frame.dst === BROADCAST_MAC || (parseInt(frame.dst.slice(0, 2), 16) & 1) === 1) {
    w.step({ kind: 'forward', action: 'a link-layer broadcast is never forwarded: dropped' });
    w.decide('exits_network', 'link-layer broadcast not forwarded', ns);
    return;
  }
  if (pkt.ttl <= 1) {
    w.step({ kind: 'forward', action: `TTL ${pkt.ttl}: time exceeded, dropped` });
    w.decide('ttl_exceeded', `TTL expired in ${ns === '/' ? 'the host' : `netns ${ns}`}`, ns);
    icmpSend(w, ns, pkt, { type: ICMP_TIME_EXCEEDED, code: ICMP_EXC_TTL, localRoute: false, inIfindex: inLink.ifindex });
    return;
  }
  const out = bns.links[rt.outDev];
  const mtu = Math.min(out?.mtu ?? 1500, rt.route.mtu ?? Infinity);
  if (Math.min(pkt.len, pkt.fragSize ?? Infinity) > mtu && pkt.df) {
    w.step({ kind: 'mtu', action: `${pkt.len} bytes with DF do not fit ${devName(bns, rt.outDev)}'s MTU ${mtu}: dropped` });
    w.decide('frag_needed', `fragmentation needed (mtu ${mtu}) but DF set`, ns);
    icmpSend(w, ns, pkt, { type: ICMP_DEST_UNREACH, code: ICMP_FRAG_NEEDED, mtu, localRoute: false, inIfindex: inLink.ifindex });
    return;
  }
  let fwd: Ipv4Packet = { ...pkt, ttl: pkt.ttl - 1 };
  if (!pkt.df && Math.min(pkt.len, pkt.fragSize ?? Infinity) > mtu) {
    // ip_fragment(): no DF, so the router fragments it.
    fwd = { ...fwd, fragSize: mtu };
    w.step({ kind: 'mtu', action: `${pkt.len} bytes > ${devName(bns, rt.outDev)}'s MTU ${mtu}: fragmented` });
  }
  const fwdd = fwd;
  w.step(() => ({ kind: 'forward', action: `forwarding: TTL ${pkt.ttl} -> ${fwdd.ttl}`, before: headerView(pkt), after: headerView(fwdd) }));
  // A redirect exception of the nexthop (rt_bind_exception in __mkroute_input) replaces its gateway.
  const exc = findRedirect(bns, pkt.dst, rt.outDev, rt.gateway, w.now);
  const nexthop = exc?.gw ?? rt.gateway ?? pkt.dst;
  if (exc) w.step({ kind: 'route', action: `route exception from an ICMP redirect: via ${formatIp4(exc.gw)}` });
  // ip_forward(): after the TTL decrement, before the FORWARD hook.
  if (rt.redirect) sendRedirect(w, ns, inLink, fwd, rt.outDev, nexthop);
  const res = runNfHook(w, ns, 'FORWARD', fwd, { in: inLink.ifindex, out: rt.outDev });
  const after = applyVerdict(w, ns, 'FORWARD', res, { inIfindex: inLink.ifindex, localRoute: false });
  if (!after) return;
  postRouting(w, ns, after, rt.outDev, exc ? exc.gw : (rt.gateway ?? after.dst), { forwardedFrom: inLink.ifindex });
}
