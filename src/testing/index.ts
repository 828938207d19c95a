/**
 * `podnet/testing`: fast-check arbitraries for your own property tests of
 * pod networks - clusters and designs (src/cluster), churn (pods, containers,
 * sandboxes, nodes), scenario churn (src/verify/fuzz's interpreter) - and the
 * verifier to state the property with. See docs/verify.md for a complete
 * vitest example.
 *
 *   import fc from 'fast-check';
 *   import { clusterSpecArb, churnArb, applyClusterChurn, verifyCluster } from 'podnet/testing';
 *   import { buildCluster } from 'podnet/cluster';
 *
 *   fc.assert(fc.property(clusterSpecArb(), churnArb(), (spec, churn) => {
 *     let c = buildCluster(spec);
 *     for (const a of churn) {
 *       c = applyClusterChurn(c, a).cluster;
 *       if (!verifyCluster(c).ok) return false;
 *     }
 *     return true;
 *   }), { numRuns: 1000, seed: 42 });
 */
export { CHURN_OPS, DEFAULT_CHURN_WEIGHTS, churnActionArb, churnArb, describeAction, minimizeChurn, type ChurnAction, type ChurnOp } from './churn.js';
export { DESIGNS, designArb, clusterSpecArb, clusterArb, applyClusterChurn, buildSpecCluster, type DesignChoice } from './cluster.js';
export { planChurn, runPlan, planYaml, witnessStep, fuzzScenario, DEFAULT_FUZZ_RUNS, type FuzzOptions, type FuzzResult } from '../verify/fuzz.js';
export { verify } from '../verify/verify.js';
export { verifyCluster, clusterTarget } from '../verify/cluster.js';
export { scenarioTarget, scenarioStates } from '../verify/scenario.js';
export { VIOLATION_KINDS, ProbeMemo, type VerifyReport, type Violation, type ViolationKind, type VerifyTarget, type VerifyOptions } from '../verify/types.js';
