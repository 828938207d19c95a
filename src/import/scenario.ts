/**
 * An imported twin as the start of a scenario (`spec.import`, issue #10):
 *
 *   spec:
 *     import: { bundles: [node1.bundle], kube: objects.yaml }
 *     steps: [...]
 *
 * The bundles are imported in the layout of several nodes even when there is
 * one (`perNode`): every node's initial namespace becomes a namespace named
 * after the node, so the twin's initial namespace stays the scenario's lab and
 * `node/NAME`, `pod/NAME`, `machine/NAME`, `network/NAME` mean what they mean
 * in a hand-written scenario. Who is who comes from the same place `podnet
 * verify` takes it (src/import/verify-target.ts), so a run, a trace and a
 * verification name the same things the same way:
 *
 * - nodes: the bundles' initial namespaces (named by the collector's --name);
 * - pods: `--kube` pods mapped onto namespaces (named by the Pod object, their
 *   containers and containerPorts from its spec); without kube objects, every
 *   namespace of a node with an address in the node's podCIDRs (`pod/NS`);
 * - networks: the namespaces the import added (the inferred underlay `seg0`...
 *   lives in `underlay`; stand-ins for uncollected peers);
 * - machines: every other namespace (e.g. a server collected on the node).
 *
 * Pure: bundle and kube texts in (src/cli and the scenario loader read the
 * files), declarations out.
 */
import { formatIp4, formatPrefix4 } from '../model/addr.js';
import { ROOT_NS, type NsName, type World } from '../model/world.js';
import { importBundles, type BundleInput, type ImportReport } from './build.js';
import { asName, importedTarget, nameable } from './verify-target.js';
import { kubeObjects, obj, type KubeObject } from './kube.js';

export interface ImportedPort {
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface ImportedPod {
  readonly name: string;
  readonly node: string;
  readonly ns: NsName;
  readonly hostNetwork: boolean;
  /** From the Pod object's spec.containers (one container `app` without kube objects). */
  readonly containers: readonly { readonly name: string; readonly ports: readonly ImportedPort[] }[];
}

export interface ImportedTwin {
  readonly world: World;
  readonly report: ImportReport;
  /** Nodes by name (= their twin namespace), with the address that stands for them and their podCIDR. */
  readonly nodes: readonly { readonly name: string; readonly ip?: string; readonly podCIDR?: string }[];
  readonly pods: readonly ImportedPod[];
  /** Namespaces that are neither a node nor a pod nor cabling (by name = namespace), and their address. */
  readonly machines: readonly { readonly name: string; readonly ip?: string }[];
  /** Namespaces the import added (by name = namespace). */
  readonly networks: readonly string[];
  /** Namespaces no scenario name can stand for (not a lower-case name), with why. */
  readonly unnamed: readonly string[];
}

/** spec.containers of every Pod object, by "namespace/name" (what kube.ts does not keep). */
function podContainers(kube: string | undefined): Map<string, ImportedPod['containers']> {
  const out = new Map<string, ImportedPod['containers']>();
  if (kube === undefined) return out;
  let items: KubeObject[];
  try {
    items = kubeObjects(kube);
  } catch {
    return out;
  }
  for (const it of items) {
    if (it['kind'] !== 'Pod') continue;
    const meta = obj(it['metadata']);
    const key = `${typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default'}/${String(meta['name'])}`;
    const cs: { name: string; ports: ImportedPort[] }[] = [];
    for (const c of Array.isArray(obj(it['spec'])['containers']) ? (obj(it['spec'])['containers'] as unknown[]) : []) {
      const co = obj(c);
      let name = asName(typeof co['name'] === 'string' ? co['name'] : `c${cs.length + 1}`);
      if (name === 'pause' || cs.some((x) => x.name === name)) name = `${name}-${cs.length + 1}`;
      const ports: ImportedPort[] = [];
      for (const p of Array.isArray(co['ports']) ? (co['ports'] as unknown[]) : []) {
        const po = obj(p);
        const n = po['containerPort'];
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) continue;
        const proto = po['protocol'] === 'UDP' ? 'UDP' : po['protocol'] === undefined || po['protocol'] === 'TCP' ? 'TCP' : undefined;
        if (proto) ports.push({ containerPort: n, protocol: proto });
      }
      cs.push({ name, ports });
    }
    out.set(key, cs);
  }
  return out;
}

/**
 * Import the bundles for a scenario and say who is who. `seed` is the
 * scenario's (MACs of what the import adds and of everything steps create).
 */
export function importForScenario(bundles: readonly BundleInput[], o: { readonly kube?: string; readonly seed?: number } = {}): ImportedTwin {
  // The loader runs on every validation (the browser page validates as the user types) and `diff`
  // loads two scenarios: the last import is kept (the result is immutable data, a pure function of its inputs).
  const key = JSON.stringify([o.seed ?? null, o.kube ?? null, bundles.map((b) => [b.text, b.origin ?? null, b.name ?? null])]);
  if (last?.key === key) return last.twin;
  const twin = doImport(bundles, o);
  last = { key, twin };
  return twin;
}

let last: { key: string; twin: ImportedTwin } | undefined;

function doImport(bundles: readonly BundleInput[], o: { readonly kube?: string; readonly seed?: number }): ImportedTwin {
  const { world, report } = importBundles(bundles, { perNode: true, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.kube !== undefined ? { kube: o.kube } : {}) });
  const target = importedTarget(world, report);
  const taken = new Set<string>();
  const unnamed: string[] = [];
  const hostName = (ns: NsName, what: string): string | undefined => {
    if (!nameable(ns) || taken.has(ns)) {
      unnamed.push(`${what} ${ns}: ${taken.has(ns) ? 'its name is taken' : 'not a lower-case name of at most 40 characters'}; reach it with ip netns exec ${ns}`);
      return undefined;
    }
    taken.add(ns);
    return ns;
  };

  const nodes: ImportedTwin['nodes'][number][] = [];
  const nodeOfRef = new Map<string, string>();
  for (const n of target.nodes) {
    const name = hostName(n.ns, 'node');
    if (name === undefined) continue;
    nodeOfRef.set(n.ref, name);
    const cidr = n.podCidrs[0];
    nodes.push({ name, ...(n.ip !== undefined ? { ip: formatIp4(n.ip) } : {}), ...(cidr ? { podCIDR: formatPrefix4(cidr) } : {}) });
  }
  const networks: string[] = [];
  for (const a of report.added) {
    const name = hostName(a.ns, 'network');
    if (name !== undefined) networks.push(name);
  }

  const containers = podContainers(o.kube);
  const pods: ImportedPod[] = [];
  const podNs = new Set<NsName>();
  for (const p of target.pods) {
    const node = nodeOfRef.get(p.node);
    if (node === undefined) continue;
    // importedTarget named the pods (unique among themselves and the hosts named above).
    const kp = target.kubeOf.get(p.ref);
    const name = p.ref.slice('pod/'.length);
    taken.add(name);
    if (!p.hostNetwork) podNs.add(p.ns);
    const cs = kp ? containers.get(`${kp.namespace}/${kp.name}`) : undefined;
    pods.push({ name, node, ns: p.ns, hostNetwork: p.hostNetwork === true, containers: cs && cs.length ? cs : [{ name: 'app', ports: [] }] });
  }

  const machines: { name: string; ip?: string }[] = [];
  const hostNs = new Set([ROOT_NS, ...target.nodes.map((n) => n.ns), ...report.added.map((a) => a.ns)]);
  for (const ns of world.nsOrder) {
    if (hostNs.has(ns) || podNs.has(ns) || !world.ns[ns]) continue;
    const name = hostName(ns, 'namespace');
    if (name === undefined) continue;
    const out = target.outside.find((x) => x.ns === ns);
    machines.push({ name, ...(out ? { ip: formatIp4(out.ip) } : {}) });
  }
  return { world, report, nodes, pods, machines, networks, unnamed };
}

/** A YAML string, quoted only when plain YAML would read it differently. */
function yamlStr(s: string): string {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/^[\d.]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * `podnet import BUNDLE... -o twin.yaml`: a scenario that starts from these
 * bundles (`spec.import`; the paths as the scenario file will see them), so
 * `podnet run`, `trace`, `verify`, `diff` and `diagram` take the imported
 * nodes. The header lists who is who; the steps are left to the user, with
 * two probes between the first pods as a start (commented out).
 */
export function importScenarioYaml(o: { readonly name: string; readonly file?: string; readonly bundles: readonly string[]; readonly kube?: string; readonly world: World; readonly report: ImportReport }): string {
  const t = importedTarget(o.world, o.report);
  const lines = [
    `# A twin of ${o.report.nodes.length === 1 ? 'node' : 'nodes'} ${o.report.nodes.map((n) => n.name).join(', ')}, imported from the collector's bundles (podnet import).`,
    '#',
    ...t.nodes.map((n) => `#   ${n.ref}${n.ip !== undefined ? ` ${formatIp4(n.ip)}` : ''}${n.podCidrs.length ? `, pods ${n.podCidrs.map(formatPrefix4).join(', ')}` : ''}`),
    ...t.pods.map((p) => `#     ${p.ref}${p.ip !== undefined ? ` ${formatIp4(p.ip)}` : ''} (netns ${p.ns}) on ${p.node}`),
    ...t.outside.map((m) => `#   ${m.ref} ${formatIp4(m.ip)}`),
    '#',
    `# Run it:   podnet run ${o.file ?? 'FILE'}; podnet verify ${o.file ?? 'FILE'}; podnet trace ${o.file ?? 'FILE'} --from pod/A --to pod/B`,
    'apiVersion: podnet.dev/v1alpha1',
    'kind: Scenario',
    'metadata:',
    `  name: ${o.name}`,
    'spec:',
    '  import:',
    `    bundles: [${o.bundles.map(yamlStr).join(', ')}]`,
    ...(o.kube !== undefined ? [`    kube: ${yamlStr(o.kube)}`] : []),
    '  steps: []',
  ];
  const [a, b] = t.pods;
  if (a && b) {
    lines.push(
      '  # for example:',
      `  #  - ping: { from: ${a.ref}, to: ${b.ref} }`,
      '  #    expect: { outcome: reply, natFree: true }',
      ...(t.outside[0] ? [`  #  - ping: { from: ${a.ref}, to: ${t.outside[0].ref} }`, '  #    expect: { outcome: reply }'] : []),
    );
  }
  return lines.join('\n') + '\n';
}
