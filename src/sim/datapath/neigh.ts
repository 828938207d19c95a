/**
 * The neighbour layer for IPv4: ARP resolution on the wire
 * (neigh_resolve_output, arp_solicit), ARP input (arp_process, including
 * proxy ARP) and the entries' states and timers as `ip neigh` shows them.
 *
 * States right after an exchange, as the kernel shows them (checked with
 * `ip neigh` after one ping between two namespaces):
 *   requester:  10.0.0.2 dev va lladdr ... REACHABLE   (solicited unicast reply)
 *   target:     10.0.0.1 dev vb lladdr ... DELAY       (STALE from the request,
 *               DELAY once used to send the echo reply)
 *   unanswered: INCOMPLETE for 3 s (3 requests, 1 s apart), then FAILED.
 *
 * Timers run lazily (ageNeighbours, at the start of every walk):
 *   INCOMPLETE -> FAILED after mcast_solicit * retrans_time = 3 s;
 *   DELAY -> (unicast probe answered) REACHABLE after delay_first_probe_time = 5 s;
 *   REACHABLE -> STALE after reachable_time (the kernel draws it in
 *   [15 s, 45 s); the twin uses base_reachable_time = 30 s).
 */
import { isDraft, type Draft } from 'immer';
import { BROADCAST_MAC, formatIp4, isLimitedBroadcast, isLoopback, isMulticast, ZERO_MAC, type Ip4, type Mac } from '../../model/addr.js';
import type { Link, Neigh, NeighState, Netns, NsName, World } from '../../model/world.js';
import { addrType, selectSource, SCOPE_LINK } from '../fib.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, type ArpMessage, type Frame, type Ipv4Packet } from '../packet.js';
import type { Walk } from './engine.js';
import { peek } from '../peek.js';
import { devName, frameSummary } from './describe.js';
import { confMax, confOr, routeInput } from './route-input.js';
import { icmpSend } from './icmp.js';

export const ARP_FAIL_MS = 3000;
export const DELAY_PROBE_MS = 5000;
export const REACHABLE_MS = 30000;

/** A packet waiting in a neighbour's queue (arp_queue) for the resolution to finish. */
export interface PendingTx {
  readonly ns: NsName;
  readonly ifindex: number;
  readonly nexthop: Ip4;
  readonly pkt: Ipv4Packet;
  readonly main: boolean;
  /** Forwarded packets: the device they came in on (the router reports "host unreachable"). */
  readonly forwardedFrom?: number;
  /** When the resolution started (the INCOMPLETE entry's time). */
  readonly startedMs: number;
}

const VALID: readonly NeighState[] = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'DELAY', 'PROBE'];

function key(ns: NsName, ifindex: number, ip: Ip4): string {
  return `${ns}|${ifindex}|${ip}`;
}

/** What the timers did to an entry by `now` (see the module comment). */
export function neighStateAt(n: Neigh, now: number): { state: NeighState; updatedMs: number } {
  let { state, updatedMs } = n;
  if (state === 'INCOMPLETE' && now >= updatedMs + ARP_FAIL_MS) return { state: 'FAILED', updatedMs: updatedMs + ARP_FAIL_MS };
  if (state === 'DELAY' && now >= updatedMs + DELAY_PROBE_MS) {
    state = 'REACHABLE';
    updatedMs += DELAY_PROBE_MS;
  }
  if (state === 'REACHABLE' && now >= updatedMs + REACHABLE_MS) return { state: 'STALE', updatedMs: updatedMs + REACHABLE_MS };
  return { state, updatedMs };
}

/** Can an entry's state still change with time (INCOMPLETE, DELAY, REACHABLE)? */
function timed(state: NeighState): boolean {
  return state === 'INCOMPLETE' || state === 'DELAY' || state === 'REACHABLE';
}

const expiryMemo = new WeakMap<readonly Neigh[], number>();
/**
 * The earliest clock at which a timer of one of these entries fires (the
 * neighbour table's gc/state timers), memoised per immutable entries array;
 * -Infinity for a draft (not memoised: always scanned).
 */
function nextExpiry(entries: readonly Neigh[]): number {
  if (isDraft(entries)) return -Infinity;
  let t = expiryMemo.get(entries);
  if (t === undefined) {
    t = Infinity;
    for (const n of entries) {
      const at =
        n.state === 'INCOMPLETE' ? n.updatedMs + ARP_FAIL_MS : n.state === 'DELAY' ? n.updatedMs + DELAY_PROBE_MS : n.state === 'REACHABLE' ? n.updatedMs + REACHABLE_MS : Infinity;
      if (at < t) t = at;
    }
    expiryMemo.set(entries, t);
  }
  return t;
}

/** One namespace with its neighbour entries aged to `now` (the same object when nothing changed). */
export function ageNetnsNeighbours(ns: Netns, now: number): Netns {
  // Before the table's first timer expiry nothing changes: no scan per walk.
  if (now < nextExpiry(ns.neigh)) return ns;
  let changed = false;
  for (const n of ns.neigh) {
    if (timed(n.state) && neighStateAt(n, now).state !== n.state) {
      changed = true;
      break;
    }
  }
  if (!changed) return ns;
  return {
    ...ns,
    neigh: ns.neigh.map((n) => {
      if (!timed(n.state)) return n;
      const a = neighStateAt(n, now);
      return a.state === n.state ? n : { ...n, state: a.state, updatedMs: a.updatedMs };
    }),
  };
}

/**
 * The world with every neighbour entry aged to `now` (the same object
 * when nothing changed). `ip neigh show` prints the aged entries.
 */
export function ageNeighbours(world: World, now: number = world.clockMs): World {
  let out: Record<NsName, Netns> | undefined;
  for (const [name, ns] of Object.entries(world.ns)) {
    const a = ageNetnsNeighbours(ns, now);
    if (a !== ns) (out ??= {})[name] = a;
  }
  return out ? { ...world, ns: { ...world.ns, ...out } } : world;
}

/**
 * Neighbour entries (not proxy ones) by device and address: a numeric key
 * (ifindex * 2^32 + ip) per entry, built once per neighbour array (arrays
 * are immutable) so a lookup in a node holding thousands of entries is one
 * map access.
 */
const neighIndexCache = new WeakMap<readonly Neigh[], Map<number, Neigh>>();
function neighIndex(list: readonly Neigh[]): Map<number, Neigh> {
  let m = neighIndexCache.get(list);
  if (!m) {
    m = new Map();
    for (const n of list) if (!n.proxy) m.set(n.ifindex * 4294967296 + n.dst, n);
    neighIndexCache.set(list, m);
  }
  return m;
}

/** The entry for `ip` on `ifindex` as the walk sees it now (indexed unless this walk changed the table). */
export function lookupNeigh(w: Walk, ns: NsName, ifindex: number, ip: Ip4): Neigh | undefined {
  if (w.drafted(ns)) {
    // Read through peek (no draft of every entry); writers use neighDraft.
    const i = neighIndexIn(w.ns(ns), ifindex, ip);
    return i < 0 ? undefined : peek(peek(peek(w.ns(ns) as Netns).neigh)[i]!);
  }
  return neighIndex(w.bns(ns).neigh).get(ifindex * 4294967296 + ip);
}

/** Index of a (non-proxy) entry in a draft's neighbour table, read without drafting the entries. */
function neighIndexIn(dns: Draft<Netns>, ifindex: number, ip: Ip4): number {
  const list = peek(peek(dns as Netns).neigh);
  for (let i = 0; i < list.length; i++) {
    const n = peek(list[i]!);
    if (!n.proxy && n.ifindex === ifindex && n.dst === ip) return i;
  }
  return -1;
}

/** The draft of a (non-proxy) entry, to change it (only that entry is drafted). */
function neighDraft(dns: Draft<Netns>, ifindex: number, ip: Ip4): Draft<Neigh> | undefined {
  const i = neighIndexIn(dns, ifindex, ip);
  return i < 0 ? undefined : dns.neigh[i];
}

/** "10.0.0.2 dev eth0" for the neighbour steps, as a function (formatted only when the trace is read). */
function whereOf(nexthop: Ip4, link: Link): () => string {
  return () => `${formatIp4(nexthop)} dev ${link.name}`;
}

/** Build the Ethernet frame for `pkt` to `mac` out of `link`. */
function ipFrame(link: Link, mac: Mac, pkt: Ipv4Packet): Frame {
  return { src: link.mac, dst: mac, type: 'ipv4', ip: pkt };
}

/** ip_eth_mc_map(): 01:00:5e + the low 23 bits of the group. */
function multicastMac(ip: Ip4): Mac {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `01:00:5e:${h((ip >>> 16) & 0x7f)}:${h((ip >>> 8) & 255)}:${h(ip & 255)}` as Mac;
}

/**
 * ip_finish_output2 -> neigh_output: hand `pkt` to the device toward
 * `nexthop`, resolving its MAC first when needed.
 */
export function neighOutput(
  w: Walk,
  ns: NsName,
  ifindex: number,
  nexthop: Ip4,
  pkt: Ipv4Packet,
  o: { readonly forwardedFrom?: number; readonly broadcast?: boolean } = {},
): void {
  const bns = w.bns(ns);
  const link = bns.links[ifindex];
  if (!link) return;
  if (link.kind === 'loopback') {
    // IFF_NOARP|IFF_LOOPBACK: no resolution.
    w.transmit(ns, ifindex, ipFrame(link, ZERO_MAC, pkt));
    return;
  }
  if (o.broadcast || isLimitedBroadcast(nexthop) || addrType(bns, nexthop) === 'broadcast') {
    w.step({ kind: 'neighbour', action: `${formatIp4(nexthop)} is a broadcast address: ${BROADCAST_MAC}` });
    w.transmit(ns, ifindex, ipFrame(link, BROADCAST_MAC, pkt));
    return;
  }
  if (isMulticast(nexthop)) {
    w.transmit(ns, ifindex, ipFrame(link, multicastMac(nexthop), pkt));
    return;
  }
  const found = lookupNeigh(w, ns, ifindex, nexthop);
  const where = whereOf(nexthop, link);
  if (
    found &&
    found.lladdr !== undefined &&
    (found.state === 'PERMANENT' || found.state === 'NOARP' || found.state === 'REACHABLE' || found.state === 'DELAY' || found.state === 'PROBE')
  ) {
    // Lazy step: the entry may be this walk's working copy, so its fields are read now.
    const { state, lladdr } = found;
    w.step(() => ({ kind: 'neighbour', action: `neighbour ${where()} is ${state}`, entry: `${where()} lladdr ${lladdr} ${state}` }));
    w.transmit(ns, ifindex, ipFrame(link, found.lladdr as Mac, pkt));
    return;
  }
  // From here on the entry changes: work on the namespace's draft.
  const dns = w.ns(ns);
  const e = found ? neighDraft(dns, ifindex, nexthop) : undefined;
  if (e && e.lladdr !== undefined && e.state === 'STALE') {
    // neigh_event_send on a STALE entry: use it and start the DELAY timer.
    e.state = 'DELAY';
    e.updatedMs = w.now;
    w.step({ kind: 'neighbour', action: `neighbour ${where()} was STALE: used, now DELAY`, entry: `${where()} lladdr ${e.lladdr} DELAY` });
    w.transmit(ns, ifindex, ipFrame(link, e.lladdr as Mac, pkt));
    return;
  }
  // Unresolved: queue the packet and (re)send a request.
  let startedMs = w.now;
  if (e && e.state === 'INCOMPLETE') startedMs = e.updatedMs;
  else if (e) {
    e.state = 'INCOMPLETE';
    e.updatedMs = w.now;
    delete e.lladdr;
  } else {
    dns.neigh.push({ ifindex, dst: nexthop, state: 'INCOMPLETE', proxy: false, router: false, updatedMs: w.now });
  }
  const k = key(ns, ifindex, nexthop);
  const queue = w.pending.get(k);
  const entry: PendingTx = {
    ns,
    ifindex,
    nexthop,
    pkt,
    main: w.main,
    startedMs,
    ...(o.forwardedFrom !== undefined ? { forwardedFrom: o.forwardedFrom } : {}),
  };
  if (queue) {
    queue.push(entry);
    w.step({ kind: 'neighbour', action: `neighbour ${where()} INCOMPLETE: packet queued until ARP completes` });
    return;
  }
  w.pending.set(k, [entry]);
  w.step({ kind: 'neighbour', action: `neighbour ${where()} unknown: packet queued, ARP request sent` });
  arpSolicit(w, ns, link, nexthop, pkt.src);
}

/**
 * neigh_event_send(n, NULL) without a packet (e.g. for the gateway an ICMP
 * redirect names): an unknown or failed entry becomes INCOMPLETE and an ARP
 * request goes out; a valid or already INCOMPLETE entry is left alone.
 * Without queued packets, an unanswered entry simply turns FAILED after 3 s.
 */
export function neighResolve(w: Walk, ns: NsName, ifindex: number, target: Ip4): void {
  const link = w.bns(ns).links[ifindex];
  if (!link || link.kind === 'loopback') return;
  const cur = lookupNeigh(w, ns, ifindex, target);
  if (cur && (VALID.includes(cur.state) || cur.state === 'INCOMPLETE')) return;
  const dns = w.ns(ns);
  const e = neighDraft(dns, ifindex, target);
  if (e) {
    e.state = 'INCOMPLETE';
    e.updatedMs = w.now;
    delete e.lladdr;
  } else {
    dns.neigh.push({ ifindex, dst: target, state: 'INCOMPLETE', proxy: false, router: false, updatedMs: w.now });
  }
  arpSolicit(w, ns, link, target, 0 as Ip4);
}

/**
 * arp_solicit(): broadcast "who-has nexthop". The sender address follows
 * arp_announce: 0 uses the queued packet's source if it is local, 2 (and 1,
 * approximated) the device's address chosen for the target.
 */
function arpSolicit(w: Walk, ns: NsName, link: Link, target: Ip4, pktSrc: Ip4): void {
  const bns = w.bns(ns);
  const announce = confMax(bns, link, 'arp_announce');
  let sip: Ip4 | undefined;
  if (announce === 0 && addrType(bns, pktSrc) === 'local') sip = pktSrc;
  sip ??= selectSource(bns, link.ifindex, target, SCOPE_LINK) ?? (0 as Ip4);
  const arp: ArpMessage = { op: 'request', senderMac: link.mac, senderIp: sip, targetMac: ZERO_MAC, targetIp: target };
  sendArp(w, ns, link, { src: link.mac, dst: BROADCAST_MAC, type: 'arp', arp });
}

function sendArp(w: Walk, ns: NsName, link: Link, frame: Frame): void {
  const saved = w.main;
  w.main = false;
  w.step({ kind: 'arp', action: `${frameSummary(frame)} sent on ${link.name}` });
  w.transmit(ns, link.ifindex, frame);
  w.main = saved;
}

/**
 * neigh_update(): record `mac` for `ip` on `ifindex`. An entry that is valid
 * with the same address keeps its state when the new state is only STALE;
 * PERMANENT and NOARP entries are never changed by ARP. Creates the entry
 * only when `create` (neigh_event_ns). Flushes the packets waiting for it.
 */
function neighUpdate(w: Walk, ns: NsName, ifindex: number, ip: Ip4, mac: Mac, state: NeighState, create: boolean): void {
  const cur = lookupNeigh(w, ns, ifindex, ip);
  if (!cur && !create) return;
  // A valid entry with the same address that would only become STALE keeps its state: no change.
  if (cur && (cur.state === 'PERMANENT' || cur.state === 'NOARP' || (VALID.includes(cur.state) && cur.lladdr === mac && state === 'STALE'))) {
    flushPending(w, ns, ifindex, ip, mac);
    return;
  }
  const dns = w.ns(ns);
  const e = neighDraft(dns, ifindex, ip);
  if (!e) {
    if (!create) return;
    dns.neigh.push({ ifindex, dst: ip, lladdr: mac, state, proxy: false, router: false, updatedMs: w.now });
  } else {
    if (e.state === 'PERMANENT' || e.state === 'NOARP') return;
    const valid = VALID.includes(e.state);
    if (!(valid && e.lladdr === mac && state === 'STALE')) {
      e.lladdr = mac;
      e.state = state;
      e.updatedMs = w.now;
    }
  }
  flushPending(w, ns, ifindex, ip, mac);
}

/** neigh_update -> neigh_connect: the queued packets go out now. */
function flushPending(w: Walk, ns: NsName, ifindex: number, ip: Ip4, mac: Mac): void {
  const k = key(ns, ifindex, ip);
  const queue = w.pending.get(k);
  if (!queue) return;
  w.pending.delete(k);
  const link = w.bns(ns).links[ifindex];
  if (!link) return;
  for (const p of queue) {
    w.enqueue(() => {
      w.startHop(ns);
      w.step({ kind: 'neighbour', action: `ARP resolved ${formatIp4(ip)} dev ${link.name} is-at ${mac}: queued packet sent` });
      w.transmit(ns, ifindex, ipFrame(link, mac, p.pkt));
    }, p.main);
  }
}

/**
 * At the end of a walk, resolutions nobody answered fail (after 3 s on the
 * kernel: 3 broadcast requests, 1 s apart). A router reports "host
 * unreachable" to the sender of each queued packet, also to itself for a
 * locally generated one (ping: "From <own address> ... Destination Host
 * Unreachable", delivered through lo, so only while lo is up).
 */
export function failPendingResolutions(w: Walk): void {
  for (const [, queue] of w.pending) {
    for (const p of queue) {
      const saved = w.main;
      w.main = p.main;
      const link = w.bns(p.ns).links[p.ifindex];
      w.startHop(p.ns);
      const dev = link?.name ?? String(p.ifindex);
      w.step({ kind: 'neighbour', action: `no ARP reply for ${formatIp4(p.nexthop)} on ${dev} (3 requests, 1 s apart): packet dropped` });
      w.decide('neighbor_unreachable', `nobody answered ARP for ${formatIp4(p.nexthop)} on ${dev}`, p.ns);
      // The stack reports "host unreachable" to the packet's sender: the
      // router's sender, or our own socket through lo (ipv4_link_failure ->
      // icmp_send; a local sender sees nothing while lo is down).
      icmpSend(w, p.ns, p.pkt, {
        type: ICMP_DEST_UNREACH,
        code: ICMP_HOST_UNREACH,
        localRoute: false,
        ...(p.forwardedFrom !== undefined ? { inIfindex: p.forwardedFrom } : {}),
        delayMs: Math.max(0, p.startedMs + ARP_FAIL_MS - w.now),
      });
      w.main = saved;
    }
  }
  w.pending.clear();
}

/** arp_rcv + arp_process for a frame that reached the stack of `ns` on `link`. */
export function arpRcv(w: Walk, ns: NsName, link: Link, frame: Frame & { type: 'arp' }): void {
  const bns = w.bns(ns);
  const arp = frame.arp;
  if (frame.dst !== link.mac && frame.dst !== BROADCAST_MAC) {
    w.step({ kind: 'arp', action: `${frameSummary(frame)}: not for ${link.name}'s MAC, ignored` });
    return;
  }
  if (link.kind === 'loopback') return;
  w.step({ kind: 'arp', action: `${frameSummary(frame)} received on ${link.name}` });
  const tip = arp.targetIp;
  const sip = arp.senderIp;
  if (isMulticast(tip) || (!confOr(bns, link, 'route_localnet') && isLoopback(tip))) return;
  if (arp.op === 'request' && sip !== 0) {
    const rt = routeInput(bns, sip, tip, 0, link, { arp: true });
    if (rt.kind === 'local') {
      if (arpIgnore(bns, link, sip, tip)) {
        w.step({ kind: 'arp', action: `not answered (arp_ignore=${confMax(bns, link, 'arp_ignore')})` });
      } else {
        neighUpdate(w, ns, link.ifindex, sip, arp.senderMac, 'STALE', true);
        reply(w, ns, link, arp, tip);
      }
    } else if (rt.kind === 'forward' && rt.route.type === 'unicast' && rt.outDev !== link.ifindex) {
      const proxy = confOr(bns, link, 'proxy_arp');
      const pneigh = bns.neigh.some((n) => n.proxy && n.dst === tip && (n.ifindex === link.ifindex || n.ifindex === 0));
      if (proxy || pneigh) {
        w.step({
          kind: 'arp',
          action: `proxy ARP: ${formatIp4(tip)} is routed out of ${devName(bns, rt.outDev)}, answered with ${link.name}'s MAC`,
          entry: proxy ? `net.ipv4.conf.${confOr(bns, link, 'proxy_arp') && link.conf['proxy_arp'] === '1' ? link.name : 'all'}.proxy_arp = 1` : `proxy ${formatIp4(tip)} dev ${link.name}`,
        });
        neighUpdate(w, ns, link.ifindex, sip, arp.senderMac, 'STALE', true);
        reply(w, ns, link, arp, tip);
      }
    } else if (rt.kind !== 'forward') {
      w.step({ kind: 'arp', action: `not for us (${rt.kind === 'error' ? rt.errno : rt.kind})` });
    }
  }
  // "Update our ARP tables": only an existing entry is updated (arp_accept=0).
  const state: NeighState = arp.op === 'reply' && frame.dst !== BROADCAST_MAC ? 'REACHABLE' : 'STALE';
  if (sip !== 0 && lookupNeigh(w, ns, link.ifindex, sip)) {
    neighUpdate(w, ns, link.ifindex, sip, arp.senderMac, state, false);
  }
}

/** arp_ignore (max of conf.all and conf.DEV): 0 answer for any local address; 1 only the device's own; 2 also same subnet as the sender. */
function arpIgnore(ns: Netns, link: Link, sip: Ip4, tip: Ip4): boolean {
  const mode = confMax(ns, link, 'arp_ignore');
  if (mode === 0) return false;
  const own = link.addrs.filter((a) => a.local === tip);
  if (mode === 1) return own.length === 0;
  if (mode === 2) {
    return !own.some((a) => {
      const m = a.prefixLen === 0 ? 0 : (0xffffffff << (32 - a.prefixLen)) >>> 0;
      return ((a.local & m) >>> 0) === ((sip & m) >>> 0);
    });
  }
  return mode >= 8;
}

function reply(w: Walk, ns: NsName, link: Link, req: ArpMessage, tip: Ip4): void {
  const arp: ArpMessage = { op: 'reply', senderMac: link.mac, senderIp: tip, targetMac: req.senderMac, targetIp: req.senderIp };
  sendArp(w, ns, link, { src: link.mac, dst: req.senderMac, type: 'arp', arp });
}
