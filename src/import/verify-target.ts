/**
 * Who is who in an imported world, for `verify` (src/verify): the nodes (the
 * bundles' initial namespaces), their pods and the machines outside.
 *
 * - a node's podCIDRs: `--kube` Node.spec.podCIDR, else the subnets of the
 *   host-local configurations in its CNI configuration directory;
 * - pods: `--kube` pods mapped onto namespaces; without `--kube`, every
 *   namespace of the node with an address inside the node's podCIDRs
 *   (`pod/NAMESPACE`);
 * - outside: the other namespaces with an address that do not forward;
 * - egress intent: `masquerade` when the node's CNI configuration has
 *   `ipMasq: true`, else `any`.
 */
import { formatPrefix4, parseIp4, parsePrefix4, prefixContains, type Ip4, type Prefix4 } from '../model/addr.js';
import { ROOT_NS, type NsName, type World } from '../model/world.js';
import type { EgressIntent, VerifyEndpoint, VerifyNode, VerifyPod, VerifyTarget } from '../verify/types.js';
import type { ImportReport } from './build.js';
import type { KubePod } from './kube.js';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Can this namespace name stand as a scenario name as it is (lower case, at most 40)? */
export const nameable = (s: string): boolean => s.length <= 40 && NAME_RE.test(s);

/** A pod or container name the scenario language accepts (lower case, "-" for anything else, at most 40). */
export function asName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return n || 'x';
}

/** The target of an import, with the Kubernetes pod each pod ref stands for (when `--kube` named it). */
export interface ImportedTarget extends VerifyTarget {
  readonly kubeOf: ReadonlyMap<string, KubePod>;
}

function globalAddrs(world: World, ns: NsName): { ip: Ip4; dev: string; kind: string }[] {
  const out: { ip: Ip4; dev: string; kind: string }[] = [];
  for (const l of Object.values(world.ns[ns]?.links ?? {})) {
    if (l.kind === 'loopback') continue;
    for (const a of l.addrs) if (a.scope === 'global' || a.scope === 0) out.push({ ip: a.local, dev: l.name, kind: l.kind });
  }
  return out;
}

/** Every object of a CNI file (a conf or a conflist's plugins), for `ipam.subnet`/`ranges` and `ipMasq`. */
function cniPlugins(text: string): Record<string, unknown>[] {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return Array.isArray(v['plugins']) ? (v['plugins'] as Record<string, unknown>[]) : [v];
  } catch {
    return [];
  }
}

function cniFacts(world: World, root: string): { subnets: Prefix4[]; masq: boolean } {
  const subnets: Prefix4[] = [];
  let masq = false;
  for (const [path, text] of Object.entries(world.files)) {
    if (!path.startsWith(`${root}/etc/cni/net.d/`)) continue;
    for (const p of cniPlugins(text)) {
      if (p['ipMasq'] === true) masq = true;
      const ipam = (p['ipam'] ?? {}) as Record<string, unknown>;
      const add = (s: unknown): void => {
        const px = typeof s === 'string' ? parsePrefix4(s) : undefined;
        if (px && !subnets.some((x) => formatPrefix4(x) === formatPrefix4(px))) subnets.push(px);
      };
      add(ipam['subnet']);
      for (const set of Array.isArray(ipam['ranges']) ? (ipam['ranges'] as unknown[]) : []) {
        for (const r of Array.isArray(set) ? (set as Record<string, unknown>[]) : []) add(r['subnet']);
      }
    }
  }
  return { subnets, masq };
}

export function importedTarget(world: World, report: ImportReport, o: { egress?: EgressIntent } = {}): ImportedTarget {
  const nodes: VerifyNode[] = [];
  const pods: VerifyPod[] = [];
  const labels = new Map<NsName, string>();
  let anyMasq = false;
  const kubePods = report.kube?.pods ?? [];
  const kubeOf = new Map<string, KubePod>();
  // One name per pod, the same everywhere (verify, run, trace, the scenario `podnet import -o` writes):
  // node and cabling namespaces take their names first, then pods in order; a pod whose name is
  // taken (two namespaces with a pod of that name, or a node of that name) becomes NAMESPACE-NAME.
  const taken = new Set<string>();
  for (const n of report.nodes) {
    const ns = n.namespaces.find((m) => m.nodeNs === ROOT_NS)?.twinNs ?? ROOT_NS;
    if (nameable(ns)) taken.add(ns);
  }
  for (const a of report.added) if (nameable(a.ns)) taken.add(a.ns);
  const podName = (raw: string, kp: KubePod | undefined): string => {
    let name = asName(raw);
    if (taken.has(name)) name = asName(`${kp?.namespace ?? 'pod'}-${name}`);
    for (let k = 2; taken.has(name); k++) name = asName(`${raw}-${k}`);
    taken.add(name);
    return name;
  };
  for (const n of report.nodes) {
    const rootNs = n.namespaces.find((m) => m.nodeNs === ROOT_NS)?.twinNs ?? ROOT_NS;
    // The node's files: at the root when its initial namespace is the twin's (one bundle), else under /nodes/NODE.
    const facts = cniFacts(world, rootNs === ROOT_NS ? '' : `/nodes/${n.name}`);
    anyMasq ||= facts.masq;
    const kn = report.kube?.nodes.find((k) => k.bundleNode === n.name);
    const podCidrs = kn?.podCIDR && parsePrefix4(kn.podCIDR) ? [parsePrefix4(kn.podCIDR)!] : facts.subnets;
    // The node's address: the one its default route leaves from, else the first outside its pod network.
    const addrs = globalAddrs(world, rootNs).filter((a) => !podCidrs.some((p) => prefixContains(p, a.ip)));
    const ip = (kn?.internalIP !== undefined ? parseIp4(kn.internalIP) : undefined) ?? addrs.find((a) => a.kind !== 'bridge')?.ip ?? addrs[0]?.ip;
    const ref = `node/${kn?.name ?? n.name}`;
    nodes.push({ ref, ns: rootNs, ...(ip !== undefined ? { ip } : {}), podCidrs });
    labels.set(rootNs, ref);
    for (const m of n.namespaces) {
      if (m.nodeNs === ROOT_NS) continue;
      const kp = kubePods.find((p) => p.twinNs === m.twinNs);
      const podIp = kp?.ip !== undefined ? parseIp4(kp.ip) : globalAddrs(world, m.twinNs).find((a) => podCidrs.some((p) => prefixContains(p, a.ip)))?.ip;
      if (!kp && podIp === undefined) continue;
      const pref = `pod/${podName(kp ? kp.name : m.twinNs, kp)}`;
      if (kp) kubeOf.set(pref, kp);
      pods.push({ ref: pref, node: ref, ns: m.twinNs, ...(podIp !== undefined ? { ip: podIp } : {}), ...(kp?.hostNetwork ? { hostNetwork: true } : {}) });
      labels.set(m.twinNs, pref);
    }
  }
  // Namespaces the import added (the inferred underlay, stand-ins) are cabling: `network/NAME`.
  for (const a of report.added) labels.set(a.ns, `network/${a.ns}`);
  const outside: VerifyEndpoint[] = [];
  for (const ns of Object.keys(world.ns)) {
    if (labels.has(ns)) continue;
    const fwd = world.ns[ns]!.sysctl['net.ipv4.ip_forward'] === '1';
    const a = globalAddrs(world, ns)[0];
    if (fwd || a === undefined) continue;
    const ref = `machine/${ns}`;
    outside.push({ ref, ns, ip: a.ip });
    labels.set(ns, ref);
  }
  const podNetwork = nodes.flatMap((n) => n.podCidrs);
  return {
    world,
    nodes,
    pods,
    kubeOf,
    outside,
    ...(podNetwork.length ? { podNetwork } : {}),
    egress: o.egress ?? (anyMasq ? 'masquerade' : 'any'),
    label: (ns) => labels.get(ns) ?? (ns === ROOT_NS ? 'host' : `netns/${ns}`),
  };
}
