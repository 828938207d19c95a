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
 *   veth learns its MAC, and so does a VXLAN peer (see chatter());
 * - a snooping bridge's two IGMPv3 reports for 224.0.0.106 after it comes up,
 *   sent as real packets through the datapath (see igmpReport()).
 * - bridges follow changes made elsewhere to their ports (reconcileBridgesDraft),
 *   and a port that stops forwarding loses its dynamic entries (disabledPortEntries).
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
import { vxlanAgeingMs, vxlanLiveFdb, vxlanSnoopDraft } from './vxlan.js';
import { ageingMs, bridgesNeedReconcile, disabledPortEntries, fdbLearnDraft, flushDisabledPortsDraft, initialL2, masterOf, portState, reconcileBridgesDraft, ucPromiscAfter } from './bridge.js';
import { ipv6Enabled } from './sysctl.js';
import { walk } from '../datapath/engine.js';
import { IGMPV3_ALL_MCR } from '../datapath/mcast-input.js';
import { PROTO_IGMP, type Ipv4Packet } from '../packet.js';


export const MC_ALL_NODES = '33:33:00:00:00:01' as Mac;
export const MC_ALL_HOSTS = '01:00:5e:00:00:01' as Mac;
export const MC_MRD4 = '01:00:5e:00:00:6a' as Mac;
export const MC_MRD6 = '33:33:00:00:00:6a' as Mac;

/** The solicited-node group of the link-local address derived from `mac` (ff02::1:ffXX:XXXX). */
export function solicitedNode(mac: Mac): Mac {
  // join() makes one flat string; a template literal makes a cons string plus its tail
  // (56 B instead of 40, kept in every device's multicast list; issue #7).
  return ['33:33:ff:', mac.slice(9)].join('') as Mac;
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

function nextL2(world: World, nsName: NsName, ns: Netns, link: Link): { l2: L2State; gotLinkLocal: boolean; igmpReports: number } {
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
  let igmpReports = 0;
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
  // igmp_ifc_event() after br_multicast_open/ip_mc_up: a snooping bridge reports its
  // 224.0.0.106 membership (igmp_link_local_mcast_reports=1) twice (robustness 2): a few
  // jiffies after it opens, and again at a random delay of up to
  // igmpv3_unsolicited_report_interval (1 s). Both go through the host's OUTPUT whatever
  // the ports, and reach the ports forwarding at that moment; a port that comes up later
  // hears neither (checked on the kernel). The twin's commands take no time: the first
  // report leaves once a port forwards (the next command, `ip link set PORT up`, beats the
  // kernel's timer) or else once the clock moves on (a sleep), the repeat one second after
  // the bridge came up (the latest time, so peers have always learned the MAC by then).
  if (!up) {
    igmpReported = false;
    igmpRepeatMs = undefined;
  } else if (link.kind === 'bridge' && (link.mcastSnooping ?? true) && !igmpReported) {
    const since = upSinceMs ?? world.clockMs;
    if (world.clockMs > since || Object.values(ns.links).some((p) => p.master === link.ifindex && portState(world, nsName, p) === 'forwarding')) {
      igmpReported = true;
      igmpReports = 1;
      igmpRepeatMs = since + CHATTER_DELAY_MS;
    }
  }
  if (igmpRepeatMs !== undefined && world.clockMs >= igmpRepeatMs) {
    igmpRepeatMs = undefined;
    igmpReports++;
  }
  const l2: L2State = {
    up,
    ready,
    // Unchanged: the settled list itself; else an exact-size copy (`withAdded` pushes, which
    // leaves ~16 spare slots in the stored array: ~130 B per device; issue #7).
    mc: sameMacs(mc, prev.mc) ? prev.mc : mc.slice(),
    ...(ll6 !== undefined ? { ll6 } : {}),
    ...(upSinceMs !== undefined ? { upSinceMs } : {}),
    ...(prev.uc !== undefined ? { uc: prev.uc } : {}),
    // dev_open() -> __dev_set_rx_mode() at `link set up`.
    ...(ucPromiscAfter(prev, prev.uc, !prev.up && up) ? { ucPromisc: true } : {}),
    ...(ll6Ms !== undefined ? { ll6Ms } : {}),
    ...(chatted ? { chatted } : {}),
    ...(igmpReported ? { igmpReported } : {}),
    ...(igmpRepeatMs !== undefined ? { igmpRepeatMs } : {}),
    ...(ll6Removed ? { ll6Removed } : {}),
  };
  return { l2, gotLinkLocal, igmpReports };
}

function sameMacs(a: readonly Mac[], b: readonly Mac[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    a.uc === b.uc &&
    (a.ucPromisc ?? false) === (b.ucPromisc ?? false)
  );
}

/**
 * Bring every device's link-layer state up to date with its configuration.
 * Call after each command (the interpreter does); idempotent, and returns the
 * same world object when nothing changed.
 *
 * Performance (issue #7): it runs after every twin-shell command, so it only
 * visits the namespaces whose settled state can have changed since they were
 * last settled. Settling a namespace is a function of exactly:
 *   - its `links` and `sysctl` records (its configuration: a config op on the
 *     namespace replaces one of them; a packet that makes a bridge learn
 *     replaces `links`);
 *   - the clock, only through timers: FDB ageing (br_fdb_cleanup,
 *     vxlan_cleanup), the link-local's first frames (CHATTER_DELAY_MS), a
 *     bridge's pending and repeated IGMP reports;
 *   - the admin state of its veths' peers, which may live in another
 *     namespace (veth_open/veth_close switch the carrier of both ends, and a
 *     port's carrier decides its bridge's carrier and port state).
 * nextL2() and reconcileBridgesDraft() read nothing else (hasCarrier and
 * portState go no further than a veth's peer). So a namespace settled at
 * clock T whose records are the same objects, whose peers' admin states are
 * the ones recorded and whose next timer is later than the clock needs no
 * visit: settling it again would change nothing (settleNamespaces over every
 * namespace, which is what the kernel-checked behaviour was written as,
 * gives the same world; test/sim/ops/mcast-settle.test.ts checks it after
 * every command of every conformance script and of cluster builds). A
 * settled world is a fixed point, so every namespace of the result is
 * recorded as settled at its clock: what settling writes is l2 states that
 * nextL2() gives back unchanged, and FDB entries learned at the current
 * clock on live ports by the chatter and IGMP frames (which reconcile keeps
 * and which only add timers); the IGMP walk's other writes (counters,
 * conntrack, neighbours) are none of the inputs above.
 */
export function settleLinks(world: World): World {
  // A world record already settled at this time (read-only commands).
  if (settledAt.get(world.ns) === world.clockMs) return world;
  if (settleCheck.full) {
    const out = settleNamespaces(world, undefined);
    settledAt.set(out.ns, out.clockMs);
    return out;
  }
  let dirty: Set<NsName> | undefined;
  for (const [name, ns] of Object.entries(world.ns)) {
    if (stillSettled(world, name, ns)) continue;
    (dirty ??= new Set()).add(name);
  }
  const out = dirty === undefined ? world : settleNamespaces(world, dirty);
  if (settleCheck.enabled) checkAgainstFull(world, out);
  for (const [name, ns] of Object.entries(out.ns)) {
    if (dirty === undefined || (!dirty.has(name) && ns === world.ns[name])) continue;
    nsSettled.set(ns.links, settledInfo(out, name, ns));
  }
  settledAt.set(out.ns, out.clockMs);
  return out;
}

/** world.ns records known settled, with the clock they were settled at. */
const settledAt = new WeakMap<object, number>();

/** What a namespace's settled state was computed from, besides its `links` record (the key). */
interface NsSettled {
  readonly name: NsName;
  readonly sysctl: Netns['sysctl'];
  readonly atMs: number;
  /** The earliest clock at which a timer fires (an FDB entry ages out, the chatter or an IGMP repeat is due). */
  readonly untilMs: number;
  /** The latest clock before a bridge's pending first IGMP report leaves (it leaves once the clock is past its up time). */
  readonly lastMs: number;
  /** Every veth's peer: its namespace, ifindex and whether it was there and up. */
  readonly peers: readonly (readonly [NsName, number, boolean])[];
}

const nsSettled = new WeakMap<object, NsSettled>();

/**
 * Test hooks: with `enabled`, every incremental settle is compared with settling every namespace
 * (`mismatches` counts the differences); `visited` counts the namespaces settled; `full` settles
 * every namespace every time, as before issue #7 (to measure the difference).
 */
export const settleCheck = { enabled: false, mismatches: 0, visited: 0, full: false };

function peerUp(world: World, nsName: NsName, ifindex: number): boolean {
  return world.ns[nsName]?.links[ifindex]?.adminUp ?? false;
}

function stillSettled(world: World, name: NsName, ns: Netns): boolean {
  const s = nsSettled.get(ns.links);
  if (s === undefined || s.name !== name || s.sysctl !== ns.sysctl) return false;
  const now = world.clockMs;
  if (now < s.atMs || now >= s.untilMs || now > s.lastMs) return false;
  for (const [pns, pif, up] of s.peers) if (peerUp(world, pns, pif) !== up) return false;
  return true;
}

/** The record of a namespace that has just been settled (see settleLinks). */
function settledInfo(world: World, name: NsName, ns: Netns): NsSettled {
  let untilMs = Infinity;
  let lastMs = Infinity;
  const peers: [NsName, number, boolean][] = [];
  for (const l of Object.values(ns.links)) {
    if (l.kind === 'veth') peers.push([l.peer.ns, l.peer.ifindex, peerUp(world, l.peer.ns, l.peer.ifindex)]);
    if (l.kind === 'bridge') {
      // fdbExpired(): gone once now - updatedMs >= the ageing time.
      const hold = ageingMs(l);
      for (const e of l.fdb) if (e.state === 'dynamic') untilMs = Math.min(untilMs, e.updatedMs + hold);
    } else if (l.kind === 'vxlan') {
      const hold = vxlanAgeingMs(l);
      if (hold !== 0) for (const e of l.fdb) if (e.state === 'dynamic') untilMs = Math.min(untilMs, e.updatedMs + hold);
    }
    const l2 = l.l2;
    if (l.kind === 'loopback' || l2 === undefined) continue;
    if (l2.ll6 !== undefined && !(l2.chatted ?? false) && l2.ll6Ms !== undefined) untilMs = Math.min(untilMs, l2.ll6Ms + CHATTER_DELAY_MS);
    if (l2.igmpRepeatMs !== undefined) untilMs = Math.min(untilMs, l2.igmpRepeatMs);
    if (l.kind === 'bridge' && l.adminUp && (l.mcastSnooping ?? true) && !(l2.igmpReported ?? false) && l2.upSinceMs !== undefined) lastMs = Math.min(lastMs, l2.upSinceMs);
  }
  return { name, sysctl: ns.sysctl, atMs: world.clockMs, untilMs, lastMs, peers };
}

function checkAgainstFull(world: World, out: World): void {
  const full = settleNamespaces(world, undefined);
  if (JSON.stringify(full) !== JSON.stringify(out)) settleCheck.mismatches++;
}

/**
 * Would reconcileBridgesDraft() or vxlan_cleanup() below change anything in `ns`? Read on the
 * plain records (bridgesNeedReconcile asks each reconcile step's own condition): drafting a
 * namespace only to find nothing to do costs a proxy per link and FDB entry, on every command
 * that touches the namespace (the node's root namespace, at every CNI step).
 */
function reconcileWouldChange(ns: Netns, now: number): boolean {
  for (const l of Object.values(ns.links)) if (l.kind === 'vxlan' && vxlanLiveFdb(l, now).length !== l.fdb.length) return true;
  return bridgesNeedReconcile(ns, now);
}

/** Settle the namespaces in `only` (every namespace when undefined). */
function settleNamespaces(world: World, only: ReadonlySet<NsName> | undefined): World {
  const names = Object.keys(world.ns).filter((n) => only === undefined || only.has(n));
  if (only !== undefined) settleCheck.visited += names.length;
  // Bridges first: port MACs, deleted ports (cheap when nothing changed).
  let w = world;
  // Ports no longer forwarding lose their dynamic entries (br_stp_disable_port).
  const flush = new Map<NsName, Map<number, Set<number>>>();
  for (const n of names) {
    const f = disabledPortEntries(world, n);
    if (f) flush.set(n, f);
  }
  const needsReconcile = names.filter((n) =>
    only === undefined ? Object.values(world.ns[n]!.links).some((l) => l.kind === 'bridge' || l.kind === 'vxlan') : flush.has(n) || reconcileWouldChange(world.ns[n]!, world.clockMs),
  );
  if (needsReconcile.length > 0) {
    w = produce(w, (d) => {
      for (const n of needsReconcile) {
        const ns = d.ns[n]!;
        const f = flush.get(n);
        if (f) flushDisabledPortsDraft(ns, f);
        reconcileBridgesDraft(ns, d.clockMs);
        // vxlan_cleanup(): learned remotes age out too.
        for (const l of Object.values(ns.links)) {
          if (l.kind !== 'vxlan') continue;
          const live = vxlanLiveFdb(l as VxlanLink, d.clockMs);
          if (live.length !== l.fdb.length) (l as Draft<VxlanLink>).fdb = live as Draft<FdbEntry>[];
        }
      }
    });
  }
  const changes: { ns: NsName; ifindex: number; l2: L2State; gotLinkLocal: boolean; igmpReports: number }[] = [];
  for (const nsName of names) {
    const ns = w.ns[nsName]!;
    for (const link of Object.values(ns.links)) {
      if (link.kind === 'loopback') continue;
      const { l2, gotLinkLocal, igmpReports } = nextL2(w, nsName, ns, link);
      if (!sameL2(link.l2, l2)) changes.push({ ns: nsName, ifindex: link.ifindex, l2, gotLinkLocal, igmpReports });
    }
  }
  if (changes.length === 0) return w;
  const base = w;
  let out = produce(w, (d) => {
    for (const c of changes) d.ns[c.ns]!.links[c.ifindex]!.l2 = c.l2 as Draft<L2State>;
    for (const c of changes) if (c.gotLinkLocal) chatter(base, d, c.ns, c.ifindex);
  });
  for (const c of changes) for (let i = 0; i < c.igmpReports; i++) out = igmpReport(out, c.ns, c.ifindex);
  return out;
}

/**
 * The bridge's IGMPv3 report for its 224.0.0.106 membership
 * (br_multicast_join_snoopers -> igmp_ifc_event -> igmpv3_send_cr), sent
 * as the kernel sends it and walked through the datapath: ip_local_out on
 * the bridge (igmpv3_newpack routes 224.0.0.22 with the bridge as oif), the
 * host's OUTPUT and POSTROUTING, br_dev_xmit flooding it to the ports; a
 * VXLAN port encapsulates it (one more UDP 4789 packet through OUTPUT:
 * `iptables -L OUTPUT -v` counts it, checked on the kernel in 255), and the
 * bridges and VXLAN devices it reaches learn the bridge's MAC. Receivers
 * drop it (not members of 224.0.0.22: src/sim/datapath/mcast-input.ts).
 * 40 bytes: a 24-byte IP header (Router Alert option), the 8-byte report
 * header, one 8-byte group record; TTL 1, TOS 0xc0, DF.
 */
function igmpReport(world: World, nsName: NsName, ifindex: number): World {
  const pkt: Ipv4Packet = { src: 0 as Ip4, dst: IGMPV3_ALL_MCR, proto: PROTO_IGMP, ttl: 1, len: 40, df: true, tos: 0xc0, id: 0, mark: 0 };
  return walk(world, { kind: 'output', ns: nsName, pkt, oif: ifindex, pmtudisc: 'want', title: 'IGMPv3 report for 224.0.0.106' }).world;
}

/**
 * A device sends a multicast frame from its MAC (IPv6 DAD/MLD/RS once it has
 * its link-local address; the datapath carries no IPv6). Only the learning
 * it causes is modelled, following the frame as the datapath would flood it: out of a veth to its peer, out of a VXLAN to every default remote
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
