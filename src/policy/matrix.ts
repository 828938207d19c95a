/**
 * The pod x pod (x port) reachability matrix, cyclonus-style: for every pair
 * of Kubernetes pods and every port, what the NetworkPolicy semantics say
 * (src/policy/semantics.ts) and what the twin does (a connection attempt
 * traced through the nodes' iptables, as the agents programmed them).
 *
 * A cell is allowed when the first packet reaches the destination pod's
 * network namespace (answered by a listener, a TCP reset or an ICMP port
 * unreachable from the pod itself: the pod was reached). Each probe starts
 * from the cluster's world as it is (no conntrack entry of another probe
 * helps it). Denied cells name the rule that rejected the packet (its
 * comment names the pod, direction and isolating policies); allowed cells
 * name the policy rules whose marks let it through.
 */
import type { Cluster } from '../cluster/types.js';
import { parseIp4 } from '../model/addr.js';
import { k8sState, podStatusOf } from '../k8s/on-cluster.js';
import { sorted } from '../k8s/store.js';
import type { Protocol } from '../k8s/types.js';
import { keyOf } from '../k8s/types.js';
import { probe } from '../sim/send.js';
import type { Trace } from '../sim/trace.js';
import { policyAllows, type PolicyVerdict } from './semantics.js';

export interface MatrixPort {
  readonly protocol: Protocol;
  readonly port: number;
}

export interface TwinResult {
  /** The first packet reached the destination pod. */
  readonly allowed: boolean;
  /** Where and why the request's walk ended. */
  readonly disposition: string;
  readonly endedIn: string;
  readonly reason: string;
  /** The comment of the rule that rejected or dropped it. */
  readonly deniedBy?: string;
  /** Comments of the policy rules that marked it allowed (`ns/policy ingress[0] pods`). */
  readonly allowedBy: readonly string[];
}

export interface MatrixCell {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly expected: PolicyVerdict;
  readonly twin: TwinResult;
  readonly agree: boolean;
}

export interface PolicyMatrix {
  readonly pods: readonly string[];
  readonly ports: readonly MatrixPort[];
  readonly cells: readonly MatrixCell[];
  /** The twin agrees with the semantics in every cell. */
  readonly agree: boolean;
}

function commentOf(rule: string): string | undefined {
  return /--comment ("(?:[^"\\]|\\.)*"|\S+)/.exec(rule)?.[1]?.replace(/^"|"$/g, '');
}

/** What a request trace says about the policy verdict (first trace of a probe). */
export function twinVerdict(t: Trace | undefined, targetNs: string): TwinResult {
  if (!t) return { allowed: false, disposition: 'none', endedIn: '', reason: 'nothing was sent', allowedBy: [] };
  const allowedBy: string[] = [];
  let deniedBy: string | undefined;
  for (const h of t.hops) {
    for (const s of h.steps) {
      if (s.kind === 'netfilter' && s.action.includes(': MARK (') && s.entry) {
        const c = commentOf(s.entry);
        if (c && /^\S+\/\S+ (ingress|egress)\[\d+\]/.test(c) && !allowedBy.includes(c)) allowedBy.push(c);
      }
      if (s.kind === 'drop' && s.entry) deniedBy = commentOf(s.entry) ?? s.entry;
    }
  }
  const reached = t.endedIn === targetNs && (t.disposition === 'delivered' || t.disposition === 'port_unreachable');
  return { allowed: reached, disposition: t.disposition, endedIn: t.endedIn, reason: t.reason, ...(deniedBy ? { deniedBy } : {}), allowedBy };
}

export const DEFAULT_MATRIX_PORTS: readonly MatrixPort[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 81 },
];

/** Compute the matrix over every Kubernetes pod of the cluster. */
export function policyMatrix(c: Cluster, ports: readonly MatrixPort[] = DEFAULT_MATRIX_PORTS): PolicyMatrix {
  const s = k8sState(c);
  const status = podStatusOf(c);
  const pods = sorted(s.api.pods).map(keyOf).filter((k) => s.sandbox[k] && c.pods[s.sandbox[k]!]?.ip);
  const cells: MatrixCell[] = [];
  for (const mp of ports) {
    for (const from of pods) {
      for (const to of pods) {
        const expected = policyAllows(s.api, status, { pod: from }, { pod: to }, mp.protocol, mp.port);
        const fromNs = s.sandbox[from]!;
        const toNs = s.sandbox[to]!;
        const dst = parseIp4(c.pods[toNs]!.ip!)!;
        const r = probe(c.world, { from: fromNs, to: dst, proto: mp.protocol === 'UDP' ? 'udp' : 'tcp', dport: mp.port });
        const twin = twinVerdict(r.traces[0], toNs);
        cells.push({ from, to, protocol: mp.protocol, port: mp.port, expected, twin, agree: expected.allowed === twin.allowed });
      }
    }
  }
  return { pods, ports, cells, agree: cells.every((x) => x.agree) };
}

/** The matrix as text: one table per port (`.` allowed, `X` denied, `!` the twin disagrees with the semantics). */
export function formatMatrix(m: PolicyMatrix): string {
  const out: string[] = [];
  for (const p of m.ports) {
    const label = `${p.protocol}/${p.port}`;
    const cells = m.cells.filter((x) => x.protocol === p.protocol && x.port === p.port);
    const w0 = Math.max(label.length, ...m.pods.map((x) => x.length));
    const cols = m.pods.map((x) => Math.max(x.length, 2));
    const sep = '+' + ['-'.repeat(w0 + 2), ...cols.map((w) => '-'.repeat(w + 2))].join('+') + '+';
    out.push(sep);
    out.push(`| ${label.padEnd(w0)} | ${m.pods.map((x, i) => x.padEnd(cols[i]!)).join(' | ')} |`);
    out.push(sep);
    for (const from of m.pods) {
      const row = m.pods.map((to, i) => {
        const c = cells.find((x) => x.from === from && x.to === to)!;
        return ((c.twin.allowed ? '.' : 'X') + (c.agree ? '' : '!')).padEnd(cols[i]!);
      });
      out.push(`| ${from.padEnd(w0)} | ${row.join(' | ')} |`);
    }
    out.push(sep);
  }
  out.push('rows: from, columns: to; . allowed, X denied (as traced through the twin); ! differs from the NetworkPolicy semantics');
  const bad = m.cells.filter((x) => !x.agree);
  if (bad.length > 0) {
    out.push('', `${bad.length} cell(s) differ from the NetworkPolicy semantics:`);
    for (const b of bad) {
      out.push(`  ${b.from} -> ${b.to} ${b.protocol}/${b.port}: expected ${b.expected.allowed ? 'allowed' : 'denied'} (${b.expected.reason}); the twin ${b.twin.allowed ? 'delivered it' : `did not: ${b.twin.reason}`}`);
    }
  }
  const denied = m.cells.filter((x) => !x.twin.allowed && x.twin.deniedBy);
  if (denied.length > 0) {
    out.push('', 'denied:');
    for (const d of denied) out.push(`  ${d.from} -> ${d.to} ${d.protocol}/${d.port}: ${d.twin.deniedBy}`);
  }
  return out.join('\n') + '\n';
}

/** The matrix as JSON-ready data. */
export function matrixJson(m: PolicyMatrix): unknown {
  return {
    pods: m.pods,
    ports: m.ports.map((p) => `${p.protocol}/${p.port}`),
    agree: m.agree,
    cells: m.cells.map((c) => ({
      from: c.from,
      to: c.to,
      port: `${c.protocol}/${c.port}`,
      expected: c.expected.allowed,
      twin: c.twin.allowed,
      agree: c.agree,
      reason: c.expected.reason,
      ...(c.expected.egress.allowedBy ? { egressAllowedBy: c.expected.egress.allowedBy } : {}),
      ...(c.expected.ingress.allowedBy ? { ingressAllowedBy: c.expected.ingress.allowedBy } : {}),
      ...(c.twin.deniedBy ? { deniedBy: c.twin.deniedBy } : {}),
      ...(c.twin.allowedBy.length > 0 ? { allowedBy: c.twin.allowedBy } : {}),
      ...(c.twin.allowed ? {} : { twinReason: c.twin.reason }),
    })),
  };
}
