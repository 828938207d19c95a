/**
 * ICMP as the kernel sends it (net/ipv4/icmp.c): errors (icmp_send) with the
 * kernel's choice of source address and its rate limits, and echo replies
 * (icmp_echo / icmp_reply).
 */
import { formatIp4, isMulticast, type Ip4 } from '../../model/addr.js';
import type { NsName } from '../../model/world.js';
import { addrType, routeOutput, selectSource, SCOPE_LINK, SCOPE_UNIVERSE } from '../fib.js';
import {
  ICMP_ECHOREPLY,
  ICMP_HLEN,
  IP_HLEN,
  isIcmpError,
  PROTO_ICMP,
  type Ipv4Packet,
} from '../packet.js';
import type { Walk } from './engine.js';
import { l4Summary } from './describe.js';

/** RFC 1812: an ICMP error carries as much of the offending packet as fits in 576 bytes. */
const ICMP_ERROR_MAX = 576;
/** XRLIM_BURST_FACTOR: the per-peer bucket holds six errors' worth of tokens. */
const XRLIM_BURST_FACTOR = 6;
/** ip_error's own limiter (ip_rt_error_cost = HZ, ip_rt_error_burst = 5 * HZ). */
const RT_ERROR_COST = 1000;
const RT_ERROR_BURST = 5000;

export interface IcmpSendOpts {
  readonly type: number;
  readonly code: number;
  /** Next-hop MTU for "fragmentation needed". */
  readonly mtu?: number;
  /** ICMP redirect: the gateway to use instead. */
  readonly gw?: Ip4;
  /** The offending packet was routed to this host (rt_flags & RTCF_LOCAL): the error comes from its destination. */
  readonly localRoute: boolean;
  /** The device the offending packet came in on (input routes). */
  readonly inIfindex?: number;
  /** The error leaves later than the walk's start (ARP failure: after the probes). */
  readonly delayMs?: number;
  /**
   * The offending packet is the ICMP socket's own, still in its OUTPUT hook:
   * icmp_reply/__icmp_send hold icmp_xmit_lock while ip_push_pending_frames
   * runs ip_local_out, so a REJECT there finds the lock taken
   * (spin_trylock fails in icmp_xmit_lock) and sends nothing.
   */
  readonly xmitLocked?: boolean;
}

function sysctlNum(w: Walk, ns: NsName, key: string, dflt: number): number {
  const v = w.bns(ns).sysctl[key];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : dflt;
}

/**
 * inet_peer_xrlim_allow(): a token bucket per destination (tokens in ms,
 * refilled by elapsed time, capped at `burst`); sending costs `cost`. A
 * fresh peer starts full (rate_last = jiffies - 60 * HZ). The ICMP limiter
 * and ip_error's limiter share the same bucket, as in the kernel.
 */
export function peerAllow(w: Walk, ns: NsName, peer: Ip4, cost: number, burst: number, atMs: number): boolean {
  const dns = w.ns(ns);
  const peers = (dns.icmpPeers ??= {}) as Record<number, { tokens: number; lastMs: number }>;
  const p = peers[peer] ?? { tokens: 0, lastMs: atMs - 60000 };
  let tokens = p.tokens + Math.max(0, atMs - p.lastMs);
  if (tokens > burst) tokens = burst;
  let ok = false;
  if (tokens >= cost) {
    tokens -= cost;
    ok = true;
  }
  peers[peer] = { ...p, tokens, lastMs: atMs };
  return ok;
}

/** ip_error()'s limiter, checked before icmp_send for routing errors. */
export function ipErrorAllow(w: Walk, ns: NsName, peer: Ip4): boolean {
  return peerAllow(w, ns, peer, RT_ERROR_COST, RT_ERROR_BURST, w.now);
}

/**
 * icmp_send(): send an ICMP error about `off` back to its source. Returns
 * whether an error was sent (it is a new walk, recorded as a spawn).
 */
export function icmpSend(w: Walk, ns: NsName, off: Ipv4Packet, o: IcmpSendOpts): boolean {
  const bns = w.bns(ns);
  const what = `ICMP ${describeError(o.type, o.code, o.mtu, o.gw)}`;
  // Never an error about an error (icmp_pointers[type].error), nor about broadcast/multicast.
  if (off.proto === PROTO_ICMP && off.icmp && isIcmpError(off.icmp.type)) {
    w.step({ kind: 'icmp', action: `no ${what}: the packet is itself an ICMP error` });
    return false;
  }
  const dstType = addrType(bns, off.dst);
  if (dstType === 'broadcast' || isMulticast(off.dst)) {
    w.step({ kind: 'icmp', action: `no ${what}: the packet was sent to a broadcast/multicast address` });
    return false;
  }
  if (o.xmitLocked) {
    w.step({ kind: 'icmp', action: `no ${what}: the packet is the ICMP socket's own reply, sent under icmp_xmit_lock` });
    return false;
  }
  // __icmp_send: "Construct source address": the destination if the packet was
  // for us; otherwise 0, letting the route back choose (unless
  // icmp_errors_use_inbound_ifaddr picks the inbound device's address).
  let saddr = 0 as Ip4;
  if (o.localRoute) saddr = off.dst;
  else if (o.inIfindex !== undefined && bns.sysctl['net.ipv4.icmp_errors_use_inbound_ifaddr'] === '1') {
    saddr = (selectSource(bns, o.inIfindex, off.src, SCOPE_LINK) ?? 0) as Ip4;
  }
  const rt = routeOutput(bns, off.src, saddr !== 0 ? { src: saddr } : {});
  if (!rt.ok) {
    w.step({ kind: 'icmp', action: `no ${what}: no route back to ${formatIp4(off.src)} (${rt.errno})` });
    return false;
  }
  const at = w.now + (o.delayMs ?? 0);
  const ratemask = sysctlNum(w, ns, 'net.ipv4.icmp_ratemask', 6168);
  const lo = bns.links[rt.dev]?.kind === 'loopback';
  if ((ratemask >> o.type) & 1 && !lo) {
    const limit = sysctlNum(w, ns, 'net.ipv4.icmp_ratelimit', 1000);
    if (limit > 0 && !peerAllow(w, ns, off.src, limit, XRLIM_BURST_FACTOR * limit, at)) {
      w.step({ kind: 'icmp', action: `no ${what}: rate-limited (net.ipv4.icmp_ratelimit=${limit} per destination)` });
      return false;
    }
  }
  const src = saddr !== 0 ? saddr : rt.src;
  const quoted = Math.min(off.len, ICMP_ERROR_MAX - IP_HLEN - ICMP_HLEN);
  const pkt: Ipv4Packet = {
    src,
    dst: off.src,
    proto: PROTO_ICMP,
    ttl: sysctlNum(w, ns, 'net.ipv4.ip_default_ttl', 64),
    len: IP_HLEN + ICMP_HLEN + quoted,
    df: false,
    // RT_TOS(iph->tos) | IPTOS_PREC_INTERNETCONTROL
    tos: (off.tos & 0x1e) | 0xc0,
    id: 0,
    icmp: { type: o.type, code: o.code, quoted: off, ...(o.mtu !== undefined ? { mtu: o.mtu } : {}), ...(o.gw !== undefined ? { gw: o.gw } : {}) },
    mark: 0,
  };
  w.step({ kind: 'icmp', action: `${what} sent from ${formatIp4(src)} to ${formatIp4(off.src)}` });
  w.spawn({ ns, pkt, delayMs: o.delayMs ?? 0, why: what, pmtudisc: 'dont', icmpSocket: true });
  return true;
}

export function describeError(type: number, code: number, mtu?: number, gw?: Ip4): string {
  return l4Summary({
    src: 0 as Ip4,
    dst: 0 as Ip4,
    proto: PROTO_ICMP,
    ttl: 0,
    len: 0,
    df: false,
    tos: 0,
    id: 0,
    mark: 0,
    icmp: { type, code, ...(mtu !== undefined ? { mtu } : {}), ...(gw !== undefined ? { gw } : {}) },
  }).replace(/^ICMP /, '');
}

/**
 * icmp_echo(): answer an echo request (unless net.ipv4.icmp_echo_ignore_all,
 * or icmp_echo_ignore_broadcasts for a broadcast). The reply comes from the
 * address the request was sent to (fib_compute_spec_dst), or for a broadcast
 * from the address the stack selects toward the sender.
 */
export function icmpEcho(w: Walk, ns: NsName, req: Ipv4Packet, broadcast: boolean, inIfindex: number): void {
  const bns = w.bns(ns);
  if (bns.sysctl['net.ipv4.icmp_echo_ignore_all'] === '1') {
    w.step({ kind: 'deliver', action: 'echo request ignored (net.ipv4.icmp_echo_ignore_all=1)' });
    w.decide('delivered', 'echo request ignored (net.ipv4.icmp_echo_ignore_all=1)', ns);
    return;
  }
  if (broadcast && (bns.sysctl['net.ipv4.icmp_echo_ignore_broadcasts'] ?? '1') === '1') {
    w.step({ kind: 'deliver', action: 'broadcast echo request ignored (net.ipv4.icmp_echo_ignore_broadcasts=1)' });
    w.decide('delivered', 'broadcast echo request ignored', ns);
    return;
  }
  const src = broadcast ? ((selectSource(bns, inIfindex, req.src, SCOPE_UNIVERSE) ?? 0) as Ip4) : req.dst;
  const reply: Ipv4Packet = {
    src,
    dst: req.src,
    proto: PROTO_ICMP,
    ttl: sysctlNum(w, ns, 'net.ipv4.ip_default_ttl', 64),
    len: req.len,
    df: false,
    tos: req.tos,
    id: 0,
    icmp: { type: ICMP_ECHOREPLY, code: 0, id: req.icmp?.id ?? 0, seq: req.icmp?.seq ?? 0 },
    mark: 0,
  };
  w.step(() => ({ kind: 'deliver', action: `echo request answered: echo reply ${formatIp4(src)} -> ${formatIp4(req.src)}` }));
  w.decide('delivered', () => `echo request delivered to ${ns === '/' ? 'the host' : `netns ${ns}`}, which replies`, ns);
  w.spawn({ ns, pkt: reply, delayMs: 0, why: 'ICMP echo reply', pmtudisc: 'dont', icmpSocket: true });
}
