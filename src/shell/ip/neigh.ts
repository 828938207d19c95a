/**
 * `ip neigh`: add, replace, change, del, show, flush (iproute2 ip/ipneigh.c).
 */
import { formatIp4, parseIp4Loose, parseMac, type Ip4, type Mac, type Prefix4, prefixContains } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import type { Neigh, NeighState, NsName, World } from '../../model/world.js';
import { neighAdd, neighDel, neighFlush, pneighBucket, type NeighFlags } from '../../sim/ops/neigh.js';
import { Unsupported, type CmdContext, type CmdResult } from '../types.js';
import { matches, type IpObject, type IpOpts } from './index.js';
import { errOut, incomplete, json, okOut, opErr } from './link.js';
import { NEIGH_USAGE } from './usage.js';
import { ageNeighbours } from '../../sim/datapath/neigh.js';

const NUD: Readonly<Record<string, NeighState>> = {
  permanent: 'PERMANENT',
  reachable: 'REACHABLE',
  stale: 'STALE',
  noarp: 'NOARP',
  none: 'NONE',
  incomplete: 'INCOMPLETE',
  delay: 'DELAY',
  probe: 'PROBE',
  failed: 'FAILED',
};

export const ipNeigh: IpObject = (ctx, args, opts) => {
  if (opts.family === 'inet6') throw new Unsupported('ip -6 neigh');
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return neighShow(ctx, args.slice(1), opts, false);
  if (matches(verb, 'add')) return neighModify(ctx, args.slice(1), { create: true, excl: true }, false);
  if (matches(verb, 'change') || verb === 'chg') return neighModify(ctx, args.slice(1), { create: false, excl: false }, false);
  if (matches(verb, 'replace')) return neighModify(ctx, args.slice(1), { create: true, excl: false }, false);
  if (matches(verb, 'delete')) return neighModify(ctx, args.slice(1), { create: false, excl: false }, true);
  if (matches(verb, 'flush')) return neighShow(ctx, args.slice(1), opts, true);
  if (matches(verb, 'help')) return errOut(ctx.world, NEIGH_USAGE, 255);
  if (matches(verb, 'get')) throw new Unsupported(`ip neigh ${verb}`);
  return errOut(ctx.world, `Command "${verb}" is unknown, try "ip neigh help".\n`, 255);
};

function neighModify(ctx: CmdContext, args: readonly string[], f: NeighFlags, del: boolean): CmdResult {
  const w = ctx.world;
  let dst: Ip4 | undefined;
  let dev: string | undefined;
  let lladdr: Mac | undefined;
  let state: NeighState = 'PERMANENT';
  let proxy = false;
  let router = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (['lladdr', 'nud', 'dev', 'proxy', 'to'].includes(a) && v === undefined) return incomplete(w);
    if (a === 'lladdr') {
      const m = parseMac(v!);
      if (!m) return errOut(w, `"${v}" is invalid lladdr.\n`, 1);
      lladdr = m;
      i++;
    } else if (a === 'nud') {
      const s = NUD[v!];
      if (!s) return errOut(w, `Error: argument "${v}" is wrong: nud state is bad\n\n`, 255);
      state = s;
      i++;
    } else if (a === 'dev') {
      dev = v;
      i++;
    } else if (a === 'proxy') {
      proxy = true;
      const p = parseIp4Loose(v!);
      if (p === undefined) throw new Unsupported(`ip neigh proxy ${v}`);
      dst = p;
      i++;
    } else if (a === 'router') router = true;
    else if (['extern_learn', 'use', 'managed', 'protocol', 'vrf'].includes(a) || a.startsWith('-')) throw new Unsupported(`ip neigh ... ${a}`);
    else {
      const t = a === 'to' ? v! : a;
      if (a === 'to') i++;
      if (t.includes(':')) throw new Unsupported('ip neigh: IPv6');
      const p = parseIp4Loose(t);
      if (p === undefined) return errOut(w, `Error: inet address is expected rather than "${t}".\n`, 1);
      if (dst !== undefined) return errOut(w, `Error: either "to" is duplicate, or "${t}" is a garbage.\n`, 255);
      dst = p;
    }
  }
  if (dst === undefined || dev === undefined) {
    return errOut(w, 'Device and destination are required arguments.\n', 255);
  }
  const l = linkByName(w.ns[ctx.ns]!, dev);
  if (!l) return errOut(w, `Cannot find device "${dev}"\n`, 1);
  const r = del
    ? neighDel(w, ctx.ns, l.ifindex, dst, proxy)
    : neighAdd(w, ctx.ns, { ifindex: l.ifindex, dst, ...(lladdr ? { lladdr } : {}), state, proxy, router }, f);
  return r.ok ? okOut(r.world) : opErr(w, r);
}

interface NeighFilter {
  dev?: number;
  to?: Prefix4;
  proxy: boolean;
  /** States shown; undefined = iproute2's default (all but NOARP for show, all but PERMANENT/NOARP for flush). */
  states?: NeighState[] | 'all';
}

function neighShow(ctx: CmdContext, args: readonly string[], opts: IpOpts, flush: boolean): CmdResult {
  // The neighbour timers run lazily (src/sim/datapath/neigh.ts): age every entry to now first.
  const w = ageNeighbours(ctx.world);
  const f: NeighFilter = { proxy: false };
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (['dev', 'nud', 'to'].includes(a) && v === undefined) return incomplete(w);
    if (a === 'dev') {
      const l = linkByName(w.ns[ctx.ns]!, v!);
      if (!l) return errOut(w, `Cannot find device "${v}"\n`, 1);
      f.dev = l.ifindex;
      i++;
    } else if (a === 'proxy') f.proxy = true;
    else if (a === 'all') all = true;
    else if (a === 'nud') {
      if (v === 'all') f.states = 'all';
      else {
        const s = NUD[v!];
        if (!s) return errOut(w, `Error: argument "${v}" is wrong: nud state is bad\n\n`, 255);
        f.states = f.states === undefined || f.states === 'all' ? [s] : [...f.states, s];
      }
      i++;
    } else if (['unused', 'vrf', 'master', 'router', 'extern_learn', 'nomaster'].includes(a) || a.startsWith('-')) throw new Unsupported(`ip neigh show ${a}`);
    else if (matches(a, 'help')) return errOut(w, NEIGH_USAGE, 255);
    else {
      const t = a === 'to' ? v! : a;
      if (a === 'to') i++;
      if (t.includes(':')) throw new Unsupported('ip neigh: IPv6');
      const slash = t.indexOf('/');
      const p = parseIp4Loose(slash < 0 ? t : t.slice(0, slash));
      const len = slash < 0 ? 32 : Number(t.slice(slash + 1));
      if (p === undefined || !(len >= 0 && len <= 32)) return errOut(w, `Error: any valid prefix is expected rather than "${t}".\n`, 1);
      f.to = { addr: p, len };
    }
  }
  const ns = w.ns[ctx.ns]!;
  const stateOk = (n: Neigh): boolean => {
    if (f.states === 'all') return true;
    if (f.states) return f.states.includes(n.state);
    if (flush) return n.state !== 'PERMANENT' && n.state !== 'NOARP';
    return n.state !== 'NOARP';
  };
  const sel = (n: Neigh): boolean =>
    n.proxy === f.proxy && (f.dev === undefined || n.ifindex === f.dev) && (!f.to || prefixContains(f.to, n.dst)) && (n.proxy || stateOk(n));
  if (flush) {
    if (args.length === 0) return errOut(w, 'Flush requires arguments.\n', 1);
    if (f.proxy) throw new Unsupported('ip neigh flush proxy');
    void all;
    const r = neighFlush(w, ctx.ns, sel);
    return r.ok ? okOut(r.world) : opErr(w, r);
  }
  let list = ns.neigh.filter(sel);
  if (f.proxy) {
    // pneigh dump order: hash bucket, newest first within a bucket.
    const pos = new Map(list.map((n, i) => [n, i]));
    list = [...list].sort((a, b) => pneighBucket(a.dst) - pneighBucket(b.dst) || pos.get(b)! - pos.get(a)!);
  }
  if (opts.json) return okOut(w, json(list.map((n) => neighJson(w, ctx.ns, n, f)), opts.pretty) + '\n');
  return okOut(w, list.map((n) => neighText(w, ctx.ns, n, f)).join(''));
}

function devName(w: World, ns: NsName, i: number): string {
  return w.ns[ns]?.links[i]?.name ?? `if${i}`;
}

/** One line of `ip neigh show` (print_neigh). */
export function neighText(w: World, ns: NsName, n: Neigh, f: { dev?: number } = {}): string {
  const p: string[] = [formatIp4(n.dst)];
  if (f.dev === undefined) p.push(`dev ${devName(w, ns, n.ifindex)}`);
  if (n.lladdr !== undefined && !n.proxy) p.push(`lladdr ${n.lladdr}`);
  if (n.router) p.push('router');
  if (n.proxy) p.push('proxy');
  else p.push(n.state);
  return p.join(' ') + ' \n';
}

export function neighJson(w: World, ns: NsName, n: Neigh, f: { dev?: number } = {}): Record<string, unknown> {
  const j: Record<string, unknown> = { dst: formatIp4(n.dst) };
  if (f.dev === undefined) j['dev'] = devName(w, ns, n.ifindex);
  if (n.lladdr !== undefined && !n.proxy) j['lladdr'] = n.lladdr;
  if (n.router) j['router'] = null;
  if (n.proxy) j['proxy'] = null;
  else j['state'] = [n.state];
  return j;
}
