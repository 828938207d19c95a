/**
 * Verify targets from src/cluster Clusters (designs built by buildCluster):
 * nodes with their podCIDRs, pods with their sandboxes, `outside` as the
 * machine beyond the router, the cluster CIDR as the pod network. Designs
 * that masquerade traffic leaving the cluster (all of podnet's: flannel,
 * Calico natOutgoing, kubenet, Cilium, Weave, static routes' admin rule)
 * say `egress: masquerade`.
 */
import { parseIp4, parsePrefix4 } from '../model/addr.js';
import type { NsName } from '../model/world.js';
import { clusterCidr } from '../cluster/cluster.js';
import { OUTSIDE_IP, OUTSIDE_NS, ROUTER_NS, UNDERLAY_NS } from '../cluster/underlay.js';
import type { Cluster } from '../cluster/types.js';
import { verify } from './verify.js';
import type { EgressIntent, VerifyEndpoint, VerifyNode, VerifyOptions, VerifyPod, VerifyReport, VerifyTarget } from './types.js';

/**
 * Why a cluster node is NotReady, if it is: kubelet reports NetworkReady=false
 * (NetworkPluginNotReady) while the design's agent has not installed its CNI configuration.
 */
export function notReadyReason(c: Cluster, node: string): string | undefined {
  return c.nodes[node]?.agentPending ? `NetworkPluginNotReady: the ${c.spec.design.name} agent has not started on ${node}` : undefined;
}

export function clusterTarget(c: Cluster, o: { readonly egress?: EgressIntent; readonly outside?: boolean } = {}): VerifyTarget {
  const nodes: VerifyNode[] = c.nodeOrder.map((n) => {
    const s = c.nodes[n]!;
    const cidr = s.podCidr ? parsePrefix4(s.podCidr) : undefined;
    const ip = parseIp4(s.ip);
    const notReady = notReadyReason(c, n);
    return { ref: `node/${n}`, ns: s.ns, ...(ip !== undefined ? { ip } : {}), podCidrs: cidr ? [cidr] : [], ...(notReady ? { notReady } : {}) };
  });
  const pods: VerifyPod[] = [];
  for (const name of c.podOrder) {
    const p = c.pods[name]!;
    if (!c.world.ns[p.ns]) continue;
    const ip = p.ip !== undefined ? parseIp4(p.ip) : undefined;
    pods.push({ ref: `pod/${name}`, node: `node/${p.node}`, ns: p.ns, ...(ip !== undefined ? { ip } : {}) });
  }
  const outside: VerifyEndpoint[] = o.outside !== false && c.world.ns[OUTSIDE_NS] ? [{ ref: 'machine/outside', ns: OUTSIDE_NS, ip: parseIp4(OUTSIDE_IP)! }] : [];
  const podNs = new Map(Object.values(c.pods).map((p) => [p.ns, p.name]));
  const label = (ns: NsName): string => {
    if (c.nodes[ns]) return `node/${ns}`;
    const pod = podNs.get(ns);
    if (pod) return `pod/${pod}`;
    if (ns === ROUTER_NS || ns === OUTSIDE_NS) return `machine/${ns}`;
    if (ns === UNDERLAY_NS) return 'network/underlay';
    return ns;
  };
  const net = parsePrefix4(clusterCidr(c));
  return { world: c.world, nodes, pods, outside, label, egress: o.egress ?? 'masquerade', ...(net ? { podNetwork: [net] } : {}) };
}

/** verify(clusterTarget(c)). */
export function verifyCluster(c: Cluster, o: VerifyOptions & { readonly egress?: EgressIntent; readonly outside?: boolean } = {}): VerifyReport {
  return verify(clusterTarget(c, { ...(o.egress ? { egress: o.egress } : {}), ...(o.outside !== undefined ? { outside: o.outside } : {}) }), o);
}
