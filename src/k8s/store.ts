/**
 * The API server's view, as plain immutable data: the objects applied so far
 * (kubectl apply semantics: an object replaces the one with the same kind and
 * key), with what the control plane fills in:
 *
 * - namespaces: `default` and `kube-system` exist; a namespace an object
 *   refers to is created (the API server would refuse the object: noted);
 *   every namespace carries `kubernetes.io/metadata.name`;
 * - Services: a ClusterIP from the service CIDR (the API server picks at
 *   random; the twin takes the lowest free address from .10), a nodePort
 *   (30000-32767: the twin takes the lowest free one);
 * - EndpointSlices: derived from the pods (src/k8s/endpointslices.ts) at the
 *   time they are read; slices given by hand are kept for services without a
 *   selector.
 */
import { formatIp4, parseIp4, type Ip4 } from '../model/addr.js';
import type { K8sEndpointSlice, K8sNamespace, K8sNetworkPolicy, K8sNode, K8sObject, K8sPod, K8sService } from './types.js';
import { keyOf } from './types.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

export interface K8sState {
  readonly namespaces: Readonly<Record<string, K8sNamespace>>;
  readonly nodes: Readonly<Record<string, K8sNode>>;
  /** By `namespace/name`, in the order they were first applied. */
  readonly pods: Readonly<Record<string, K8sPod>>;
  readonly services: Readonly<Record<string, K8sService>>;
  readonly policies: Readonly<Record<string, K8sNetworkPolicy>>;
  /** Slices applied by hand (services without selector). */
  readonly slices: Readonly<Record<string, K8sEndpointSlice>>;
  /** kube-apiserver --service-cluster-ip-range. */
  readonly serviceCidr: string;
  /** What the control plane did that the user did not ask for (implicit namespaces). */
  readonly notes: readonly string[];
}

export function emptyK8s(serviceCidr = DEFAULT_SERVICE_CIDR): K8sState {
  const ns = (name: string): K8sNamespace => ({ kind: 'Namespace', metadata: { name, namespace: '', labels: { 'kubernetes.io/metadata.name': name } } });
  return {
    namespaces: { default: ns('default'), 'kube-system': ns('kube-system') },
    nodes: {},
    pods: {},
    services: {},
    policies: {},
    slices: {},
    serviceCidr,
    notes: [],
  };
}

export class K8sError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'K8sError';
  }
}

function cidrBounds(cidr: string): { lo: number; hi: number } {
  const [ip, len] = cidr.split('/');
  const a = parseIp4(ip!);
  if (a === undefined || len === undefined) throw new K8sError(`bad CIDR ${cidr}`);
  const size = 2 ** (32 - Number(len));
  const lo = Math.floor(a / size) * size;
  return { lo, hi: lo + size - 1 };
}

function allocateClusterIp(s: K8sState, svc: K8sService): string {
  const taken = new Set(Object.values(s.services).filter((o) => keyOf(o) !== keyOf(svc)).map((o) => o.clusterIP));
  const { lo, hi } = cidrBounds(s.serviceCidr);
  // .1 is the `kubernetes` service; the twin hands out from .10 (kube-dns' usual address) upwards.
  for (let a = lo + 10; a < hi; a++) {
    const ip = formatIp4(a as Ip4);
    if (!taken.has(ip)) return ip;
  }
  throw new K8sError(`the service CIDR ${s.serviceCidr} is full`);
}

function withAllocations(s: K8sState, svc: K8sService): K8sService {
  let out = svc;
  const old = s.services[keyOf(svc)];
  if (out.clusterIP === undefined) out = { ...out, clusterIP: old?.clusterIP ?? allocateClusterIp(s, out) };
  else if (out.clusterIP !== 'None') {
    const { lo, hi } = cidrBounds(s.serviceCidr);
    const a = parseIp4(out.clusterIP)!;
    if (a < lo || a > hi) throw new K8sError(`Service ${keyOf(svc)}: spec.clusterIP ${out.clusterIP} is not in the service CIDR ${s.serviceCidr}`);
    const clash = Object.values(s.services).find((o) => keyOf(o) !== keyOf(svc) && o.clusterIP === out.clusterIP);
    if (clash) throw new K8sError(`Service ${keyOf(svc)}: spec.clusterIP ${out.clusterIP} is already allocated to ${keyOf(clash)}`);
  }
  if (out.type === 'NodePort') {
    const taken = new Set(Object.values(s.services).filter((o) => keyOf(o) !== keyOf(svc)).flatMap((o) => o.ports.map((p) => p.nodePort)));
    const ports = out.ports.map((p, i) => {
      if (p.nodePort !== undefined) {
        if (taken.has(p.nodePort)) throw new K8sError(`Service ${keyOf(svc)}: spec.ports[${i}].nodePort ${p.nodePort} is already allocated`);
        taken.add(p.nodePort);
        return p;
      }
      const prev = old?.ports.find((q) => q.name === p.name)?.nodePort;
      let n = prev !== undefined && !taken.has(prev) ? prev : 30000;
      while (taken.has(n)) n++;
      if (n > 32767) throw new K8sError('no free nodePort in 30000-32767');
      taken.add(n);
      return { ...p, nodePort: n };
    });
    out = { ...out, ports };
  }
  return out;
}

function ensureNamespace(s: K8sState, name: string, by: string): K8sState {
  if (s.namespaces[name]) return s;
  const ns: K8sNamespace = { kind: 'Namespace', metadata: { name, namespace: '', labels: { 'kubernetes.io/metadata.name': name } } };
  return { ...s, namespaces: { ...s.namespaces, [name]: ns }, notes: [...s.notes, `namespace ${name} created for ${by} (the API server would refuse it: namespaces "${name}" not found)`] };
}

/** kubectl apply: each object replaces the one with the same kind and key. */
export function applyObjects(s0: K8sState, objects: readonly K8sObject[]): K8sState {
  let s = s0;
  // Namespaces first, so that labels given in the same file win over implicit creation.
  for (const o of objects) if (o.kind === 'Namespace') s = { ...s, namespaces: { ...s.namespaces, [o.metadata.name]: o } };
  for (const o of objects) {
    if (o.kind === 'Namespace') continue;
    if (o.kind === 'Node') {
      s = { ...s, nodes: { ...s.nodes, [o.metadata.name]: o } };
      continue;
    }
    s = ensureNamespace(s, o.metadata.namespace, `${o.kind} ${keyOf(o)}`);
    const key = keyOf(o);
    switch (o.kind) {
      case 'Pod':
        s = { ...s, pods: { ...s.pods, [key]: o } };
        break;
      case 'Service':
        s = { ...s, services: { ...s.services, [key]: withAllocations(s, o) } };
        break;
      case 'NetworkPolicy':
        s = { ...s, policies: { ...s.policies, [key]: o } };
        break;
      case 'EndpointSlice':
        s = { ...s, slices: { ...s.slices, [key]: o } };
        break;
    }
  }
  return s;
}

/** kubectl delete KIND NAME [-n NAMESPACE]. */
export function deleteObject(s: K8sState, kind: K8sObject['kind'], key: string): K8sState {
  const drop = <T>(r: Readonly<Record<string, T>>): Record<string, T> => {
    if (!(key in r)) throw new K8sError(`${kind} ${key} not found`);
    const { [key]: _gone, ...rest } = r;
    return rest;
  };
  switch (kind) {
    case 'Namespace': {
      const inNs = (r: Readonly<Record<string, { metadata: { namespace: string } }>>): boolean => Object.values(r).some((o) => o.metadata.namespace === key);
      if (inNs(s.pods) || inNs(s.services) || inNs(s.policies)) throw new K8sError(`namespace ${key} still has objects (delete them first)`);
      return { ...s, namespaces: drop(s.namespaces) };
    }
    case 'Node':
      return { ...s, nodes: drop(s.nodes) };
    case 'Pod':
      return { ...s, pods: drop(s.pods) };
    case 'Service':
      return { ...s, services: drop(s.services) };
    case 'NetworkPolicy':
      return { ...s, policies: drop(s.policies) };
    case 'EndpointSlice':
      return { ...s, slices: drop(s.slices) };
  }
}

/** Objects in a stable order (by key), as the listers hand them out in the twin. */
export function sorted<T extends { readonly metadata: { readonly name: string; readonly namespace: string } }>(r: Readonly<Record<string, T>>): T[] {
  return Object.values(r).sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
