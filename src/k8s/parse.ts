/**
 * Kubernetes objects from kubectl YAML: single documents, several documents
 * (`---`), and `kind: List` (what `kubectl get ... -o yaml` prints), into the
 * typed objects of src/k8s/types.ts, with the API server's defaults and
 * validation for what matters to the network.
 *
 *   const r = parseK8s(readFileSync('policy.yaml', 'utf8'), 'policy.yaml');
 *   r.objects   // Namespace, Node, Pod, Service, EndpointSlice, NetworkPolicy
 *   r.errors    // "policy.yaml: NetworkPolicy x/deny: spec.ingress[0].ports[0].endPort: ..."
 *   r.ignored   // kinds the network does not depend on (Deployment, ConfigMap, ...)
 *
 * Schemas are not strict: kubectl output carries status, managedFields and
 * many fields the network ignores. A field the twin cannot honour (a
 * LoadBalancer service, session affinity, SCTP) is an error that says so,
 * never silently dropped. Never throws.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type {
  ContainerPort,
  Endpoint,
  EndpointSlicePort,
  K8sObject,
  LabelSelector,
  ObjectMeta,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
  ServicePort,
} from './types.js';

export interface ParseResult {
  readonly objects: readonly K8sObject[];
  /** One line per problem: `source: Kind ns/name: path: message`. */
  readonly errors: readonly string[];
  /** Objects of kinds the network does not depend on, as `Kind ns/name`. */
  readonly ignored: readonly string[];
}

/** Kinds read from kubectl output that do not change the network (deployments, config...). */
const NETWORK_KINDS = new Set(['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice', 'NetworkPolicy']);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CIDR4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

const Str = z.string();
const LabelsZ = z.record(z.string(), z.string()).nullish();
const Meta = z.looseObject({ name: Str.min(1, 'metadata.name is required'), namespace: Str.nullish(), labels: LabelsZ });
const SelectorZ = z.looseObject({
  matchLabels: LabelsZ,
  matchExpressions: z
    .array(z.looseObject({ key: Str, operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(Str).nullish() }))
    .nullish(),
});
const ProtocolZ = z.enum(['TCP', 'UDP', 'SCTP']);
const PortNum = z.number().int().min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535');
const IntOrString = z.union([z.number().int(), Str]);

const PodZ = z.looseObject({
  metadata: Meta,
  spec: z
    .looseObject({
      nodeName: Str.nullish(),
      hostNetwork: z.boolean().nullish(),
      containers: z
        .array(
          z.looseObject({
            name: Str.nullish(),
            ports: z.array(z.looseObject({ name: Str.nullish(), containerPort: PortNum, protocol: ProtocolZ.nullish() })).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const ServiceZ = z.looseObject({
  metadata: Meta,
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).nullish(),
    clusterIP: Str.nullish(),
    selector: LabelsZ,
    sessionAffinity: z.enum(['None', 'ClientIP']).nullish(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).nullish(),
    internalTrafficPolicy: z.enum(['Cluster', 'Local']).nullish(),
    externalIPs: z.array(Str).nullish(),
    ports: z
      .array(
        z.looseObject({
          name: Str.nullish(),
          protocol: ProtocolZ.nullish(),
          port: PortNum,
          targetPort: IntOrString.nullish(),
          nodePort: z.number().int().nullish(),
        }),
      )
      .nullish(),
  }),
});

const EndpointSliceZ = z.looseObject({
  metadata: Meta,
  addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
  ports: z.array(z.looseObject({ name: Str.nullish(), protocol: ProtocolZ.nullish(), port: z.number().int().nullish() })).nullish(),
  endpoints: z
    .array(
      z.looseObject({
        addresses: z.array(Str).min(1),
        conditions: z.looseObject({ ready: z.boolean().nullish() }).nullish(),
        nodeName: Str.nullish(),
        targetRef: z.looseObject({ kind: Str.nullish(), name: Str.nullish(), namespace: Str.nullish() }).nullish(),
      }),
    )
    .nullish(),
});

const PeerZ = z.looseObject({
  podSelector: SelectorZ.nullish(),
  namespaceSelector: SelectorZ.nullish(),
  ipBlock: z.looseObject({ cidr: Str, except: z.array(Str).nullish() }).nullish(),
});
const NpPortZ = z.looseObject({ protocol: ProtocolZ.nullish(), port: IntOrString.nullish(), endPort: z.number().int().nullish() });
const NetworkPolicyZ = z.looseObject({
  metadata: Meta,
  spec: z.looseObject({
    podSelector: SelectorZ.nullish(),
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).nullish(),
    ingress: z.array(z.looseObject({ from: z.array(PeerZ).nullish(), ports: z.array(NpPortZ).nullish() })).nullish(),
    egress: z.array(z.looseObject({ to: z.array(PeerZ).nullish(), ports: z.array(NpPortZ).nullish() })).nullish(),
  }),
});

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse kubectl YAML (one or more documents, `kind: List` unpacked). */
export function parseK8s(text: string, source = '<input>'): ParseResult {
  const objects: K8sObject[] = [];
  const errors: string[] = [];
  const ignored: string[] = [];
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text, { prettyErrors: false });
    if (!Array.isArray(parsed)) return { objects, errors: [`${source}: not a YAML stream`], ignored };
    docs = [];
    for (const d of parsed) {
      if (d.errors.length > 0) {
        errors.push(...d.errors.map((e) => `${source}: YAML: ${e.message.split('\n')[0]}`));
        continue;
      }
      docs.push(d.toJS({ maxAliasCount: 100 }));
    }
  } catch (e) {
    return { objects, errors: [`${source}: YAML: ${e instanceof Error ? e.message : String(e)}`], ignored };
  }
  const items: Rec[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    if (!isRec(d)) {
      errors.push(`${source}: a document is not a Kubernetes object`);
      continue;
    }
    if (d['kind'] === 'List' || (d['kind'] === undefined && Array.isArray(d['items']))) {
      for (const i of (d['items'] as unknown[] | undefined) ?? []) {
        if (isRec(i)) items.push(i);
        else errors.push(`${source}: an item of a List is not an object`);
      }
    } else items.push(d);
  }
  for (const it of items) {
    const kind = typeof it['kind'] === 'string' ? it['kind'] : undefined;
    const meta = isRec(it['metadata']) ? it['metadata'] : {};
    const label = `${kind ?? '(no kind)'} ${typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : ''}${typeof meta['name'] === 'string' ? meta['name'] : '?'}`;
    if (kind === undefined) {
      errors.push(`${source}: ${label}: kind is required`);
      continue;
    }
    if (!NETWORK_KINDS.has(kind)) {
      ignored.push(label);
      continue;
    }
    const problems: string[] = [];
    const o = convert(kind, it, problems);
    if (problems.length > 0) errors.push(...problems.map((p) => `${source}: ${label}: ${p}`));
    else if (o) objects.push(o);
  }
  return { objects, errors, ignored };
}

function zodProblems(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.join('.') || '(object)'}: ${i.message}`);
}

function meta(m: z.infer<typeof Meta>, namespaced: boolean, problems: string[]): ObjectMeta {
  const namespace = namespaced ? (m.namespace ?? 'default') : '';
  if (namespaced && !DNS1123_LABEL.test(namespace)) problems.push(`metadata.namespace: "${namespace}" is not a DNS-1123 label`);
  return { name: m.name, namespace, labels: { ...(m.labels ?? {}) } };
}

function selector(s: z.infer<typeof SelectorZ> | null | undefined, path: string, problems: string[]): LabelSelector {
  const matchExpressions = (s?.matchExpressions ?? []).map((r, i) => {
    const values = r.values ?? [];
    if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) problems.push(`${path}.matchExpressions[${i}].values: must be specified when operator is ${r.operator}`);
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) problems.push(`${path}.matchExpressions[${i}].values: may not be specified when operator is ${r.operator}`);
    return { key: r.key, operator: r.operator, values };
  });
  return { matchLabels: { ...(s?.matchLabels ?? {}) }, matchExpressions };
}

function convert(kind: string, it: Rec, problems: string[]): K8sObject | undefined {
  switch (kind) {
    case 'Namespace': {
      const r = z.looseObject({ metadata: Meta }).safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      const m = meta(r.data.metadata, false, problems);
      if (!DNS1123_LABEL.test(m.name)) problems.push(`metadata.name: "${m.name}" is not a DNS-1123 label`);
      // The API server sets this label on every namespace (NamespaceDefaultLabelName, 1.21+).
      return { kind: 'Namespace', metadata: { ...m, labels: { ...m.labels, 'kubernetes.io/metadata.name': m.name } } };
    }
    case 'Node': {
      const r = z.looseObject({ metadata: Meta }).safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      return { kind: 'Node', metadata: meta(r.data.metadata, false, problems) };
    }
    case 'Pod': {
      const r = PodZ.safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      const spec = r.data.spec ?? {};
      if (spec.hostNetwork) problems.push('spec.hostNetwork: pods on the node\'s network are not modelled (the twin gives every pod its own network namespace)');
      const m = meta(r.data.metadata, true, problems);
      if (!DNS1123_SUBDOMAIN.test(m.name)) problems.push(`metadata.name: "${m.name}" is not a DNS-1123 subdomain`);
      const ports: ContainerPort[] = [];
      for (const c of spec.containers ?? []) {
        for (const p of c.ports ?? []) ports.push({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' });
      }
      return { kind: 'Pod', metadata: m, ...(spec.nodeName ? { nodeName: spec.nodeName } : {}), ports };
    }
    case 'Service': {
      const r = ServiceZ.safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      const spec = r.data.spec;
      const type = spec.type ?? 'ClusterIP';
      if (type === 'LoadBalancer' || type === 'ExternalName') problems.push(`spec.type: ${type} services are not modelled (ClusterIP and NodePort are)`);
      if (spec.sessionAffinity === 'ClientIP') problems.push('spec.sessionAffinity: ClientIP needs the iptables `recent` match, which the twin does not model');
      if ((spec.externalIPs ?? []).length > 0) problems.push('spec.externalIPs: not modelled');
      if (spec.clusterIP && spec.clusterIP !== 'None' && !IPV4.test(spec.clusterIP)) problems.push(`spec.clusterIP: "${spec.clusterIP}" is not an IPv4 address`);
      const raw = spec.ports ?? [];
      if (raw.length === 0 && spec.clusterIP !== 'None') problems.push('spec.ports: at least one port is required');
      const ports: ServicePort[] = raw.map((p, i) => {
        const name = p.name ?? '';
        if (raw.length > 1 && name === '') problems.push(`spec.ports[${i}].name: required when the service has more than one port`);
        const protocol = p.protocol ?? 'TCP';
        if (protocol === 'SCTP') problems.push(`spec.ports[${i}].protocol: SCTP is not modelled`);
        const targetPort = p.targetPort ?? p.port;
        if (typeof targetPort === 'number' && (targetPort < 1 || targetPort > 65535)) problems.push(`spec.ports[${i}].targetPort: must be between 1 and 65535`);
        if (p.nodePort !== undefined && p.nodePort !== null) {
          if (type !== 'NodePort') problems.push(`spec.ports[${i}].nodePort: only for type NodePort`);
          else if (p.nodePort < 30000 || p.nodePort > 32767) problems.push(`spec.ports[${i}].nodePort: provided port is not in the valid range. The range of valid ports is 30000-32767`);
        }
        return { name, protocol, port: p.port, targetPort, ...(typeof p.nodePort === 'number' && type === 'NodePort' ? { nodePort: p.nodePort } : {}) };
      });
      const dup = ports.map((p) => p.name).find((n, i, a) => a.indexOf(n) !== i);
      if (dup !== undefined && ports.length > 1) problems.push(`spec.ports: duplicate port name "${dup}"`);
      const etp = spec.externalTrafficPolicy ?? 'Cluster';
      const itp = spec.internalTrafficPolicy ?? 'Cluster';
      if (etp === 'Local') problems.push('spec.externalTrafficPolicy: Local is not modelled yet (Cluster is)');
      if (itp === 'Local') problems.push('spec.internalTrafficPolicy: Local is not modelled yet (Cluster is)');
      return {
        kind: 'Service',
        metadata: meta(r.data.metadata, true, problems),
        type: type === 'NodePort' ? 'NodePort' : 'ClusterIP',
        ...(spec.clusterIP ? { clusterIP: spec.clusterIP } : {}),
        ...(spec.selector && Object.keys(spec.selector).length > 0 ? { selector: { ...spec.selector } } : {}),
        ports,
        externalTrafficPolicy: etp,
        internalTrafficPolicy: itp,
      };
    }
    case 'EndpointSlice': {
      const r = EndpointSliceZ.safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      if (r.data.addressType !== 'IPv4') problems.push(`addressType: ${r.data.addressType} is not modelled (IPv4 is)`);
      const m = meta(r.data.metadata, true, problems);
      const serviceName = m.labels['kubernetes.io/service-name'];
      if (!serviceName) problems.push('metadata.labels: kubernetes.io/service-name is required (the slice belongs to no service)');
      const ports: EndpointSlicePort[] = (r.data.ports ?? []).flatMap((p) => (p.port ? [{ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }] : []));
      const endpoints: Endpoint[] = (r.data.endpoints ?? []).map((e, i) => {
        for (const a of e.addresses) if (!IPV4.test(a)) problems.push(`endpoints[${i}].addresses: "${a}" is not an IPv4 address`);
        const ref = e.targetRef?.name ? `${e.targetRef.namespace ?? m.namespace}/${e.targetRef.name}` : undefined;
        return { addresses: e.addresses, ready: e.conditions?.ready ?? true, ...(e.nodeName ? { nodeName: e.nodeName } : {}), ...(ref ? { targetRef: ref } : {}) };
      });
      return { kind: 'EndpointSlice', metadata: m, serviceName: serviceName ?? '', ports, endpoints };
    }
    case 'NetworkPolicy': {
      const r = NetworkPolicyZ.safeParse(it);
      if (!r.success) return void problems.push(...zodProblems(r.error));
      const spec = r.data.spec;
      const m = meta(r.data.metadata, true, problems);
      const rules = (raw: readonly { readonly from?: unknown; readonly to?: unknown; readonly ports?: z.infer<typeof NpPortZ>[] | null }[], dir: 'ingress' | 'egress'): PolicyRule[] =>
        raw.map((rule, i) => {
          const peersRaw = ((dir === 'ingress' ? rule.from : rule.to) ?? []) as z.infer<typeof PeerZ>[];
          const path = `spec.${dir}[${i}]`;
          const peers: PolicyPeer[] = peersRaw.map((p, j) => peer(p, `${path}.${dir === 'ingress' ? 'from' : 'to'}[${j}]`, problems));
          const ports: PolicyPort[] = (rule.ports ?? []).map((p, j) => npPort(p, `${path}.ports[${j}]`, problems));
          return { peers, ports };
        });
      const ingress = rules(spec.ingress ?? [], 'ingress');
      const egress = rules(spec.egress ?? [], 'egress');
      // SetDefaults_NetworkPolicySpec: Ingress always; Egress when the policy has egress rules.
      const policyTypes = spec.policyTypes && spec.policyTypes.length > 0 ? [...new Set(spec.policyTypes)] : egress.length > 0 ? (['Ingress', 'Egress'] as const) : (['Ingress'] as const);
      return { kind: 'NetworkPolicy', metadata: m, podSelector: selector(spec.podSelector, 'spec.podSelector', problems), policyTypes: [...policyTypes], ingress, egress };
    }
  }
  return undefined;
}

function peer(p: z.infer<typeof PeerZ>, path: string, problems: string[]): PolicyPeer {
  const hasSel = !!p.podSelector || !!p.namespaceSelector;
  if (p.ipBlock && hasSel) problems.push(`${path}: may not specify more than 1 peer type (ipBlock with a selector)`);
  if (!p.ipBlock && !hasSel) problems.push(`${path}: must specify a peer`);
  if (p.ipBlock) {
    const { cidr } = p.ipBlock;
    const except = p.ipBlock.except ?? [];
    if (!CIDR4.test(cidr)) problems.push(`${path}.ipBlock.cidr: "${cidr}" is not an IPv4 CIDR${cidr.includes(':') ? ' (IPv6 is not modelled)' : ''}`);
    for (const e of except) {
      if (!CIDR4.test(e)) problems.push(`${path}.ipBlock.except: "${e}" is not an IPv4 CIDR`);
      else if (CIDR4.test(cidr) && !strictlyWithin(e, cidr)) problems.push(`${path}.ipBlock.except: "${e}" must be a strict subset of ${cidr}`);
    }
    return { ipBlock: { cidr, except } };
  }
  return {
    ...(p.podSelector ? { podSelector: selector(p.podSelector, `${path}.podSelector`, problems) } : {}),
    ...(p.namespaceSelector ? { namespaceSelector: selector(p.namespaceSelector, `${path}.namespaceSelector`, problems) } : {}),
  };
}

function npPort(p: z.infer<typeof NpPortZ>, path: string, problems: string[]): PolicyPort {
  const protocol: Protocol = p.protocol ?? 'TCP';
  if (protocol === 'SCTP') problems.push(`${path}.protocol: SCTP is not modelled`);
  const port = p.port ?? undefined;
  if (typeof port === 'number' && (port < 1 || port > 65535)) problems.push(`${path}.port: must be between 1 and 65535`);
  if (typeof port === 'string' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port)) problems.push(`${path}.port: "${port}" is not a port name`);
  const endPort = p.endPort ?? undefined;
  if (endPort !== undefined) {
    if (typeof port !== 'number') problems.push(`${path}.endPort: may not be specified when port is ${port === undefined ? 'not specified' : 'non-numeric'}`);
    else if (endPort < port) problems.push(`${path}.endPort: must be greater than or equal to port`);
    else if (endPort > 65535) problems.push(`${path}.endPort: must be between 1 and 65535`);
  }
  return { protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) };
}

function cidrRange(c: string): [number, number] {
  const [ip, len] = c.split('/');
  const n = ip!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  const lo = Math.floor(n / size) * size;
  return [lo, lo + size - 1];
}

function strictlyWithin(inner: string, outer: string): boolean {
  const [a, b] = cidrRange(inner);
  const [c, d] = cidrRange(outer);
  return a >= c && b <= d && (a !== c || b !== d);
}
