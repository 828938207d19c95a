/**
 * Link up/down and the routes the kernel adds and removes with it.
 *
 * `ip link set X up`: IFF_UP; every address of X gets its kernel routes back
 * (fib_add_ifaddr on NETDEV_UP). `ip link set X down`: every route through X,
 * in every table, is flushed (fib_disable_ip), as are its neighbours.
 */
import { produce, type Draft } from 'immer';
import { broadcastOf, ip4FromNumber, maskOf, type Ip4 } from '../../model/addr.js';
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

/** The routes the kernel installs for an address on an up interface. */
export function addrRoutes(link: Link, a: IfAddr): Route[] {
  const out: Route[] = [];
  const base = { tos: 0, proto: 'kernel' as const, metric: 0, onlink: false, dev: link.ifindex, prefsrc: a.local };
  const net = ip4FromNumber(a.local & maskOf(a.prefixLen));
  if (link.kind === 'loopback' && a.prefixLen < 32) {
    // On loopback the whole prefix is local: `local 127.0.0.0/8 dev lo scope host`.
    out.push({ ...base, table: TABLE_LOCAL, type: 'local', dst: { addr: net, len: a.prefixLen }, scope: 'host' });
  }
  out.push({ ...base, table: TABLE_LOCAL, type: 'local', dst: { addr: a.local, len: 32 }, scope: 'host' });
  if (a.prefixLen < 31) {
    const brd: Ip4 = a.broadcast ?? broadcastOf({ addr: a.local, len: a.prefixLen });
    out.push({ ...base, table: TABLE_LOCAL, type: 'broadcast', dst: { addr: brd, len: 32 }, scope: 'link' });
  }
  if (link.kind !== 'loopback' && a.prefixLen < 32 && !a.noprefixroute) {
    const dstAddr = a.peer ?? net;
    out.push({
      ...base,
      table: TABLE_MAIN,
      type: 'unicast',
      dst: { addr: a.peer !== undefined ? dstAddr : net, len: a.prefixLen },
      scope: 'link',
    });
  }
  return out;
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst.addr === b.dst.addr &&
    a.dst.len === b.dst.len &&
    a.tos === b.tos &&
    a.metric === b.metric &&
    a.dev === b.dev
  );
}

/** Add routes unless an identical key exists (inside a draft namespace). */
export function addRoutesDraft(ns: Draft<Netns>, routes: readonly Route[]): void {
  for (const r of routes) {
    if (!ns.routes.some((x) => sameRoute(x as Route, r))) ns.routes.push(r as Draft<Route>);
  }
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
      const dl = dns.links[ifindex]!;
      dl.adminUp = up;
      if (up) {
        // lo gets 127.0.0.1/8 the first time it comes up (inetdev_event on NETDEV_UP).
        if (link.kind === 'loopback' && !link.addrs.some((a) => a.local === 0x7f000001)) {
          dl.addrs.unshift({ local: 0x7f000001 as Ip4, prefixLen: 8, scope: 'host', label: link.name, noprefixroute: false });
        }
        for (const a of dl.addrs) addRoutesDraft(dns, addrRoutes(dl as Link, a as IfAddr));
      } else {
        dns.routes = dns.routes.filter((r) => r.dev !== ifindex);
        dns.neigh = dns.neigh.filter((n) => n.ifindex !== ifindex || n.state === 'PERMANENT');
      }
    }),
  };
}
