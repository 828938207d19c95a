/**
 * Reports as text (and JSON-ready data): one line per violation, then its
 * witness - the class it stands for, the pair, the entry that decided, and
 * the walk, by default without the ARP side trips.
 */
import type { Trace } from '../sim/trace.js';
import type { VerifyReport, Violation } from './types.js';

export interface FormatOptions {
  /** Print every step of every walk (ARP included) and the reply walks. */
  readonly fullTraces?: boolean;
  /** Leave the walks out (one line per violation plus the deciding entry). */
  readonly noTraces?: boolean;
  /** Name namespaces in traces (pod/x, node/y). */
  readonly label?: (ns: string) => string;
  readonly indent?: string;
}

/** A trace, compact: only hops that carried the packet, without ARP steps. */
export function compactTrace(t: Trace, label: (ns: string) => string = (x) => x, indent = ''): string {
  const lines = [`${indent}${t.title}`];
  for (const h of t.hops) {
    // Only what carried the packet itself: no ARP side trips, no learning, no ARP frames leaving.
    const steps = h.steps.filter(
      (s) =>
        s.kind !== 'arp' &&
        !(s.kind === 'neighbour' && /ARP request sent/.test(s.action)) &&
        !(s.kind === 'bridge' && /learned|refreshed|flooded|passed up/.test(s.action)) &&
        !(s.kind === 'transmit' && !/\(\d+\.\d+\.\d+\.\d+ -> \d+\.\d+\.\d+\.\d+\)$/.test(s.action)),
    );
    if (!steps.some((s) => s.kind !== 'bridge')) continue;
    const devs = [h.inDev ? `in ${h.inDev}` : '', h.outDev ? `out ${h.outDev}` : ''].filter(Boolean).join(', ');
    lines.push(`${indent}  ${label(h.ns)}${devs ? ` (${devs})` : ''}`);
    for (const s of steps) lines.push(`${indent}    - ${s.kind}: ${s.action}${s.entry ? `  [${s.entry}]` : ''}`);
  }
  lines.push(`${indent}  => ${t.disposition} in ${label(t.endedIn)}: ${t.reason}`);
  return lines.join('\n') + '\n';
}

function fullTrace(t: Trace, label: (ns: string) => string, indent: string): string {
  const lines = [`${indent}${t.title}`];
  for (const h of t.hops) {
    const devs = [h.inDev ? `in ${h.inDev}` : '', h.outDev ? `out ${h.outDev}` : ''].filter(Boolean).join(', ');
    lines.push(`${indent}  ${label(h.ns)}${devs ? ` (${devs})` : ''}`);
    for (const s of h.steps) lines.push(`${indent}    - ${s.kind}: ${s.action}${s.entry ? `  [${s.entry}]` : ''}`);
  }
  lines.push(`${indent}  => ${t.disposition} in ${label(t.endedIn)}: ${t.reason}`);
  return lines.join('\n') + '\n';
}

/** Which walks make the witness: the request; the reply too when the reply is what failed (or on request). */
function witnessTraces(v: Violation, full: boolean): readonly Trace[] {
  const ts = v.witness.traces ?? [];
  if (full) return ts;
  if (/reply-lost/.test(v.kind) && ts.length > 1) return ts.slice(0, 2);
  return ts.slice(0, 1);
}

export function formatViolation(v: Violation, o: FormatOptions = {}): string {
  const ind = o.indent ?? '  ';
  const label = o.label ?? ((x: string) => x);
  let s = `${ind}${v.kind}: ${v.message}\n`;
  if (v.scope) s += `${ind}  class: ${v.scope}\n`;
  const w = v.witness;
  if (w.from && w.to) s += `${ind}  witness: ${w.from} (${w.src ?? '?'}) -> ${w.to} (${w.dst ?? '?'}): ${w.outcome ?? ''}\n`;
  if (w.decidedBy) s += `${ind}  decided by: ${w.decidedBy.where}: ${w.decidedBy.entry}\n`;
  for (const f of w.facts ?? []) s += `${ind}  - ${f}\n`;
  if (!o.noTraces) {
    for (const t of witnessTraces(v, Boolean(o.fullTraces))) s += o.fullTraces ? fullTrace(t, label, `${ind}    `) : compactTrace(t, label, `${ind}    `);
  }
  return s;
}

export function formatReport(r: VerifyReport, o: FormatOptions = {}): string {
  let s = '';
  const fo = o.label || !r.label ? o : { ...o, label: r.label };
  for (const v of r.violations) s += formatViolation(v, fo);
  for (const n of r.notes) s += `${o.indent ?? '  '}note: ${n}\n`;
  return s;
}

/** `N violations: 2 pod-to-pod-nat, 1 ipam-leak`. */
export function summary(r: VerifyReport): string {
  if (r.ok) return 'ok';
  const counts = new Map<string, number>();
  for (const v of r.violations) counts.set(v.kind, (counts.get(v.kind) ?? 0) + 1);
  return `${r.violations.length} violation${r.violations.length === 1 ? '' : 's'}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

/** JSON-ready data (traces included). */
export function reportJson(r: VerifyReport): unknown {
  return {
    ok: r.ok,
    stats: r.stats,
    notes: r.notes,
    violations: r.violations.map((v) => ({ kind: v.kind, message: v.message, scope: v.scope, witness: v.witness })),
  };
}
