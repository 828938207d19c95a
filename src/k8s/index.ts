/**
 * Kubernetes objects for podnet (issue #9): kubectl YAML in, the API
 * server's state, EndpointSlices, and applying them to a src/cluster Cluster
 * where kube-proxy (src/kube-proxy) and a NetworkPolicy agent (src/policy)
 * program the nodes. See docs/services-policies.md.
 */
export type * from './types.js';
export { keyOf } from './types.js';
export { parseK8s, type ParseResult } from './parse.js';
export { matches, isEmptySelector, selectorText, EVERYTHING } from './selectors.js';
export { emptyK8s, applyObjects, deleteObject, sorted, K8sError, DEFAULT_SERVICE_CIDR, type K8sState } from './store.js';
export { serviceSlices, allSlices, endpointsOf, resolveTargetPort, selectedPods, type PodStatus, type PodStatusOf, type ServiceEndpoint } from './endpointslices.js';
export { k8sState, sandboxName, podStatusOf, podKeyOfSandbox, type K8sClusterState, type KubeProxyFlags } from './on-cluster.js';
export { kubernetes, withKubernetes, applyK8s, deleteK8s, sandboxOf, type KubernetesOptions, type ApplyOptions } from './apply.js';
