/**
 * `verify`: the Kubernetes network contract on one world.
 *
 *   static   unique pod IPs and podCIDRs, IPAM reservations, leftovers of
 *            deleted pods, MACs per L2 domain, overlay MTUs (src/verify/static.ts)
 *   flows    by equivalence classes (src/verify/classes.ts), one
 *            representative pair per (source class, destination class):
 *            - pod -> pod (same node and across nodes): delivered to the
 *              destination's namespace, the source address preserved, no NAT
 *              step on the request or the reply, the reply comes home; then
 *              the same with a DF packet of the source pod's full MTU;
 *            - node -> pod and back, without NAT;
 *            - pod -> node (NAT allowed: the model only asks for reachability);
 *            - pod -> each outside machine: translated as the design says.
 * A drop by an explicit iptables rule (a network policy) is a note, not a
 * violation, unless `strictPolicy`; a chain policy (`-P FORWARD DROP`) is.
 */
import { formatIp4, type Ip4 } from '../model/addr.js';
import type { NsName } from '../model/world.js';
import { fibLookup } from '../sim/fib.js';
import { podClasses, type PodClass } from './classes.js';
import { flow, type FlowResult } from './flow.js';
import { duplicateMacs, duplicatePodIps, ipamLeaks, orphanChains, orphanRoutes, orphanVeths, overlappingPodCidrs, overlayMtus } from './static.js';
import type { VerifyOptions, VerifyPod, VerifyReport, VerifyTarget, Violation, ViolationKind } from './types.js';

type FlowKind = 'pod-to-pod' | 'node-to-pod' | 'pod-to-node';

function classLabel(c: PodClass): string {
  return c.members.length === 1 ? c.members[0]!.ref : `${c.members.length} pods on ${c.node} like ${c.members[0]!.ref}`;
}

/**
 * The largest packet the sender's stack lets out towards `dst` with DF: its
 * device's MTU, or the route's `mtu` when smaller (Cilium puts the tunnel MTU
 * on pod routes, so the stack itself refuses bigger packets: no black hole).
 */
function mtuOf(t: VerifyTarget, ns: NsName, ip: Ip4, dst: Ip4): number | undefined {
  const n = t.world.ns[ns];
  if (!n) return undefined;
  let mtu: number | undefined;
  for (const l of Object.values(n.links)) if (l.addrs.some((a) => a.local === ip)) mtu = l.mtu;
  const r = fibLookup(n, dst);
  if (r.route?.mtu && (mtu === undefined || r.route.mtu < mtu)) mtu = r.route.mtu;
  return mtu;
}

interface Ctx {
  readonly t: VerifyTarget;
  readonly o: VerifyOptions;
  readonly out: Violation[];
  readonly notes: string[];
  probes: number;
  memoHits: number;
}

function send(ctx: Ctx, from: NsName, to: Ip4, size?: number, df?: boolean): FlowResult {
  const before = ctx.o.memo?.hits ?? 0;
  const r = flow(ctx.t.world, { from, to, ...(size !== undefined ? { size } : {}), ...(df ? { df } : {}) }, ctx.o.memo);
  if ((ctx.o.memo?.hits ?? 0) > before) ctx.memoHits++;
  else ctx.probes++;
  return r;
}

function wanted(o: VerifyOptions, k: ViolationKind): boolean {
  return !o.only || o.only.includes(k);
}

/** Judge a flow that must arrive in `toNs` and come back; push a violation if not. Returns true if it held. */
function judge(ctx: Ctx, kind: FlowKind, r: FlowResult, fromRef: string, toRef: string, toNs: NsName, scope: string, natFree: boolean): boolean {
  const { t, o } = ctx;
  const lbl = (ns: NsName | undefined): string => (ns === undefined ? '?' : t.label(ns));
  const base = { from: fromRef, to: toRef, src: formatIp4(r.sentSrc), dst: formatIp4(r.dst) };
  const push = (k: ViolationKind, message: string, outcome: string, decided?: { where: string; entry: string }): false => {
    if (wanted(o, k)) ctx.out.push({ kind: k, message, scope, witness: { ...base, outcome, traces: r.traces, ...(decided ? { decidedBy: decided } : {}) } });
    return false;
  };
  const at = (d: FlowResult['deciding']): { where: string; entry: string } | undefined => (d ? { where: lbl(d.where), entry: d.entry } : undefined);
  if (r.deniedByRule && !o.strictPolicy) {
    ctx.notes.push(`${fromRef} -> ${toRef}: denied by an explicit rule (network policy, not held against the design): ${r.deniedByRule}`);
    return true;
  }
  if (r.localError) return push(`${kind}-unreachable` as ViolationKind, `${fromRef} cannot send to ${toRef} (${formatIp4(r.dst)}): ${r.localError}`, `local error ${r.localError}`, at(r.deciding));
  if (r.disposition !== 'delivered') {
    return push(`${kind}-unreachable` as ViolationKind, `${fromRef} -> ${toRef} (${formatIp4(r.dst)}): ${r.disposition} in ${lbl(r.endedIn)}`, `${r.disposition} in ${lbl(r.endedIn)}: ${r.reason}`, at(r.deciding));
  }
  if (r.endedIn !== toNs) {
    const k = kind === 'pod-to-node' ? 'pod-to-node-unreachable' : (`${kind}-misdelivered` as ViolationKind);
    return push(k, `${fromRef} -> ${toRef} (${formatIp4(r.dst)}) was delivered in ${lbl(r.endedIn)}`, `delivered in ${lbl(r.endedIn)}`, (() => {
      const s = r.traces[0] ? at(steer(r)) : undefined;
      return s;
    })());
  }
  if (natFree) {
    const seenOk = r.seen !== undefined && r.seen.src === r.sentSrc && r.seen.dst === r.dst;
    if (r.nat.length > 0 || !seenOk) {
      const n = r.nat[0];
      const seen = r.seen ? `${formatIp4(r.seen.src)} -> ${formatIp4(r.seen.dst)}` : 'nothing';
      return push(
        `${kind}-nat` as ViolationKind,
        `${fromRef} -> ${toRef}: ${toRef} sees ${seen} instead of ${formatIp4(r.sentSrc)} -> ${formatIp4(r.dst)}${n ? ` (${n.action} in ${lbl(n.ns)}${n.dir === 'reply' ? ', on the reply' : ''})` : ''}`,
        `delivered, translated: seen as ${seen}`,
        n?.entry ? { where: lbl(n.ns), entry: n.entry } : n ? { where: lbl(n.ns), entry: n.action } : undefined,
      );
    }
  }
  if (!r.replied) {
    const why = r.replyDisposition === 'delivered' ? `the reply was delivered in ${lbl(r.replyEndedIn)}, not to ${fromRef}` : r.replyDisposition ? `the reply was ${r.replyDisposition} in ${lbl(r.replyEndedIn)}` : r.replyProblem ?? 'lost';
    return push(`${kind}-reply-lost` as ViolationKind, `${fromRef} -> ${toRef}: the request arrived but the reply did not come back: ${why}`, `reply lost: ${why}`, at(r.deciding));
  }
  return true;
}

function steer(r: FlowResult): { where: NsName; entry: string } | undefined {
  const t = r.traces[0]!;
  let found: { where: NsName; entry: string } | undefined;
  for (const h of t.hops) {
    if (h.ns === t.endedIn) continue;
    for (const s of h.steps) if ((s.kind === 'route' || s.kind === 'output') && s.entry) found = { where: h.ns, entry: s.entry };
  }
  return found;
}

/** The full-MTU check: a DF echo of the source's MTU must make it (only asked once the small one did). */
function mtuCheck(ctx: Ctx, src: VerifyPod, dst: VerifyPod, scope: string): void {
  const mtu = mtuOf(ctx.t, src.ns, src.ip!, dst.ip!);
  if (mtu === undefined || !wanted(ctx.o, 'mtu-mismatch')) return;
  const r = send(ctx, src.ns, dst.ip!, mtu - 28, true);
  if (r.disposition === 'delivered' && r.replied && !r.localError) return;
  const what = r.localError ? `local error ${r.localError}` : r.disposition !== 'delivered' ? `${r.disposition} in ${ctx.t.label(r.endedIn!)}: ${r.reason}` : `reply lost: ${r.replyProblem ?? ''}`;
  ctx.out.push({
    kind: 'mtu-mismatch',
    data: { from: src.ref, to: dst.ref, dst: formatIp4(dst.ip!), size: String(mtu - 28) },
    message: `${src.ref} -> ${dst.ref}: a ${mtu}-byte packet (what ${src.ref}'s stack sends with DF) does not make it, a small one does: ${what}`,
    scope,
    witness: {
      from: src.ref,
      to: dst.ref,
      src: formatIp4(src.ip!),
      dst: formatIp4(dst.ip!),
      outcome: what,
      traces: r.traces,
      ...(r.deciding ? { decidedBy: { where: ctx.t.label(r.deciding.where), entry: r.deciding.entry } } : {}),
    },
  });
}

export function verify(t: VerifyTarget, o: VerifyOptions = {}): VerifyReport {
  const out: Violation[] = [];
  const notes: string[] = [];
  const want = (k: ViolationKind): boolean => wanted(o, k);
  if (want('duplicate-pod-ip')) out.push(...duplicatePodIps(t));
  if (want('overlapping-pod-cidrs')) out.push(...overlappingPodCidrs(t));
  if (want('ipam-leak')) out.push(...ipamLeaks(t));
  if (want('orphan-veth')) out.push(...orphanVeths(t));
  if (want('orphan-route')) out.push(...orphanRoutes(t));
  if (want('orphan-chain')) out.push(...orphanChains(t));
  if (want('duplicate-mac')) out.push(...duplicateMacs(t));
  if (want('mtu-mismatch')) out.push(...overlayMtus(t));
  // A NotReady node is not part of the network Kubernetes promises yet (or any more):
  // neither it nor its pods are flow endpoints, and the report says so.
  const notReady = new Map(t.nodes.filter((n) => n.notReady !== undefined).map((n) => [n.ref, n.notReady!]));
  for (const [ref, why] of notReady) {
    const on = t.pods.filter((p) => p.node === ref).length;
    notes.push(`${ref} is NotReady (${why}): flows from and to it${on ? ` and its ${on} pod${on === 1 ? '' : 's'}` : ''} are not checked`);
  }
  for (const p of t.pods) if (p.ip === undefined && !p.hostNetwork && !notReady.has(p.node)) notes.push(`${p.ref} has a sandbox but no address: not checked as a flow endpoint`);

  const classes = podClasses(notReady.size ? { ...t, pods: t.pods.filter((p) => !notReady.has(p.node)) } : t);
  const ctx: Ctx = { t, o, out, notes, probes: 0, memoHits: 0 };
  if (!o.staticOnly) {
    const dupIps = new Set(t.pods.filter((p) => p.ip !== undefined).map((p) => p.ip! >>> 0).filter((ip, i, a) => a.indexOf(ip) !== i));
    // pod -> pod, one pair per (source class, destination class).
    for (const sc of classes) {
      const s = sc.members[0]!;
      for (const dc of classes) {
        const d = dc.members.find((m) => m !== s);
        if (!d) continue;
        // Two pods with one address: the duplicate is the violation, not where a packet lands.
        if (dupIps.has(d.ip! >>> 0)) continue;
        const scope = `${classLabel(sc)} -> ${classLabel(dc)}`;
        const r = send(ctx, s.ns, d.ip!);
        if (judge(ctx, 'pod-to-pod', r, s.ref, d.ref, d.ns, scope, true) && !r.deniedByRule && o.mtu !== false) mtuCheck(ctx, s, d, scope);
      }
    }
    // node -> pod (every node against every class) and pod -> node.
    for (const n of t.nodes) {
      if (!t.world.ns[n.ns] || notReady.has(n.ref)) continue;
      for (const dc of classes) {
        const d = dc.members[0]!;
        if (dupIps.has(d.ip! >>> 0)) continue;
        judge(ctx, 'node-to-pod', send(ctx, n.ns, d.ip!), n.ref, d.ref, d.ns, `${n.ref} -> ${classLabel(dc)}`, true);
      }
      if (n.ip === undefined) continue;
      for (const sc of classes) {
        const s = sc.members[0]!;
        judge(ctx, 'pod-to-node', send(ctx, s.ns, n.ip), s.ref, n.ref, n.ns, `${classLabel(sc)} -> ${n.ref}`, false);
      }
    }
    // Egress: every class against every outside machine.
    for (const e of t.outside) {
      if (!t.world.ns[e.ns]) continue;
      for (const sc of classes) {
        const s = sc.members[0]!;
        const r = send(ctx, s.ns, e.ip);
        const scope = `${classLabel(sc)} -> ${e.ref}`;
        if (r.deniedByRule && !o.strictPolicy) {
          notes.push(`${s.ref} -> ${e.ref}: denied by an explicit rule: ${r.deniedByRule}`);
          continue;
        }
        const node = t.nodes.find((n) => n.ref === s.node);
        const nodeAddrs = new Set(Object.values(t.world.ns[node?.ns ?? '']?.links ?? {}).flatMap((l) => l.addrs.map((a) => a.local >>> 0)));
        if (r.localError || r.disposition !== 'delivered' || r.endedIn !== e.ns || !r.replied) {
          if (want('egress-unreachable')) {
            const what = r.localError ? `local error ${r.localError}` : r.disposition !== 'delivered' ? `${r.disposition} in ${t.label(r.endedIn!)}` : r.endedIn !== e.ns ? `delivered in ${t.label(r.endedIn!)}` : `reply lost: ${r.replyProblem ?? ''}`;
            out.push({ kind: 'egress-unreachable', message: `${s.ref} -> ${e.ref} (${formatIp4(e.ip)}): ${what}`, scope, witness: { from: s.ref, to: e.ref, src: formatIp4(r.sentSrc), dst: formatIp4(e.ip), outcome: what, traces: r.traces, ...(r.deciding ? { decidedBy: { where: t.label(r.deciding.where), entry: r.deciding.entry } } : {}) } });
          }
          continue;
        }
        const seen = r.seen?.src;
        const intent = t.egress ?? 'any';
        const masked = seen !== undefined && seen !== s.ip;
        const byNode = seen !== undefined && nodeAddrs.has(seen >>> 0);
        const bad = intent === 'preserve' ? masked : intent === 'masquerade' ? !byNode : masked && !byNode;
        if (bad && want('egress-nat')) {
          const n = r.nat[0];
          const expect = intent === 'preserve' ? `the pod's own ${formatIp4(s.ip!)}` : intent === 'masquerade' ? `an address of ${s.node}` : `${formatIp4(s.ip!)} or an address of ${s.node}`;
          out.push({
            kind: 'egress-nat',
            data: { expectSeen: intent === 'preserve' ? s.ref : s.node },
            message: `${s.ref} -> ${e.ref}: ${e.ref} sees ${seen !== undefined ? formatIp4(seen) : 'nothing'}, the design says ${expect} (egress: ${intent})`,
            scope,
            witness: { from: s.ref, to: e.ref, src: formatIp4(r.sentSrc), dst: formatIp4(e.ip), outcome: `seen from ${seen !== undefined ? formatIp4(seen) : '?'}`, traces: r.traces, ...(n ? { decidedBy: { where: t.label(n.ns), entry: n.entry ?? n.action } } : {}) },
          });
        }
      }
    }
  }
  return {
    ok: out.length === 0,
    violations: out,
    notes,
    stats: { nodes: t.nodes.length, pods: t.pods.length, podClasses: classes.length, probes: ctx.probes, memoHits: ctx.memoHits },
    label: t.label,
  };
}
