/**
 * The Kubernetes objects podnet understands (issue #9), as plain immutable
 * data after parsing and defaulting (src/k8s/parse.ts): what kube-proxy and
 * a NetworkPolicy agent read from the API server.
 *
 * Only the fields that change the network are kept; defaults are applied the
 * way the API server applies them (NetworkPolicy policyTypes, port protocol
 * TCP, Service type ClusterIP, namespace `default`).
 */

export type Labels = Readonly<Record<string, string>>;

/** metav1.LabelSelectorRequirement. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** metav1.LabelSelector: every matchLabels entry and every requirement must hold; `{}` selects everything. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ObjectMeta {
  readonly name: string;
  /** Absent for cluster-scoped objects (Namespace, Node). */
  readonly namespace: string;
  readonly labels: Labels;
}

export interface K8sNamespace {
  readonly kind: 'Namespace';
  /** `kubernetes.io/metadata.name: <name>` is always among the labels (the API server sets it since 1.21). */
  readonly metadata: ObjectMeta;
}

export interface K8sNode {
  readonly kind: 'Node';
  readonly metadata: ObjectMeta;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface K8sPod {
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  /** spec.nodeName: absent = the twin schedules it (round robin over the nodes). */
  readonly nodeName?: string;
  /** Every container's ports, in order (named ports for NetworkPolicy and Service targetPort). */
  readonly ports: readonly ContainerPort[];
}

export interface ServicePort {
  /** May be empty when the Service has one port. */
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, or the name of a container port. Defaults to `port`. */
  readonly targetPort: number | string;
  /** NodePort services: allocated (30000-32767) when not given. */
  readonly nodePort?: number;
}

export interface K8sService {
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly type: 'ClusterIP' | 'NodePort';
  /** Allocated from the service CIDR when not given; `None` (headless) services are not proxied. */
  readonly clusterIP?: string;
  /** Absent: a Service without selector (its EndpointSlices are given by hand). */
  readonly selector?: Labels;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly internalTrafficPolicy: 'Cluster' | 'Local';
}

export interface EndpointSlicePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
  readonly nodeName?: string;
  /** The pod it stands for (namespace/name), when derived from a pod. */
  readonly targetRef?: string;
}

export interface K8sEndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  /** The label kubernetes.io/service-name. */
  readonly serviceName: string;
  readonly ports: readonly EndpointSlicePort[];
  readonly endpoints: readonly Endpoint[];
}

export interface IPBlock {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** networking/v1 NetworkPolicyPeer: exactly one of ipBlock, or podSelector and/or namespaceSelector. */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}

export interface PolicyPort {
  readonly protocol: Protocol;
  /** A number or a named container port; absent = every port of the protocol. */
  readonly port?: number | string;
  /** Only with a numeric port: the range port..endPort. */
  readonly endPort?: number;
}

/** One ingress (`from`) or egress (`to`) rule. An empty peer list = every peer; empty ports = every port. */
export interface PolicyRule {
  readonly peers: readonly PolicyPeer[];
  readonly ports: readonly PolicyPort[];
}

export interface K8sNetworkPolicy {
  readonly kind: 'NetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly podSelector: LabelSelector;
  /** After defaulting: Ingress always unless given; Egress when given or when spec.egress is non-empty. */
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

export type K8sObject = K8sNamespace | K8sNode | K8sPod | K8sService | K8sEndpointSlice | K8sNetworkPolicy;
export type K8sKind = K8sObject['kind'];

/** `namespace/name` of a namespaced object, `name` of a cluster-scoped one. */
export function keyOf(o: { readonly metadata: Pick<ObjectMeta, 'name' | 'namespace'> }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
