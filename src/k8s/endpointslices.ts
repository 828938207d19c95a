/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for every
 * Service with a selector, the pods of its namespace that match, with an
 * address, become endpoints; each service port's targetPort is resolved per
 * pod (a number as is; a name by the pod's container port of that name and
 * protocol, podutil.FindPort: a pod without it is left out of that port).
 * Pods that resolve the ports the same way share a slice, as the controller
 * groups endpoints by their port mapping.
 *
 * Slice names are `<service>-<n>` (the controller adds a random suffix).
 * Every endpoint is ready: the twin's pods are running as soon as they have
 * an address.
 */
import { matches } from './selectors.js';
import { sorted, type K8sState } from './store.js';
import type { Endpoint, EndpointSlicePort, K8sEndpointSlice, K8sPod, K8sService, ServicePort } from './types.js';
import { keyOf } from './types.js';

/** Where a pod runs and its address (from the cluster: kubelet's status). */
export interface PodStatus {
  readonly ip?: string;
  readonly node?: string;
}

export type PodStatusOf = (podKey: string) => PodStatus | undefined;

/** podutil.FindPort: the container port for a service port, or undefined. */
export function resolveTargetPort(pod: K8sPod, sp: ServicePort): number | undefined {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  const cp = pod.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol);
  return cp?.containerPort;
}

/** The pods a service selects (same namespace, selector matches), by key order. */
export function selectedPods(s: K8sState, svc: K8sService): K8sPod[] {
  if (!svc.selector) return [];
  const sel = { matchLabels: svc.selector, matchExpressions: [] };
  return sorted(s.pods).filter((p) => p.metadata.namespace === svc.metadata.namespace && matches(sel, p.metadata.labels));
}

/** The slices of one service: derived from its pods, or the ones given by hand (no selector). */
export function serviceSlices(s: K8sState, svc: K8sService, status: PodStatusOf): K8sEndpointSlice[] {
  if (!svc.selector) return sorted(s.slices).filter((x) => x.metadata.namespace === svc.metadata.namespace && x.serviceName === svc.metadata.name);
  const groups = new Map<string, { ports: EndpointSlicePort[]; endpoints: Endpoint[] }>();
  for (const pod of selectedPods(s, svc)) {
    const st = status(keyOf(pod));
    if (!st?.ip) continue;
    const ports: EndpointSlicePort[] = [];
    for (const sp of svc.ports) {
      const n = resolveTargetPort(pod, sp);
      if (n !== undefined) ports.push({ name: sp.name, protocol: sp.protocol, port: n });
    }
    const sig = JSON.stringify(ports);
    const g = groups.get(sig) ?? { ports, endpoints: [] };
    g.endpoints.push({ addresses: [st.ip], ready: true, ...(st.node ? { nodeName: st.node } : {}), targetRef: keyOf(pod) });
    groups.set(sig, g);
  }
  return [...groups.values()].map((g, i) => ({
    kind: 'EndpointSlice',
    metadata: { name: `${svc.metadata.name}-${i + 1}`, namespace: svc.metadata.namespace, labels: { 'kubernetes.io/service-name': svc.metadata.name } },
    serviceName: svc.metadata.name,
    ports: g.ports,
    endpoints: g.endpoints,
  }));
}

/** Every service's slices. */
export function allSlices(s: K8sState, status: PodStatusOf): K8sEndpointSlice[] {
  return sorted(s.services).flatMap((svc) => serviceSlices(s, svc, status));
}

/** One backend of a service port as kube-proxy sees it. */
export interface ServiceEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly nodeName?: string;
  /** `ip:port` (BaseEndpointInfo.String()). */
  readonly endpoint: string;
  readonly pod?: string;
}

/**
 * kube-proxy's EndpointsMap for one service port: the ready endpoints of the
 * slices whose port has this name and protocol, deduplicated by `ip:port`
 * and sorted by that string (byEndpoint), as EndpointSliceCache does.
 */
export function endpointsOf(slices: readonly K8sEndpointSlice[], sp: ServicePort): ServiceEndpoint[] {
  const out = new Map<string, ServiceEndpoint>();
  for (const sl of slices) {
    const p = sl.ports.find((x) => x.name === sp.name && x.protocol === sp.protocol);
    if (!p) continue;
    for (const e of sl.endpoints) {
      if (!e.ready) continue;
      const ip = e.addresses[0]!;
      const endpoint = `${ip}:${p.port}`;
      if (!out.has(endpoint)) out.set(endpoint, { ip, port: p.port, endpoint, ...(e.nodeName ? { nodeName: e.nodeName } : {}), ...(e.targetRef ? { pod: e.targetRef } : {}) });
    }
  }
  return [...out.values()].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
}
