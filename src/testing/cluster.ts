/**
 * fast-check arbitraries for src/cluster: designs, clusters (nodes on an
 * underlay the design supports) and churn applied to a Cluster.
 *
 *   fc.assert(fc.property(clusterSpecArb(), churnArb(), (spec, churn) => {
 *     let c = buildCluster(spec);
 *     for (const a of churn) { c = applyClusterChurn(c, a).cluster; expect(verifyCluster(c).violations).toEqual([]); }
 *   }));
 */
import fc from 'fast-check';
import { addNode, addPod, buildCluster, deletePod, rebootNode, reconcile, removeNode } from '../cluster/cluster.js';
import { staticRoutes } from '../cluster/designs/static-routes.js';
import { flannelHostGw, flannelVxlan } from '../cluster/designs/flannel.js';
import { kubenet } from '../cluster/designs/kubenet.js';
import { calico } from '../cluster/designs/calico.js';
import { weave } from '../cluster/designs/weave.js';
import { cilium } from '../cluster/designs/cilium.js';
import type { Cluster, ClusterSpec, Design, UnderlaySpec } from '../cluster/types.js';
import type { ChurnAction } from './churn.js';

export interface DesignChoice {
  readonly name: string;
  readonly make: () => Design;
  /** Underlays the design keeps the contract on (others are failure modes: see docs/designs.md). */
  readonly underlays: readonly UnderlaySpec['kind'][];
}

/** podnet's designs and where each works. */
export const DESIGNS: readonly DesignChoice[] = [
  { name: 'static-routes', make: () => staticRoutes(), underlays: ['switch'] },
  { name: 'flannel-host-gw', make: () => flannelHostGw(), underlays: ['switch'] },
  { name: 'flannel-vxlan', make: () => flannelVxlan(), underlays: ['switch', 'routed', 'public'] },
  { name: 'kubenet', make: () => kubenet(), underlays: ['switch'] },
  { name: 'calico-bgp', make: () => calico(), underlays: ['switch'] },
  { name: 'calico-vxlan', make: () => calico({ encapsulation: 'vxlan' }), underlays: ['switch', 'routed', 'public'] },
  { name: 'weave', make: () => weave(), underlays: ['switch'] },
  { name: 'cilium-tunnel', make: () => cilium(), underlays: ['switch', 'routed', 'public'] },
  { name: 'cilium-native', make: () => cilium({ routing: 'native' }), underlays: ['switch'] },
];

export function designArb(names?: readonly string[]): fc.Arbitrary<DesignChoice> {
  const pool = names ? DESIGNS.filter((d) => names.includes(d.name)) : DESIGNS;
  return fc.constantFrom(...pool);
}

/** A ClusterSpec: a design, 1..maxNodes nodes, an underlay the design supports. */
export function clusterSpecArb(o: { readonly designs?: readonly string[]; readonly maxNodes?: number; readonly seed?: boolean } = {}): fc.Arbitrary<ClusterSpec & { readonly designName: string }> {
  return designArb(o.designs).chain((d) =>
    fc.record({
      n: fc.integer({ min: 1, max: o.maxNodes ?? 3 }),
      underlay: fc.constantFrom(...d.underlays),
      seed: o.seed ? fc.integer({ min: 1, max: 1000 }) : fc.constant(1),
    }).map(({ n, underlay, seed }) => ({
      designName: d.name,
      nodes: Array.from({ length: n }, (_, i) => `node${i + 1}`),
      underlay: { kind: underlay } as UnderlaySpec,
      design: d.make(),
      seed,
    })),
  );
}

/**
 * Built clusters, by what determines them. buildCluster and addPod are pure
 * and deterministic (seeded MACs and names, no clock), and a Cluster is
 * immutable data, so a spec that fast-check draws again (there are only a few
 * dozen of (design, underlay, node count)) is built once and shared: a
 * property's 1,000 runs spend their time on the distinct states, not on
 * rebuilding the same underlay and nodes. Bounded: cleared past MEMO_MAX.
 */
const built = new Map<string, Cluster>();
const MEMO_MAX = 4096;

function memo(key: string, make: () => Cluster): Cluster {
  const hit = built.get(key);
  if (hit) return hit;
  const c = make();
  if (built.size >= MEMO_MAX) built.clear();
  built.set(key, c);
  return c;
}

/** What determines buildCluster(spec) for a spec of clusterSpecArb (the design by its name in DESIGNS). */
function specKey(spec: ClusterSpec & { readonly designName: string }): string {
  return `${spec.designName}|${spec.underlay?.kind ?? 'switch'}|${spec.nodes.map((n) => (typeof n === 'string' ? n : JSON.stringify(n))).join(',')}|${spec.seed ?? 1}`;
}

/**
 * buildCluster(spec) for a spec drawn by clusterSpecArb, shared between draws
 * of the same spec (see `built`). Equal to a fresh buildCluster(spec): the
 * property tests check it (test/testing/properties.test.ts).
 */
export function buildSpecCluster(spec: ClusterSpec & { readonly designName: string }): Cluster {
  return memo(`b|${specKey(spec)}`, () => buildCluster(spec));
}

/** A cluster built from a generated spec, with 0..maxPods pods spread over its nodes. */
export function clusterArb(o: { readonly designs?: readonly string[]; readonly maxNodes?: number; readonly maxPods?: number } = {}): fc.Arbitrary<Cluster> {
  return fc.tuple(clusterSpecArb(o), fc.array(fc.nat(63), { maxLength: o.maxPods ?? 4 })).map(([spec, pods]) => {
    const key = specKey(spec);
    // Each prefix of the pod placements is a cluster of its own (kubelet's ADDs
    // in order, no agent run in between): shared as buildSpecCluster shares builds.
    let c = buildSpecCluster(spec);
    const placed: number[] = [];
    pods.forEach((k, i) => {
      const at = k % c.nodeOrder.length;
      placed.push(at);
      const prev = c;
      c = memo(`p|${key}|${placed.join(',')}`, () => addPod(prev, { name: `p${i + 1}`, node: prev.nodeOrder[at]! }));
    });
    const last = c;
    return memo(`r|${key}|${placed.join(',')}`, () => reconcile(last));
  });
}

/**
 * Apply one churn action to a cluster (then let every agent reconcile, as
 * they do within seconds): pods added/deleted, a sandbox re-created (delete +
 * add under the same name, a new CNI ADD), nodes rebooted, leaving and
 * joining (a new node), several pods at once on one node. Container restarts
 * and failed ADDs do not change a src/cluster network (a container restart
 * keeps the sandbox): they are no-ops here.
 */
export function applyClusterChurn(c: Cluster, a: ChurnAction): { cluster: Cluster; did?: string } {
  const key = churnKey(c, a);
  if (key === undefined) return { cluster: c };
  let byAction = applied.get(c);
  const hit = byAction?.get(key);
  if (hit) return hit;
  const r = applyChurn(c, a);
  if (appliedCount >= APPLIED_MAX) {
    applied = new WeakMap();
    appliedCount = 0;
    byAction = undefined;
  }
  if (!byAction) applied.set(c, (byAction = new Map()));
  byAction.set(key, r);
  appliedCount++;
  return r;
}

/**
 * What an action does to `c`, as a key: the op and the targets it picks
 * (modulo what exists), or undefined for an action that changes nothing.
 * Two actions with one key do the same thing to `c`.
 */
function churnKey(c: Cluster, a: ChurnAction): string | undefined {
  const n = c.nodeOrder.length;
  const p = c.podOrder.length;
  switch (a.op) {
    case 'add':
    case 'reboot':
      return n ? `${a.op} ${a.a % n}` : undefined;
    case 'concurrent':
      return n ? `${a.op} ${a.a % n} ${a.b % 2}` : undefined;
    case 'delete':
    case 'recreate':
      return p ? `${a.op} ${a.a % p}` : undefined;
    case 'leave':
      return n >= 2 ? `${a.op} ${a.a % n}` : undefined;
    case 'join':
      return n < 5 ? a.op : undefined;
    case 'restart':
    case 'failedAdd':
      return undefined;
  }
}

/**
 * Churn results by the cluster they were applied to and the action's key.
 * Everything in src/cluster is deterministic and a Cluster is immutable, so
 * a property drawing the same (state, action) again - its runs share their
 * first states (buildSpecCluster) - gets the very same next state. Bounded:
 * a new generation past APPLIED_MAX transitions.
 */
let applied = new WeakMap<Cluster, Map<string, { cluster: Cluster; did?: string }>>();
let appliedCount = 0;
const APPLIED_MAX = 20_000;

function applyChurn(c: Cluster, a: ChurnAction): { cluster: Cluster; did?: string } {
  const nodes = c.nodeOrder;
  const pods = c.podOrder;
  const fresh = (): string => `z${c.podSerial + 1}`;
  let did: string | undefined;
  let cur = c;
  switch (a.op) {
    case 'add': {
      if (!nodes.length) break;
      const node = nodes[a.a % nodes.length]!;
      const name = fresh();
      cur = addPod(cur, { name, node });
      did = `add pod ${name} on ${node}`;
      break;
    }
    case 'concurrent': {
      if (!nodes.length) break;
      const node = nodes[a.a % nodes.length]!;
      const k = 2 + (a.b % 2);
      const names: string[] = [];
      for (let i = 0; i < k; i++) {
        const name = `z${cur.podSerial + 1}`;
        cur = addPod(cur, { name, node });
        names.push(name);
      }
      did = `add pods ${names.join(', ')} on ${node} at once`;
      break;
    }
    case 'delete': {
      if (!pods.length) break;
      const p = pods[a.a % pods.length]!;
      cur = deletePod(cur, p);
      did = `delete pod ${p}`;
      break;
    }
    case 'recreate': {
      if (!pods.length) break;
      const p = pods[a.a % pods.length]!;
      const node = cur.pods[p]!.node;
      cur = addPod(deletePod(cur, p), { name: p, node });
      did = `re-create the sandbox of pod ${p}`;
      break;
    }
    case 'reboot': {
      if (!nodes.length) break;
      const n = nodes[a.a % nodes.length]!;
      cur = rebootNode(cur, n);
      did = `reboot ${n}`;
      break;
    }
    case 'leave': {
      if (nodes.length < 2) break;
      const n = nodes[a.a % nodes.length]!;
      cur = removeNode(cur, n);
      did = `${n} leaves`;
      break;
    }
    case 'join': {
      if (nodes.length >= 5) break;
      let i = nodes.length + 1;
      while (cur.nodes[`node${i}`]) i++;
      cur = addNode(cur, `node${i}`);
      did = `node${i} joins`;
      break;
    }
    case 'restart':
    case 'failedAdd':
      break;
  }
  return { cluster: did ? reconcile(cur) : cur, ...(did ? { did } : {}) };
}
