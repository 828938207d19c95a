/**
 * The input routing decision (ip_route_input_slow in net/ipv4/route.c) and
 * source validation (fib_validate_source in net/ipv4/fib_frontend.c): pure
 * functions of a namespace's configuration. Used for received IPv4 packets
 * and, as the kernel does, for ARP requests (arp_process calls
 * ip_route_input_noref(skb, tip, sip, 0, dev)).
 */
import {
  isLimitedBroadcast,
  isLoopback,
  isMulticast,
  isZeronet,
  prefixContains,
  type Ip4,
} from '../../model/addr.js';
import { isLocalAddress } from '../../model/queries.js';
import { TABLE_LOCAL, type Link, type Netns, type Route } from '../../model/world.js';
import { FIB_ERRNO, fibLookup } from '../fib.js';
import { confAllValue, confValue } from '../ops/sysctl.js';
import { Unsupported } from '../../shell/types.js';
import { isDraft } from 'immer';

/** inet_addr_onlink(): `a` (and `b` if given) are inside a subnet of `dev`'s addresses. */
export function prefixOnLink(dev: Link, a: Ip4, b?: Ip4): boolean {
  return dev.addrs.some(
    (x) => prefixContains({ addr: x.local, len: x.prefixLen }, a) && (b === undefined || prefixContains({ addr: x.local, len: x.prefixLen }, b)),
  );
}

export type RouteIn =
  | { readonly kind: 'local'; readonly route: Route }
  | { readonly kind: 'broadcast'; readonly route?: Route }
  | {
      readonly kind: 'forward';
      readonly route: Route;
      readonly outDev: number;
      readonly gateway?: Ip4;
      /** ip_rt_send_redirect would be called (IPSKB_DOREDIRECT). */
      readonly redirect: boolean;
    }
  | { readonly kind: 'error'; readonly errno: 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL'; readonly route?: Route }
  | { readonly kind: 'martian_source' | 'martian_destination'; readonly why: string }
  | { readonly kind: 'rp_filter'; readonly why: string };

/*
 * Parsed conf values, memoised per immutable object: every packet reads
 * rp_filter, accept_local, send_redirects, route_localnet... of its input
 * device (devinet's IN_DEV_CONF_GET reads an int array; here a value is a
 * string behind a built key and a default table). A sysctl write makes a new
 * `Netns.sysctl` / `Link` object (immer), so a memo can never go stale. Drafts
 * (an op reading a namespace it is changing) are never memoised.
 */
const allMemo = new WeakMap<object, Map<string, number>>();
const devMemo = new WeakMap<Link, { readonly sysctl: object; readonly vals: Map<string, number> }>();

/** net.ipv4.conf.all.KEY (keys nobody wrote read as the kernel's defaults, e.g. shared_media=1). */
function allConf(ns: Netns, key: string): number {
  // The memo is read first: a draft is never a key, so isDraft (a symbol
  // lookup on the object, per packet and key) runs only on a miss.
  let m = allMemo.get(ns.sysctl);
  if (!m) {
    if (isDraft(ns.sysctl)) return Number(confAllValue(ns, key) ?? '0') || 0;
    allMemo.set(ns.sysctl, (m = new Map()));
  }
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = Number(confAllValue(ns, key) ?? '0') || 0));
  return v;
}
/** conf.DEV.KEY as a number (its own value, else conf.default). */
function devConfNum(ns: Netns, link: Link, key: string): number {
  return Number(confValue(ns, link, key) ?? '0') || 0;
}
/** net.ipv4.conf.DEV.KEY */
function devConf(link: Link, key: string, ns?: Netns): number {
  if (!ns) return Number(link.conf[key] ?? '0') || 0;
  // The memo is read first (a draft is never a key): isDraft only on a miss.
  let e = devMemo.get(link);
  if (!e || e.sysctl !== ns.sysctl) {
    if (isDraft(link) || isDraft(ns.sysctl)) return devConfNum(ns, link, key);
    devMemo.set(link, (e = { sysctl: ns.sysctl, vals: new Map() }));
  }
  let v = e.vals.get(key);
  if (v === undefined) e.vals.set(key, (v = devConfNum(ns, link, key)));
  return v;
}
/** IN_DEV_ANDCONF: both conf.all and conf.DEV enable it. */
export function confAnd(ns: Netns, link: Link, key: string): boolean {
  return allConf(ns, key) !== 0 && devConf(link, key, ns) !== 0;
}
/** IN_DEV_ORCONF: either conf.all or conf.DEV enables it. */
export function confOr(ns: Netns, link: Link, key: string): boolean {
  return allConf(ns, key) !== 0 || devConf(link, key, ns) !== 0;
}
/** IN_DEV_MAXCONF: the larger of conf.all and conf.DEV (rp_filter, arp_ignore, arp_announce). */
export function confMax(ns: Netns, link: Link, key: string): number {
  return Math.max(allConf(ns, key), devConf(link, key, ns));
}
/** IN_DEV_FORWARD: the device's own conf.DEV.forwarding (set for every device by net.ipv4.ip_forward). */
export function devForwarding(link: Link): boolean {
  return devConf(link, 'forwarding') !== 0;
}

type Validate = { readonly ok: true; readonly ret: number } | { readonly ok: false; readonly err: 'EINVAL' | 'EXDEV'; readonly why: string };

/**
 * fib_validate_source(): may a packet from `src` arrive on `dev`? Without
 * rp_filter only a source that is one of this namespace's own addresses is
 * refused; with rp_filter (max of conf.all and conf.DEV) the route back to
 * `src` must exist and be unicast, and for strict mode (1) go out of `dev`.
 * `ret` is 1 when the source is directly connected (used for redirects).
 */
export function validateSource(ns: Netns, src: Ip4, tos: number, oif: number, dev: Link): Validate {
  const rpf = confMax(ns, dev, 'rp_filter');
  const acceptLocal = confOr(ns, dev, 'accept_local');
  const txRedirects = confOr(ns, dev, 'send_redirects');
  if (rpf === 0 && (dev.ifindex !== oif || !txRedirects)) {
    if (acceptLocal) return { ok: true, ret: 0 };
    if (!hasCustomLocalRoutes(ns)) {
      // inet_lookup_ifaddr_rcu(): "within the same container, it is regarded as a martian source".
      if (isOwnAddress(ns, src)) return { ok: false, err: 'EINVAL', why: 'the source address is one of our own' };
      return { ok: true, ret: 0 };
    }
  }
  // __fib_validate_source()
  const res = fibLookup(ns, src, { tos });
  if (res.error !== undefined) {
    if (rpf) return { ok: false, err: 'EXDEV', why: `rp_filter=${rpf}: no route back to the source` };
    return { ok: true, ret: 0 };
  }
  const r = res.route;
  if (r.type !== 'unicast' && (r.type !== 'local' || !acceptLocal)) {
    return { ok: false, err: 'EINVAL', why: `the route back to the source is of type ${r.type}` };
  }
  const devMatch = r.dev === dev.ifindex || (r.type === 'local' && dev.kind === 'loopback');
  if (devMatch) return { ok: true, ret: r.gateway === undefined ? 1 : 0 };
  if (dev.addrs.length === 0) {
    if (rpf) return { ok: false, err: 'EXDEV', why: `rp_filter=${rpf}: the input device has no address` };
    return { ok: true, ret: 0 };
  }
  if (rpf === 1) return { ok: false, err: 'EXDEV', why: 'rp_filter=1 (strict): the route back to the source leaves by another device' };
  const r2 = fibLookup(ns, src, { tos, oif: dev.ifindex });
  const ret = r2.error === undefined && r2.route.type === 'unicast' && r2.route.gateway === undefined ? 1 : 0;
  return { ok: true, ret };
}

const customLocalMemo = new WeakMap<readonly Route[], boolean>();
/**
 * fib_has_custom_local_routes: a route was added to the local table by hand
 * (not by an address). The kernel keeps this as a flag set on insertion; here
 * it is memoised per (immutable) routes array, so a packet does not scan them.
 */
function hasCustomLocalRoutes(ns: Netns): boolean {
  let v = customLocalMemo.get(ns.routes); // a draft is never a key: isDraft only on a miss
  if (v === undefined) {
    v = ns.routes.some((r) => r.table === TABLE_LOCAL && r.proto !== 'kernel');
    if (!isDraft(ns.routes)) customLocalMemo.set(ns.routes, v);
  }
  return v;
}

const ownAddrMemo = new WeakMap<object, ReadonlySet<number>>();
/** inet_lookup_ifaddr_rcu(): is `a` one of the namespace's addresses (a hash table in the kernel; a memoised set here)? */
function isOwnAddress(ns: Netns, a: Ip4): boolean {
  let s = ownAddrMemo.get(ns.links); // a draft is never a key: isDraft only on a miss
  if (!s) {
    if (isDraft(ns.links)) return isLocalAddress(ns, a);
    const set = new Set<number>();
    for (const l of Object.values(ns.links)) for (const x of l.addrs) set.add(x.local);
    ownAddrMemo.set(ns.links, (s = set));
  }
  return s.has(a);
}

/**
 * ip_route_input_slow(): where does a packet from `src` to `dst` arriving on
 * `dev` go? Martian checks first, then the FIB; local and forwarded routes
 * validate the source; without forwarding on `dev`, non-local destinations
 * are EHOSTUNREACH (and ip_error then stays silent).
 */
export function routeInput(ns: Netns, src: Ip4, dst: Ip4, tos: number, dev: Link, opts: { arp?: boolean } = {}): RouteIn {
  const localnet = confOr(ns, dev, 'route_localnet');
  if (isMulticast(src) || isLimitedBroadcast(src)) return { kind: 'martian_source', why: 'multicast or broadcast source' };
  if (isLimitedBroadcast(dst) || (src === 0 && dst === 0)) return brdInput(ns, src, tos, dev);
  if (isZeronet(src)) return { kind: 'martian_source', why: 'source in 0.0.0.0/8' };
  if (isZeronet(dst)) return { kind: 'martian_destination', why: 'destination in 0.0.0.0/8' };
  if (isLoopback(dst)) {
    if (!localnet) return { kind: 'martian_destination', why: 'loopback destination on a non-loopback device (route_localnet=0)' };
  } else if (isLoopback(src)) {
    if (!localnet) return { kind: 'martian_source', why: 'loopback source on a non-loopback device (route_localnet=0)' };
  }
  if (isMulticast(dst)) throw new Unsupported('multicast destinations in the datapath');
  const res = fibLookup(ns, dst, { tos });
  if (res.error !== undefined) {
    const errno = devForwarding(dev) ? FIB_ERRNO[res.error] : 'EHOSTUNREACH';
    return { kind: 'error', errno, ...(res.route ? { route: res.route } : {}) };
  }
  const r = res.route;
  if (r.type === 'broadcast') return brdInput(ns, src, tos, dev, r);
  if (r.type === 'local') {
    const v = validateSource(ns, src, tos, 0, dev);
    if (!v.ok) return v.err === 'EXDEV' ? { kind: 'rp_filter', why: v.why } : { kind: 'martian_source', why: v.why };
    return { kind: 'local', route: r };
  }
  if (!devForwarding(dev)) return { kind: 'error', errno: 'EHOSTUNREACH', route: r };
  if (r.type !== 'unicast') return { kind: 'martian_destination', why: `route of type ${r.type}` };
  const outDev = r.dev ?? 1;
  // __mkroute_input()
  const v = validateSource(ns, src, tos, outDev, dev);
  if (!v.ok) return v.err === 'EXDEV' ? { kind: 'rp_filter', why: v.why } : { kind: 'martian_source', why: v.why };
  if (opts.arp && outDev === dev.ifindex && !confOr(ns, dev, 'proxy_arp_pvlan')) {
    return { kind: 'error', errno: 'EINVAL', route: r };
  }
  const out = ns.links[outDev];
  const redirect =
    outDev === dev.ifindex &&
    v.ret !== 0 &&
    out !== undefined &&
    confOr(ns, out, 'send_redirects') &&
    (confOr(ns, out, 'shared_media') || prefixOnLink(out, src, r.gateway));
  // Two literals rather than a spread of a conditional one (a runtime copy per forwarded packet); same keys, same order.
  return r.gateway !== undefined ? { kind: 'forward', route: r, outDev, gateway: r.gateway, redirect } : { kind: 'forward', route: r, outDev, redirect };
}

function brdInput(ns: Netns, src: Ip4, tos: number, dev: Link, route?: Route): RouteIn {
  if (!isZeronet(src)) {
    const v = validateSource(ns, src, tos, 0, dev);
    if (!v.ok) return v.err === 'EXDEV' ? { kind: 'rp_filter', why: v.why } : { kind: 'martian_source', why: v.why };
  }
  return { kind: 'broadcast', ...(route ? { route } : {}) };
}
