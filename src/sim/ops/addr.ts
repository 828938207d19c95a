/**
 * IPv4 addresses: `ip addr add/del/flush` as devinet.c does them
 * (inet_rtm_newaddr/__inet_insert_ifa, inet_rtm_deladdr/__inet_del_ifa) and
 * the kernel routes that follow (fib_add_ifaddr/fib_del_ifaddr).
 */
import { produce, type Draft } from 'immer';
import { prefixContains, type Ip4 } from '../../model/addr.js';
import { isSecondary } from '../../model/queries.js';
import type { IfAddr, Link, Netns, NsName, World } from '../../model/world.js';
import { addRoutesDraft, addrRoutes, insertAddrDraft, linkAddrRoutes, syncAddrRoutesDraft } from './link-state.js';
import { err, okw, type OpResult } from './netns.js';

export const ADDR_EXISTS = 'Error: ipv4: Address already assigned.';
export const ADDR_NOT_FOUND = 'Error: ipv4: Address not found.';
export const ADDR_BAD_SCOPE = 'Error: ipv4: Invalid scope value.';

/** ifa_address: the peer of a point-to-point address, else the local address. */
const ifaAddress = (a: IfAddr): Ip4 => a.peer ?? a.local;

/** inet_ifa_match(addr, ifa): addr is in ifa's subnet (ifa_address/mask). */
function inSubnet(addr: Ip4, a: IfAddr): boolean {
  return prefixContains({ addr: ifaAddress(a), len: a.prefixLen }, addr);
}

const scopeN = (s: IfAddr['scope']): number =>
  typeof s === 'number' ? s : s === 'global' ? 0 : s === 'site' ? 200 : s === 'link' ? 253 : 254;

/**
 * `ip addr add`: EEXIST for the same local address and mask in the same
 * subnet ("Address already assigned"), EINVAL for another scope in a subnet
 * that already has an address; otherwise the address is secondary when the
 * subnet already has one. `replace` (NLM_F_REPLACE) of an existing address
 * only refreshes lifetimes: nothing the twin shows changes.
 */
export function addrAdd(world: World, nsName: NsName, ifindex: number, a: IfAddr, opts: { replace?: boolean } = {}): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err('RTNETLINK answers: No such device');
  let secondary = false;
  for (const x of link.addrs) {
    if (x.prefixLen === a.prefixLen && inSubnet(ifaAddress(x), a)) {
      if (x.local === a.local) return opts.replace ? okw(world) : err(ADDR_EXISTS);
      if (scopeN(x.scope) !== scopeN(a.scope)) return err(ADDR_BAD_SCOPE);
      secondary = true;
    }
  }
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      const dl = dns.links[ifindex]!;
      insertAddrDraft(dl, a, secondary);
      const added = (dl.addrs as IfAddr[]).find((x) => x.local === a.local && x.prefixLen === a.prefixLen)!;
      addRoutesDraft(dns, addrRoutes(dl as Link, added, dl.adminUp));
    }),
  );
}

/** What `ip addr del` identifies: the local address, and unless wildcard the prefix (IFA_ADDRESS). */
export interface AddrSel {
  readonly local: Ip4;
  /** Undefined: "wildcard deletion" (no prefix length given): the first address with this local. */
  readonly prefixLen?: number;
  readonly peer?: Ip4;
  readonly label?: string;
}

function promoteEnabled(ns: Netns, link: Link): boolean {
  return link.conf['promote_secondaries'] === '1' || ns.sysctl['net.ipv4.conf.all.promote_secondaries'] === '1';
}

/**
 * Remove one address inside a draft (__inet_del_ifa): deleting a primary
 * deletes the secondaries of its subnet, or with promote_secondaries promotes
 * the first of them (moved after the last primary); then the kernel routes
 * are brought in line and, if the address is gone from the namespace, routes
 * using it as preferred source are flushed (fib_sync_down_addr).
 */
function delAddrDraft(dns: Draft<Netns>, ifindex: number, wanted: IfAddr): void {
  const dl = dns.links[ifindex]!;
  const link = dl as Link;
  const before = linkAddrRoutes(link);
  const list = dl.addrs as IfAddr[];
  // `wanted` may come from the base state while `list` holds draft proxies: find by value.
  const target = list.find((x) => x.local === wanted.local && x.prefixLen === wanted.prefixLen && x.peer === wanted.peer);
  if (!target) return;
  const removed: IfAddr[] = [target];
  if (!isSecondary(link, target)) {
    const secs = list.filter((x) => x !== target && isSecondary(link, x) && x.prefixLen === target.prefixLen && inSubnet(ifaAddress(x), target));
    if (secs.length > 0) {
      if (promoteEnabled(dns as Netns, link)) {
        // The first secondary takes the primary's place (primaries stay before their secondaries).
        const promote = secs[0]!;
        dl.addrs = list.filter((x) => x !== promote).map((x) => (x === target ? promote : x));
      } else {
        removed.push(...secs);
        dl.addrs = list.filter((x) => !removed.includes(x));
      }
    } else dl.addrs = list.filter((x) => x !== target);
  } else dl.addrs = list.filter((x) => x !== target);
  syncAddrRoutesDraft(dns, before, dl as Link);
  // The last IPv4 address went: fib_disable_ip(dev, force) flushes every route through the device.
  if (dl.addrs.length === 0) dns.routes = dns.routes.filter((r) => r.dev !== ifindex);
  for (const r of removed) {
    const still = Object.values(dns.links).some((l) => l.addrs.some((x) => x.local === r.local));
    if (!still) dns.routes = dns.routes.filter((rt) => rt.prefsrc !== r.local);
  }
}

function matchSel(a: IfAddr, s: AddrSel): boolean {
  if (a.local !== s.local) return false;
  if (s.label !== undefined && a.label !== s.label) return false;
  if (s.prefixLen !== undefined) {
    if (a.prefixLen !== s.prefixLen) return false;
    if (!inSubnet(s.peer ?? s.local, a)) return false;
  }
  return true;
}

/** `ip addr del ADDR[/LEN] dev X`. */
export function addrDel(world: World, nsName: NsName, ifindex: number, sel: AddrSel): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err('RTNETLINK answers: No such device');
  const target = link.addrs.find((a) => matchSel(a, sel));
  if (!target) return err(ADDR_NOT_FOUND);
  return okw(
    produce(world, (d) => {
      delAddrDraft(d.ns[nsName]!, ifindex, target);
    }),
  );
}

/**
 * `ip addr flush dev X [filters]`: iproute2 dumps the matching addresses and
 * deletes them one by one, in dump order, until none is left.
 */
export function addrFlush(world: World, nsName: NsName, ifindexes: readonly number[], keep: (l: Link, a: IfAddr) => boolean): OpResult {
  if (!world.ns[nsName]) return err('RTNETLINK answers: No such device');
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      for (const ifindex of ifindexes) {
        for (let guard = 0; guard < 10000; guard++) {
          const dl = dns.links[ifindex];
          if (!dl) break;
          const victim = (dl.addrs as IfAddr[]).find((a) => keep(dl as Link, a));
          if (!victim) break;
          delAddrDraft(dns, ifindex, victim);
        }
      }
    }),
  );
}
