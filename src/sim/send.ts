/**
 * podnet's packet-sending API: inject one packet (one walk of the datapath
 * engine), run an exchange (the packet plus every reply and ICMP error the
 * stacks send because of it, each its own walk), or send a probe and get
 * what the sending socket sees (a reply, an ICMP error, a local error, or
 * nothing). ping, traceroute and nc are built on `probe`.
 *
 *   const r = probe(world, { from: 'a', to: parseIp4('10.0.0.2')!, proto: 'icmp' });
 *   r.outcome   // { kind: 'reply', ttl: 64, ... }
 *   r.traces    // request, then reply
 */
import { ROOT_NS, type NsName, type World } from '../model/world.js';
import type { Ip4 } from '../model/addr.js';
import { walk, type LocalError, type OpenSocket, type SocketEvent, type WalkStart, type WalkResult } from './datapath/engine.js';
import type { PmtuDisc } from './datapath/output.js';
import {
  echoRequest,
  ICMP_ECHOREPLY,
  ICMP_REDIRECT,
  isIcmpError,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  tcpPacket,
  udpPacket,
  type Ipv4Packet,
  type TcpFlags,
} from './packet.js';
import type { Trace } from './trace.js';
import { pktSummary } from './datapath/describe.js';

export type { LocalError, OpenSocket, SocketEvent, WalkResult, WalkStart } from './datapath/engine.js';
export type { PmtuDisc } from './datapath/output.js';

/** Send one packet from a namespace's stack (as a local socket would) and follow it: one walk. */
export function sendPacket(
  world: World,
  ns: NsName,
  pkt: Ipv4Packet,
  opts: { readonly oif?: number; readonly pmtudisc?: PmtuDisc; readonly now?: number } = {},
): WalkResult {
  return walk(world, {
    kind: 'output',
    ns,
    pkt,
    ...(opts.oif !== undefined ? { oif: opts.oif } : {}),
    ...(opts.pmtudisc ? { pmtudisc: opts.pmtudisc } : {}),
    title: `${pktSummary(pkt)} from ${nsLabel(ns)}`,
  }, opts.now !== undefined ? { now: opts.now } : {});
}

function nsLabel(ns: NsName): string {
  return ns === ROOT_NS ? 'the host' : `netns ${ns}`;
}

export interface ExchangeResult {
  readonly world: World;
  /** One trace per walk, in the order they ran (the packet first). */
  readonly traces: readonly Trace[];
  /** Everything delivered to local sockets, by any walk. */
  readonly events: readonly SocketEvent[];
  /** The first walk's synchronous error (what sendmsg returned). */
  readonly localError?: LocalError;
  /** The first walk's packet after its route lookup (source filled in). */
  readonly sent?: Ipv4Packet;
  /** Walks due after `horizonMs`, not run yet (e.g. errors 3 s after an ARP failure). */
  readonly deferred: readonly Deferred[];
}

/** A walk waiting for its time. */
export interface Deferred {
  readonly start: WalkStart;
  readonly at: number;
}

/** Cap on walks in one exchange (a packet, its replies, their errors...). */
const MAX_WALKS = 64;

/**
 * Run walks in time order, each followed by the walks it spawned (replies,
 * ICMP errors), up to `horizonMs`; later ones are returned as `deferred`.
 * The world's clock is not moved: walks run at their own time.
 */
export function runWalks(
  world: World,
  queue0: readonly Deferred[],
  opts: { readonly sockets?: readonly OpenSocket[]; readonly horizonMs?: number } = {},
): ExchangeResult {
  const horizon = opts.horizonMs ?? Infinity;
  const queue = [...queue0];
  const traces: Trace[] = [];
  const events: SocketEvent[] = [];
  const deferred: Deferred[] = [];
  let localError: LocalError | undefined;
  let sent: Ipv4Packet | undefined;
  let w = world;
  let n = 0;
  while (queue.length > 0 && n < MAX_WALKS) {
    queue.sort((a, b) => a.at - b.at);
    const next = queue.shift()!;
    if (next.at > horizon) {
      deferred.push(next);
      continue;
    }
    const r = walk(w, next.start, { ...(opts.sockets ? { sockets: opts.sockets } : {}), now: next.at });
    w = r.world;
    traces.push(r.trace);
    events.push(...r.events);
    if (n === 0 && r.localError) localError = r.localError;
    if (n === 0 && r.sent) sent = r.sent;
    for (const s of r.spawned) {
      queue.push({
        at: next.at + s.delayMs,
        start: {
          kind: 'output',
          ns: s.ns,
          pkt: s.pkt,
          pmtudisc: s.pmtudisc,
          title: `${s.why}: ${pktSummary(s.pkt)} from ${nsLabel(s.ns)}`,
          ...(s.transparent ? { transparent: true } : {}),
          ...(s.icmpSocket ? { icmpSocket: true } : {}),
        },
      });
    }
    n++;
  }
  return { world: w, traces, events, deferred, ...(localError ? { localError } : {}), ...(sent ? { sent } : {}) };
}

/** Run a walk and then every walk it spawned (replies, ICMP errors), in time order. */
export function exchange(
  world: World,
  start: WalkStart,
  opts: { readonly sockets?: readonly OpenSocket[]; readonly now?: number; readonly horizonMs?: number } = {},
): ExchangeResult {
  return runWalks(world, [{ start, at: opts.now ?? world.clockMs }], opts);
}

export interface ProbeSpec {
  readonly from: NsName;
  readonly to: Ip4;
  readonly proto: 'icmp' | 'udp' | 'tcp';
  /** Source address (bind); default: chosen by the route. */
  readonly src?: Ip4;
  /** SO_BINDTODEVICE. */
  readonly oif?: number;
  readonly ttl?: number;
  /** Payload bytes (ICMP data after the 8-byte header; UDP data). */
  readonly payload?: number;
  readonly pmtudisc?: PmtuDisc;
  readonly id?: number;
  readonly seq?: number;
  readonly sport?: number;
  readonly dport?: number;
  readonly tcpFlags?: TcpFlags;
  readonly data?: string;
  /** Clock (ms) at which the probe leaves; default world.clockMs. */
  readonly now?: number;
  /** TCP/UDP: the sending socket receives answers (default true; false for a server's segment). */
  readonly openSocket?: boolean;
}

export type ProbeOutcome =
  /** An echo reply, a SYN-ACK, or a UDP datagram back to our port. */
  | { readonly kind: 'reply'; readonly pkt: Ipv4Packet; readonly atMs: number }
  /** A TCP RST: connection refused. */
  | { readonly kind: 'reset'; readonly pkt: Ipv4Packet; readonly atMs: number }
  | { readonly kind: 'icmp_error'; readonly from: Ip4; readonly type: number; readonly code: number; readonly mtu?: number; readonly pkt: Ipv4Packet; readonly atMs: number }
  | { readonly kind: 'local_error'; readonly errno: LocalError['errno']; readonly mtu?: number }
  | { readonly kind: 'timeout' };

export interface ProbeResult {
  readonly world: World;
  readonly traces: readonly Trace[];
  readonly outcome: ProbeOutcome;
  /** The probe as it was sent (source filled in by the route, if it got that far). */
  readonly sent: Ipv4Packet;
  /** Every socket event of the exchange (e.g. data reaching a listener elsewhere). */
  readonly events: readonly SocketEvent[];
}

/** Build the probe packet (source 0 = let the route choose). */
export function probePacket(world: World, p: ProbeSpec): Ipv4Packet {
  const ttl = p.ttl ?? (Number(world.ns[p.from]?.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64);
  const src = (p.src ?? 0) as Ip4;
  if (p.proto === 'icmp') return echoRequest({ src, dst: p.to, id: p.id ?? 1, seq: p.seq ?? 1, payload: p.payload ?? 56, ttl });
  if (p.proto === 'udp') {
    return udpPacket({ src, dst: p.to, sport: p.sport ?? 40000, dport: p.dport ?? 33434, payload: p.payload ?? 0, ttl, ...(p.data !== undefined ? { data: p.data } : {}) });
  }
  return tcpPacket({ src, dst: p.to, sport: p.sport ?? 40000, dport: p.dport ?? 80, flags: p.tcpFlags ?? 'SYN', ttl, ...(p.data !== undefined ? { data: p.data } : {}) });
}

/** Does this event answer (or report an error about) our probe? */
function matches(ev: SocketEvent, sent: Ipv4Packet): boolean {
  const p = ev.pkt;
  // A redirect is advice, not an answer: the probe still gets its reply (see redirectsFor).
  if (p.proto === PROTO_ICMP && p.icmp?.type === ICMP_REDIRECT) return false;
  if (p.proto === PROTO_ICMP && p.icmp && isIcmpError(p.icmp.type)) {
    const q = p.icmp.quoted;
    if (!q || q.proto !== sent.proto || q.src !== sent.src) return false;
    if (sent.proto === PROTO_ICMP) return q.icmp?.id === sent.icmp?.id && q.icmp?.seq === sent.icmp?.seq;
    return q.ports?.sport === sent.ports?.sport && q.ports?.dport === sent.ports?.dport;
  }
  if (sent.proto === PROTO_ICMP) {
    return p.proto === PROTO_ICMP && p.icmp?.type === ICMP_ECHOREPLY && p.icmp.id === sent.icmp?.id && p.icmp.seq === sent.icmp?.seq && p.dst === sent.src;
  }
  if (sent.proto === PROTO_UDP || sent.proto === PROTO_TCP) {
    // A connected socket: the answer must come from the address and port it sent to.
    return p.proto === sent.proto && p.ports?.dport === sent.ports?.sport && p.dst === sent.src && p.src === sent.dst && p.ports?.sport === sent.ports?.dport;
  }
  return false;
}

/** What the socket that sent `sent` saw among `events` (first answer wins). */
export function outcomeOf(ns: NsName, sent: Ipv4Packet, localError: LocalError | undefined, events: readonly SocketEvent[]): ProbeOutcome {
  if (localError) return { kind: 'local_error', errno: localError.errno, ...(localError.mtu !== undefined ? { mtu: localError.mtu } : {}) };
  const ev = events.find((e) => e.ns === ns && matches(e, sent));
  if (!ev) return { kind: 'timeout' };
  const p = ev.pkt;
  if (p.proto === PROTO_ICMP && p.icmp && isIcmpError(p.icmp.type)) {
    return { kind: 'icmp_error', from: p.src, type: p.icmp.type, code: p.icmp.code, ...(p.icmp.mtu !== undefined ? { mtu: p.icmp.mtu } : {}), pkt: p, atMs: ev.atMs };
  }
  if (p.proto === PROTO_TCP && (p.ports?.flags === 'RST' || p.ports?.flags === 'RSTACK')) return { kind: 'reset', pkt: p, atMs: ev.atMs };
  return { kind: 'reply', pkt: p, atMs: ev.atMs };
}

/**
 * The ICMP redirects about a probe that reached its sender's namespace
 * (ping, on a raw socket, prints "From GW: icmp_seq=N Redirect Host(New nexthop: X)").
 */
export function redirectsFor(ns: NsName, sent: Ipv4Packet, events: readonly SocketEvent[]): SocketEvent[] {
  return events.filter((e) => {
    const p = e.pkt;
    if (e.ns !== ns || p.proto !== PROTO_ICMP || p.icmp?.type !== ICMP_REDIRECT) return false;
    const q = p.icmp.quoted;
    if (!q || q.proto !== sent.proto || q.src !== sent.src || q.dst !== sent.dst) return false;
    if (sent.proto === PROTO_ICMP) return q.icmp?.id === sent.icmp?.id && q.icmp?.seq === sent.icmp?.seq;
    return q.ports?.sport === sent.ports?.sport && q.ports?.dport === sent.ports?.dport;
  });
}

function probeStart(spec: ProbeSpec, pkt: Ipv4Packet): WalkStart {
  return {
    kind: 'output',
    ns: spec.from,
    pkt,
    ...(spec.oif !== undefined ? { oif: spec.oif } : {}),
    pmtudisc: spec.pmtudisc ?? (spec.proto === 'udp' ? 'dont' : 'want'),
    title: `${pktSummary(pkt)} from ${nsLabel(spec.from)}`,
  };
}

/** Send a probe from `spec.from` and report what its socket sees (runs every resulting walk). */
export function probe(world: World, spec: ProbeSpec, opts: { readonly sockets?: readonly OpenSocket[] } = {}): ProbeResult {
  const s = new ProbeSession(world, opts.sockets ?? []);
  const h = s.send(spec);
  s.finish();
  return { world: s.world, traces: s.traces, outcome: s.outcome(h), sent: h.sent, events: s.events };
}

export interface ProbeHandle {
  readonly ns: NsName;
  readonly sent: Ipv4Packet;
  readonly at: number;
  readonly localError?: LocalError;
}

/**
 * A program sending several probes over time (ping -c 5, traceroute): walks
 * run in time order across probes, so an error due 3 s after an ARP failure
 * arrives after the probes sent in between, as on the kernel.
 */
export class ProbeSession {
  world: World;
  readonly traces: Trace[] = [];
  readonly events: SocketEvent[] = [];
  private pending: Deferred[] = [];
  private readonly sockets: OpenSocket[];

  constructor(world: World, sockets: readonly OpenSocket[] = []) {
    this.world = world;
    this.sockets = [...sockets];
  }

  private absorb(r: ExchangeResult): void {
    this.world = r.world;
    this.traces.push(...r.traces);
    this.events.push(...r.events);
    this.pending = [...r.deferred];
  }

  /** Run everything due up to `t` (inclusive). */
  advance(t: number): void {
    if (this.pending.length === 0) return;
    this.absorb(runWalks(this.world, this.pending, { sockets: this.sockets, horizonMs: t }));
  }

  send(spec: ProbeSpec): ProbeHandle {
    const at = spec.now ?? this.world.clockMs;
    this.advance(at);
    const pkt = probePacket(this.world, spec);
    if (spec.proto !== 'icmp' && spec.openSocket !== false) {
      this.sockets.push({ ns: spec.from, proto: spec.proto, port: pkt.ports!.sport, remote: { addr: pkt.dst, port: pkt.ports!.dport } });
    }
    // Everything pending is due after `at` (advance ran the rest), so the probe's walk runs first.
    const r = runWalks(this.world, [{ start: probeStart(spec, pkt), at }, ...this.pending], {
      sockets: this.sockets,
      horizonMs: at,
    });
    this.absorb(r);
    return { ns: spec.from, sent: r.sent ?? pkt, at, ...(r.localError ? { localError: r.localError } : {}) };
  }

  /** When the next deferred walk is due (undefined: none). */
  nextPendingAt(): number | undefined {
    return this.pending.length ? Math.min(...this.pending.map((p) => p.at)) : undefined;
  }

  /** Run the remaining walks up to `untilMs` (default: all). */
  finish(untilMs = Infinity): void {
    this.advance(untilMs);
  }

  /** ICMP redirects about this probe (see redirectsFor). */
  redirects(h: ProbeHandle): SocketEvent[] {
    return redirectsFor(h.ns, h.sent, this.events.filter((e) => e.atMs >= h.at));
  }

  outcome(h: ProbeHandle): ProbeOutcome {
    return outcomeOf(h.ns, h.sent, h.localError, this.events.filter((e) => e.atMs >= h.at));
  }
}
