import fc from 'fast-check';
import { clusterSpecArb, churnArb, applyClusterChurn } from '/work/main/src/testing/index.js';
import { verifyCluster } from '/work/main/src/verify/cluster.js';
import { buildCluster, addPod, reconcile } from '/work/main/src/cluster/index.js';
const seed = Number(process.argv[2] ?? 1);
const r = fc.check(fc.property(clusterSpecArb({ maxNodes: 3 }), churnArb({ maxLength: 4 }), (spec, churn) => {
  const t0 = performance.now();
  let c = buildCluster(spec);
  c = reconcile(addPod(c, { name: 'p1', node: c.nodeOrder[0]! }));
  const log: string[] = [`${spec.designName} on ${spec.underlay!.kind} x${spec.nodes.length}`];
  let rep = verifyCluster(c);
  if (!rep.ok) { console.log(log.join(' / '), 'BUILD', rep.violations.map(v => `${v.kind}: ${v.message}`)); return false; }
  for (const a of churn) {
    const r = applyClusterChurn(c, a);
    c = r.cluster;
    if (r.did) log.push(r.did);
    rep = verifyCluster(c);
    if (!rep.ok) { console.log(log.join(' / '), rep.violations.map(v => `${v.kind}: ${v.message}`)); return false; }
  }
  console.log('ok', log.join(' / '), Math.round(performance.now() - t0), 'ms');
  return true;
}), { numRuns: 40, seed, endOnFailure: true });
console.log(r.failed ? `FAILED seed ${seed}: ${JSON.stringify(r.counterexample)}` : 'all ok');
