/**
 * Routes: `ip route add/replace/append/prepend/change/del/flush` as the
 * kernel does them (fib_create_info, fib_check_nh, fib_table_insert,
 * fib_table_delete). Errors are the exact text `ip` prints.
 */
import { produce } from 'immer';
import { maskOf, type Ip4, type Prefix4 } from '../../model/addr.js';
import { hasCarrier } from '../../model/queries.js';
import { TABLE_LOCAL, TABLE_MAIN, type Netns, type NsName, type Route, type RouteType, type World } from '../../model/world.js';
import { addrType, fibLookup, fibTableLookup, scopeNum, SCOPE_HOST, SCOPE_LINK, tableExists } from '../fib.js';
import { err, okw, type OpResult } from './netns.js';
import { peek } from '../peek.js';
import { internRoute } from '../../model/shared.js';

export const ROUTE_EXISTS = 'RTNETLINK answers: File exists';
export const ROUTE_NOT_FOUND = 'RTNETLINK answers: No such process';

/** What `ip route add` asks for (iproute2 has already filled in defaults). */
export interface RouteSpec {
  readonly table: number;
  readonly type: RouteType;
  readonly dst: Prefix4;
  readonly tos: number;
  readonly gateway?: Ip4;
  /** Device given with `dev`. */
  readonly dev?: number;
  readonly scope: Route['scope'];
  readonly proto: Route['proto'];
  readonly prefsrc?: Ip4;
  readonly metric: number;
  readonly onlink: boolean;
  readonly mtu?: number;
}

/** Netlink flags of the request: add = CREATE|EXCL, replace = CREATE|REPLACE, append = CREATE|APPEND, prepend = CREATE, change = REPLACE. */
export interface InsertFlags {
  readonly create: boolean;
  readonly excl: boolean;
  readonly replace: boolean;
  readonly append: boolean;
}

export const ADD: InsertFlags = { create: true, excl: true, replace: false, append: false };
export const REPLACE: InsertFlags = { create: true, excl: false, replace: true, append: false };
export const APPEND: InsertFlags = { create: true, excl: false, replace: false, append: true };
export const PREPEND: InsertFlags = { create: true, excl: false, replace: false, append: false };
export const CHANGE: InsertFlags = { create: false, excl: false, replace: true, append: false };

/** fib_props[type]: the narrowest scope a route of this type may have, and whether it is an error type. */
const PROPS: Record<RouteType, { scope: number; error: boolean }> = {
  unicast: { scope: 0, error: false },
  local: { scope: SCOPE_HOST, error: false },
  broadcast: { scope: SCOPE_LINK, error: false },
  anycast: { scope: SCOPE_LINK, error: false },
  multicast: { scope: 0, error: false },
  blackhole: { scope: 0, error: true },
  unreachable: { scope: 0, error: true },
  prohibit: { scope: 0, error: true },
  throw: { scope: 0, error: true },
};

/** Same alias group: table, prefix, tos, priority (fib_find_alias). */
function sameKey(a: Route, b: { table: number; dst: Prefix4; tos: number; metric: number }): boolean {
  return a.table === b.table && a.dst.addr === b.dst.addr && a.dst.len === b.dst.len && a.tos === b.tos && a.metric === b.metric;
}

/** Same type and fib_info (nexthop, prefsrc, protocol, scope, metrics): a duplicate. */
function sameInfo(a: Route, b: Route): boolean {
  return (
    a.type === b.type &&
    a.gateway === b.gateway &&
    a.dev === b.dev &&
    a.prefsrc === b.prefsrc &&
    String(a.proto) === String(b.proto) &&
    scopeNum(a.scope) === scopeNum(b.scope) &&
    a.mtu === b.mtu &&
    a.onlink === b.onlink
  );
}

/**
 * fib_check_nh(): resolve and validate the nexthop; returns the route's
 * output device or an error text.
 */
function checkNexthop(world: World, nsName: NsName, s: RouteSpec): { dev: number } | { error: string } {
  const ns = world.ns[nsName]!;
  const scope = scopeNum(s.scope);
  if (s.gateway !== undefined) {
    if (s.onlink) {
      if (scope >= SCOPE_LINK) return { error: 'Error: Nexthop has invalid scope.' };
      if (s.dev === undefined) return { error: 'Error: Nexthop device required for onlink.' };
      const dev = ns.links[s.dev]!;
      if (!dev.adminUp) return { error: 'Error: Nexthop device is not up.' };
      if (addrTypeDev(ns, s.gateway) !== 'unicast') return { error: 'Error: Nexthop has invalid gateway.' };
      return { dev: s.dev };
    }
    // A lookup of the gateway that only accepts link- or host-scope routes (scope + 1, at least link).
    const lookScope = Math.max(scope + 1, SCOPE_LINK);
    const o = { scope: lookScope, ...(s.dev !== undefined ? { oif: s.dev } : {}) };
    let res = s.table !== TABLE_MAIN && tableExists(ns, s.table) ? fibTableLookup(ns, s.table, s.gateway, o) : undefined;
    if (!res || res.error !== undefined) res = fibLookup(ns, s.gateway, o);
    if (res.error !== undefined || (res.route.type !== 'unicast' && res.route.type !== 'local')) {
      return { error: 'Error: Nexthop has invalid gateway.' };
    }
    const dev = res.route.dev;
    if (dev === undefined) return { error: 'Error: No egress device for nexthop gateway.' };
    if (!ns.links[dev]?.adminUp) return { error: 'RTNETLINK answers: Network is down' };
    return { dev };
  }
  if (s.onlink) return { error: 'Error: Invalid flags for nexthop - PERVASIVE and ONLINK can not be set.' };
  if (s.dev === undefined) return { error: 'RTNETLINK answers: No such device' };
  if (!ns.links[s.dev]!.adminUp) return { error: 'Error: Device for nexthop is not up.' };
  return { dev: s.dev };
}

/** inet_addr_type_dev_table() as the onlink check uses it: the local-table type of an address. */
function addrTypeDev(ns: Netns, a: Ip4): RouteType {
  return addrType(ns, a);
}

/** fib_valid_prefsrc(): the preferred source must be a local address (its local-table route is `local`). */
function validPrefsrc(ns: Netns, s: RouteSpec): boolean {
  if (s.prefsrc === undefined) return true;
  if (s.type === 'local' && s.dst.len > 0 && s.prefsrc === s.dst.addr) return true;
  return addrType(ns, s.prefsrc) === 'local';
}

/** Validate a route like fib_create_info() and build it; the error text otherwise. */
export function buildRoute(world: World, nsName: NsName, s: RouteSpec): Route | { error: string } {
  const ns = world.ns[nsName];
  if (!ns) return { error: 'RTNETLINK answers: Invalid argument' };
  if (s.dst.len < 32 && ((s.dst.addr & ~maskOf(s.dst.len)) >>> 0) !== 0) return { error: 'Error: Invalid prefix for given prefix length.' };
  const props = PROPS[s.type];
  if (props.scope > scopeNum(s.scope)) return { error: 'Error: Invalid scope.' };
  const base = {
    table: s.table,
    type: s.type,
    dst: { addr: s.dst.addr, len: s.dst.len },
    tos: s.tos,
    scope: s.scope,
    proto: s.proto,
    metric: s.metric,
    onlink: s.onlink,
    ...(s.prefsrc !== undefined ? { prefsrc: s.prefsrc } : {}),
    ...(s.mtu !== undefined ? { mtu: s.mtu } : {}),
  };
  if (props.error) {
    if (s.gateway !== undefined || s.dev !== undefined) return { error: 'Error: Gateway, device and multipath can not be specified for this route type.' };
    return base;
  }
  let dev: number;
  if (scopeNum(s.scope) > SCOPE_HOST) return { error: 'Error: Invalid scope.' };
  if (scopeNum(s.scope) === SCOPE_HOST) {
    if (s.gateway !== undefined) return { error: 'Error: Route with host scope can not have a gateway.' };
    if (s.dev === undefined) return { error: 'RTNETLINK answers: No such device' };
    dev = s.dev;
  } else {
    const nh = checkNexthop(world, nsName, s);
    if ('error' in nh) return nh;
    dev = nh.dev;
  }
  if (!validPrefsrc(ns, s)) return { error: 'Error: Invalid prefsrc address.' };
  return { ...base, dev, ...(s.gateway !== undefined ? { gateway: s.gateway } : {}) };
}

/** Add a table id to the namespace's list of existing tables (fib_new_table). */
function noteTable(ns: { fibTables?: number[] }, table: number): void {
  if (table === TABLE_MAIN || table === TABLE_LOCAL) return;
  const t = ns.fibTables ?? [];
  if (!t.includes(table)) ns.fibTables = [...t, table];
}

/** `ip route add|replace|append|prepend|change` (fib_table_insert). */
export function routeInsert(world: World, nsName: NsName, s: RouteSpec, f: InsertFlags): OpResult {
  const built = buildRoute(world, nsName, s);
  if ('error' in built) return err(built.error);
  const r = internRoute(built);
  const ns = world.ns[nsName]!;
  const group = ns.routes.map((x, i) => [x, i] as const).filter(([x]) => sameKey(x, r));
  let insertAt: number | undefined; // index in ns.routes; undefined = push
  let replaceAt: number | undefined;
  if (group.length > 0) {
    if (f.excl) return err(ROUTE_EXISTS);
    const match = group.find(([x]) => sameInfo(x, r));
    if (f.replace) {
      if (match) return match === group[0] ? okw(world) : err(ROUTE_EXISTS);
      replaceAt = group[0]![1];
    } else {
      if (match) return err(ROUTE_EXISTS);
      insertAt = f.append ? group[group.length - 1]![1] + 1 : group[0]![1];
    }
  } else if (!f.create) return err('RTNETLINK answers: No such file or directory');
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      // New routes make an exact-size list (a push on the draft list leaves spare capacity in
      // the stored array, n/2 + 16 slots; issue #7); read with peek, so no route is drafted.
      const cur = peek(dns.routes) as readonly Route[];
      if (replaceAt !== undefined) dns.routes[replaceAt] = r as never;
      else if (insertAt !== undefined) dns.routes = cur.slice(0, insertAt).concat(r, cur.slice(insertAt)) as never;
      else dns.routes = cur.concat(r) as never;
      noteTable(dns as { fibTables?: number[] }, r.table);
    }),
  );
}

/** What `ip route del` matches (unset fields match anything; scope 'nowhere' = any). */
export interface RouteSel {
  readonly table: number;
  readonly dst: Prefix4;
  readonly tos: number;
  readonly type?: RouteType;
  readonly scope?: Route['scope'];
  readonly proto?: Route['proto'];
  readonly prefsrc?: Ip4;
  readonly gateway?: Ip4;
  readonly dev?: number;
  readonly metric?: number;
}

/** fib_table_delete(): the first route of the prefix (in lookup order) that the selector matches. */
export function routeDel(world: World, nsName: NsName, sel: RouteSel): OpResult {
  const ns = world.ns[nsName];
  if (!ns) return err(ROUTE_NOT_FOUND);
  if (sel.dst.len < 32 && ((sel.dst.addr & ~maskOf(sel.dst.len)) >>> 0) !== 0) return err('Error: Invalid prefix for given prefix length.');
  if (sel.table !== TABLE_MAIN && sel.table !== TABLE_LOCAL && !(ns.fibTables ?? []).includes(sel.table)) {
    return err(ROUTE_NOT_FOUND);
  }
  const cands = ns.routes
    .filter((r) => r.table === sel.table && r.dst.addr === sel.dst.addr && r.dst.len === sel.dst.len && r.tos === sel.tos)
    .sort((a, b) => a.metric - b.metric);
  const victim = cands.find(
    (r) =>
      (sel.type === undefined || r.type === sel.type) &&
      (sel.scope === undefined || scopeNum(sel.scope) === 255 || scopeNum(r.scope) === scopeNum(sel.scope)) &&
      (sel.prefsrc === undefined || r.prefsrc === sel.prefsrc) &&
      (sel.proto === undefined || String(r.proto) === String(sel.proto)) &&
      (sel.metric === undefined || sel.metric === 0 || r.metric === sel.metric) &&
      (sel.dev === undefined || r.dev === sel.dev) &&
      (sel.gateway === undefined || r.gateway === sel.gateway),
  );
  if (!victim) return err(ROUTE_NOT_FOUND);
  const i = ns.routes.indexOf(victim);
  return okw(
    produce(world, (d) => {
      d.ns[nsName]!.routes.splice(i, 1);
    }),
  );
}

/** `ip route flush ...`: delete every route the predicate selects. */
export function routeFlush(world: World, nsName: NsName, pred: (r: Route) => boolean): OpResult {
  const ns = world.ns[nsName];
  if (!ns) return err(ROUTE_NOT_FOUND);
  if (!ns.routes.some(pred)) return okw(world);
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      dns.routes = dns.routes.filter((r) => !pred(r as Route));
    }),
  );
}

/** RTNH_F_LINKDOWN for printing (see src/model/queries.ts routeLinkdown). */
export function nexthopLinkdown(world: World, nsName: NsName, r: Route): boolean {
  if (r.dev === undefined || r.scope === 'host') return false;
  const l = world.ns[nsName]?.links[r.dev];
  return l !== undefined && !hasCarrier(world, nsName, l);
}
