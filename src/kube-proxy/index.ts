/**
 * kube-proxy's iptables mode for podnet clusters: the rules as kube-proxy
 * writes them (compile), the per-node agent (agent), and Service checks
 * (verify). See docs/services-policies.md.
 */
export { compileKubeProxy, jumpRules, probability, type KubeProxyOptions, type KubeProxySync, type CompiledServicePort, type ServiceInput, type JumpRule } from './compile.js';
export { svcChain, sepChain, extChain, svlChain, fwChain, servicePortName, hash16, base32, isServiceChainName } from './names.js';
export { kubeProxyPlans, kubeProxySync, kubeProxyOptions } from './agent.js';
export { serviceReachability, traceService, dnatTarget, type BackendCheck } from './verify.js';
