/**
 * `podnet diff A B`: differential reachability between two scenarios (two
 * designs of one cluster, or two versions of one design).
 *
 * The flows compared are those the contract is about: pod -> pod, node ->
 * pod, pod -> node, pod -> outside machine, between endpoints both scenarios
 * have (matched by name). Pods are grouped into joint equivalence classes:
 * pods in the same class in A *and* in the same class in B, so one
 * representative pair per pair of joint classes covers every pod pair. A
 * flow is listed when its verdict differs: `ok`, `translated (seen as X)`,
 * `<disposition> in <place>`, `delivered in <other place>`, `reply lost:
 * <disposition> in <place>`, `local error E`.
 */
import { formatIp4, type Ip4 } from '../model/addr.js';
import type { NsName } from '../model/world.js';
import type { Scenario } from '../scenarios/index.js';
import type { Trace } from '../sim/trace.js';
import { podClasses } from './classes.js';
import { flow, type FlowResult } from './flow.js';
import { compactTrace } from './format.js';
import { scenarioStates } from './scenario.js';
import type { VerifyPod, VerifyTarget } from './types.js';

export type DiffFlowKind = 'pod-to-pod' | 'node-to-pod' | 'pod-to-node' | 'pod-to-outside';

export interface FlowSide {
  readonly verdict: string;
  readonly src: string;
  readonly dst: string;
  readonly traces: readonly Trace[];
  readonly label: (ns: string) => string;
}

export interface FlowChange {
  readonly kind: DiffFlowKind;
  readonly from: string;
  readonly to: string;
  /** The pods this pair stands for (joint class sizes), e.g. "2 x 3 pod pairs". */
  readonly scope: string;
  readonly a: FlowSide;
  readonly b: FlowSide;
}

export interface DiffResult {
  readonly invalid: readonly string[];
  /** Flows compared (representative pairs). */
  readonly compared: number;
  readonly changed: readonly FlowChange[];
  /** Endpoints only one side has (not compared). */
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
}

function verdict(t: VerifyTarget, r: FlowResult, toNs: NsName, natMatters: boolean): string {
  const lbl = (ns: NsName | undefined): string => (ns === undefined ? '?' : t.label(ns));
  if (r.localError) return `local error ${r.localError}`;
  if (r.disposition !== 'delivered') return `${r.disposition} in ${lbl(r.endedIn)}`;
  if (r.endedIn !== toNs) return `delivered in ${lbl(r.endedIn)}`;
  const seenOk = r.seen !== undefined && r.seen.src === r.sentSrc && r.seen.dst === r.dst;
  const translated = natMatters && (r.nat.length > 0 || !seenOk);
  if (!r.replied) {
    const where = r.replyDisposition === 'delivered' ? `delivered in ${lbl(r.replyEndedIn)}` : r.replyDisposition ? `${r.replyDisposition} in ${lbl(r.replyEndedIn)}` : r.replyProblem ?? '?';
    return `reply lost: ${where}${translated ? ' (translated)' : ''}`;
  }
  return translated ? `ok, translated (seen as ${r.seen ? formatIp4(r.seen.src) : '?'})` : 'ok';
}

function side(t: VerifyTarget, r: FlowResult, toNs: NsName, natMatters: boolean): FlowSide {
  return { verdict: verdict(t, r, toNs, natMatters), src: formatIp4(r.sentSrc), dst: formatIp4(r.dst), traces: r.traces, label: t.label };
}

function finalTarget(s: Scenario): { target?: VerifyTarget; invalid: readonly string[] } {
  let target: VerifyTarget | undefined;
  const r = scenarioStates(s, (st) => {
    target = st.target;
  });
  return { ...(target ? { target } : {}), invalid: r.invalid };
}

export function diffTargets(ta: VerifyTarget, tb: VerifyTarget): Omit<DiffResult, 'invalid'> {
  const ca = podClasses(ta);
  const cb = podClasses(tb);
  const classOf = (cs: ReturnType<typeof podClasses>): Map<string, number> => {
    const m = new Map<string, number>();
    cs.forEach((c, i) => c.members.forEach((p) => m.set(p.ref, i)));
    return m;
  };
  const ma = classOf(ca);
  const mb = classOf(cb);
  // Joint classes: same class on both sides.
  const joint = new Map<string, { a: VerifyPod; b: VerifyPod }[]>();
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const pa of ta.pods) {
    if (pa.ip === undefined || pa.hostNetwork) continue;
    const pb = tb.pods.find((x) => x.ref === pa.ref && x.ip !== undefined && !x.hostNetwork);
    if (!pb) {
      onlyA.push(pa.ref);
      continue;
    }
    const k = `${ma.get(pa.ref)}/${mb.get(pb.ref)}`;
    const list = joint.get(k) ?? [];
    list.push({ a: pa, b: pb });
    joint.set(k, list);
  }
  for (const pb of tb.pods) if (pb.ip !== undefined && !pb.hostNetwork && !ta.pods.some((x) => x.ref === pb.ref && x.ip !== undefined)) onlyB.push(pb.ref);
  const classes = [...joint.values()];
  const changed: FlowChange[] = [];
  let compared = 0;
  const compare = (kind: DiffFlowKind, from: string, to: string, scope: string, a: () => FlowSide, b: () => FlowSide): void => {
    compared++;
    const sa = a();
    const sb = b();
    if (sa.verdict !== sb.verdict) changed.push({ kind, from, to, scope, a: sa, b: sb });
  };
  const size = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  for (const sc of classes) {
    const s = sc[0]!;
    for (const dc of classes) {
      const d = dc.find((m) => m.a.ref !== s.a.ref);
      if (!d) continue;
      compare('pod-to-pod', s.a.ref, d.a.ref, `${size(sc.length, 'source pod')} x ${size(dc.length === sc.length && dc === sc ? dc.length - 1 : dc.length, 'destination pod')}`,
        () => side(ta, flow(ta.world, { from: s.a.ns, to: d.a.ip! }), d.a.ns, true),
        () => side(tb, flow(tb.world, { from: s.b.ns, to: d.b.ip! }), d.b.ns, true));
    }
  }
  const nodes = ta.nodes.filter((n) => tb.nodes.some((m) => m.ref === n.ref));
  for (const n of ta.nodes) if (!tb.nodes.some((m) => m.ref === n.ref)) onlyA.push(n.ref);
  for (const n of tb.nodes) if (!ta.nodes.some((m) => m.ref === n.ref)) onlyB.push(n.ref);
  for (const na of nodes) {
    const nb = tb.nodes.find((m) => m.ref === na.ref)!;
    for (const dc of classes) {
      const d = dc[0]!;
      compare('node-to-pod', na.ref, d.a.ref, size(dc.length, 'destination pod'),
        () => side(ta, flow(ta.world, { from: na.ns, to: d.a.ip! }), d.a.ns, true),
        () => side(tb, flow(tb.world, { from: nb.ns, to: d.b.ip! }), d.b.ns, true));
    }
    if (na.ip === undefined || nb.ip === undefined) continue;
    for (const sc of classes) {
      const s = sc[0]!;
      compare('pod-to-node', s.a.ref, na.ref, size(sc.length, 'source pod'),
        () => side(ta, flow(ta.world, { from: s.a.ns, to: na.ip as Ip4 }), na.ns, false),
        () => side(tb, flow(tb.world, { from: s.b.ns, to: nb.ip as Ip4 }), nb.ns, false));
    }
  }
  for (const ea of ta.outside) {
    const eb = tb.outside.find((x) => x.ref === ea.ref);
    if (!eb) continue;
    for (const sc of classes) {
      const s = sc[0]!;
      compare('pod-to-outside', s.a.ref, ea.ref, size(sc.length, 'source pod'),
        () => side(ta, flow(ta.world, { from: s.a.ns, to: ea.ip }), ea.ns, true),
        () => side(tb, flow(tb.world, { from: s.b.ns, to: eb.ip }), eb.ns, true));
    }
  }
  return { compared, changed, onlyA, onlyB };
}

export function diffScenarios(a: Scenario, b: Scenario): DiffResult {
  const ra = finalTarget(a);
  const rb = finalTarget(b);
  const invalid = [...ra.invalid, ...rb.invalid];
  if (invalid.length || !ra.target || !rb.target) return { invalid: invalid.length ? invalid : ['nothing to compare'], compared: 0, changed: [], onlyA: [], onlyB: [] };
  return { invalid: [], ...diffTargets(ra.target, rb.target) };
}

export function formatDiff(d: DiffResult, o: { a: string; b: string; noTraces?: boolean; fullTraces?: boolean }): string {
  let s = `--- ${o.a}\n+++ ${o.b}\n`;
  s += `${d.compared} flow classes compared, ${d.changed.length} changed\n`;
  if (d.onlyA.length) s += `only in ${o.a} (not compared): ${d.onlyA.join(', ')}\n`;
  if (d.onlyB.length) s += `only in ${o.b} (not compared): ${d.onlyB.join(', ')}\n`;
  for (const c of d.changed) {
    s += `\n${c.kind} ${c.from} -> ${c.to} (${c.scope})\n`;
    s += `  - ${c.a.verdict}   (${c.a.src} -> ${c.a.dst})\n`;
    s += `  + ${c.b.verdict}   (${c.b.src} -> ${c.b.dst})\n`;
    if (!o.noTraces) {
      const pick = (x: FlowSide): readonly Trace[] => (o.fullTraces ? x.traces : x.traces.slice(0, /reply lost/.test(x.verdict) ? 2 : 1));
      for (const t of pick(c.a)) s += compactTrace(t, c.a.label, '    - ');
      for (const t of pick(c.b)) s += compactTrace(t, c.b.label, '    + ');
    }
  }
  return s;
}

export function diffJson(d: DiffResult): unknown {
  return {
    compared: d.compared,
    onlyA: d.onlyA,
    onlyB: d.onlyB,
    changed: d.changed.map((c) => ({ kind: c.kind, from: c.from, to: c.to, scope: c.scope, a: { verdict: c.a.verdict, src: c.a.src, dst: c.a.dst, traces: c.a.traces }, b: { verdict: c.b.verdict, src: c.b.src, dst: c.b.dst, traces: c.b.traces } })),
  };
}
