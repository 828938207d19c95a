/**
 * Pure queries over the world: derived state the kernel computes from the
 * stored facts (carrier, operstate, secondary addresses, lookups by name).
 * Nothing here changes the world.
 */
import { prefixContains, type Ip4 } from './addr.js';
import type { IfAddr, Link, Netns, NsName, Route, World } from './world.js';

export function linkByName(ns: Netns, name: string): Link | undefined {
  for (const l of Object.values(ns.links)) if (l.name === name) return l;
  return undefined;
}

/** Links sorted by ifindex (the order `ip link show` dumps them). */
export function linksSorted(ns: Netns): Link[] {
  return Object.values(ns.links).sort((a, b) => a.ifindex - b.ifindex);
}

/** The other end of a veth, wherever it lives. */
export function vethPeer(world: World, link: Link): { readonly ns: Netns; readonly link: Link } | undefined {
  if (link.kind !== 'veth') return undefined;
  const ns = world.ns[link.peer.ns];
  const peer = ns?.links[link.peer.ifindex];
  return ns && peer ? { ns, link: peer } : undefined;
}

/**
 * netif_carrier_ok(): does the device have carrier (IFF_LOWER_UP)?
 * - loopback: whenever it is up;
 * - veth: only while both ends are up (veth_open/veth_close switch the
 *   carrier of both ends);
 * - bridge: while one of its ports is up with carrier (br_port_carrier_check);
 * - vxlan: whenever it is up.
 */
export function hasCarrier(world: World, nsName: NsName, link: Link): boolean {
  if (!link.adminUp) {
    // A down device keeps netif_carrier_ok() as it was, but IFF_LOWER_UP is
    // only reported while up; callers ask "LOWER_UP?" so answer false.
    return false;
  }
  switch (link.kind) {
    case 'loopback':
    case 'vxlan':
      return true;
    case 'veth': {
      const p = vethPeer(world, link);
      return p !== undefined && p.link.adminUp;
    }
    case 'bridge': {
      const ns = world.ns[nsName];
      if (!ns) return false;
      // A bridge no port event touched yet keeps the carrier every new netdev starts with
      // (see bridgeCarrier in src/sim/ops/bridge.ts).
      if (!link.carrierFromPorts && !link.macSet) return true;
      return Object.values(ns.links).some((l) => l.master === link.ifindex && l.adminUp && hasCarrier(world, nsName, l));
    }
  }
}

/**
 * dev_get_iflink(): the ifindex of the device this one is linked to (IFLA_LINK):
 * a veth's peer index (in the peer's namespace), else its own index.
 */
export function iflink(link: Link): number {
  return link.kind === 'veth' ? link.peer.ifindex : link.ifindex;
}

export type OperState = 'UP' | 'DOWN' | 'UNKNOWN' | 'LOWERLAYERDOWN';

/**
 * IFLA_OPERSTATE: DOWN when admin down; when up without carrier, the value
 * default_operstate() computed at the last carrier loss (see
 * `noCarrierOperAt`), stored on the link; when up with carrier: UNKNOWN for
 * devices whose driver never reports an operstate (loopback, vxlan), else UP.
 */
export function operState(world: World, nsName: NsName, link: Link): OperState {
  if (!link.adminUp) return 'DOWN';
  if (!hasCarrier(world, nsName, link)) return link.noCarrierOper ?? noCarrierOperAt(world, nsName, link);
  if (link.kind === 'loopback' || link.kind === 'vxlan') return 'UNKNOWN';
  // No carrier event ever happened on a fresh bridge: linkwatch never set its operstate.
  if (link.kind === 'bridge' && !link.carrierFromPorts && !link.macSet) return 'UNKNOWN';
  return 'UP';
}

/**
 * default_operstate() for a device without carrier, evaluated now (kernel
 * 6.18, net/core/link_watch.c, "only report IF_OPER_LOWERLAYERDOWN if iflink
 * is actually down"): DOWN if iflink == ifindex or no device of index iflink
 * exists in the device's own namespace (a cross-namespace veth's iflink is
 * the peer's ifindex in the other namespace, looked up here all the same);
 * else LOWERLAYERDOWN if that device has no carrier either, DOWN if it has.
 * Checked on the kernel: router r with v117rc (2, up, carrier) and v117rs
 * (3) whose peer in another namespace is ifindex 2: the peer goes down ->
 * v117rs is DOWN (index 2 here is v117rc, which has carrier); a
 * same-namespace pair x1@x2 with x2 down -> x1 LOWERLAYERDOWN.
 */
export function noCarrierOperAt(world: World, nsName: NsName, link: Link): 'DOWN' | 'LOWERLAYERDOWN' {
  const idx = iflink(link);
  if (idx === link.ifindex) return 'DOWN';
  const other = world.ns[nsName]?.links[idx];
  if (!other) return 'DOWN';
  return carrierOk(world, nsName, other) ? 'DOWN' : 'LOWERLAYERDOWN';
}

/**
 * netif_carrier_ok(): the carrier bit itself, also for a device that is
 * administratively down (loopback and VXLAN never drop it; a veth has it only
 * while both ends are up).
 */
function carrierOk(world: World, nsName: NsName, link: Link): boolean {
  if (link.kind === 'loopback' || link.kind === 'vxlan') return true;
  return hasCarrier(world, nsName, link);
}

/**
 * IFA_F_SECONDARY: an address is secondary when an earlier address of the
 * device has the same mask and its subnet contains it (__inet_insert_ifa).
 * The ops keep the list in kernel order (primaries first within a subnet).
 */
export function isSecondary(link: Link, a: IfAddr): boolean {
  const i = link.addrs.indexOf(a);
  for (let k = 0; k < i; k++) {
    const p = link.addrs[k]!;
    if (p.prefixLen === a.prefixLen && prefixContains({ addr: p.peer ?? p.local, len: p.prefixLen }, a.peer ?? a.local)) return true;
  }
  return false;
}

/** All addresses of a namespace with their device. */
export function allAddrs(ns: Netns): { readonly link: Link; readonly addr: IfAddr }[] {
  const out: { link: Link; addr: IfAddr }[] = [];
  for (const l of linksSorted(ns)) for (const a of l.addrs) out.push({ link: l, addr: a });
  return out;
}

/** Is `ip` one of the namespace's own addresses (any device)? */
export function isLocalAddress(ns: Netns, ip: Ip4): boolean {
  return Object.values(ns.links).some((l) => l.addrs.some((a) => a.local === ip));
}

/**
 * RTNH_F_LINKDOWN: a route's nexthop device is up but has no carrier
 * (`ip route` prints `linkdown`). Routes through a down device do not exist.
 */
export function routeLinkdown(world: World, nsName: NsName, r: Route): boolean {
  // Host-scope routes have nexthop scope RT_SCOPE_NOWHERE: fib_sync_down_dev() never marks them.
  if (r.dev === undefined || r.scope === 'host') return false;
  const ns = world.ns[nsName];
  const l = ns?.links[r.dev];
  if (!l) return false;
  return !hasCarrier(world, nsName, l);
}
