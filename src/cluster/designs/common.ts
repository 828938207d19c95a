/**
 * Pieces shared by the designs: pods attached with the CNI bridge plugin,
 * deterministic MACs an agent picks, host-interface lookup.
 */
import { designState, podAddress, withDesignState, withPod } from '../cluster.js';
import { runLine, writeFileLine } from '../exec.js';
import type { Cluster, PodState } from '../types.js';

/**
 * Where a node's host-local IPAM keeps its leases. Every node has its own disk;
 * the twin (and the kernel sandbox) is one machine, so each node gets its own
 * directory (`ipam.dataDir`) instead of the default /var/lib/cni/networks.
 */
export function ipamDataDir(node: string): string {
  return `/var/lib/cni/${node}/networks`;
}

/** The file holding a node's CNI network configuration (cwd-relative: one per node). */
export function cniConfPath(node: string, name: string): string {
  return `${node}-${name}.conf`;
}

/** The line writing a CNI config (JSON, pretty enough to read in the journal). */
export function cniConfLine(node: string, name: string, conf: unknown): string {
  return writeFileLine(cniConfPath(node, name), JSON.stringify(conf));
}

function cniEnv(command: 'ADD' | 'DEL', pod: PodState): string {
  return `CNI_COMMAND=${command} CNI_CONTAINERID=${pod.containerId} CNI_NETNS=/var/run/netns/${pod.ns} CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni`;
}

/** kubelet's CNI ADD with the bridge plugin run on the node, then the pod's address and host veth recorded. */
export function bridgePluginAdd(c: Cluster, pod: PodState, confName: string): Cluster {
  const line = `${cniEnv('ADD', pod)} ip netns exec ${pod.node} /usr/lib/cni/bridge < ${cniConfPath(pod.node, confName)}`;
  const r = runLine(c, 'kubelet', line);
  return recordPod(r.cluster, pod);
}

export function bridgePluginDel(c: Cluster, pod: PodState, confName: string): Cluster {
  const line = `${cniEnv('DEL', pod)} ip netns exec ${pod.node} /usr/lib/cni/bridge < ${cniConfPath(pod.node, confName)}`;
  return runLine(c, 'kubelet', line).cluster;
}

/** Record the pod's IP and the node-side end of its veth, as the sandbox now has them. */
export function recordPod(c: Cluster, pod: PodState): Cluster {
  const ip = podAddress(c, pod.name);
  const hostIf = hostIfOf(c, pod);
  return withPod(c, { ...pod, ...(ip ? { ip } : {}), ...(hostIf ? { hostIf } : {}) });
}

/** The node-side end of the pod's eth0 veth. */
export function hostIfOf(c: Cluster, pod: PodState): string | undefined {
  const nodeNs = c.world.ns[pod.node];
  const podNs = c.world.ns[pod.ns];
  const eth0 = podNs && Object.values(podNs.links).find((l) => l.name === 'eth0');
  if (!nodeNs || !eth0 || eth0.kind !== 'veth') return undefined;
  return nodeNs.links[eth0.peer.ifindex]?.name;
}

/**
 * A MAC an agent assigns to a device it creates (flannel's mac.NewHardwareAddr,
 * Calico's VTEP MAC, ...): random and locally administered on the real node;
 * here drawn from a per-design counter in the 02:00:00:xx:xx:xx space (the
 * conformance normaliser keeps those verbatim, so fdb/neigh tables compare).
 */
export function agentMac(c: Cluster, design: number): { cluster: Cluster; mac: string } {
  const key = 'common.macSerial';
  const n = designState<number>(c, key, 0) + 1;
  const hex = (v: number): string => (v & 255).toString(16).padStart(2, '0');
  return { cluster: withDesignState(c, key, n), mac: `02:00:00:${hex(design)}:${hex(n >> 8)}:${hex(n)}` };
}

/** The bridge-plugin pod MTU default: the node's uplink MTU. */
export function uplinkMtu(c: Cluster, node: string): number {
  return c.nodes[node]?.mtu ?? 1500;
}
