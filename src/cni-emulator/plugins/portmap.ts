/**
 * The portmap plugin (plugins/meta/portmap, 1.1.1): hostPort -> container
 * DNAT with iptables, chained after the plugin that gave the pod its address
 * (it needs prevResult) and fed by the runtime's "portMappings" capability.
 *
 * Chains it writes in the nat table (via go-iptables: `iptables ... --wait`),
 * in this order, with snat (default true) and the default mark bit 13:
 *   CNI-HOSTPORT-SETMARK: -m comment --comment "CNI portfwd masquerade mark"
 *                         -j MARK --set-xmark 0x2000/0x2000
 *   CNI-HOSTPORT-MASQ:    -m mark --mark 0x2000/0x2000 -j MASQUERADE,
 *                         entered from POSTROUTING (inserted at 1) with
 *                         -m comment --comment "CNI portfwd requiring masquerade"
 *   net.ipv4.conf.<dev routing to the pod>.route_localnet = 1
 *   CNI-HOSTPORT-DNAT:    entered from PREROUTING and OUTPUT with
 *                         -m addrtype --dst-type LOCAL
 *   CNI-DN-<21 hex of sha512(name+id)>: per mapping
 *                         -p P --dport H [-d HOSTIP] -s <pod ip/len> -j CNI-HOSTPORT-SETMARK,
 *                         -p P --dport H [-d HOSTIP] -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK,
 *                         -p P --dport H [-d HOSTIP] -j DNAT --to-destination IP:C;
 *                         entered from CNI-HOSTPORT-DNAT per protocol (sorted) with
 *                         -m comment --comment "dnat name: \"N\" id: \"ID\""
 *                         -m multiport -p P --destination-ports H1,H2 (15 a rule)
 * Every rule is added only if absent (-C then -A/-I). UDP conntrack entries
 * to a mapped host port are flushed after ADD.
 *
 * DEL (only with portMappings in runtimeConfig: without them nothing is
 * removed, a known leak): the CNI-DN chain is flushed, its jumps from
 * CNI-HOSTPORT-DNAT deleted, the chain deleted; the old CNI-SN chain likewise.
 * The shared top-level chains are never removed.
 */
import { produce } from 'immer';
import { sha512Hex } from '../../model/hash.js';
import { utf8Bytes, utf8Decode, utf8Length } from '../../model/bytes.js';
import { type Ip4 } from '../../model/addr.js';
import { fibLookup } from '../../sim/fib.js';
import { Unsupported } from '../../shell/types.js';
import { goUnmarshal, type GoStruct, type GoType } from '../gojson.js';
import { goParseIP } from '../goip.js';
import { NETCONF_FIELDS, type NetConf as BaseNetConf } from '../netconf.js';
import { parsePrevResult } from '../result-parse.js';
import type { CmdArgs, PluginCtx, PluginDef } from '../skel.js';
import { convertResult, PluginError, printResultAs, type Result, type Result100 } from '../types.js';
import { trySysctl } from './veth.js';
import { iptIsNotExist } from './bridge.js';

const STR: GoType = { k: 'string' };
const INT: GoType = { k: 'int' };

const PORTMAP_ENTRY: GoType = {
  k: 'struct',
  name: 'PortMapEntry',
  pkg: 'main',
  fields: [
    { key: 'hostPort', json: 'hostPort', type: INT },
    { key: 'containerPort', json: 'containerPort', type: INT },
    { key: 'protocol', json: 'protocol', type: STR },
    { key: 'hostIP', json: 'hostIP', type: STR },
  ],
};

const PORTMAP_CONF: GoStruct = {
  k: 'struct',
  name: 'PortMapConf',
  pkg: 'main',
  fields: [
    { key: 'base', json: 'NetConf', type: { k: 'struct', name: 'NetConf', pkg: 'types', fields: NETCONF_FIELDS }, embedded: true },
    { key: 'snat', json: 'snat', type: { k: 'ptr', elem: { k: 'bool' } } },
    { key: 'conditionsV4', json: 'conditionsV4', type: { k: 'ptr', elem: { k: 'slice', elem: STR } } },
    { key: 'conditionsV6', json: 'conditionsV6', type: { k: 'ptr', elem: { k: 'slice', elem: STR } } },
    { key: 'markMasqBit', json: 'markMasqBit', type: { k: 'ptr', elem: INT } },
    { key: 'externalSetMarkChain', json: 'externalSetMarkChain', type: { k: 'ptr', elem: STR } },
    {
      key: 'runtimeConfig',
      json: 'runtimeConfig',
      type: { k: 'struct', name: '', fields: [{ key: 'portMappings', json: 'portMappings', type: { k: 'slice', elem: PORTMAP_ENTRY } }] },
    },
  ],
};

interface PortMapEntry {
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIP: string;
}

interface PortMapConf {
  base: BaseNetConf;
  snat?: boolean | null;
  conditionsV4?: string[] | null;
  conditionsV6?: string[] | null;
  markMasqBit?: number | null;
  externalSetMarkChain?: string | null;
  runtimeConfig: { portMappings?: PortMapEntry[] | null };
}

interface Parsed {
  conf: PortMapConf;
  snat: boolean;
  markBit: number;
  portMaps: PortMapEntry[];
  prev?: Result;
  result?: Result100;
  /** conf.ContIPv4: the container's address (IP as given, prefix length). */
  contIPv4?: { ip: Ip4; text: string; len: number };
}

const isNil = (v: unknown): boolean => v === undefined || v === null;

/** parseConfig(stdin, ifName) */
function parseConfig(stdin: string, ifName: string): Parsed {
  const r = goUnmarshal<PortMapConf>(stdin, PORTMAP_CONF);
  if (!r.ok) throw new PluginError(`failed to parse network configuration: ${r.error}`);
  const conf = r.value;
  let prev: Result | undefined;
  let result: Result100 | undefined;
  if (conf.base.prevResult !== undefined) {
    const p = parsePrevResult(conf.base.cniVersion, conf.base.prevResult);
    if (typeof p === 'string') throw new PluginError(`could not parse prevResult: ${p}`);
    prev = p;
    const c = convertResult(p, '1.0.0');
    if (typeof c === 'string' || c.kind !== '100') throw new PluginError(`could not convert result to current version: ${typeof c === 'string' ? c : 'failed to convert result'}`);
    result = c;
  }
  const snat = isNil(conf.snat) ? true : (conf.snat as boolean);
  if (!isNil(conf.markMasqBit) && !isNil(conf.externalSetMarkChain)) throw new PluginError('Cannot specify externalSetMarkChain and markMasqBit');
  const markBit = isNil(conf.markMasqBit) ? 13 : (conf.markMasqBit as number);
  if (markBit < 0 || markBit > 31) throw new PluginError('MasqMarkBit must be between 0 and 31');
  const portMaps = conf.runtimeConfig.portMappings ?? [];
  for (const pm of portMaps) {
    if (pm.containerPort <= 0) throw new PluginError(`Invalid container port number: ${pm.containerPort}`);
    if (pm.hostPort <= 0) throw new PluginError(`Invalid host port number: ${pm.hostPort}`);
  }
  let contIPv4: Parsed['contIPv4'];
  if (result) {
    for (const ipc of result.ips ?? []) {
      const g = goParseIP(ipc.address.ip);
      if (!g) continue;
      if (g.v === 6) throw new Unsupported('portmap with IPv6 container addresses');
      if (contIPv4) continue;
      if (ipc.interface !== undefined) {
        const i = ipc.interface;
        const intfs = result.interfaces ?? [];
        if (i >= 0 && i < intfs.length && (intfs[i]!.name !== ifName || !intfs[i]!.sandbox)) continue;
      }
      contIPv4 = { ip: g.a, text: ipc.address.ip, len: ipc.address.prefixLen };
    }
  }
  return { conf, snat, markBit, portMaps, ...(prev ? { prev } : {}), ...(result ? { result } : {}), ...(contIPv4 ? { contIPv4 } : {}) };
}

/** A chain as chain.go describes it. */
interface Chain {
  readonly table: string;
  readonly name: string;
  readonly entryChains: readonly string[];
  readonly entryRules: readonly (readonly string[])[];
  readonly rules: readonly (readonly string[])[];
  readonly prependEntry?: boolean;
}

/** utils.MustFormatChainNameWithPrefix(name, id, "DN-"): "CNI-DN-" + sha512 hex, 28 characters. */
export function dnatChainName(net: string, id: string, prefix = 'DN-'): string {
  return ('CNI-' + prefix + sha512Hex(net + id)).slice(0, 28);
}

/** fmt.Sprintf("%#x/%#x") of the mark. */
const markDef = (bit: number): string => {
  const v = (1 << bit) >>> 0;
  return `0x${v.toString(16)}/0x${v.toString(16)}`;
};

const SETMARK = 'CNI-HOSTPORT-SETMARK';
const MASQ = 'CNI-HOSTPORT-MASQ';
const TOP_DNAT = 'CNI-HOSTPORT-DNAT';

/** trimComment: at most 255 bytes. */
const trimComment = (v: string): string => (utf8Length(v) <= 255 ? v : utf8Decode(utf8Bytes(v).subarray(0, 253)) + '...');

function genDnatChain(p: Parsed, id: string, cont: { text: string; len: number }): Chain {
  const name = p.conf.base.name;
  const comment = trimComment(`dnat name: "${name}" id: "${id}"`);
  const setMark = isNil(p.conf.externalSetMarkChain) ? SETMARK : (p.conf.externalSetMarkChain as string);
  // groupByProto, protocols sorted; host ports in order, 15 a rule (splitPortList).
  const byProto = new Map<string, number[]>();
  for (const e of p.portMaps) byProto.set(e.protocol, [...(byProto.get(e.protocol) ?? []), e.hostPort]);
  const entryRules: string[][] = [];
  for (const proto of [...byProto.keys()].sort()) {
    const ports = byProto.get(proto)!;
    for (let i = 0; i < ports.length; i += 15) {
      const r = ['-m', 'comment', '--comment', comment, '-m', 'multiport', '-p', proto, '--destination-ports', ports.slice(i, i + 15).join(',')];
      if (p.conf.conditionsV4 && p.conf.conditionsV4.length > 0) r.push(...p.conf.conditionsV4);
      entryRules.push(r);
    }
  }
  const rules: string[][] = [];
  for (const e of p.portMaps) {
    let dst = false;
    if (e.hostIP !== '') {
      const h = goParseIP(e.hostIP);
      // net.ParseIP of garbage is nil, whose To4() is nil: "v6", skipped for a v4 pod.
      if (!h || h.v !== 4) continue;
      if ((h.a >>> 0) !== 0) dst = true;
    }
    const base = ['-p', e.protocol, '--dport', String(e.hostPort), ...(dst ? ['-d', e.hostIP] : [])];
    if (p.snat) {
      rules.push([...base, '-s', `${cont.text}/${cont.len}`, '-j', setMark]);
      rules.push([...base, '-s', '127.0.0.1', '-j', setMark]);
    }
    rules.push([...base, '-j', 'DNAT', '--to-destination', `${cont.text}:${e.containerPort}`]);
  }
  return { table: 'nat', name: dnatChainName(name, id), entryChains: [TOP_DNAT], entryRules, rules };
}

// ---------------------------------------------------------------------------
// go-iptables over the twin's iptables.

interface IptRun {
  status: number;
  text: string;
}

function ipt(ctx: PluginCtx, argv: readonly string[]): IptRun {
  if (!ctx.exec) throw new Unsupported('iptables from a plugin run outside the twin shell');
  const r = ctx.exec(ctx.world, ctx.ns, ['iptables', ...argv]);
  ctx.world = r.world;
  return { status: r.status, text: r.out.map((c) => c.text).join('') };
}

/** go-iptables' *Error text: "running [/usr/sbin/iptables ARGS --wait]: exit status N: STDERR". */
const iptError = (argv: readonly string[], r: IptRun): PluginError => new PluginError(`running [/usr/sbin/iptables ${argv.join(' ')} --wait]: exit status ${r.status}: ${r.text}`);

function run(ctx: PluginCtx, argv: readonly string[]): void {
  const r = ipt(ctx, argv);
  if (r.status !== 0) throw iptError(argv, r);
}

/** ipt.ListChains(table) via `-S`. */
function listChains(ctx: PluginCtx, table: string): string[] {
  const argv = ['-t', table, '-S'];
  const r = ipt(ctx, argv);
  if (r.status !== 0) throw iptError(argv, r);
  return r.text
    .split('\n')
    .filter((l) => l.startsWith('-P ') || l.startsWith('-N '))
    .map((l) => l.split(' ')[1]!);
}

/** ipt.Exists: `-C`; exit status 1 means absent. */
function exists(ctx: PluginCtx, table: string, chain: string, rule: readonly string[]): boolean {
  const argv = ['-t', table, '-C', chain, ...rule];
  const r = ipt(ctx, argv);
  if (r.status === 0) return true;
  if (r.status === 1) return false;
  throw iptError(argv, r);
}

function ensureChain(ctx: PluginCtx, table: string, chain: string): void {
  if (listChains(ctx, table).includes(chain)) return;
  const argv = ['-t', table, '-N', chain];
  const r = ipt(ctx, argv);
  if (r.status !== 0 && r.status !== 1) throw iptError(argv, r);
}

function insertUnique(ctx: PluginCtx, table: string, chain: string, prepend: boolean, rule: readonly string[]): void {
  if (exists(ctx, table, chain, rule)) return;
  run(ctx, prepend ? ['-t', table, '-I', chain, '1', ...rule] : ['-t', table, '-A', chain, ...rule]);
}

function setupChain(ctx: PluginCtx, c: Chain): void {
  ensureChain(ctx, c.table, c.name);
  for (const rule of c.rules) insertUnique(ctx, c.table, c.name, false, rule);
  for (const entry of c.entryChains) for (const rule of c.entryRules) insertUnique(ctx, c.table, entry, c.prependEntry ?? false, [...rule, '-j', c.name]);
}

/** go-iptables IsNotExist (exit status 1 with one of two messages). */
const isNotExist = (r: IptRun): boolean => iptIsNotExist(r);

/** shellwords.Parse of a `-S` line (quotes and backslash escapes). */
function shellwords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '"' | "'" | '' = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q === '' && ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (q === '"' && ch === '\\' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\')) {
      cur += line[++i];
    } else if (q !== '' && ch === q) q = '';
    else if (q === '' && (ch === '"' || ch === "'")) {
      q = ch;
      inWord = true;
    } else if (q === '' && (ch === ' ' || ch === '\t')) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** chain.teardown: ClearChain, delete the jumps from the entry chains, DeleteChain. */
function teardownChain(ctx: PluginCtx, c: Chain): void {
  // go-iptables ClearChain: -N; if it exists already (status 1), -F.
  const n = ipt(ctx, ['-t', c.table, '-N', c.name]);
  if (n.status === 1) run(ctx, ['-t', c.table, '-F', c.name]);
  else if (n.status !== 0) throw iptError(['-t', c.table, '-N', c.name], n);
  for (const entry of c.entryChains) {
    const l = ipt(ctx, ['-t', c.table, '-S', entry]);
    if (l.status !== 0) continue;
    const lines = l.text.split('\n').filter((x) => x !== '');
    for (const line of lines.slice(1)) {
      if (!line.endsWith('-j ' + c.name)) continue;
      const parts = shellwords(line).slice(2);
      const argv = ['-t', c.table, '-D', entry, ...parts];
      const d = ipt(ctx, argv);
      if (d.status !== 0 && !isNotExist(d) && d.status !== 2) {
        throw new PluginError(`Failed to delete referring rule ${c.table} ${entry}: ${iptError(argv, d).message}`);
      }
    }
  }
  const x = ipt(ctx, ['-t', c.table, '-X', c.name]);
  if (x.status !== 0 && !isNotExist(x)) throw iptError(['-t', c.table, '-X', c.name], x);
}

/** `%s` of a [][]string: [[a b] [c d]]. */
const rulesText = (rs: readonly (readonly string[])[]): string => `[${rs.map((r) => `[${r.join(' ')}]`).join(' ')}]`;

function checkChain(ctx: PluginCtx, c: Chain): void {
  if (!listChains(ctx, c.table).includes(c.name)) throw new PluginError(`chain ${c.name} not found in iptables table ${c.table}`);
  for (let i = c.rules.length - 1; i >= 0; i--) {
    if (!safeExists(ctx, c.table, c.name, c.rules[i]!)) throw new PluginError(`rule ${rulesText(c.rules)} in chain ${c.name} not found in table ${c.table}`);
  }
  for (const entry of c.entryChains) {
    for (let i = c.entryRules.length - 1; i >= 0; i--) {
      if (!safeExists(ctx, c.table, entry, [...c.entryRules[i]!, '-j', c.name])) {
        throw new PluginError(`rule ${rulesText(c.entryRules)} in chain ${entry} not found in table ${c.table}`);
      }
    }
  }
}

function safeExists(ctx: PluginCtx, table: string, chain: string, rule: readonly string[]): boolean {
  try {
    return exists(ctx, table, chain, rule);
  } catch (e) {
    if (e instanceof PluginError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------

/** forwardPorts for the IPv4 address. */
function forwardPorts(ctx: PluginCtx, p: Parsed, id: string): void {
  const cont = p.contIPv4!;
  if (p.snat) {
    if (isNil(p.conf.externalSetMarkChain)) {
      const md = markDef(p.markBit);
      const setMark: Chain = {
        table: 'nat',
        name: SETMARK,
        entryChains: [],
        entryRules: [],
        rules: [['-m', 'comment', '--comment', 'CNI portfwd masquerade mark', '-j', 'MARK', '--set-xmark', md]],
      };
      wrap(`unable to create chain ${SETMARK}`, () => setupChain(ctx, setMark));
      const masq: Chain = {
        table: 'nat',
        name: MASQ,
        entryChains: ['POSTROUTING'],
        prependEntry: true,
        entryRules: [['-m', 'comment', '--comment', 'CNI portfwd requiring masquerade']],
        rules: [['-m', 'mark', '--mark', md, '-j', 'MASQUERADE']],
      };
      // The real message names the SETMARK chain here too.
      wrap(`unable to create chain ${SETMARK}`, () => setupChain(ctx, masq));
    }
    // getRoutableHostIF: the device `ip route get <pod ip>` picks; route_localnet=1 on it.
    const route = fibLookup(ctx.world.ns[ctx.ns]!, cont.ip);
    const dev = 'route' in route && route.route?.dev !== undefined ? ctx.world.ns[ctx.ns]!.links[route.route.dev]?.name : undefined;
    if (dev !== undefined) trySysctl(ctx, ctx.ns, `net.ipv4.conf.${dev}.route_localnet`, '1');
  }
  const top: Chain = { table: 'nat', name: TOP_DNAT, entryChains: ['PREROUTING', 'OUTPUT'], entryRules: [['-m', 'addrtype', '--dst-type', 'LOCAL']], rules: [] };
  wrap('failed to create top-level DNAT chain', () => setupChain(ctx, top));
  const dn = genDnatChain(p, id, cont);
  wrap('unable to setup DNAT', () => setupChain(ctx, dn));
}

function wrap(prefix: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof PluginError) throw new PluginError(`${prefix}: ${e.message}`);
    throw e;
  }
}

/** deletePortmapStaleConnections: UDP conntrack entries to a mapped host port are flushed. */
function deleteStaleUdp(ctx: PluginCtx, portMaps: readonly PortMapEntry[]): void {
  const ports = new Set(portMaps.filter((pm) => pm.protocol.toLowerCase() === 'udp').map((pm) => pm.hostPort));
  if (ports.size === 0) return;
  const ns = ctx.world.ns[ctx.ns]!;
  if (!ns.conntrack.some((c) => c.orig.proto === 17 && ports.has(c.orig.dport))) return;
  ctx.world = produce(ctx.world, (d) => {
    const dn = d.ns[ctx.ns]!;
    dn.conntrack = dn.conntrack.filter((c) => !(c.orig.proto === 17 && ports.has(c.orig.dport)));
  });
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  let p: Parsed;
  try {
    p = parseConfig(args.stdinData, args.ifName);
  } catch (e) {
    if (e instanceof PluginError) throw new PluginError(`failed to parse config: ${e.message}`);
    throw e;
  }
  if (!p.prev) throw new PluginError('must be called as chained plugin');
  if (p.portMaps.length > 0 && p.contIPv4) {
    forwardPorts(ctx, p, args.containerID);
    deleteStaleUdp(ctx, p.portMaps);
  }
  // Pass the previous result through (printed as the config's version).
  ctx.stdout += printResultAs(p.prev, p.conf.base.cniVersion);
}

function cmdDel(args: CmdArgs, ctx: PluginCtx): void {
  let p: Parsed;
  try {
    p = parseConfig(args.stdinData, args.ifName);
  } catch (e) {
    if (e instanceof PluginError) throw new PluginError(`failed to parse config: ${e.message}`);
    throw e;
  }
  if (p.portMaps.length === 0) return;
  const name = p.conf.base.name;
  const dn: Chain = { table: 'nat', name: dnatChainName(name, args.containerID), entryChains: [TOP_DNAT], entryRules: [], rules: [] };
  const sn: Chain = { table: 'nat', name: dnatChainName(name, args.containerID, 'SN-'), entryChains: ['CNI-HOSTPORT-SNAT'], entryRules: [], rules: [] };
  // The real plugin then does the same with ip6tables, which the twin does
  // not model; it leaves no trace there (the chain is created and deleted).
  wrap('could not teardown ipv4 dnat', () => teardownChain(ctx, dn));
  try {
    teardownChain(ctx, sn);
  } catch (e) {
    if (!(e instanceof PluginError)) throw e;
  }
}

function cmdCheck(args: CmdArgs, ctx: PluginCtx): void {
  const p = parseConfig(args.stdinData, args.ifName);
  if (!p.result) throw new PluginError('Required prevResult missing');
  if (p.portMaps.length === 0) return;
  if (p.contIPv4) {
    const dn = genDnatChain(p, args.containerID, p.contIPv4);
    wrap('could not check ipv4 dnat', () => checkChain(ctx, dn));
    // checkPorts then checks the same (IPv4) chain with ip6tables, usable on
    // every node that has it, where it never exists: the real 1.1.1 CHECK
    // always fails once there are port mappings. The twin has no ip6tables
    // state, so the chain is never there either.
    throw new PluginError(`could not check ipv6 dnat: chain ${dn.name} not found in iptables table nat`);
  }
}

export const portmap: PluginDef = { name: 'portmap', add: cmdAdd, del: cmdDel, check: cmdCheck };

