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
 *   veth learns its MAC, and so does a VXLAN peer (see chatter()); a bridge's
 *   IGMP report for 224.0.0.106 once it is up with a forwarding port does the same.
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
import type { Ip4, Mac } from '../../model/addr.js';
import { hasCarrier } from '../../model/queries.js';
import type { BridgeLink, FdbEntry, L2State, Link, Netns, NsName, VxlanLink, World } from '../../model/world.js';
import { vxlanLiveFdb, vxlanSnoopDraft } from './vxlan.js';
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

function nextL2(world: World, nsName: NsName, ns: Netns, link: Link): { l2: L2State; gotLinkLocal: boolean; igmpReport: boolean } {
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
  let igmpReported = prev.igmpReported ?? false;
  let igmpRepeatMs = prev.igmpRepeatMs;
  let igmpReport = false;
  let ll6Removed = prev.ll6Removed ?? false;
  if (prev.up && !up) {
    ll6Removed = false;
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
  if (up && v6 && ready && ll6 === undefined && !ll6Removed) {
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
  // igmp_ifc_event() after ip_mc_up(): a snooping bridge reports 224.0.0.106 (igmp_link_local_mcast_reports=1);
  // the reports that matter leave once a port forwards (a report with no forwarding port reaches no one).
  if (!up) {
    igmpReported = false;
    igmpRepeatMs = undefined;
  } else if (link.kind === 'bridge' && (link.mcastSnooping ?? true) && !igmpReported) {
    if (Object.values(ns.links).some((p) => p.master === link.ifindex && portState(world, nsName, p) === 'forwarding')) {
      igmpReported = true;
      igmpReport = true;
      igmpRepeatMs = world.clockMs + CHATTER_DELAY_MS;
    }
  } else if (igmpRepeatMs !== undefined && world.clockMs >= igmpRepeatMs) {
    igmpRepeatMs = undefined;
    igmpReport = true;
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
    ...(igmpReported ? { igmpReported } : {}),
    ...(igmpRepeatMs !== undefined ? { igmpRepeatMs } : {}),
    ...(ll6Removed ? { ll6Removed } : {}),
  };
  return { l2, gotLinkLocal, igmpReport };
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
    (a.igmpReported ?? false) === (b.igmpReported ?? false) &&
    a.igmpRepeatMs === b.igmpRepeatMs &&
    (a.ll6Removed ?? false) === (b.ll6Removed ?? false) &&
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
  // Performance: settling reads only world.ns and world.clockMs and is
  // idempotent, so a namespace record already settled at this time is skipped
  // (read-only commands, and the interpreter settling after every command).
  if (settledAt.get(world.ns) === world.clockMs) return world;
  const out = settleLinksFull(world);
  settledAt.set(out.ns, out.clockMs);
  return out;
}

/** world.ns records known settled, with the clock they were settled at. */
const settledAt = new WeakMap<object, number>();

function settleLinksFull(world: World): World {
  // Bridges first: port MACs, deleted ports (cheap when nothing changed).
  let w = world;
  const needsReconcile = Object.keys(world.ns).some((n) => Object.values(world.ns[n]!.links).some((l) => l.kind === 'bridge' || l.kind === 'vxlan'));
  if (needsReconcile) {
    const r = produce(w, (d) => {
      for (const ns of Object.values(d.ns)) {
        reconcileBridgesDraft(ns, d.clockMs);
        // vxlan_cleanup(): learned remotes age out too.
        for (const l of Object.values(ns.links)) {
          if (l.kind !== 'vxlan') continue;
          const live = vxlanLiveFdb(l as VxlanLink, d.clockMs);
          if (live.length !== l.fdb.length) (l as Draft<VxlanLink>).fdb = live as Draft<FdbEntry>[];
        }
      }
    });
    w = r;
  }
  const changes: { ns: NsName; ifindex: number; l2: L2State; gotLinkLocal: boolean; igmpReport: boolean }[] = [];
  for (const [nsName, ns] of Object.entries(w.ns)) {
    for (const link of Object.values(ns.links)) {
      if (link.kind === 'loopback') continue;
      const { l2, gotLinkLocal, igmpReport } = nextL2(w, nsName, ns, link);
      if (!sameL2(link.l2, l2)) changes.push({ ns: nsName, ifindex: link.ifindex, l2, gotLinkLocal, igmpReport });
    }
  }
  if (changes.length === 0) return w;
  const base = w;
  return produce(w, (d) => {
    for (const c of changes) d.ns[c.ns]!.links[c.ifindex]!.l2 = c.l2 as Draft<L2State>;
    for (const c of changes) if (c.gotLinkLocal || c.igmpReport) chatter(base, d, c.ns, c.ifindex);
  });
}

/**
 * A device sends a multicast frame from its MAC (IPv6 DAD/MLD/RS once it has
 * its link-local address; a bridge's IGMP report for 224.0.0.106). Only the
 * learning it causes is modelled, following the frame as the datapath would
 * flood it: out of a veth to its peer, out of a VXLAN to every default remote
 * (whose VXLAN device learns the MAC behind our address), into a bridge
 * through a forwarding port (learned there, flooded to the other ports).
 */
function chatter(world: World, d: Draft<World>, nsName: NsName, ifindex: number): void {
  const link = world.ns[nsName]?.links[ifindex];
  if (!link) return;
  const seen = new Set<string>();
  const now = world.clockMs;
  const mac = link.mac;

  const floodBridge = (ns: NsName, br: BridgeLink, except: number | undefined): void => {
    for (const p of Object.values(world.ns[ns]!.links)) {
      if (p.master !== br.ifindex || p.ifindex === except) continue;
      if (portState(world, ns, p) !== 'forwarding') continue;
      emitOut(ns, p);
    }
  };
  const arrive = (ns: NsName, dev: Link): void => {
    const key = `${ns}|${dev.ifindex}`;
    if (seen.has(key) || !dev.adminUp) return;
    seen.add(key);
    const br = masterOf(world.ns[ns]!, dev);
    if (!br || portState(world, ns, dev) !== 'forwarding') return;
    if (dev.brport?.learning ?? true) fdbLearnDraft(d.ns[ns]!.links[br.ifindex] as Draft<BridgeLink>, dev.ifindex, mac, now);
    floodBridge(ns, br, dev.ifindex);
  };
  const emitOut = (ns: NsName, dev: Link): void => {
    if (!dev.adminUp) return;
    if (dev.kind === 'veth') {
      const pns = world.ns[dev.peer.ns];
      const peer = pns?.links[dev.peer.ifindex];
      if (peer && hasCarrier(world, ns, dev)) arrive(dev.peer.ns, peer);
    } else if (dev.kind === 'vxlan') {
      const src = vxlanSource(world, ns, dev);
      if (src === undefined) return;
      for (const r of dev.fdb.filter((e) => e.mac === '00:00:00:00:00:00')) {
        for (const [pname, pns] of Object.entries(world.ns)) {
          if (pname === ns || !Object.values(pns.links).some((l) => l.adminUp && l.addrs.some((a) => a.local === r.dst))) continue;
          for (const l of Object.values(pns.links)) {
            if (l.kind !== 'vxlan' || l.vni !== dev.vni || l.dstport !== dev.dstport || !l.adminUp) continue;
            if (l.learning) {
              const dl = d.ns[pname]!.links[l.ifindex] as Draft<VxlanLink>;
              vxlanSnoopDraft(dl, mac, src, now);
            }
            arrive(pname, l);
          }
        }
      }
    }
  };

  if (link.kind === 'bridge') floodBridge(nsName, link, undefined);
  else emitOut(nsName, link);
}

/** The outer source address of a VXLAN device: `local`, else the first address of its underlay device. */
function vxlanSource(world: World, nsName: NsName, vx: VxlanLink): Ip4 | undefined {
  if (vx.local !== undefined) return vx.local;
  if (vx.dev !== undefined) return world.ns[nsName]?.links[vx.dev]?.addrs[0]?.local;
  return undefined;
}
