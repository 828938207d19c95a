/**
 * Verification at scale: the fabric verifier on a 5,000-node / 150,000-pod
 * host-gw cluster (within the benchmark targets: verify <= 5 s, re-verify
 * after one pod change <= 1 ms), its faults found with a witness, and - the
 * property that makes the shortcut trustworthy - on small clusters it finds
 * exactly what the datapath verifier finds on the same cluster built in the
 * twin (every namespace, route, rule and packet).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/index.js';
import { CompactHostGw, hostGwScenario, type HostGwSpec } from '../../src/verify/fabric-hostgw.js';
import { FabricVerifier, verifyFabric } from '../../src/verify/fabric.js';
import { scenarioStates } from '../../src/verify/scenario.js';
import { verify } from '../../src/verify/verify.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261125);

describe('fabric verifier at scale', () => {
  const big = new CompactHostGw({ nodes: 5000, podsPerNode: 30 });

  it('verifies a 5,000-node / 150,000-pod host-gw cluster by classes, within 5 s', () => {
    const t0 = performance.now();
    const r = verifyFabric(big);
    const ms = performance.now() - t0;
    console.log(`[fabric] 5,000 nodes / 150,000 pods: ${ms.toFixed(0)} ms, ${r.stats.walks} walks, ${r.stats.templates} template`);
    expect(r.violations).toEqual([]);
    expect(r.stats.pods).toBe(150_000);
    expect(r.stats.templates).toBe(1);
    // Classes, not pairs: about two walks per destination node (pod and node source) plus each node's own.
    expect(r.stats.walks).toBeLessThan(5 * 5000);
    expect(ms).toBeLessThan(5000);
  });

  it('re-verifies after one pod change in well under 1 ms (median), and sees a leak the moment it happens', () => {
    const f = new CompactHostGw({ nodes: 5000, podsPerNode: 30 });
    const inc = new FabricVerifier(f);
    const times: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const p = (k * 7919) % f.podCount;
      const t0 = performance.now();
      if (f.podAlive(p)) f.deletePod(p);
      inc.podChanged(p);
      const q = f.addPod(f.podNode(p));
      inc.podChanged(q);
      times.push((performance.now() - t0) / 2);
    }
    times.sort((a, b) => a - b);
    console.log(`[fabric] re-verify after one pod change: median ${(times[1000]! * 1000).toFixed(1)} us, p99 ${(times[1980]! * 1000).toFixed(1)} us`);
    expect(times[1000]!).toBeLessThan(1);
    expect(inc.report.violations).toEqual([]);
    const p = 17 * 30 + 3;
    f.deletePod(p, { leak: true });
    const after = inc.podChanged(p);
    expect(after.map((v) => v.message)).toEqual([`10.0.18.5 is reserved on node17, but no live pod there has it`]);
    // A new pod at the same address on another node: a duplicate.
    const q = f.addPod(18, { ip: f.podIp(18 * 30) });
    expect(inc.podChanged(q).some((v) => v.kind === 'duplicate-pod-ip')).toBe(true);
  });

  it('finds each planted fault once, with the class it stands for and a witness walk', () => {
    const f = new CompactHostGw({ nodes: 5000, podsPerNode: 30, faults: { missingRoutes: [[17, 4242]], ipMasqNodes: [99], duplicatePodCidrs: [[3000, 2999]] } });
    const r = verifyFabric(f);
    const by = (k: string) => r.violations.filter((v) => v.kind === k);
    const missing = by('pod-to-pod-unreachable');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.from).toBe('pod 10.0.18.2 on node17');
    expect(missing[0]!.to).toBe('pod 10.16.147.2 on node4242');
    expect(missing[0]!.decidedBy).toEqual({ where: 'node17', entry: 'no route to 10.16.147.2' });
    expect(missing[0]!.walk).toEqual([{ node: 'node17', decision: 'no route to 10.16.147.2' }]);
    const nat = by('pod-to-pod-nat');
    expect(nat).toHaveLength(1);
    expect(nat[0]!.scope).toMatch(/^30 pods like 10\.0\.100\.2 on node99 \(rules of their own\) -> pods on 4,997 nodes \(witness: node0\)$/);
    // Nothing is reported about where packets for the doubled subnet land: the overlap is the finding.
    expect(by('pod-to-pod-misdelivered')).toEqual([]);
    expect(nat[0]!.decidedBy).toEqual({ where: 'node99', entry: '-A CNI-10.0.100.2 ! -d 224.0.0.0/4 -j MASQUERADE' });
    expect(by('overlapping-pod-cidrs').map((v) => v.message)).toEqual(["node2999's podCIDR 10.11.184.0/24 overlaps node3000's 10.11.184.0/24"]);
    expect(by('duplicate-pod-ip')).toHaveLength(30);
  });
});

/** Failing directed node pairs, by what the datapath verifier reports. */
function datapathPairs(spec: HostGwSpec): { walks: Set<string>; nat: Set<string>; nodeWalks: Set<string>; statics: Set<string> } {
  const text = hostGwScenario(spec);
  const r = loadScenario(text, { file: 'fabric.yaml' });
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  let rep: ReturnType<typeof verify> | undefined;
  scenarioStates(r.scenario, (st) => {
    rep = verify(st.target, { mtu: false });
  });
  const node = (ref: string): string => (ref.startsWith('node/') ? ref.slice(5) : ref.replace(/^pod\/p(\d+)-\d+$/, 'node$1'));
  const walks = new Set<string>();
  const nat = new Set<string>();
  const nodeWalks = new Set<string>();
  const statics = new Set<string>();
  for (const v of rep!.violations) {
    const a = node(v.witness.from ?? '');
    const b = node(v.witness.to ?? '');
    if (v.kind === 'pod-to-pod-unreachable' || v.kind === 'pod-to-pod-misdelivered') walks.add(`${a}>${b}`);
    else if (v.kind === 'pod-to-pod-reply-lost') walks.add(`${b}>${a}`);
    else if (v.kind === 'pod-to-pod-nat') nat.add(`${a}>${b}`);
    else if (v.kind === 'node-to-pod-unreachable' || v.kind === 'node-to-pod-misdelivered') nodeWalks.add(`${a}>${b}`);
    else if (v.kind === 'duplicate-pod-ip' || v.kind === 'overlapping-pod-cidrs' || v.kind === 'ipam-leak') statics.add(v.kind);
  }
  return { walks, nat, nodeWalks, statics };
}

function fabricPairs(spec: HostGwSpec): ReturnType<typeof datapathPairs> {
  const f = new CompactHostGw(spec);
  const r = verifyFabric(f, { aggregate: false });
  const walks = new Set<string>();
  const nat = new Set<string>();
  const nodeWalks = new Set<string>();
  const statics = new Set<string>();
  for (const v of r.violations) {
    const pairs = (set: Set<string>): void => {
      for (const s of v.pairs!.src) for (const d of v.pairs!.dst) if (s !== d || v.scope?.includes('pods on node')) set.add(`node${s}>node${d}`);
    };
    if (v.kind === 'pod-to-pod-unreachable' || v.kind === 'pod-to-pod-misdelivered') pairs(walks);
    else if (v.kind === 'pod-to-pod-nat') pairs(nat);
    else if (v.kind === 'node-to-pod-unreachable' || v.kind === 'node-to-pod-misdelivered') pairs(nodeWalks);
    else if (v.kind === 'duplicate-pod-ip' || v.kind === 'overlapping-pod-cidrs' || v.kind === 'ipam-leak') statics.add(v.kind);
  }
  return { walks, nat, nodeWalks, statics };
}

describe('fabric verifier = datapath verifier (property)', () => {
  const specArb = fc
    .record({ nodes: fc.integer({ min: 2, max: 3 }), podsPerNode: fc.integer({ min: 1, max: 2 }) })
    .chain(({ nodes, podsPerNode }) =>
      fc.record({
        nodes: fc.constant(nodes),
        podsPerNode: fc.constant(podsPerNode),
        faults: fc.record({
          missingRoutes: fc.uniqueArray(fc.tuple(fc.nat(nodes - 1), fc.nat(nodes - 1)).filter(([a, b]) => a !== b), { maxLength: 2, selector: ([a, b]) => `${a}>${b}` }),
          ipMasqNodes: fc.uniqueArray(fc.nat(nodes - 1), { maxLength: 1 }),
        }),
      }),
    );

  it('on random small host-gw clusters with missing routes and ipMasq nodes, both find the same failing flows', () => {
    const runs = Number(process.env['FC_RUNS'] ?? 1000);
    console.log(`[fabric] fabric = datapath: seed ${SEED}, ${runs} runs`);
    // The space is small (about 200 specs once the faults' order is ignored) and the
    // datapath side builds the cluster in the twin (~0.2 s): each distinct spec is
    // built and verified once; the fabric side runs every time.
    const datapath = new Map<string, ReturnType<typeof datapathPairs>>();
    let distinct = 0;
    fc.assert(
      fc.property(specArb, (spec) => {
        const a = fabricPairs(spec);
        const key = JSON.stringify([spec.nodes, spec.podsPerNode, [...(spec.faults?.missingRoutes ?? [])].map(([x, y]) => `${x}>${y}`).sort(), [...(spec.faults?.ipMasqNodes ?? [])].sort()]);
        let b = datapath.get(key);
        if (!b) {
          datapath.set(key, (b = datapathPairs(spec)));
          distinct++;
        }
        expect([...a.walks].sort()).toEqual([...b.walks].sort());
        expect([...a.nat].sort()).toEqual([...b.nat].sort());
        expect([...a.nodeWalks].sort()).toEqual([...b.nodeWalks].sort());
        expect([...a.statics].sort()).toEqual([...b.statics].sort());
      }),
      { numRuns: runs, seed: SEED },
    );
    console.log(`[fabric] fabric = datapath: ${distinct} distinct specs built in the twin`);
  }, 300_000);

  it('a known case: node0 misses node2 and node1 masquerades, on three nodes', () => {
    const spec: HostGwSpec = { nodes: 3, podsPerNode: 1, faults: { missingRoutes: [[0, 2]], ipMasqNodes: [1] } };
    const a = fabricPairs(spec);
    const b = datapathPairs(spec);
    expect([...a.walks].sort()).toEqual(['node0>node2']);
    expect([...b.walks].sort()).toEqual(['node0>node2']);
    expect([...a.nat].sort()).toEqual(['node1>node0', 'node1>node2']);
    expect([...b.nat].sort()).toEqual(['node1>node0', 'node1>node2']);
  });
});

describe('the compact view\'s pod addresses (host-local over the node\'s /24)', () => {
  it('wrap around after .254 to the free addresses, and an exhausted range is refused', () => {
    const f = new CompactHostGw({ nodes: 2, podsPerNode: 3 });
    const inc = new FabricVerifier(f);
    // 500 times: delete the newest pod of node 0, add one: addresses go on past .254 and wrap to .5...
    let last = f.addPod(0);
    inc.podChanged(last);
    for (let k = 0; k < 500; k++) {
      f.deletePod(last);
      inc.podChanged(last);
      last = f.addPod(0);
      inc.podChanged(last);
      expect((f.podIp(last) & 255) >= 2 && (f.podIp(last) & 255) <= 254).toBe(true);
    }
    expect(inc.report.violations).toEqual([]);
    // Fill the range: 3 + 1 pods there, 249 more fit, the next one does not.
    for (let k = 0; k < 249; k++) f.addPod(0);
    expect(() => f.addPod(0)).toThrow('node 0: every address of its podCIDR 10.0.1.0/24 is taken');
  });
});
