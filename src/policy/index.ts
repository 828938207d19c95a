/**
 * NetworkPolicy for podnet clusters: the semantics (the oracle), a
 * kube-router-style agent compiling policies into per-pod iptables chains,
 * and the pod x pod x port matrix comparing the two. See
 * docs/services-policies.md.
 */
export { policyAllows, type PolicyEndpoint, type PolicyVerdict, type SideVerdict } from './semantics.js';
export { compilePolicyAgent, podChain, policyChain, selectsPod, peerPods, type PolicyAgentOptions, type PolicyAgentSync, type CompiledPod } from './compile.js';
export { policyAgentPlans, policyAgentSync } from './agent.js';
export { policyMatrix, formatMatrix, matrixJson, twinVerdict, DEFAULT_MATRIX_PORTS, type PolicyMatrix, type MatrixCell, type MatrixPort, type TwinResult } from './matrix.js';
