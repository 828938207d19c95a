/**
 * The /proc/sys/net tree of one namespace: which keys exist, what they read,
 * and what writing one does (including the kernel's side effects: ip_forward
 * switching every device's forwarding, conf.default reaching devices that did
 * not set the key themselves, bridge-nf-call-* clamping to 1).
 *
 * Values live in `Netns.sysctl` (namespace keys, conf.all/default) and on each
 * link (`Link.conf`, `Link.conf6`); keys nobody wrote read as the kernel's
 * defaults recorded in src/model/sysctl-keys.ts. The `sysctl` command
 * (src/shell/sysctl.ts) is a thin layer over this module; the datapath should
 * read values through sysctlValue()/confValue() so defaults apply uniformly.
 */
import { produce, type Draft } from 'immer';
import {
  CONF4_KEYS,
  CONF4_OVERRIDES,
  CONF6_KEYS,
  CONF6_OVERRIDES,
  NEIGH4_KEYS,
  NEIGH6_KEYS,
  NET_SYSCTL_KEYS,
} from '../../model/sysctl-keys.js';
import type { Link, Netns, NsName, World } from '../../model/world.js';
import { internRecord, internStrings } from '../../model/shared.js';
import { peek } from '../peek.js';

/** Keys the kernel lets you write but not read (`sysctl k` prints nothing). */
const WRITE_ONLY: ReadonlySet<string> = new Set(['net.ipv4.route.flush', 'net.ipv6.route.flush']);

/** Keys holding a vector of integers (printed tab-separated), with their length. */
const VECTORS: Readonly<Record<string, number>> = {
  'net.ipv4.ip_local_port_range': 2,
  'net.ipv4.ping_group_range': 2,
  'net.ipv4.tcp_rmem': 3,
  'net.ipv4.tcp_wmem': 3,
};

/** Integer keys with a range check (proc_dointvec_minmax): out of range is EINVAL. */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  'net.ipv4.ip_default_ttl': [1, 255],
};

const IPV4_CONF = 'net.ipv4.conf.';
const IPV6_CONF = 'net.ipv6.conf.';

/** Split `net.ipv4.conf.<dev>.<key>` (the device name may not contain dots here). */
function confParts(key: string): { v6: boolean; dev: string; name: string } | undefined {
  const v6 = key.startsWith(IPV6_CONF);
  if (!v6 && !key.startsWith(IPV4_CONF)) return undefined;
  const rest = key.slice(IPV4_CONF.length).split('.');
  if (rest.length !== 2) return undefined;
  return { v6, dev: rest[0]!, name: rest[1]! };
}

function linkNamed(ns: Netns, name: string): Link | undefined {
  for (const l of Object.values(ns.links)) if (l.name === name) return l;
  return undefined;
}

/** The kernel's default of a per-device key for `all`, `default`, `lo` or an ordinary device. */
function confDefault(v6: boolean, which: 'all' | 'default' | 'lo' | 'dev', name: string): string | undefined {
  const base = v6 ? CONF6_KEYS : CONF4_KEYS;
  const over = v6 ? CONF6_OVERRIDES : CONF4_OVERRIDES;
  if (base[name] === undefined) return undefined;
  return which === 'dev' ? base[name] : (over[which][name] ?? base[name]);
}

/**
 * The value of a per-device key for a device, as the kernel would read it:
 * what the device holds, else what conf.default held when the device was
 * created (the sysctl writer snapshots old defaults into devices before
 * changing conf.default, so "current default" is right for the rest).
 */
export function confValue(ns: Netns, link: Link, name: string, v6 = false): string | undefined {
  const own = v6 ? link.conf6?.[name] : link.conf[name];
  if (own !== undefined) return own;
  if (v6 && name === 'mtu') return String(link.mtu);
  if (link.kind === 'loopback') {
    const lo = (v6 ? CONF6_OVERRIDES : CONF4_OVERRIDES).lo[name];
    if (lo !== undefined) return lo;
  }
  const dflt = ns.sysctl[`${v6 ? IPV6_CONF : IPV4_CONF}default.${name}`];
  return dflt ?? confDefault(v6, 'dev', name);
}

/** `net.ipv4.conf.all.<name>` of a namespace (its own value, else the kernel's default for `all`). */
export function confAllValue(ns: Netns, name: string): string | undefined {
  return ns.sysctl[`${IPV4_CONF}all.${name}`] ?? confDefault(false, 'all', name);
}

/** Read a key (dotted form). undefined when the key does not exist in this namespace. */
export function sysctlValue(world: World, nsName: NsName, key: string): string | undefined {
  const ns = world.ns[nsName];
  if (!ns) return undefined;
  const c = confParts(key);
  if (c) {
    if (c.dev === 'all' || c.dev === 'default') return ns.sysctl[key] ?? confDefault(c.v6, c.dev, c.name);
    const link = linkNamed(ns, c.dev);
    if (!link) return undefined;
    return confValue(ns, link, c.name, c.v6);
  }
  const n = neighParts(key);
  if (n) {
    const link = linkNamed(ns, n.dev);
    return link ? neighRead(link, n.v6, n.name) : undefined;
  }
  if (NET_SYSCTL_KEYS[key] === undefined) return undefined;
  return ns.sysctl[key] ?? NET_SYSCTL_KEYS[key];
}

/** Every key of the namespace's /proc/sys/net, in the order `sysctl -a` walks them. */
export function sysctlKeys(world: World, nsName: NsName): string[] {
  const ns = world.ns[nsName];
  if (!ns) return [];
  const keys = new Set<string>(Object.keys(NET_SYSCTL_KEYS));
  const devs = ['all', 'default', ...Object.values(ns.links).map((l) => l.name)];
  for (const d of devs) {
    for (const k of Object.keys(CONF4_KEYS)) keys.add(`${IPV4_CONF}${d}.${k}`);
    for (const k of Object.keys(CONF6_KEYS)) keys.add(`${IPV6_CONF}${d}.${k}`);
  }
  for (const l of Object.values(ns.links)) {
    for (const k of Object.keys(NEIGH4_KEYS)) keys.add(`net.ipv4.neigh.${l.name}.${k}`);
    for (const k of Object.keys(NEIGH6_KEYS)) keys.add(`net.ipv6.neigh.${l.name}.${k}`);
  }
  return [...keys].sort(compareKeys);
}

/** procfs lists a directory sorted by name (rbtree, namecmp()); a walk is depth-first. */
export function compareKeys(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

export type SysctlNode =
  | { readonly kind: 'file'; readonly writeOnly: boolean }
  | { readonly kind: 'dir'; readonly keys: readonly string[] }
  | { readonly kind: 'missing' }
  | { readonly kind: 'notdir' };

/** What /proc/sys/<key> is: a file, a directory (with the files under it), nothing, or a path through a file. */
export function sysctlNode(world: World, nsName: NsName, key: string): SysctlNode {
  if (WRITE_ONLY.has(key)) return { kind: 'file', writeOnly: true };
  if (sysctlValue(world, nsName, key) !== undefined) return { kind: 'file', writeOnly: false };
  const all = sysctlKeys(world, nsName);
  const under = all.filter((k) => k.startsWith(key + '.'));
  if (under.length > 0) return { kind: 'dir', keys: under };
  const parts = key.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const p = parts.slice(0, i).join('.');
    if (sysctlValue(world, nsName, p) !== undefined || WRITE_ONLY.has(p)) return { kind: 'notdir' };
  }
  return { kind: 'missing' };
}

export type WriteResult =
  | { readonly ok: true; readonly world: World }
  | { readonly ok: false; readonly errno: 'EINVAL' | 'ENOENT' | 'UNSUPPORTED'; readonly detail?: string };

/**
 * Parse an integer the way proc_dointvec does (proc_get_long): leading blanks,
 * an optional '-', a number in base 0 (0x.. hex, 0.. octal), then a blank or
 * the end. Returns the values read and whether parsing failed.
 */
export function parseIntVector(text: string, max: number): number[] | undefined {
  const out: number[] = [];
  let s = text;
  while (out.length < max) {
    s = s.replace(/^[ \t\n]+/, '');
    if (s === '') break;
    const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?=$|[ \t\n])/.exec(s);
    if (!m) return undefined;
    const digits = m[2]!;
    const mag = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : Number(digits);
    const v = m[1] === '-' ? -mag : mag;
    if (v > 2147483647 || v < -2147483648) return undefined;
    out.push(v);
    s = s.slice(m[0].length);
  }
  return out.length === 0 ? undefined : out;
}

/** The value `sysctl -w key=value` stores, or EINVAL. `current` fills a partially written vector. */
function canonical(key: string, value: string, current: string): string | 'EINVAL' | 'UNSUPPORTED' {
  const vecLen = VECTORS[key];
  if (vecLen !== undefined) {
    const v = parseIntVector(value, vecLen);
    if (!v) return 'EINVAL';
    const cur = current.split('\t').map(Number);
    const full = cur.map((c, i) => v[i] ?? c);
    if (key === 'net.ipv4.ip_local_port_range') {
      // ipv4_local_port_range(): both ends in 1..65535 and low <= high
      if (full.some((x) => x < 1 || x > 65535) || full[0]! > full[1]!) return 'EINVAL';
    }
    return full.join('\t');
  }
  if (!/^-?\d+$/.test(current)) return 'UNSUPPORTED'; // string-valued keys are not modelled
  const v = parseIntVector(value, 1);
  if (!v) return 'EINVAL';
  const n = v[0]!;
  const range = RANGES[key];
  if (range && (n < range[0] || n > range[1])) return 'EINVAL';
  // brnf_sysctl_call_tables(): any non-zero value is stored as 1
  if (key.startsWith('net.bridge.bridge-nf-') && n !== 0) return '1';
  return String(n);
}

/**
 * `sysctl -w key=value` (value already trimmed as procps does). Applies the
 * kernel's side effects:
 * - net.ipv4.ip_forward and conf.all.forwarding are one variable; changing it
 *   sets conf.default.forwarding and every device's forwarding too, and
 *   conf.all.accept_redirects to the opposite (devinet_sysctl_forward() ->
 *   inet_forward_change()); writing the value it already has does nothing;
 * - conf.default.K (K other than forwarding) reaches every device except lo
 *   that did not write K itself (devinet_copy_dflt_conf());
 * - net.ipv6.conf.all.{disable_ipv6,forwarding} reach default and every device;
 * - a device's key, once written, is marked so conf.default no longer reaches it.
 */
export function sysctlWrite(world: World, nsName: NsName, key: string, value: string): WriteResult {
  const ns = world.ns[nsName];
  if (!ns) return { ok: false, errno: 'ENOENT' };
  if (WRITE_ONLY.has(key)) return { ok: true, world };
  const current = sysctlValue(world, nsName, key);
  if (current === undefined) return { ok: false, errno: 'ENOENT' };
  const np = neighParts(key);
  if (np) {
    const link = linkNamed(ns, np.dev)!;
    const raw = neighWriteRaw(np.name, value);
    if (raw === 'EINVAL') return { ok: false, errno: 'EINVAL' };
    const field = np.v6 ? 'neigh6' : 'neigh4';
    const data = NEIGH_VARS[np.name]!.data;
    const next = produce(world, (d) => {
      const dl = d.ns[nsName]!.links[link.ifindex]!;
      dl[field] = { ...(link[field] ?? {}), [data]: raw };
    });
    return { ok: true, world: next };
  }
  const v = canonical(key, value, current);
  if (v === 'EINVAL') return { ok: false, errno: 'EINVAL' };
  if (v === 'UNSUPPORTED') return { ok: false, errno: 'UNSUPPORTED', detail: `sysctl -w of the string key ${key}` };
  const c = confParts(key);
  const next = produce(world, (d) => {
    const dns = d.ns[nsName]!;
    if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
      // devinet_sysctl_forward(): only a change of the value calls inet_forward_change(), which
      // sets conf.default and every device, and conf.all.accept_redirects to the opposite.
      if (current === v) return;
      dns.sysctl['net.ipv4.conf.all.accept_redirects'] = v === '0' ? '1' : '0';
      dns.sysctl['net.ipv4.ip_forward'] = v;
      dns.sysctl['net.ipv4.conf.all.forwarding'] = v;
      dns.sysctl['net.ipv4.conf.default.forwarding'] = v;
      for (const l of Object.values(dns.links)) (l.conf as Record<string, string>)['forwarding'] = v;
      return;
    }
    if (!c) {
      dns.sysctl[key] = v;
      return;
    }
    if (c.dev === 'all' || c.dev === 'default') {
      if (c.dev === 'default' || (c.v6 && (c.name === 'disable_ipv6' || c.name === 'forwarding'))) {
        // Devices that will not follow the new default keep what they read now.
        for (const l of Object.values(dns.links)) snapshotConf(ns, l, c.v6, c.name);
      }
      dns.sysctl[key] = v;
      if (c.v6 && c.dev === 'all' && (c.name === 'disable_ipv6' || c.name === 'forwarding')) {
        dns.sysctl[`${IPV6_CONF}default.${c.name}`] = v;
        for (const l of Object.values(dns.links)) l.conf6 = { ...(l.conf6 ?? {}), [c.name]: v };
      } else if (!c.v6 && c.dev === 'default' && c.name !== 'forwarding') {
        for (const l of Object.values(dns.links)) {
          if (pinnedConf(l as Link, c.name)) continue;
          (l.conf as Record<string, string>)[c.name] = v;
        }
      }
      return;
    }
    const link = Object.values(dns.links).find((l) => l.name === c.dev)!;
    if (c.v6) {
      link.conf6 = { ...(link.conf6 ?? {}), [c.name]: v };
    } else {
      // Shared by content (issue #7: every pod's eth0 gets the same arp_notify=1 from its CNI
      // plugin): a new frozen record rather than a write into the device's own copy.
      link.conf = internRecord({ ...peek(link.conf), [c.name]: v }) as Draft<Record<string, string>>;
      const set = peek(link.confSet) ?? [];
      if (!set.includes(c.name)) link.confSet = internStrings([...set, c.name]) as string[];
    }
  });
  return { ok: true, world: next };
}

/**
 * Does conf.default no longer reach this device's key? When it was written for
 * the device itself, and for every key of lo once lo has come up: adding
 * 127.0.0.1 on NETDEV_UP calls ipv4_devconf_setall() (so lo of a namespace
 * that never brought it up still follows conf.default).
 */
function pinnedConf(l: Link, name: string): boolean {
  if ((l.confSet ?? []).includes(name)) return true;
  return l.kind === 'loopback' && l.addrs.some((a) => a.local === 0x7f000001);
}

/** Pin a device's current reading of `name` before conf.default changes (see confValue). */
function snapshotConf(ns: Netns, dl: Draft<Link>, v6: boolean, name: string): void {
  const link = ns.links[dl.ifindex]!;
  if (v6) {
    if (link.conf6?.[name] === undefined && name !== 'mtu') dl.conf6 = { ...(link.conf6 ?? {}), [name]: confValue(ns, link, name, true)! };
  } else if (link.conf[name] === undefined) {
    (dl.conf as Record<string, string>)[name] = confValue(ns, link, name, false)!;
  }
}

/** Is IPv6 enabled on a device (net.ipv6.conf.<dev>.disable_ipv6 = 0)? */
export function ipv6Enabled(ns: Netns, link: Link): boolean {
  return (confValue(ns, link, 'disable_ipv6', true) ?? '0') === '0';
}

/*
 * net.ipv4.neigh.<dev>.* / net.ipv6.neigh.<dev>.* (net/core/neighbour.c, neigh_sysctl_template).
 * Every device has its own directory; neigh.default.* exists only in the initial namespace of a
 * real machine, so a twin namespace has none. The kernel keeps each value in neigh_parms as an
 * int, times in jiffies, and converts on every read and write; the conversions lose precision
 * in ways `sysctl` shows (checked on the reference kernel, CONFIG_HZ=250, USER_HZ=100:
 * proxy_delay=7 reads back 6, base_reachable_time_ms=5 reads 8, proxy_delay=-5 reads "-0").
 */

const HZ = 250;
const USER_HZ = 100;
const INT_MAX = 2147483647;
/** SKB_TRUESIZE(ETH_FRAME_LEN): unres_qlen is stored as unres_qlen_bytes / this (10450 for 5). */
const SKB_TRUESIZE_ETH = 2090;

/**
 * How each file converts (its proc handler) and which neigh_parms variable it shares:
 * int = proc_dointvec_minmax [0, INT_MAX]; userhz = proc_dointvec_userhz_jiffies (1/100 s);
 * jiffies = proc_dointvec_jiffies (seconds); ms = proc_dointvec_ms_jiffies; ms_pos = the same
 * with a minimum of one jiffy; qlen = proc_unres_qlen (packets over unres_qlen_bytes).
 */
type NeighConv = 'int' | 'userhz' | 'jiffies' | 'ms' | 'ms_pos' | 'qlen';
const NEIGH_VARS: Readonly<Record<string, { readonly conv: NeighConv; readonly data: string }>> = {
  anycast_delay: { conv: 'userhz', data: 'anycast_delay' },
  app_solicit: { conv: 'int', data: 'app_solicit' },
  base_reachable_time: { conv: 'jiffies', data: 'base_reachable_time' },
  base_reachable_time_ms: { conv: 'ms', data: 'base_reachable_time' },
  delay_first_probe_time: { conv: 'jiffies', data: 'delay_first_probe_time' },
  gc_stale_time: { conv: 'jiffies', data: 'gc_stale_time' },
  interval_probe_time_ms: { conv: 'ms_pos', data: 'interval_probe_time' },
  locktime: { conv: 'userhz', data: 'locktime' },
  mcast_resolicit: { conv: 'int', data: 'mcast_resolicit' },
  mcast_solicit: { conv: 'int', data: 'mcast_solicit' },
  proxy_delay: { conv: 'userhz', data: 'proxy_delay' },
  proxy_qlen: { conv: 'int', data: 'proxy_qlen' },
  retrans_time: { conv: 'userhz', data: 'retrans_time' },
  retrans_time_ms: { conv: 'ms', data: 'retrans_time' },
  ucast_solicit: { conv: 'int', data: 'ucast_solicit' },
  unres_qlen: { conv: 'qlen', data: 'unres_qlen_bytes' },
  unres_qlen_bytes: { conv: 'int', data: 'unres_qlen_bytes' },
};

/**
 * Files that exist but `sysctl -a` (and a directory listing) skips: procps hides the deprecated
 * base_reachable_time and retrans_time, superseded by their _ms twins; naming them works.
 */
const NEIGH_HIDDEN: ReadonlySet<string> = new Set(['base_reachable_time', 'retrans_time']);

function neighParts(key: string): { v6: boolean; dev: string; name: string } | undefined {
  const m = /^net\.ipv([46])\.neigh\.([^.]+)\.([^.]+)$/.exec(key);
  if (!m || NEIGH_VARS[m[3]!] === undefined) return undefined;
  if (!NEIGH_HIDDEN.has(m[3]!) && (m[1] === '4' ? NEIGH4_KEYS : NEIGH6_KEYS)[m[3]!] === undefined) return undefined;
  return { v6: m[1] === '6', dev: m[2]!, name: m[3]! };
}

/** clock_t_to_jiffies() (HZ % USER_HZ != 0): x * HZ / USER_HZ, saturating for "negative" (huge) input. */
function clockToJiffies(v: number): number {
  if (v < 0) return -1; // (unsigned long)-x >= ~0UL / HZ * USER_HZ: ~0UL, stored in an int as -1
  return Math.floor((v * HZ) / USER_HZ) | 0; // the int neigh_parms field truncates
}

/** jiffies_to_clock_t(): x * TICK_NSEC / (NSEC_PER_SEC / USER_HZ). */
function jiffiesToClock(j: number): number {
  return Math.floor((j * USER_HZ) / HZ);
}

/** The int the kernel stores for `value` written to `name`, or EINVAL. */
function neighWriteRaw(name: string, value: string): number | 'EINVAL' {
  const conv = NEIGH_VARS[name]!.conv;
  const parsed = parseIntVector(value, 1);
  if (!parsed) return 'EINVAL';
  const v = parsed[0]!;
  switch (conv) {
    case 'int':
      return v < 0 ? 'EINVAL' : v;
    case 'userhz':
      return clockToJiffies(v);
    case 'jiffies':
      return Math.abs(v) > Math.floor(INT_MAX / HZ) ? 'EINVAL' : v * HZ;
    case 'ms':
    case 'ms_pos': {
      // msecs_to_jiffies() rounds up; a negative value is MAX_JIFFY_OFFSET, beyond INT_MAX.
      if (v < 0) return 'EINVAL';
      const j = Math.ceil((v * HZ) / 1000);
      return conv === 'ms_pos' && j < 1 ? 'EINVAL' : j;
    }
    case 'qlen':
      return v < 0 || v > Math.floor(INT_MAX / SKB_TRUESIZE_ETH) ? 'EINVAL' : v * SKB_TRUESIZE_ETH;
  }
}

/** What reading `name` prints for the stored int `raw`. */
function neighFormat(name: string, raw: number): string {
  const conv = NEIGH_VARS[name]!.conv;
  const sign = raw < 0 ? '-' : '';
  const mag = Math.abs(raw);
  switch (conv) {
    case 'int':
      return String(raw);
    case 'userhz':
      return sign + String(jiffiesToClock(mag));
    case 'jiffies':
      return sign + String(Math.floor(mag / HZ));
    case 'ms':
    case 'ms_pos':
      // jiffies_to_msecs() returns an unsigned int.
      return sign + String(((mag * 1000) / HZ) % 2 ** 32);
    case 'qlen':
      return String(Math.floor(raw / SKB_TRUESIZE_ETH));
  }
}

/** The stored int of a variable nobody wrote: the default file's value converted as a write would. */
function neighDefaultRaw(v6: boolean, data: string): number {
  const table = v6 ? NEIGH6_KEYS : NEIGH4_KEYS;
  const file = data === 'base_reachable_time' || data === 'retrans_time' || data === 'interval_probe_time' ? `${data}_ms` : data;
  const raw = neighWriteRaw(file, table[file]!);
  return raw === 'EINVAL' ? 0 : raw;
}

function neighRead(link: Link, v6: boolean, name: string): string {
  const data = NEIGH_VARS[name]!.data;
  const raw = (v6 ? link.neigh6 : link.neigh4)?.[data] ?? neighDefaultRaw(v6, data);
  return neighFormat(name, raw);
}

/**
 * A neighbour parameter of a device as the datapath should use it, in milliseconds for times
 * (retrans_time, base_reachable_time, delay_first_probe_time, gc_stale_time, proxy_delay,
 * anycast_delay, locktime, interval_probe_time) and as a count otherwise.
 */
export function neighParam(link: Link, data: string, v6 = false): number {
  const raw = (v6 ? link.neigh6 : link.neigh4)?.[data] ?? neighDefaultRaw(v6, data);
  const times = ['retrans_time', 'base_reachable_time', 'delay_first_probe_time', 'gc_stale_time', 'proxy_delay', 'anycast_delay', 'locktime', 'interval_probe_time'];
  return times.includes(data) ? (raw * 1000) / HZ : raw;
}
