/**
 * Link lifecycle and attributes: `ip link add/del/set` as the kernel does
 * them (rtnl_newlink, rtnl_dellink, do_setlink, dev_change_net_namespace).
 *
 * Errors are returned as the exact text `ip` prints (`RTNETLINK answers: ...`
 * or an extack `Error: ...`); the shell prints them with exit status 2.
 */
import { produce, type Draft } from 'immer';
import { seededMac, type Mac } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import { type Link, type LinkCommon, type Netns, type NsName, type VethLink, type World } from '../../model/world.js';
import { err, okw, removeLinkDraft, sharedConfFor, type OpResult } from './netns.js';
import { EMPTY_LIST, internRecord } from '../../model/shared.js';
import { peek } from '../peek.js';
import { setLinkUp, vethCarrierOffDraft } from './link-state.js';

export const RTNL_EXISTS = 'RTNETLINK answers: File exists';
export const RTNL_NODEV = 'RTNETLINK answers: No such device';
export const RTNL_INVAL = 'RTNETLINK answers: Invalid argument';
export const RTNL_NOTSUPP = 'RTNETLINK answers: Operation not supported';
export const RTNL_ADDRNOTAVAIL = 'RTNETLINK answers: Cannot assign requested address';

/**
 * dev_index_reserve(net, 0): the per-namespace cyclic allocator
 * (xa_alloc_cyclic from net->ifindex): the first free index at or above the
 * hint, wrapping to 1. The caller stores `idx + 1` as the new hint.
 */
export function allocIfindex(ns: Pick<Netns, 'links' | 'nextIfindex'>): number {
  let i = Math.max(1, ns.nextIfindex);
  while (ns.links[i] !== undefined) i++;
  return i;
}

/** dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
export function validIfname(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

export interface NewLinkOpts {
  /** Namespace the device is created in (`netns X`, else the caller's). */
  readonly ns: NsName;
  readonly name: string;
  readonly mac?: Mac;
  readonly mtu?: number;
  readonly txqlen?: number;
}

/**
 * The fields every new device starts with: a fresh ifindex in its namespace,
 * a random (seeded) MAC unless given, DOWN, no addresses, conf copied from
 * the namespace's conf.default. Draws from the world's MAC counter, so call
 * it inside `produce` on the draft world.
 */
export function newLinkCommon(d: Draft<World>, o: NewLinkOpts, defaults: { mtu: number; txqlen: number }): LinkCommon {
  const ns = d.ns[o.ns]!;
  const ifindex = allocIfindex(ns);
  ns.nextIfindex = ifindex + 1;
  let mac = o.mac;
  if (mac === undefined) {
    mac = seededMac(d.seed, d.macCounter);
    d.macCounter++;
  }
  return {
    ifindex,
    name: o.name,
    mtu: o.mtu ?? defaults.mtu,
    mac,
    adminUp: false,
    txqlen: o.txqlen ?? defaults.txqlen,
    promisc: false,
    // Shared frozen values (issue #7): a write to either goes through a draft, which copies it.
    addrs: EMPTY_LIST,
    conf: sharedConfFor(d as unknown as World, d.ns[o.ns] as unknown as Netns),
  };
}

/**
 * peernet2id_alloc(): namespace `a` assigns the lowest free netnsid to `b`
 * (idr_alloc from 0) unless it already has one. Both directions are
 * allocated when a device links two namespaces (the RTM_NEWLINK notification
 * of each end carries IFLA_LINK_NETNSID).
 */
export function ensurePeerIdsDraft(d: Draft<World>, a: NsName, b: NsName): void {
  if (a === b) return;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const ns = d.ns[x];
    if (!ns || d.ns[y] === undefined || ns.peerIds[y] !== undefined) continue;
    const cur = peek(ns.peerIds);
    const used = new Set(Object.values(cur));
    let id = 0;
    while (used.has(id)) id++;
    // A namespace's first id (a pod's `{ node: 0 }`) is one record shared by content; a record
    // that grows (a node's: one id per pod) is a prototype-less one, which V8 keeps as a hash
    // table: a plain object got a new hidden class and descriptor array per key added, ~350 B
    // per pod (issue #7). Keys, order and JSON are the same.
    if (used.size === 0) ns.peerIds = internRecord({ [y]: id });
    else ns.peerIds = Object.assign(Object.create(null) as Record<string, number>, cur, { [y]: id });
  }
}

/** A name is free in a namespace (the kernel checks __dev_get_by_name). */
function nameTaken(ns: Netns, name: string): boolean {
  return linkByName(ns, name) !== undefined;
}

export interface VethEnd extends NewLinkOpts {}

/**
 * `ip link add A [netns X] type veth peer name B [netns Y]`: veth_newlink()
 * registers the peer first (so it gets its ifindex and MAC first), then A.
 * The peer lives in the caller's namespace unless `netns` was given for it.
 */
export function vethAdd(world: World, a: VethEnd, b: VethEnd): OpResult {
  const nsA = world.ns[a.ns];
  const nsB = world.ns[b.ns];
  if (!nsA || !nsB) return err(RTNL_INVAL);
  if (nameTaken(nsA, a.name) || nameTaken(nsB, b.name)) return err(RTNL_EXISTS);
  if (a.ns === b.ns && a.name === b.name) return err(RTNL_EXISTS);
  for (const e of [a, b]) {
    if (e.mtu !== undefined && e.mtu > 65535) return err('Error: mtu greater than device maximum.');
    if (e.mtu !== undefined && e.mtu < 68) return err('Error: mtu less than device minimum.');
  }
  return okw(
    produce(world, (d) => {
      const pb = newLinkCommon(d, b, { mtu: 1500, txqlen: 1000 });
      const pa = newLinkCommon(d, a, { mtu: 1500, txqlen: 1000 });
      const la: VethLink = { ...pa, kind: 'veth', peer: { ns: b.ns, ifindex: pb.ifindex } };
      const lb: VethLink = { ...pb, kind: 'veth', peer: { ns: a.ns, ifindex: pa.ifindex } };
      d.ns[b.ns]!.links[pb.ifindex] = lb as Draft<VethLink>;
      d.ns[a.ns]!.links[pa.ifindex] = la as Draft<VethLink>;
      ensurePeerIdsDraft(d, a.ns, b.ns);
      // veth_newlink() turns the carrier of both ends off: a carrier event.
      vethCarrierOffDraft(d, a.ns, pa.ifindex);
    }),
  );
}

/**
 * `ip link del X`: unregister the device; a veth takes its peer with it. The
 * carrier of nothing else changes (a bridge losing its last port is derived).
 */
export function linkDel(world: World, nsName: NsName, ifindex: number): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err(RTNL_NODEV);
  if (link.kind === 'loopback') return err(RTNL_NOTSUPP);
  return okw(
    produce(world, (d) => {
      if (link.kind === 'veth') {
        const pns = d.ns[link.peer.ns];
        if (pns && pns.links[link.peer.ifindex]) removeLinkDraft(pns as never, link.peer.ifindex);
      }
      removeLinkDraft(d.ns[nsName]! as never, ifindex);
    }),
  );
}

/** `ip link set X name Y` (dev_change_name): allowed while up on this kernel. */
export function linkRename(world: World, nsName: NsName, ifindex: number, name: string): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err(RTNL_NODEV);
  if (link.name === name) return okw(world);
  if (nameTaken(ns, name)) return err(RTNL_EXISTS);
  return okw(
    produce(world, (d) => {
      const l = d.ns[nsName]!.links[ifindex]!;
      l.name = name;
      // Labels equal to the old device name follow it (inetdev NETDEV_CHANGENAME: inetdev_changename).
      for (const a of l.addrs) {
        if (a.label === link.name) a.label = name;
        else if (a.label.startsWith(link.name + ':')) a.label = name + a.label.slice(link.name.length);
      }
    }),
  );
}

/** min/max MTU of each kind (dev->min_mtu / max_mtu). */
function mtuRange(link: Link): [number, number] | undefined {
  switch (link.kind) {
    case 'veth':
      return [68, 65535];
    case 'bridge':
      return [68, 65535];
    case 'vxlan':
      return [68, 65535];
    case 'loopback':
      return undefined;
  }
}

/** `ip link set X mtu N` (dev_set_mtu_ext with extack). */
export function linkSetMtu(world: World, nsName: NsName, ifindex: number, mtu: number): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err(RTNL_NODEV);
  const range = mtuRange(link);
  if (range && mtu > range[1]) return err('Error: mtu greater than device maximum.');
  if (range && mtu < range[0]) return err('Error: mtu less than device minimum.');
  if (mtu === link.mtu) return okw(world);
  return okw(
    produce(world, (d) => {
      d.ns[nsName]!.links[ifindex]!.mtu = mtu;
    }),
  );
}

/** `ip link set X address MAC` (dev_set_mac_address: eth_prepare_mac_addr_change checks validity). */
export function linkSetMac(world: World, nsName: NsName, ifindex: number, mac: Mac): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err(RTNL_NODEV);
  const first = parseInt(mac.slice(0, 2), 16);
  if ((first & 1) === 1 || mac === '00:00:00:00:00:00') return err(RTNL_ADDRNOTAVAIL);
  return okw(
    produce(world, (d) => {
      const l = d.ns[nsName]!.links[ifindex]!;
      l.mac = mac;
      if (l.kind === 'bridge') (l as { macSet: boolean }).macSet = true;
    }),
  );
}

/** `ip link set X alias TEXT | txqueuelen N | promisc on|off`. */
export function linkSetAttrs(
  world: World,
  nsName: NsName,
  ifindex: number,
  a: { readonly alias?: string; readonly txqlen?: number; readonly promisc?: boolean },
): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err(RTNL_NODEV);
  return okw(
    produce(world, (d) => {
      const l = d.ns[nsName]!.links[ifindex]!;
      if (a.alias !== undefined) {
        if (a.alias === '') delete l.alias;
        else l.alias = a.alias;
      }
      if (a.txqlen !== undefined) l.txqlen = a.txqlen;
      if (a.promisc !== undefined) l.promisc = a.promisc;
    }),
  );
}

/**
 * `ip link set X netns NS` (dev_change_net_namespace): the device is closed
 * (its routes and neighbours go, its peer loses carrier), unregistered from
 * the old namespace (addresses and bridge membership are lost, its qdisc is
 * shut down), and registered in the new one, keeping its ifindex if that is
 * free there (else a fresh one). Its conf.* start from the new namespace's
 * conf.default.
 */
export function linkSetNetns(world: World, nsName: NsName, ifindex: number, target: NsName): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  const tns = world.ns[target];
  if (!ns || !link) return err(RTNL_NODEV);
  if (!tns) return err(RTNL_INVAL);
  if (target === nsName) return okw(world);
  if (link.kind === 'loopback') return err(RTNL_INVAL);
  if (nameTaken(tns, link.name)) return err(RTNL_EXISTS);
  // Close first: routes, neighbours and the peer's carrier follow the down transition.
  let w = world;
  let carrierLost = false;
  if (link.adminUp) {
    const p = link.kind === 'veth' ? world.ns[link.peer.ns]?.links[link.peer.ifindex] : undefined;
    carrierLost = p?.adminUp === true;
    const r = setLinkUp(w, nsName, ifindex, false);
    if (!r.ok) return r;
    w = r.world;
  }
  return okw(
    produce(w, (d) => {
      const src = d.ns[nsName]!;
      const dst = d.ns[target]!;
      const l = JSON.parse(JSON.stringify(src.links[ifindex])) as Draft<Link>;
      removeLinkDraft(src as never, ifindex);
      const newIndex = dst.links[ifindex] === undefined ? ifindex : allocIfindex(dst);
      if (newIndex !== ifindex) dst.nextIfindex = newIndex + 1;
      l.ifindex = newIndex;
      l.addrs = EMPTY_LIST as never[];
      delete l.master;
      delete l.brport;
      delete (l as { qdisc?: string }).qdisc;
      l.conf = sharedConfFor(d as unknown as World, dst as unknown as Netns);
      delete (l as { confSet?: unknown }).confSet;
      delete (l as { l2?: unknown }).l2;
      dst.links[newIndex] = l;
      if (l.kind === 'veth') {
        const pns = d.ns[l.peer.ns];
        const peer = pns?.links[l.peer.ifindex];
        if (peer && peer.kind === 'veth') peer.peer = { ns: target, ifindex: newIndex };
        if (pns) ensurePeerIdsDraft(d, target, l.peer.ns);
        // linkwatch handles the carrier loss after the move: recompute with the new indexes.
        if (carrierLost) vethCarrierOffDraft(d, target, newIndex);
      }
      // A bridge's own FDB entries for this port vanish with it (removeLinkDraft did that).
    }),
  );
}

/** Resolve a device name in a namespace (for the shell). */
export function findLink(world: World, nsName: NsName, name: string): Link | undefined {
  const ns = world.ns[nsName];
  return ns ? linkByName(ns, name) : undefined;
}

