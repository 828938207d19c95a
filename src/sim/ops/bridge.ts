/**
 * Linux bridge operations (net/bridge): enslaving ports (`ip link set X
 * master br0` / `nomaster`), the forwarding database (`bridge fdb add/append/
 * replace/del`, learning, ageing, the kernel's own local entries), and the
 * derived state the printers need (port state, bridge carrier, bridge id).
 *
 * The FDB of a bridge is one list, newest entry first (br->fdb_list is an
 * hlist with hlist_add_head), holding port entries (`ifindex` = the port) and
 * the bridge's own entries (`ifindex` = the bridge). `bridge fdb show` prints
 * per device the entries of that device in list order.
 *
 * Errors are the exact text the tools print (`RTNETLINK answers: ...`,
 * extack `Error: ...`).
 */
import { isDraft, original, produce, type Draft } from 'immer';
import { ZERO_MAC, type Ip4, type Mac } from '../../model/addr.js';
import { hasCarrier } from '../../model/queries.js';
import type { BridgeLink, FdbEntry, L2State, Link, Netns, NsName, VxlanLink, World } from '../../model/world.js';
import { err, okw, type OpResult } from './netns.js';
import { newLinkCommon } from './link.js';
import { peek } from '../peek.js';

export const RTNL_NOTSUPP = 'RTNETLINK answers: Operation not supported';
export const RTNL_INVAL = 'RTNETLINK answers: Invalid argument';
export const RTNL_EXIST = 'RTNETLINK answers: File exists';
export const RTNL_NOENT = 'RTNETLINK answers: No such file or directory';
export const RTNL_PERM = 'RTNETLINK answers: Operation not permitted';

/** Default ageing time: 300 s (BR_DEFAULT_AGEING_TIME), in centiseconds as `ip -d` prints it. */
export const DEFAULT_AGEING_CS = 30000;

// ---------------------------------------------------------------------------
// queries

export function isUnicastMac(mac: Mac): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

/** is_valid_ether_addr(): unicast and not all-zero. */
export function isValidMac(mac: Mac): boolean {
  return isUnicastMac(mac) && mac !== ZERO_MAC;
}

function macCompare(a: Mac, b: Mac): number {
  return a < b ? -1 : a > b ? 1 : 0; // fixed-width lower-case hex: string order is byte order
}

/** The bridge a link is enslaved to, if any. */
export function masterOf(ns: Netns, link: Link): BridgeLink | undefined {
  if (link.master === undefined) return undefined;
  const m = ns.links[link.master];
  return m?.kind === 'bridge' ? m : undefined;
}

/** Ports of a bridge, by ifindex. */
export function portsOf(ns: Netns, br: BridgeLink): Link[] {
  return Object.values(ns.links)
    .filter((l) => l.master === br.ifindex)
    .sort((a, b) => a.ifindex - b.ifindex);
}

/**
 * A port's STP state with STP off: `forwarding` while the bridge is up and
 * the port is up with carrier (br_stp_enable_port() -> br_port_state_selection()
 * puts it straight into forwarding), else `disabled`.
 */
export function portState(world: World, nsName: NsName, port: Link): 'forwarding' | 'disabled' {
  const ns = world.ns[nsName];
  const br = ns ? masterOf(ns, port) : undefined;
  if (!ns || !br || !br.adminUp || !port.adminUp) return 'disabled';
  return hasCarrier(world, nsName, port) ? 'forwarding' : 'disabled';
}

/**
 * netif_carrier_ok() of a bridge. A new bridge has the carrier every netdev
 * starts with; once br_port_state_selection() has run (a port joined or
 * left, or the MAC was set, also at creation) the carrier is "some port
 * forwarding". So `ip link add br0 type bridge; ip link set br0 up` shows
 * LOWER_UP (state UNKNOWN), while a bridge whose last port left shows
 * NO-CARRIER. (The caller still requires the bridge to be up for LOWER_UP.)
 */
export function bridgeCarrier(world: World, nsName: NsName, br: BridgeLink): boolean {
  if (!br.carrierFromPorts && !br.macSet) return true;
  const ns = world.ns[nsName];
  if (!ns) return false;
  return portsOf(ns, br).some((p) => portState(world, nsName, p) === 'forwarding');
}

/** `ip link` operstate of a bridge that is up: UP with carrier (UNKNOWN while it never had a port event). */
export function bridgeOperState(world: World, nsName: NsName, br: BridgeLink): 'UP' | 'DOWN' | 'UNKNOWN' {
  if (!br.adminUp || !bridgeCarrier(world, nsName, br)) return 'DOWN';
  return !br.carrierFromPorts && !br.macSet ? 'UNKNOWN' : 'UP';
}

/**
 * br->bridge_id as `ip -d` prints it (`8000.2:0:0:0:0:ff`, iproute2 prints
 * each byte with %x): priority 0x8000 and the bridge MAC, all-zero while no
 * port event has set it (a new bridge with a random MAC).
 */
export function bridgeIdText(br: BridgeLink): string {
  const mac = br.carrierFromPorts || br.macSet ? br.mac : ZERO_MAC;
  return `8000.${mac
    .split(':')
    .map((b) => parseInt(b, 16).toString(16))
    .join(':')}`;
}

/** Ageing time of a bridge in ms. */
export function ageingMs(br: BridgeLink): number {
  return br.ageingTimeCs * 10;
}

/** Has a (dynamic) entry outlived the ageing time at `now`? br_fdb_cleanup() deletes it then. */
export function fdbExpired(e: FdbEntry, holdMs: number, now: number): boolean {
  return e.state === 'dynamic' && now - e.updatedMs >= holdMs;
}

/** The bridge's live FDB at `now` (expired dynamic entries are gone). */
export function liveFdb(br: BridgeLink, now: number): readonly FdbEntry[] {
  const hold = ageingMs(br);
  return br.fdb.filter((e) => !fdbExpired(e, hold, now));
}

/** br_fdb_find(): the entry for a MAC (no VLANs: vlan_filtering is not modelled). */
export function fdbLookup(br: BridgeLink, mac: Mac, now: number): FdbEntry | undefined {
  const e = fdbFind(br.fdb, mac);
  return e && !fdbExpired(e, ageingMs(br), now) ? e : undefined;
}

/**
 * The position of the first entry for `mac` in an FDB (expired or not), -1
 * if none. An immutable FDB - also the base of a draft nothing was written to
 * yet - is indexed by MAC once (a bridge with thousands of ports answers in
 * one map access); an FDB a walk or an op already changed is scanned without
 * drafting it (`peek`: reading a draft array element by element through its
 * proxy makes a child draft of every entry, then finalizes them all).
 */
const fdbIndexCache = new WeakMap<readonly FdbEntry[], Map<string, number>>();
function fdbPos(fdb: readonly FdbEntry[], mac: Mac, writing = false): number {
  const arr = peek(fdb);
  // A writer's plain (non-draft) array is one this draft assigned (fdbLearnDraft): still mutable, never indexed.
  const mutable = arr === fdb ? writing : arr !== original(fdb as FdbEntry[]);
  if (mutable) {
    // Its entries may be drafts: read through peek.
    for (let i = 0; i < arr.length; i++) if (peek(arr[i]!).mac === mac) return i;
    return -1;
  }
  if (arr.length < 16) {
    for (let i = 0; i < arr.length; i++) if (arr[i]!.mac === mac) return i;
    return -1;
  }
  let m = fdbIndexCache.get(arr);
  if (!m) {
    m = new Map();
    for (let i = 0; i < arr.length; i++) if (!m.has(arr[i]!.mac)) m.set(arr[i]!.mac, i);
    fdbIndexCache.set(arr, m);
  }
  const i = m.get(mac);
  if (i === undefined) return -1;
  if (arr[i]!.mac === mac) return i;
  // Only if the array was changed in place after it was indexed (never by the writers here): scan.
  for (let k = 0; k < arr.length; k++) if (peek(arr[k]!).mac === mac) return k;
  return -1;
}

/**
 * The first entry for `mac` in an FDB (expired or not), as it is now; for a
 * draft FDB the entry's current value, not a draft (callers only read it and
 * copy what a lazy step keeps, see fdbView in src/sim/devices/bridge.ts).
 */
export function fdbFind(fdb: readonly FdbEntry[], mac: Mac): FdbEntry | undefined {
  const i = fdbPos(fdb, mac);
  return i < 0 ? undefined : peek(peek(fdb)[i]!);
}

/** Entries that deliver to the bridge itself (local/permanent: own MACs and `fdb add ... permanent`). */
export function isLocalEntry(e: FdbEntry): boolean {
  return e.state === 'permanent';
}

// ---------------------------------------------------------------------------
// creation

export interface BridgeSpec {
  readonly forwardDelayCs: number;
  readonly ageingTimeCs: number;
  readonly mcastSnooping: boolean;
}

export const DEFAULT_BRIDGE: BridgeSpec = { forwardDelayCs: 1500, ageingTimeCs: DEFAULT_AGEING_CS, mcastSnooping: true };

/**
 * `ip link add NAME type bridge ...` (br_dev_newlink): a bridge with a random
 * MAC (or the given one, which then sticks), no ports, and its own local FDB
 * entry for its address.
 */
export function bridgeCreate(world: World, c: { ns: NsName; name: string; mac?: Mac; mtu?: number; txqlen?: number }, s: BridgeSpec): OpResult {
  const ns = world.ns[c.ns];
  if (!ns) return err(RTNL_INVAL);
  if (Object.values(ns.links).some((l) => l.name === c.name)) return err(RTNL_EXIST);
  if (c.mtu !== undefined && c.mtu > 65535) return err('Error: mtu greater than device maximum.');
  if (c.mtu !== undefined && c.mtu < 68) return err('Error: mtu less than device minimum.');
  return okw(
    produce(world, (d) => {
      const common = newLinkCommon(d, { ns: c.ns, name: c.name, ...(c.mac ? { mac: c.mac } : {}), ...(c.mtu !== undefined ? { mtu: c.mtu } : {}), ...(c.txqlen !== undefined ? { txqlen: c.txqlen } : {}) }, { mtu: 1500, txqlen: 1000 });
      const br: BridgeLink = {
        ...common,
        kind: 'bridge',
        fdb: [{ mac: common.mac, ifindex: common.ifindex, state: 'permanent', self: false, local: true, updatedMs: d.clockMs }],
        ageingTimeCs: s.ageingTimeCs,
        stp: false,
        forwardDelayCs: s.forwardDelayCs,
        vlanFiltering: false,
        macSet: c.mac !== undefined,
        localMac: common.mac,
        ...(s.mcastSnooping ? {} : { mcastSnooping: false }),
      };
      d.ns[c.ns]!.links[common.ifindex] = br as Draft<BridgeLink>;
    }),
  );
}

/** `ip link set BR type bridge ...`: the modelled options change in place. */
export function bridgeChange(world: World, nsName: NsName, brIfindex: number, s: Partial<BridgeSpec>): OpResult {
  const br = world.ns[nsName]?.links[brIfindex];
  if (!br || br.kind !== 'bridge') return err(RTNL_NOTSUPP);
  return okw(
    produce(world, (d) => {
      const b = d.ns[nsName]!.links[brIfindex] as Draft<BridgeLink>;
      if (s.ageingTimeCs !== undefined) {
        // br_set_ageing_time(): the garbage collector runs at once and is rescheduled from now.
        b.ageingTimeCs = s.ageingTimeCs;
        b.gcBaseMs = d.clockMs;
      }
      if (s.forwardDelayCs !== undefined) b.forwardDelayCs = s.forwardDelayCs;
      if (s.mcastSnooping !== undefined) {
        if (s.mcastSnooping) delete b.mcastSnooping;
        else b.mcastSnooping = false;
      }
    }),
  );
}

// ---------------------------------------------------------------------------
// enslaving

/** The kernel's defaults for a new port (new_nbp(): cost from the port speed, 2 for 10 Gb/s veth). */
function newBrport(portNo: number): NonNullable<Link['brport']> {
  return { hairpin: false, learning: true, flood: true, state: 'disabled', cost: 2, priority: 32, portNo };
}

/** find_portno(): the lowest port number not used by the bridge's ports. */
function freePortNo(ns: Netns, brIfindex: number): number {
  const used = new Set(Object.values(ns.links).filter((l) => l.master === brIfindex).map((l) => l.brport?.portNo));
  let n = 1;
  while (used.has(n)) n++;
  return n;
}

/**
 * `ip link set X master BR` / `ip link set X nomaster` (br_add_if/br_del_if
 * via do_set_master). Moving a port from one bridge to another is allowed.
 * Errors as iproute2 prints them:
 * - a bridge into a bridge: `Error: Can not enslave a bridge to a bridge.`
 * - a master that is not a bridge: `RTNETLINK answers: Operation not supported`
 * - loopback: `RTNETLINK answers: Invalid argument`
 */
export function setMaster(world: World, nsName: NsName, ifindex: number, masterIfindex: number | undefined): OpResult {
  const ns = world.ns[nsName];
  const link = ns?.links[ifindex];
  if (!ns || !link) return err('RTNETLINK answers: No such device');
  if (masterIfindex === undefined) {
    if (link.master === undefined) return okw(world);
    return okw(produce(world, (d) => releasePortDraft(d.ns[nsName]!, ifindex)));
  }
  const master = ns.links[masterIfindex];
  if (!master) return err('RTNETLINK answers: No such device');
  if (link.master === masterIfindex) return okw(world);
  if (master.kind !== 'bridge') return err(RTNL_NOTSUPP);
  if (link.kind === 'bridge') return err('Error: Can not enslave a bridge to a bridge.');
  if (link.kind === 'loopback') return err(RTNL_INVAL);
  if (masterIfindex === ifindex) return err('Error: Can not enslave a bridge to a bridge.');
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      if (link.master !== undefined) releasePortDraft(dns, ifindex);
      const dl = dns.links[ifindex]!;
      const portNo = freePortNo(dns as unknown as Netns, masterIfindex);
      dl.master = masterIfindex;
      dl.brport = newBrport(portNo) as Draft<NonNullable<Link['brport']>>;
      const br = dns.links[masterIfindex] as Draft<BridgeLink>;
      // br_add_if(): br_fdb_add_local() for the port's address, then br_stp_recalculate_bridge_id().
      addLocalDraft(br, dl.mac, ifindex, d.clockMs);
      dl.brport.localMac = dl.mac;
      br.carrierFromPorts = true;
      br.hadPorts = true;
      recalcBridgeMacDraft(dns, br, d.clockMs);
    }),
  );
}

/** br_del_if(): drop the port's entries, forget the master, recompute the bridge MAC. */
export function releasePortDraft(dns: Draft<Netns>, ifindex: number): void {
  const dl = dns.links[ifindex];
  if (!dl || dl.master === undefined) return;
  const br = dns.links[dl.master] as Draft<BridgeLink> | undefined;
  delete dl.master;
  delete dl.brport;
  if (!br || br.kind !== 'bridge') return;
  br.fdb = br.fdb.filter((e) => e.ifindex !== ifindex);
  br.carrierFromPorts = true;
  recalcBridgeMacDraft(dns, br, 0);
}

/**
 * fdb_add_local(): a local (permanent) entry for `mac` on `ifindex` unless a
 * local entry for that MAC exists already ("it is okay to have multiple ports
 * with same address, just use the first one"); a non-local entry for it is
 * replaced.
 */
function addLocalDraft(br: Draft<BridgeLink>, mac: Mac, ifindex: number, now: number): void {
  if (!isValidMac(mac)) return;
  const existing = br.fdb.find((e) => e.mac === mac);
  if (existing && existing.state === 'permanent') return;
  br.fdb = br.fdb.filter((e) => e.mac !== mac);
  br.fdb.unshift({ mac, ifindex, state: 'permanent', self: false, local: true, updatedMs: now });
}

/**
 * br_stp_recalculate_bridge_id(): unless its MAC was set, a bridge takes the
 * lowest MAC of its ports (00:00:00:00:00:00 with no port left), and
 * br_fdb_change_mac_address() moves its own local entry along.
 */
function recalcBridgeMacDraft(dns: Draft<Netns>, br: Draft<BridgeLink>, now: number): void {
  if (br.macSet) return;
  const mac = lowestPortMac(dns as Netns, br.ifindex);
  if (mac === br.mac) return;
  changeBridgeMacDraft(br, mac, now);
}

/** br_fdb_change_mac_address(): drop the old unassociated local entry, add one for the new MAC. */
function changeBridgeMacDraft(br: Draft<BridgeLink>, mac: Mac, now: number): void {
  const old = br.fdb.find((e) => e.mac === br.mac);
  if (old && old.ifindex === br.ifindex && old.local) br.fdb = br.fdb.filter((e) => e !== old);
  br.mac = mac;
  br.localMac = mac;
  addLocalDraft(br, mac, br.ifindex, now);
}

/**
 * `ip link set br0 address MAC` on a bridge (br_set_mac_address): the MAC
 * sticks (no longer follows the ports), the bridge id changes, the local
 * entry moves and the carrier follows the ports from now on.
 */
export function bridgeSetMac(world: World, nsName: NsName, brIfindex: number, mac: Mac): OpResult {
  const br = world.ns[nsName]?.links[brIfindex];
  if (!br || br.kind !== 'bridge') return err('RTNETLINK answers: No such device');
  if (!isValidMac(mac)) return err('RTNETLINK answers: Cannot assign requested address');
  return okw(
    produce(world, (d) => {
      const dbr = d.ns[nsName]!.links[brIfindex] as Draft<BridgeLink>;
      dbr.macSet = true;
      dbr.carrierFromPorts = true;
      if (dbr.mac !== mac) changeBridgeMacDraft(dbr, mac, d.clockMs);
    }),
  );
}

/** br_stp_recalculate_bridge_id(): the lowest MAC of the bridge's ports, 00:00:00:00:00:00 with none. */
function lowestPortMac(ns: Netns, brIfindex: number): Mac {
  let mac: Mac = ZERO_MAC;
  for (const p of Object.values(ns.links)) if (p.master === brIfindex && (mac === ZERO_MAC || macCompare(p.mac, mac) < 0)) mac = p.mac;
  return mac;
}

/** br_mtu_auto_adjust(): the smallest port MTU, 1500 without ports. */
function autoMtu(ns: Netns, brIfindex: number): number {
  let mtu = 0;
  for (const p of Object.values(ns.links)) if (p.master === brIfindex && (mtu === 0 || p.mtu < mtu)) mtu = p.mtu;
  return mtu || 1500;
}

/**
 * One thing a bridge follows when its ports change elsewhere. `needed` reads only and is the
 * one condition for it: reconcileBridgesDraft() applies a step when it holds, and the settling
 * of unchanged namespaces (bridgesNeedReconcile, src/sim/ops/mcast.ts) skips drafting a
 * namespace where no step is needed. Steps run in order; a step's condition is read after the
 * earlier steps applied.
 */
type ReconcileStep = {
  readonly needed: (ns: Netns, br: BridgeLink, now: number) => boolean;
  readonly apply: (dns: Draft<Netns>, dbr: Draft<BridgeLink>, now: number) => void;
};

const RECONCILE_STEPS: readonly ReconcileStep[] = [
  {
    // br_fdb_cleanup(): learned entries are deleted once they outlived the ageing time.
    needed: (_ns, br, now) => {
      const hold = ageingMs(br);
      return br.fdb.some((e) => fdbExpired(e, hold, now));
    },
    apply: (_dns, dbr, now) => {
      const hold = ageingMs(dbr as BridgeLink);
      dbr.fdb = dbr.fdb.filter((e) => !fdbExpired(e as FdbEntry, hold, now));
    },
  },
  {
    // Entries of devices that are gone or no longer ports (br_fdb_delete_by_port on unregister).
    needed: (ns, br) => br.fdb.some((e) => e.ifindex !== br.ifindex && ns.links[e.ifindex]?.master !== br.ifindex),
    apply: (dns, dbr) => {
      dbr.fdb = dbr.fdb.filter((e) => e.ifindex === dbr.ifindex || dns.links[e.ifindex]?.master === dbr.ifindex);
    },
  },
  {
    // br_fdb_changeaddr(): a port whose MAC changed gets its local entry moved.
    needed: (ns, br) => Object.values(ns.links).some((p) => p.master === br.ifindex && p.brport !== undefined && p.brport.localMac !== p.mac),
    apply: (dns, dbr, now) => {
      for (const p of Object.values(dns.links)) {
        if (p.master !== dbr.ifindex || !p.brport || p.brport.localMac === p.mac) continue;
        const old = p.brport.localMac;
        dbr.fdb = dbr.fdb.filter((e) => !(e.local && e.mac === old && e.ifindex === p.ifindex));
        addLocalDraft(dbr, p.mac as Mac, p.ifindex, now);
        p.brport.localMac = p.mac;
      }
    },
  },
  {
    // The bridge's own MAC changed (`ip link set br0 address`): its local entry moves too.
    needed: (_ns, br) => (br.localMac ?? br.mac) !== br.mac,
    apply: (_dns, dbr, now) => {
      const old = dbr.localMac;
      dbr.fdb = dbr.fdb.filter((e) => !(e.local && e.mac === old && e.ifindex === dbr.ifindex));
      addLocalDraft(dbr, dbr.mac as Mac, dbr.ifindex, now);
      dbr.localMac = dbr.mac;
    },
  },
  {
    // br_stp_recalculate_bridge_id() runs on every port event: the lowest port MAC.
    needed: (ns, br) => (br.carrierFromPorts ?? false) && !br.macSet && lowestPortMac(ns, br.ifindex) !== br.mac,
    apply: (dns, dbr, now) => changeBridgeMacDraft(dbr, lowestPortMac(dns as Netns, dbr.ifindex), now),
  },
  {
    // An MTU set on the bridge by the user (it no longer follows the ports).
    needed: (_ns, br) => !br.mtuByUser && br.mtuAuto !== undefined && br.mtu !== br.mtuAuto,
    apply: (_dns, dbr) => {
      dbr.mtuByUser = true;
    },
  },
  {
    // br_mtu_auto_adjust(): the smallest port MTU (1500 without ports) unless the user set one.
    needed: (ns, br) => (br.carrierFromPorts ?? false) && !br.mtuByUser && (br.mtu !== autoMtu(ns, br.ifindex) || br.mtuAuto !== br.mtu),
    apply: (dns, dbr) => {
      dbr.mtu = autoMtu(dns as Netns, dbr.ifindex);
      dbr.mtuAuto = dbr.mtu;
    },
  },
];

/**
 * Bring the bridges of a namespace in line with their ports after any change
 * made elsewhere (a port's MAC changed, a port was deleted or moved to
 * another namespace): each port has its local entry for its current MAC, no
 * local entry points at a MAC its device no longer has, and bridges that
 * follow their ports take the lowest port MAC. Idempotent.
 */
export function reconcileBridgesDraft(dns: Draft<Netns>, now: number): void {
  for (const br of Object.values(dns.links)) {
    if (br.kind !== 'bridge') continue;
    const dbr = br as Draft<BridgeLink>;
    for (const step of RECONCILE_STEPS) if (step.needed(dns as Netns, dbr as BridgeLink, now)) step.apply(dns, dbr, now);
  }
}

/** Would reconcileBridgesDraft() change anything in `ns`? The same conditions, on plain records. */
export function bridgesNeedReconcile(ns: Netns, now: number): boolean {
  for (const l of Object.values(ns.links)) if (l.kind === 'bridge' && RECONCILE_STEPS.some((s) => s.needed(ns, l, now))) return true;
  return false;
}

/**
 * br_stp_disable_port() -> br_fdb_delete_by_port(br, p, 0, 0): a port that
 * leaves the forwarding state (bridge down, port down, carrier lost) loses
 * its non-static entries, learned or added as `dynamic`; permanent and
 * static ones stay. Kept as the invariant it gives (no dynamic entry on a
 * port that is not forwarding: learning and `fdb add ... dynamic` need the
 * port forwarding) so settling finds it from the state alone. The ports with
 * dynamic entries to drop, per bridge, read on the settled-before world
 * (a port's state needs its veth peer, maybe in another namespace).
 */
export function disabledPortEntries(world: World, nsName: NsName): Map<number, Set<number>> | undefined {
  const ns = world.ns[nsName];
  if (!ns) return undefined;
  let out: Map<number, Set<number>> | undefined;
  for (const br of Object.values(ns.links)) {
    if (br.kind !== 'bridge') continue;
    const seen = new Map<number, boolean>();
    for (const e of br.fdb) {
      if (e.state !== 'dynamic' || e.ifindex === br.ifindex) continue;
      let off = seen.get(e.ifindex);
      if (off === undefined) {
        const port = ns.links[e.ifindex];
        off = port !== undefined && port.master === br.ifindex && portState(world, nsName, port) !== 'forwarding';
        seen.set(e.ifindex, off);
      }
      if (!off) continue;
      out ??= new Map();
      let ports = out.get(br.ifindex);
      if (!ports) out.set(br.ifindex, (ports = new Set()));
      ports.add(e.ifindex);
    }
  }
  return out;
}

/** Drop the dynamic entries disabledPortEntries() found. */
export function flushDisabledPortsDraft(dns: Draft<Netns>, drop: Map<number, Set<number>>): void {
  for (const [brIfindex, ports] of drop) {
    const dbr = dns.links[brIfindex] as Draft<BridgeLink> | undefined;
    if (dbr) dbr.fdb = dbr.fdb.filter((e) => !(e.state === 'dynamic' && ports.has(e.ifindex)));
  }
}

// ---------------------------------------------------------------------------
// learning (called by the datapath on port ingress)

/**
 * br_fdb_update(): learn `mac` on `port` at `now`. Group and zero MACs are
 * never learned; a local entry is left alone (the kernel logs "received
 * packet with own address as source address"); a user-added entry is not
 * moved; a dynamic entry is refreshed and follows the MAC to its new port.
 * Returns the action for the trace.
 */
export function fdbLearnDraft(br: Draft<BridgeLink>, portIfindex: number, mac: Mac, now: number): 'learned' | 'refreshed' | 'moved' | 'ignored' {
  if (!isValidMac(mac)) return 'ignored';
  if (br.ageingTimeCs === 0) return 'ignored';
  const hold = br.ageingTimeCs * 10;
  // Only the entry written to is drafted (br_fdb_find: a hash lookup in the kernel).
  const i = fdbPos(br.fdb, mac, true);
  const e = i < 0 ? undefined : fdbEntryDraft(br, i);
  if (e && !fdbExpired(e as FdbEntry, hold, now)) {
    if (e.state !== 'dynamic') return 'ignored';
    const moved = e.ifindex !== portIfindex;
    e.ifindex = portIfindex;
    // br_fdb_update() refreshes fdb->updated only: `used` keeps its time.
    if (e.usedMs === undefined) e.usedMs = e.updatedMs;
    e.updatedMs = now;
    return moved ? 'moved' : 'refreshed';
  }
  // The other entries are carried over as they are (peeked: no draft per entry);
  // immer finalizes any of them that is itself a draft inside the new array.
  const rest = peek(br.fdb).filter((x) => peek(x).mac !== mac);
  br.fdb = [{ mac, ifindex: portIfindex, state: 'dynamic', self: false, updatedMs: now }, ...rest];
  return 'learned';
}

/**
 * br_handle_frame_finish(): a frame forwarded to a known (non-local) entry sets
 * fdb->used = jiffies. Writes nothing when it already is `now`.
 */
export function fdbTouchDraft(br: Draft<BridgeLink>, mac: Mac, now: number): void {
  // Found by the FDB's index (was a linear `find` through the draft, drafting every entry).
  const i = fdbPos(br.fdb, mac, true);
  if (i < 0) return;
  const cur = peek(peek(br.fdb)[i]!);
  if ((cur.usedMs ?? cur.updatedMs) !== now) fdbEntryDraft(br, i).usedMs = now;
}

/**
 * The FDB entry at `i`, writable: a draft of it, or - when this draft already
 * replaced the FDB array by a plain one (fdbLearnDraft), whose entries are
 * the world's own - a copy put in its place (never the world's object).
 */
function fdbEntryDraft(br: Draft<BridgeLink>, i: number): Draft<FdbEntry> {
  const fdb = br.fdb;
  const e = fdb[i]!;
  if (isDraft(fdb) || isDraft(e)) return e;
  return (fdb[i] = { ...e });
}

/** fdb->used of an entry (ms): when a frame was last forwarded to it. */
export function fdbUsedMs(e: FdbEntry): number {
  return e.usedMs ?? e.updatedMs;
}

// ---------------------------------------------------------------------------
// `bridge fdb add/append/replace/del`

export type FdbVerb = 'add' | 'append' | 'replace' | 'del';

export interface FdbRequest {
  readonly verb: FdbVerb;
  readonly mac: Mac;
  /** The device (`dev X`). */
  readonly ifindex: number;
  /** NTF_MASTER / NTF_SELF as given; iproute2 assumes self when neither is. */
  readonly master: boolean;
  readonly self: boolean;
  /** permanent (default), static (`static`/`local`? see shell), dynamic. */
  readonly state: 'permanent' | 'static' | 'dynamic';
  /** VXLAN remote (`dst`). */
  readonly dst?: Ip4;
  /** VXLAN remote's underlay device (`via`). */
  readonly via?: number;
}

/**
 * rtnl_fdb_add()/rtnl_fdb_del(): with `master` (or on a bridge port with
 * neither flag... iproute2 always sets self then) the bridge's table of the
 * port's master; with `self` the device's own table: a bridge's own entries,
 * a VXLAN's remotes, or another device's unicast address list.
 */
export function fdbModify(world: World, nsName: NsName, req: FdbRequest): OpResult | { readonly ok: false; readonly error: string; readonly world: World } {
  const ns = world.ns[nsName];
  const dev = ns?.links[req.ifindex];
  if (!ns || !dev) return err('RTNETLINK answers: No such device');
  let w = world;
  let did = false;
  if (req.master) {
    if (dev.kind === 'bridge') return err(RTNL_NOTSUPP);
    const br = masterOf(ns, dev);
    if (!br) return err(RTNL_NOTSUPP);
    const r = bridgeFdbModify(w, nsName, br.ifindex, req);
    if (!r.ok) return r;
    w = r.world;
    did = true;
  }
  if (req.self) {
    const d2 = w.ns[nsName]!.links[req.ifindex]!;
    const r =
      d2.kind === 'bridge'
        ? bridgeFdbModify(w, nsName, d2.ifindex, { ...req, state: req.state })
        : d2.kind === 'vxlan'
          ? vxlanFdbModify(w, nsName, d2, req)
          : ucModify(w, nsName, d2, req);
    // rtnl_fdb_add() does not undo the master's change when the device's own
    // ndo_fdb_add fails (`master self dynamic` on a veth: the bridge entry is
    // added, then ndo_dflt_fdb_add says EINVAL): the error carries that world.
    if (!r.ok) return did ? { ok: false, error: r.error, world: w } : r;
    w = r.world;
    did = true;
  }
  return did ? okw(w) : err(RTNL_INVAL);
}

/** br_fdb_add()/br_fdb_delete() on a bridge's table; `ifindex` is a port or the bridge itself. */
function bridgeFdbModify(world: World, nsName: NsName, brIfindex: number, req: FdbRequest): OpResult {
  const br = world.ns[nsName]!.links[brIfindex] as BridgeLink;
  const now = world.clockMs;
  const existing = br.fdb.find((e) => e.mac === req.mac && !fdbExpired(e, ageingMs(br), now));
  if (req.verb === 'del') {
    // br_fdb_delete() matches the entry's port (the bridge itself for its own entries).
    if (!existing || existing.ifindex !== req.ifindex) return err(RTNL_NOENT);
    return okw(
      produce(world, (d) => {
        const dbr = d.ns[nsName]!.links[brIfindex] as Draft<BridgeLink>;
        dbr.fdb = dbr.fdb.filter((e) => e.mac !== req.mac);
      }),
    );
  }
  if (!isUnicastMac(req.mac) || req.mac === ZERO_MAC) return err(RTNL_INVAL);
  // fdb_add_entry(), in its order: an entry on the bridge itself must be
  // NUD_PERMANENT ("RTM_NEWNEIGH br0 without NUD_PERMANENT": EINVAL); a
  // `dynamic` (NUD_REACHABLE) entry needs its port in learning/forwarding
  // state (EPERM on a disabled port); only then NLM_F_EXCL meets an
  // existing entry (EEXIST).
  const onBridge = req.ifindex === brIfindex;
  if (onBridge && req.state !== 'permanent') return err(RTNL_INVAL);
  if (!onBridge && req.state === 'dynamic') {
    const port = world.ns[nsName]!.links[req.ifindex]!;
    if (portState(world, nsName, port) !== 'forwarding') return err(RTNL_PERM);
  }
  if (existing && req.verb === 'add') return err(RTNL_EXIST);
  return okw(
    produce(world, (d) => {
      const dbr = d.ns[nsName]!.links[brIfindex] as Draft<BridgeLink>;
      const e = dbr.fdb.find((x) => x.mac === req.mac);
      if (e) {
        // Modified in place: the entry keeps its position in the list.
        e.ifindex = req.ifindex;
        e.state = req.state;
        e.user = true;
        e.updatedMs = now;
        // fdb_add_entry() sets fdb->used = jiffies as well.
        delete e.usedMs;
        delete e.local;
      } else {
        dbr.fdb = dbr.fdb.filter((x) => x.mac !== req.mac);
        dbr.fdb.unshift({ mac: req.mac, ifindex: req.ifindex, state: req.state, self: false, user: true, updatedMs: now });
      }
    }),
  );
}

/**
 * uc_promisc after a change to the device's unicast list or its up state: __dev_set_rx_mode()
 * (called by dev_open() at `ip link set DEV up`, and by dev_uc_add/del while the device is up)
 * puts a device that cannot filter unicast into promiscuous mode while its uc list is non-empty;
 * while the device is down nothing calls it, so the flag stays what it was.
 */
export function ucPromiscAfter(prev: L2State | undefined, uc: readonly Mac[] | undefined, rxModeSet: boolean): boolean {
  return rxModeSet ? (uc?.length ?? 0) > 0 : (prev?.ucPromisc ?? false);
}

/**
 * ndo_dflt_fdb_add()/ndo_dflt_fdb_del(): a unicast address on the device's
 * own address list (dev_uc_add_excl), "self permanent" in `bridge fdb show`.
 * Only NUD_PERMANENT is accepted ("FDB only supports static addresses").
 */
function ucModify(world: World, nsName: NsName, dev: Link, req: FdbRequest): OpResult {
  const uc = dev.l2?.uc ?? [];
  if (req.verb === 'del') {
    if (!uc.includes(req.mac)) return err(RTNL_NOENT);
  } else {
    if (req.state !== 'permanent') return err(RTNL_INVAL);
    if (!isUnicastMac(req.mac)) throw new Error('internal: multicast self entries are refused by the shell');
    if (uc.includes(req.mac)) return req.verb === 'add' ? err(RTNL_EXIST) : okw(world);
  }
  return okw(
    produce(world, (d) => {
      const dl = d.ns[nsName]!.links[dev.ifindex]!;
      const l2: L2State = dl.l2 ? (dl.l2 as L2State) : initialL2();
      const next = req.verb === 'del' ? uc.filter((m) => m !== req.mac) : [...uc, req.mac];
      const ucPromisc = ucPromiscAfter(l2, next, dev.adminUp);
      const { ucPromisc: _old, ...rest } = l2;
      dl.l2 = { ...rest, uc: next, ...(ucPromisc ? { ucPromisc } : {}) } as Draft<L2State>;
    }),
  );
}

/** The link-layer state of a device nothing has settled yet: only the all-nodes group joined at registration. */
export function initialL2(): L2State {
  return { up: false, ready: false, mc: ['33:33:00:00:00:01' as Mac] };
}

/**
 * vxlan_fdb_add()/vxlan_fdb_delete(): a VXLAN's remotes. Each (MAC, dst) is
 * one entry here; the entries of one MAC stay together in append order, and
 * a new MAC goes first (the vxlan fdb list is newest first).
 * - add: File exists if the MAC has an entry;
 * - replace: the MAC's first remote is changed (or the entry created);
 * - append: adds a remote, only for the all-zero or group MACs (for others the
 *   kernel accepts and ignores it);
 * - del with dst: that remote; without: the whole MAC.
 */
function vxlanFdbModify(world: World, nsName: NsName, vx: VxlanLink, req: FdbRequest): OpResult {
  const now = world.clockMs;
  const of = vx.fdb.filter((e) => e.mac === req.mac);
  if (req.verb !== 'del' && req.dst === undefined) {
    // vxlan_fdb_parse(): without NDA_DST the default remote is used.
    if (vx.remote === undefined) return err(RTNL_INVAL);
  }
  const dst = req.dst ?? vx.remote!;
  const entry: FdbEntry = {
    mac: req.mac,
    ifindex: vx.ifindex,
    state: req.state,
    self: true,
    dst,
    updatedMs: now,
    ...(req.via !== undefined ? { via: req.via } : {}),
  };
  const put = (fdb: readonly FdbEntry[]): OpResult =>
    okw(
      produce(world, (d) => {
        (d.ns[nsName]!.links[vx.ifindex] as Draft<VxlanLink>).fdb = fdb as Draft<FdbEntry>[];
      }),
    );
  if (req.verb === 'del') {
    if (of.length === 0) return err(RTNL_NOENT);
    if (req.dst === undefined) return put(vx.fdb.filter((e) => e.mac !== req.mac));
    // __vxlan_fdb_delete(): an unknown remote of a known MAC is not an error.
    if (!of.some((e) => e.dst === req.dst)) return okw(world);
    return put(vx.fdb.filter((e) => !(e.mac === req.mac && e.dst === req.dst)));
  }
  if (of.length === 0) return put([entry, ...vx.fdb]);
  if (req.verb === 'add') return err(RTNL_EXIST);
  if (req.verb === 'replace') {
    // vxlan_fdb_update_existing(): "Only change unicasts".
    if (!isValidMac(req.mac)) return err('Error: Cannot replace non-unicast fdb entries.');
    const first = of[0]!;
    // Refreshes f->updated only: `bridge -s fdb` still counts `used` from the last transmit.
    return put(vx.fdb.map((e) => (e === first ? { ...entry, usedMs: fdbUsedMs(first) } : e)));
  }
  // append
  if (isUnicastMac(req.mac) && req.mac !== ZERO_MAC) return okw(world);
  if (of.some((e) => e.dst === dst)) return okw(world); // vxlan_fdb_append(): already there
  const last = vx.fdb.lastIndexOf(of[of.length - 1]!);
  return put([...vx.fdb.slice(0, last + 1), entry, ...vx.fdb.slice(last + 1)]);
}
