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

/**
 * Hash of a tuple, the key entries are indexed by (the kernel's
 * hash_conntrack_raw() runs jhash2 over the tuple's words; here murmur3's
 * 32-bit mix over the five numbers): no string is built per lookup.
 * Folded to 30 bits so that V8 keeps the Map keys small integers (a key
 * above 2^30 would be a heap number). Different tuples may share a hash:
 * every lookup compares the tuple's fields (see sameTuple).
 */
export function ctHash(t: ConntrackTuple): number {
  let h = 0x9747b28c;
  h = mixWord(h, t.proto);
  h = mixWord(h, t.src);
  h = mixWord(h, t.sport);
  h = mixWord(h, t.dst);
  h = mixWord(h, t.dport);
  // fmix32: every input bit reaches every output bit before the fold.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}
function mixWord(h: number, w: number): number {
  let k = Math.imul(w | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
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

export function sameTuple(a: ConntrackTuple, b: ConntrackTuple): boolean {
  return a.proto === b.proto && a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport;
}

/*
 * The index of a table: positions of its entries by the hash of their
 * original tuple and of their reply tuple. It is keyed by the entries array
 * it describes, and stays valid while that array changes in place, because
 * every write to a table goes through this module and updates it:
 *  - ctNew appends (its position is added), ctSetReply moves an entry to
 *    its new reply hash, ctSeen lowers the earliest expiry;
 *  - when a write makes immer copy the array (a walk's first write to the
 *    table), the index moves to the copy, which is the array the committed
 *    world keeps (immer freezes the copy in place: same object, same
 *    positions), so the next walk starts with it too;
 *  - expiry of the oldest entries (a prefix of the table) removes them from
 *    their buckets and shifts the positions by an offset; any other removal
 *    (expiry elsewhere in the table, a stale unconfirmed entry) builds a new
 *    index.
 * `confirmed` is read from the entry at lookup, so confirming needs no update.
 * An index whose length disagrees with its array (a write made elsewhere) is
 * dropped and rebuilt.
 */
/** One position, or several when tuples share a hash (or a tuple is both an original and a reply). */
type Bucket = number | number[];
interface TableIndex {
  /** The array described (moves to immer's copy on the first write). */
  arr: readonly ConntrackEntry[];
  /** Its length when last updated. */
  len: number;
  /**
   * Positions are stored plus this offset: expiry usually removes the oldest
   * entries (a prefix of the table), which then costs their own bucket
   * removals, not a renumbering of every position.
   */
  shift: number;
  /** A lower bound of the earliest expiry (ms); made exact when reached without an entry expiring. */
  nextExpiry: number;
  readonly byOrig: Map<number, Bucket>;
  readonly byReply: Map<number, Bucket>;
}
const tableIndexes = new WeakMap<readonly ConntrackEntry[], TableIndex>();
/**
 * Lookups answered by scanning a frozen table before it is indexed: a table
 * asked once or twice (e.g. a committed world's table a command reads) is
 * not worth indexing. A table small enough is always scanned. Both give the
 * same answers.
 */
const tableAsks = new WeakMap<readonly ConntrackEntry[], number>();
const INDEX_MIN_ENTRIES = 16;
const INDEX_AFTER_ASKS = 4;

function bucketAdd(m: Map<number, Bucket>, h: number, pos: number): void {
  const b = m.get(h);
  if (b === undefined) m.set(h, pos);
  else if (typeof b === 'number') m.set(h, [b, pos]);
  else b.push(pos);
}
function bucketRemove(m: Map<number, Bucket>, h: number, pos: number): void {
  const b = m.get(h);
  if (b === pos) m.delete(h);
  else if (typeof b === 'object') {
    const i = b.indexOf(pos);
    if (i >= 0) b.splice(i, 1);
    if (b.length === 1) m.set(h, b[0]!);
  }
}

function buildIndex(raw: readonly ConntrackEntry[]): TableIndex {
  let nextExpiry = Infinity;
  const byOrig = new Map<number, Bucket>();
  const byReply = new Map<number, Bucket>();
  for (let i = 0; i < raw.length; i++) {
    const e = latest(raw[i]!);
    if (e.expiresMs < nextExpiry) nextExpiry = e.expiresMs;
    bucketAdd(byOrig, ctHash(latest(e.orig)), i);
    bucketAdd(byReply, ctHash(latest(e.reply)), i);
  }
  const idx: TableIndex = { arr: raw, len: raw.length, shift: 0, nextExpiry, byOrig, byReply };
  tableIndexes.set(raw, idx);
  return idx;
}

/** The table's current index, if it has one that is up to date. */
function currentIndex(raw: readonly ConntrackEntry[]): TableIndex | undefined {
  const idx = tableIndexes.get(raw);
  if (idx === undefined || idx.len === raw.length) return idx;
  tableIndexes.delete(raw);
  return undefined;
}

/** The index for a lookup: a walk's own (written) table is indexed once large; a frozen one once asked repeatedly. */
function lookupIndex(raw: readonly ConntrackEntry[]): TableIndex | undefined {
  const idx = currentIndex(raw);
  if (idx || raw.length < INDEX_MIN_ENTRIES) return idx;
  if (Object.isFrozen(raw)) {
    const asks = (tableAsks.get(raw) ?? 0) + 1;
    if (asks < INDEX_AFTER_ASKS) {
      tableAsks.set(raw, asks);
      return undefined;
    }
  }
  return buildIndex(raw);
}

/** The index a write keeps up to date: made now if the table is large (so the walk's later lookups, and the next walks', use it). */
function writeIndex(ns: Draft<Netns>): TableIndex | undefined {
  const raw = rawEntries(ns);
  const idx = currentIndex(raw);
  if (idx || raw.length < INDEX_MIN_ENTRIES) return idx;
  return buildIndex(raw);
}

/**
 * After a write that kept every entry at its position: the index describes
 * the array the table is now (immer's copy after the walk's first write to
 * it). The array it leaves (a committed world's) loses its index and is
 * indexed again if it is asked again.
 */
function follow(ns: Draft<Netns>, idx: TableIndex): void {
  const raw = rawEntries(ns);
  if (raw !== idx.arr) {
    if (tableIndexes.get(idx.arr) === idx) tableIndexes.delete(idx.arr);
    idx.arr = raw;
    tableIndexes.set(raw, idx);
  }
  idx.len = raw.length;
}

/** The position of the newest entry whose original tuple is `t`, or -1. */
function indexedOrig(idx: TableIndex, raw: readonly ConntrackEntry[], t: ConntrackTuple): number {
  const b = idx.byOrig.get(ctHash(t));
  if (b === undefined) return -1;
  const sh = idx.shift;
  if (typeof b === 'number') return sameTuple(origOf(raw[b - sh]!), t) ? b - sh : -1;
  let best = -1;
  for (const p of b) if (p - sh > best && sameTuple(origOf(raw[p - sh]!), t)) best = p - sh;
  return best;
}

/**
 * Drop expired entries (the kernel's gc worker, done lazily at lookup).
 * Performance: the table is filtered as plain values (filtering the draft
 * would make a draft of every entry); the entries kept are the stored
 * (frozen) ones, which ctGet copies before a write.
 */
export function ctExpire(ns: Draft<Netns>, now: number): void {
  const raw = rawEntries(ns);
  const idx = lookupIndex(raw);
  if (idx && idx.nextExpiry > now) return;
  // Expired entries: how many, and whether they are the first ones (the oldest).
  let expired = 0;
  let prefix = 0;
  let min = Infinity;
  for (let i = 0; i < raw.length; i++) {
    const x = latest(raw[i]!).expiresMs;
    if (x <= now) {
      expired++;
      if (prefix === i) prefix++;
    } else if (x < min) min = x;
  }
  if (expired === 0) {
    // The bound was reached without an entry expiring (timeouts were refreshed): make it exact.
    if (idx) idx.nextExpiry = min;
    return;
  }
  if (idx && prefix === expired && raw.length - prefix >= INDEX_MIN_ENTRIES) {
    // The oldest entries: out of their buckets, and the rest renumbered by the offset.
    for (let i = 0; i < prefix; i++) {
      const e = latest(raw[i]!);
      bucketRemove(idx.byOrig, ctHash(latest(e.orig)), i + idx.shift);
      bucketRemove(idx.byReply, ctHash(latest(e.reply)), i + idx.shift);
    }
    ns.conntrack = raw.slice(prefix) as Draft<ConntrackEntry>[];
    idx.shift += prefix;
    idx.nextExpiry = min;
    follow(ns, idx);
    return;
  }
  ns.conntrack = raw.filter((e) => latest(e).expiresMs > now) as Draft<ConntrackEntry>[];
  const left = rawEntries(ns);
  if (left.length >= INDEX_MIN_ENTRIES) buildIndex(left);
}

/**
 * Find the confirmed entry a tuple belongs to, and in which direction.
 * `unconfirmed`: also entries whose first packet is still on its way - used
 * for ICMP errors, which the kernel attaches to the offending packet's entry
 * directly (nf_ct_attach from REJECT / icmp_send), confirmed or not.
 * The first such entry in table order; an entry's original tuple before its reply tuple.
 */
export function ctFind(
  ns: Draft<Netns> | Netns,
  t: ConntrackTuple,
  unconfirmed = false,
): { entry: ConntrackEntry; dir: 'orig' | 'reply' } | undefined {
  const raw = rawEntries(ns);
  const idx = lookupIndex(raw);
  if (!idx) {
    for (const e0 of raw) {
      const e = latest(e0);
      if (!e.confirmed && !unconfirmed) continue;
      if (sameTuple(origOf(e), t)) return { entry: e, dir: 'orig' };
      if (sameTuple(replyOf(e), t)) return { entry: e, dir: 'reply' };
    }
    return undefined;
  }
  const h = ctHash(t);
  const sh = idx.shift;
  let best = -1;
  let dir: 'orig' | 'reply' = 'orig';
  const consider = (stored: number, d: 'orig' | 'reply'): void => {
    const p = stored - sh;
    // Same entry by both tuples: the original one is checked first (strict <).
    if (best >= 0 && p >= best) return;
    const e = latest(raw[p]!);
    if (!e.confirmed && !unconfirmed) return;
    if (!sameTuple(latest(d === 'orig' ? e.orig : e.reply), t)) return;
    best = p;
    dir = d;
  };
  const bo = idx.byOrig.get(h);
  if (typeof bo === 'number') consider(bo, 'orig');
  else if (bo) for (const p of bo) consider(p, 'orig');
  const br = idx.byReply.get(h);
  if (typeof br === 'number') consider(br, 'reply');
  else if (br) for (const p of br) consider(p, 'reply');
  return best < 0 ? undefined : { entry: latest(raw[best]!), dir };
}

/** The entry whose original tuple is `orig` (confirmed or not), as a draft. */
export function ctGet(ns: Draft<Netns>, orig: ConntrackTuple): Draft<ConntrackEntry> | undefined {
  const idx = writeIndex(ns);
  const raw = rawEntries(ns);
  const i = idx ? indexedOrig(idx, raw, orig) : scanOrig(raw, orig);
  if (i < 0) return undefined;
  const arr = ns.conntrack;
  let e = arr[i]!;
  if (!isDraft(arr) && !isDraft(e) && Object.isFrozen(e)) {
    // A plain table (see ctExpire) holding the stored entry: write to a copy in its place.
    e = { ...(e as ConntrackEntry) } as Draft<ConntrackEntry>;
    arr[i] = e;
  }
  if (idx) follow(ns, idx);
  return e;
}

/** The entry whose original tuple is `orig` (confirmed or not), read-only (no draft is made). */
export function ctPeek(ns: Draft<Netns> | Netns, orig: ConntrackTuple): ConntrackEntry | undefined {
  const raw = rawEntries(ns);
  const idx = lookupIndex(raw);
  const i = idx ? indexedOrig(idx, raw, orig) : scanOrig(raw, orig);
  return i < 0 ? undefined : latest(raw[i]!);
}

/**
 * Newest first (a packet's flow is usually the latest one); original tuples
 * are unique in a table (ctNew replaces a stale unconfirmed entry of its tuple).
 */
function scanOrig(raw: readonly ConntrackEntry[], t: ConntrackTuple): number {
  for (let i = raw.length - 1; i >= 0; i--) if (sameTuple(origOf(raw[i]!), t)) return i;
  return -1;
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

/** Whether an unconfirmed entry has the original tuple `t`. */
function hasUnconfirmed(idx: TableIndex | undefined, raw: readonly ConntrackEntry[], t: ConntrackTuple): boolean {
  if (!idx) return raw.some((e) => !latest(e).confirmed && sameTuple(origOf(e), t));
  const b = idx.byOrig.get(ctHash(t));
  if (b === undefined) return false;
  for (const p of typeof b === 'number' ? [b] : b) {
    const e = latest(raw[p - idx.shift]!);
    if (!e.confirmed && sameTuple(latest(e.orig), t)) return true;
  }
  return false;
}

/** A new, unconfirmed entry for a flow's first packet. */
export function ctNew(ns: Draft<Netns>, t: ConntrackTuple, pkt: Ipv4Packet, now: number): Draft<ConntrackEntry> {
  const idx = writeIndex(ns);
  const raw = rawEntries(ns);
  // A stale unconfirmed entry of the same tuple (its packet was dropped) goes away.
  const stale = hasUnconfirmed(idx, raw, t);
  if (stale) ns.conntrack = raw.filter((e) => latest(e).confirmed || !sameTuple(origOf(e), t)) as Draft<ConntrackEntry>[];
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
  const pos = ns.conntrack.length - 1;
  const out = ns.conntrack[pos]!;
  if (stale) {
    // Positions moved: index the new array afresh.
    const now2 = rawEntries(ns);
    if (now2.length >= INDEX_MIN_ENTRIES) buildIndex(now2);
  } else if (idx) {
    follow(ns, idx);
    bucketAdd(idx.byOrig, ctHash(t), pos + idx.shift);
    bucketAdd(idx.byReply, ctHash(e.reply), pos + idx.shift);
    if (e.expiresMs < idx.nextExpiry) idx.nextExpiry = e.expiresMs;
  }
  return out;
}

/** Account a packet of an existing entry (timeouts, reply seen, TCP state). */
export function ctSeen(ns: Draft<Netns>, e: Draft<ConntrackEntry>, dir: 'orig' | 'reply', pkt: Ipv4Packet, now: number): void {
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
  // The timeout may shorten (an established TCP flow closing): keep the index's bound below it.
  const idx = currentIndex(rawEntries(ns));
  if (idx && e.expiresMs < idx.nextExpiry) idx.nextExpiry = e.expiresMs;
}

/** __nf_conntrack_confirm(): the entry enters the table (its first packet passed every hook). */
export function ctConfirm(e: Draft<ConntrackEntry>): void {
  e.confirmed = true;
}

/**
 * NAT chose the reply tuple of an entry not yet confirmed (get_unique_tuple):
 * set it, moving the entry to its new reply hash in the index.
 */
export function ctSetReply(ns: Draft<Netns>, e: Draft<ConntrackEntry>, reply: ConntrackTuple): void {
  const raw = rawEntries(ns);
  const idx = currentIndex(raw);
  if (!idx) {
    e.reply = reply as Draft<ConntrackTuple>;
    return;
  }
  const cur = latest(e as ConntrackEntry);
  const orig = latest(cur.orig);
  let pos = -1;
  const b = idx.byOrig.get(ctHash(orig));
  for (const p of typeof b === 'number' ? [b] : (b ?? [])) if (raw[p - idx.shift] === e || latest(raw[p - idx.shift]!) === cur) pos = p;
  if (pos < 0) {
    // Not an entry of this table as indexed: drop the index rather than guess.
    tableIndexes.delete(raw);
    e.reply = reply as Draft<ConntrackTuple>;
    return;
  }
  bucketRemove(idx.byReply, ctHash(latest(cur.reply)), pos);
  e.reply = reply as Draft<ConntrackTuple>;
  follow(ns, idx);
  bucketAdd(idx.byReply, ctHash(reply), pos);
}

/**
 * Whether `t` is already used as some entry's reply tuple, other than the
 * entries of original tuple `except` (NAT clash check, nf_nat_used_tuple).
 */
export function replyTupleTaken(ns: Draft<Netns>, t: ConntrackTuple, except: ConntrackTuple): boolean {
  const raw = rawEntries(ns);
  const idx = lookupIndex(raw);
  if (!idx) {
    for (const e of raw) if (sameTuple(replyOf(e), t) && !sameTuple(origOf(e), except)) return true;
    return false;
  }
  const b = idx.byReply.get(ctHash(t));
  if (b === undefined) return false;
  for (const p of typeof b === 'number' ? [b] : b) {
    const e = raw[p - idx.shift]!;
    if (sameTuple(replyOf(e), t) && !sameTuple(origOf(e), except)) return true;
  }
  return false;
}

/** Whether the table has an up-to-date index (for tests: the index survives a walk's writes and its commit). */
export function ctTableIndexed(ns: Draft<Netns> | Netns): boolean {
  return currentIndex(rawEntries(ns)) !== undefined;
}
