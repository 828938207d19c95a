/**
 * `ip link`: add, delete, set, show (iproute2 ip/iplink.c and ip/ipaddress.c
 * print_linkinfo()). The header lines are shared with `ip addr show`.
 */
import { linkLocal6, parseMac, type Mac } from '../../model/addr.js';
import { hasCarrier, linkByName, linksSorted, operState, vethPeer } from '../../model/queries.js';
import { ROOT_NS, type Link, type NsName, type World } from '../../model/world.js';
import { findLink, linkDel, linkRename, linkSetAttrs, linkSetMac, linkSetMtu, linkSetNetns } from '../../sim/ops/link.js';
import { setLinkUp } from '../../sim/ops/link-state.js';
import type { OpResult } from '../../sim/ops/netns.js';
import { Unsupported, type CmdContext, type CmdResult } from '../types.js';
import { matches, type IpObject, type IpOpts } from './index.js';
import { unquoteRaw } from './raw-json.js';
import { LINK_USAGE } from './usage.js';
import { getLinkKind, isKindParseError, type NewLinkArgs } from './link-kinds/index.js';

// ---------------------------------------------------------------------------
// small result helpers

export const okOut = (world: World, text = ''): CmdResult => ({ world, out: text ? [{ fd: 1, text }] : [], status: 0 });
export const errOut = (world: World, text: string, status: number): CmdResult => ({
  world,
  out: text ? [{ fd: 2, text }] : [],
  status,
});
/** An operation's error text, printed as `ip` prints it (exit 2). */
export const opErr = (world: World, r: OpResult & { ok: false }): CmdResult => errOut(world, r.error + '\n', 2);
export const incomplete = (world: World): CmdResult => errOut(world, 'Command line is not complete. Try option "help"\n', 255);
export const argWrong = (world: World, arg: string, what: string): CmdResult =>
  errOut(world, `Error: argument "${arg}" is wrong: Invalid "${what}" value\n\n`, 255);
export const garbage = (world: World, key: string, arg: string): CmdResult =>
  errOut(world, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`, 255);

/** iproute2's -oneline: the record's inner line breaks become `\` (_SL_), only the last newline stays. */
export function oneLine(text: string): string {
  return text.replace(/\n(?=[^]*\n)/g, '\\');
}

/**
 * JSON the way iproute2's json_writer prints it: compact (no spaces), or with
 * `ip -pretty` (-j -p) its pretty layout (see prettyJson).
 */
export function json(v: unknown, pretty = false): string {
  // Values made with rawJson() (./raw-json.ts) print verbatim: iproute2's "%.2f" timers.
  return unquoteRaw(pretty ? prettyJson(v) : JSON.stringify(v));
}

/**
 * lib/json_writer.c with pretty=1, replayed on a value: a member name starts
 * a new line indented 4 spaces per open object/array (jsonw_name ->
 * jsonw_eol), `name: value`; arrays open as `[ ` and close as ` ]` when they
 * had elements (`[ ]` when empty); array elements other than objects follow
 * each other with a bare `,` on the same line; an object closes on its own
 * line at its parent's depth. Checked on iproute2 6.1 (`ip -j -p addr`):
 *   [ {
 *           "ifindex": 2,
 *           "flags": [ "BROADCAST","MULTICAST" ],
 *           "addr_info": [ {
 *                   "family": "inet"
 *               } ]
 *       } ]
 */
export function prettyJson(v: unknown): string {
  let out = '';
  let depth = 0;
  let sep = '';
  const eol = (): void => {
    out += '\n' + '    '.repeat(depth);
  };
  const eor = (): void => {
    out += sep;
    sep = ',';
  };
  const value = (x: unknown): void => {
    if (Array.isArray(x)) {
      eor();
      out += '[';
      depth++;
      sep = '';
      out += ' ';
      for (const e of x) value(e);
      if (sep !== '') out += ' ';
      sep = '';
      depth--;
      out += ']';
      sep = ',';
    } else if (x !== null && typeof x === 'object') {
      eor();
      out += '{';
      depth++;
      sep = '';
      for (const [k, e] of Object.entries(x as Record<string, unknown>)) {
        if (e === undefined) continue;
        eor();
        eol();
        sep = '';
        out += JSON.stringify(k) + ': ';
        value(e);
      }
      depth--;
      if (sep !== '') eol();
      out += '}';
      sep = ',';
    } else {
      eor();
      out += JSON.stringify(x);
    }
  };
  value(v);
  return out;
}

// ---------------------------------------------------------------------------
// printing (print_linkinfo)

/** IFF_* flags in the order iproute2's print_link_flags() prints them. */
export function linkFlags(world: World, nsName: NsName, link: Link): string[] {
  const f: string[] = [];
  const carrier = hasCarrier(world, nsName, link);
  if (link.adminUp && !carrier) f.push('NO-CARRIER');
  if (link.kind === 'loopback') f.push('LOOPBACK');
  else f.push('BROADCAST', 'MULTICAST');
  if (link.promisc) f.push('PROMISC');
  if (link.adminUp) f.push('UP');
  if (link.adminUp && carrier) f.push('LOWER_UP');
  // M-DOWN: the IFLA_LINK device is in the same namespace and down.
  if (link.kind === 'veth' && link.peer.ns === nsName) {
    const p = vethPeer(world, link);
    if (p && !p.link.adminUp) f.push('M-DOWN');
  }
  return f;
}

/** `veth-a@veth-b` (peer here) or `veth-a@if7` (peer elsewhere) or the bare name. */
export function linkDisplayName(world: World, nsName: NsName, link: Link): string {
  if (link.kind !== 'veth') return link.name;
  if (link.peer.ns === nsName) {
    const p = vethPeer(world, link);
    return `${link.name}@${p ? p.link.name : `if${link.peer.ifindex}`}`;
  }
  return `${link.name}@if${link.peer.ifindex}`;
}

function qdiscOf(link: Link): string {
  return link.qdisc ?? 'noop';
}

/** `link-netns NAME` when the peer's namespace has a name, else `link-netnsid N`. */
function linkNetnsText(world: World, nsName: NsName, link: Link): string {
  if (link.kind !== 'veth' || link.peer.ns === nsName) return '';
  if (link.peer.ns !== ROOT_NS) return ` link-netns ${link.peer.ns}`;
  const id = world.ns[nsName]?.peerIds[link.peer.ns];
  return ` link-netnsid ${id ?? 0}`;
}

function masterName(world: World, nsName: NsName, link: Link): string | undefined {
  if (link.master === undefined) return undefined;
  return world.ns[nsName]?.links[link.master]?.name;
}

/**
 * dev->promiscuity: `ip link set promisc on`, plus one from its bridge (br_add_if:
 * dev_set_promiscuity), plus one while a device without unicast filtering has
 * addresses on its uc list (uc_promisc, see L2State.ucPromisc).
 */
function promiscuity(link: Link): number {
  return (link.promisc ? 1 : 0) + (link.master !== undefined ? 1 : 0) + (link.l2?.ucPromisc ? 1 : 0);
}

/** The `-d` part after the link/ether line (same line, then the kind's block). */
function detailsText(world: World, nsName: NsName, link: Link): string {
  const kind = getLinkKind(link.kind);
  const range = kind?.mtuRange?.(link) ?? (link.kind === 'loopback' ? [0, 0] : [68, 65535]);
  // A bridge port is put in promiscuous and allmulti mode by its bridge (br_add_if: dev_set_promiscuity/allmulti).
  const port = link.master !== undefined ? 1 : 0;
  let s = ` promiscuity ${promiscuity(link)}  allmulti ${port} minmtu ${range[0]} maxmtu ${range[1]} `;
  if (kind?.detailsText) s += `\n    ${kind.detailsText(world, nsName, link)} `;
  if (link.master !== undefined) {
    const m = world.ns[nsName]?.links[link.master];
    const mk = m ? getLinkKind(m.kind) : undefined;
    if (mk?.slaveDetailsText) s += `\n    ${mk.slaveDetailsText(world, nsName, link)} `;
  }
  const q = kind?.numQueues?.(link) ?? 1;
  s += `addrgenmode eui64 numtxqueues ${q} numrxqueues ${q} gso_max_size 65536 gso_max_segs 65535 tso_max_size ${kind?.tsoMaxSize?.(world, nsName, link) ?? 524280} tso_max_segs 65535 gro_max_size 65536 `;
  return s;
}

function detailsJson(world: World, nsName: NsName, link: Link): Record<string, unknown> {
  const kind = getLinkKind(link.kind);
  const range = kind?.mtuRange?.(link) ?? (link.kind === 'loopback' ? [0, 0] : [68, 65535]);
  const port = link.master !== undefined ? 1 : 0;
  const o: Record<string, unknown> = { promiscuity: promiscuity(link), allmulti: port, min_mtu: range[0], max_mtu: range[1] };
  let linkinfo: Record<string, unknown> | undefined = kind?.detailsJson ? { ...kind.detailsJson(world, nsName, link) } : undefined;
  if (link.master !== undefined) {
    const m = world.ns[nsName]?.links[link.master];
    const mk = m ? getLinkKind(m.kind) : undefined;
    if (mk?.slaveDetailsJson) linkinfo = { ...(linkinfo ?? {}), ...mk.slaveDetailsJson(world, nsName, link) };
  }
  if (linkinfo) o['linkinfo'] = linkinfo;
  const q = kind?.numQueues?.(link) ?? 1;
  Object.assign(o, {
    inet6_addr_gen_mode: 'eui64',
    num_tx_queues: q,
    num_rx_queues: q,
    gso_max_size: 65536,
    gso_max_segs: 65535,
    tso_max_size: kind?.tsoMaxSize?.(world, nsName, link) ?? 524280,
    tso_max_segs: 65535,
    gro_max_size: 65536,
  });
  return o;
}

export interface HeaderOpts {
  /** `ip link` prints `mode DEFAULT` and the alias; `ip addr` does not. */
  readonly doLink: boolean;
  readonly details: number;
}

/** The two (or three) header lines of one device, as print_linkinfo() prints them. */
export function linkHeaderText(world: World, nsName: NsName, link: Link, o: HeaderOpts): string {
  const master = masterName(world, nsName, link);
  let s = `${link.ifindex}: ${linkDisplayName(world, nsName, link)}: <${linkFlags(world, nsName, link).join(',')}> mtu ${link.mtu} qdisc ${qdiscOf(link)} `;
  if (master !== undefined) s += `master ${master} `;
  s += `state ${operState(world, nsName, link)} `;
  if (o.doLink) s += 'mode DEFAULT ';
  // iproute2 prints qlen only when the device has a non-zero txqueuelen (CNI's Go netlink veths have 0).
  s += link.txqlen > 0 ? `group default qlen ${link.txqlen}\n` : 'group default \n';
  if (link.kind === 'loopback') s += `    link/loopback ${link.mac} brd 00:00:00:00:00:00`;
  else s += `    link/ether ${link.mac} brd ff:ff:ff:ff:ff:ff`;
  s += linkNetnsText(world, nsName, link);
  if (o.details > 0) s += detailsText(world, nsName, link);
  s += '\n';
  if ((o.doLink || o.details > 0) && link.alias !== undefined) s += `    alias ${link.alias}\n`;
  return s;
}

/**
 * IFLA_LINK in JSON: `"link":"peer"` when the peer is in this namespace, else
 * `"link_index":N` (also in the -br -j forms, before "ifname").
 */
export function linkRefJson(world: World, nsName: NsName, link: Link): Record<string, unknown> {
  if (link.kind !== 'veth') return {};
  if (link.peer.ns === nsName) {
    const p = vethPeer(world, link);
    return { link: p ? p.link.name : null };
  }
  return { link_index: link.peer.ifindex };
}

/** The JSON object of one device (without addr_info). */
export function linkHeaderJson(world: World, nsName: NsName, link: Link, o: HeaderOpts): Record<string, unknown> {
  const j: Record<string, unknown> = { ifindex: link.ifindex, ...linkRefJson(world, nsName, link) };
  j['ifname'] = link.name;
  j['flags'] = linkFlags(world, nsName, link);
  j['mtu'] = link.mtu;
  j['qdisc'] = qdiscOf(link);
  const master = masterName(world, nsName, link);
  if (master !== undefined) j['master'] = master;
  j['operstate'] = operState(world, nsName, link);
  if (o.doLink) j['linkmode'] = 'DEFAULT';
  j['group'] = 'default';
  if (link.txqlen > 0) j['txqlen'] = link.txqlen;
  j['link_type'] = link.kind === 'loopback' ? 'loopback' : 'ether';
  j['address'] = link.mac;
  j['broadcast'] = link.kind === 'loopback' ? '00:00:00:00:00:00' : 'ff:ff:ff:ff:ff:ff';
  if (link.kind === 'veth' && link.peer.ns !== nsName) j['link_netnsid'] = world.ns[nsName]?.peerIds[link.peer.ns] ?? 0;
  if (o.details > 0) Object.assign(j, detailsJson(world, nsName, link));
  if ((o.doLink || o.details > 0) && link.alias !== undefined) j['ifalias'] = link.alias;
  return j;
}

/**
 * The IPv6 link-local address the kernel shows for a device (addrconf adds it
 * once the device is up with carrier, and keeps it until the device goes down).
 * The twin has no IPv6, but prints it for realism (the normaliser drops it).
 * Uses the link's settled L2 state when the mcast module maintains it.
 */
export function linkLocalOf(world: World, nsName: NsName, link: Link): string | undefined {
  if (link.kind === 'loopback') return undefined;
  const l2 = (link as { l2?: { ll6?: Mac } }).l2;
  if (l2 !== undefined) return l2.ll6 !== undefined ? linkLocal6(l2.ll6) : undefined;
  return link.adminUp && hasCarrier(world, nsName, link) ? linkLocal6(link.mac) : undefined;
}

/** `-br`: `%-16s %-14s ` then the rest. */
export function briefPrefix(world: World, nsName: NsName, link: Link): string {
  return `${linkDisplayName(world, nsName, link).padEnd(16)} ${operState(world, nsName, link).padEnd(14)} `;
}

// ---------------------------------------------------------------------------
// the object

export const ipLink: IpObject = (ctx, args, opts) => {
  const verb = args[0];
  if (verb === undefined || matches(verb, 'show') || matches(verb, 'list') || verb === 'lst') return linkShow(ctx, args.slice(1), opts);
  if (matches(verb, 'add')) return linkAdd(ctx, args.slice(1));
  if (matches(verb, 'delete')) return linkDelete(ctx, args.slice(1));
  if (matches(verb, 'set') || matches(verb, 'change')) return linkSet(ctx, args.slice(1));
  if (matches(verb, 'help')) return errOut(ctx.world, LINK_USAGE, 255);
  if (['replace', 'xstats', 'afstats', 'property'].some((v) => matches(verb, v))) throw new Unsupported(`ip link ${verb}`);
  return errOut(ctx.world, `Command "${verb}" is unknown, try "ip link help".\n`, 255);
};

interface ShowFilter {
  dev?: string;
  up?: boolean;
  type?: string;
  master?: string;
}

function parseShowFilter(ctx: CmdContext, args: readonly string[]): ShowFilter | CmdResult {
  const f: ShowFilter = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'up') f.up = true;
    else if (a === 'type') {
      const v = args[++i];
      if (v === undefined) return incomplete(ctx.world);
      f.type = v;
    } else if (a === 'master') {
      const v = args[++i];
      if (v === undefined) return incomplete(ctx.world);
      f.master = v;
    } else if (a === 'dev') {
      const v = args[++i];
      if (v === undefined) return incomplete(ctx.world);
      if (f.dev !== undefined) return garbage(ctx.world, 'dev', v);
      f.dev = v;
    } else if (['group', 'vrf', 'nomaster', 'label', 'to', 'scope', 'permanent', 'dynamic', 'primary', 'secondary'].includes(a) || a.startsWith('-')) {
      throw new Unsupported(`ip link show ${a}`);
    } else if (matches(a, 'help')) return errOut(ctx.world, LINK_USAGE, 255);
    else {
      if (f.dev !== undefined) return garbage(ctx.world, 'dev', a);
      f.dev = a;
    }
  }
  return f;
}

/** Links of a namespace selected by a show filter; `Device "x" does not exist.` when `dev` is missing. */
export function selectLinks(ctx: CmdContext, f: ShowFilter): Link[] | CmdResult {
  const ns = ctx.world.ns[ctx.ns]!;
  let links = linksSorted(ns);
  if (f.dev !== undefined) {
    const l = linkByName(ns, f.dev);
    if (!l) return errOut(ctx.world, `Device "${f.dev}" does not exist.\n`, 1);
    links = [l];
  }
  if (f.up) links = links.filter((l) => l.adminUp);
  if (f.type !== undefined) {
    const t = f.type;
    links = links.filter((l) => (t === 'veth' || t === 'bridge' || t === 'vxlan' ? l.kind === t : false));
  }
  if (f.master !== undefined) {
    const m = linkByName(ns, f.master);
    if (!m) return errOut(ctx.world, `Device "${f.master}" does not exist.\n`, 1);
    links = links.filter((l) => l.master === m.ifindex);
  }
  return links;
}

function linkShow(ctx: CmdContext, args: readonly string[], opts: IpOpts): CmdResult {
  if (opts.stats > 0) throw new Unsupported('ip -s link');
  if (opts.oneline && opts.json && !opts.brief) throw new Unsupported('ip -o -j link');
  const f = parseShowFilter(ctx, args);
  if ('world' in f) return f;
  const sel = selectLinks(ctx, f);
  if (!Array.isArray(sel)) return sel;
  const w = ctx.world;
  const hopts: HeaderOpts = { doLink: true, details: opts.details };
  if (opts.json) {
    if (opts.brief) {
      return okOut(
        w,
        json(
          sel.map((l) => ({
            ...linkRefJson(w, ctx.ns, l),
            ifname: l.name,
            operstate: operState(w, ctx.ns, l),
            address: l.mac,
            flags: linkFlags(w, ctx.ns, l),
          })),
          opts.pretty,
        ) + '\n',
      );
    }
    return okOut(w, json(sel.map((l) => linkHeaderJson(w, ctx.ns, l, hopts)), opts.pretty) + '\n');
  }
  if (opts.brief) {
    return okOut(w, sel.map((l) => `${briefPrefix(w, ctx.ns, l)}${l.mac} <${linkFlags(w, ctx.ns, l).join(',')}> \n`).join(''));
  }
  // -oneline: each device's lines joined with `\` (iproute2's _SL_).
  return okOut(w, sel.map((l) => (opts.oneline ? oneLine : (t: string) => t)(linkHeaderText(w, ctx.ns, l, hopts))).join(''));
}

// ---------------------------------------------------------------------------
// add

/**
 * iplink_parse()'s keywords in the order it tests them (iproute2 6.1): `m:
 * true` ones are matched by prefix (matches()), the others exactly; `v: true`
 * ones take a value. A word is the first keyword it matches, so `ip link add
 * a type veth` sets an *address* "type" (`"type" is invalid lladdr.`) and
 * `ip link set t ...` a txqueuelen; only words matching none are device names.
 */
const IPLINK_KEYWORDS: readonly { readonly k: string; readonly m?: true; readonly v?: true }[] = [
  { k: 'up' },
  { k: 'down' },
  { k: 'name', v: true },
  { k: 'index', v: true },
  { k: 'link', m: true, v: true },
  { k: 'address', m: true, v: true },
  { k: 'broadcast', m: true, v: true },
  { k: 'brd', v: true },
  { k: 'txqueuelen', m: true, v: true },
  { k: 'qlen', v: true },
  { k: 'txqlen', m: true, v: true },
  { k: 'mtu', v: true },
  { k: 'xdpgeneric', v: true },
  { k: 'xdpdrv', v: true },
  { k: 'xdpoffload', v: true },
  { k: 'xdp', v: true },
  { k: 'netns', v: true },
  { k: 'multicast', v: true },
  { k: 'allmulticast', v: true },
  { k: 'promisc', v: true },
  { k: 'trailers', v: true },
  { k: 'arp', v: true },
  { k: 'carrier', v: true },
  { k: 'vf', v: true },
  { k: 'master', m: true, v: true },
  { k: 'vrf', v: true },
  { k: 'nomaster', m: true },
  { k: 'dynamic', m: true, v: true },
  { k: 'type', m: true, v: true },
  { k: 'alias', m: true, v: true },
  { k: 'group', v: true },
  { k: 'mode', v: true },
  { k: 'state', v: true },
  { k: 'numtxqueues', m: true, v: true },
  { k: 'numrxqueues', m: true, v: true },
  { k: 'addrgenmode', m: true, v: true },
  { k: 'link-netns', m: true, v: true },
  { k: 'link-netnsid', m: true, v: true },
  { k: 'protodown', v: true },
  { k: 'gso_max_size', v: true },
  { k: 'gso_max_segs', v: true },
];

/** The iplink_parse() keyword a word stands for (canonical name), 'help', or undefined (a device name; 'dev' stays 'dev'). */
export function iplinkKeyword(a: string): { readonly k: string; readonly v: boolean } | undefined {
  for (const e of IPLINK_KEYWORDS) if (e.m ? matches(a, e.k) : a === e.k) return { k: e.k, v: e.v === true };
  if (matches(a, 'help')) return { k: 'help', v: false };
  return undefined;
}

function linkAdd(ctx: CmdContext, args: readonly string[]): CmdResult {
  const w = ctx.world;
  let name: string | undefined;
  let type: string | undefined;
  let mac: Mac | undefined;
  let mtu: number | undefined;
  let txqlen: number | undefined;
  let netns: string | undefined;
  let up = false;
  // An option the twin does not model, reported only if the kernel would not fail first.
  let unsupported: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const kw = iplinkKeyword(args[i]!);
    const a = kw?.k ?? args[i]!;
    const v = args[i + 1];
    if (kw?.v && v === undefined) return incomplete(w);
    if (a === 'type') {
      type = v;
      i += 2;
      break;
    }
    if (a === 'name' || a === 'dev') {
      if (v === undefined) return incomplete(w);
      if (name !== undefined) return garbage(w, 'dev', v);
      name = v;
      i++;
    } else if (a === 'address' || a === 'broadcast' || a === 'brd') {
      const m = parseMac(v!);
      if (!m) return errOut(w, `"${v}" is invalid lladdr.\n`, 1);
      if (a === 'address') mac = m;
      else unsupported ??= `ip link add ... ${a}`;
      i++;
    } else if (a === 'mtu') {
      if (!/^\d+$/.test(v!)) return argWrong(w, v!, 'mtu');
      mtu = Number(v);
      i++;
    } else if (a === 'txqueuelen' || a === 'qlen' || a === 'txqlen') {
      if (!/^\d+$/.test(v!)) return argWrong(w, v!, 'txqueuelen');
      txqlen = Number(v);
      i++;
    } else if (a === 'netns') {
      if (w.ns[v!] === undefined || v === ROOT_NS) return argWrong(w, v!, 'netns');
      netns = v;
      i++;
    } else if (a === 'up') up = true;
    else if (a === 'down') up = false;
    else if (a === 'nomaster') {
      // IFLA_MASTER 0 on a new device: nothing to do.
    } else if (a === 'master') {
      if (!findLink(w, ctx.ns, v!)) return errOut(w, `Error: argument "${v}" is wrong: Device does not exist\n\n`, 255);
      unsupported ??= 'ip link add ... master';
      i++;
    } else if (a === 'link') {
      // Resolved after the loop by the kernel's iplink_parse; only the error is modelled.
      if (!findLink(w, ctx.ns, v!)) return errOut(w, `Cannot find device "${v}"\n`, 1);
      unsupported ??= 'ip link add ... link';
      i++;
    } else if (a === 'dynamic') {
      if (v !== 'on' && v !== 'off') return errOut(w, `Error: argument of "dynamic" must be "on" or "off", not "${v}"\n`, 1);
      unsupported ??= 'ip link add ... dynamic';
      i++;
    } else if (a === 'help') return errOut(w, LINK_USAGE, 255);
    else if (kw !== undefined || a.startsWith('-')) {
      unsupported ??= `ip link add ... ${a}`;
      if (kw?.v) i++;
    } else {
      if (name !== undefined) return garbage(w, 'dev', a);
      name = a;
    }
  }
  // iplink_modify: "Not enough information" is a plain `return -1` (exit status 1).
  if (type === undefined) return errOut(w, 'Not enough information: "type" argument is required\n', 1);
  if (unsupported !== undefined) throw new Unsupported(unsupported);
  if (name !== undefined && !validName(name)) {
    if (name.length >= 16) return errOut(w, 'Error: Attribute failed policy validation.\n', 2);
    return errOut(w, `Error: argument "${name}" is wrong: "dev" not a valid ifname\n`, 255);
  }
  const kind = getLinkKind(type);
  if (!kind) {
    if (['dummy', 'macvlan', 'ipvlan', 'vlan', 'bond', 'tun', 'tap', 'ipip', 'gre', 'vrf', 'wireguard', 'geneve', 'macvtap', 'team', 'ifb', 'nlmon'].includes(type)) {
      throw new Unsupported(`ip link add type ${type}`);
    }
    return errOut(w, 'Error: Unknown device type.\n', 2);
  }
  const spec = kind.parseAdd(args.slice(i), { world: w, ns: ctx.ns });
  if (isKindParseError(spec)) return errOut(w, spec.error, spec.status);
  const common: NewLinkArgs = {
    ns: netns ?? ctx.ns,
    callerNs: ctx.ns,
    ...(name !== undefined ? { name } : {}),
    ...(mac ? { mac } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(txqlen !== undefined ? { txqlen } : {}),
    ...(up ? { up } : {}),
  };
  const warning = kind.parseWarning?.(spec);
  if (warning !== undefined) {
    // iproute2 prints it while parsing: before any error of the request itself.
    const res = linkAddCreate(w, kind, common, spec, up, name);
    return { ...res, out: [{ fd: 2, text: warning }, ...res.out] };
  }
  return linkAddCreate(w, kind, common, spec, up, name);
}

function linkAddCreate(w: World, kind: NonNullable<ReturnType<typeof getLinkKind>>, common: NewLinkArgs, spec: unknown, up: boolean, name: string | undefined): CmdResult {
  const r = kind.create(w, common, spec);
  if (!r.ok) return opErr(w, r);
  let world = r.world;
  if (up && name !== undefined) {
    const l = findLink(world, common.ns, name);
    if (l) {
      const u = setLinkUp(world, common.ns, l.ifindex, true);
      if (u.ok) world = u.world;
    }
  }
  return okOut(world);
}

function validName(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

// ---------------------------------------------------------------------------
// delete

function linkDelete(ctx: CmdContext, args: readonly string[]): CmdResult {
  const w = ctx.world;
  let dev: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const kw = iplinkKeyword(args[i]!);
    const a = kw?.k ?? args[i]!;
    // `ip link del a`: "a" is the address keyword, whose value is missing.
    if (kw?.v && args[i + 1] === undefined) return incomplete(w);
    if (a === 'dev' || a === 'name') {
      const v = args[++i];
      if (v === undefined) return incomplete(w);
      if (dev !== undefined) return garbage(w, 'dev', v);
      dev = v;
    } else if (a === 'help') return errOut(w, LINK_USAGE, 255);
    else if (kw !== undefined) throw new Unsupported(`ip link del ${a}`);
    else {
      if (dev !== undefined) return garbage(w, 'dev', a);
      dev = a;
    }
  }
  if (dev === undefined) return errOut(w, 'Not enough information: "dev" argument is required.\n', 255);
  const l = findLink(w, ctx.ns, dev);
  if (!l) return errOut(w, `Cannot find device "${dev}"\n`, 1);
  const r = linkDel(w, ctx.ns, l.ifindex);
  return r.ok ? okOut(r.world) : opErr(w, r);
}

// ---------------------------------------------------------------------------
// set

type SetMaster = (world: World, ns: NsName, ifindex: number, master: number | undefined) => OpResult;
let setMasterFn: SetMaster | undefined;
/** The bridge module registers `setMaster` here (src/sim/ops/bridge.ts), keeping `ip link` free of bridge logic. */
export function registerSetMaster(fn: SetMaster): void {
  setMasterFn = fn;
}

function linkSet(ctx: CmdContext, args: readonly string[]): CmdResult {
  const w = ctx.world;
  let dev: string | undefined;
  let up: boolean | undefined;
  let newName: string | undefined;
  let mtu: number | undefined;
  let mac: Mac | undefined;
  let netns: string | undefined;
  let alias: string | undefined;
  let txqlen: number | undefined;
  let promisc: boolean | undefined;
  let master: string | null | undefined;
  let typeChange: { kind: string; args: readonly string[] } | undefined;
  for (let i = 0; i < args.length; i++) {
    // iplink_parse() keywords first, by prefix where it uses matches(): `ip link set a up` is an address.
    const kw = iplinkKeyword(args[i]!);
    const a = kw?.k ?? args[i]!;
    const v = args[i + 1];
    const need = (): boolean => v !== undefined;
    if (kw?.v && v === undefined) return incomplete(w);
    if (a === 'up') up = true;
    else if (a === 'down') up = false;
    else if (a === 'dev') {
      if (!need()) return incomplete(w);
      if (dev !== undefined) return garbage(w, 'dev', v!);
      dev = v;
      i++;
    } else if (a === 'name') {
      if (!need()) return incomplete(w);
      if (!validName(v!)) {
        if (v!.length >= 16) return errOut(w, 'Error: Attribute failed policy validation.\n', 2);
        return errOut(w, `Error: argument "${v}" is wrong: "name" not a valid ifname\n`, 255);
      }
      newName = v;
      i++;
    } else if (a === 'mtu') {
      if (!need()) return incomplete(w);
      if (!/^\d+$/.test(v!)) return argWrong(w, v!, 'mtu');
      mtu = Number(v);
      i++;
    } else if (a === 'address') {
      if (!need()) return incomplete(w);
      const m = parseMac(v!);
      if (!m) return errOut(w, `"${v}" is invalid lladdr.\n`, 1);
      mac = m;
      i++;
    } else if (a === 'netns') {
      if (!need()) return incomplete(w);
      if (/^\d+$/.test(v!)) throw new Unsupported('ip link set netns PID');
      if (w.ns[v!] === undefined || v === ROOT_NS) return argWrong(w, v!, 'netns');
      netns = v;
      i++;
    } else if (a === 'alias') {
      if (!need()) return incomplete(w);
      alias = v;
      i++;
    } else if (a === 'txqueuelen' || a === 'qlen' || a === 'txqlen') {
      if (!need()) return incomplete(w);
      if (!/^\d+$/.test(v!)) return argWrong(w, v!, 'txqueuelen');
      txqlen = Number(v);
      i++;
    } else if (a === 'promisc') {
      if (v !== 'on' && v !== 'off') return errOut(w, `Error: argument of "promisc" must be "on" or "off", not "${v ?? ''}"\n`, 255);
      promisc = v === 'on';
      i++;
    } else if (a === 'master') {
      if (!need()) return incomplete(w);
      master = v;
      i++;
    } else if (a === 'nomaster') master = null;
    else if (a === 'type') {
      // `ip link set DEV type KIND ARGS...`: the rest belongs to the kind (iplink_modify -> lu->parse_opt).
      if (!need()) return incomplete(w);
      typeChange = { kind: v!, args: args.slice(i + 2) };
      break;
    } else if (a.startsWith('-') || a === 'peer' || (kw !== undefined && a !== 'help')) {
      throw new Unsupported(`ip link set ... ${a}`);
    } else if (matches(a, 'help')) return errOut(w, LINK_USAGE, 255);
    else {
      if (dev !== undefined) return garbage(w, 'dev', a);
      dev = a;
    }
  }
  if (dev === undefined) return errOut(w, 'Not enough information: "dev" argument is required.\n', 255);
  let link = findLink(w, ctx.ns, dev);
  if (!link) return errOut(w, `Cannot find device "${dev}"\n`, 1);
  let masterIdx: number | undefined | null;
  if (typeof master === 'string') {
    const m = findLink(w, ctx.ns, master);
    // iplink.c: ll_name_to_index() failed -> invarg("Device does not exist\n", *argv).
    if (!m) return errOut(w, `Error: argument "${master}" is wrong: Device does not exist\n\n`, 255);
    masterIdx = m.ifindex;
  } else if (master === null) masterIdx = null;
  let world = w;
  let ns = ctx.ns;
  let ifindex = link.ifindex;
  const step = (r: OpResult): CmdResult | undefined => {
    if (!r.ok) return opErr(world, r);
    world = r.world;
    return undefined;
  };
  // Kernel order (rtnl_setlink/do_setlink): netns, address, mtu, name, alias, master, flags, txqlen.
  if (typeChange !== undefined) {
    // rtnl_newlink() on an existing device: the kind's changelink first, then do_setlink.
    const kind = getLinkKind(typeChange.kind);
    if (!kind?.parseChange || link.kind !== typeChange.kind) throw new Unsupported(`ip link set ... type ${typeChange.kind}`);
    const change = kind.parseChange(typeChange.args, { world, ns }, link);
    if (isKindParseError(change)) return errOut(w, change.error, change.status);
    const e = step(change(world));
    if (e) return e;
  }
  if (netns !== undefined && netns !== ns) {
    const t = world.ns[netns]!;
    if (link.kind === 'loopback') return errOut(w, 'Error: The interface netns is immutable.\n', 2);
    if (linkByName(t, link.name)) return errOut(w, 'Error: An interface with the same name exists in the target netns.\n', 2);
    const e = step(linkSetNetns(world, ns, ifindex, netns));
    if (e) return e;
    ns = netns;
    link = findLink(world, ns, link.name)!;
    ifindex = link.ifindex;
  }
  if (mac !== undefined) {
    const e = step(linkSetMac(world, ns, ifindex, mac));
    if (e) return e;
  }
  if (mtu !== undefined) {
    const e = step(linkSetMtu(world, ns, ifindex, mtu));
    if (e) return e;
  }
  if (newName !== undefined) {
    const e = step(linkRename(world, ns, ifindex, newName));
    if (e) return e;
  }
  if (alias !== undefined) {
    const e = step(linkSetAttrs(world, ns, ifindex, { alias }));
    if (e) return e;
  }
  if (masterIdx !== undefined) {
    if (!setMasterFn) throw new Unsupported('ip link set master/nomaster (bridge ops not loaded)');
    const e = step(setMasterFn(world, ns, ifindex, masterIdx === null ? undefined : masterIdx));
    if (e) return e;
  }
  if (promisc !== undefined) {
    const e = step(linkSetAttrs(world, ns, ifindex, { promisc }));
    if (e) return e;
  }
  if (up !== undefined) {
    const e = step(setLinkUp(world, ns, ifindex, up));
    if (e) return e;
  }
  if (txqlen !== undefined) {
    const e = step(linkSetAttrs(world, ns, ifindex, { txqlen }));
    if (e) return e;
  }
  return okOut(world);
}
