/**
 * The host-local IPAM plugin (plugins/ipam/host-local, 1.1.1): range sets,
 * round-robin allocation from the last reserved address, requested IPs, and
 * its on-disk store in the twin's filesystem:
 *
 *   /var/lib/cni/networks/<net>/<ip>                 "<containerID>\r\n<ifname>"
 *   /var/lib/cni/networks/<net>/last_reserved_ip.<N> "<ip>" (N = range set index)
 *   /var/lib/cni/networks/<net>/lock                 empty (flock target)
 */
import { formatIp4, ip4FromNumber, maskOf, type Ip4 } from '../../model/addr.js';
import type { World } from '../../model/world.js';
import { Unsupported } from '../../shell/types.js';
import { COMMON_ARGS, loadArgs, type ArgField } from '../args.js';
import { goTrimSpace, joinPath, walkFiles, withFile, withoutFile } from '../fs.js';
import { goUnmarshal, type GoStruct, type GoType } from '../gojson.js';
import {
  goIPEqual,
  goIPString,
  goParseIP,
  NET_IP,
  PKG_IP,
  ROUTES,
  routesToResult,
  TYPES_IPNET,
  type DecodedRoute,
  type GoCIDR,
  type GoIP,
} from '../goip.js';
import { fsPath, type CmdArgs, type PluginCtx, type PluginDef } from '../skel.js';
import { PluginError, printResultAs, versionGte, type Dns, type IpConfig100, type Result100 } from '../types.js';

// ---------------------------------------------------------------------------
// Config (allocator/config.go), as Go types for the decoder.

const RANGE: GoStruct = {
  k: 'struct',
  name: 'Range',
  pkg: 'allocator',
  fields: [
    { key: 'rangeStart', json: 'rangeStart', type: NET_IP },
    { key: 'rangeEnd', json: 'rangeEnd', type: NET_IP },
    { key: 'subnet', json: 'subnet', type: TYPES_IPNET },
    { key: 'gateway', json: 'gateway', type: NET_IP },
  ],
};
const RANGE_SET: GoType = { k: 'slice', name: 'allocator.RangeSet', elem: RANGE };
const STR: GoType = { k: 'string' };

const IPAM_CONFIG: GoStruct = {
  k: 'struct',
  name: 'IPAMConfig',
  pkg: 'allocator',
  fields: [
    { key: 'range', json: 'Range', type: { k: 'ptr', elem: RANGE }, embedded: true },
    { key: 'Name', json: 'Name', type: STR },
    { key: 'type', json: 'type', type: STR },
    { key: 'routes', json: 'routes', type: ROUTES },
    { key: 'dataDir', json: 'dataDir', type: STR },
    { key: 'resolvConf', json: 'resolvConf', type: STR },
    { key: 'ranges', json: 'ranges', type: { k: 'slice', elem: RANGE_SET } },
  ],
};

const IPS: GoType = { k: 'slice', elem: { k: 'ptr', elem: PKG_IP } };

const NET: GoStruct = {
  k: 'struct',
  name: 'Net',
  pkg: 'allocator',
  fields: [
    { key: 'name', json: 'name', type: STR },
    { key: 'cniVersion', json: 'cniVersion', type: STR },
    { key: 'ipam', json: 'ipam', type: { k: 'ptr', elem: IPAM_CONFIG } },
    {
      key: 'runtimeConfig',
      json: 'runtimeConfig',
      type: {
        k: 'struct',
        name: '',
        fields: [
          { key: 'ipRanges', json: 'ipRanges', type: { k: 'slice', elem: RANGE_SET } },
          { key: 'ips', json: 'ips', type: IPS },
        ],
      },
    },
    {
      key: 'args',
      json: 'args',
      type: {
        k: 'ptr',
        elem: {
          k: 'struct',
          name: '',
          fields: [
            {
              key: 'cni',
              json: 'cni',
              type: { k: 'ptr', elem: { k: 'struct', name: 'IPAMArgs', pkg: 'allocator', fields: [{ key: 'ips', json: 'ips', type: IPS }] } },
            },
          ],
        },
      },
    },
  ],
};

interface RawRange {
  rangeStart?: GoIP;
  rangeEnd?: GoIP;
  subnet?: GoCIDR;
  gateway?: GoIP;
}

interface RawNet {
  name: string;
  cniVersion: string;
  ipam?: {
    range?: RawRange;
    type: string;
    routes?: (DecodedRoute | undefined)[];
    dataDir: string;
    resolvConf: string;
    ranges?: RawRange[][];
  };
  runtimeConfig: { ipRanges?: RawRange[][]; ips?: (GoIP | undefined)[] };
  args?: { cni?: { ips?: (GoIP | undefined)[] } };
}

/** A canonical IPv4 range (Range after Canonicalize). */
export interface Range4 {
  readonly net: Ip4;
  readonly len: number;
  readonly start: Ip4;
  readonly end: Ip4;
  /** The gateway (any family: a v6 gateway on a v4 range simply never matches). */
  readonly gateway: GoIP;
}

export type RangeSet4 = readonly Range4[];

export interface IpamConfig {
  readonly name: string;
  readonly cniVersion: string;
  readonly type: string;
  readonly routes?: (DecodedRoute | undefined)[];
  readonly dataDir: string;
  readonly resolvConf: string;
  readonly ranges: readonly RangeSet4[];
  /** Requested IPs (CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips), canonical. */
  readonly ipArgs: readonly GoIP[];
}

const v4 = (ip: GoIP | undefined): ip is { v: 4; a: Ip4 } => ip !== undefined && ip.v === 4;
const fmtNet = (net: Ip4, len: number): string => `${formatIp4(net)}/${len}`;
const rangeString = (r: Range4): string => `${formatIp4(r.start)}-${formatIp4(r.end)}`;
const rangeSetString = (s: RangeSet4): string => s.map(rangeString).join(',');

function v6Unsupported(): never {
  throw new Unsupported('host-local: IPv6 ranges');
}

/** Range.Canonicalize */
function canonicalizeRange(r: RawRange): Range4 {
  const sub = r.subnet;
  if (sub === undefined) {
    // A range without subnet: Go's nil IP is "not v4 nor v6".
    throw new PluginError('IP <nil> not v4 nor v6');
  }
  if (sub.ip.v === 6) v6Unsupported();
  const ipA = (sub.ip as { a: Ip4 }).a;
  // net.IPNet.String() prints the address as written (host bits included).
  if (sub.len > 30) throw new PluginError(`Network ${fmtNet(ipA, sub.len)} too small to allocate from`);
  const net = ip4FromNumber(ipA & maskOf(sub.len));
  if (net !== ipA) {
    throw new PluginError(`Network has host bits set. For a subnet mask of length ${sub.len} the network address is ${formatIp4(net)}`);
  }
  const gateway: GoIP = r.gateway ?? { v: 4, a: ip4FromNumber(net + 1) };
  const inNet = (a: Ip4): boolean => ((a & maskOf(sub.len)) >>> 0) === net;
  // Range.Contains checks the subnet and whichever of rangeStart/rangeEnd is
  // set at that point: rangeStart is checked against a configured rangeEnd.
  const endCfg = v4(r.rangeEnd) ? r.rangeEnd.a : undefined;
  let start: Ip4;
  if (r.rangeStart !== undefined) {
    if (!v4(r.rangeStart) || !inNet(r.rangeStart.a) || (endCfg !== undefined && r.rangeStart.a > endCfg)) {
      throw new PluginError(`RangeStart ${goIPString(r.rangeStart)} not in network ${fmtNet(net, sub.len)}`);
    }
    start = r.rangeStart.a;
  } else start = ip4FromNumber(net + 1);
  let end: Ip4;
  if (r.rangeEnd !== undefined) {
    if (!v4(r.rangeEnd) || !inNet(r.rangeEnd.a) || r.rangeEnd.a < start) {
      throw new PluginError(`RangeEnd ${goIPString(r.rangeEnd)} not in network ${fmtNet(net, sub.len)}`);
    }
    end = r.rangeEnd.a;
  } else end = ip4FromNumber((net | ~maskOf(sub.len)) - 1);
  return { net, len: sub.len, start, end, gateway };
}

/** Range.Contains */
export function rangeContains(r: Range4, ip: GoIP): boolean {
  if (!v4(ip)) return false;
  return ((ip.a & maskOf(r.len)) >>> 0) === r.net && ip.a >= r.start && ip.a <= r.end;
}

const rangeOverlaps = (a: Range4, b: Range4): boolean => {
  const p = (x: Ip4): GoIP => ({ v: 4, a: x });
  return rangeContains(a, p(b.start)) || rangeContains(a, p(b.end)) || rangeContains(b, p(a.start)) || rangeContains(b, p(a.end));
};

export const rangeSetContains = (s: RangeSet4, ip: GoIP): boolean => s.some((r) => rangeContains(r, ip));
const rangeFor = (s: RangeSet4, ip: GoIP): Range4 | undefined => s.find((r) => rangeContains(r, ip));

/** RangeSet.Canonicalize */
function canonicalizeRangeSet(s: RawRange[] | undefined): RangeSet4 {
  if (s === undefined || s.length === 0) throw new PluginError('empty range set');
  const out = s.map(canonicalizeRange);
  for (let i = 0; i < out.length - 1; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (rangeOverlaps(out[i]!, out[j]!)) throw new PluginError(`subnets ${rangeString(out[i]!)} and ${rangeString(out[j]!)} overlap`);
    }
  }
  return out;
}

const ENV_ARGS: readonly ArgField[] = [
  ...COMMON_ARGS,
  {
    name: 'IP',
    parse: (v) => {
      const r = (PKG_IP as Extract<GoType, { k: 'text' }>).parse(v);
      return 'error' in r ? r : { value: r.value };
    },
  },
];

/** allocator.LoadIPAMConfig */
export function loadIpamConfig(stdin: string, envArgs: string): IpamConfig {
  const r = goUnmarshal<RawNet>(stdin, NET);
  if (!r.ok) throw new PluginError(r.error);
  const n = r.value;
  if (!n.ipam) throw new PluginError("IPAM config missing 'ipam' key");
  const ipArgs: (GoIP | undefined)[] = [];
  if (envArgs !== '') {
    const e = loadArgs(envArgs, ENV_ARGS);
    if (e['IP'] !== undefined) ipArgs.push(e['IP'] as GoIP);
  }
  for (const i of n.args?.cni?.ips ?? []) ipArgs.push(i);
  for (const i of n.runtimeConfig.ips ?? []) ipArgs.push(i);
  for (const i of ipArgs) if (i === undefined) throw new PluginError('cannot understand ip: IP <nil> not v4 nor v6');

  let rawRanges: RawRange[][] = [...(n.ipam.ranges ?? [])];
  if (n.ipam.range?.subnet !== undefined) rawRanges = [[n.ipam.range], ...rawRanges];
  if ((n.runtimeConfig.ipRanges ?? []).length > 0) rawRanges = [...n.runtimeConfig.ipRanges!, ...rawRanges];
  if (rawRanges.length === 0) throw new PluginError('no IP ranges specified');

  const ranges: RangeSet4[] = [];
  let numV4 = 0;
  rawRanges.forEach((rs, i) => {
    try {
      ranges.push(canonicalizeRangeSet(rs));
    } catch (e) {
      if (e instanceof PluginError) throw new PluginError(`invalid range set ${i}: ${e.message}`);
      throw e;
    }
    numV4++;
  });
  if (numV4 > 1 && versionGte(n.cniVersion, '0.3.0') !== true) {
    throw new PluginError(`CNI version ${n.cniVersion} does not support more than 1 address per family`);
  }
  for (let i = 0; i < ranges.length - 1; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (ranges[i]!.some((a) => ranges[j]!.some((b) => rangeOverlaps(a, b)))) throw new PluginError(`range set ${i} overlaps with ${j}`);
    }
  }
  return {
    name: n.name,
    cniVersion: n.cniVersion,
    type: n.ipam.type,
    ...(n.ipam.routes !== undefined ? { routes: n.ipam.routes } : {}),
    dataDir: n.ipam.dataDir,
    resolvConf: n.ipam.resolvConf,
    ranges,
    ipArgs: ipArgs as GoIP[],
  };
}

// ---------------------------------------------------------------------------
// The disk store (backend/disk), over world.files.

const LINE_BREAK = '\r\n';
const LAST_IP_PREFIX = 'last_reserved_ip.';

export class DiskStore {
  constructor(
    private readonly ctx: PluginCtx,
    readonly dir: string,
  ) {
    // disk.New: MkdirAll + the lock file (go-filemutex opens it O_CREATE).
    const lock = joinPath(dir, 'lock');
    if (ctx.world.files[lock] === undefined) ctx.world = withFile(ctx.world, lock, '');
  }

  private get world(): World {
    return this.ctx.world;
  }

  /** Reserve: O_EXCL create of the IP's file, then last_reserved_ip.<rangeID>. */
  reserve(id: string, ifname: string, ip: GoIP, rangeID: number): boolean {
    const f = joinPath(this.dir, goIPString(ip));
    if (this.world.files[f] !== undefined) return false;
    this.ctx.world = withFile(this.world, f, goTrimSpace(id) + LINE_BREAK + ifname);
    this.ctx.world = withFile(this.world, joinPath(this.dir, LAST_IP_PREFIX + rangeID), goIPString(ip));
    return true;
  }

  lastReservedIP(rangeID: number): GoIP | undefined {
    const data = this.world.files[joinPath(this.dir, LAST_IP_PREFIX + rangeID)];
    return data === undefined ? undefined : goParseIP(data);
  }

  private matching(match: string): string[] {
    return walkFiles(this.world, this.dir).filter((p) => goTrimSpace(this.world.files[p]!) === match);
  }

  private releaseByKey(match: string): boolean {
    const hits = this.matching(match);
    for (const p of hits) this.ctx.world = withoutFile(this.world, p);
    return hits.length > 0;
  }

  /** ReleaseByID: files holding "<id>\r\n<ifname>", else (old format) "<id>". */
  releaseByID(id: string, ifname: string): void {
    if (!this.releaseByKey(goTrimSpace(id) + LINE_BREAK + ifname)) this.releaseByKey(goTrimSpace(id));
  }

  findByID(id: string, ifname: string): boolean {
    return this.matching(goTrimSpace(id) + LINE_BREAK + ifname).length > 0 || this.matching(goTrimSpace(id)).length > 0;
  }

  getByID(id: string, ifname: string): GoIP[] {
    const match = goTrimSpace(id) + LINE_BREAK + ifname;
    const old = goTrimSpace(id);
    const out: GoIP[] = [];
    for (const p of walkFiles(this.world, this.dir)) {
      const d = goTrimSpace(this.world.files[p]!);
      if (d !== match && d !== old) continue;
      const ip = goParseIP(p.slice(p.lastIndexOf('/') + 1));
      if (ip) out.push(ip);
    }
    return out;
  }
}

export function openStore(ctx: PluginCtx, conf: IpamConfig): DiskStore {
  return new DiskStore(ctx, fsPath(ctx, joinPath(conf.dataDir === '' ? '/var/lib/cni/networks' : conf.dataDir, conf.name)));
}

// ---------------------------------------------------------------------------
// The allocator (backend/allocator/allocator.go).

/** RangeIter: round robin from the last reserved IP, skipping each range's gateway. */
class RangeIter {
  private rangeIdx = 0;
  private cur: Ip4 | undefined;
  private startIP: Ip4 | undefined;

  constructor(
    private readonly set: RangeSet4,
    last: GoIP | undefined,
  ) {
    const idx = last ? set.findIndex((r) => rangeContains(r, last)) : -1;
    if (idx >= 0) {
      this.rangeIdx = idx;
      this.cur = (last as { a: Ip4 }).a;
    } else {
      this.startIP = set[0]!.start;
    }
  }

  next(): { ip: Ip4; r: Range4 } | undefined {
    for (;;) {
      let r = this.set[this.rangeIdx]!;
      if (this.cur === undefined) {
        this.cur = r.start;
        this.startIP = this.cur;
        if (goIPEqual({ v: 4, a: this.cur }, r.gateway)) continue;
        return { ip: this.cur, r };
      }
      if (this.cur === r.end) {
        this.rangeIdx = (this.rangeIdx + 1) % this.set.length;
        r = this.set[this.rangeIdx]!;
        this.cur = r.start;
      } else {
        this.cur = ip4FromNumber(this.cur + 1);
      }
      if (this.startIP === undefined) this.startIP = this.cur;
      else if (this.cur === this.startIP) return undefined;
      if (goIPEqual({ v: 4, a: this.cur }, r.gateway)) continue;
      return { ip: this.cur, r };
    }
  }
}

/** IPAllocator.Get */
function allocate(store: DiskStore, set: RangeSet4, rangeID: number, id: string, ifname: string, requested: GoIP | undefined): IpConfig100 {
  if (requested !== undefined) {
    const r = rangeFor(set, requested);
    if (!r) throw new PluginError(`${goIPString(requested)} not in range set ${rangeSetString(set)}`);
    if (goIPEqual(requested, r.gateway)) throw new PluginError(`requested ip ${goIPString(requested)} is subnet's gateway`);
    if (!store.reserve(id, ifname, requested, rangeID)) {
      throw new PluginError(`requested IP address ${goIPString(requested)} is not available in range set ${rangeSetString(set)}`);
    }
    return { address: { ip: goIPString(requested), prefixLen: r.len, family: 4 }, gateway: goIPString(r.gateway) };
  }
  for (const ip of store.getByID(id, ifname)) {
    if (rangeFor(set, ip)) throw new PluginError(`${goIPString(ip)} has been allocated to ${id}, duplicate allocation is not allowed`);
  }
  const iter = new RangeIter(set, store.lastReservedIP(rangeID));
  for (;;) {
    const c = iter.next();
    if (!c) break;
    if (store.reserve(id, ifname, { v: 4, a: c.ip }, rangeID)) {
      return { address: { ip: formatIp4(c.ip), prefixLen: c.r.len, family: 4 }, gateway: goIPString(c.r.gateway) };
    }
  }
  throw new PluginError(`no IP addresses available in range set: ${rangeSetString(set)}`);
}

/** parseResolvConf (dns.go) over the twin's files. */
function parseResolvConf(ctx: PluginCtx, file: string): Dns {
  const text = ctx.world.files[fsPath(ctx, file)];
  if (text === undefined) throw new PluginError(`open ${file}: no such file or directory`);
  const dns: { nameservers: string[]; domain: string; search: string[]; options: string[] } = { nameservers: [], domain: '', search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = goTrimSpace(raw.replace(/\r$/, ''));
    if (line === '' || line[0] === '#' || line[0] === ';') continue;
    const f = line.split(/\s+/);
    if (f.length < 2) continue;
    if (f[0] === 'nameserver') dns.nameservers.push(f[1]!);
    else if (f[0] === 'domain') dns.domain = f[1]!;
    else if (f[0] === 'search') dns.search.push(...f.slice(1));
    else if (f[0] === 'options') dns.options.push(...f.slice(1));
  }
  return dns;
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadIpamConfig(args.stdinData, args.args);
  const dns = conf.resolvConf !== '' ? parseResolvConf(ctx, conf.resolvConf) : {};
  const store = openStore(ctx, conf);
  // requestedIPs is a Go map keyed by the IP's text; the twin keeps insertion order.
  const requested = new Map<string, GoIP>();
  for (const ip of conf.ipArgs) requested.set(goIPString(ip), ip);
  const ips: IpConfig100[] = [];
  const release = (): void => store.releaseByID(args.containerID, args.ifName);
  conf.ranges.forEach((set, idx) => {
    let req: GoIP | undefined;
    for (const [k, ip] of requested) {
      if (rangeSetContains(set, ip)) {
        req = ip;
        requested.delete(k);
        break;
      }
    }
    try {
      ips.push(allocate(store, set, idx, args.containerID, args.ifName, req));
    } catch (e) {
      if (!(e instanceof PluginError)) throw e;
      if (idx > 0) release();
      throw new PluginError(`failed to allocate for range ${idx}: ${e.message}`);
    }
  });
  if (requested.size > 0) {
    release();
    throw new PluginError(`failed to allocate all requested IPs: ${[...requested.keys()].join(' ')}`);
  }
  const result: Result100 = {
    kind: '100',
    cniVersion: '1.0.0',
    ips,
    ...(conf.routes !== undefined ? { routes: routesToResult(conf.routes)! } : {}),
    dns,
  };
  ctx.stdout += printResultAs(result, conf.cniVersion);
}

function cmdDel(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadIpamConfig(args.stdinData, args.args);
  const store = openStore(ctx, conf);
  for (let i = 0; i < conf.ranges.length; i++) store.releaseByID(args.containerID, args.ifName);
}

function cmdCheck(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadIpamConfig(args.stdinData, args.args);
  const store = openStore(ctx, conf);
  if (!store.findByID(args.containerID, args.ifName)) {
    throw new PluginError(`host-local: Failed to find address added by container ${args.containerID}`);
  }
}

export const hostLocal: PluginDef = { name: 'host-local', add: cmdAdd, del: cmdDel, check: cmdCheck };
