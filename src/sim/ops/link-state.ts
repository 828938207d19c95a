/**
 * Link up/down and the routes and neighbours the kernel adds and removes
 * with it.
 *
 * `ip link set X up` (NETDEV_UP): the device gets a qdisc (noqueue) the first
 * time, lo gets 127.0.0.1/8, and every address of X gets its kernel routes
 * (fib_add_ifaddr: broadcast and prefix routes are only added while up).
 *
 * `ip link set X down` (NETDEV_DOWN): fib_disable_ip() flushes every route
 * through X in every table except host-scope ones (their nexthop scope is
 * RT_SCOPE_NOWHERE, which fib_sync_down_dev() leaves alone: the address's
 * `local` route survives), and neigh_ifdown() drops all its neighbours,
 * permanent and proxy entries included. A veth peer that loses carrier
 * drops its non-permanent neighbours and proxy entries (neigh_carrier_down).
 */
import { produce, type Draft } from 'immer';
import { ip4FromNumber, isZeronet, maskOf, prefixContains, type Ip4 } from '../../model/addr.js';
import { isSecondary, noCarrierOperAt } from '../../model/queries.js';
import {
  TABLE_LOCAL,
  TABLE_MAIN,
  type IfAddr,
  type Link,
  type Netns,
  type NsName,
  type Route,
  type World,
} from '../../model/world.js';
import type { OpResult } from './netns.js';
import { peek } from '../peek.js';
import { internRoute, sharedPrefix } from '../../model/shared.js';

const LOOPBACK_ADDR = 0x7f000001 as Ip4;

/**
 * What `ip link set lo up` gives every namespace's lo (issue #7): the address 127.0.0.1/8 and,
 * below, its three kernel routes are the same in every namespace, so they are one frozen
 * object each, shared (a World is immutable; a write drafts a copy).
 */
const LO_ADDRS: readonly IfAddr[] = Object.freeze([Object.freeze({ local: LOOPBACK_ADDR, prefixLen: 8, scope: 'host', label: 'lo', noprefixroute: false } as const)]);

/** The `lo` every namespace has after `ip link set lo up`, by its (shared, frozen) conf record. */
const loUpMemo = new WeakMap<object, Link>();
const FRESH_LO_KEYS = 'kind,ifindex,name,mtu,mac,adminUp,txqlen,promisc,addrs,conf';

/**
 * `ip link set lo up` on the lo a namespace was born with (newNamespaceShared: nothing changed
 * since) gives the same device in every namespace: one frozen object, shared (issue #7). The
 * keys are those the draft writes would give, in the same order. Anything else: undefined.
 */
function sharedLoUp(link: Link): Link | undefined {
  if (link.kind !== 'loopback' || link.ifindex !== 1 || link.name !== 'lo' || link.adminUp || link.addrs.length !== 0) return undefined;
  if (link.mtu !== 65536 || link.txqlen !== 1000 || link.promisc || link.mac !== '00:00:00:00:00:00' || !Object.isFrozen(link.conf)) return undefined;
  if (Object.keys(link).join(',') !== FRESH_LO_KEYS) return undefined;
  let lo = loUpMemo.get(link.conf);
  if (lo === undefined) {
    lo = Object.freeze({ ...link, adminUp: true, addrs: LO_ADDRS, qdisc: 'noqueue' as const });
    loUpMemo.set(link.conf, lo);
  }
  return lo;
}

/** The primary address a secondary hangs off (inet_ifa_byprefix): same mask, same subnet. */
export function primaryOf(link: Link, a: IfAddr): IfAddr {
  if (!isSecondary(link, a)) return a;
  for (const p of link.addrs) {
    if (p === a) break;
    if (p.prefixLen === a.prefixLen && prefixContains({ addr: p.peer ?? p.local, len: p.prefixLen }, a.peer ?? a.local) && !isSecondary(link, p)) return p;
  }
  return a;
}

/**
 * The routes fib_add_ifaddr() installs for one address: always `local ADDR`
 * (with the primary's address as src); while the device is up also an
 * explicit broadcast (`brd`), and for primaries the prefix route (unicast in
 * main, or `local` in the local table on loopback) unless `noprefixroute` or
 * a /32 without peer, plus the network broadcast when the prefix is < /31.
 */
export function addrRoutes(link: Link, a: IfAddr, up: boolean): Route[] {
  const prim = primaryOf(link, a);
  const secondary = prim !== a;
  const dev = link.ifindex;
  const prefsrc = prim.local;
  // Every route as one literal of one shape (same keys, same order as before): spreading a
  // shared base put the last four fields in a separate property array (~32 B more per route).
  const kernel = (table: number, type: Route['type'], dst: Route['dst'], scope: Route['scope']): Route => ({
    tos: 0,
    proto: 'kernel',
    metric: 0,
    onlink: false,
    dev,
    prefsrc,
    table,
    type,
    dst,
    scope,
  });
  const out: Route[] = [];
  // Prefixes shared (sharedPrefix): the pods of a node have the same subnet and broadcast.
  out.push(kernel(TABLE_LOCAL, 'local', sharedPrefix(a.local, 32), 'host'));
  if (!up) return link.kind === 'loopback' ? out.map(internRoute) : out;
  if (a.broadcast !== undefined && (a.broadcast >>> 0) !== 0xffffffff) {
    out.push(kernel(TABLE_LOCAL, 'broadcast', sharedPrefix(a.broadcast, 32), 'link'));
  }
  const mask = maskOf(a.prefixLen);
  const prefix = ip4FromNumber((a.peer ?? a.local) & mask);
  if (!isZeronet(prefix) && !secondary && (prefix !== a.local || a.prefixLen < 32)) {
    if (!a.noprefixroute) {
      const loop = link.kind === 'loopback';
      out.push(kernel(loop ? TABLE_LOCAL : TABLE_MAIN, loop ? 'local' : 'unicast', sharedPrefix(prefix, a.prefixLen), loop ? 'host' : 'link'));
    }
    if (a.prefixLen < 31) {
      out.push(kernel(TABLE_LOCAL, 'broadcast', sharedPrefix(ip4FromNumber(prefix | ~mask), 32), 'link'));
    }
  }
  return link.kind === 'loopback' ? out.map(internRoute) : out;
}

/** Every kernel route the addresses of a link imply (in address order). */
export function linkAddrRoutes(link: Link, up = link.adminUp): Route[] {
  const out: Route[] = [];
  for (const a of link.addrs) for (const r of addrRoutes(link, a, up)) if (!out.some((x) => kernelRouteKey(x) === kernelRouteKey(r))) out.push(r);
  return out;
}

/** Identity of a kernel-installed route (fib_magic's key: table, type, dst, dev, prefsrc). */
export function kernelRouteKey(r: Route): string {
  return `${r.table}|${r.type}|${r.dst.addr}/${r.dst.len}|${r.dev ?? ''}|${r.prefsrc ?? ''}|${r.scope}`;
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst.addr === b.dst.addr &&
    a.dst.len === b.dst.len &&
    a.tos === b.tos &&
    a.metric === b.metric &&
    a.dev === b.dev &&
    a.gateway === b.gateway
  );
}

/**
 * Add routes unless an identical one exists (inside a draft namespace). The list is read with
 * peek (reading it through the draft drafted every route of the namespace) and replaced by an
 * exact-size copy (`push` on a draft array leaves spare capacity, n/2 + 16 slots, in the
 * frozen result: ~190 B per namespace; issue #7).
 */
export function addRoutesDraft(ns: Draft<Netns>, routes: readonly Route[]): void {
  const cur = peek(ns.routes) as readonly Route[];
  const add: Route[] = [];
  for (const r of routes) {
    if (!cur.some((x) => sameRoute(peek(x), r)) && !add.some((x) => sameRoute(x, r))) {
      add.push(r);
      if (r.table !== TABLE_MAIN && r.table !== TABLE_LOCAL) {
        const t = ns.fibTables ?? [];
        if (!t.includes(r.table)) ns.fibTables = [...t, r.table];
      }
    }
  }
  if (add.length > 0) ns.routes = cur.concat(add) as Draft<Route>[];
}

/**
 * Bring the kernel routes of a link from what `before` implied to what the
 * link implies now (used after address changes): routes no longer implied
 * are deleted, new ones added. Routes the user deleted stay deleted.
 */
export function syncAddrRoutesDraft(ns: Draft<Netns>, before: readonly Route[], link: Link): void {
  const after = linkAddrRoutes(link);
  const afterKeys = new Set(after.map(kernelRouteKey));
  const gone = new Set(before.map(kernelRouteKey).filter((k) => !afterKeys.has(k)));
  if (gone.size > 0) ns.routes = ns.routes.filter((r) => !(r.proto === 'kernel' && gone.has(kernelRouteKey(r as Route))));
  const beforeKeys = new Set(before.map(kernelRouteKey));
  addRoutesDraft(
    ns,
    after.filter((r) => !beforeKeys.has(kernelRouteKey(r))),
  );
}

/**
 * Where a new address goes in the device's list (__inet_insert_ifa): a
 * secondary at the end; a primary after the last primary whose scope is at
 * least as narrow, i.e. before wider-scope primaries (127.0.0.1, scope host,
 * goes first).
 */
export function insertAddrDraft(link: Draft<Link>, a: IfAddr, secondary: boolean): void {
  // Read with peek and replaced by an exact-size list (see addRoutesDraft).
  const list = peek(link.addrs) as readonly IfAddr[];
  if (secondary) {
    link.addrs = list.concat(a) as Draft<IfAddr>[];
    return;
  }
  let pos = 0;
  const scopeN = (s: IfAddr['scope']): number =>
    typeof s === 'number' ? s : s === 'global' ? 0 : s === 'site' ? 200 : s === 'link' ? 253 : 254;
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (!isSecondary({ addrs: list } as Link, x) && scopeN(a.scope) <= scopeN(x.scope)) pos = i + 1;
  }
  link.addrs = list.slice(0, pos).concat(a, list.slice(pos)) as Draft<IfAddr>[];
}

/**
 * neigh_ifdown (admin down: every entry of the device, proxy entries too) or
 * neigh_carrier_down (carrier loss, `carrier`: only PERMANENT entries and
 * proxy entries survive; NOARP ones go).
 */
function flushNeighDraft(ns: Draft<Netns>, ifindex: number, carrier: boolean): void {
  ns.neigh = ns.neigh.filter((n) => n.ifindex !== ifindex || (carrier && (n.proxy || n.state === 'PERMANENT')));
}

export function setLinkUp(world: World, nsName: NsName, ifindex: number, up: boolean): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return { ok: false, error: `Cannot find device` };
  if (link.adminUp === up) return { ok: true, world };
  return {
    ok: true,
    world: produce(world, (d) => {
      const dns = d.ns[nsName]!;
      const lo = up ? sharedLoUp(link) : undefined;
      const dl = dns.links[ifindex]!;
      if (lo !== undefined) {
        dns.links[ifindex] = lo as Draft<Link>;
        addRoutesDraft(dns, linkAddrRoutes(lo, true));
      } else if (up) {
        dl.adminUp = true;
        dl.qdisc = 'noqueue';
        // lo gets 127.0.0.1/8 each time it comes up (inetdev_event NETDEV_UP; EEXIST ignored).
        if (link.kind === 'loopback' && !link.addrs.some((a) => a.local === LOOPBACK_ADDR && a.prefixLen === 8)) {
          if (link.addrs.length === 0 && link.name === 'lo') dl.addrs = LO_ADDRS as Draft<IfAddr>[];
          else insertAddrDraft(dl, { local: LOOPBACK_ADDR, prefixLen: 8, scope: 'host', label: link.name, noprefixroute: false }, false);
        }
        addRoutesDraft(dns, linkAddrRoutes(dl as Link, true));
      } else {
        dl.adminUp = false;
        dns.routes = dns.routes.filter((r) => r.dev !== ifindex || r.scope === 'host');
        flushNeighDraft(dns, ifindex, false);
      }
      // The veth peer gains or loses carrier with us; losing it flushes its dynamic neighbours.
      if (link.kind === 'veth' && !up) {
        const pns = d.ns[link.peer.ns];
        if (pns && pns.links[link.peer.ifindex]?.adminUp) {
          flushNeighDraft(pns, link.peer.ifindex, true);
          vethCarrierOffDraft(d, nsName, ifindex);
        }
      }
    }),
  };
}

/**
 * A veth pair loses carrier (veth_close: netif_carrier_off on both ends):
 * linkwatch runs default_operstate() for each end; record the result.
 */
export function vethCarrierOffDraft(d: Draft<World>, nsName: NsName, ifindex: number): void {
  const l = d.ns[nsName]?.links[ifindex];
  if (!l || l.kind !== 'veth') return;
  const ends: [NsName, number][] = [
    [nsName, ifindex],
    [l.peer.ns, l.peer.ifindex],
  ];
  const snapshot = d as unknown as World;
  const vals = ends.map(([n, i]) => {
    const x = snapshot.ns[n]?.links[i];
    return x ? noCarrierOperAt(snapshot, n, x) : undefined;
  });
  ends.forEach(([n, i], k) => {
    const x = d.ns[n]?.links[i];
    const v = vals[k];
    if (x && v) x.noCarrierOper = v;
  });
}
