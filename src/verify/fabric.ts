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
  | { readonly kind: 'via'; readonly gw: number }
  /** The destination is on the node's own segment (connected route). */
  | { readonly kind: 'direct' }
  /** No route (or a blackhole / unreachable route). */
  | { readonly kind: 'none' };

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
  /** FIB lookup on node i (hot path: no strings). */
  lookup(i: number, dst: number): Hop;
  /** The entry that decided lookup(i, dst), as `ip route` prints it (for witnesses only). */
  explain(i: number, dst: number): string;
  /** The node with this uplink address on this segment, or -1 (ARP finds nobody). */
  nodeByIp(ip: number, segment: number): number;
  /** Does node i translate a packet src -> dst it sends or forwards? The rule, or undefined. */
  snat(i: number, src: number, dst: number): string | undefined;

  readonly podCount: number;
  podIp(p: number): number;
  podNode(p: number): number;
  podAlive(p: number): boolean;
  /**
   * Rules that name this pod's address alone (the bridge plugin's ipMasq
   * chain): -1 if none; otherwise pods of one node with the same number are
   * alike (same rules up to their own address) and form one source class.
   */
  podRuleClass(p: number): number;
  /** IPAM reservations on node i (addresses). */
  reservations(i: number): Iterable<number>;
  /** Is address a reserved on node i? */
  isReserved(i: number, a: number): boolean;
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
  | 'node-to-pod-misdelivered'
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
  /** The node pairs the class stands for: every source node x every destination node. */
  readonly pairs?: { readonly src: readonly number[]; readonly dst: readonly number[] };
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
  /** Nodes the packet went through, in order. */
  readonly path: readonly number[];
  readonly nat?: { readonly at: number; readonly rule: string };
}

/** Follow dst from node s (source address src) until it is delivered somewhere or dies. Allocates no strings. */
function walk(v: FabricView, s: number, src: number, dst: number, target: number): WalkResult {
  const path: number[] = [];
  let cur = s;
  let nat: WalkResult['nat'];
  for (let ttl = 0; ttl < 32; ttl++) {
    path.push(cur);
    const h = v.lookup(cur, dst);
    if (h.kind === 'local') return { end: cur === target ? 'delivered' : 'misdelivered', at: cur, path, ...(nat ? { nat } : {}) };
    if (h.kind === 'none') return { end: 'no_route', at: cur, path, ...(nat ? { nat } : {}) };
    if (!nat) {
      const rule = v.snat(cur, src, dst);
      if (rule) nat = { at: cur, rule };
    }
    if (h.kind === 'direct') {
      const t = v.nodeByIp(dst, v.nodeSegment(cur));
      if (t >= 0) path.push(t);
      return { end: t < 0 ? 'neighbor_unreachable' : t === target ? 'delivered' : 'misdelivered', at: t < 0 ? cur : t, path, ...(nat ? { nat } : {}) };
    }
    const next = v.nodeByIp(h.gw, v.nodeSegment(cur));
    if (next < 0) return { end: 'neighbor_unreachable', at: cur, path, ...(nat ? { nat } : {}) };
    cur = next;
  }
  return { end: 'loop', at: cur, path, ...(nat ? { nat } : {}) };
}

/** The walk as a witness: each node's decision, with the entry that made it. */
function describeWalk(v: FabricView, r: WalkResult, dst: number): FabricWalkHop[] {
  return r.path.map((n) => {
    const h = v.lookup(n, dst);
    const d =
      h.kind === 'local'
        ? `${ip(dst)} is in its own pod subnet: delivered over the bridge [${v.explain(n, dst)}]`
        : h.kind === 'none'
          ? `no route to ${ip(dst)}`
          : `${h.kind === 'via' ? `forward via ${ip(h.gw)}` : `${ip(dst)} is on the segment`} [${v.explain(n, dst)}]${r.nat?.at === n ? `, translated by [${r.nat.rule}]` : ''}`;
    return { node: v.nodeName(n), decision: d };
  });
}

interface Classes {
  /** template id -> member nodes. */
  readonly templates: Map<number, number[]>;
  /** Per node: a live pod address to aim at (-1: no pod). */
  readonly target: Int32Array;
  readonly targetIp: Uint32Array;
  /** Per node: a live pod without rules of its own (the node's source representative), -1 if none. */
  readonly rep: Int32Array;
  /** One representative pod per (node, rule class) of pods with rules of their own, and the class size. */
  readonly special: { readonly pod: number; readonly size: number }[];
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
  const special = new Map<string, { pod: number; size: number }>();
  for (let p = 0; p < v.podCount; p++) {
    if (!v.podAlive(p)) continue;
    const n = v.podNode(p);
    if (target[n] === -1) {
      target[n] = p;
      targetIp[n] = v.podIp(p);
    }
    const rc = v.podRuleClass(p);
    if (rc >= 0) {
      const k = `${n}/${rc}`;
      const e = special.get(k);
      if (e) e.size++;
      else special.set(k, { pod: p, size: 1 });
    } else if (rep[n] === -1) rep[n] = p;
  }
  return { templates, target, targetIp, rep, special: [...special.values()] };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** The pod-to-pod and node-to-pod walks of one source (a pod p on node s, or the node itself with p = -1) to node j. */
/** scope and srcNodes are computed only when there is something to report (the hot path allocates nothing). */
function judgeWalk(v: FabricView, out: FabricViolation[], s: number, p: number, j: number, c: Classes, scopeOf: () => string, key: string, srcNodesOf: () => readonly number[], dstIp?: number): void {
  const dst = dstIp ?? c.targetIp[j]!;
  const src = p >= 0 ? v.podIp(p) : v.nodeIp(s);
  const from = p >= 0 ? `pod ${ip(src)} on ${v.nodeName(s)}` : v.nodeName(s);
  const to = `pod ${ip(dst)} on ${v.nodeName(j)}`;
  const kind = p >= 0 ? 'pod-to-pod' : 'node-to-pod';
  const r = walk(v, s, src, dst, j);
  if (r.end === 'delivered' && !r.nat) return;
  const scope = scopeOf();
  const srcNodes = srcNodesOf();
  if (r.end !== 'delivered') {
    const misdelivered = r.end === 'misdelivered';
    out.push({
      kind: (misdelivered ? `${kind}-misdelivered` : `${kind}-unreachable`) as FabricViolationKind,
      message: `${from} -> ${to}: ${misdelivered ? `delivered on ${v.nodeName(r.at)}` : `${r.end} on ${v.nodeName(r.at)}`}`,
      scope,
      from,
      to,
      walk: describeWalk(v, r, dst),
      decidedBy: { where: v.nodeName(r.at), entry: r.end === 'no_route' ? `no route to ${ip(dst)}` : v.explain(r.at, dst) },
      key: `${kind}|${key}`,
      pairs: { src: srcNodes, dst: [j] },
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
      walk: describeWalk(v, r, dst),
      decidedBy: { where: v.nodeName(r.nat.at), entry: r.nat.rule },
      key: `${kind}-nat|${key}`,
      pairs: { src: srcNodes, dst: [j] },
    });
  }
}

/** Another live pod of node j than p (-1: none); the first one found. */
function findOther(v: FabricView, j: number, p: number): number {
  // Pods of a node are usually consecutive: look near p first, then everywhere.
  for (let q = p + 1; q < Math.min(v.podCount, p + 64); q++) if (v.podAlive(q) && v.podNode(q) === j && v.podRuleClass(q) < 0) return q;
  return -1;
}

/** Verify a fabric view (see the file comment). `aggregate: false` keeps one violation per (class, destination node). */
export function verifyFabric(v: FabricView, o: { readonly aggregate?: boolean } = {}): FabricReport {
  const t0 = performance.now();
  const out: FabricViolation[] = [];
  out.push(...addressChecks(v));
  const c = classes(v);
  // Destinations whose podCIDR overlaps another node's: the overlap is the finding, not where packets land.
  for (const x of out) if (x.kind === 'overlapping-pod-cidrs') for (const n of x.pairs?.src ?? []) c.target[n] = -1;
  let walks = 0;
  for (const [tid, members] of c.templates) {
    // The template's representative: its first node with a pod (node-to-pod needs no pod).
    const r = members.find((m) => c.rep[m]! >= 0) ?? members[0]!;
    const second = members.find((m) => m !== r && (c.rep[m]! >= 0 || c.rep[r]! < 0));
    for (let j = 0; j < v.nodeCount; j++) {
      if (c.target[j]! < 0) continue;
      // The destination is the representative's own subnet: another member speaks for the template.
      const s = j === r ? second : r;
      if (s === undefined || s === j) continue;
      const scope = (): string => `${members.length === 1 ? v.nodeName(r) : `${fmt(members.length)} nodes of template ${tid}`} -> pods on ${v.nodeName(j)}`;
      // The class: every member but j itself (j's own subnet is checked below).
      const srcs = (): number[] => members.filter((m) => m !== j);
      if (c.rep[s]! >= 0) {
        judgeWalk(v, out, s, c.rep[s]!, j, c, scope, `t${tid}>${j}`, () => srcs().filter((m) => c.rep[m]! >= 0));
        walks++;
      }
      judgeWalk(v, out, s, -1, j, c, scope, `t${tid}>${j}`, srcs);
      walks++;
    }
  }
  // Every node's own subnet (its template cannot speak for it): pods of one node reach each other.
  for (let j = 0; j < v.nodeCount; j++) {
    if (c.target[j]! < 0) continue;
    judgeWalk(v, out, j, -1, j, c, () => `${v.nodeName(j)} -> its own pods`, `own${j}`, () => [j]);
    walks++;
    // Pod to pod on the node (the bridge), when it has two pods of the node's class.
    const other = c.rep[j]! >= 0 ? findOther(v, j, c.rep[j]!) : -1;
    if (other >= 0) {
      judgeWalk(v, out, j, c.rep[j]!, j, c, () => `pods on ${v.nodeName(j)} -> pods on ${v.nodeName(j)}`, `same${j}`, () => [j], v.podIp(other));
      walks++;
    }
  }
  // Pods with rules of their own: a class per (node, rule class), against every destination.
  for (const { pod: p, size } of c.special) {
    const s = v.podNode(p);
    for (let j = 0; j < v.nodeCount; j++) {
      if (c.target[j]! < 0 || c.target[j] === p) continue;
      judgeWalk(v, out, s, p, j, c, () => `${size === 1 ? `pod ${ip(v.podIp(p))}` : `${fmt(size)} pods like ${ip(v.podIp(p))} on ${v.nodeName(s)}`} (rules of their own) -> pods on ${v.nodeName(j)}`, `p${p}>${j}`, () => [s]);
      walks++;
    }
  }
  let pods = 0;
  for (let p = 0; p < v.podCount; p++) if (v.podAlive(p)) pods++;
  const violations = o.aggregate === false ? out : aggregate(out);
  return {
    ok: violations.length === 0,
    violations,
    stats: { nodes: v.nodeCount, pods, templates: c.templates.size, sourceClasses: c.templates.size + c.special.length, walks, ms: performance.now() - t0 },
  };
}

/**
 * One violation per (kind, source class, deciding node): a source class whose
 * packets die on the same node for 4,999 destinations is one finding with one
 * witness (the first destination), not 4,999.
 */
function aggregate(vs: readonly FabricViolation[]): FabricViolation[] {
  const groups = new Map<string, { first: FabricViolation; n: number }>();
  const out: FabricViolation[] = [];
  for (const x of vs) {
    if (!x.scope || !x.decidedBy) {
      out.push(x);
      continue;
    }
    const src = x.scope.replace(/ -> pods on \S+$/, '');
    const k = `${x.kind}|${src}|${x.decidedBy.where}|${x.decidedBy.entry.replace(/\d+\.\d+\.\d+\.\d+(\/\d+)?/g, 'A')}`;
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { first: x, n: 1 });
  }
  for (const { first, n } of groups.values()) {
    out.push(n === 1 ? first : { ...first, scope: first.scope!.replace(/ -> pods on (\S+)$/, ` -> pods on ${fmt(n)} nodes (witness: $1)`), message: `${first.message} (and the same for ${fmt(n - 1)} more destination node${n === 2 ? '' : 's'})` });
  }
  return out;
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
      out.push({ kind: 'overlapping-pod-cidrs', message: `${v.nodeName(open)}'s podCIDR ${ip(v.podCidrBase(open))}/${v.podCidrLen(open)} overlaps ${v.nodeName(i)}'s ${ip(v.podCidrBase(i))}/${v.podCidrLen(i)}`, key: `ovl|${open}|${i}`, pairs: { src: [open, i], dst: [] } });
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
    this.byKey.delete(`out|${p}`);
    // A duplicate of this address is keyed by the later pod: drop both ways.
    this.byKey.delete(`dup|${a}|${p}`);
    for (const q of s) this.byKey.delete(`dup|${a}|${q}`);
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
    for (const a of [oldIp, v.podAlive(p) ? v.podIp(p) : undefined]) {
      if (a === undefined) continue;
      const key = `leak|${n}|${a}`;
      let held = false;
      for (const x of this.byIp.get(a) ?? []) if (v.podNode(x) === n) held = true;
      if (v.isReserved(n, a) && !held) this.byKey.set(key, { kind: 'ipam-leak', message: `${ip(a)} is reserved on ${v.nodeName(n)}, but no live pod there has it`, key });
      else this.byKey.delete(key);
    }
    if (v.podRuleClass(p) >= 0) {
      for (const k of [...this.byKey.keys()]) if (k.includes(`|p${p}>`)) this.byKey.delete(k);
      if (v.podAlive(p)) {
        const c = classes(v);
        const out: FabricViolation[] = [];
        for (let j = 0; j < v.nodeCount; j++) if (c.target[j]! >= 0 && c.target[j] !== p) judgeWalk(v, out, n, p, j, c, () => `pod ${ip(v.podIp(p))} (own rules) -> pods on ${v.nodeName(j)}`, `p${p}>${j}`, () => [n]);
        for (const x of out) this.byKey.set(x.key, x);
      }
    }
    const violations = [...this.byKey.values()];
    this.report = { ...this.report, ok: violations.length === 0, violations };
    return violations;
  }
}
