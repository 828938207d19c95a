/**
 * Kubernetes objects on an imported world: the output of
 *   kubectl get nodes,pods,services,endpointslices,networkpolicies -A -o yaml
 * gives the nodes' and pods' names, labels and podCIDRs, so a twin namespace
 * can be called by the pod it is.
 *
 * - a Node matches a bundle by name, else by an InternalIP the bundle's node owns;
 * - a Pod matches the twin namespace (on its node) that owns its podIP
 *   (hostNetwork pods: the node's namespace); it is recorded in World.cri as a
 *   pod sandbox (the container id from the host-local store when it has the IP);
 * - Services and EndpointSlices are listed (their rules, if kube-proxy runs in
 *   iptables mode, were imported with iptables-save);
 * - NetworkPolicies are not evaluated by the twin: only what the CNI made of
 *   them in iptables is; each one is an assumption.
 */
import { parseAllDocuments } from 'yaml';
import type { CriNode, CriState, PodSandbox } from '../model/cri.js';
import { formatIp4, parseIp4 } from '../model/addr.js';
import { ROOT_NS, type Assumption, type NsName, type World } from '../model/world.js';

export interface KubePod {
  readonly name: string;
  readonly namespace: string;
  readonly node?: string;
  readonly ip?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  /** The twin namespace holding the pod's network. */
  readonly twinNs?: NsName;
}

export interface KubeNode {
  readonly name: string;
  readonly podCIDR?: string;
  readonly internalIP?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The bundle node it matched. */
  readonly bundleNode?: string;
}

export interface KubeService {
  readonly name: string;
  readonly namespace: string;
  readonly clusterIP?: string;
  readonly ports: readonly string[];
  readonly endpoints: readonly string[];
}

export interface KubeMapping {
  readonly nodes: readonly KubeNode[];
  readonly pods: readonly KubePod[];
  readonly services: readonly KubeService[];
  readonly networkPolicies: readonly string[];
}

export type KubeObject = Record<string, unknown>;
type O = KubeObject;
/** A YAML value as an object ({} for anything else). */
export const obj = (v: unknown): O => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as O) : {});
const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const labelsOf = (meta: O): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(meta['labels']))) if (typeof v === 'string') out[k] = v;
  return out;
};

/** Every object of the YAML: a `kind: List` is unpacked, several documents are allowed. */
export function kubeObjects(text: string): O[] {
  const out: O[] = [];
  for (const doc of parseAllDocuments(text)) {
    const v = obj(doc.toJS());
    if (Array.isArray(v['items'])) for (const i of v['items'] as unknown[]) out.push(obj(i));
    else if (v['kind'] !== undefined) out.push(v);
  }
  return out;
}

export interface BundleNodeInfo {
  readonly name: string;
  readonly namespaces: readonly { readonly nodeNs: string; readonly twinNs: NsName }[];
}

export function applyKube(world: World, text: string, nodes: readonly BundleNodeInfo[]): { world: World; mapping: KubeMapping; assumptions: Assumption[] } {
  const assumptions: Assumption[] = [];
  const firstNode = nodes[0]?.name ?? 'cluster';
  const note = (text: string, ns: NsName = ROOT_NS, severity: 'warn' | 'info' = 'info'): void => void assumptions.push({ severity, node: firstNode, ns, area: 'kube', text });
  let items: O[];
  try {
    items = kubeObjects(text);
  } catch (e) {
    note(`the Kubernetes objects could not be read: ${e instanceof Error ? e.message : String(e)}`, ROOT_NS, 'warn');
    return { world, mapping: { nodes: [], pods: [], services: [], networkPolicies: [] }, assumptions };
  }
  /** Which twin namespace owns an IPv4 address (among a node's namespaces). */
  const owner = (ip: string, within: BundleNodeInfo | undefined): NsName | undefined => {
    const a = parseIp4(ip);
    if (a === undefined) return undefined;
    for (const n of within ? [within] : nodes) {
      for (const m of n.namespaces) {
        const ns = world.ns[m.twinNs];
        if (ns && Object.values(ns.links).some((l) => l.addrs.some((x) => x.local === a))) return m.twinNs;
      }
    }
    return undefined;
  };
  const rootOf = (n: BundleNodeInfo): NsName => n.namespaces.find((m) => m.nodeNs === ROOT_NS)?.twinNs ?? ROOT_NS;

  const kNodes: KubeNode[] = [];
  for (const it of items.filter((i) => i['kind'] === 'Node')) {
    const meta = obj(it['metadata']);
    const name = s(meta['name']) ?? '?';
    const spec = obj(it['spec']);
    const addrs = (Array.isArray(obj(it['status'])['addresses']) ? (obj(it['status'])['addresses'] as unknown[]) : []).map(obj);
    const internalIP = s(addrs.find((a) => a['type'] === 'InternalIP')?.['address']);
    let match = nodes.find((n) => n.name === name);
    if (!match && internalIP !== undefined) match = nodes.find((n) => owner(internalIP, n) === rootOf(n));
    if (!match) note(`node ${name}${internalIP ? ` (${internalIP})` : ''} has no bundle: its pods are known by name only`);
    kNodes.push({ name, ...(s(spec['podCIDR']) ? { podCIDR: s(spec['podCIDR'])! } : {}), ...(internalIP ? { internalIP } : {}), labels: labelsOf(meta), ...(match ? { bundleNode: match.name } : {}) });
  }
  const bundleFor = (k8sNode: string | undefined): BundleNodeInfo | undefined => {
    if (k8sNode === undefined) return nodes.length === 1 ? nodes[0] : undefined;
    const kn = kNodes.find((n) => n.name === k8sNode);
    return nodes.find((n) => n.name === (kn?.bundleNode ?? k8sNode)) ?? (nodes.length === 1 && kNodes.length === 0 ? nodes[0] : undefined);
  };

  const pods: KubePod[] = [];
  for (const it of items.filter((i) => i['kind'] === 'Pod')) {
    const meta = obj(it['metadata']);
    const spec = obj(it['spec']);
    const status = obj(it['status']);
    const name = s(meta['name']) ?? '?';
    const namespace = s(meta['namespace']) ?? 'default';
    const node = s(spec['nodeName']);
    const ip = s(status['podIP']);
    const hostNetwork = spec['hostNetwork'] === true;
    const b = bundleFor(node);
    let twinNs: NsName | undefined;
    if (b && hostNetwork) twinNs = rootOf(b);
    else if (b && ip !== undefined) {
      const o = owner(ip, b);
      if (o !== undefined && o !== rootOf(b)) twinNs = o;
    }
    if (!twinNs && b && !hostNetwork) note(`pod ${namespace}/${name}${ip ? ` (${ip})` : ''} on ${node ?? '?'}: no namespace of the bundle has its address`, rootOf(b));
    pods.push({ name, namespace, ...(node ? { node } : {}), ...(ip ? { ip } : {}), labels: labelsOf(meta), hostNetwork, ...(twinNs ? { twinNs } : {}) });
  }

  const slices = items.filter((i) => i['kind'] === 'EndpointSlice');
  const services: KubeService[] = [];
  for (const it of items.filter((i) => i['kind'] === 'Service')) {
    const meta = obj(it['metadata']);
    const spec = obj(it['spec']);
    const name = s(meta['name']) ?? '?';
    const namespace = s(meta['namespace']) ?? 'default';
    const ports = (Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : []).map(obj).map((p) => `${String(p['port'] ?? '?')}/${s(p['protocol']) ?? 'TCP'}`);
    const endpoints: string[] = [];
    for (const sl of slices) {
      const sm = obj(sl['metadata']);
      if (s(sm['namespace']) !== namespace || s(obj(sm['labels'])['kubernetes.io/service-name']) !== name) continue;
      for (const ep of (Array.isArray(sl['endpoints']) ? (sl['endpoints'] as unknown[]) : []).map(obj)) {
        for (const a of Array.isArray(ep['addresses']) ? (ep['addresses'] as unknown[]) : []) if (typeof a === 'string') endpoints.push(a);
      }
    }
    services.push({ name, namespace, ...(s(spec['clusterIP']) ? { clusterIP: s(spec['clusterIP'])! } : {}), ports, endpoints });
  }
  const networkPolicies: string[] = [];
  for (const it of items.filter((i) => i['kind'] === 'NetworkPolicy')) {
    const meta = obj(it['metadata']);
    const id = `${s(meta['namespace']) ?? 'default'}/${s(meta['name']) ?? '?'}`;
    networkPolicies.push(id);
    note(`NetworkPolicy ${id} is not evaluated by the twin: only the iptables rules the CNI made of it (imported from the bundle) apply`, ROOT_NS, 'warn');
  }

  // World.cri: the imported nodes and their pods' sandboxes, by name.
  const cri: { nodes: Record<string, CriNode>; sandboxes: Record<string, PodSandbox>; sandboxOrder: string[]; idCounter: number } = {
    nodes: { ...(world.cri?.nodes ?? {}) },
    sandboxes: { ...(world.cri?.sandboxes ?? {}) },
    sandboxOrder: [...(world.cri?.sandboxOrder ?? [])],
    idCounter: world.cri?.idCounter ?? 0,
  };
  for (const b of nodes) {
    const kn = kNodes.find((n) => n.bundleNode === b.name);
    const name = kn?.name ?? b.name;
    cri.nodes[name] = {
      name,
      ns: rootOf(b),
      root: rootOf(b) === ROOT_NS ? '' : `/nodes/${b.name}`,
      confDir: '/etc/cni/net.d',
      binDirs: ['/opt/cni/bin'],
      cacheDir: '/var/lib/cni',
      ...(kn?.podCIDR ? { podCIDR: kn.podCIDR } : {}),
      network: { kind: 'cni' },
      boots: 0,
    };
  }
  for (const p of pods) {
    if (!p.twinNs || p.hostNetwork) continue;
    const b = bundleFor(p.node);
    const root = b && rootOf(b) !== ROOT_NS ? `/nodes/${b.name}` : '';
    const id = containerIdFor(world, root, p.ip) ?? `imported-${p.namespace}-${p.name}`;
    cri.sandboxes[id] = {
      id,
      node: kNodes.find((n) => n.bundleNode === b?.name)?.name ?? b?.name ?? p.node ?? '?',
      name: p.name,
      namespace: p.namespace,
      uid: '',
      attempt: 0,
      netns: p.twinNs,
      netnsPath: `/var/run/netns/${p.twinNs}`,
      state: 'SANDBOX_READY',
      ips: p.ip ? [p.ip] : [],
      portMappings: [],
      annotations: Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [`label/${k}`, v])),
      networks: [],
      containers: [],
    };
    if (!cri.sandboxOrder.includes(id)) cri.sandboxOrder.push(id);
  }
  const next: World = { ...world, cri: cri as CriState };
  return { world: next, mapping: { nodes: kNodes, pods, services, networkPolicies }, assumptions };
}

/** host-local's store: /var/lib/cni/networks/NET/IP holds "CONTAINERID\nIFNAME". */
function containerIdFor(world: World, root: string, ip: string | undefined): string | undefined {
  if (ip === undefined || parseIp4(ip) === undefined) return undefined;
  const want = formatIp4(parseIp4(ip)!);
  for (const [path, content] of Object.entries(world.files)) {
    if (!path.startsWith(`${root}/var/lib/cni/networks/`) || !path.endsWith(`/${want}`)) continue;
    const id = content.split(/\r?\n/)[0]?.trim();
    if (id) return id;
  }
  return undefined;
}

/** "pod NAMESPACE/NAME" for a twin namespace holding a pod, from World.cri. */
export function podOfNs(world: World, ns: NsName): string | undefined {
  for (const sb of Object.values(world.cri?.sandboxes ?? {})) if (sb.netns === ns) return `pod ${sb.namespace}/${sb.name}`;
  return undefined;
}
