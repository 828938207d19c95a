/**
 * One bundle namespace -> one twin namespace: links, addresses, routes,
 * neighbours, bridge FDBs, device multicast lists and sysctls, read from the
 * JSON the kernel printed (`ip -j -d link show`, ...), never guessed from
 * defaults when the bundle says otherwise. Whatever the twin cannot hold is
 * reported through `note` (never dropped silently).
 *
 * Veth peers are resolved later (src/import/build.ts): a veth is created with
 * a placeholder peer and its raw `link`/`link_index`/`link_netnsid` kept in
 * `pendingPeers`.
 */
import ipaddr from 'ipaddr.js';
import { parseIp4, parseMac, ZERO_MAC, type Ip4, type Mac } from '../model/addr.js';
import { CONF4_KEYS, CONF6_KEYS, NEIGH4_KEYS, NET_SYSCTL_KEYS } from '../model/sysctl-keys.js';
import type { ConntrackEntry } from '../model/netfilter.js';
import {
  TABLE_DEFAULT,
  TABLE_LOCAL,
  TABLE_MAIN,
  type AddrScope,
  type BridgeLink,
  type BridgePort,
  type FdbEntry,
  type IfAddr,
  type L2State,
  type Link,
  type LinkCommon,
  type Neigh,
  type NeighState,
  type Netns,
  type NsName,
  type PmtuException,
  type RedirectException,
  type Route,
  type RouteScope,
  type RouteType,
  type VxlanLink,
  type World,
} from '../model/world.js';
import { confFor, newNamespace } from '../sim/ops/netns.js';
import { neighStateAt } from '../sim/datapath/neigh.js';
import { routeOutput } from '../sim/fib.js';
import { sectionJson, type BundleNetns } from './bundle.js';
import { bool, has, num, objs, str, strs, sub, type Obj } from './json.js';

/** Where an assumption applies, and what it says (see World.assumptions). */
export interface Note {
  readonly severity: 'warn' | 'info';
  readonly dev?: string;
  readonly table?: string;
  readonly prefix?: string;
  readonly area: string;
  readonly text: string;
}

export interface PendingPeer {
  readonly ifindex: number;
  /** Same-namespace peer, by name (`"link": "v2"`). */
  readonly peerName?: string;
  readonly linkIndex?: number;
  readonly linkNetnsid?: number;
}

/** A device the twin has no kind for (a NIC, dummy, macvlan...): it becomes a veth to a stand-in namespace. */
export interface StandIn {
  readonly ifindex: number;
  readonly name: string;
  /** `physical` (no link kind: a NIC) or the kernel's info_kind. */
  readonly what: string;
  readonly carrier: boolean;
}

export interface BuiltNs {
  readonly ns: Netns;
  readonly pendingPeers: readonly PendingPeer[];
  readonly standIns: readonly StandIn[];
  /** nsid -> bundle namespace name (undefined name: a namespace without an `ip netns` name). */
  readonly nsids: ReadonlyMap<number, string | undefined>;
}

const ROUTE_TYPES: ReadonlySet<string> = new Set(['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'anycast']);
const NEIGH_STATES: ReadonlySet<string> = new Set(['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'INCOMPLETE', 'FAILED', 'NONE']);
const KNOWN_ROUTE_KEYS = new Set(['type', 'dst', 'gateway', 'dev', 'table', 'protocol', 'scope', 'prefsrc', 'metric', 'flags', 'metrics', 'tos']);
const PROTO_NAMES = new Set(['unspec', 'redirect', 'kernel', 'boot', 'static', 'gated', 'ra', 'mrt', 'zebra', 'bird', 'dnrouted', 'xorp', 'ntk', 'dhcp', 'keepalived', 'babel', 'openr', 'bgp', 'isis', 'ospf', 'rip', 'eigrp']);

export interface NsBuildContext {
  readonly world: World;
  readonly twinName: NsName;
  /** The bundle clock: ages in the bundle count back from here. */
  readonly clockMs: number;
  readonly note: (n: Note) => void;
}

function scopeOf(v: unknown): AddrScope {
  if (typeof v === 'number') return v;
  if (v === 'global' || v === 'link' || v === 'host' || v === 'site') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 'global';
}

function routeScopeOf(v: unknown): RouteScope {
  if (v === 'nowhere') return 'nowhere';
  if (v === 'universe') return 'global';
  return scopeOf(v);
}

function tableOf(v: unknown): number {
  if (v === undefined || v === 'main') return TABLE_MAIN;
  if (v === 'local') return TABLE_LOCAL;
  if (v === 'default') return TABLE_DEFAULT;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return NaN;
}

/** `a.b.c.d`, `a.b.c.d/len` or `default`. */
function dstOf(v: string | undefined): { addr: Ip4; len: number } | undefined {
  if (v === undefined) return undefined;
  if (v === 'default') return { addr: 0 as Ip4, len: 0 };
  const [a, l] = v.split('/');
  const addr = parseIp4(a ?? '');
  if (addr === undefined) return undefined;
  const len = l === undefined ? 32 : Number(l);
  return Number.isInteger(len) && len >= 0 && len <= 32 ? { addr, len } : undefined;
}

/** The kernel's multicast and unicast address lists of a device, from its `self` FDB rows. */
function selfLists(fdb: readonly Obj[], dev: string): { mc: Mac[]; uc: Mac[] } {
  const mc: Mac[] = [];
  const uc: Mac[] = [];
  for (const e of fdb) {
    if (str(e, 'ifname') !== dev || !strs(e, 'flags').includes('self') || e['master'] !== undefined || e['dst'] !== undefined) continue;
    const mac = parseMac(str(e, 'mac') ?? '');
    if (!mac || mac === ZERO_MAC) continue;
    if (parseInt(mac.slice(0, 2), 16) & 1) mc.push(mac);
    else uc.push(mac);
  }
  return { mc, uc };
}

export function buildNetns(c: NsBuildContext, b: BundleNetns): BuiltNs {
  const { note } = c;
  const base = newNamespace(c.world, c.twinName);
  const linkJson = objs(sectionJson(b, 'ip -j -d link show'));
  const addrJson = objs(sectionJson(b, 'ip -j -d addr show'));
  const fdbJson = objs(sectionJson(b, 'bridge -j -s fdb show'));
  if (linkJson.length === 0) note({ severity: 'warn', area: 'bundle', text: 'no usable `ip -j -d link show` output: the namespace is imported empty' });
  const addrByIndex = new Map<number, Obj>();
  for (const a of addrJson) {
    const i = num(a, 'ifindex');
    if (i !== undefined) addrByIndex.set(i, a);
  }
  const nameToIndex = new Map<string, number>();
  for (const l of linkJson) {
    const i = num(l, 'ifindex');
    const n = str(l, 'ifname');
    if (i !== undefined && n !== undefined) nameToIndex.set(n, i);
  }

  const sysctl = parseSysctl(b);
  const links: Record<number, Link> = {};
  const pendingPeers: PendingPeer[] = [];
  const standIns: StandIn[] = [];
  const now = c.clockMs;

  for (const lj of linkJson) {
    const ifindex = num(lj, 'ifindex');
    const name = str(lj, 'ifname');
    if (ifindex === undefined || name === undefined) continue;
    const flags = strs(lj, 'flags');
    const info = sub(lj, 'linkinfo');
    const kind = str(info, 'info_kind');
    const linkType = str(lj, 'link_type');
    const adminUp = flags.includes('UP');
    const carrier = flags.includes('LOWER_UP');
    const operstate = str(lj, 'operstate');
    const mac = (parseMac(str(lj, 'address') ?? '') ?? ZERO_MAC) as Mac;
    const qdisc = str(lj, 'qdisc');
    if (qdisc !== undefined && qdisc !== 'noqueue' && qdisc !== 'noop' && linkType !== 'loopback') {
      note({ severity: 'info', dev: name, area: 'link', text: `qdisc ${qdisc} (traffic control) is not modelled; the twin shows noqueue` });
    }
    const a = addrByIndex.get(ifindex);
    const addrs = importAddrs(c, name, objs(a?.['addr_info']));
    const conf = { ...confFor(c.world, base, 'new') };
    const conf6: Record<string, string> = {};
    const confSet: string[] = [];
    const sysName = name.replace(/\./g, '/');
    for (const k of Object.keys(CONF4_KEYS)) {
      const v = sysctl.get(`net.ipv4.conf.${sysName}.${k}`);
      if (v === undefined) continue;
      conf[k] = v;
      const dflt = sysctl.get(`net.ipv4.conf.default.${k}`);
      if (dflt !== undefined && dflt !== v && k !== 'forwarding') confSet.push(k);
    }
    for (const k of ['disable_ipv6', 'forwarding']) {
      const v = sysctl.get(`net.ipv6.conf.${sysName}.${k}`);
      if (v !== undefined) conf6[k] = v;
    }
    for (const [k, dv] of Object.entries(NEIGH4_KEYS)) {
      const v = sysctl.get(`net.ipv4.neigh.${sysName}.${k}`);
      if (v !== undefined && v !== dv) {
        note({ severity: 'warn', dev: name, area: 'sysctl', text: `net.ipv4.neigh.${sysName}.${k} = ${v} is not modelled; the twin uses the default ${dv}` });
      }
    }
    const ifalias = str(lj, 'ifalias');
    const common: LinkCommon = {
      ifindex,
      name,
      mtu: num(lj, 'mtu') ?? 1500,
      mac,
      adminUp,
      txqlen: num(lj, 'txqlen') ?? 0,
      promisc: flags.includes('PROMISC'),
      addrs,
      conf,
      ...(Object.keys(conf6).length ? { conf6 } : {}),
      ...(confSet.length ? { confSet } : {}),
      ...(ifalias !== undefined ? { alias: ifalias } : {}),
      ...(qdisc === 'noqueue' || (qdisc !== undefined && qdisc !== 'noop' && adminUp) ? { qdisc: 'noqueue' as const } : {}),
      ...(adminUp && !carrier && (operstate === 'DOWN' || operstate === 'LOWERLAYERDOWN') ? { noCarrierOper: operstate } : {}),
    };
    const l2base = l2Of(c, a, fdbJson, name, mac, adminUp, carrier, kind, conf6['disable_ipv6']);
    // uc_promisc cannot be read back directly: it is what promiscuity holds beyond the PROMISC flag
    // and a bridge port's own count (see L2State.ucPromisc); it sticks while the device is down.
    // Only devices without unicast filtering (not a bridge or VXLAN) have one; while up it means a
    // non-empty uc list.
    const promiscCount = num(lj, 'promiscuity') ?? 0;
    // A bridge port holds one count (br_add_if -> dev_set_promiscuity(dev, 1)). Other masters (bond,
    // team, VRF) are not modelled (the slave is imported without its master): a count they hold (a
    // promiscuous bond passes its promiscuity to its slaves) is read as uc_promisc, which keeps both
    // what the twin prints and what it does (the device receives every unicast frame).
    const bridgePort = str(lj, 'master') !== undefined && str(sub(lj, 'linkinfo'), 'info_slave_kind') === 'bridge';
    const explained = (flags.includes('PROMISC') ? 1 : 0) + (bridgePort ? 1 : 0);
    const ucCapable = kind !== 'bridge' && kind !== 'vxlan' && (!adminUp || (l2base.uc?.length ?? 0) > 0);
    const ucPromisc = ucCapable && promiscCount > explained;
    const l2 = ucPromisc ? { ...l2base, ucPromisc } : l2base;
    const withL2 = linkType === 'loopback' ? common : { ...common, l2 };

    if (linkType === 'loopback') {
      links[ifindex] = { ...common, kind: 'loopback' };
    } else if (kind === 'veth') {
      const peerName = str(lj, 'link');
      const linkIndex = num(lj, 'link_index');
      const linkNetnsid = num(lj, 'link_netnsid');
      pendingPeers.push({ ifindex, ...(peerName !== undefined ? { peerName } : {}), ...(linkIndex !== undefined ? { linkIndex } : {}), ...(linkNetnsid !== undefined ? { linkNetnsid } : {}) });
      links[ifindex] = { ...withL2, kind: 'veth', peer: { ns: '', ifindex: -1 } };
    } else if (kind === 'bridge') {
      links[ifindex] = importBridge(c, withL2, sub(info, 'info_data'), fdbJson, nameToIndex, now, num(lj, 'tso_max_size'));
    } else if (kind === 'vxlan') {
      links[ifindex] = importVxlan(c, withL2, sub(info, 'info_data'), fdbJson, nameToIndex, now);
    } else {
      // A NIC (no link kind) or a kind the twin lacks: a veth to a stand-in namespace (src/import/build.ts).
      const what = kind ?? 'physical';
      standIns.push({ ifindex, name, what, carrier });
      links[ifindex] = { ...withL2, kind: 'veth', peer: { ns: '', ifindex: -1 } };
    }
    if (linkType !== 'loopback' && linkType !== 'ether' && linkType !== undefined) {
      note({ severity: 'warn', dev: name, area: 'link', text: `link type ${linkType} is modelled as an Ethernet device` });
    }
  }

  // Bridge ports (after every device exists, the master may come later in the dump).
  for (const lj of linkJson) {
    const ifindex = num(lj, 'ifindex');
    const masterName = str(lj, 'master');
    if (ifindex === undefined || masterName === undefined) continue;
    const link = links[ifindex];
    const mi = nameToIndex.get(masterName);
    const master = mi !== undefined ? links[mi] : undefined;
    if (!link) continue;
    if (!master || master.kind !== 'bridge') {
      note({ severity: 'warn', dev: link.name, area: 'link', text: `enslaved to ${masterName} (${master ? master.kind : 'unknown'} master): the twin models only bridge masters, the device is imported without a master` });
      continue;
    }
    const slave = sub(sub(lj, 'linkinfo'), 'info_slave_data');
    links[ifindex] = { ...link, master: mi!, brport: importBrport(c, link, slave) } as Link;
    links[mi!] = fixPortLocals(links[mi!] as BridgeLink, link);
  }
  // A bridge's MTU follows its ports unless the user set one (br_mtu_auto_adjust); its MAC is the
  // lowest port MAC unless set (br_stp_recalculate_bridge_id), all zeros once its last port left.
  for (const l of Object.values(links)) {
    if (l.kind !== 'bridge') continue;
    const ports = Object.values(links).filter((p) => p.master === l.ifindex);
    if (ports.length === 0) {
      // Without ports the bridge id shows the MAC only when it was set (else it is all zeros).
      const lj = linkJson.find((x) => num(x, 'ifindex') === l.ifindex);
      const id = str(sub(sub(lj, 'linkinfo'), 'info_data'), 'bridge_id') ?? '';
      if (l.mac !== ZERO_MAC && !/^[0-9a-f]+\.0:0:0:0:0:0$/.test(id)) links[l.ifindex] = { ...l, macSet: true };
      continue;
    }
    const min = Math.min(...ports.map((p) => p.mtu));
    const lowest = ports.map((p) => p.mac).sort()[0]!;
    links[l.ifindex] = {
      ...l,
      carrierFromPorts: true,
      hadPorts: true,
      mtuAuto: min,
      ...(min !== l.mtu ? { mtuByUser: true } : {}),
      macSet: l.mac !== lowest,
    };
  }
  // VXLAN underlay device by name.
  for (const l of Object.values(links)) {
    if (l.kind !== 'vxlan') continue;
    const lj = linkJson.find((x) => num(x, 'ifindex') === l.ifindex);
    const lower = str(sub(sub(lj, 'linkinfo'), 'info_data'), 'link');
    if (lower !== undefined) {
      const li = nameToIndex.get(lower);
      if (li !== undefined) links[l.ifindex] = { ...l, dev: li };
    }
  }

  const routes = importRoutes(c, b, nameToIndex);
  const neigh = importNeigh(c, b, nameToIndex);
  const nsSysctl = importNsSysctl(c, base, sysctl);
  const nsids = new Map<number, string | undefined>();
  for (const e of objs(sectionJson(b, 'ip -j netns list-id'))) {
    const id = num(e, 'nsid');
    if (id !== undefined) nsids.set(id, str(e, 'name'));
  }
  const maxIndex = Math.max(1, ...Object.keys(links).map(Number));
  const fibTables = [...new Set(routes.map((r) => r.table).filter((t) => t !== TABLE_MAIN && t !== TABLE_LOCAL))];
  const ns: Netns = {
    ...base,
    links,
    nextIfindex: maxIndex + 1,
    routes,
    neigh,
    sysctl: nsSysctl,
    ...(fibTables.length ? { fibTables } : {}),
  };
  checkRules(c, b);
  checkIpv6(c, b);
  const conntrack = importConntrack(c, b);
  return { ns: { ...importExceptions(c, b, ns, nameToIndex), ...(conntrack.length ? { conntrack } : {}) }, pendingPeers, standIns, nsids };
}

function importAddrs(c: NsBuildContext, dev: string, infos: readonly Obj[]): IfAddr[] {
  const out: IfAddr[] = [];
  const v6: string[] = [];
  for (const ai of infos) {
    const family = str(ai, 'family');
    const local = str(ai, 'local');
    if (family === 'inet6') {
      if (local !== undefined && !local.toLowerCase().startsWith('fe80:') && local !== '::1') v6.push(`${local}/${num(ai, 'prefixlen') ?? ''}`);
      continue;
    }
    if (family !== 'inet' || local === undefined) continue;
    const ip = parseIp4(local);
    if (ip === undefined) continue;
    const peerText = str(ai, 'address');
    const peer = peerText !== undefined ? parseIp4(peerText) : undefined;
    const brd = str(ai, 'broadcast');
    const broadcast = brd !== undefined ? parseIp4(brd) : undefined;
    const vl = num(ai, 'valid_life_time');
    if (vl !== undefined && vl !== 4294967295) {
      c.note({ severity: 'info', dev, area: 'address', text: `${local}/${num(ai, 'prefixlen')} has a finite lifetime (${vl}s, e.g. from DHCP): the twin keeps it forever` });
    }
    out.push({
      local: ip,
      prefixLen: num(ai, 'prefixlen') ?? 32,
      ...(peer !== undefined && peer !== ip ? { peer } : {}),
      ...(broadcast !== undefined ? { broadcast } : {}),
      scope: scopeOf(ai['scope']),
      label: str(ai, 'label') ?? dev,
      noprefixroute: has(ai, 'noprefixroute'),
    });
  }
  if (v6.length) c.note({ severity: 'warn', dev, area: 'ipv6', text: `IPv6 address${v6.length > 1 ? 'es' : ''} ${v6.join(', ')} not modelled (the twin is IPv4 only)` });
  return out;
}

/** The MAC an EUI-64 link-local address (fe80::XXXX:XXff:feXX:XXXX) was made from. */
export function eui64Mac(addr: string): Mac | undefined {
  if (!ipaddr.IPv6.isValid(addr)) return undefined;
  const b = ipaddr.IPv6.parse(addr).toByteArray();
  if (b[0] !== 0xfe || b[1] !== 0x80 || b[11] !== 0xff || b[12] !== 0xfe) return undefined;
  const mac = [b[8]! ^ 2, b[9]!, b[10]!, b[13]!, b[14]!, b[15]!];
  return mac.map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac;
}

/** The link-layer state the kernel shows (settled: IPv6 chatter long done). */
function l2Of(c: NsBuildContext, a: Obj | undefined, fdb: readonly Obj[], name: string, mac: Mac, up: boolean, carrier: boolean, kind: string | undefined, v6Disabled: string | undefined): L2State {
  const lists = selfLists(fdb, name);
  let ll6: Mac | undefined;
  for (const ai of objs(a?.['addr_info'])) {
    const local = str(ai, 'local');
    if (str(ai, 'family') !== 'inet6' || local === undefined || !local.toLowerCase().startsWith('fe80:')) continue;
    // The kernel keeps the link-local made from the MAC the device had when it first got carrier
    // (a bridge's MAC often changed since): recover that MAC from the EUI-64 interface id.
    const from = eui64Mac(local);
    if (from !== undefined) ll6 = from;
    else c.note({ severity: 'info', dev: name, area: 'ipv6', text: `link-local ${local} is not an EUI-64 address; the twin shows the one of ${mac}` });
  }
  const forwardingPorts = kind === 'bridge' && up;
  // Up with carrier and IPv6 on, yet no link-local: it was deleted (`ip addr flush`); none comes back.
  const v6off = /^\s*1\s*$/.test(v6Disabled ?? '0');
  const removed = up && carrier && ll6 === undefined && !v6off;
  return {
    up,
    ready: up && carrier,
    mc: lists.mc,
    ...(ll6 !== undefined ? { ll6, ll6Ms: 0, chatted: true } : {}),
    ...(up ? { upSinceMs: 0 } : {}),
    ...(lists.uc.length ? { uc: lists.uc } : {}),
    ...(forwardingPorts ? { igmpReported: true } : {}),
    ...(removed ? { ll6Removed: true } : {}),
  };
}

/** `bridge -j -s fdb`'s "used" (seconds since the entry last forwarded), when it differs from "updated". */
function usedOf(e: Obj, now: number): { usedMs?: number } {
  const used = num(e, 'used');
  return used !== undefined && used !== num(e, 'updated') ? { usedMs: now - 1000 * used } : {};
}

function fdbEntries(fdb: readonly Obj[], master: string, nameToIndex: ReadonlyMap<number | string, number>, now: number): { e: Obj; ifindex: number; updatedMs: number; used: { usedMs?: number } }[] {
  const out: { e: Obj; ifindex: number; updatedMs: number; used: { usedMs?: number } }[] = [];
  for (const e of fdb) {
    if (str(e, 'master') !== master) continue;
    const dev = str(e, 'ifname');
    const ifindex = dev !== undefined ? nameToIndex.get(dev) : undefined;
    if (ifindex === undefined) continue;
    out.push({ e, ifindex, updatedMs: now - 1000 * (num(e, 'updated') ?? 0), used: usedOf(e, now) });
  }
  return out;
}

function fdbState(s: string | undefined): FdbEntry['state'] {
  return s === 'permanent' ? 'permanent' : s === 'static' ? 'static' : 'dynamic';
}

function importBridge(c: NsBuildContext, common: LinkCommon, d: Obj | undefined, fdb: readonly Obj[], nameToIndex: Map<string, number>, now: number, tso: number | undefined): BridgeLink {
  const dev = common.name;
  const checks: [string, number][] = [
    ['hello_time', 200],
    ['max_age', 2000],
    ['stp_state', 0],
    ['priority', 32768],
    ['vlan_filtering', 0],
  ];
  for (const [k, v] of checks) {
    const got = num(d, k);
    if (got !== undefined && got !== v) c.note({ severity: 'warn', dev, area: 'link', text: `bridge ${k} ${got} is not modelled (the twin's bridge has ${k} ${v}: no STP, no VLAN filtering)` });
  }
  const entries: FdbEntry[] = [];
  let localMac: Mac | undefined;
  for (const { e, ifindex, updatedMs, used } of fdbEntries(fdb, dev, nameToIndex, now)) {
    const mac = parseMac(str(e, 'mac') ?? '');
    if (!mac) continue;
    const vlan = num(e, 'vlan');
    if (vlan !== undefined) {
      c.note({ severity: vlan === 1 ? 'info' : 'warn', dev, area: 'fdb', text: `FDB entry ${mac} vlan ${vlan}: VLANs are not modelled, imported without a VLAN` });
    }
    const state = fdbState(str(e, 'state'));
    const extra = strs(e, 'flags').filter((f) => f !== 'self');
    if (extra.length) c.note({ severity: 'info', dev, area: 'fdb', text: `FDB entry ${mac} flags ${extra.join(',')} not modelled` });
    // The bridge's own address: the kernel's local entry (br_fdb_change_mac_address). Ports' local
    // entries are recognised when the ports are imported (fixPortLocals).
    if (ifindex === common.ifindex && state === 'permanent' && mac === common.mac) {
      localMac = mac;
      entries.push({ mac, ifindex, state, self: false, updatedMs, ...used, local: true });
    } else entries.push({ mac, ifindex, state, self: false, updatedMs, ...used, ...(state !== 'dynamic' ? { user: true } : {}) });
  }
  const ageing = num(d, 'ageing_time');
  const snoop = num(d, 'mcast_snooping');
  return {
    ...common,
    kind: 'bridge',
    fdb: entries,
    ageingTimeCs: ageing ?? 30000,
    stp: (num(d, 'stp_state') ?? 0) !== 0,
    forwardDelayCs: num(d, 'forward_delay') ?? 1500,
    vlanFiltering: (num(d, 'vlan_filtering') ?? 0) !== 0,
    macSet: false,
    // A port event already happened (bridgeCarrier): up without carrier, or the TSO limit it sets
    // (br_set_gso_limits: 524280 once a port joined or left; a fresh bridge has 65536).
    carrierFromPorts: (common.adminUp && common.noCarrierOper !== undefined) || tso === 524280,
    ...(tso === 524280 ? { hadPorts: true } : {}),
    ...(snoop === 0 ? { mcastSnooping: false } : {}),
    localMac: localMac ?? common.mac,
  };
}

/** A port's permanent entry for its own MAC is the kernel's local entry (br_fdb_add_local), not a user's. */
function fixPortLocals(br: BridgeLink, port: Link): BridgeLink {
  if (!br.fdb.some((e) => e.ifindex === port.ifindex && e.state === 'permanent' && e.mac === port.mac && e.user)) return br;
  return {
    ...br,
    fdb: br.fdb.map((e) => {
      if (e.ifindex !== port.ifindex || e.state !== 'permanent' || e.mac !== port.mac || !e.user) return e;
      const { user: _u, ...rest } = e;
      void _u;
      return { ...rest, local: true };
    }),
  };
}

function importBrport(c: NsBuildContext, port: Link, s: Obj | undefined): BridgePort {
  const no = str(s, 'no');
  const state = str(s, 'state');
  const bp: BridgePort = {
    hairpin: bool(s, 'hairpin') ?? false,
    learning: bool(s, 'learning') ?? true,
    flood: bool(s, 'flood') ?? true,
    state: state === 'forwarding' || state === 'disabled' || state === 'blocking' || state === 'listening' || state === 'learning' ? state : 'forwarding',
    cost: num(s, 'cost') ?? 2,
    priority: num(s, 'priority') ?? 32,
    ...(no !== undefined ? { portNo: parseInt(no, 16) } : {}),
    localMac: port.mac,
  };
  for (const [k, v] of [
    ['proxy_arp', false],
    ['isolated', false],
    ['neigh_suppress', false],
    ['mcast_to_unicast', false],
    ['bcast_flood', true],
    ['mcast_flood', true],
    ['locked', false],
    ['guard', false],
    ['root_block', false],
  ] as const) {
    const got = bool(s, k);
    if (got !== undefined && got !== v) c.note({ severity: 'warn', dev: port.name, area: 'link', text: `bridge port option ${k} ${got ? 'on' : 'off'} is not modelled` });
  }
  return bp;
}

function importVxlan(c: NsBuildContext, common: LinkCommon, d: Obj | undefined, fdb: readonly Obj[], nameToIndex: Map<string, number>, now: number): VxlanLink {
  const dev = common.name;
  const group = str(d, 'group');
  if (group !== undefined) c.note({ severity: 'warn', dev, area: 'link', text: `vxlan multicast group ${group} is not modelled: imported without a default remote` });
  for (const k of ['external', 'vnifilter', 'gbp', 'gpe', 'remcsum_tx', 'remcsum_rx', 'proxy', 'rsc', 'l2miss', 'l3miss']) {
    if (has(d, k) && d?.[k] !== false) c.note({ severity: 'warn', dev, area: 'link', text: `vxlan option ${k} is not modelled` });
  }
  const range = sub(d, 'port_range');
  const ttlRaw = d?.['ttl'];
  const tosRaw = str(d, 'tos');
  const fdbOut: FdbEntry[] = [];
  for (const e of fdb) {
    // The device's own table (`self`); `master` rows belong to the bridge it is a port of.
    if (str(e, 'ifname') !== dev || !strs(e, 'flags').includes('self') || e['master'] !== undefined) continue;
    const mac = parseMac(str(e, 'mac') ?? '');
    if (!mac) continue;
    const dst = str(e, 'dst');
    const dstIp = dst !== undefined ? parseIp4(dst) : undefined;
    if (dst !== undefined && dstIp === undefined) {
      c.note({ severity: 'warn', dev, area: 'fdb', text: `vxlan FDB entry ${mac} dst ${dst} (not IPv4) not modelled` });
      continue;
    }
    for (const k of ['port', 'vni', 'src_vni', 'nhid']) if (e[k] !== undefined) c.note({ severity: 'warn', dev, area: 'fdb', text: `vxlan FDB entry ${mac} ${k} ${String(e[k])} not modelled` });
    const via = str(e, 'viaIf');
    const viaIdx = via !== undefined ? nameToIndex.get(via) : undefined;
    fdbOut.push({
      mac,
      ifindex: common.ifindex,
      state: fdbState(str(e, 'state')),
      self: true,
      ...(dstIp !== undefined ? { dst: dstIp } : {}),
      updatedMs: now - 1000 * (num(e, 'updated') ?? 0),
      ...usedOf(e, now),
      ...(viaIdx !== undefined ? { via: viaIdx } : {}),
    });
  }
  const local = str(d, 'local');
  const remote = str(d, 'remote');
  return {
    ...common,
    kind: 'vxlan',
    vni: num(d, 'id') ?? 0,
    ...(local !== undefined && parseIp4(local) !== undefined ? { local: parseIp4(local)! } : {}),
    ...(remote !== undefined && parseIp4(remote) !== undefined ? { remote: parseIp4(remote)! } : {}),
    dstport: num(d, 'port') ?? 8472,
    srcportMin: num(range, 'low') ?? 0,
    srcportMax: num(range, 'high') ?? 0,
    learning: bool(d, 'learning') ?? true,
    ttl: typeof ttlRaw === 'number' ? ttlRaw : 0,
    // `ttl inherit` is printed to text only: the JSON then has no ttl at all.
    ...(ttlRaw === undefined || ttlRaw === 'inherit' ? { ttlInherit: true } : {}),
    ...(tosRaw !== undefined && tosRaw !== 'inherit' && parseInt(tosRaw, 16) ? { tos: parseInt(tosRaw, 16) } : {}),
    ...(num(d, 'ageing') !== undefined && num(d, 'ageing') !== 300 ? { ageingS: num(d, 'ageing')! } : {}),
    fdb: fdbOut,
  };
}

function importRoutes(c: NsBuildContext, b: BundleNetns, nameToIndex: Map<string, number>): Route[] {
  const out: Route[] = [];
  for (const r of objs(sectionJson(b, 'ip -j -d -4 route show table all'))) {
    const text = JSON.stringify(r);
    const type = str(r, 'type') ?? 'unicast';
    const dst = dstOf(str(r, 'dst'));
    const table = tableOf(r['table']);
    const devName = str(r, 'dev');
    const dev = devName !== undefined ? nameToIndex.get(devName) : undefined;
    const dstText = str(r, 'dst');
    const prefix = dstText === 'default' ? '0.0.0.0/0' : dstText !== undefined && !dstText.includes('/') ? `${dstText}/32` : dstText;
    const skip = (why: string): void =>
      c.note({ severity: 'warn', ...(devName ? { dev: devName } : {}), ...(prefix ? { prefix } : {}), area: 'route', text: `route ${text} not imported: ${why}` });
    if (!ROUTE_TYPES.has(type)) {
      skip(`route type ${type}`);
      continue;
    }
    if (!dst || Number.isNaN(table)) {
      skip('destination or table not understood');
      continue;
    }
    if (r['nexthops'] !== undefined) {
      skip('multipath routes are not modelled');
      continue;
    }
    if (r['nhid'] !== undefined) {
      skip('nexthop objects are not modelled');
      continue;
    }
    if (r['via'] !== undefined) {
      skip('a gateway of another address family is not modelled');
      continue;
    }
    if (devName !== undefined && dev === undefined) {
      skip(`device ${devName} is not in the bundle`);
      continue;
    }
    const gwText = str(r, 'gateway');
    const gateway = gwText !== undefined ? parseIp4(gwText) : undefined;
    const prefText = str(r, 'prefsrc');
    const prefsrc = prefText !== undefined ? parseIp4(prefText) : undefined;
    let mtu: number | undefined;
    for (const m of objs(r['metrics'])) {
      for (const [k, v] of Object.entries(m)) {
        if (k === 'mtu' && typeof v === 'number') mtu = v;
        else c.note({ severity: 'warn', ...(devName ? { dev: devName } : {}), area: 'route', text: `route ${str(r, 'dst')} metric ${k} ${String(v)} is not modelled (ignored)` });
      }
    }
    const flags = strs(r, 'flags');
    for (const f of flags) if (f !== 'onlink' && f !== 'linkdown') c.note({ severity: 'info', ...(devName ? { dev: devName } : {}), area: 'route', text: `route ${str(r, 'dst')} flag ${f} is not modelled` });
    for (const k of Object.keys(r)) {
      if (!KNOWN_ROUTE_KEYS.has(k)) c.note({ severity: 'warn', ...(devName ? { dev: devName } : {}), area: 'route', text: `route ${str(r, 'dst')} attribute ${k} ${JSON.stringify(r[k])} is not modelled (ignored)` });
    }
    const protoText = str(r, 'protocol') ?? 'boot';
    const proto = PROTO_NAMES.has(protoText) ? protoText : /^\d+$/.test(protoText) ? Number(protoText) : protoText;
    const tos = str(r, 'tos');
    out.push({
      table,
      type: type as RouteType,
      dst,
      tos: tos !== undefined ? parseInt(tos, 16) || 0 : 0,
      ...(gateway !== undefined ? { gateway } : {}),
      ...(dev !== undefined ? { dev } : {}),
      scope: routeScopeOf(r['scope']),
      proto,
      ...(prefsrc !== undefined ? { prefsrc } : {}),
      metric: num(r, 'metric') ?? 0,
      onlink: flags.includes('onlink'),
      ...(mtu !== undefined ? { mtu } : {}),
    });
  }
  return out;
}

/**
 * Route exceptions (`ip route show cache`): a redirect (`cache ["redirected"]`, the new gateway)
 * or a learnt path MTU (`metrics [{mtu}]`), each with the seconds it has left.
 */
function importExceptions(c: NsBuildContext, b: BundleNetns, ns: Netns, nameToIndex: Map<string, number>): Netns {
  const redirects: RedirectException[] = [];
  const pmtu: PmtuException[] = [];
  for (const r of objs(sectionJson(b, 'ip -j -d -4 route show table all cache'))) {
    const dst = parseIp4(str(r, 'dst') ?? '');
    const devName = str(r, 'dev');
    const dev = devName !== undefined ? nameToIndex.get(devName) : undefined;
    if (dst === undefined || dev === undefined) continue;
    // The twin prints floor((expires - now - 1 ms) / 1 s): land in the middle of the kernel's second.
    const expiresMs = c.clockMs + 1000 * (num(r, 'expires') ?? 0) + 500;
    const gw = parseIp4(str(r, 'gateway') ?? '');
    if (strs(r, 'cache').includes('redirected') && gw !== undefined) {
      const fib = routeOutput(ns, dst);
      if (fib.ok && fib.gateway !== undefined) redirects.push({ dst, gw, via: fib.gateway, dev, expiresMs });
      else c.note({ severity: 'warn', dev: devName!, area: 'route', text: `redirect exception for ${str(r, 'dst')} via ${str(r, 'gateway')}: no gateway route it could hang on, not imported` });
    }
    for (const m of objs(r['metrics'])) {
      const mtu = num(m, 'mtu');
      if (mtu !== undefined) pmtu.push({ dst, mtu, expiresMs });
    }
  }
  return { ...ns, ...(redirects.length ? { redirects } : {}), ...(pmtu.length ? { pmtu } : {}) };
}

const CT_PROTOS: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17 };
const TCP_STATES: Readonly<Record<string, NonNullable<ConntrackEntry['tcpState']>>> = {
  SYN_SENT: 'SYN_SENT',
  SYN_RECV: 'SYN_RECV',
  ESTABLISHED: 'ESTABLISHED',
  FIN_WAIT: 'FIN_WAIT',
  CLOSE_WAIT: 'FIN_WAIT',
  LAST_ACK: 'FIN_WAIT',
  TIME_WAIT: 'CLOSE',
  CLOSE: 'CLOSE',
};

/**
 * /proc/net/nf_conntrack: one line per connection,
 *   ipv4 2 icmp 1 26 src=A dst=B type=8 code=0 id=11 src=B dst=A type=0 code=0 id=11 mark=0 zone=0 use=2
 *   ipv4 2 tcp 6 116 TIME_WAIT src=.. dst=.. sport=.. dport=.. src=.. .. [ASSURED] mark=0 ...
 * The twin keys an ICMP tuple on (id, type) as sport/dport. Entries are confirmed and their NAT
 * decided (natDone*), as for any entry in the table.
 */
function importConntrack(c: NsBuildContext, b: BundleNetns): ConntrackEntry[] {
  const sec = b.cmds['nf_conntrack'];
  if (!sec || sec.status !== 0) return [];
  const out: ConntrackEntry[] = [];
  const skipped: string[] = [];
  for (const line of sec.body.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 5 || w[0] !== 'ipv4') {
      if (line.trim() !== '' && w[0] !== 'ipv6') skipped.push(line.trim());
      continue;
    }
    const proto = CT_PROTOS[w[2]!];
    const timeout = Number(w[4]);
    const tuples: Record<string, string>[] = [];
    let unreplied = false;
    let state: string | undefined;
    let extra = '';
    for (const t of w.slice(5)) {
      if (t === '[UNREPLIED]') unreplied = true;
      else if (t.startsWith('[')) continue;
      else if (!t.includes('=')) state = t;
      else {
        const [k, v] = [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)];
        if (k === 'src') tuples.push({});
        if (k === 'mark' || k === 'zone' || k === 'secctx') {
          if (v !== '0') extra += ` ${k}=${v}`;
          continue;
        }
        if (k === 'use' || k === 'delta-time') continue;
        if (tuples.length) tuples[tuples.length - 1]![k] = v;
      }
    }
    // IGMP (2): multicast group reports the kernel tracks by address pair; they carry no flow to NAT.
    if (w[3] === '2') continue;
    if (proto === undefined || tuples.length !== 2 || !Number.isFinite(timeout)) {
      skipped.push(line.trim());
      continue;
    }
    if (extra) c.note({ severity: 'warn', area: 'netfilter', text: `conntrack entry${extra} not modelled (imported without it): ${line.trim()}` });
    const tuple = (t: Record<string, string>): ConntrackEntry['orig'] | undefined => {
      const src = parseIp4(t['src'] ?? '');
      const dst = parseIp4(t['dst'] ?? '');
      if (src === undefined || dst === undefined) return undefined;
      const sport = proto === 1 ? Number(t['id'] ?? 0) : Number(t['sport'] ?? 0);
      const dport = proto === 1 ? Number(t['type'] ?? 0) : Number(t['dport'] ?? 0);
      return { proto, src, dst, sport, dport };
    };
    const orig = tuple(tuples[0]!);
    const reply = tuple(tuples[1]!);
    if (!orig || !reply) {
      skipped.push(line.trim());
      continue;
    }
    const tcpState = proto === 6 && state !== undefined ? TCP_STATES[state] : undefined;
    out.push({
      orig,
      reply,
      state: unreplied ? 'NEW' : 'ESTABLISHED',
      seenReply: !unreplied,
      confirmed: true,
      natDoneDst: true,
      natDoneSrc: true,
      ...(tcpState ? { tcpState } : {}),
      expiresMs: c.clockMs + timeout * 1000,
    });
  }
  if (skipped.length) c.note({ severity: 'warn', area: 'netfilter', text: `${skipped.length} conntrack entr${skipped.length > 1 ? 'ies' : 'y'} not modelled (not TCP/UDP/ICMP over IPv4), e.g. ${skipped[0]}` });
  return out;
}

function importNeigh(c: NsBuildContext, b: BundleNetns, nameToIndex: Map<string, number>): Neigh[] {
  const out: Neigh[] = [];
  for (const n of objs(sectionJson(b, 'ip -j -s -4 neigh show nud all'))) {
    const dst = parseIp4(str(n, 'dst') ?? '');
    const dev = str(n, 'dev');
    const ifindex = dev !== undefined ? nameToIndex.get(dev) : undefined;
    if (dst === undefined || ifindex === undefined) continue;
    const states = strs(n, 'state');
    const state = (states[0] ?? 'NONE') as NeighState;
    if (!NEIGH_STATES.has(state) || states.length > 1) {
      c.note({ severity: 'warn', ...(dev ? { dev } : {}), area: 'neighbour', text: `neighbour ${str(n, 'dst')} state ${states.join(',')} is not modelled` });
      continue;
    }
    for (const k of ['extern_learn', 'offload', 'managed', 'extern_valid']) {
      if (has(n, k)) c.note({ severity: 'info', ...(dev ? { dev } : {}), area: 'neighbour', text: `neighbour ${str(n, 'dst')} flag ${k} is not modelled` });
    }
    const lladdr = parseMac(str(n, 'lladdr') ?? '');
    const entry: Neigh = {
      ifindex,
      dst,
      ...(lladdr ? { lladdr } : {}),
      state,
      proxy: false,
      router: has(n, 'router'),
      updatedMs: c.clockMs - 1000 * (num(n, 'updated') ?? 0),
    };
    // The state the kernel showed is the truth at import time: the kernel's timers are jittered
    // (reachable time 15-45 s) and fire late, so an age that the twin's fixed timers would already
    // have moved on from is taken as "just now".
    out.push(neighStateAt(entry, c.clockMs).state === state ? entry : { ...entry, updatedMs: c.clockMs });
  }
  // Proxy entries: the twin lists a hash bucket newest first, so insert them oldest (last shown) first.
  const proxies = objs(sectionJson(b, 'ip -j -4 neigh show proxy'));
  for (const n of [...proxies].reverse()) {
    const dst = parseIp4(str(n, 'dst') ?? '');
    const dev = str(n, 'dev');
    const ifindex = dev !== undefined ? nameToIndex.get(dev) : undefined;
    if (dst === undefined || ifindex === undefined) {
      c.note({ severity: 'warn', area: 'neighbour', text: `proxy entry ${JSON.stringify(n)} not imported (no device)` });
      continue;
    }
    out.push({ ifindex, dst, state: 'NONE', proxy: true, router: false, updatedMs: c.clockMs });
  }
  return out;
}

/** `key = value` lines of `sysctl -a` (the collector's filtered set). */
export function parseSysctl(b: BundleNetns): Map<string, string> {
  const out = new Map<string, string>();
  const s = b.cmds['sysctl'];
  if (!s) return out;
  for (const line of s.body.split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 3));
  }
  return out;
}

function importNsSysctl(c: NsBuildContext, base: Netns, sysctl: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...base.sysctl };
  const unknown: string[] = [];
  for (const [k, v] of sysctl) {
    const m = /^net\.ipv([46])\.conf\.([^.]+)\.([^.]+)$/.exec(k);
    if (m) {
      const known = m[1] === '4' ? CONF4_KEYS : CONF6_KEYS;
      if (known[m[3]!] === undefined) {
        const any = `net.ipv${m[1]}.conf.*.${m[3]}`;
        if (!unknown.includes(any)) unknown.push(any);
      } else if (m[2] === 'all' || m[2] === 'default') out[k] = v;
      continue; // per-device keys live on the links
    }
    if (/^net\.ipv4\.neigh\./.test(k)) continue; // compared per device in buildNetns
    if (NET_SYSCTL_KEYS[k] !== undefined) out[k] = v;
    else unknown.push(k);
  }
  if (unknown.length) {
    c.note({
      severity: 'info',
      area: 'sysctl',
      text: `${unknown.length} sysctl key${unknown.length > 1 ? 's' : ''} not modelled (kept out of the twin): ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', ...' : ''}`,
    });
  }
  return out;
}

/** `ip rule`: the twin has no policy routing; anything beyond the three default rules is listed. */
function checkRules(c: NsBuildContext, b: BundleNetns): void {
  const rules = objs(sectionJson(b, 'ip -j -4 rule show'));
  const dflt = new Set(['0|local', '32766|main', '32767|default']);
  for (const r of rules) {
    const key = `${num(r, 'priority')}|${str(r, 'table')}`;
    const plain = Object.keys(r).every((k) => k === 'priority' || k === 'src' || k === 'table') && str(r, 'src') === 'all';
    if (plain && dflt.has(key)) continue;
    c.note({ severity: 'warn', area: 'rule', text: `policy routing rule ${JSON.stringify(r)} is not modelled: the twin looks up tables local, main, default only` });
  }
}

/** IPv6 routes beyond the ones the kernel adds for link-locals and multicast. */
function checkIpv6(c: NsBuildContext, b: BundleNetns): void {
  const extra: string[] = [];
  for (const r of objs(sectionJson(b, 'ip -j -d -6 route show table all'))) {
    const dst = str(r, 'dst') ?? '';
    const proto = str(r, 'protocol');
    const auto = proto === 'kernel' && (dst === 'fe80::/64' || dst === 'ff00::/8' || dst === '::1' || dst.startsWith('fe80::') || dst === 'fe80::');
    if (auto) continue;
    extra.push(`${str(r, 'type') ?? ''} ${dst}${str(r, 'dev') ? ` dev ${str(r, 'dev')}` : ''}`.trim());
  }
  if (extra.length) c.note({ severity: 'warn', area: 'ipv6', text: `${extra.length} IPv6 route${extra.length > 1 ? 's' : ''} not modelled: ${extra.slice(0, 5).join('; ')}${extra.length > 5 ? '; ...' : ''}` });
  const t = b.cmds['ip6tables-save -c']?.body ?? '';
  const rules = t.split('\n').filter((l) => /^(\[\d+:\d+\] )?-A /.test(l));
  const policies = t.split('\n').filter((l) => /^:\S+ (DROP|REJECT)/.test(l));
  if (rules.length || policies.length) {
    c.note({ severity: 'warn', area: 'ipv6', text: `ip6tables: ${rules.length} rule(s)${policies.length ? ` and DROP policies (${policies.map((p) => p.split(' ')[0]!.slice(1)).join(', ')})` : ''} not modelled` });
  }
}
