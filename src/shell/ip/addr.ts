/**
 * `ip addr`: add, del, replace, flush, show (iproute2 ip/ipaddress.c). IPv4
 * only; IPv6 is printed (lo's ::1, the link-local fe80:: of devices that got
 * one) for realism but cannot be changed.
 */
import { formatIp4, parseIp4Loose, type Ip4 } from '../../model/addr.js';
import { isSecondary, linkByName, linksSorted } from '../../model/queries.js';
import type { AddrScope, IfAddr, Link, NsName, World } from '../../model/world.js';
import { addrAdd, addrDel, addrFlush } from '../../sim/ops/addr.js';
import { Unsupported, type CmdContext, type CmdResult } from '../types.js';
import { matches, type IpObject, type IpOpts } from './index.js';
import { ADDR_USAGE } from './usage.js';
import {
  briefPrefix,
  errOut,
  garbage,
  incomplete,
  json,

  linkHeaderJson,
  linkRefJson,
  oneLine,
  linkHeaderText,
  linkLocalOf,
  okOut,
  opErr,
} from './link.js';
import { operState } from '../../model/queries.js';

/** rtnl_rtscope_n2a() */
export function scopeName(s: AddrScope | number | string): string {
  if (typeof s === 'string') return s;
  switch (s) {
    case 0:
      return 'global';
    case 200:
      return 'site';
    case 253:
      return 'link';
    case 254:
      return 'host';
    case 255:
      return 'nowhere';
    default:
      return String(s);
  }
}

/** rtnl_rtscope_a2n(): a scope name or number; undefined if invalid. */
export function parseScope(t: string): AddrScope | undefined {
  if (t === 'global' || t === 'universe') return 'global';
  if (t === 'host' || t === 'link' || t === 'site') return t;
  if (t === 'nowhere') return 255;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
    const n = Number(t);
    if (n > 255) return undefined;
    if (n === 0) return 'global';
    if (n === 200) return 'site';
    if (n === 253) return 'link';
    if (n === 254) return 'host';
    return n;
  }
  return undefined;
}

/** get_prefix() for AF_INET: loose dotted quad, optional /len (0..32). */
export function parsePrefixArg(t: string): { addr: Ip4; len: number; hasLen: boolean } | undefined {
  const slash = t.indexOf('/');
  const a = parseIp4Loose(slash < 0 ? t : t.slice(0, slash));
  if (a === undefined) return undefined;
  if (slash < 0) return { addr: a, len: 32, hasLen: false };
  const l = t.slice(slash + 1);
  if (!/^\d{1,2}$/.test(l) || Number(l) > 32) return undefined;
  return { addr: a, len: Number(l), hasLen: true };
}

const LFT = '       valid_lft forever preferred_lft forever\n';
const FOREVER = 4294967295;

function addrLineText(link: Link, a: IfAddr): string {
  let s = `    inet ${formatIp4(a.local)}`;
  s += a.peer !== undefined ? ` peer ${formatIp4(a.peer)}/${a.prefixLen}` : `/${a.prefixLen}`;
  if (a.broadcast !== undefined) s += ` brd ${formatIp4(a.broadcast)}`;
  s += ` scope ${scopeName(a.scope)}`;
  if (isSecondary(link, a)) s += ' secondary';
  if (a.noprefixroute) s += ' noprefixroute';
  s += ` ${a.label}\n` + LFT;
  return s;
}

function addrJson(link: Link, a: IfAddr): Record<string, unknown> {
  const j: Record<string, unknown> = { family: 'inet', local: formatIp4(a.local) };
  if (a.peer !== undefined) j['address'] = formatIp4(a.peer);
  j['prefixlen'] = a.prefixLen;
  if (a.broadcast !== undefined) j['broadcast'] = formatIp4(a.broadcast);
  j['scope'] = scopeName(a.scope);
  if (isSecondary(link, a)) j['secondary'] = true;
  if (a.noprefixroute) j['noprefixroute'] = true;
  j['label'] = a.label;
  j['valid_life_time'] = FOREVER;
  j['preferred_life_time'] = FOREVER;
  return j;
}

/** The IPv6 addresses the kernel would show: ::1 on an up lo, the fe80:: link-local elsewhere. */
function inet6Of(world: World, nsName: NsName, link: Link): { local: string; len: number; scope: string }[] {
  if (link.kind === 'loopback') return link.adminUp ? [{ local: '::1', len: 128, scope: 'host' }] : [];
  const ll = linkLocalOf(world, nsName, link);
  return ll ? [{ local: ll, len: 64, scope: 'link' }] : [];
}

export const ipAddr: IpObject = (ctx, args, opts) => {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return addrShow(ctx, args.slice(1), opts);
  if (matches(verb, 'add')) return addrModify(ctx, args.slice(1), 'add');
  if (matches(verb, 'delete')) return addrModify(ctx, args.slice(1), 'del');
  if (matches(verb, 'replace')) return addrModify(ctx, args.slice(1), 'replace');
  if (matches(verb, 'change')) return addrModify(ctx, args.slice(1), 'replace');
  if (matches(verb, 'flush')) return addrFlushCmd(ctx, args.slice(1), opts);
  if (matches(verb, 'help')) return errOut(ctx.world, ADDR_USAGE, 255);
  if (matches(verb, 'showdump') || matches(verb, 'restore') || matches(verb, 'save')) throw new Unsupported(`ip addr ${verb}`);
  return errOut(ctx.world, `Command "${verb}" is unknown, try "ip address help".\n`, 255);
};

// ---------------------------------------------------------------------------
// add / del / replace

function addrModify(ctx: CmdContext, args: readonly string[], cmd: 'add' | 'del' | 'replace'): CmdResult {
  const w = ctx.world;
  let dev: string | undefined;
  let local: { addr: Ip4; len: number; hasLen: boolean; text: string } | undefined;
  let peer: { addr: Ip4; len: number; hasLen: boolean } | undefined;
  let brd: Ip4 | '+' | '-' | undefined;
  let scope: AddrScope | undefined;
  let label: string | undefined;
  let noprefixroute = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (a === 'dev') {
      if (v === undefined) return incomplete(w);
      dev = v;
      i++;
    } else if (a === 'peer' || a === 'remote') {
      if (v === undefined) return incomplete(w);
      if (v.includes(':')) throw new Unsupported('ip addr: IPv6');
      const p = parsePrefixArg(v);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${v}".\n`, 1);
      peer = p;
      i++;
    } else if (a === 'broadcast' || a === 'brd') {
      if (v === undefined) return incomplete(w);
      if (v === '+' || v === '-') brd = v;
      else {
        const b = parseIp4Loose(v);
        if (b === undefined) return errOut(w, `Error: an IP address is expected rather than "${v}".\n`, 1);
        brd = b;
      }
      i++;
    } else if (a === 'scope') {
      if (v === undefined) return incomplete(w);
      const s = parseScope(v);
      if (s === undefined) return errOut(w, `Error: argument "${v}" is wrong: invalid scope value.\n`, 255);
      scope = s;
      i++;
    } else if (a === 'label') {
      if (v === undefined) return incomplete(w);
      label = v;
      i++;
    } else if (a === 'noprefixroute') noprefixroute = true;
    else if (a === 'valid_lft' || a === 'preferred_lft') {
      if (v !== 'forever') throw new Unsupported(`ip addr ${a} ${v ?? ''}`);
      i++;
    } else if (['anycast', 'metric', 'priority', 'preference', 'home', 'nodad', 'mngtmpaddr', 'optimistic', 'autojoin', 'proto', 'to'].includes(a)) {
      throw new Unsupported(`ip addr ${cmd} ... ${a}`);
    } else {
      let t = a;
      if (a === 'local') {
        if (v === undefined) return incomplete(w);
        t = v;
        i++;
      }
      if (local !== undefined) return garbage(w, 'local', t);
      if (t.includes(':')) throw new Unsupported('ip addr: IPv6');
      const p = parsePrefixArg(t);
      if (!p) return errOut(w, `Error: any valid prefix is expected rather than "${t}".\n`, 1);
      local = { ...p, text: t };
    }
  }
  if (dev === undefined) return errOut(w, 'Not enough information: "dev" argument is required.\n', 1);
  if (label !== undefined && label !== dev && !label.startsWith(dev + ':')) {
    return errOut(w, `"label" (${label}) must match "dev" (${dev}) or be prefixed by "dev" with a colon.\n`, 1);
  }
  const link = linkByName(w.ns[ctx.ns]!, dev);
  if (!link) return errOut(w, `Cannot find device "${dev}"\n`, 1);
  if (local === undefined) return errOut(w, 'RTNETLINK answers: Operation not supported\n', 2);
  // With a peer, the prefix length comes from the peer (iproute2 puts it in ifa_prefixlen).
  const len = peer ? peer.len : local.len;
  if (cmd === 'del') {
    let out = '';
    if (!local.hasLen && !peer) {
      out =
        'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        `         Explicitly specify the prefix length (${formatIp4(local.addr)}/32) to avoid this warning.\n` +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n';
    }
    const r = addrDel(w, ctx.ns, link.ifindex, {
      local: local.addr,
      ...(local.hasLen || peer ? { prefixLen: len } : {}),
      ...(peer ? { peer: peer.addr } : {}),
      ...(label !== undefined ? { label } : {}),
    });
    const warn = out ? [{ fd: 2 as const, text: out }] : [];
    if (!r.ok) return { world: w, out: [...warn, { fd: 2, text: r.error + '\n' }], status: 2 };
    return { world: r.world, out: warn, status: 0 };
  }
  // ipaddr_modify: `brd +`/`brd -` computed from the peer (or local) when the prefix is <= /30.
  let broadcast: Ip4 | undefined;
  if (brd === '+' || brd === '-') {
    const base = peer ? peer.addr : local.addr;
    if (len <= 30) {
      const host = len === 0 ? 0xffffffff : (1 << (32 - len)) - 1;
      broadcast = (brd === '+' ? (base | host) >>> 0 : (base & ~host) >>> 0) as Ip4;
    }
  } else if (brd !== undefined) broadcast = brd;
  // default_scope(): 127/8 addresses get scope host.
  const sc: AddrScope = scope ?? (local.addr >>> 24 === 127 ? 'host' : 'global');
  const ifa: IfAddr = {
    local: local.addr,
    prefixLen: len,
    ...(peer ? { peer: peer.addr } : {}),
    ...(broadcast !== undefined ? { broadcast } : {}),
    scope: sc,
    label: label ?? dev,
    noprefixroute,
  };
  const r = addrAdd(w, ctx.ns, link.ifindex, ifa, { replace: cmd === 'replace' });
  return r.ok ? okOut(r.world) : opErr(w, r);
}

// ---------------------------------------------------------------------------
// show / flush

interface AddrFilter {
  dev?: string;
  up?: boolean;
  scope?: AddrScope;
  primary?: boolean;
  secondary?: boolean;
}

function parseAddrFilter(ctx: CmdContext, args: readonly string[]): AddrFilter | CmdResult {
  const f: AddrFilter = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      const v = args[++i];
      if (v === undefined) return incomplete(ctx.world);
      if (f.dev !== undefined) return garbage(ctx.world, 'dev', v);
      f.dev = v;
    } else if (a === 'up') f.up = true;
    else if (a === 'scope') {
      const v = args[++i];
      if (v === undefined) return incomplete(ctx.world);
      const s = parseScope(v);
      if (s === undefined) return errOut(ctx.world, `Error: argument "${v}" is wrong: invalid scope value.\n`, 255);
      f.scope = s;
    } else if (a === 'primary') f.primary = true;
    else if (a === 'secondary') f.secondary = true;
    else if (['label', 'to', 'type', 'master', 'vrf', 'nomaster', 'permanent', 'dynamic', 'tentative', 'deprecated', 'dadfailed', 'temporary', 'group'].includes(a) || a.startsWith('-')) {
      throw new Unsupported(`ip addr show ${a}`);
    } else if (matches(a, 'help')) return errOut(ctx.world, ADDR_USAGE, 255);
    else {
      if (f.dev !== undefined) return garbage(ctx.world, 'dev', a);
      f.dev = a;
    }
  }
  return f;
}

function addrKept(link: Link, a: IfAddr, f: AddrFilter): boolean {
  if (f.scope !== undefined && scopeName(a.scope) !== scopeName(f.scope)) return false;
  if (f.primary && isSecondary(link, a)) return false;
  if (f.secondary && !isSecondary(link, a)) return false;
  return true;
}

function addrShow(ctx: CmdContext, args: readonly string[], opts: IpOpts): CmdResult {
  if (opts.stats > 0) throw new Unsupported('ip -s addr');
  if (opts.oneline && opts.json && !opts.brief) throw new Unsupported('ip -o -j addr (a flat addr_info list)');
  const w = ctx.world;
  const f = parseAddrFilter(ctx, args);
  if ('world' in f) return f;
  const ns = w.ns[ctx.ns]!;
  let links = linksSorted(ns);
  if (f.dev !== undefined) {
    const l = linkByName(ns, f.dev);
    if (!l) return errOut(w, `Device "${f.dev}" does not exist.\n`, 1);
    links = [l];
  }
  if (f.up) links = links.filter((l) => l.adminUp);
  const fam = opts.family;
  const addrFilterOn = f.scope !== undefined || f.primary || f.secondary;
  const want4 = fam === undefined || fam === 'inet';
  const want6 = (fam === undefined || fam === 'inet6') && !addrFilterOn;
  const rows = links.map((l) => ({
    link: l,
    v4: want4 ? l.addrs.filter((a) => addrKept(l, a, f)) : [],
    v6: want6 ? inet6Of(w, ctx.ns, l) : [],
  }));
  // With a family filter, links without an address of that family are not shown.
  const shown = fam === 'inet' || fam === 'inet6' ? rows.filter((r) => r.v4.length + r.v6.length > 0) : rows;
  if (fam === 'link') throw new Unsupported('ip -0 addr');
  if (opts.brief) {
    if (opts.json) {
      return okOut(
        w,
        json(
          shown.map((r) => {
            const j: Record<string, unknown> = { ...linkRefJson(w, ctx.ns, r.link) };
            j['ifname'] = r.link.name;
            j['operstate'] = operState(w, ctx.ns, r.link);
            j['addr_info'] = [
              ...r.v4.map((a) => ({ local: formatIp4(a.local), ...(a.peer !== undefined ? { address: formatIp4(a.peer) } : {}), prefixlen: a.prefixLen })),
              ...r.v6.map((a) => ({ local: a.local, prefixlen: a.len })),
            ];
            return j;
          }),
          opts.pretty,
        ) + '\n',
      );
    }
    return okOut(
      w,
      shown
        .map((r) => {
          let s = briefPrefix(w, ctx.ns, r.link);
          for (const a of r.v4) s += a.peer !== undefined ? `${formatIp4(a.local)} peer ${formatIp4(a.peer)}/${a.prefixLen} ` : `${formatIp4(a.local)}/${a.prefixLen} `;
          for (const a of r.v6) s += `${a.local}/${a.len} `;
          return s + '\n';
        })
        .join(''),
    );
  }
  const hopts = { doLink: false, details: opts.details };
  if (opts.json) {
    return okOut(
      w,
      json(
        shown.map((r) => {
          const j = linkHeaderJson(w, ctx.ns, r.link, hopts);
          if (fam === 'inet' || fam === 'inet6') {
            // The link/ether line's fields go; link_netnsid stays (kernel: `ip -j -4 addr`).
            for (const k of ['link_type', 'address', 'broadcast']) delete j[k];
          }
          j['addr_info'] = [
            ...r.v4.map((a) => addrJson(r.link, a)),
            ...r.v6.map((a) => ({ family: 'inet6', local: a.local, prefixlen: a.len, scope: a.scope, valid_life_time: FOREVER, preferred_life_time: FOREVER })),
          ];
          return j;
        }),
        opts.pretty,
      ) + '\n',
    );
  }
  let out = '';
  if (opts.oneline) {
    // `ip -o addr`: no link header; each address on one line prefixed with
    // "IFINDEX: NAME" (no @peer), its inner newlines printed as `\` (_SL_).
    for (const r of shown) {
      const pre = `${r.link.ifindex}: ${r.link.name}`;
      for (const a of r.v4) out += pre + oneLine(addrLineText(r.link, a));
      for (const a of r.v6) out += pre + oneLine(`    inet6 ${a.local}/${a.len} scope ${a.scope} \n` + LFT);
    }
    return okOut(w, out);
  }
  for (const r of shown) {
    let h = linkHeaderText(w, ctx.ns, r.link, hopts);
    // With a family filter the link/ether line is not printed (only the first
    // line), but print_linkinfo still prints IFLA_LINK_NETNSID after it, so a
    // cross-namespace peer's ` link-netns NAME` ends the first line (kernel:
    // `... state UP group default  link-netns pa`).
    if (fam === 'inet' || fam === 'inet6') {
      const nl = h.indexOf('\n');
      const netns = / link-netns(?:id)? \S+/.exec(h.slice(nl + 1).split('\n')[0] ?? '');
      h = h.slice(0, nl) + (netns ? netns[0] : '') + '\n';
    }
    out += h;
    for (const a of r.v4) out += addrLineText(r.link, a);
    for (const a of r.v6) out += `    inet6 ${a.local}/${a.len} scope ${a.scope} \n` + LFT;
  }
  return okOut(w, out);
}

function addrFlushCmd(ctx: CmdContext, args: readonly string[], opts: IpOpts): CmdResult {
  const w = ctx.world;
  if (args.length === 0) return errOut(w, 'Flush requires arguments.\n', 1);
  if (opts.family === 'inet6') throw new Unsupported('ip -6 addr flush');
  const f = parseAddrFilter(ctx, args);
  if ('world' in f) return f;
  const ns = w.ns[ctx.ns]!;
  let links = linksSorted(ns);
  if (f.dev !== undefined) {
    const l = linkByName(ns, f.dev);
    if (!l) return errOut(w, `Device "${f.dev}" does not exist.\n`, 1);
    links = [l];
  }
  if (f.up) links = links.filter((l) => l.adminUp);
  const r = addrFlush(
    w,
    ctx.ns,
    links.map((l) => l.ifindex),
    (l, a) => addrKept(l, a, f),
  );
  return r.ok ? okOut(r.world) : opErr(w, r);
}
