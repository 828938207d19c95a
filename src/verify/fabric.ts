/**
 * Verification at scale: the contract checked on a *fabric view* - the
 * forwarding state of a whole cluster as a compiled structure answers it -
 * by equivalence classes, never by pod pairs:
 *
 *   source class       nodes of one *template* (identical routes and rules
 *                      once their own podCIDR is abstracted), plus pods that
 *                      some rule names alone (the bridge plugin's ipMasq);
 *   destination class  one node's podCIDR.
 *
 * One walk per (template, destination node) - plus each node's own podCIDR,
 * which its template cannot speak for - decides every pod pair of the class:
 * O(templates x nodes + nodes) walks and O(pods log pods) for the
 * address checks, instead of O(pods^2). A 5,000-node host-gw cluster whose
 * nodes share one template is 5,000 walks.
 *
 * `FabricView` is the interface a compiled view of a World implements (the
 * datapath's compiled FIB answers `lookup`; a rule compiler answers `snat`);
 * `CompactHostGw` (src/verify/fabric-hostgw.ts) implements it for generated
 * host-gw clusters of any size without building namespaces or using immer.
 * `FabricVerifier` keeps the result up to date as pods change (O(1) per pod
 * unless the pod has rules of its own).
 */

/** What a node does with a destination address. */
export type Hop =
  /** Delivered to this node's pods (a connected pod subnet: the bridge). */
  | { readonly kind: 'local' }
  /** Forwarded to a next hop on the node's segment. */
  | { readonly kind: 'via'; readonly gw: number; readonly entry: string }
  /** The destination is on the node's own segment (connected route). */
  | { readonly kind: 'direct'; readonly entry: string }
  /** No route (or a blackhole / unreachable route). */
  | { readonly kind: 'none'; readonly entry: string };

export interface FabricView {
  readonly nodeCount: number;
  nodeName(i: number): string;
  /** The node's uplink address (uint32). */
  nodeIp(i: number): number;
  /** The L2 segment of the uplink. */
  nodeSegment(i: number): number;
  /** node.spec.podCIDR: base address (uint32) and length; len 0 = none. */
  podCidrBase(i: number): number;
  podCidrLen(i: number): number;
  /**
   * Nodes with the same template decide every destination outside their own
   * podCIDR alike (same routes, same rules): the view's promise.
   */
  nodeTemplate(i: number): number;
  /** FIB lookup on node i. */
  lookup(i: number, dst: number): Hop;
  /** The node with this uplink address on this segment, or -1 (ARP finds nobody). */
  nodeByIp(ip: number, segment: number): number;
  /** Does node i translate a packet src -> dst it sends or forwards? The rule, or undefined. */
  snat(i: number, src: number, dst: number): string | undefined;

  readonly podCount: number;
  podIp(p: number): number;
  podNode(p: number): number;
  podAlive(p: number): boolean;
  /** Some rule names this pod's address alone: it is a class of its own. */
  podHasOwnRules(p: number): boolean;
  /** IPAM reservations on node i (addresses). */
  reservations(i: number): Iterable<number>;
}

export type FabricViolationKind =
  | 'duplicate-pod-ip'
  | 'overlapping-pod-cidrs'
  | 'pod-outside-pod-cidr'
  | 'ipam-leak'
  | 'pod-to-pod-unreachable'
  | 'pod-to-pod-misdelivered'
  | 'pod-to-pod-nat'
  | 'node-to-pod-unreachable'
  | 'node-to-pod-nat';

export interface FabricWalkHop {
  readonly node: string;
  readonly decision: string;
}

export interface FabricViolation {
  readonly kind: FabricViolationKind;
  readonly message: string;
  /** The class: "pods on 4,998 nodes of template 0 -> pods on node-17". */
  readonly scope?: string;
  /** A representative pair and its walk. */
  readonly from?: string;
  readonly to?: string;
  readonly walk?: readonly FabricWalkHop[];
  readonly decidedBy?: { readonly where: string; readonly entry: string };
  /** A stable key (the incremental verifier replaces violations by key). */
  readonly key: string;
}

export interface FabricReport {
  readonly ok: boolean;
  readonly violations: readonly FabricViolation[];
  readonly stats: {
    readonly nodes: number;
    readonly pods: number;
    readonly templates: number;
    /** Source classes walked: templates plus pods with rules of their own. */
    readonly sourceClasses: number;
    readonly walks: number;
    readonly ms: number;
  };
}

function ip(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

interface WalkResult {
  readonly end: 'delivered' | 'misdelivered' | 'no_route' | 'neighbor_unreachable' | 'loop';
  readonly at: number;
  readonly hops: FabricWalkHop[];
  readonly nat?: { readonly at: number; readonly rule: string };
  readonly entry: string;
}

/** Follow dst from node s (source address src) until it is delivered somewhere or dies. */
function walk(v: FabricView, s: number, src: number, dst: number, target: number): WalkResult {
  const hops: FabricWalkHop[] = [];
  let cur = s;
  let nat: WalkResult['nat'];
  for (let ttl = 0; ttl < 32; ttl++) {
    const h = v.lookup(cur, dst);
    if (h.kind === 'local') {
      hops.push({ node: v.nodeName(cur), decision: `${ip(dst)} is in its own pod subnet: delivered over the bridge` });
      return { end: cur === target ? 'delivered' : 'misdelivered', at: cur, hops, entry: `${ip(v.podCidrBase(cur))}/${v.podCidrLen(cur)} dev cni0`, ...(nat ? { nat } : {}) };
    }
    if (h.kind === 'none') {
      hops.push({ node: v.nodeName(cur), decision: `no route to ${ip(dst)}` });
      return { end: 'no_route', at: cur, hops, entry: h.entry, ...(nat ? { nat } : {}) };
    }
    const rule = nat ? undefined : v.snat(cur, src, dst);
    if (rule) nat = { at: cur, rule };
    if (h.kind === 'direct') {
      hops.push({ node: v.nodeName(cur), decision: `${ip(dst)} is on the segment [${h.entry}]` });
      const t = v.nodeByIp(dst, v.nodeSegment(cur));
      return { end: t < 0 ? 'neighbor_unreachable' : t === target ? 'delivered' : 'misdelivered', at: t < 0 ? cur : t, hops, entry: h.entry, ...(nat ? { nat } : {}) };
    }
    hops.push({ node: v.nodeName(cur), decision: `forward via ${ip(h.gw)} [${h.entry}]${rule ? `, translated by [${rule}]` : ''}` });
    const next = v.nodeByIp(h.gw, v.nodeSegment(cur));
    if (next < 0) return { end: 'neighbor_unreachable', at: cur, hops, entry: h.entry, ...(nat ? { nat } : {}) };
    cur = next;
  }
  return { end: 'loop', at: cur, hops, entry: 'TTL exhausted', ...(nat ? { nat } : {}) };
}

interface Classes {
  /** template id -> member nodes. */
  readonly templates: Map<number, number[]>;
  /** Per node: a live pod address to aim at (-1: no pod). */
  readonly target: Int32Array;
  readonly targetIp: Uint32Array;
  /** Per node: a live pod without rules of its own (the node's source representative), -1 if none. */
  readonly rep: Int32Array;
  /** Pods with rules of their own (each its own source class). */
  readonly special: number[];
}

function classes(v: FabricView): Classes {
  const templates = new Map<number, number[]>();
  for (let i = 0; i < v.nodeCount; i++) {
    const t = v.nodeTemplate(i);
    const list = templates.get(t);
    if (list) list.push(i);
    else templates.set(t, [i]);
  }
  const target = new Int32Array(v.nodeCount).fill(-1);
  const targetIp = new Uint32Array(v.nodeCount);
  const rep = new Int32Array(v.nodeCount).fill(-1);
  const special: number[] = [];
  for (let p = 0; p < v.podCount; p++) {
    if (!v.podAlive(p)) continue;
    const n = v.podNode(p);
    if (target[n] === -1) {
      target[n] = p;
      targetIp[n] = v.podIp(p);
    }
    if (v.podHasOwnRules(p)) special.push(p);
    else if (rep[n] === -1) rep[n] = p;
  }
  return { templates, target, targetIp, rep, special };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** The pod-to-pod and node-to-pod walks of one source (a pod p on node s, or the node itself with p = -1) to node j. */
function judgeWalk(v: FabricView, out: FabricViolation[], s: number, p: number, j: number, c: Classes, scope: string, key: string): void {
  const dst = c.targetIp[j]!;
  const dstPod = c.target[j]!;
  const src = p >= 0 ? v.podIp(p) : v.nodeIp(s);
  const from = p >= 0 ? `pod ${ip(src)} on ${v.nodeName(s)}` : v.nodeName(s);
  const to = `pod ${ip(dst)} on ${v.nodeName(j)}`;
  const kind = p >= 0 ? 'pod-to-pod' : 'node-to-pod';
  const r = walk(v, s, src, dst, j);
  if (r.end !== 'delivered') {
    const misdelivered = r.end === 'misdelivered';
    out.push({
      kind: misdelivered && p >= 0 ? 'pod-to-pod-misdelivered' : (`${kind}-unreachable` as FabricViolationKind),
      message: `${from} -> ${to}: ${misdelivered ? `delivered on ${v.nodeName(r.at)}` : `${r.end} on ${v.nodeName(r.at)}`}`,
      scope,
      from,
      to,
      walk: r.hops,
      decidedBy: { where: v.nodeName(r.at), entry: r.entry },
      key: `${kind}|${key}`,
    });
    return;
  }
  if (r.nat) {
    out.push({
      kind: `${kind}-nat` as FabricViolationKind,
      message: `${from} -> ${to}: translated on ${v.nodeName(r.nat.at)}`,
      scope,
      from,
      to,
      walk: r.hops,
      decidedBy: { where: v.nodeName(r.nat.at), entry: r.nat.rule },
      key: `${kind}-nat|${key}`,
    });
  }
  void dstPod;
}

/** Verify a fabric view (see the file comment). */
export function verifyFabric(v: FabricView): FabricReport {
  const t0 = performance.now();
  const out: FabricViolation[] = [];
  out.push(...addressChecks(v));
  const c = classes(v);
  let walks = 0;
  for (const [tid, members] of c.templates) {
    // The template's representative: its first node with a pod (node-to-pod needs no pod).
    const r = members.find((m) => c.rep[m]! >= 0) ?? members[0]!;
    const second = members.find((m) => m !== r && (c.rep[m]! >= 0 || c.rep[r]! < 0));
    const scopeOf = (j: number): string => `${members.length === 1 ? v.nodeName(r) : `${fmt(members.length)} nodes of template ${tid}`} -> pods on ${v.nodeName(j)}`;
    for (let j = 0; j < v.nodeCount; j++) {
      if (c.target[j]! < 0) continue;
      // The destination is the representative's own subnet: another member speaks for the template.
      const s = j === r ? second : r;
      if (s === undefined || s === j) continue;
      const scope = scopeOf(j);
      if (c.rep[s]! >= 0) {
        judgeWalk(v, out, s, c.rep[s]!, j, c, scope, `t${tid}>${j}`);
        walks++;
      }
      judgeWalk(v, out, s, -1, j, c, scope, `t${tid}>${j}`);
      walks++;
    }
  }
  // Every node's own subnet (its template cannot speak for it): pods of one node reach each other.
  for (let j = 0; j < v.nodeCount; j++) {
    if (c.target[j]! < 0) continue;
    judgeWalk(v, out, j, -1, j, c, `${v.nodeName(j)} -> its own pods`, `own${j}`);
    walks++;
  }
  // Pods with rules of their own: a class each, against every destination.
  for (const p of c.special) {
    const s = v.podNode(p);
    for (let j = 0; j < v.nodeCount; j++) {
      if (c.target[j]! < 0 || c.target[j] === p) continue;
      judgeWalk(v, out, s, p, j, c, `pod ${ip(v.podIp(p))} (own rules) -> pods on ${v.nodeName(j)}`, `p${p}>${j}`);
      walks++;
    }
  }
  let pods = 0;
  for (let p = 0; p < v.podCount; p++) if (v.podAlive(p)) pods++;
  return {
    ok: out.length === 0,
    violations: out,
    stats: { nodes: v.nodeCount, pods, templates: c.templates.size, sourceClasses: c.templates.size + c.special.length, walks, ms: performance.now() - t0 },
  };
}

/** Unique pod IPs, pods inside their node's podCIDR, non-overlapping podCIDRs, reservations with pods. */
function addressChecks(v: FabricView): FabricViolation[] {
  const out: FabricViolation[] = [];
  // Pod addresses: sort (ip, pod) pairs packed in a Float64Array (ip * 2^21 + pod fits 53 bits up to 2M pods).
  const live: number[] = [];
  for (let p = 0; p < v.podCount; p++) if (v.podAlive(p)) live.push(p);
  const keys = new Float64Array(live.length);
  for (let k = 0; k < live.length; k++) keys[k] = v.podIp(live[k]!) * 2097152 + live[k]!;
  keys.sort();
  for (let k = 1; k < keys.length; k++) {
    const a = Math.floor(keys[k - 1]! / 2097152);
    const b = Math.floor(keys[k]! / 2097152);
    if (a === b) {
      const pa = keys[k - 1]! - a * 2097152;
      const pb = keys[k]! - b * 2097152;
      out.push({ kind: 'duplicate-pod-ip', message: `pods ${pa} (on ${v.nodeName(v.podNode(pa))}) and ${pb} (on ${v.nodeName(v.podNode(pb))}) both have ${ip(a)}`, key: `dup|${a}|${pb}` });
    }
  }
  for (const p of live) {
    const n = v.podNode(p);
    const len = v.podCidrLen(n);
    if (len === 0) continue;
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (((v.podIp(p) & m) >>> 0) !== v.podCidrBase(n) >>> 0) out.push({ kind: 'pod-outside-pod-cidr', message: `pod ${ip(v.podIp(p))} on ${v.nodeName(n)} is outside its podCIDR ${ip(v.podCidrBase(n))}/${len}`, key: `out|${p}` });
  }
  // podCIDRs: sort by base, sweep.
  const order = Array.from({ length: v.nodeCount }, (_, i) => i).filter((i) => v.podCidrLen(i) > 0);
  const hi = (i: number): number => (v.podCidrBase(i) + 2 ** (32 - v.podCidrLen(i)) - 1) >>> 0;
  order.sort((a, b) => v.podCidrBase(a) - v.podCidrBase(b));
  let open = -1;
  for (const i of order) {
    if (open >= 0 && v.podCidrBase(i) <= hi(open)) {
      out.push({ kind: 'overlapping-pod-cidrs', message: `${v.nodeName(open)}'s podCIDR ${ip(v.podCidrBase(open))}/${v.podCidrLen(open)} overlaps ${v.nodeName(i)}'s ${ip(v.podCidrBase(i))}/${v.podCidrLen(i)}`, key: `ovl|${open}|${i}` });
    }
    if (open < 0 || hi(i) > hi(open)) open = i;
  }
  // Reservations without a live pod on that node.
  const liveByNode = new Map<number, Set<number>>();
  for (const p of live) {
    const n = v.podNode(p);
    let s = liveByNode.get(n);
    if (!s) liveByNode.set(n, (s = new Set()));
    s.add(v.podIp(p));
  }
  for (let i = 0; i < v.nodeCount; i++) {
    const held = liveByNode.get(i);
    for (const a of v.reservations(i)) if (!held?.has(a)) out.push({ kind: 'ipam-leak', message: `${ip(a)} is reserved on ${v.nodeName(i)}, but no live pod there has it`, key: `leak|${i}|${a}` });
  }
  return out;
}

/**
 * A verification kept current as pods come and go: `podChanged(p)` after the
 * view changed pod p (added, deleted, re-addressed) re-checks what a pod can
 * change - its address's uniqueness, its podCIDR, the reservations of its
 * node, and (only if it has rules of its own) its class's walks. Routes and
 * rules are node state: after a node change, verify again.
 */
export class FabricVerifier {
  private readonly byKey = new Map<string, FabricViolation>();
  /** Live pods by address. */
  private readonly byIp = new Map<number, Set<number>>();
  private readonly podAt = new Map<number, number>();
  report: FabricReport;

  constructor(private readonly v: FabricView) {
    this.report = verifyFabric(v);
    for (const x of this.report.violations) this.byKey.set(x.key, x);
    for (let p = 0; p < v.podCount; p++) if (v.podAlive(p)) this.index(p);
  }

  private index(p: number): void {
    const a = this.v.podIp(p);
    let s = this.byIp.get(a);
    if (!s) this.byIp.set(a, (s = new Set()));
    s.add(p);
    this.podAt.set(p, a);
  }

  private unindex(p: number): void {
    const a = this.podAt.get(p);
    if (a === undefined) return;
    const s = this.byIp.get(a)!;
    s.delete(p);
    if (s.size === 0) this.byIp.delete(a);
    this.podAt.delete(p);
    for (const k of [...this.byKey.keys()]) if (k.startsWith(`dup|${a}|`) || k === `out|${p}`) this.byKey.delete(k);
  }

  /** Pod p changed in the view: update, and return the violations now. */
  podChanged(p: number): readonly FabricViolation[] {
    const v = this.v;
    const oldIp = this.podAt.get(p);
    this.unindex(p);
    const n = v.podNode(p);
    if (v.podAlive(p)) {
      this.index(p);
      const a = v.podIp(p);
      const same = this.byIp.get(a)!;
      if (same.size > 1) {
        const other = [...same].find((x) => x !== p)!;
        this.byKey.set(`dup|${a}|${p}`, { kind: 'duplicate-pod-ip', message: `pods ${other} (on ${v.nodeName(v.podNode(other))}) and ${p} (on ${v.nodeName(n)}) both have ${ip(a)}`, key: `dup|${a}|${p}` });
      }
      const len = v.podCidrLen(n);
      const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      if (len > 0 && ((a & m) >>> 0) !== v.podCidrBase(n) >>> 0) this.byKey.set(`out|${p}`, { kind: 'pod-outside-pod-cidr', message: `pod ${ip(a)} on ${v.nodeName(n)} is outside its podCIDR`, key: `out|${p}` });
    }
    // Reservations of the node: only the pod's old and new addresses can have changed status.
    const res = new Set(v.reservations(n));
    for (const a of [oldIp, v.podAlive(p) ? v.podIp(p) : undefined]) {
      if (a === undefined) continue;
      const key = `leak|${n}|${a}`;
      const held = [...(this.byIp.get(a) ?? [])].some((x) => v.podNode(x) === n);
      if (res.has(a) && !held) this.byKey.set(key, { kind: 'ipam-leak', message: `${ip(a)} is reserved on ${v.nodeName(n)}, but no live pod there has it`, key });
      else this.byKey.delete(key);
    }
    if (v.podHasOwnRules(p)) {
      for (const k of [...this.byKey.keys()]) if (k.includes(`|p${p}>`)) this.byKey.delete(k);
      if (v.podAlive(p)) {
        const c = classes(v);
        const out: FabricViolation[] = [];
        for (let j = 0; j < v.nodeCount; j++) if (c.target[j]! >= 0 && c.target[j] !== p) judgeWalk(v, out, n, p, j, c, `pod ${ip(v.podIp(p))} (own rules) -> pods on ${v.nodeName(j)}`, `p${p}>${j}`);
        for (const x of out) this.byKey.set(x.key, x);
      }
    }
    const violations = [...this.byKey.values()];
    this.report = { ...this.report, ok: violations.length === 0, violations };
    return violations;
  }
}
