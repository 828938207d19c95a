/**
 * Cluster-scale measurements for `npm run bench`: build time and heap per pod
 * of synthetic clusters (bench/synth.ts), trace latency of random cross-node
 * pod pairs, whole-cluster verification (src/verify), re-verification after
 * one pod change, fuzz cases per second on small random clusters, and the
 * cost of building through the cluster layer (src/cluster: the emulated CNI
 * runtime, one twin-shell line per step) at small sizes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildSynthetic, rng, type Design, type SynthCluster } from './synth.js';
import { walk } from '../src/sim/datapath/engine.js';
import { echoRequest } from '../src/sim/packet.js';
import type { Ip4 } from '../src/model/addr.js';
import { addPod, buildCluster, deletePod, flannelHostGw, flannelVxlan, reconcile } from '../src/cluster/index.js';
import { clusterTarget } from '../src/verify/cluster.js';
import { verify } from '../src/verify/verify.js';
import { ProbeMemo, type VerifyTarget } from '../src/verify/types.js';
import type { CompactHostGw } from '../src/verify/fabric-hostgw.js';
import type { FabricVerifier } from '../src/verify/fabric.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sleep in steps of 250 ms until the process uses under 5 ms of CPU in one (its GC helper threads are done), at most 3 s. */
function settleHelperThreads(): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 12; i++) {
    const c0 = process.cpuUsage();
    Atomics.wait(cell, 0, 0, 250);
    const c = process.cpuUsage(c0);
    if (c.user + c.system < 5000) return;
  }
}

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export interface BuildFigures {
  readonly nodes: number;
  readonly pods: number;
  readonly build_s: number;
  readonly heap_bytes_per_pod: number;
}

/** Build a synthetic cluster, measuring time and retained heap. */
export function measureBuild(nodes: number, podsPerNode: number, design: Design): { cluster: SynthCluster; figures: BuildFigures } {
  const h0 = heapUsed();
  const t0 = performance.now();
  const cluster = buildSynthetic({ nodes, podsPerNode, design });
  const t1 = performance.now();
  const h1 = heapUsed();
  return {
    cluster,
    figures: { nodes, pods: cluster.pods.length, build_s: (t1 - t0) / 1000, heap_bytes_per_pod: Math.round((h1 - h0) / cluster.pods.length) },
  };
}

export interface TraceFigures {
  /** First trace through nodes never traced before (their indexes are built then). */
  readonly cold_p50_us: number;
  readonly cold_p99_us: number;
  /** The same pairs again (steady state). */
  readonly trace_p50_us: number;
  readonly trace_p99_us: number;
  /** Process CPU time per walk of the steady-state pass (less sensitive to other load than the wall-time percentiles). */
  readonly trace_cpu_us: number;
  readonly delivered: number;
  readonly traced: number;
}

/** One hop-by-hop trace (an echo request walk, what-if: the world is not rebuilt) per random cross-node pod pair. */
export function measureTraces(c: SynthCluster, count: number, seed = 7): TraceFigures {
  const r = rng(seed);
  const pick = () => c.pods[Math.floor(r() * c.pods.length)]!;
  const pairs: [string, Ip4][] = [];
  while (pairs.length < count) {
    const a = pick();
    const b = pick();
    if (a.node !== b.node) pairs.push([a.name, b.ip]);
  }
  let delivered = 0;
  const run = (): number[] =>
    pairs.map(([from, to]) => {
      const t0 = performance.now();
      const res = walk(c.world, { kind: 'output', ns: from, pkt: echoRequest({ src: 0 as Ip4, dst: to, id: 1, seq: 1, payload: 56, ttl: 64 }) }, { discard: true });
      const us = (performance.now() - t0) * 1000;
      if (res.trace.disposition === 'delivered') delivered++;
      return us;
    });
  const cold = run().sort((a, b) => a - b);
  delivered = 0;
  // The first pass built every node's route and neighbour indexes: collect that garbage now so
  // the steady-state pass is not charged a major GC of the cold pass's allocations (its own
  // young-generation collections stay in the figures).
  gc();
  // V8 sweeps the collected heap on helper threads after gc() (hundreds of ms of CPU at full size):
  // on a 2-core machine they take the core the walks would otherwise get, which showed as
  // run-queue waits at the p99. Wait (at most 3 s) until the process is idle while we sleep.
  settleHelperThreads();
  const c0 = process.cpuUsage();
  const warm = run().sort((a, b) => a - b);
  const c1 = process.cpuUsage(c0);
  return {
    cold_p50_us: pct(cold, 0.5),
    cold_p99_us: pct(cold, 0.99),
    trace_p50_us: pct(warm, 0.5),
    trace_p99_us: pct(warm, 0.99),
    trace_cpu_us: (c1.user + c1.system) / count,
    delivered,
    traced: count,
  };
}

/** The verifier's view of a synthetic cluster. */
export function verifyTarget(c: SynthCluster): VerifyTarget {
  const w = c.world;
  return {
    world: w,
    nodes: c.nodeNames.map((n) => {
      const ns = w.ns[n]!;
      const eth0 = Object.values(ns.links).find((l) => l.name === 'eth0')!;
      const cni0 = Object.values(ns.links).find((l) => l.name === 'cni0')!;
      const a = cni0.addrs[0]!;
      return { ref: `node/${n}`, ns: n, ip: eth0.addrs[0]!.local, podCidrs: [{ addr: ((a.local & 0xffffff00) >>> 0) as Ip4, len: 24 }] };
    }),
    pods: c.pods.map((p) => ({ ref: `pod/${p.name}`, node: `node/${c.nodeNames[p.node]!}`, ns: p.name, ip: p.ip })),
    outside: [],
    egress: 'any',
    label: (ns: string) => (ns === 'underlay' ? `network/${ns}` : ns.startsWith('node') ? `node/${ns}` : `pod/${ns}`),
  };
}

export interface VerifyFigures {
  readonly verify_s: number;
  readonly ok: boolean;
  readonly violations: number;
  readonly reverify_after_pod_restart_ms: number;
}

/**
 * The whole-cluster no-NAT verification, then one pod's namespace is
 * replaced by an equal new object (its eth0 re-made, as after a restart
 * that got the same address) and the cluster is verified again with the
 * first run's probe memo: the namespace is equal in content to the one the
 * probes saw, so none runs again (src/verify/flow.ts); what is measured is
 * the rest of a verification (classes, the static checks).
 */
export function measureVerify(c: SynthCluster): VerifyFigures {
  const memo = new ProbeMemo();
  const t0 = performance.now();
  const rep = verify(verifyTarget(c), { memo, mtu: false });
  const t1 = performance.now();
  const p = c.pods[0]!;
  const pns = c.world.ns[p.name]!;
  const eth0 = pns.links[2]!;
  const changed: SynthCluster = {
    ...c,
    world: { ...c.world, ns: { ...c.world.ns, [p.name]: { ...pns, links: { ...pns.links, 2: { ...eth0, mtu: eth0.mtu } } } } },
  };
  const t2 = performance.now();
  verify(verifyTarget(changed), { memo, mtu: false });
  const t3 = performance.now();
  return { verify_s: (t1 - t0) / 1000, ok: rep.ok, violations: rep.violations.length, reverify_after_pod_restart_ms: t3 - t2 };
}

/**
 * Pod churn through the cluster layer (src/cluster: kubelet, the design's agent,
 * the emulated CNI runtime): a cluster of `nodes` x `podsPerNode` is verified,
 * then one pod is deleted and a new one (a new name and address) is added on
 * the same node, and the cluster is verified again with the first run's probe
 * memo. The node's namespace changed (a veth gone, a new one, bridge FDB and
 * neighbours), so every probe through that node runs again.
 */
export function measureChurnReverify(nodes: number, podsPerNode: number, design: Design): { verify_ms: number; reverify_ms: number; probes: number; reprobed: number; ok: boolean } {
  let c = buildCluster({ nodes: Array.from({ length: nodes }, (_, i) => `node${i}`), design: design === 'host-gw' ? flannelHostGw() : flannelVxlan() });
  for (let i = 0; i < nodes; i++) for (let k = 0; k < podsPerNode; k++) c = addPod(c, { name: `p${i}-${k}`, node: `node${i}` });
  c = reconcile(c);
  const memo = new ProbeMemo();
  const t0 = performance.now();
  const first = verify(clusterTarget(c), { memo, mtu: false });
  const t1 = performance.now();
  c = reconcile(addPod(deletePod(c, 'p0-0'), { name: 'p0-new', node: 'node0' }));
  const t2 = performance.now();
  const again = verify(clusterTarget(c), { memo, mtu: false });
  const t3 = performance.now();
  return { verify_ms: t1 - t0, reverify_ms: t3 - t2, probes: first.stats.probes, reprobed: again.stats.probes, ok: first.ok && again.ok };
}

/**
 * Fuzz: random designs of up to 8 nodes x 8 pods, each built and checked
 * pod to pod for every ordered pair (one trace each). Returns cases/s and
 * how many cases had a pair not delivered (should be 0).
 */
export function measureFuzz(seconds: number, seed = 11): { fuzz_cases_per_s: number; cases: number; failing: number; pairs: number } {
  const r = rng(seed);
  const t0 = performance.now();
  let cases = 0;
  let failing = 0;
  let pairs = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const nodes = 2 + Math.floor(r() * 7);
    const ppn = 1 + Math.floor(r() * 8);
    const design: Design = r() < 0.5 ? 'host-gw' : 'vxlan';
    const c = buildSynthetic({ nodes, podsPerNode: ppn, design, seed: cases + 1 });
    let bad = false;
    for (const a of c.pods) {
      for (const b of c.pods) {
        if (a === b) continue;
        pairs++;
        const res = walk(c.world, { kind: 'output', ns: a.name, pkt: echoRequest({ src: 0 as Ip4, dst: b.ip, id: 1, seq: 1, payload: 56, ttl: 64 }) }, { discard: true });
        if (res.trace.disposition !== 'delivered') bad = true;
      }
    }
    if (bad) failing++;
    cases++;
  }
  const s = (performance.now() - t0) / 1000;
  return { fuzz_cases_per_s: cases / s, cases, failing, pairs };
}

/** Building through src/cluster (the emulated CNI runtime, line by line): ms per pod at a small size. */
export function measureClusterLayer(nodes: number, podsPerNode: number, design: Design): { build_s: number; ms_per_pod: number; pods: number } {
  const t0 = performance.now();
  let c = buildCluster({ nodes: Array.from({ length: nodes }, (_, i) => `node${i}`), design: design === 'host-gw' ? flannelHostGw() : flannelVxlan() });
  const t1 = performance.now();
  for (let i = 0; i < nodes; i++) for (let k = 0; k < podsPerNode; k++) c = addPod(c, { name: `p${i}-${k}`, node: `node${i}` });
  const t2 = performance.now();
  return { build_s: (t2 - t0) / 1000, ms_per_pod: (t2 - t1) / (nodes * podsPerNode), pods: nodes * podsPerNode };
}

/**
 * Pod changes on the fabric verifier's compiled host-gw view: `rounds` times
 * a pod deleted, then a new one added on its node, each verified
 * incrementally. Returns the time of each change (ms), sorted.
 */
export function fabricChanges(fabric: CompactHostGw, inc: FabricVerifier, rounds: number): number[] {
  const times: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const p = (k * 7919) % fabric.podCount;
    let t0 = performance.now();
    if (fabric.podAlive(p)) fabric.deletePod(p);
    inc.podChanged(p);
    times.push(performance.now() - t0);
    t0 = performance.now();
    inc.podChanged(fabric.addPod(fabric.podNode(p)));
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}
