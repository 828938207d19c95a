/**
 * The project's own property tests, written with the arbitraries it exports
 * (`podnet/testing`, src/testing). Seeds are printed; replay one with
 * FC_SEED=<seed>. Cheap properties run FC_RUNS times (default 1,000); the
 * ones that build clusters run FC_RUNS_SLOW times (default 8; CI: 1,000).
 *
 *  1. every design keeps the contract on every underlay it supports, under
 *     churn (pods, sandboxes, nodes rebooting, leaving, joining) - except the
 *     documented host-local leak of src/cluster's reboot (no DEL for the lost
 *     sandboxes: docs/designs.md);
 *  2. equivalence classes are sound: every member of a pod class behaves
 *     like its representative towards a destination;
 *  3. the churn arbitrary shrinks towards shorter sequences and any sequence
 *     applies (no action is ever invalid).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyClusterChurn, churnArb, clusterArb, clusterSpecArb, minimizeChurn, type ChurnAction } from '../../src/testing/index.js';
import { addPod, buildCluster, reconcile, staticRoutes } from '../../src/cluster/index.js';
import { clusterTarget, verifyCluster } from '../../src/verify/cluster.js';
import { podClasses } from '../../src/verify/classes.js';
import { runFlow } from '../../src/verify/flow.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261125);
const RUNS = Number(process.env['FC_RUNS'] ?? 1000);
const SLOW = Number(process.env['FC_RUNS_SLOW'] ?? 8);

const params = (name: string, runs: number): fc.Parameters<unknown> => {
  console.log(`[testing] ${name}: seed ${SEED}, ${runs} runs`);
  return { numRuns: runs, seed: SEED };
};

describe('designs keep the contract (podnet/testing arbitraries)', () => {
  it('under churn, on every underlay each design supports', () => {
    fc.assert(
      fc.property(clusterSpecArb({ maxNodes: 3 }), churnArb({ maxLength: 4 }), (spec, churn) => {
        let c = buildCluster(spec);
        c = reconcile(addPod(c, { name: 'p1', node: c.nodeOrder[0]! }));
        const story = [`${spec.designName} on ${spec.underlay!.kind}, ${spec.nodes.length} node(s)`];
        let rebooted = false;
        const check = (): void => {
          const r = verifyCluster(c);
          // src/cluster's reboot keeps host-local's files and runs no DEL for the lost sandboxes (documented).
          const left = r.violations.filter((v) => !(rebooted && v.kind === 'ipam-leak'));
          expect(left.map((v) => `${v.kind}: ${v.message}`), story.join(' / ')).toEqual([]);
        };
        check();
        for (const a of churn) {
          const r = applyClusterChurn(c, a);
          c = r.cluster;
          if (r.did) story.push(r.did);
          if (a.op === 'reboot' && r.did) rebooted = true;
          check();
        }
      }),
      params('designs under churn', SLOW),
    );
  });
});

describe('equivalence classes', () => {
  it('every member of a class behaves like its representative towards a destination', () => {
    fc.assert(
      fc.property(clusterArb({ maxNodes: 2, maxPods: 5 }), (c) => {
        const t = clusterTarget(c);
        const classes = podClasses(t);
        const dst = t.pods.find((p) => p.ip !== undefined);
        if (!dst) return;
        for (const k of classes) {
          const verdicts = k.members
            .filter((m) => m !== dst)
            .map((m) => {
              const r = runFlow(t.world, { from: m.ns, to: dst.ip! });
              return `${r.disposition ?? r.localError} ${r.endedIn === dst.ns} nat=${r.nat.length} replied=${r.replied}`;
            });
          expect(new Set(verdicts).size, `${c.spec.design.name}: class of ${k.members.map((m) => m.ref).join(', ')}`).toBeLessThanOrEqual(1);
        }
      }),
      params('classes are sound', Math.max(2, Math.round(SLOW / 2))),
    );
  });
});

describe('the churn arbitrary', () => {
  it('any sequence applies to any cluster without an error (actions pick their targets modulo what exists)', () => {
    // One small cluster, many sequences: applying is cheap next to building.
    const base = reconcile(addPod(buildCluster({ nodes: ['node1', 'node2'], design: staticRoutes() }), { name: 'p1', node: 'node1' }));
    fc.assert(
      fc.property(churnArb({ maxLength: 3, weights: { reboot: 0, join: 0 } }), (churn: ChurnAction[]) => {
        let c = base;
        for (const a of churn) c = applyClusterChurn(c, a).cluster;
        expect(c.nodeOrder.length).toBeGreaterThanOrEqual(1);
        for (const p of c.podOrder) expect(c.pods[p]!.ip, p).toBeDefined();
      }),
      params('churn applies', Math.max(50, Math.round(RUNS / 10))),
    );
  });

  it('shrinks a failing sequence, and minimizeChurn makes it 1-minimal', () => {
    const fails = (churn: readonly ChurnAction[]): boolean => churn.some((a) => a.op === 'delete');
    const r = fc.check(fc.property(churnArb({ maxLength: 8 }), (churn) => !fails(churn)), { seed: SEED, numRuns: RUNS });
    expect(r.failed).toBe(true);
    const shrunk = r.counterexample![0]!;
    expect(shrunk.length).toBeLessThanOrEqual(2);
    const min = minimizeChurn(shrunk, fails);
    expect(min.actions).toEqual([{ op: 'delete', a: 0, b: 0 }]);
  });
});
