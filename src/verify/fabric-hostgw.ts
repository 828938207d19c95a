/**
 * A host-gw cluster of any size as a compact FabricView: typed arrays for
 * nodes and pods, one shared route table ("every podCIDR via its node", the
 * table every host-gw node holds) plus per-node exceptions, rules as data.
 * No namespaces, no immer: 5,000 nodes and 150,000 pods fit in a few MB and
 * build in milliseconds. `hostGwScenario` writes a small one as a scenario
 * (the same nodes, routes, rules and pods on the twin's datapath) so the
 * fabric verifier can be checked against the datapath verifier.
 *
 * Layout: node i has uplink 192.168.0.0/16 + 10 + i on one segment and
 * podCIDR 10.0.0.0/8 + (i + 1) * 256 (/24); its k-th pod has .2 + k, as
 * host-local hands them out. Every node masquerades `-s 10.0.0.0/8 ! -d
 * 10.0.0.0/8` (what flannel and kubenet do for traffic leaving the cluster).
 */
import type { FabricView, Hop } from './fabric.js';

export interface HostGwFaults {
  /** [node, destination node]: node lacks the route to the destination's podCIDR. */
  readonly missingRoutes?: readonly (readonly [number, number])[];
  /** [node, other]: node was given other's podCIDR by hand. */
  readonly duplicatePodCidrs?: readonly (readonly [number, number])[];
  /** Nodes whose bridge plugin has ipMasq: true (a per-pod MASQUERADE chain). */
  readonly ipMasqNodes?: readonly number[];
  /** [node, address]: host-local reservations no pod holds. */
  readonly leaks?: readonly (readonly [number, number])[];
}

export interface HostGwSpec {
  readonly nodes: number;
  readonly podsPerNode: number;
  readonly faults?: HostGwFaults;
}

const CLUSTER_BASE = 0x0a000000; // 10.0.0.0/8
const CLUSTER_MASK = 0xff000000;
const UNDERLAY_BASE = 0xc0a80000; // 192.168.0.0/16
const UNDERLAY_MASK = 0xffff0000;
const NODE_HOST_BASE = 10;
const LOCAL: Hop = { kind: 'local' };
const DIRECT: Hop = { kind: 'direct' };
const NONE: Hop = { kind: 'none' };

function ip(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export class CompactHostGw implements FabricView {
  readonly nodeCount: number;
  private readonly cidr: Uint32Array;
  private readonly template: Int32Array;
  /** podCIDR base -> the node its route points to (the first node holding it: the kernel keeps the first `ip route add`). */
  private readonly routeOwner = new Map<number, number>();
  private readonly missing = new Map<number, Set<number>>();
  private readonly ipMasq = new Set<number>();
  private readonly reserved: Set<number>[];
  podCount: number;
  private podIpArr: Uint32Array;
  private podNodeArr: Uint32Array;
  private podAliveArr: Uint8Array;
  private readonly nextHost: Uint32Array;
  /** The shared `via` hop of each node (no allocation per lookup). */
  private readonly via: Hop[];

  constructor(readonly spec: HostGwSpec) {
    const n = spec.nodes;
    this.nodeCount = n;
    this.cidr = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.cidr[i] = (CLUSTER_BASE + (i + 1) * 256) >>> 0;
    const f = spec.faults ?? {};
    for (const [a, b] of f.duplicatePodCidrs ?? []) this.cidr[a] = this.cidr[b]!;
    for (let i = 0; i < n; i++) if (!this.routeOwner.has(this.cidr[i]!)) this.routeOwner.set(this.cidr[i]!, i);
    for (const [a, b] of f.missingRoutes ?? []) {
      let s = this.missing.get(a);
      if (!s) this.missing.set(a, (s = new Set()));
      s.add(b);
    }
    for (const m of f.ipMasqNodes ?? []) this.ipMasq.add(m);
    // Templates: nodes without exceptions share template 0; the others get one per distinct exception set.
    this.template = new Int32Array(n);
    const ids = new Map<string, number>([['', 0]]);
    const dup = new Set((f.duplicatePodCidrs ?? []).flatMap(([a, b]) => [a, b]));
    for (let i = 0; i < n; i++) {
      const parts: string[] = [];
      const m = this.missing.get(i);
      if (m) parts.push(`missing:${[...m].sort((x, y) => x - y).join(',')}`);
      if (this.ipMasq.has(i)) parts.push('ipmasq');
      if (dup.has(i)) parts.push(`dup:${i}`);
      const key = parts.join(';');
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      this.template[i] = id;
    }
    this.via = Array.from({ length: n }, (_, i) => ({ kind: 'via' as const, gw: this.nodeIp(i) }));
    const total = n * spec.podsPerNode;
    this.podCount = total;
    this.podIpArr = new Uint32Array(Math.max(16, total));
    this.podNodeArr = new Uint32Array(Math.max(16, total));
    this.podAliveArr = new Uint8Array(Math.max(16, total));
    this.nextHost = new Uint32Array(n);
    this.reserved = Array.from({ length: n }, () => new Set<number>());
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < spec.podsPerNode; k++) {
        const a = (this.cidr[i]! + 2 + k) >>> 0;
        this.podIpArr[p] = a;
        this.podNodeArr[p] = i;
        this.podAliveArr[p] = 1;
        this.reserved[i]!.add(a);
        p++;
      }
      this.nextHost[i] = 2 + spec.podsPerNode;
    }
    for (const [node, a] of f.leaks ?? []) this.reserved[node]!.add(a >>> 0);
  }

  nodeName(i: number): string {
    return `node${i}`;
  }
  nodeIp(i: number): number {
    return (UNDERLAY_BASE + NODE_HOST_BASE + i) >>> 0;
  }
  nodeSegment(): number {
    return 0;
  }
  podCidrBase(i: number): number {
    return this.cidr[i]!;
  }
  podCidrLen(): number {
    return 24;
  }
  nodeTemplate(i: number): number {
    return this.template[i]!;
  }
  nodeByIp(a: number, segment: number): number {
    if (segment !== 0) return -1;
    const i = (a >>> 0) - UNDERLAY_BASE - NODE_HOST_BASE;
    return i >= 0 && i < this.nodeCount ? i : -1;
  }

  lookup(i: number, dst: number): Hop {
    const d = dst >>> 0;
    const base = (d & 0xffffff00) >>> 0;
    if (base === this.cidr[i]) return LOCAL;
    const owner = this.routeOwner.get(base);
    if (owner !== undefined && owner !== i && !this.missing.get(i)?.has(owner)) return this.via[owner]!;
    if (((d & UNDERLAY_MASK) >>> 0) === UNDERLAY_BASE) return DIRECT;
    return NONE;
  }

  explain(i: number, dst: number): string {
    const h = this.lookup(i, dst);
    const base = (dst & 0xffffff00) >>> 0;
    if (h.kind === 'local') return `${ip(this.cidr[i]!)}/24 dev cni0 proto kernel scope link src ${ip((this.cidr[i]! + 1) >>> 0)}`;
    if (h.kind === 'via') return `${ip(base)}/24 via ${ip(h.gw)} dev eth0`;
    if (h.kind === 'direct') return `192.168.0.0/16 dev eth0 proto kernel scope link src ${ip(this.nodeIp(i))}`;
    return `no route to ${ip(dst >>> 0)}`;
  }

  snat(i: number, src: number, dst: number): string | undefined {
    const s = src >>> 0;
    const d = dst >>> 0;
    // The bridge plugin's ipMasq: `-s POD -j CNI-x`, CNI-x: `-d podCIDR ACCEPT`, `! -d 224.0.0.0/4 MASQUERADE`.
    if (this.ipMasq.has(i) && ((s & 0xffffff00) >>> 0) === this.cidr[i] && ((d & 0xffffff00) >>> 0) !== this.cidr[i] && d >>> 28 !== 0xe) {
      return `-A CNI-${ip(s)} ! -d 224.0.0.0/4 -j MASQUERADE`;
    }
    if (((s & CLUSTER_MASK) >>> 0) === CLUSTER_BASE && ((d & CLUSTER_MASK) >>> 0) !== CLUSTER_BASE) return '-A POSTROUTING -s 10.0.0.0/8 ! -d 10.0.0.0/8 -j MASQUERADE';
    return undefined;
  }

  podIp(p: number): number {
    return this.podIpArr[p]!;
  }
  podNode(p: number): number {
    return this.podNodeArr[p]!;
  }
  podAlive(p: number): boolean {
    return this.podAliveArr[p] === 1;
  }
  podRuleClass(p: number): number {
    // Every pod of an ipMasq node has the same chain up to its address: one class per node.
    return this.ipMasq.has(this.podNodeArr[p]!) ? 0 : -1;
  }
  reservations(i: number): Iterable<number> {
    return this.reserved[i]!;
  }
  isReserved(i: number, a: number): boolean {
    return this.reserved[i]!.has(a >>> 0);
  }

  /** CNI DEL of pod p (its reservation released unless `leak`). */
  deletePod(p: number, o: { leak?: boolean } = {}): void {
    this.podAliveArr[p] = 0;
    if (!o.leak) this.reserved[this.podNodeArr[p]!]!.delete(this.podIpArr[p]!);
  }

  /** CNI ADD of a new pod on node i (host-local: the next free address). Returns its index. */
  addPod(i: number, o: { ip?: number } = {}): number {
    if (this.podCount === this.podIpArr.length) {
      const grow = <T extends Uint32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.podIpArr = grow(this.podIpArr);
      this.podNodeArr = grow(this.podNodeArr);
      this.podAliveArr = grow(this.podAliveArr);
    }
    let a = o.ip;
    if (a === undefined) {
      // host-local over the /24: .2 to .254 (.1 is the bridge), going on after the last address
      // handed out and wrapping around, skipping reserved ones; all taken is an exhausted range.
      for (let tries = 0; ; tries++) {
        if (tries >= 253) throw new Error(`node ${i}: every address of its podCIDR ${ip(this.cidr[i]!)}/24 is taken`);
        if (this.nextHost[i]! > 254) this.nextHost[i] = 2;
        a = (this.cidr[i]! + this.nextHost[i]!++) >>> 0;
        if (!this.reserved[i]!.has(a)) break;
      }
    }
    const p = this.podCount++;
    this.podIpArr[p] = a;
    this.podNodeArr[p] = i;
    this.podAliveArr[p] = 1;
    this.reserved[i]!.add(a);
    return p;
  }
}

/** The same cluster as a scenario for the datapath (small sizes: one namespace per node and pod). */
export function hostGwScenario(spec: HostGwSpec, name = 'fabric-host-gw'): string {
  const v = new CompactHostGw(spec);
  const f = spec.faults ?? {};
  const L: string[] = [
    `# Generated by hostGwScenario (src/verify/fabric-hostgw.ts): ${spec.nodes} host-gw nodes on one switch, ${spec.podsPerNode} pods each.`,
    'apiVersion: podnet.dev/v1alpha1',
    'kind: Scenario',
    `metadata: { name: ${name} }`,
    'spec:',
    '  networks: [{ name: lan }]',
    '  nodes:',
  ];
  for (let i = 0; i < spec.nodes; i++) {
    const routes: string[] = [];
    const done = new Set<number>();
    for (let j = 0; j < spec.nodes; j++) {
      const base = v.podCidrBase(j);
      if (base === v.podCidrBase(i) || done.has(base)) continue;
      done.add(base);
      const owner = (v as unknown as { routeOwner: Map<number, number> }).routeOwner.get(base)!;
      if ((f.missingRoutes ?? []).some(([a, b]) => a === i && b === owner)) continue;
      routes.push(`"${ip(base)}/24 via ${ip(v.nodeIp(owner))}"`);
    }
    L.push(`    - name: node${i}`);
    L.push(`      podCIDR: ${ip(v.podCidrBase(i))}/24`);
    L.push(`      interfaces: [{ name: eth0, network: lan, address: ${ip(v.nodeIp(i))}/16 }]`);
    L.push('      forwarding: true');
    L.push(`      routes: [${routes.join(', ')}]`);
    L.push(`      iptables: ["-t nat -A POSTROUTING -s 10.0.0.0/8 ! -d 10.0.0.0/8 -j MASQUERADE"]`);
    const masq = (f.ipMasqNodes ?? []).includes(i);
    L.push(`      cni: { conflist: { cniVersion: 1.0.0, name: podnet, plugins: [{ type: bridge, bridge: cni0, isGateway: true, ipMasq: ${masq}, ipam: { type: host-local, subnet: "{{podCIDR}}", routes: [{ dst: 0.0.0.0/0 }] } }] } }`);
  }
  L.push('  pods:');
  let any = false;
  for (let i = 0; i < spec.nodes; i++) {
    for (let k = 0; k < spec.podsPerNode; k++) {
      L.push(`    - { name: p${i}-${k}, node: node${i}, containers: [{ name: app }] }`);
      any = true;
    }
  }
  if (!any) L[L.length - 1] = '  pods: []';
  return L.join('\n') + '\n';
}
