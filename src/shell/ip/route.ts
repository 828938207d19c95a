/**
 * `ip route`: add, change, replace, prepend, append, del, show/list, flush,
 * get (iproute2 ip/iproute.c). IPv4 only.
 */
import { formatIp4, formatRouteDst, maskOf, parseIp4Loose, type Ip4, type Prefix4 } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import { TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN, type Netns, type NsName, type RedirectException, type Route, type RouteType, type World } from '../../model/world.js';
import { routeInput } from '../../sim/datapath/route-input.js';
import { livePmtu, MTU_EXPIRES_MS } from '../../sim/datapath/pmtu.js';
import { REDIRECT_EXPIRES_MS, withRedirect } from '../../sim/datapath/redirect.js';
import { routeOutput, scopeNum, type OutputRoute } from '../../sim/fib.js';
import { ADD, APPEND, CHANGE, PREPEND, REPLACE, nexthopLinkdown, routeDel, routeFlush, routeInsert, type InsertFlags, type RouteSel, type RouteSpec } from '../../sim/ops/route.js';
import { Unsupported, type CmdContext, type CmdResult } from '../types.js';
import { matches, type IpObject, type IpOpts } from './index.js';
import { errOut, incomplete, json, okOut, oneLine, opErr } from './link.js';
import { parseScope, scopeName } from './addr.js';
import { strerror } from '../errno.js';

const ROUTE_TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'anycast'];

/** /etc/iproute2/rt_protos */
const PROTOS: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};
const PROTO_BY_NAME: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(PROTOS).map(([k, v]) => [v, Number(k)]));

/** The protocol as `ip route` prints it (a name from rt_protos, else the number). */
export function protoName(p: Route['proto']): string {
  if (typeof p === 'number') return PROTOS[p] ?? String(p);
  return p;
}

function parseProto(t: string): Route['proto'] | undefined {
  if (PROTO_BY_NAME[t] !== undefined) return t;
  if (/^\d+$/.test(t) && Number(t) < 256) return PROTOS[Number(t)] ?? Number(t);
  return undefined;
}

/** rtnl_rttable_n2a */
export function tableName(t: number): string {
  return t === TABLE_LOCAL ? 'local' : t === TABLE_MAIN ? 'main' : t === TABLE_DEFAULT ? 'default' : String(t);
}

function parseTable(t: string): number | 'all' | undefined {
  if (t === 'local') return TABLE_LOCAL;
  if (t === 'main') return TABLE_MAIN;
  if (t === 'default') return TABLE_DEFAULT;
  if (t === 'all' || t === 'unspec') return 'all';
  if (/^\d+$/.test(t) && Number(t) <= 0xffffffff) return Number(t) === 0 ? 'all' : Number(t);
  return undefined;
}

/** get_prefix() for a route destination: `default`/`all`/`any` or a loose prefix. */
function parseDst(t: string): Prefix4 | undefined {
  if (t === 'default' || t === 'all' || t === 'any') return { addr: 0 as Ip4, len: 0 };
  if (t.includes(':')) throw new Unsupported('ip route: IPv6');
  const slash = t.indexOf('/');
  const a = parseIp4Loose(slash < 0 ? t : t.slice(0, slash));
  if (a === undefined) return undefined;
  if (slash < 0) return { addr: a, len: 32 };
  const l = t.slice(slash + 1);
  if (!/^\d{1,2}$/.test(l) || Number(l) > 32) return undefined;
  return { addr: a, len: Number(l) };
}

/** 224.0.0.1, joined by every IPv4 device that is up (ip_mc_up). */
const ALL_HOSTS = 0xe0000001 as Ip4;

export const ipRoute: IpObject = (ctx, args, opts) => {
  if (opts.family === 'inet6') throw new Unsupported('ip -6 route');
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return routeShow(ctx, args.slice(1), opts, false);
  if (matches(verb, 'add')) return routeModify(ctx, args.slice(1), ADD);
  if (matches(verb, 'change')) return routeModify(ctx, args.slice(1), CHANGE);
  if (matches(verb, 'replace')) return routeModify(ctx, args.slice(1), REPLACE);
  if (matches(verb, 'prepend')) return routeModify(ctx, args.slice(1), PREPEND);
  if (matches(verb, 'append')) return routeModify(ctx, args.slice(1), APPEND);
  if (matches(verb, 'delete')) return routeModify(ctx, args.slice(1), 'del');
  if (matches(verb, 'get')) return routeGet(ctx, args.slice(1), opts);
  if (matches(verb, 'flush')) return routeShow(ctx, args.slice(1), opts, true);
  if (verb === 'help' || matches(verb, 'save') || matches(verb, 'restore') || matches(verb, 'showdump') || matches(verb, 'test')) {
    throw new Unsupported(`ip route ${verb}`);
  }
  return errOut(ctx.world, `Command "${verb}" is unknown, try "ip route help".\n`, 255);
};

// ---------------------------------------------------------------------------
// add / change / replace / append / prepend / del

function routeModify(ctx: CmdContext, args: readonly string[], mode: InsertFlags | 'del'): CmdResult {
  const w = ctx.world;
  const del = mode === 'del';
  let type: RouteType | undefined;
  let dst: Prefix4 | undefined;
  let tos = 0;
  let table: number | undefined;
  let proto: Route['proto'] | undefined;
  let scope: Route['scope'] | undefined;
  let metric: number | undefined;
  let gateway: Ip4 | undefined;
  let devName: string | undefined;
  let prefsrc: Ip4 | undefined;
  let onlink = false;
  let mtu: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    const needV = (): string => {
      if (v === undefined) throw new NeedArg();
      i++;
      return v;
    };
    try {
      if (a === 'via') {
        let t = needV();
        if (t === 'inet') t = needV();
        else if (t === 'inet6' || t.includes(':')) throw new Unsupported('ip route via inet6');
        const g = parseIp4Loose(t);
        if (g === undefined) return errOut(w, `Error: inet address is expected rather than "${t}".\n`, 1);
        gateway = g;
      } else if (a === 'dev' || a === 'oif') devName = needV();
      else if (a === 'src') {
        const t = needV();
        const s = parseIp4Loose(t);
        if (s === undefined) return errOut(w, `Error: inet address is expected rather than "${t}".\n`, 1);
        prefsrc = s;
      } else if (a === 'table') {
        const t = needV();
        const n = parseTable(t);
        if (n === undefined || n === 'all') return errOut(w, `Error: argument "${t}" is wrong: "table" value is invalid\n\n`, 255);
        table = n;
      } else if (a === 'proto' || a === 'protocol') {
        const t = needV();
        const p = parseProto(t);
        if (p === undefined) return errOut(w, `Error: argument "${t}" is wrong: "protocol" value is invalid\n\n`, 255);
        proto = p;
      } else if (a === 'scope') {
        const t = needV();
        const s = parseScope(t);
        if (s === undefined) return errOut(w, `Error: argument "${t}" is wrong: invalid "scope" value\n\n`, 255);
        scope = s;
      } else if (a === 'metric' || a === 'priority' || a === 'preference') {
        const t = needV();
        if (!/^\d+$/.test(t)) return errOut(w, `Error: argument "${t}" is wrong: "metric" value is invalid\n\n`, 255);
        metric = Number(t);
      } else if (a === 'tos' || a === 'dsfield') {
        const t = needV();
        const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
        if (!(n >= 0 && n <= 255)) return errOut(w, `Error: argument "${t}" is wrong: TOS value is invalid\n\n`, 255);
        tos = n;
      } else if (a === 'onlink') onlink = true;
      else if (a === 'mtu') {
        let t = needV();
        if (t === 'lock') throw new Unsupported('ip route mtu lock');
        if (!/^\d+$/.test(t)) return errOut(w, `Error: argument "${t}" is wrong: "mtu" value is invalid\n\n`, 255);
        mtu = Number(t);
        t = '';
      } else if (ROUTE_TYPES.includes(a as RouteType) && dst === undefined && type === undefined) type = a as RouteType;
      else if (a === 'to') {
        const t = needV();
        const p = parseDst(t);
        if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${t}".\n`, 1);
        dst = p;
      } else if (
        ['nexthop', 'nhid', 'realm', 'realms', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'ssthresh', 'features', 'quickack', 'congctl', 'pref', 'encap', 'expires', 'from', 'nat', 'rto_min', 'hoplimit', 'fastopen_no_cookie', 'ttl-propagate', 'mpath', 'equalize', 'pervasive'].includes(a) ||
        a.startsWith('-')
      ) {
        throw new Unsupported(`ip route ${del ? 'del' : 'add'} ... ${a}`);
      } else {
        if (dst !== undefined) return errOut(w, `Error: either "to" is duplicate, or "${a}" is a garbage.\n`, 255);
        const p = parseDst(a);
        if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${a}".\n`, 1);
        dst = p;
      }
    } catch (e) {
      if (e instanceof NeedArg) return incomplete(w);
      throw e;
    }
  }
  if (dst === undefined) return errOut(w, 'Error: either "to" is a duplicate, or "" is a garbage.\n', 255);
  let dev: number | undefined;
  if (devName !== undefined) {
    const l = linkByName(w.ns[ctx.ns]!, devName);
    if (!l) return errOut(w, `Cannot find device "${devName}"\n`, 1);
    dev = l.ifindex;
  }
  if (del) {
    const sel: RouteSel = {
      table: table ?? defaultTable(type ?? 'unicast'),
      dst,
      tos,
      ...(type !== undefined ? { type } : {}),
      ...(scope !== undefined ? { scope } : {}),
      ...(proto !== undefined ? { proto } : {}),
      ...(prefsrc !== undefined ? { prefsrc } : {}),
      ...(gateway !== undefined ? { gateway } : {}),
      ...(dev !== undefined ? { dev } : {}),
      ...(metric !== undefined ? { metric } : {}),
    };
    const r = routeDel(w, ctx.ns, sel);
    return r.ok ? okOut(r.world) : opErr(w, r);
  }
  const t = type ?? 'unicast';
  // iproute_modify(): the default scope depends on the type and on whether there is a gateway.
  const defScope: Route['scope'] =
    t === 'local' ? 'host' : t === 'broadcast' || t === 'multicast' || t === 'anycast' ? 'link' : t === 'unicast' && gateway === undefined ? 'link' : 'global';
  const spec: RouteSpec = {
    table: table ?? defaultTable(t),
    type: t,
    dst,
    tos,
    ...(gateway !== undefined ? { gateway } : {}),
    ...(dev !== undefined ? { dev } : {}),
    scope: scope ?? defScope,
    proto: proto ?? 'boot',
    ...(prefsrc !== undefined ? { prefsrc } : {}),
    metric: metric ?? 0,
    onlink,
    ...(mtu !== undefined ? { mtu } : {}),
  };
  const r = routeInsert(w, ctx.ns, spec, mode);
  return r.ok ? okOut(r.world) : opErr(w, r);
}

class NeedArg extends Error {}

/** iproute_modify(): without `table`, local/broadcast/anycast (and nat) routes go to the local table. */
function defaultTable(t: RouteType): number {
  return t === 'local' || t === 'broadcast' || t === 'anycast' ? TABLE_LOCAL : TABLE_MAIN;
}

// ---------------------------------------------------------------------------
// show / flush

interface RouteFilter {
  table: number | 'all';
  type?: RouteType;
  proto?: Route['proto'];
  scope?: Route['scope'];
  dev?: number;
  via?: Ip4;
  src?: Ip4;
  root?: Prefix4;
  match?: Prefix4;
  exact?: Prefix4;
}

/** The kernel's dump order: tables by id (hash bucket order), then trie key order, longer prefix first, then alias order. */
export function dumpOrder(routes: readonly Route[]): Route[] {
  const idx = new Map(routes.map((r, i) => [r, i]));
  return [...routes].sort((a, b) => {
    if (a.table !== b.table) return (a.table & 255) - (b.table & 255) || a.table - b.table;
    const ka = (a.dst.addr & maskOf(a.dst.len)) >>> 0;
    const kb = (b.dst.addr & maskOf(b.dst.len)) >>> 0;
    if (ka !== kb) return ka - kb;
    if (a.dst.len !== b.dst.len) return b.dst.len - a.dst.len;
    if (a.tos !== b.tos) return b.tos - a.tos;
    if (a.metric !== b.metric) return a.metric - b.metric;
    return idx.get(a)! - idx.get(b)!;
  });
}

function inPrefix(p: Prefix4, a: Ip4, len: number): boolean {
  const m = maskOf(len);
  return ((p.addr & m) >>> 0) === ((a & m) >>> 0);
}

function routeSelected(r: Route, f: RouteFilter): boolean {
  if (f.table !== 'all' && r.table !== f.table) return false;
  if (f.type !== undefined && r.type !== f.type) return false;
  if (f.proto !== undefined && protoName(r.proto) !== protoName(f.proto)) return false;
  if (f.scope !== undefined && scopeNum(r.scope) !== scopeNum(f.scope)) return false;
  if (f.dev !== undefined && r.dev !== f.dev) return false;
  if (f.via !== undefined && r.gateway !== f.via) return false;
  if (f.src !== undefined && r.prefsrc !== f.src) return false;
  if (f.root && !(r.dst.len >= f.root.len && inPrefix(f.root, r.dst.addr, f.root.len))) return false;
  if (f.match && !(r.dst.len <= f.match.len && inPrefix(r.dst, f.match.addr, r.dst.len))) return false;
  if (f.exact && !(r.dst.len === f.exact.len && inPrefix(r.dst, f.exact.addr, r.dst.len))) return false;
  return true;
}

function routeShow(ctx: CmdContext, args: readonly string[], opts: IpOpts, flush: boolean): CmdResult {
  const w = ctx.world;
  const f: RouteFilter = { table: TABLE_MAIN };
  let tableGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (v === undefined && ['table', 'type', 'proto', 'protocol', 'scope', 'dev', 'oif', 'via', 'src', 'root', 'match', 'exact', 'to'].includes(a)) return incomplete(w);
    if (a === 'table') {
      const t = parseTable(v!);
      if (t === undefined) return errOut(w, `Error: argument "${v}" is wrong: table id value is invalid\n\n`, 255);
      f.table = t;
      tableGiven = true;
      i++;
    } else if (a === 'cache') {
      if (flush) return okOut(w);
      throw new Unsupported('ip route show cache');
    } else if (a === 'type') {
      if (!ROUTE_TYPES.includes(v as RouteType)) return errOut(w, `Error: argument "${v}" is wrong: type value is invalid\n\n`, 255);
      f.type = v as RouteType;
      i++;
    } else if (ROUTE_TYPES.includes(a as RouteType)) f.type = a as RouteType;
    else if (a === 'proto' || a === 'protocol') {
      const p = parseProto(v!);
      if (p === undefined) return errOut(w, `Error: argument "${v}" is wrong: "protocol" value is invalid\n\n`, 255);
      f.proto = p;
      i++;
    } else if (a === 'scope') {
      const s = parseScope(v!);
      if (s === undefined) return errOut(w, `Error: argument "${v}" is wrong: invalid "scope" value\n\n`, 255);
      f.scope = s;
      i++;
    } else if (a === 'dev' || a === 'oif') {
      const l = linkByName(w.ns[ctx.ns]!, v!);
      if (!l) return errOut(w, `Cannot find device "${v}"\n`, 1);
      f.dev = l.ifindex;
      i++;
    } else if (a === 'via' || a === 'src') {
      const x = parseIp4Loose(v!);
      if (x === undefined) throw new Unsupported(`ip route show ${a} ${v}`);
      if (a === 'via') f.via = x;
      else f.src = x;
      i++;
    } else if (a === 'root' || a === 'match' || a === 'exact' || a === 'to') {
      const p = parseDst(v!);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${v}".\n`, 1);
      if (a === 'root') f.root = p;
      else if (a === 'match') f.match = p;
      else f.exact = p;
      i++;
    } else if (['from', 'iif', 'metric', 'realm', 'realms', 'mark', 'vrf', 'nhid', 'tos', 'dsfield', 'cloned', 'cached', 'preference'].includes(a) || a.startsWith('-')) {
      throw new Unsupported(`ip route show ${a}`);
    } else {
      const p = parseDst(a);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${a}".\n`, 1);
      f.exact = p;
    }
  }
  const ns = w.ns[ctx.ns]!;
  if (typeof f.table === 'number' && f.table !== TABLE_MAIN && f.table !== TABLE_LOCAL && !(ns.fibTables ?? []).includes(f.table)) {
    return errOut(w, 'Error: ipv4: FIB table does not exist.\nDump terminated\n', 2);
  }
  if (flush) {
    if (args.length === 0) return errOut(w, '"ip route flush" requires arguments.\n', 255);
    const r = routeFlush(w, ctx.ns, (r) => routeSelected(r, f));
    return r.ok ? okOut(r.world) : opErr(w, r);
  }
  if (f.table === 'all' && opts.family !== 'inet') throw new Unsupported('ip route show table all (IPv6 routes are not modelled; use ip -4)');
  void tableGiven;
  const routes = dumpOrder(ns.routes.filter((r) => routeSelected(r, f)));
  if (opts.json) return okOut(w, json(routes.map((r) => routeJson(w, ctx.ns, r, f, opts.details)), opts.pretty) + '\n');
  return okOut(w, routes.map((r) => routeText(w, ctx.ns, r, f, opts.details)).join(''));
}

function devName(w: World, ns: NsName, i: number | undefined): string {
  return i === undefined ? '' : (w.ns[ns]?.links[i]?.name ?? `if${i}`);
}

function routeFlags(w: World, ns: NsName, r: Route): string[] {
  const fl: string[] = [];
  if (r.onlink) fl.push('onlink');
  if (nexthopLinkdown(w, ns, r)) fl.push('linkdown');
  return fl;
}

/** One line of `ip route show` (print_route). */
export function routeText(w: World, ns: NsName, r: Route, f: Pick<RouteFilter, 'table' | 'type' | 'proto' | 'scope' | 'dev' | 'via' | 'src'>, details = 0): string {
  const p: string[] = [];
  // print_route: the type is printed even when it was the filter (unlike
  // proto/scope/dev): `(!filter.typemask || (filter.typemask & (1 << type)))`
  // holds for every route the filter let through (`ip route show type
  // unreachable` prints `unreachable 10.4.0.0/24`, checked on the kernel).
  if (r.type !== 'unicast' || details > 0) p.push(r.type);
  p.push(formatRouteDst(r.dst));
  if (r.tos !== 0) p.push(`tos 0x${r.tos.toString(16).padStart(2, '0')}`);
  if (r.gateway !== undefined && f.via === undefined) p.push(`via ${formatIp4(r.gateway)}`);
  if (r.dev !== undefined && f.dev === undefined) p.push(`dev ${devName(w, ns, r.dev)}`);
  if ((r.table !== TABLE_MAIN || details > 0) && f.table === 'all') p.push(`table ${tableName(r.table)}`);
  if ((protoName(r.proto) !== 'boot' || details > 0) && f.proto === undefined) p.push(`proto ${protoName(r.proto)}`);
  if ((scopeNum(r.scope) !== 0 || details > 0) && f.scope === undefined) p.push(`scope ${scopeName(r.scope)}`);
  if (r.prefsrc !== undefined && f.src === undefined) p.push(`src ${formatIp4(r.prefsrc)}`);
  if (r.metric !== 0) p.push(`metric ${r.metric}`);
  p.push(...routeFlags(w, ns, r));
  if (r.mtu !== undefined) p.push(`mtu ${r.mtu}`);
  return p.join(' ') + ' \n';
}

export function routeJson(w: World, ns: NsName, r: Route, f: Pick<RouteFilter, 'table' | 'type' | 'proto' | 'scope' | 'dev' | 'via' | 'src'>, details = 0): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  if (r.type !== 'unicast' || details > 0) j['type'] = r.type;
  j['dst'] = formatRouteDst(r.dst);
  if (r.tos !== 0) j['tos'] = `0x${r.tos.toString(16).padStart(2, '0')}`;
  if (r.gateway !== undefined && f.via === undefined) j['gateway'] = formatIp4(r.gateway);
  if (r.dev !== undefined && f.dev === undefined) j['dev'] = devName(w, ns, r.dev);
  if ((r.table !== TABLE_MAIN || details > 0) && f.table === 'all') j['table'] = tableName(r.table);
  if ((protoName(r.proto) !== 'boot' || details > 0) && f.proto === undefined) j['protocol'] = protoName(r.proto);
  if ((scopeNum(r.scope) !== 0 || details > 0) && f.scope === undefined) j['scope'] = scopeName(r.scope);
  if (r.prefsrc !== undefined && f.src === undefined) j['prefsrc'] = formatIp4(r.prefsrc);
  if (r.metric !== 0) j['metric'] = r.metric;
  j['flags'] = routeFlags(w, ns, r);
  if (r.mtu !== undefined) j['metrics'] = [{ mtu: r.mtu }];
  return j;
}

// ---------------------------------------------------------------------------
// get

function routeGet(ctx: CmdContext, args: readonly string[], opts: IpOpts): CmdResult {
  const w = ctx.world;
  let dst: Ip4 | undefined;
  let dstText = '';
  let from: Ip4 | undefined;
  let oif: number | undefined;
  let iif: number | undefined;
  let tos = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (['from', 'oif', 'iif', 'tos', 'dsfield', 'mark', 'to', 'uid', 'ipproto', 'sport', 'dport', 'vrf'].includes(a) && v === undefined) return incomplete(w);
    if (a === 'from') {
      const p = parseDst(v!);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${v}".\n`, 1);
      from = p.addr;
      i++;
    } else if (a === 'oif' || a === 'dev') {
      const l = linkByName(w.ns[ctx.ns]!, v!);
      if (!l) return errOut(w, `Cannot find device "${v}"\n`, 1);
      oif = l.ifindex;
      i++;
    } else if (a === 'tos' || a === 'dsfield') {
      const n = /^0x[0-9a-f]+$/i.test(v!) ? parseInt(v!, 16) : Number(v);
      if (!(n >= 0 && n <= 255)) return errOut(w, `Error: argument "${v}" is wrong: TOS value is invalid\n\n`, 255);
      tos = n;
      i++;
    } else if (a === 'iif') {
      const l = linkByName(w.ns[ctx.ns]!, v!);
      if (!l) return errOut(w, `Cannot find device "${v}"\n`, 1);
      iif = l.ifindex;
      i++;
    } else if (a === 'mark' || a === 'fibmatch' || a === 'connected' || a === 'uid' || a === 'ipproto' || a === 'sport' || a === 'dport' || a === 'vrf' || a.startsWith('-')) {
      throw new Unsupported(`ip route get ... ${a}`);
    } else {
      const t = a === 'to' ? v! : a;
      if (a === 'to') i++;
      if (dst !== undefined) return errOut(w, `Error: either "to" is duplicate, or "${t}" is a garbage.\n`, 255);
      const p = parseDst(t);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${t}".\n`, 1);
      dst = p.addr;
      dstText = formatIp4(p.addr);
    }
  }
  if (dst === undefined) return incomplete(w);
  const ns = w.ns[ctx.ns]!;
  if (iif !== undefined) return routeGetInput(w, ns, dst, dstText, from, iif, tos, opts);
  const res0 = routeOutput(ns, dst, { ...(from !== undefined ? { src: from } : {}), ...(oif !== undefined ? { oif } : {}), tos });
  if (!res0.ok) return errOut(w, `RTNETLINK answers: ${strerror(res0.errno)}\n`, 2);
  // A route exception from an ICMP redirect (src/sim/datapath/redirect.ts): `via GW ... cache <redirected> expires Nsec`.
  const res = withRedirect(ns, res0, dst, w.clockMs);
  const { mtu, expiresMs } = routeGetMtu(ns, res, dst, w.clockMs);
  // The kernel prints the seconds left rounded down, some jiffies after the exception was made.
  const expires = expiresMs !== undefined ? Math.max(0, Math.floor((expiresMs - w.clockMs - 1) / 1000)) : undefined;
  const dev = ns.links[res.dev];
  const local = res.type === 'local' || res.type === 'broadcast' || dev?.kind === 'loopback';
  const cache: string[] = [];
  // RTCF_LOCAL for a multicast result: the host is a member of the group on
  // the output device; every IPv4 device that is up joined 224.0.0.1.
  if (local || (res.type === 'multicast' && dst === ALL_HOSTS)) cache.push('local');
  if (res.type === 'broadcast') cache.push('brd');
  if (res.type === 'multicast') cache.push('mc');
  if (res.redirected) cache.push('redirected');
  // rtm_flags carries the route's RTCF_* bits; RTCF_MULTICAST (0x20000000) is
  // also RTM_F_OFFLOAD_FAILED, which iproute2 prints as `rt_offload_failed`.
  const flags = res.type === 'multicast' ? ['rt_offload_failed'] : [];
  const showSrc = res.src !== 0 && res.src !== from;
  if (opts.json) {
    const j: Record<string, unknown> = {};
    if (res.type !== 'unicast') j['type'] = res.type;
    j['dst'] = dstText;
    if (from !== undefined) j['from'] = formatIp4(from);
    if (res.gateway !== undefined) j['gateway'] = formatIp4(res.gateway);
    j['dev'] = dev?.name ?? '';
    if (showSrc) j['prefsrc'] = formatIp4(res.src);
    j['flags'] = flags;
    j['uid'] = 0;
    j['cache'] = cache;
    if (expires !== undefined) j['expires'] = expires;
    if (mtu !== undefined) j['metrics'] = [{ mtu }];
    return okOut(w, json([j], opts.pretty) + '\n');
  }
  const p: string[] = [];
  if (res.type !== 'unicast') p.push(res.type);
  p.push(dstText);
  if (from !== undefined) p.push(`from ${formatIp4(from)}`);
  if (res.gateway !== undefined) p.push(`via ${formatIp4(res.gateway)}`);
  p.push(`dev ${dev?.name ?? ''}`);
  if (showSrc) p.push(`src ${formatIp4(res.src)}`);
  p.push(...flags);
  p.push('uid 0');
  const text = `${p.join(' ')} \n    cache ${cache.length ? `<${cache.join(',')}> ` : ''}${expires !== undefined ? `expires ${expires}sec ` : ''}${mtu !== undefined ? `mtu ${mtu} ` : ''}\n`;
  return okOut(w, opts.oneline ? oneLine(text) : text);
}

/**
 * The `mtu` and `expires` of `ip route get`, as rt_fill_info() puts them:
 * the route's metrics (RTA_METRICS: `ip route add ... mtu 1400` prints
 * `cache mtu 1400`), with RTAX_MTU replaced by the path MTU of a live
 * exception of the nexthop (rt_pmtu, learnt from ICMP "frag needed":
 * `cache expires 594sec mtu 1400`). A redirect and a path MTU share one
 * exception (fib_nh_exception) and one fnhe_expires, which the latest
 * update_or_create_fnhe() set: the later learnt of the two gives `expires`.
 * Checked on the kernel (6.x): text `cache [<flags>] [expires Nsec] [mtu N] `,
 * JSON `"cache":[...],"expires":N,"metrics":[{"mtu":N}]`.
 */
function routeGetMtu(ns: Netns, res: OutputRoute & { readonly redirected?: RedirectException }, dst: Ip4, now: number): { mtu?: number; expiresMs?: number } {
  let mtu = res.route?.mtu;
  let expiresMs = res.redirected?.expiresMs;
  // Exceptions hang on a nexthop: none for local, broadcast or multicast results.
  const pmtu = res.type === 'unicast' && res.route !== undefined ? livePmtu(ns, dst, now) : undefined;
  if (pmtu) {
    mtu = pmtu.mtu;
    const learnt = pmtu.expiresMs - MTU_EXPIRES_MS;
    if (!res.redirected || learnt >= res.redirected.expiresMs - REDIRECT_EXPIRES_MS) expiresMs = pmtu.expiresMs;
  }
  return { ...(mtu !== undefined ? { mtu } : {}), ...(expiresMs !== undefined ? { expiresMs } : {}) };
}

/**
 * `ip route get DST from SRC iif DEV`: the kernel runs the input routing
 * decision (inet_rtm_getroute -> ip_route_input_rcu) on a made-up packet
 * arriving on DEV, so this shows what a router does with a forwarded packet
 * (rp_filter, forwarding, martians included). Checked on 6.18: no `src` and
 * no `uid` for input routes; `cache [<flags>] iif DEV`, where the flags are
 * `local` (+`brd`) for local delivery and `redirect` when the packet would
 * leave by the device it came in on (IPSKB_DOREDIRECT); every refusal of the
 * input path (martian, rp_filter, blackhole) is EINVAL, a route error or
 * forwarding off its own errno (rt->dst.error).
 */
function routeGetInput(w: World, ns: Netns, dst: Ip4, dstText: string, from: Ip4 | undefined, iif: number, tos: number, opts: IpOpts): CmdResult {
  const inDev = ns.links[iif]!;
  const r = routeInput(ns, from ?? (0 as Ip4), dst, tos, inDev);
  let type: 'unicast' | 'local' | 'broadcast';
  let outDev: string;
  let gateway: Ip4 | undefined;
  const cache: string[] = [];
  // The route's mtu metric (RTA_METRICS), printed after the cache flags and before `iif`.
  let mtu: number | undefined;
  switch (r.kind) {
    case 'local':
      type = 'local';
      outDev = 'lo';
      cache.push('local');
      break;
    case 'broadcast':
      type = 'broadcast';
      outDev = 'lo';
      cache.push('local', 'brd');
      break;
    case 'forward':
      type = 'unicast';
      outDev = ns.links[r.outDev]?.name ?? '';
      gateway = r.gateway;
      mtu = r.route.mtu;
      if (r.redirect) cache.push('redirect');
      break;
    case 'error':
      return errOut(w, `RTNETLINK answers: ${strerror(r.errno)}\n`, 2);
    default:
      return errOut(w, `RTNETLINK answers: ${strerror('EINVAL')}\n`, 2);
  }
  if (opts.json) {
    const j: Record<string, unknown> = {};
    if (type !== 'unicast') j['type'] = type;
    j['dst'] = dstText;
    if (from !== undefined) j['from'] = formatIp4(from);
    if (gateway !== undefined) j['gateway'] = formatIp4(gateway);
    j['dev'] = outDev;
    j['flags'] = [];
    j['cache'] = cache;
    if (mtu !== undefined) j['metrics'] = [{ mtu }];
    j['iif'] = inDev.name;
    return okOut(w, json([j], opts.pretty) + '\n');
  }
  const p: string[] = [];
  if (type !== 'unicast') p.push(type);
  p.push(dstText);
  if (from !== undefined) p.push(`from ${formatIp4(from)}`);
  if (gateway !== undefined) p.push(`via ${formatIp4(gateway)}`);
  p.push(`dev ${outDev}`);
  const text = `${p.join(' ')} \n    cache ${cache.length ? `<${cache.join(',')}> ` : ''}${mtu !== undefined ? `mtu ${mtu} ` : ''}iif ${inDev.name} \n`;
  return okOut(w, opts.oneline ? oneLine(text) : text);
}
