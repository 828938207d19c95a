/**
 * `bridge` (iproute2 6.1): the forwarding databases and bridge ports.
 *
 *   bridge [-n NS] [-j] [-s] [-d] fdb [show] [br BR] [brport|dev DEV] [dynamic] [state S]
 *   bridge fdb {add|append|replace|del} MAC dev DEV [dst IP] [via DEV] [self] [master]
 *                                                   [permanent|static|dynamic|local]
 *   bridge [-d] [-j] link [show] [dev DEV]
 *   bridge link set dev DEV [learning|hairpin|flood on|off] [cost N] [priority N]
 *
 * `bridge fdb show` walks the devices in ifindex order (rtnl_fdb_dump): for
 * a bridge port, first its master's entries for it ("master br0"), then the
 * device's own entries ("self"): a bridge's own address lists and its
 * port-less entries, a VXLAN's remotes, or another device's unicast then
 * multicast address lists (ndo_dflt_fdb_dump).
 */
import { formatIp4, parseIp4Loose, parseMac, type Mac } from '../model/addr.js';
import { linkByName, linksSorted } from '../model/queries.js';
import { ROOT_NS, type BridgeLink, type FdbEntry, type Link, type NsName, type VxlanLink, type World } from '../model/world.js';
import { fdbModify, fdbUsedMs, liveFdb, masterOf, portState, setMaster, type FdbRequest } from '../sim/ops/bridge.js';
import { mcList, settleLinks, ucList } from '../sim/ops/mcast.js';
import { vxlanLiveFdb } from '../sim/ops/vxlan.js';
import { linkFlags, registerSetMaster } from './ip/link.js';
import { Unsupported, type CmdContext, type CmdResult, type Command } from './types.js';

// `ip link set X master Y` is parsed by ip link and done here.
registerSetMaster(setMaster);

/** iproute2's matches(): `arg` is a non-empty prefix of `word`. */
function matches(arg: string | undefined, word: string): boolean {
  return arg !== undefined && arg.length > 0 && word.startsWith(arg);
}

interface Opts {
  readonly json: boolean;
  readonly stats: boolean;
  readonly details: boolean;
}

const res = (world: World, stdout: string, stderr = '', status = 0): CmdResult => ({
  world,
  out: [...(stdout ? [{ fd: 1 as const, text: stdout }] : []), ...(stderr ? [{ fd: 2 as const, text: stderr }] : [])],
  status,
});
const fail = (world: World, text: string, status = 255): CmdResult => res(world, '', text, status);
const incomplete = (world: World): CmdResult => fail(world, 'Command line is not complete. Try option "help"\n');

export const bridgeCommand: Command = (ctx) => {
  const args = ctx.argv.slice(1);
  let json = false;
  let stats = false;
  let details = false;
  let ns = ctx.ns;
  while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
    let opt = args.shift()!;
    if (opt.startsWith('--')) opt = opt.slice(1);
    const o = opt.slice(1);
    if (matches(o, 'json')) json = true;
    else if (matches(o, 'statistics') || matches(o, 'stats')) stats = true;
    else if (matches(o, 'details')) details = true;
    else if (matches(o, 'netns')) {
      const name = args.shift();
      if (name === undefined) return incomplete(ctx.world);
      if (ctx.world.ns[name] === undefined || name === ROOT_NS) {
        return fail(ctx.world, `Cannot open network namespace "${name}": No such file or directory\n`);
      }
      ns = name;
    } else throw new Unsupported(`bridge option '${opt}'`);
  }
  // Catch up with link transitions (multicast lists, link-locals) before reading them.
  const world = settleLinks(ctx.world);
  const c: CmdContext = { ...ctx, world, ns };
  const obj = args.shift();
  if (obj === undefined) throw new Unsupported('bridge without an object (usage text)');
  const opts: Opts = { json, stats, details };
  if (matches(obj, 'fdb')) return fdbCmd(c, args, opts);
  if (matches(obj, 'link')) return linkCmd(c, args, opts);
  if (matches(obj, 'mdb') || matches(obj, 'vlan') || matches(obj, 'monitor') || matches(obj, 'help')) throw new Unsupported(`bridge ${obj}`);
  return fail(world, `Object "${obj}" is unknown, try "bridge help".\n`);
};

// ---------------------------------------------------------------------------
// fdb

function fdbCmd(ctx: CmdContext, args: readonly string[], o: Opts): CmdResult {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return fdbShow(ctx, args.slice(1), o);
  if (matches(verb, 'add')) return fdbChange(ctx, 'add', args.slice(1));
  if (matches(verb, 'append')) return fdbChange(ctx, 'append', args.slice(1));
  if (matches(verb, 'replace')) return fdbChange(ctx, 'replace', args.slice(1));
  if (matches(verb, 'delete')) return fdbChange(ctx, 'del', args.slice(1));
  if (matches(verb, 'get') || matches(verb, 'flush') || matches(verb, 'help')) throw new Unsupported(`bridge fdb ${verb}`);
  return fail(ctx.world, `Command "${verb}" is unknown, try "bridge fdb help".\n`);
}

/** One printed entry: the fields print_fdb() emits, in its order. */
interface Row {
  readonly mac: Mac;
  readonly dev: Link;
  readonly dst?: string;
  readonly via?: string;
  readonly self: boolean;
  readonly master?: string;
  readonly state: '' | 'permanent' | 'static';
  /** Seconds since the entry was learned/refreshed (ndm_updated). */
  readonly ageS?: number;
  /** Seconds since a frame was last forwarded to it (ndm_used); absent: ageS. */
  readonly usedS?: number;
}

function stateOf(e: FdbEntry): Row['state'] {
  return e.state === 'dynamic' ? '' : e.state;
}

/** The rows of one device, as rtnl_fdb_dump() emits them for it. */
function deviceRows(world: World, nsName: NsName, dev: Link, brFilter: BridgeLink | undefined): Row[] {
  const ns = world.ns[nsName]!;
  const now = world.clockMs;
  const rows: Row[] = [];
  const age = (e: FdbEntry): number => Math.max(0, Math.floor((now - e.updatedMs) / 1000));
  const used = (e: FdbEntry): number => Math.max(0, Math.floor((now - fdbUsedMs(e)) / 1000));
  const master = masterOf(ns, dev);
  if (master && (!brFilter || brFilter.ifindex === master.ifindex)) {
    for (const e of liveFdb(master, now)) {
      if (e.ifindex === dev.ifindex) rows.push({ mac: e.mac, dev, self: false, master: master.name, state: stateOf(e), ageS: age(e), usedS: used(e) });
    }
  }
  const groups = (): void => {
    for (const m of ucList(dev)) rows.push({ mac: m, dev, self: true, state: 'permanent' });
    for (const m of mcList(dev)) rows.push({ mac: m, dev, self: true, state: 'permanent' });
  };
  if (dev.kind === 'bridge') {
    // br_fdb_dump(filter_dev = NULL): the device's address lists, then its port-less entries.
    groups();
    for (const e of liveFdb(dev, now)) {
      if (e.ifindex === dev.ifindex) rows.push({ mac: e.mac, dev, self: false, master: dev.name, state: stateOf(e), ageS: age(e), usedS: used(e) });
    }
  } else if (dev.kind === 'vxlan') {
    for (const e of vxlanLiveFdb(dev as VxlanLink, now)) {
      const via = e.via !== undefined ? ns.links[e.via]?.name : undefined;
      rows.push({
        mac: e.mac,
        dev,
        ...(e.dst !== undefined ? { dst: formatIp4(e.dst) } : {}),
        ...(via !== undefined ? { via } : {}),
        self: true,
        state: stateOf(e),
        ageS: age(e),
        usedS: used(e),
      });
    }
  } else if (dev.kind !== 'loopback') {
    groups();
  }
  return rows;
}

function fdbShow(ctx: CmdContext, args: readonly string[], o: Opts): CmdResult {
  const world = ctx.world;
  const ns = world.ns[ctx.ns]!;
  let br: string | undefined;
  let dev: string | undefined;
  let dynamicOnly = false;
  let state: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'br' || a === 'brport' || a === 'dev' || a === 'state' || a === 'vlan') {
      const v = args[++i];
      if (v === undefined) return incomplete(world);
      if (a === 'br') br = v;
      else if (a === 'state') state = v;
      else if (a === 'vlan') {
        // No VLAN filtering is modelled: no entry carries a VLAN.
        return res(world, o.json ? '[]\n' : '');
      } else dev = v;
    } else if (a === 'dynamic') dynamicOnly = true;
    else throw new Unsupported(`bridge fdb show ${a}`);
  }
  let brLink: BridgeLink | undefined;
  if (br !== undefined) {
    const l = linkByName(ns, br);
    if (!l) return fail(world, `Cannot find bridge device "${br}"\n`);
    if (l.kind !== 'bridge') return res(world, o.json ? '[]\n' : '');
    brLink = l;
  }
  let devLink: Link | undefined;
  if (dev !== undefined) {
    devLink = linkByName(ns, dev);
    if (!devLink) return fail(world, `Cannot find device "${dev}"\n`);
  }
  let stateFilter: Row['state'] | undefined;
  if (state !== undefined) {
    if (state === 'permanent' || state === 'static') stateFilter = state;
    else if (state === 'dynamic' || state === 'reachable') stateFilter = '';
    else throw new Unsupported(`bridge fdb show state ${state}`);
  }
  const rows: Row[] = [];
  for (const l of linksSorted(ns)) {
    if (devLink && l.ifindex !== devLink.ifindex) continue;
    if (brLink && l.ifindex !== brLink.ifindex && l.master !== brLink.ifindex) continue;
    rows.push(...deviceRows(world, ctx.ns, l, brLink));
  }
  // iproute2's `dynamic` filter only hides NUD_PERMANENT entries (static ones stay).
  const shown = rows.filter((r) => (!dynamicOnly || r.state !== 'permanent') && (stateFilter === undefined || r.state === stateFilter));
  const withDev = devLink === undefined;
  if (o.json) {
    const items = shown.map((r) => {
      const j: Record<string, unknown> = { mac: r.mac };
      if (withDev) j['ifname'] = r.dev.name;
      if (r.dst !== undefined) j['dst'] = r.dst;
      if (r.via !== undefined) j['viaIf'] = r.via;
      if (o.stats && r.ageS !== undefined) {
        j['used'] = r.usedS ?? r.ageS;
        j['updated'] = r.ageS;
      }
      j['flags'] = r.self ? ['self'] : [];
      if (r.master !== undefined) j['master'] = r.master;
      j['state'] = r.state;
      return j;
    });
    return res(world, JSON.stringify(items) + '\n');
  }
  let out = '';
  for (const r of shown) {
    let s = `${r.mac} `;
    if (withDev) s += `dev ${r.dev.name} `;
    if (r.dst !== undefined) s += `dst ${r.dst} `;
    if (r.via !== undefined) s += `via ${r.via} `;
    if (o.stats && r.ageS !== undefined) s += `used ${r.usedS ?? r.ageS}/${r.ageS} `;
    if (r.self) s += 'self ';
    if (r.master !== undefined) s += `master ${r.master} `;
    s += `${r.state}\n`;
    out += s;
  }
  return res(world, out);
}

function fdbChange(ctx: CmdContext, verb: FdbRequest['verb'], args: readonly string[]): CmdResult {
  const world = ctx.world;
  const ns = world.ns[ctx.ns]!;
  let macText: string | undefined;
  let dev: string | undefined;
  let dst: string | undefined;
  let via: string | undefined;
  let self = false;
  let master = false;
  let state: FdbRequest['state'] = 'permanent';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const need = (): string | undefined => args[++i];
    if (a === 'dev') {
      dev = need();
      if (dev === undefined) return incomplete(world);
    } else if (a === 'dst') {
      dst = need();
      if (dst === undefined) return incomplete(world);
    } else if (a === 'via') {
      via = need();
      if (via === undefined) return incomplete(world);
    } else if (a === 'self') self = true;
    else if (a === 'master') master = true;
    else if (a === 'local' || a === 'permanent') state = 'permanent';
    else if (a === 'temp' || a === 'static') state = 'static';
    else if (a === 'dynamic') state = 'dynamic';
    else if (['vlan', 'port', 'dst_port', 'vni', 'src_vni', 'router', 'use', 'extern_learn', 'sticky', 'nhid', 'norouter', 'activity_notify', 'inactive', 'norefresh'].includes(a)) {
      throw new Unsupported(`bridge fdb ${verb} ... ${a}`);
    } else {
      if (macText !== undefined) {
        return fail(world, `Error: either "dev" is duplicate, or "${a}" is a garbage.\n`);
      }
      macText = a;
    }
  }
  if (macText === undefined || dev === undefined) return fail(world, 'Device and address are required arguments.\n');
  const mac = parseMac(macText);
  if (!mac) return fail(world, `Invalid mac address ${macText}\n`);
  const link = linkByName(ns, dev);
  if (!link) return fail(world, `Cannot find device "${dev}"\n`);
  let dstIp;
  if (dst !== undefined) {
    dstIp = parseIp4Loose(dst);
    if (dstIp === undefined) throw new Unsupported(`bridge fdb dst ${dst} (only IPv4 remotes are modelled)`);
  }
  let viaIndex: number | undefined;
  if (via !== undefined) {
    const v = linkByName(ns, via);
    if (!v) return fail(world, `Cannot find device "${via}"\n`);
    viaIndex = v.ifindex;
  }
  // iproute2: "Assume self" when neither flag is given.
  if (!self && !master) self = true;
  if (self && link.kind !== 'bridge' && link.kind !== 'vxlan' && (parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    throw new Unsupported('bridge fdb on a multicast address of a non-bridge device');
  }
  if (link.kind === 'vxlan' && self && state === 'dynamic' && verb !== 'del') {
    throw new Unsupported('bridge fdb add ... dynamic on a VXLAN device');
  }
  const req: FdbRequest = {
    verb,
    mac,
    ifindex: link.ifindex,
    master,
    self,
    state,
    ...(dstIp !== undefined ? { dst: dstIp } : {}),
    ...(viaIndex !== undefined ? { via: viaIndex } : {}),
  };
  const r = fdbModify(world, ctx.ns, req);
  if (!r.ok) return fail('world' in r ? r.world : world, r.error + '\n');
  return res(r.world, '');
}

// ---------------------------------------------------------------------------
// link

function linkCmd(ctx: CmdContext, args: readonly string[], o: Opts): CmdResult {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return linkShow(ctx, args.slice(1), o);
  if (matches(verb, 'set')) return linkSet(ctx, args.slice(1));
  if (matches(verb, 'help')) throw new Unsupported('bridge link help');
  return fail(ctx.world, `Command "${verb}" is unknown, try "bridge link help".\n`);
}

/** bridge/link.c print_linkinfo(): `@NAME` is IFLA_LINK resolved in *this* namespace (or ifN). */
function linkAt(world: World, nsName: NsName, l: Link): string | undefined {
  if (l.kind !== 'veth') return undefined;
  const local = world.ns[nsName]!.links[l.peer.ifindex];
  return local ? local.name : `if${l.peer.ifindex}`;
}

const onoff = (b: boolean): string => (b ? 'on' : 'off');

/**
 * print_link_flags() with bridge/link.c's M-DOWN: the flags of the *local*
 * device whose ifindex is the veth peer's, whatever namespace the peer lives
 * in. ll_index_to_flags() returns ~0 (IFF_UP set) on a cache miss, so a peer
 * ifindex with no local device prints no M-DOWN (kernel 6.1 / iproute2 6.1:
 * `vA@if6: <...,UP,LOWER_UP>`; once a down `d3` takes ifindex 6 locally:
 * `vA@d3: <...,UP,LOWER_UP,M-DOWN>`).
 */
function portFlags(world: World, nsName: NsName, l: Link): string[] {
  const f = linkFlags(world, nsName, l).filter((x) => x !== 'M-DOWN');
  if (l.kind === 'veth') {
    const local = world.ns[nsName]!.links[l.peer.ifindex];
    if (local && !local.adminUp) f.push('M-DOWN');
  }
  return f;
}

function linkShow(ctx: CmdContext, args: readonly string[], o: Opts): CmdResult {
  const world = ctx.world;
  const ns = world.ns[ctx.ns]!;
  let dev: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      dev = args[++i];
      if (dev === undefined) return incomplete(world);
    } else throw new Unsupported(`bridge link show ${a}`);
  }
  let only: Link | undefined;
  if (dev !== undefined) {
    only = linkByName(ns, dev);
    if (!only) return fail(world, `Cannot find device "${dev}"\n`);
  }
  const ports = linksSorted(ns).filter((l) => l.master !== undefined && masterOf(ns, l) && (!only || l.ifindex === only.ifindex));
  if (o.json) {
    const items = ports.map((l) => {
      const bp = l.brport!;
      const j: Record<string, unknown> = { ifindex: l.ifindex };
      const at = linkAt(world, ctx.ns, l);
      if (at !== undefined) j['link'] = at;
      j['ifname'] = l.name;
      j['flags'] = portFlags(world, ctx.ns, l);
      j['mtu'] = l.mtu;
      j['master'] = masterOf(ns, l)!.name;
      j['state'] = portState(world, ctx.ns, l);
      j['priority'] = bp.priority;
      j['cost'] = bp.cost;
      if (o.details) {
        Object.assign(j, {
          hairpin: bp.hairpin,
          guard: false,
          root_block: false,
          fastleave: false,
          learning: bp.learning,
          flood: bp.flood,
          mcast_flood: true,
          bcast_flood: true,
          mcast_router: 1,
          mcast_to_unicast: false,
          neigh_suppress: false,
          vlan_tunnel: false,
          isolated: false,
          locked: false,
        });
      }
      return j;
    });
    return res(world, JSON.stringify(items) + '\n');
  }
  let out = '';
  for (const l of ports) {
    const bp = l.brport!;
    const at = linkAt(world, ctx.ns, l);
    out += `${l.ifindex}: ${l.name}${at !== undefined ? `@${at}` : ''}: <${portFlags(world, ctx.ns, l).join(',')}> mtu ${l.mtu} master ${masterOf(ns, l)!.name} state ${portState(world, ctx.ns, l)} priority ${bp.priority} cost ${bp.cost} \n`;
    if (o.details) {
      out +=
        `    hairpin ${onoff(bp.hairpin)} guard off root_block off fastleave off learning ${onoff(bp.learning)} flood ${onoff(bp.flood)} ` +
        'mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n';
    }
  }
  return res(world, out);
}

/** `bridge link set dev X ...` (br_setport): learning, hairpin, flood, cost, priority. */
function linkSet(ctx: CmdContext, args: readonly string[]): CmdResult {
  const world = ctx.world;
  const ns = world.ns[ctx.ns]!;
  let dev: string | undefined;
  const set: { hairpin?: boolean; learning?: boolean; flood?: boolean; cost?: number; priority?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (a === 'dev') {
      if (v === undefined) return incomplete(world);
      dev = v;
      i++;
    } else if (a === 'hairpin' || a === 'learning' || a === 'flood') {
      if (v === undefined) return incomplete(world);
      if (v !== 'on' && v !== 'off') return fail(world, `Error: argument of "${a}" must be one of "off", "on", not "${v}"\n`, 234);
      set[a] = v === 'on';
      i++;
    } else if (a === 'cost' || a === 'priority') {
      if (v === undefined) return incomplete(world);
      if (!/^\d+$/.test(v)) throw new Unsupported(`bridge link set ${a} ${v}`);
      set[a] = Number(v);
      i++;
    } else throw new Unsupported(`bridge link set ${a}`);
  }
  if (dev === undefined) return fail(world, 'Device is a required argument.\n');
  const link = linkByName(ns, dev);
  if (!link) return fail(world, `Cannot find device "${dev}"\n`);
  if (!masterOf(ns, link) || !link.brport) return fail(world, 'RTNETLINK answers: Operation not supported\n');
  const bp = { ...link.brport, ...set };
  const next: World = {
    ...world,
    ns: { ...world.ns, [ctx.ns]: { ...ns, links: { ...ns.links, [link.ifindex]: { ...link, brport: bp } } } },
  };
  return res(next, '');
}
