/**
 * The IPv4 FIB lookup, as the kernel does it (net/ipv4/fib_trie.c,
 * fib_frontend.c, route.c), for the datapath and `ip route get`.
 *
 * Policy rules: the twin models only the three default rules
 * (`ip rule`: 0 local, 32766 main, 32767 default). Without custom rules the
 * kernel keeps the local and main tables in one merged trie (fib_new_table:
 * "we need to create a trie with both the main and local routes until custom
 * rules are added") and fib_lookup() consults that trie, then the default
 * table only if the first lookup failed and the default table exists. Other
 * tables (`table 100`) are never consulted without a rule.
 *
 * Within a table: longest prefix match; among routes of one prefix, the
 * kernel's alias order (local table before main, tos descending, priority
 * ascending, then insertion order); a candidate is skipped when its tos does
 * not match, its scope is narrower than the lookup's, or (for routes with a
 * device) `oif` differs. Error types (blackhole, unreachable, prohibit, throw)
 * end the lookup with their error as soon as they are the best candidate.
 *
 * The compiled index is cached per `ns.routes` array (immutable), so lookups
 * in a world that did not change routes never rebuild it.
 */
import { isDraft } from 'immer';
import { isLimitedBroadcast, isLoopback, isMulticast, isZeronet, maskOf, prefixContains, type Ip4 } from '../model/addr.js';
import { isSecondary } from '../model/queries.js';
import {
  TABLE_DEFAULT,
  TABLE_LOCAL,
  TABLE_MAIN,
  type AddrScope,
  type Link,
  type Netns,
  type Route,
  type RouteScope,
  type RouteType,
} from '../model/world.js';

// ---------------------------------------------------------------------------
// scopes

/** Numeric scopes (rtnetlink RT_SCOPE_*): a larger number is a narrower scope. */
export const SCOPE_UNIVERSE = 0;
export const SCOPE_SITE = 200;
export const SCOPE_LINK = 253;
export const SCOPE_HOST = 254;
export const SCOPE_NOWHERE = 255;

export function scopeNum(s: RouteScope | AddrScope): number {
  if (typeof s === 'number') return s;
  switch (s) {
    case 'global':
      return SCOPE_UNIVERSE;
    case 'site':
      return SCOPE_SITE;
    case 'link':
      return SCOPE_LINK;
    case 'host':
      return SCOPE_HOST;
    case 'nowhere':
      return SCOPE_NOWHERE;
  }
}

/** Route types that end a lookup with an error (fib_props[type].error). */
export type FibError = 'blackhole' | 'unreachable' | 'prohibit' | 'no_route';

/** errno a local sender sees for each FIB error (what ping/`ip route get` report). */
export const FIB_ERRNO: Readonly<Record<FibError, 'EINVAL' | 'EHOSTUNREACH' | 'EACCES' | 'ENETUNREACH'>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
  no_route: 'ENETUNREACH',
};

export interface FibLookupOpts {
  /** Only routes whose device is this ifindex (flowi4_oif); error routes still match. */
  readonly oif?: number;
  /** TOS of the packet (routes with a nonzero tos match only that tos). */
  readonly tos?: number;
  /** Minimum route scope (flowi4_scope); RT_SCOPE_UNIVERSE (0) for ordinary lookups. */
  readonly scope?: number;
}

/** A successful lookup: the route chosen (table tells which table it came from). */
export type FibResult =
  | { readonly route: Route; readonly error?: undefined }
  /** An error route matched (`route` set) or nothing matched (`no_route`). */
  | { readonly error: FibError; readonly route?: Route };

// ---------------------------------------------------------------------------
// compiled index
//
// The merged local+main table is a binary trie on the prefix bits (as the
// kernel's fib_trie), each node holding the routes of its exact prefix in
// alias order. Tries are immutable and built by path copying: the trie of a
// routes array is derived from the previous one built (the "donor") when
// the two differ in few routes, so nodes whose tables share most of their
// routes (a cluster's nodes each hold a route per other node, as the same
// Route objects) share one trie but for a few copied paths: 5,000 nodes
// with 5,000 routes each cost 5,000 small diffs, not 25 million entries.
// Other tables (default, numbered) are indexed on demand by prefix length.

interface TrieNode {
  /** Routes of exactly this prefix, in alias order (fib_alias list of the leaf). */
  readonly r?: readonly Route[];
  readonly c0?: TrieNode;
  readonly c1?: TrieNode;
}

interface TableIndex {
  /** Prefix lengths present, longest first. */
  readonly lens: readonly number[];
  /** len -> network address -> routes in lookup order. */
  readonly byLen: ReadonlyMap<number, ReadonlyMap<number, readonly Route[]>>;
}

interface NsIndex {
  /** The merged local+main trie. */
  readonly main: TrieNode | undefined;
  /** Every other table by id, built on first use. */
  tables?: Map<number, TableIndex>;
  /**
   * The route lists on a destination's path down `main`, deepest first, by
   * destination (see trieLookup): made on first use, at most PATH_MEMO_MAX.
   */
  paths?: Map<number, PathMemo>;
}

const cache = new WeakMap<readonly Route[], NsIndex>();

/**
 * The kernel's alias order for routes of one prefix in one trie leaf
 * (fib_insert_alias / fib_find_alias): higher table id first (local 255
 * before main 254 in the merged trie), tos descending, priority ascending;
 * ties keep their order in `ns.routes` (the ops insert in kernel order).
 */
function aliasCompare(a: Route, b: Route): number {
  if (a.table !== b.table) return b.table - a.table;
  if (a.tos !== b.tos) return b.tos - a.tos;
  return a.metric - b.metric;
}

function inMainTrie(r: Route): boolean {
  return r.table === TABLE_MAIN || r.table === TABLE_LOCAL;
}

function netKey(r: Route): number {
  // network address * 64 + length: one number per prefix
  return ((r.dst.addr & maskOf(r.dst.len)) >>> 0) * 64 + r.dst.len;
}

function buildTable(routes: readonly Route[]): TableIndex {
  const byLen = new Map<number, Map<number, Route[]>>();
  for (const r of routes) {
    let m = byLen.get(r.dst.len);
    if (!m) byLen.set(r.dst.len, (m = new Map()));
    const key = (r.dst.addr & maskOf(r.dst.len)) >>> 0;
    let list = m.get(key);
    if (!list) m.set(key, (list = []));
    list.push(r);
  }
  for (const m of byLen.values()) for (const list of m.values()) list.sort(aliasCompare); // stable
  return { lens: [...byLen.keys()].sort((a, b) => b - a), byLen };
}

/** A mutable trie node while building from scratch (frozen into TrieNode shape as is). */
interface BuildNode {
  r?: Route[];
  c0?: BuildNode;
  c1?: BuildNode;
}

/**
 * Every trie node has the same three fields (undefined when absent), so the
 * per-packet walk down the trie reads one object shape (a monomorphic inline
 * cache) instead of the up to seven shapes optional fields would give it.
 */
function node(r: readonly Route[] | undefined, c0: TrieNode | undefined, c1: TrieNode | undefined): TrieNode {
  return { r, c0, c1 };
}

function buildTrie(routes: readonly Route[]): TrieNode | undefined {
  let root: BuildNode | undefined;
  for (const r of routes) {
    if (!inMainTrie(r)) continue;
    root ??= node(undefined, undefined, undefined) as BuildNode;
    let n = root;
    const net = (r.dst.addr & maskOf(r.dst.len)) >>> 0;
    for (let d = 0; d < r.dst.len; d++) {
      if ((net >>> (31 - d)) & 1) n = n.c1 ??= node(undefined, undefined, undefined) as BuildNode;
      else n = n.c0 ??= node(undefined, undefined, undefined) as BuildNode;
    }
    (n.r ??= []).push(r);
  }
  const sortAll = (n: BuildNode | undefined): void => {
    if (!n) return;
    n.r?.sort(aliasCompare); // stable: ties keep ns.routes order
    sortAll(n.c0);
    sortAll(n.c1);
  };
  sortAll(root);
  return root;
}

function trieGet(root: TrieNode | undefined, net: number, len: number): readonly Route[] | undefined {
  let n = root;
  for (let d = 0; n && d < len; d++) n = (net >>> (31 - d)) & 1 ? n.c1 : n.c0;
  return n?.r;
}

/** `root` with the routes of prefix net/len replaced by `list` (none: removed), by path copying. */
function trieSet(n: TrieNode | undefined, net: number, len: number, depth: number, list: readonly Route[] | undefined): TrieNode | undefined {
  if (depth === len) {
    const out = node(list && list.length > 0 ? list : undefined, n?.c0, n?.c1);
    return out.r || out.c0 || out.c1 ? out : undefined;
  }
  const bit = (net >>> (31 - depth)) & 1;
  const child = trieSet(bit ? n?.c1 : n?.c0, net, len, depth + 1, list);
  const c0 = bit ? n?.c0 : child;
  const c1 = bit ? child : n?.c1;
  const out = node(n?.r, c0, c1);
  return out.r || out.c0 || out.c1 ? out : undefined;
}

/** The last trie built, and the set of its routes: the donor the next trie is derived from. */
let donor: { readonly routes: readonly Route[]; readonly set: ReadonlySet<Route>; readonly main: TrieNode | undefined } | undefined;

/** Derive the trie of `routes` from the donor's when they differ in few routes (else undefined). */
function deriveTrie(routes: readonly Route[]): { main: TrieNode | undefined; set: Set<Route> } | undefined {
  if (!donor || routes.length < 64) return undefined;
  const d = donor;
  const set = new Set<Route>();
  const added: Route[] = [];
  for (const r of routes) {
    if (!inMainTrie(r)) continue;
    set.add(r);
    if (!d.set.has(r)) added.push(r);
  }
  if (added.length > Math.max(16, set.size >> 3)) return undefined;
  const removed: Route[] = [];
  for (const r of d.set) if (!set.has(r)) removed.push(r);
  if (removed.length > Math.max(16, set.size >> 3)) return undefined;
  const touched = new Map<number, Route>();
  for (const r of [...added, ...removed]) touched.set(netKey(r), r);
  const gone = new Set(removed);
  let main = d.main;
  for (const r of touched.values()) {
    const net = (r.dst.addr & maskOf(r.dst.len)) >>> 0;
    const len = r.dst.len;
    const old = (trieGet(d.main, net, len) ?? []).filter((x) => !gone.has(x));
    const list = [...old, ...added.filter((x) => x.dst.len === len && (x.dst.addr & maskOf(len)) >>> 0 === net)];
    // Alias order; ties in the order of `routes` (looked up only for the few touched leaves).
    list.sort((a, b) => aliasCompare(a, b) || routes.indexOf(a) - routes.indexOf(b));
    main = trieSet(main, net, len, 0, list);
  }
  return { main, set };
}

function indexOf(ns: Netns): NsIndex {
  const hit = cache.get(ns.routes);
  if (hit) return hit;
  const derived = deriveTrie(ns.routes);
  let main: TrieNode | undefined;
  if (derived) {
    main = derived.main;
    donor = { routes: ns.routes, set: derived.set, main };
  } else {
    main = buildTrie(ns.routes);
    if (ns.routes.length >= 64) donor = { routes: ns.routes, set: new Set(ns.routes.filter(inMainTrie)), main };
  }
  const idx: NsIndex = { main };
  cache.set(ns.routes, idx);
  return idx;
}

/** The index of a table other than local/main (built on first use). */
function otherTable(ns: Netns, idx: NsIndex, table: number): TableIndex | undefined {
  if (!idx.tables) {
    const per = new Map<number, Route[]>();
    for (const r of ns.routes) {
      if (inMainTrie(r)) continue;
      let l = per.get(r.table);
      if (!l) per.set(r.table, (l = []));
      l.push(r);
    }
    idx.tables = new Map([...per].map(([id, list]) => [id, buildTable(list)]));
  }
  return idx.tables.get(table);
}

/** One candidate list in alias order: the first qualifying route, an error, 'throw', or nothing. */
function pickAlias(list: readonly Route[], tos: number, scope: number, o: FibLookupOpts, table?: number): FibResult | 'throw' | undefined {
  for (const r of list) {
    if (table !== undefined && r.table !== table) continue;
    if (r.tos !== 0 && r.tos !== tos) continue;
    if (scopeNum(r.scope) < scope) continue;
    // Error route types (fib_props[type].error) by comparison: interned strings compare
    // by pointer, where a table keyed by type was a keyed property load per candidate.
    const t = r.type;
    if (t === 'throw') return 'throw';
    if (t === 'blackhole' || t === 'unreachable' || t === 'prohibit') return { error: t, route: r };
    if (o.oif !== undefined && o.oif !== 0 && r.dev !== o.oif) continue;
    return { route: r };
  }
  return undefined;
}

/**
 * fib_table_lookup(): longest prefix first, backtracking to shorter prefixes
 * when no candidate of a prefix qualifies. Returns 'throw' for a throw route
 * (-EAGAIN: the next rule is tried), undefined when nothing matched.
 */
function tableLookup(t: TableIndex, dst: Ip4, o: FibLookupOpts): FibResult | 'throw' | undefined {
  const tos = o.tos ?? 0;
  const scope = o.scope ?? SCOPE_UNIVERSE;
  for (const len of t.lens) {
    const list = t.byLen.get(len)!.get((dst & maskOf(len)) >>> 0);
    if (!list) continue;
    const res = pickAlias(list, tos, scope, o);
    if (res !== undefined) return res;
  }
  return undefined;
}

/**
 * Destinations remembered per index. A walk looks a destination up several
 * times per hop (input route, source validation, the neighbour's address
 * type) and a cluster's traffic goes to few destinations per node; the
 * trie's descent is up to 33 dependent loads through nodes scattered over
 * the heap (the derived tries are path copies made at different times),
 * measured at 2-3 us per lookup inside a walk, against one hash probe here.
 * The memo is cleared when full, so a namespace holds at most this many.
 */
const PATH_MEMO_MAX = 512;
const EMPTY_PATH: readonly (readonly Route[])[] = Object.freeze([]);

/**
 * One destination's memo: its path, and the results of the two lookups made
 * per packet without options (no tos, scope or oif): the merged trie's
 * (fibLookup) and the local table's (addrType). `null`: nothing matched;
 * undefined: not looked up yet. Results are immutable, so they are shared.
 */
interface PathMemo {
  readonly path: readonly (readonly Route[])[];
  plain: FibResult | 'throw' | null | undefined;
  local: FibResult | 'throw' | null | undefined;
}

/** The route lists of the prefixes on dst's path down the merged trie, deepest first (fib_table_lookup's backtracking order). */
function triePath(idx: NsIndex, dst: Ip4): PathMemo {
  let paths = idx.paths;
  const hit = paths?.get(dst);
  if (hit !== undefined) return hit;
  let path: (readonly Route[])[] | undefined;
  let n = idx.main;
  for (let d = 0; n; d++) {
    if (n.r) (path ??= []).push(n.r);
    if (d === 32) break;
    n = (dst >>> (31 - d)) & 1 ? n.c1 : n.c0;
  }
  const out: PathMemo = { path: path ? path.reverse() : EMPTY_PATH, plain: undefined, local: undefined };
  if (!paths) idx.paths = paths = new Map();
  else if (paths.size >= PATH_MEMO_MAX) paths.clear();
  paths.set(dst, out);
  return out;
}

/** The same on the trie: the prefixes along dst's path, deepest first. */
function trieLookup(idx: NsIndex, dst: Ip4, o: FibLookupOpts, table?: number): FibResult | 'throw' | undefined {
  const tos = o.tos ?? 0;
  const scope = o.scope ?? SCOPE_UNIVERSE;
  const m = triePath(idx, dst);
  // The per-packet lookups have no options: their result is remembered with the path.
  const plain = tos === 0 && scope === SCOPE_UNIVERSE && !o.oif && (table === undefined || table === TABLE_LOCAL);
  if (plain) {
    const known = table === undefined ? m.plain : m.local;
    if (known !== undefined) return known ?? undefined;
  }
  let res: FibResult | 'throw' | undefined;
  const path = m.path;
  for (let i = 0; i < path.length; i++) {
    res = pickAlias(path[i]!, tos, scope, o, table);
    if (res !== undefined) break;
  }
  if (plain) {
    if (table === undefined) m.plain = res ?? null;
    else m.local = res ?? null;
  }
  return res;
}

/** The default lookup options, shared (no object per lookup). */
const NO_OPTS: FibLookupOpts = Object.freeze({});

/**
 * fib_lookup() with the default rules: the merged local+main trie, then (only
 * if that failed and the default table exists) the default table.
 */
export function fibLookup(ns: Netns, dst: Ip4, opts: FibLookupOpts = NO_OPTS): FibResult {
  const idx = indexOf(ns);
  let res = trieLookup(idx, dst, opts);
  if (res !== undefined && res !== 'throw' && res.error === undefined) return res;
  const dflt = otherTable(ns, idx, TABLE_DEFAULT);
  if (dflt) res = tableLookup(dflt, dst, opts);
  if (res === undefined || res === 'throw') return { error: 'no_route' };
  return res;
}

/** fib_table_lookup() in one table by id (no rules, no merging). */
export function fibTableLookup(ns: Netns, table: number, dst: Ip4, opts: FibLookupOpts = NO_OPTS): FibResult {
  const idx = indexOf(ns);
  const res = table === TABLE_MAIN || table === TABLE_LOCAL ? trieLookup(idx, dst, opts) : (() => {
    const t = otherTable(ns, idx, table);
    return t ? tableLookup(t, dst, opts) : undefined;
  })();
  if (res === undefined || res === 'throw') return { error: 'no_route' };
  return res;
}

/** True if the table has (ever had, for the twin: has) any route. */
export function tableExists(ns: Netns, table: number): boolean {
  if (table === TABLE_MAIN || table === TABLE_LOCAL) return ns.routes.some((r) => r.table === table);
  return otherTable(ns, indexOf(ns), table) !== undefined;
}

// ---------------------------------------------------------------------------
// addresses

/** Links in the kernel's device list order (dev_base: creation/arrival order). */
const linksOrderMemo = new WeakMap<object, readonly Link[]>();
export function linksInOrder(ns: Netns): readonly Link[] {
  // The twin keeps links by ifindex; arrival order equals ifindex order except
  // for devices moved in from another namespace, which keep a free index
  // there. Sorting by ifindex is the model's approximation of dev_base order.
  // Memoised per (immutable) links record: source selection runs per packet.
  const hit = linksOrderMemo.get(ns.links);
  if (hit) return hit;
  const list = Object.values(ns.links).sort((a, b) => a.ifindex - b.ifindex);
  if (!isDraft(ns.links)) linksOrderMemo.set(ns.links, list);
  return list;
}

const primariesMemo = new WeakMap<Link, Link['addrs']>();
/**
 * The primary addresses of a device (IFA_F_SECONDARY clear), in list order;
 * memoised per (immutable) link: source selection runs per locally sent packet.
 */
function primaries(link: Link): Link['addrs'] {
  const hit = primariesMemo.get(link);
  if (hit) return hit;
  const list = link.addrs.filter((a) => !isSecondary(link, a));
  if (!isDraft(link)) primariesMemo.set(link, list);
  return list;
}

/** ifa_address: the peer for point-to-point addresses, else the local address. */
export function ifaAddress(a: Link['addrs'][number]): Ip4 {
  return a.peer ?? a.local;
}

/**
 * inet_select_addr(dev, dst, scope): the first primary address of `dev` with
 * a scope at least as wide as `scope` whose subnet contains `dst` (or the
 * first such address at all); failing that, the first primary address of
 * any device (lo first) whose scope is neither link nor narrower than `scope`.
 * Returns undefined when the machine has no suitable address (0.0.0.0).
 */
export function selectSource(ns: Netns, ifindex: number | undefined, dst: Ip4 | 0, scope: number): Ip4 | undefined {
  const dev = ifindex !== undefined ? ns.links[ifindex] : undefined;
  if (dev) {
    const localnet = dev.conf['route_localnet'] === '1' || ns.sysctl['net.ipv4.conf.all.route_localnet'] === '1';
    let addr: Ip4 | undefined;
    for (const a of primaries(dev)) {
      const s = scopeNum(a.scope);
      if (Math.min(s, localnet ? SCOPE_LINK : s) > scope) continue;
      if (dst === 0 || prefixContains({ addr: ifaAddress(a), len: a.prefixLen }, dst as Ip4)) return a.local;
      if (addr === undefined) addr = a.local;
    }
    if (addr !== undefined) return addr;
  }
  for (const l of linksInOrder(ns)) {
    for (const a of primaries(l)) {
      const s = scopeNum(a.scope);
      if (s !== SCOPE_LINK && s <= scope) return a.local;
    }
  }
  return undefined;
}

/**
 * __ip_dev_find(): the device holding `addr` as a local address (any address,
 * secondaries included), else the device of a `local` route in the local
 * table covering it (so 127.0.0.5 is local through `local 127.0.0.0/8 dev lo`).
 */
export function deviceOfLocalAddr(ns: Netns, addr: Ip4): number | undefined {
  for (const l of linksInOrder(ns)) if (l.addrs.some((a) => a.local === addr)) return l.ifindex;
  const r = fibTableLookup(ns, TABLE_LOCAL, addr);
  if (r.route && r.route.table === TABLE_LOCAL && r.route.type === 'local') return r.route.dev;
  return undefined;
}

/** inet_addr_type(): the type of the local-table route covering `addr` ('unicast' if none). */
export function addrType(ns: Netns, addr: Ip4): RouteType {
  if (isZeronet(addr) || isLimitedBroadcast(addr)) return 'broadcast';
  if (isMulticast(addr)) return 'multicast';
  // The local table alone (the merged trie, other tables' routes skipped).
  const r = trieLookup(indexOf(ns), addr, NO_OPTS, TABLE_LOCAL);
  if (r && r !== 'throw' && r.route) return r.route.type;
  return 'unicast';
}

/**
 * fib_result_prefsrc(): the source address of a route result: its prefsrc,
 * else inet_select_addr(nexthop dev, gateway or 0, route scope).
 */
export function routeSource(ns: Netns, r: Route): Ip4 | undefined {
  if (r.prefsrc !== undefined) return r.prefsrc;
  return selectSource(ns, r.dev, r.gateway ?? 0, scopeNum(r.scope));
}

// ---------------------------------------------------------------------------
// output route (ip_route_output_key_hash_rcu)

export type OutputErrno = 'EINVAL' | 'EHOSTUNREACH' | 'EACCES' | 'ENETUNREACH' | 'ENODEV';

export interface OutputRoute {
  readonly ok: true;
  /** Route type of the result: unicast, local (delivered via lo), broadcast, multicast. */
  readonly type: 'unicast' | 'local' | 'broadcast' | 'multicast';
  /** Output device (lo for local destinations). */
  readonly dev: number;
  /** For local destinations: the device of the local route (rt_iif / orig_oif). */
  readonly localDev?: number;
  /** The source address chosen (0.0.0.0 as 0 when none exists). */
  readonly src: Ip4;
  /** Next hop when the route has a gateway. */
  readonly gateway?: Ip4;
  /** The FIB entry used (undefined when the route was made up from `oif`). */
  readonly route?: Route;
}

export interface OutputError {
  readonly ok: false;
  readonly errno: OutputErrno;
  /** The error route that matched, if any. */
  readonly route?: Route;
}

export interface OutputOpts {
  readonly src?: Ip4;
  readonly oif?: number;
  readonly tos?: number;
}

const LOOPBACK_IFINDEX = 1;

/**
 * The route a locally generated packet to `dst` takes (ip_route_output_key):
 * validates a given source, honours `oif`, does the FIB lookup and picks the
 * source address. What `ip route get DST [from SRC] [oif DEV]` reports.
 */
export function routeOutput(ns: Netns, dst: Ip4, o: OutputOpts = {}): OutputRoute | OutputError {
  let src = (o.src ?? 0) as Ip4;
  let oif = o.oif ?? 0;
  if (src !== 0) {
    if (isMulticast(src) || isLimitedBroadcast(src) || isZeronet(src)) return fail('EINVAL');
    if (oif === 0 && (isMulticast(dst) || isLimitedBroadcast(dst))) {
      const d = deviceOfLocalAddr(ns, src);
      if (d === undefined) return fail('ENETUNREACH');
      return make(ns, { type: 'unicast', dev: d, src, dst });
    }
    if (deviceOfLocalAddr(ns, src) === undefined) return fail('ENETUNREACH');
  }
  let devOut: Link | undefined;
  if (oif !== 0) {
    devOut = ns.links[oif];
    if (!devOut) return fail('ENODEV');
    if (!devOut.adminUp) return fail('ENETUNREACH');
    if (isLimitedBroadcast(dst) || isLocalMulticast(dst)) {
      if (src === 0) src = (selectSource(ns, oif, 0, SCOPE_LINK) ?? 0) as Ip4;
      return make(ns, { type: 'unicast', dev: oif, src, dst });
    }
    if (src === 0) {
      if (isMulticast(dst)) src = (selectSource(ns, oif, 0, SCOPE_LINK) ?? 0) as Ip4;
      else if (dst === 0) src = (selectSource(ns, oif, 0, SCOPE_HOST) ?? 0) as Ip4;
    }
  }
  if (dst === 0) {
    const d = (src !== 0 ? src : 0x7f000001) as Ip4;
    return { ok: true, type: 'local', dev: LOOPBACK_IFINDEX, src: d };
  }
  const res = fibLookup(ns, dst, o.tos !== undefined ? { oif, tos: o.tos } : { oif });
  if (res.error !== undefined) {
    if (oif !== 0) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      if (src === 0) src = (selectSource(ns, oif, 0, SCOPE_LINK) ?? 0) as Ip4;
      return make(ns, { type: 'unicast', dev: oif, src, dst });
    }
    return fail(FIB_ERRNO[res.error], res.route);
  }
  const r = res.route;
  if (r.type === 'local') {
    if (src === 0) src = r.prefsrc ?? dst;
    return make(ns, { type: 'local', dev: LOOPBACK_IFINDEX, src, dst, route: r, localDev: r.dev });
  }
  if (src === 0) src = (routeSource(ns, r) ?? 0) as Ip4;
  return make(ns, {
    type: r.type === 'broadcast' ? 'broadcast' : 'unicast',
    dev: r.dev ?? LOOPBACK_IFINDEX,
    src,
    dst,
    route: r,
    gateway: r.gateway,
  });
}

/**
 * An output route error. A module function, not a closure made per lookup
 * (tsx's keepNames gives every named closure a defineProperty call per creation).
 */
function fail(errno: OutputErrno, route?: Route): OutputError {
  return route ? { ok: false, errno, route } : { ok: false, errno };
}

function isLocalMulticast(a: Ip4): boolean {
  return (a >>> 8) === 0xe00000; // 224.0.0.0/24
}

/** __mkroute_output(): final sanity checks and the result's type. */
function make(
  ns: Netns,
  x: { type: OutputRoute['type']; dev: number; src: Ip4; dst: Ip4; route?: Route; gateway?: Ip4 | undefined; localDev?: number | undefined },
): OutputRoute | OutputError {
  const dev = ns.links[x.dev];
  if (isLoopback(x.src) && dev?.kind !== 'loopback') return { ok: false, errno: 'EINVAL' };
  let type = x.type;
  if (isLimitedBroadcast(x.dst)) type = 'broadcast';
  else if (isMulticast(x.dst)) type = 'multicast';
  else if (isZeronet(x.dst)) return { ok: false, errno: 'EINVAL' };
  // A broadcast result has no nexthop info (`fi = NULL`), and a multicast one
  // none when it came from a route shorter than /4 ("If multicast route do
  // not exist use default one, but do not gateway in this case"): `ip route
  // get 255.255.255.255` with a default route prints no `via`.
  const dropGw = type === 'broadcast' || (type === 'multicast' && (x.route?.dst.len ?? 0) < 4);
  // Optional fields assigned in place (same keys, same order as spreading them):
  // the spread of a conditional object literal per route lookup showed in the profile.
  const out: { -readonly [K in keyof OutputRoute]: OutputRoute[K] } = { ok: true, type, dev: x.dev, src: x.src };
  if (x.gateway !== undefined && !dropGw) out.gateway = x.gateway;
  if (x.route) out.route = x.route;
  if (x.localDev !== undefined) out.localDev = x.localDev;
  return out;
}
