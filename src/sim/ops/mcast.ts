/**
 * Link-layer side effects of interface transitions that the kernel keeps as
 * state, settled after each command (settleLinks):
 *
 * - the device multicast list (dev->mc) `bridge fdb show` prints as
 *   "self permanent": 33:33:00:00:00:01 (ff02::1, joined when IPv6 attaches
 *   to the device at registration), 01:00:5e:00:00:01 (224.0.0.1, ip_mc_up on
 *   NETDEV_UP), a bridge's 01:00:5e:00:00:6a / 33:33:00:00:00:6a (multicast
 *   router discovery, br_multicast_open when it opens with snooping on), and
 *   the solicited-node group 33:33:ff:XX:XX:XX of the IPv6 link-local address;
 * - the IPv6 link-local address itself (addrconf): created from the MAC when
 *   the device is up with carrier and IPv6 is enabled, kept when the carrier
 *   goes (and when the MAC changes), removed when the device goes down;
 * - the IPv6 chatter (DAD, MLD reports, router solicitations) a device sends
 *   when it gets its link-local address: a bridge on the other end of its
 *   veth learns its MAC, and so does a VXLAN peer (see learnFromChatter).
 * - bridges follow changes made elsewhere to their ports (reconcileBridgesDraft).
 *
 * Orders observed on Linux 6.18 (`bridge fdb show dev X`):
 *   created:                      33:33:00:00:00:01
 *   up, no carrier (first time):  33:33:00:00:00:01 01:00:5e:00:00:01
 *   then carrier:                 ... 33:33:ff:XX:XX:XX
 *   down (had a link-local):      (nothing); down (never had one): 33:33:00:00:00:01
 *   up again, then carrier:       01:00:5e:00:00:01 33:33:00:00:00:01 33:33:ff:XX:XX:XX
 *   bridge up:                    33:33:00:00:00:01 01:00:5e:00:00:6a 33:33:00:00:00:6a 01:00:5e:00:00:01 ...
 */
import { produce, type Draft } from 'immer';
import type { Mac } from '../../model/addr.js';
import { hasCarrier } from '../../model/queries.js';
import type { BridgeLink, L2State, Link, Netns, NsName, VxlanLink, World } from '../../model/world.js';
import { fdbLearnDraft, initialL2, masterOf, portState, reconcileBridgesDraft } from './bridge.js';
import { ipv6Enabled } from './sysctl.js';

export const MC_ALL_NODES = '33:33:00:00:00:01' as Mac;
export const MC_ALL_HOSTS = '01:00:5e:00:00:01' as Mac;
export const MC_MRD4 = '01:00:5e:00:00:6a' as Mac;
export const MC_MRD6 = '33:33:00:00:00:6a' as Mac;

/** The solicited-node group of the link-local address derived from `mac` (ff02::1:ffXX:XXXX). */
export function solicitedNode(mac: Mac): Mac {
  return `33:33:ff:${mac.slice(9)}` as Mac;
}

/** The device multicast list as `bridge fdb show` prints it (nothing for lo). */
export function mcList(link: Link): readonly Mac[] {
  if (link.kind === 'loopback') return [];
  return (link.l2 ?? initialL2()).mc;
}

/** The device's unicast address list (`bridge fdb add MAC dev X`). */
export function ucList(link: Link): readonly Mac[] {
  return link.l2?.uc ?? [];
}

/** The link-local address's MAC, while the device has one. */
export function linkLocalMac(link: Link): Mac | undefined {
  return link.l2?.ll6;
}

function without(list: readonly Mac[], drop: (m: Mac) => boolean): Mac[] {
  return list.filter((m) => !drop(m));
}

function withAdded(list: readonly Mac[], ...macs: Mac[]): Mac[] {
  const out = [...list];
  for (const m of macs) if (!out.includes(m)) out.push(m);
  return out;
}

/** One device's transition from what was settled last to what it is now. */
/**
 * The link-local's first frames leave after DAD's and MLD's random delays
 * (up to rtr_solicit_delay, 1 s): a bridge has learned the MAC once a
 * script slept a second, not right after `ip link set X up`.
 */
export const CHATTER_DELAY_MS = 1000;

function nextL2(world: World, nsName: NsName, ns: Netns, link: Link): { l2: L2State; gotLinkLocal: boolean } {
  const prev = link.l2 ?? initialL2();
  const up = link.adminUp;
  const ready = up && hasCarrier(world, nsName, link);
  const v6 = ipv6Enabled(ns, link);
  let mc = [...prev.mc];
  let ll6 = prev.ll6;
  let upSinceMs = prev.upSinceMs;
  let ll6Ms = prev.ll6Ms;
  let chatted = prev.chatted ?? false;
  let gotLinkLocal = false;
  if (prev.up && !up) {
    // NETDEV_DOWN: ip_mc_down, br_multicast_stop, addrconf_ifdown (which leaves ff02::1 too if IPv6 was up).
    mc = ll6 !== undefined ? [] : mc.filter((m) => m === MC_ALL_NODES);
    ll6 = undefined;
    upSinceMs = undefined;
  }
  if (!prev.up && up) {
    upSinceMs = world.clockMs;
    if (link.kind === 'bridge' && (link.mcastSnooping ?? true)) mc = withAdded(mc, MC_MRD4, MC_MRD6);
    mc = withAdded(mc, MC_ALL_HOSTS);
  }
  if (up && v6 && ready && ll6 === undefined) {
    // addrconf_link_ready(): the link-local appears (EUI-64 of the current MAC) and DAD joins its group.
    ll6 = link.mac;
    mc = withAdded(mc, MC_ALL_NODES, solicitedNode(link.mac));
    ll6Ms = world.clockMs;
    chatted = false;
  }
  if (!v6 && ll6 !== undefined) {
    // disable_ipv6=1: addrconf_ifdown() drops the addresses and their groups.
    mc = without(mc, (m) => m === solicitedNode(ll6!));
    ll6 = undefined;
  }
  if (ll6 === undefined) {
    ll6Ms = undefined;
    chatted = false;
  } else if (!chatted && ll6Ms !== undefined && world.clockMs >= ll6Ms + CHATTER_DELAY_MS) {
    chatted = true;
    gotLinkLocal = true;
  }
  const l2: L2State = {
    up,
    ready,
    mc,
    ...(ll6 !== undefined ? { ll6 } : {}),
    ...(upSinceMs !== undefined ? { upSinceMs } : {}),
    ...(prev.uc !== undefined ? { uc: prev.uc } : {}),
    ...(ll6Ms !== undefined ? { ll6Ms } : {}),
    ...(chatted ? { chatted } : {}),
  };
  return { l2, gotLinkLocal };
}

function sameL2(a: L2State | undefined, b: L2State): boolean {
  if (!a) return false;
  return (
    a.up === b.up &&
    a.ready === b.ready &&
    a.ll6 === b.ll6 &&
    a.upSinceMs === b.upSinceMs &&
    a.ll6Ms === b.ll6Ms &&
    (a.chatted ?? false) === (b.chatted ?? false) &&
    a.mc.length === b.mc.length &&
    a.mc.every((m, i) => m === b.mc[i]) &&
    a.uc === b.uc
  );
}

/**
 * Bring every device's link-layer state up to date with its configuration.
 * Call after each command (the interpreter does); idempotent, and returns the
 * same world object when nothing changed.
 */
export function settleLinks(world: World): World {
  // Bridges first: port MACs, deleted ports (cheap when nothing changed).
  let w = world;
  const needsReconcile = Object.keys(world.ns).some((n) => Object.values(world.ns[n]!.links).some((l) => l.kind === 'bridge'));
  if (needsReconcile) {
    const r = produce(w, (d) => {
      for (const ns of Object.values(d.ns)) reconcileBridgesDraft(ns, d.clockMs);
    });
    w = r;
  }
  const changes: { ns: NsName; ifindex: number; l2: L2State; gotLinkLocal: boolean }[] = [];
  for (const [nsName, ns] of Object.entries(w.ns)) {
    for (const link of Object.values(ns.links)) {
      if (link.kind === 'loopback') continue;
      const { l2, gotLinkLocal } = nextL2(w, nsName, ns, link);
      if (!sameL2(link.l2, l2)) changes.push({ ns: nsName, ifindex: link.ifindex, l2, gotLinkLocal });
    }
  }
  if (changes.length === 0) return w;
  const base = w;
  return produce(w, (d) => {
    for (const c of changes) d.ns[c.ns]!.links[c.ifindex]!.l2 = c.l2 as Draft<L2State>;
    for (const c of changes) if (c.gotLinkLocal) learnFromChatter(base, d, c.ns, c.ifindex);
  });
}

/**
 * A device that just got its link-local address sends DAD, MLD and router
 * solicitation frames from its MAC. What the twin models of that: a bridge
 * whose port is the other end of the device's veth learns the MAC on that
 * port; a bridge sending it out of its ports lets bridges behind those ports'
 * peers learn it; a VXLAN device's frames reach its remotes, whose VXLAN
 * devices (same VNI and port, learning on) learn the MAC behind its address.
 */
function learnFromChatter(world: World, d: Draft<World>, nsName: NsName, ifindex: number): void {
  const ns = world.ns[nsName]!;
  const link = ns.links[ifindex]!;
  const now = world.clockMs;
  const learnAtPeerOf = (l: Link): void => {
    if (l.kind !== 'veth') return;
    const pns = world.ns[l.peer.ns];
    const peer = pns?.links[l.peer.ifindex];
    if (!pns || !peer) return;
    const br = masterOf(pns, peer);
    if (!br || !(peer.brport?.learning ?? true) || portState(world, l.peer.ns, peer) !== 'forwarding') return;
    fdbLearnDraft(d.ns[l.peer.ns]!.links[br.ifindex] as Draft<BridgeLink>, peer.ifindex, link.mac, now);
  };
  if (link.kind === 'veth') {
    learnAtPeerOf(link);
  } else if (link.kind === 'bridge') {
    for (const p of Object.values(ns.links)) {
      if (p.master === link.ifindex && portState(world, nsName, p) === 'forwarding') learnAtPeerOf(p);
    }
  } else if (link.kind === 'vxlan') {
    learnOverVxlan(world, d, nsName, link, link.mac);
  }
}

/** The VXLAN peers of `vx` (by its default remotes) learn `mac` behind vx's source address. */
function learnOverVxlan(world: World, d: Draft<World>, nsName: NsName, vx: VxlanLink, mac: Mac): void {
  const src = vx.local ?? (vx.dev !== undefined ? world.ns[nsName]!.links[vx.dev]?.addrs[0]?.local : undefined);
  if (src === undefined) return;
  for (const r of vx.fdb.filter((e) => e.mac === '00:00:00:00:00:00')) {
    for (const [pname, pns] of Object.entries(world.ns)) {
      if (pname === nsName) continue;
      if (!Object.values(pns.links).some((l) => l.addrs.some((a) => a.local === r.dst))) continue;
      for (const l of Object.values(pns.links)) {
        if (l.kind !== 'vxlan' || l.vni !== vx.vni || l.dstport !== vx.dstport || !l.adminUp || !l.learning) continue;
        const dl = d.ns[pname]!.links[l.ifindex] as Draft<VxlanLink>;
        if (dl.fdb.some((e) => e.mac === mac)) continue;
        dl.fdb.unshift({ mac, ifindex: l.ifindex, state: 'dynamic', self: true, dst: src, updatedMs: world.clockMs });
      }
    }
  }
}
