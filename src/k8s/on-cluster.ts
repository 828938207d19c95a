/**
 * The Kubernetes objects of a src/cluster Cluster: the API server's state
 * (src/k8s/store.ts) kept in the cluster's design state under `k8s`, with
 * which cluster pod (sandbox namespace) each Pod object is, and which
 * agents run (kube-proxy, the NetworkPolicy agent).
 *
 * A Pod `ns/name` runs in the sandbox namespace `name` when ns is `default`,
 * else `ns-name` (cyclonus-style x/a, y/a, z/a become x-a, y-a, z-a).
 */
import { designState, withDesignState } from '../cluster/cluster.js';
import type { Cluster } from '../cluster/types.js';
import type { PodStatus, PodStatusOf } from './endpointslices.js';
import { emptyK8s, type K8sState } from './store.js';

export const K8S_STATE_KEY = 'k8s';

/** kube-proxy's flags that the twin models (see src/kube-proxy/compile.ts). */
export interface KubeProxyFlags {
  readonly masqueradeAll?: boolean;
  readonly localhostNodePorts?: boolean;
}

export interface K8sClusterState {
  readonly api: K8sState;
  /** Pod key (`ns/name`) -> the cluster pod (sandbox namespace) running it. */
  readonly sandbox: Readonly<Record<string, string>>;
  /** kube-proxy runs on every node (false: no Services). */
  readonly kubeProxy: KubeProxyFlags | false;
  /** The NetworkPolicy agent runs on every node (false: policies are not enforced). */
  readonly policyAgent: boolean;
}

export function k8sState(c: Cluster): K8sClusterState {
  return designState<K8sClusterState>(c, K8S_STATE_KEY, { api: emptyK8s(), sandbox: {}, kubeProxy: {}, policyAgent: true });
}

export function withK8sState(c: Cluster, s: K8sClusterState): Cluster {
  return withDesignState(c, K8S_STATE_KEY, s);
}

/** The sandbox name for a pod (see the file header). */
export function sandboxName(namespace: string, name: string): string {
  return namespace === 'default' ? name : `${namespace}-${name}`;
}

/** kubelet's pod status as the API server has it: the pod's address and node. */
export function podStatusOf(c: Cluster): PodStatusOf {
  const s = k8sState(c);
  return (key: string): PodStatus | undefined => {
    const sb = s.sandbox[key];
    const p = sb ? c.pods[sb] : undefined;
    if (!p) return undefined;
    return { ...(p.ip ? { ip: p.ip } : {}), node: p.node };
  };
}

/** The Pod key running in a cluster pod, if it is a Kubernetes pod. */
export function podKeyOfSandbox(c: Cluster, sandbox: string): string | undefined {
  const s = k8sState(c);
  return Object.keys(s.sandbox).find((k) => s.sandbox[k] === sandbox);
}
