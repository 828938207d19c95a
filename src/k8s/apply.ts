/**
 * Kubernetes on a src/cluster Cluster: apply kubectl YAML, and kube-proxy
 * plus a NetworkPolicy agent program every node through the cluster's
 * reconcile loop, journalled like every other agent.
 *
 *   let c = buildCluster({ nodes: ['node1', 'node2'], design: kubernetes(staticRoutes()) });
 *   c = applyK8s(c, readFileSync('app.yaml', 'utf8'));   // pods start, agents sync
 *   ping(c, 'x-a', 'x-b');
 *
 * `kubernetes(design)` wraps a pod-network design: the same nodes and pods,
 * plus the agents `kube-proxy@<node>` and `kube-router@<node>` in its plans.
 * applyK8s wraps the cluster's design itself if needed.
 *
 * kubectl apply: objects replace those with the same kind and key; a new Pod
 * starts on its node (kubelet: sandbox + CNI ADD; spec.nodeName, else the
 * node with the fewest Kubernetes pods, first in join order on a tie), a Pod
 * that moved to another node is refused (spec.nodeName is immutable).
 * Unless `{ reconcile: false }`, every agent then syncs once.
 */
import { addPod, deletePod, reconcile, type ReconcileOptions } from '../cluster/cluster.js';
import { ClusterError } from '../cluster/exec.js';
import type { AgentPlan, Cluster, Design } from '../cluster/types.js';
import { kubeProxyPlans } from '../kube-proxy/agent.js';
import { policyAgentPlans } from '../policy/agent.js';
import { k8sState, sandboxName, withK8sState, type KubeProxyFlags } from './on-cluster.js';
import { parseK8s } from './parse.js';
import { applyObjects, deleteObject, K8sError } from './store.js';
import type { K8sObject } from './types.js';
import { keyOf } from './types.js';

export interface KubernetesOptions {
  /** kube-proxy flags, or false for a cluster without kube-proxy. */
  readonly kubeProxy?: KubeProxyFlags | false;
  /** Run the NetworkPolicy agent (default true). */
  readonly policyAgent?: boolean;
  /** kube-apiserver --service-cluster-ip-range (default 10.96.0.0/12). */
  readonly serviceCidr?: string;
}

interface K8sDesign extends Design {
  readonly k8sInner: Design;
  readonly k8sOptions: KubernetesOptions;
}

function isK8sDesign(d: Design): d is K8sDesign {
  return (d as Partial<K8sDesign>).k8sInner !== undefined;
}

/** A design plus kube-proxy and the NetworkPolicy agent on every node. */
export function kubernetes(inner: Design, o: KubernetesOptions = {}): Design {
  if (isK8sDesign(inner)) return inner;
  const d: K8sDesign = {
    name: inner.name,
    usesPodCidr: inner.usesPodCidr,
    podMtu: (c, node) => inner.podMtu(c, node),
    installNode: (c, node) => inner.installNode(c, node),
    plans: (c): readonly AgentPlan[] => [...inner.plans(c), ...kubeProxyPlans(c), ...policyAgentPlans(c)],
    addPod: (c, pod) => inner.addPod(c, pod),
    deletePod: (c, pod) => inner.deletePod(c, pod),
    ...(inner.nodeRemoved ? { nodeRemoved: (c: Cluster, node: string) => inner.nodeRemoved!(c, node) } : {}),
    k8sInner: inner,
    k8sOptions: o,
  };
  return d;
}

/** The cluster with its design wrapped by kubernetes() and the agents' settings recorded. */
export function withKubernetes(c: Cluster, o: KubernetesOptions = {}): Cluster {
  const design = c.spec.design;
  const opts = isK8sDesign(design) ? { ...design.k8sOptions, ...o } : o;
  let cur: Cluster = isK8sDesign(design) ? c : { ...c, spec: { ...c.spec, design: kubernetes(design, opts) } };
  const s = k8sState(cur);
  let api = s.api;
  if (opts.serviceCidr && opts.serviceCidr !== api.serviceCidr) {
    if (Object.keys(api.services).length > 0) throw new K8sError('the service CIDR cannot change once services exist');
    api = { ...api, serviceCidr: opts.serviceCidr };
  }
  cur = withK8sState(cur, {
    ...s,
    api,
    ...(opts.kubeProxy !== undefined ? { kubeProxy: opts.kubeProxy } : {}),
    ...(opts.policyAgent !== undefined ? { policyAgent: opts.policyAgent } : {}),
  });
  return cur;
}

export interface ApplyOptions {
  /** Let the agents sync after the change (default true); or only some of them. */
  readonly reconcile?: boolean | ReconcileOptions;
  /** Name of the input in error messages. */
  readonly source?: string;
}

/** The node a new pod goes to: spec.nodeName, else the node with the fewest Kubernetes pods. */
function schedule(c: Cluster, nodeName: string | undefined, key: string): string {
  if (nodeName !== undefined) {
    if (!c.nodes[nodeName]) throw new ClusterError(`Pod ${key}: spec.nodeName ${nodeName} is not a node of the cluster (${c.nodeOrder.join(', ')})`);
    return nodeName;
  }
  if (c.nodeOrder.length === 0) throw new ClusterError(`Pod ${key}: the cluster has no node`);
  const s = k8sState(c);
  const count = (n: string): number => Object.values(s.sandbox).filter((sb) => c.pods[sb]?.node === n).length;
  return [...c.nodeOrder].sort((a, b) => count(a) - count(b) || c.nodeOrder.indexOf(a) - c.nodeOrder.indexOf(b))[0]!;
}

/** kubectl apply of objects or YAML text; throws K8sError with every problem of the input. */
export function applyK8s(c0: Cluster, input: string | readonly K8sObject[], o: ApplyOptions = {}): Cluster {
  let objects: readonly K8sObject[];
  if (typeof input === 'string') {
    const r = parseK8s(input, o.source);
    if (r.errors.length > 0) throw new K8sError(r.errors.join('\n'));
    objects = r.objects;
  } else objects = input;
  let c = withKubernetes(c0);
  const before = k8sState(c);
  const api = applyObjects(before.api, objects);
  c = withK8sState(c, { ...before, api });
  for (const key of Object.keys(api.pods)) {
    const pod = api.pods[key]!;
    const s = k8sState(c);
    const sb = s.sandbox[key];
    if (sb) {
      const running = c.pods[sb];
      if (running && pod.nodeName !== undefined && pod.nodeName !== running.node) {
        throw new K8sError(`Pod ${key}: spec.nodeName is immutable (it runs on ${running.node})`);
      }
      continue;
    }
    const node = schedule(c, pod.nodeName, key);
    const name = sandboxName(pod.metadata.namespace, pod.metadata.name);
    c = withK8sState(c, { ...s, sandbox: { ...s.sandbox, [key]: name } });
    c = addPod(c, { name, node });
  }
  return finish(c, o);
}

function finish(c: Cluster, o: ApplyOptions): Cluster {
  if (o.reconcile === false) return c;
  return reconcile(c, typeof o.reconcile === 'object' ? o.reconcile : {});
}

/** kubectl delete: a Pod's sandbox goes (CNI DEL); agents sync unless told otherwise. */
export function deleteK8s(c0: Cluster, kind: K8sObject['kind'], key: string, o: ApplyOptions = {}): Cluster {
  let c = withKubernetes(c0);
  const s = k8sState(c);
  const api = deleteObject(s.api, kind, key);
  let sandbox = s.sandbox;
  if (kind === 'Pod' && s.sandbox[key]) {
    const sb = s.sandbox[key]!;
    const { [key]: _gone, ...rest } = s.sandbox;
    sandbox = rest;
    if (c.pods[sb]) c = deletePod(c, sb);
  }
  c = withK8sState(c, { ...s, api, sandbox });
  return finish(c, o);
}

/** The cluster pod (sandbox namespace) of a Pod key or of a sandbox name. */
export function sandboxOf(c: Cluster, podKeyOrName: string): string | undefined {
  const s = k8sState(c);
  if (s.sandbox[podKeyOrName]) return s.sandbox[podKeyOrName];
  if (!podKeyOrName.includes('/') && s.sandbox[`default/${podKeyOrName}`]) return s.sandbox[`default/${podKeyOrName}`];
  return c.pods[podKeyOrName] ? podKeyOrName : undefined;
}

export { keyOf };
