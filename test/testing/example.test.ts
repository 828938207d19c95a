/**
 * The example property test of docs/verify.md, as it is printed there: a
 * user's own design (here flannel VXLAN on three nodes) keeps the Kubernetes
 * network contract under random pod churn. Kept in the suite so the
 * documentation cannot rot.
 */
// --- docs/verify.md example begins
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { buildCluster, flannelVxlan } from '../../src/cluster/index.js'; // 'podnet/cluster'
import { applyClusterChurn, churnArb, verifyCluster } from '../../src/testing/index.js'; // 'podnet/testing'

const seed = Number(process.env.FC_SEED ?? 42);
const numRuns = Number(process.env.FC_RUNS ?? 5);

it('flannel VXLAN keeps the contract under pod churn', () => {
  console.log(`seed ${seed} (replay: FC_SEED=${seed})`);
  const start = buildCluster({ nodes: ['node1', 'node2', 'node3'], design: flannelVxlan() });
  fc.assert(
    fc.property(churnArb({ maxLength: 5, weights: { reboot: 0, leave: 0, join: 0 } }), (churn) => {
      let c = start;
      for (const action of churn) {
        const step = applyClusterChurn(c, action);
        c = step.cluster;
        const report = verifyCluster(c);
        expect(report.violations.map((v) => `${step.did}: ${v.kind}: ${v.message}`)).toEqual([]);
      }
    }),
    { seed, numRuns },
  );
});
// --- docs/verify.md example ends
