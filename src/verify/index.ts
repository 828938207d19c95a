/**
 * Verification (issue #6): the Kubernetes network contract on the twin's
 * datapath - `verify`, `diff`, `fuzz` - and the scale engine (fabric.ts).
 * See docs/verify.md.
 */
export * from './types.js';
export { verify } from './verify.js';
export { podClasses, podSignature, type PodClass } from './classes.js';
export { flow, runFlow, headerAtEnd, type FlowResult, type FlowSpec } from './flow.js';
export { scenarioTarget, scenarioStates, type ScenarioState, type ScenarioTargetOptions } from './scenario.js';
export { clusterTarget, verifyCluster } from './cluster.js';
export { diffScenarios, diffTargets, formatDiff, diffJson, type DiffResult, type FlowChange } from './diff.js';
export { fuzzScenario, planChurn, runPlan, planYaml, witnessStep, reproducer, DEFAULT_FUZZ_RUNS, type FuzzOptions, type FuzzResult, type FuzzFailure } from './fuzz.js';
export { formatReport, formatViolation, compactTrace, summary, reportJson } from './format.js';
