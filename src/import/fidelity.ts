/**
 * After an import, the twin lists each namespace with the same commands the
 * collector ran on the node, and every difference becomes an assumption
 * (area `fidelity`): the import is faithful or it says where it is not.
 *
 * Compared: `ip -j -d link show` (per device, timers excluded), the IPv4
 * addresses of `ip -j -d addr show`, `ip -j -d -4 route show table all`,
 * `ip -j -4 neigh show nud all` and `proxy` (as sets: the kernel dumps hash
 * tables), `bridge -j fdb show` (as a set), `iptables-save -c`, every
 * sysctl of the bundle the twin knows, and each route exception of
 * `ip -j -d -4 route show table all cache` against the twin's `ip -j route get`.
 */
import type { NsName, World } from '../model/world.js';
import { runScript } from '../shell/interp.js';
import { sysctlValue } from '../sim/ops/sysctl.js';
import { sectionJson, type BundleNetns } from './bundle.js';
import { isObj, num, objs, str, type Obj } from './json.js';
import { parseSysctl, type Note } from './netns.js';

/** Values that change by themselves between two listings (bridge timers) or depend on the dump's moment. */
const VOLATILE = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer', 'hold_timer', 'message_age_timer', 'forward_delay_timer']);
/** Per-entry statistics of `-s` listings. */
const STATS = new Set(['used', 'confirmed', 'updated', 'probes', 'refcnt']);

function twinOut(world: World, ns: NsName, cmd: string): string {
  const r = runScript(cmd + '\n', { world, ns });
  return r.unsupported.length ? '' : r.output;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text.trim() || 'null') as unknown;
  } catch {
    return undefined;
  }
}

/** Paths where two JSON values differ (`a.b[2].c`). */
export function jsonDiff(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      if (VOLATILE.has(k)) continue;
      jsonDiff(a[k], b[k], path ? `${path}.${k}` : k, out);
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: node ${a === undefined ? '(none)' : JSON.stringify(a)}, twin ${b === undefined ? '(none)' : JSON.stringify(b)}`);
  return out;
}

function strip(o: Obj, drop: ReadonlySet<string>): Obj {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!drop.has(k)) r[k] = v;
  return r;
}

/** Multiset difference of JSON objects (as canonical strings). */
function setDiff(node: readonly Obj[], twin: readonly Obj[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const o of twin) {
    const k = JSON.stringify(o);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const missing: string[] = [];
  for (const o of node) {
    const k = JSON.stringify(o);
    const c = count.get(k) ?? 0;
    if (c > 0) count.set(k, c - 1);
    else missing.push(k);
  }
  const extra: string[] = [];
  for (const [k, c] of count) for (let i = 0; i < c; i++) extra.push(k);
  return { missing, extra };
}

const list = (xs: readonly string[], n = 4): string => xs.slice(0, n).join('; ') + (xs.length > n ? `; ... (${xs.length} in all)` : '');

/** What the import already reported for a namespace: routes left out (as the kernel printed them), tables with rules left out. */
export interface Reported {
  readonly routes: ReadonlySet<string>;
  readonly tables: ReadonlySet<string>;
}

export function checkFidelity(world: World, ns: NsName, b: BundleNetns, standIns: ReadonlySet<string>, reported: Reported = { routes: new Set(), tables: new Set() }): Note[] {
  const notes: Note[] = [];
  const add = (text: string, dev?: string, table?: string): void =>
    void notes.push({ severity: 'warn', area: 'fidelity', ...(dev !== undefined ? { dev } : {}), ...(table !== undefined ? { table } : {}), text });
  if (world.ns[ns] === undefined) return notes;

  // Links, device by device.
  const nodeLinks = objs(sectionJson(b, 'ip -j -d link show'));
  const twinLinks = objs(parse(twinOut(world, ns, 'ip -j -d link show')));
  for (const nl of nodeLinks) {
    const name = str(nl, 'ifname') ?? '?';
    if (standIns.has(name)) continue;
    const tl = twinLinks.find((t) => num(t, 'ifindex') === num(nl, 'ifindex'));
    if (!tl) {
      add(`ip -d link: the twin has no device ${name}`, name);
      continue;
    }
    const d = jsonDiff(nl, tl);
    if (d.length) add(`ip -d link shows ${list(d)}`, name);
  }

  // IPv4 addresses.
  const nodeAddrs = objs(sectionJson(b, 'ip -j -d addr show'));
  const twinAddrs = objs(parse(twinOut(world, ns, 'ip -j -d addr show')));
  for (const na of nodeAddrs) {
    const name = str(na, 'ifname') ?? '?';
    if (standIns.has(name)) continue;
    const ta = twinAddrs.find((t) => num(t, 'ifindex') === num(na, 'ifindex'));
    const v4 = (o: Obj | undefined): Obj[] => objs(o?.['addr_info']).filter((a) => str(a, 'family') === 'inet');
    const d = jsonDiff(v4(na), v4(ta));
    if (d.length) add(`ip addr shows ${list(d)}`, name);
  }

  // Routes: the same set, then the same order.
  const nodeRoutes = objs(sectionJson(b, 'ip -j -d -4 route show table all'));
  const twinRoutes = objs(parse(twinOut(world, ns, 'ip -j -d -4 route show table all')));
  const imported = nodeRoutes.filter((r) => !reported.routes.has(JSON.stringify(r)));
  const rd = setDiff(imported, twinRoutes);
  if (rd.missing.length) add(`routes the twin lacks: ${list(rd.missing)}`);
  if (rd.extra.length) add(`routes only the twin has: ${list(rd.extra)}`);
  if (!rd.missing.length && !rd.extra.length && JSON.stringify(imported) !== JSON.stringify(twinRoutes)) add('ip route show table all lists the same routes in another order');

  // Route exceptions (`ip route show cache`: redirects, learnt path MTUs): the twin's
  // `ip route get DST` binds the same exception (rt_bind_exception) and shows what the
  // node's listing showed: the gateway, the device, the flags, the seconds left (the
  // probes of the import proof compare these with the seconds normalised away, since on
  // the node they count down after the collection) and the mtu.
  for (const e of objs(sectionJson(b, 'ip -j -d -4 route show table all cache'))) {
    const dst = str(e, 'dst');
    if (dst === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(dst) || standIns.has(str(e, 'dev') ?? '')) continue;
    const got = objs(parse(twinOut(world, ns, `ip -j route get ${dst}`)))[0];
    const pick = (o: Obj | undefined): Obj => ({ gateway: o?.['gateway'], dev: o?.['dev'], cache: o?.['cache'], expires: o?.['expires'], metrics: o?.['metrics'] });
    const d = jsonDiff(pick(e), pick(got));
    if (d.length) add(`route exception for ${dst}: ip route get shows ${list(d)}`, str(e, 'dev'));
  }

  // Neighbours (hash-table order on the node: compared as sets).
  const nodeNeigh = objs(sectionJson(b, 'ip -j -s -4 neigh show nud all')).map((o) => strip(o, STATS));
  const twinNeigh = objs(parse(twinOut(world, ns, 'ip -j -4 neigh show nud all')));
  const nd = setDiff(nodeNeigh, twinNeigh);
  if (nd.missing.length) add(`neighbours the twin lacks or shows differently: ${list(nd.missing)}`);
  if (nd.extra.length) add(`neighbours only the twin has: ${list(nd.extra)}`);
  const pd = setDiff(objs(sectionJson(b, 'ip -j -4 neigh show proxy')), objs(parse(twinOut(world, ns, 'ip -j -4 neigh show proxy'))));
  if (pd.missing.length || pd.extra.length) add(`proxy neighbours differ: node only ${list(pd.missing)}; twin only ${list(pd.extra)}`);

  // Bridge FDBs and device address lists.
  if (b.cmds['bridge -j -s fdb show']) {
    const keep = (o: Obj): boolean => !standIns.has(str(o, 'ifname') ?? '');
    const nodeFdb = objs(sectionJson(b, 'bridge -j -s fdb show')).filter(keep).map((o) => strip(o, STATS));
    const twinFdb = objs(parse(twinOut(world, ns, 'bridge -j fdb show'))).filter(keep);
    const fd = setDiff(nodeFdb, twinFdb);
    if (fd.missing.length) add(`bridge fdb entries the twin lacks: ${list(fd.missing)}`);
    if (fd.extra.length) add(`bridge fdb entries only the twin has: ${list(fd.extra)}`);
  }

  // iptables, table by table.
  const save = b.cmds['iptables-save -c'];
  if (save && save.status === 0) {
    const norm = (t: string): Map<string, string> => {
      const m = new Map<string, string>();
      let cur = '';
      for (const line of t.split('\n')) {
        if (line.startsWith('#')) continue;
        if (line.startsWith('*')) cur = line.slice(1);
        if (cur) m.set(cur, (m.get(cur) ?? '') + line + '\n');
      }
      return m;
    };
    const nodeT = norm(save.body);
    const twinT = norm(twinOut(world, ns, 'iptables-save -c'));
    for (const [t, text] of nodeT) {
      if (reported.tables.has(t)) continue;
      const tt = twinT.get(t) ?? '';
      if (tt === text) continue;
      const a = text.split('\n');
      const bl = tt.split('\n');
      const onlyNode = a.filter((l) => !bl.includes(l));
      const onlyTwin = bl.filter((l) => !a.includes(l));
      add(`iptables-save -t ${t} differs: node only ${list(onlyNode, 3) || '(nothing)'}; twin only ${list(onlyTwin, 3) || '(nothing)'}`, undefined, t);
    }
  }

  // sysctls the twin knows.
  const diffs: string[] = [];
  for (const [k, v] of parseSysctl(b)) {
    if (k.startsWith('net.ipv4.neigh.')) continue; // not modelled: reported by the import itself
    const m = /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(k);
    if (m && standIns.has(m[1]!.replace(/\//g, '.'))) continue;
    const key = m ? k.replace(`.${m[1]}.`, `.${m[1]!.replace(/\//g, '.')}.`) : k;
    const tv = sysctlValue(world, ns, key);
    if (tv === undefined) continue;
    if (tv !== v) diffs.push(`${k}: node ${v}, twin ${tv}`);
  }
  if (diffs.length) add(`sysctl values differ: ${list(diffs, 6)}`);
  return notes;
}
