/**
 * Connection tracking (net/netfilter/nf_conntrack_core.c, _proto_*.c), as
 * much as iptables rules and NAT can observe:
 *  - a flow's first packet creates an unconfirmed entry (ctinfo NEW), which is
 *    confirmed when the packet leaves the last hook (INPUT or POSTROUTING);
 *  - packets of the original direction stay NEW until a reply was seen, then
 *    ESTABLISHED; replies are ESTABLISHED;
 *  - ICMP errors quoting a tracked flow are RELATED;
 *  - ICMP echo replies, TCP RSTs and ICMP errors without an entry are INVALID
 *    (the packet has no conntrack);
 *  - ICMP flows are keyed on the echo id (the "port").
 * Entries expire after the kernel's default timeouts (removed lazily).
 */
import { isDraft, type Draft } from 'immer';
import { peek } from '../peek.js';
import type { ConntrackEntry, ConntrackTuple } from '../../model/netfilter.js';
import type { Netns } from '../../model/world.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP, type Ipv4Packet } from '../packet.js';

/** ICMP request type -> its reply type (nf_conntrack_proto_icmp.c invmap). */
const ICMP_INVERSE: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMP_REQUESTS = new Set([8, 13, 15, 17]);
/** ICMP error types that quote the offending packet (icmp_error_message). */
export const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** Default timeouts in ms (nf_conntrack_*_timeout sysctls). */
const TIMEOUT = {
  icmp: 30_000,
  udpUnreplied: 30_000,
  udpReplied: 120_000,
  tcpSynSent: 120_000,
  tcpEstablished: 432_000_000,
  tcpOther: 120_000,
  generic: 600_000,
};

/** The tuple of a packet as it is now, or undefined for packets conntrack does not key (ICMP errors). */
export function tupleOf(pkt: Ipv4Packet): ConntrackTuple | undefined {
  if (pkt.proto === PROTO_ICMP) {
    const t = pkt.icmp?.type ?? 0;
    if (ICMP_ERRORS.has(t)) return undefined;
    return { proto: PROTO_ICMP, src: pkt.src, dst: pkt.dst, sport: pkt.icmp?.id ?? 0, dport: t };
  }
  if ((pkt.proto === PROTO_TCP || pkt.proto === PROTO_UDP) && pkt.ports) {
    return { proto: pkt.proto, src: pkt.src, dst: pkt.dst, sport: pkt.ports.sport, dport: pkt.ports.dport };
  }
  return { proto: pkt.proto, src: pkt.src, dst: pkt.dst, sport: 0, dport: 0 };
}

/** nf_ct_invert_tuple(). */
export function invertTuple(t: ConntrackTuple): ConntrackTuple {
  if (t.proto === PROTO_ICMP) return { proto: t.proto, src: t.dst, dst: t.src, sport: t.sport, dport: ICMP_INVERSE[t.dport] ?? t.dport };
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

/** Key of a tuple (entries are found by their original tuple's key). */
export function ctKey(t: ConntrackTuple): string {
  return `${t.proto}:${t.src >>> 0}:${t.sport}>${t.dst >>> 0}:${t.dport}`;
}

/**
 * Performance: tuples are immutable once stored (structurally shared between
 * world versions), so their keys are memoised per tuple object.
 */
const keyMemo = new WeakMap<object, string>();
function storedKey(t: ConntrackTuple): string {
  const k0 = keyMemo.get(t);
  if (k0 !== undefined) return k0;
  const k = ctKey(t);
  if (!isDraft(t)) keyMemo.set(t, k);
  return k;
}

const latest = peek;
/** The entries of a table as plain values (see latest()). */
function rawEntries(ns: Draft<Netns> | Netns): readonly ConntrackEntry[] {
  return latest(latest(ns as Netns).conntrack);
}
/** An entry's original tuple as a plain value (never a draft: tuples are not changed in place once stored). */
export function origOf(e: ConntrackEntry): ConntrackTuple {
  return latest(latest(e).orig);
}
function replyOf(e: ConntrackEntry): ConntrackTuple {
  return latest(latest(e).reply);
}

function sameTuple(a: ConntrackTuple, b: ConntrackTuple): boolean {
  return a.proto === b.proto && a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport;
}

/*
 * Indexes of a frozen entries array (an immutable table of a committed
 * world, as a walk first sees it): the lookups below would otherwise scan the
 * whole table per packet and per hook. A table the walk changed (a draft, or
 * a new array not yet frozen) is scanned as before.
 */
interface TableIndex {
  /** The earliest expiry (ms) of an entry. */
  readonly nextExpiry: number;
  /** Tuple key -> the first confirmed entry having it as original or reply tuple (ctFind's scan order). */
  readonly confirmedByTuple: ReadonlyMap<string, { entry: ConntrackEntry; dir: 'orig' | 'reply' }>;
  /** Original tuple key -> index of the newest entry with it (ctIndex's scan order). */
  readonly byKey: ReadonlyMap<string, number>;
}
const tableIndexes = new WeakMap<readonly ConntrackEntry[], TableIndex>();
/**
 * Lookups answered by scanning a frozen table before it is indexed. A walk
 * that writes to a table leaves a new frozen array behind, so the next walk
 * would index it again for a few lookups: building the index (two string keys
 * per entry) cost more than scanning (the 200-line script spent a tenth of its
 * time there). A table small enough or asked rarely enough is scanned; one
 * asked repeatedly is indexed. Both give the same answers.
 */
const tableAsks = new WeakMap<readonly ConntrackEntry[], number>();
const INDEX_MIN_ENTRIES = 16;
const INDEX_AFTER_ASKS = 4;
function tableIndex(raw: readonly ConntrackEntry[]): TableIndex | undefined {
  // Frozen, not merely "not a draft": ctExpire assigns a plain filtered array
  // to the draft, which ctNew then pushes to in place.
  if (raw.length < INDEX_MIN_ENTRIES || !Object.isFrozen(raw)) return undefined;
  let idx = tableIndexes.get(raw);
  if (idx) return idx;
  const asks = (tableAsks.get(raw) ?? 0) + 1;
  if (asks < INDEX_AFTER_ASKS) {
    tableAsks.set(raw, asks);
    return undefined;
  }
  let nextExpiry = Infinity;
  const confirmedByTuple = new Map<string, { entry: ConntrackEntry; dir: 'orig' | 'reply' }>();
  const byKey = new Map<string, number>();
  raw.forEach((e0, i) => {
    const e = latest(e0);
    if (e.expiresMs < nextExpiry) nextExpiry = e.expiresMs;
    const ko = storedKey(origOf(e));
    byKey.set(ko, i);
    if (!e.confirmed) return;
    if (!confirmedByTuple.has(ko)) confirmedByTuple.set(ko, { entry: e, dir: 'orig' });
    // The reply tuple is stored and immutable too: its key is memoised like the original's
    // (each walk that adds an entry makes a new frozen table, whose index is rebuilt).
    const kr = storedKey(replyOf(e));
    if (!confirmedByTuple.has(kr)) confirmedByTuple.set(kr, { entry: e, dir: 'reply' });
  });
  idx = { nextExpiry, confirmedByTuple, byKey };
  tableIndexes.set(raw, idx);
  return idx;
}

/** Drop expired entries (the kernel's gc worker, done lazily at lookup). */
export function ctExpire(ns: Draft<Netns>, now: number): void {
  const raw = rawEntries(ns);
  const idx = tableIndex(raw);
  if (idx ? idx.nextExpiry <= now : raw.some((e) => latest(e).expiresMs <= now)) ns.conntrack = ns.conntrack.filter((e) => e.expiresMs > now);
}

/**
 * Find the confirmed entry a tuple belongs to, and in which direction.
 * `unconfirmed`: also entries whose first packet is still on its way - used
 * for ICMP errors, which the kernel attaches to the offending packet's entry
 * directly (nf_ct_attach from REJECT / icmp_send), confirmed or not.
 */
export function ctFind(
  ns: Draft<Netns> | Netns,
  t: ConntrackTuple,
  unconfirmed = false,
): { entry: ConntrackEntry; dir: 'orig' | 'reply' } | undefined {
  const raw = rawEntries(ns);
  const idx = unconfirmed ? undefined : tableIndex(raw);
  if (idx) return idx.confirmedByTuple.get(ctKey(t));
  for (const e0 of raw) {
    const e = latest(e0);
    if (!e.confirmed && !unconfirmed) continue;
    if (sameTuple(origOf(e), t)) return { entry: e, dir: 'orig' };
    if (sameTuple(replyOf(e), t)) return { entry: e, dir: 'reply' };
  }
  return undefined;
}

/** The entry with this key (confirmed or not), as a draft. */
export function ctGet(ns: Draft<Netns>, key: string): Draft<ConntrackEntry> | undefined {
  const i = ctIndex(ns, key);
  return i < 0 ? undefined : ns.conntrack[i];
}

/** The entry with this key (confirmed or not), read-only (no draft is made). */
export function ctPeek(ns: Draft<Netns> | Netns, key: string): ConntrackEntry | undefined {
  const i = ctIndex(ns, key);
  return i < 0 ? undefined : latest(rawEntries(ns)[i]!);
}

function ctIndex(ns: Draft<Netns> | Netns, key: string): number {
  const raw = rawEntries(ns);
  const idx = tableIndex(raw);
  if (idx) return idx.byKey.get(key) ?? -1;
  // Newest first (a packet's flow is usually the latest one); keys are
  // unique in a table (ctNew replaces a stale unconfirmed entry of its key).
  for (let i = raw.length - 1; i >= 0; i--) if (storedKey(origOf(raw[i]!)) === key) return i;
  return -1;
}

/** Lookup key for the datapath: the entry key a packet's current tuple would have if it started a flow. */
export function ctLookupKey(pkt: Ipv4Packet): string | undefined {
  const t = tupleOf(pkt);
  return t ? ctKey(t) : undefined;
}

/** Whether a packet with no entry may start one (tcp_new, icmp_new), else it is INVALID. */
export function mayStartFlow(pkt: Ipv4Packet): boolean {
  if (pkt.proto === PROTO_ICMP) return ICMP_REQUESTS.has(pkt.icmp?.type ?? -1);
  // tcp_new(): a RST (or SYN/ACK) cannot open a connection; anything else can
  // (nf_conntrack_tcp_loose=1 picks up mid-stream ACKs).
  if (pkt.proto === PROTO_TCP) {
    const f = pkt.ports?.flags;
    return f !== 'RST' && f !== 'RSTACK' && f !== 'SYNACK';
  }
  return true;
}

function timeoutFor(e: Pick<ConntrackEntry, 'orig' | 'seenReply' | 'tcpState'>): number {
  switch (e.orig.proto) {
    case PROTO_ICMP:
      return TIMEOUT.icmp;
    case PROTO_UDP:
      return e.seenReply ? TIMEOUT.udpReplied : TIMEOUT.udpUnreplied;
    case PROTO_TCP:
      return e.tcpState === 'ESTABLISHED' ? TIMEOUT.tcpEstablished : e.tcpState === 'SYN_SENT' ? TIMEOUT.tcpSynSent : TIMEOUT.tcpOther;
    default:
      return TIMEOUT.generic;
  }
}

/** A new, unconfirmed entry for a flow's first packet. */
export function ctNew(ns: Draft<Netns>, t: ConntrackTuple, pkt: Ipv4Packet, now: number): Draft<ConntrackEntry> {
  // A stale unconfirmed entry of the same tuple (its packet was dropped) goes away.
  const key = ctKey(t);
  const raw = rawEntries(ns);
  if (raw.some((e) => !latest(e).confirmed && storedKey(origOf(e)) === key)) {
    ns.conntrack = ns.conntrack.filter((e) => e.confirmed || ctKey(e.orig as ConntrackTuple) !== key);
  }
  const tcpState: ConntrackEntry['tcpState'] =
    pkt.proto === PROTO_TCP ? (pkt.ports?.flags === 'SYN' ? 'SYN_SENT' : 'ESTABLISHED') : undefined;
  const base = {
    orig: t,
    reply: invertTuple(t),
    state: 'NEW' as const,
    seenReply: false,
    confirmed: false,
    natDoneDst: false,
    natDoneSrc: false,
    ...(tcpState ? { tcpState } : {}),
  };
  const e = { ...base, expiresMs: now + timeoutFor(base) };
  ns.conntrack.push(e as Draft<ConntrackEntry>);
  return ns.conntrack[ns.conntrack.length - 1]!;
}

/** Account a packet of an existing entry (timeouts, reply seen, TCP state). */
export function ctSeen(e: Draft<ConntrackEntry>, dir: 'orig' | 'reply', pkt: Ipv4Packet, now: number): void {
  if (dir === 'reply' && !e.seenReply) {
    e.seenReply = true;
    e.state = 'ESTABLISHED';
  }
  // Read through peek: reading the draft's tuples would draft them.
  const orig = peek(peek(e as ConntrackEntry).orig);
  if (orig.proto === PROTO_TCP) {
    const f = pkt.ports?.flags;
    if (f === 'RST' || f === 'RSTACK') e.tcpState = 'CLOSE';
    else if (f === 'FIN' || f === 'FINACK') e.tcpState = 'FIN_WAIT';
    else if (f === 'SYNACK' && dir === 'reply') e.tcpState = 'SYN_RECV';
    else if ((f === 'ACK' || f === 'PSHACK') && e.seenReply && e.tcpState === 'SYN_RECV') e.tcpState = 'ESTABLISHED';
  }
  e.expiresMs = now + timeoutFor({ orig, seenReply: e.seenReply, ...(e.tcpState !== undefined ? { tcpState: e.tcpState } : {}) });
}

/** __nf_conntrack_confirm(): the entry enters the table (its first packet passed every hook). */
export function ctConfirm(e: Draft<ConntrackEntry>): void {
  e.confirmed = true;
}

/** Whether `t` is already used as some confirmed entry's reply tuple (NAT clash check, nf_nat_used_tuple). */
export function replyTupleTaken(ns: Draft<Netns>, t: ConntrackTuple, except: string): boolean {
  for (const e of rawEntries(ns)) {
    if (storedKey(origOf(e)) === except) continue;
    if (sameTuple(replyOf(e), t)) return true;
  }
  return false;
}
