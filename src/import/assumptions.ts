/**
 * Assumptions of an imported world, as a reader sees them: the import report
 * in text, and the assumptions a trace crosses (a hop in their namespace, on
 * their device, or a netfilter step of their table).
 */
import { parseIp4, parsePrefix4, prefixContains, type Ip4 } from '../model/addr.js';
import type { Assumption, World } from '../model/world.js';
import type { Trace } from '../sim/trace.js';
import type { ImportReport } from './build.js';

export function where(a: Assumption): string {
  const ns = a.ns === '/' ? 'initial namespace' : `netns ${a.ns}`;
  return `${a.node}: ${ns}${a.dev ? `, dev ${a.dev}` : ''}${a.table ? `, table ${a.table}` : ''}`;
}

export function formatAssumption(a: Assumption): string {
  return `[${a.severity}] ${where(a)} (${a.area}): ${a.text}`;
}

/** The IPv4 destinations a trace's packet had (before and after NAT). */
function destinations(t: Trace): Ip4[] {
  const out: Ip4[] = [];
  const add = (x: string | undefined): void => {
    const a = x !== undefined ? parseIp4(x) : undefined;
    if (a !== undefined && !out.includes(a)) out.push(a);
  };
  add(/-> (\d+\.\d+\.\d+\.\d+)/.exec(t.title)?.[1]);
  for (const h of t.hops) for (const s of h.steps) {
    add(s.before?.dst);
    add(s.after?.dst);
  }
  return out;
}

/**
 * The assumptions a packet's trace passes through: `warn` ones of a namespace
 * a hop is in, restricted to the hop's devices when the assumption names a
 * device, and to the packet's destination when it names a prefix. IPv6 ones
 * cannot touch an IPv4 packet.
 */
export function crossedAssumptions(world: World, t: Trace): Assumption[] {
  const out: Assumption[] = [];
  const dsts = destinations(t);
  for (const a of world.assumptions ?? []) {
    if (a.severity !== 'warn' || a.area === 'ipv6') continue;
    if (a.prefix !== undefined) {
      const p = parsePrefix4(a.prefix);
      if (p && !dsts.some((d) => prefixContains(p, d))) continue;
    }
    const hit = t.hops.some((h) => {
      if (h.ns !== a.ns) return false;
      if (a.dev !== undefined) return h.inDev === a.dev || h.outDev === a.dev || h.steps.some((s) => s.action.includes(` ${a.dev}`));
      return true;
    });
    if (hit && !out.includes(a)) out.push(a);
  }
  return out;
}

/** The import report as text (what `podnet import` prints). */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  for (const n of r.nodes) {
    lines.push(`node ${n.name} (${n.origin}${n.kernel ? `, kernel ${n.kernel}` : ''}): ${n.namespaces.length} namespace${n.namespaces.length === 1 ? '' : 's'}`);
    for (const m of n.namespaces) {
      const from = m.nodeNs === '/' ? 'initial namespace' : `netns ${m.nodeNs}`;
      const to = m.twinNs === '/' ? 'the twin\'s initial namespace' : `twin netns ${m.twinNs}`;
      lines.push(`  ${from} -> ${to}`);
    }
  }
  for (const a of r.added) lines.push(`added netns ${a.ns}: ${a.why}`);
  if (r.kube) {
    const mapped = r.kube.pods.filter((p) => p.twinNs !== undefined);
    lines.push(`kubernetes: ${r.kube.pods.length} pod${r.kube.pods.length === 1 ? '' : 's'}, ${mapped.length} mapped onto twin namespaces`);
    for (const p of mapped) lines.push(`  pod ${p.namespace}/${p.name} (${p.ip ?? 'no IP'}) -> netns ${p.twinNs}`);
  }
  for (const p of r.problems) lines.push(`problem: ${p}`);
  const warn = r.assumptions.filter((a) => a.severity === 'warn');
  const info = r.assumptions.filter((a) => a.severity === 'info');
  lines.push(`assumptions: ${warn.length} that may change what packets do, ${info.length} that cannot`);
  for (const a of [...warn, ...info]) lines.push(`  ${formatAssumption(a)}`);
  return lines.join('\n') + '\n';
}
