/**
 * Cluster lifecycle: build, node join/leave/reboot, pods, and the agents'
 * reconcile loop.
 *
 *   let c = buildCluster({ nodes: ['node1', 'node2', 'node3'], design: flannelVxlan() });
 *   c = addPod(c, { name: 'a1', node: 'node1' });
 *   c = addNode(c, 'node4');            // joins; its agent starts (installNode)
 *   c = reconcile(c, { only: ['node4'] }); // only node4's agent has synced: others lag
 *   c = reconcile(c);                   // every agent in sync
 *
 * Who does what (each line is journalled under its actor):
 *   admin              the underlay, node OS configuration (node boot)
 *   kube-controller-manager   podCIDRs (data only: node.spec.podCIDR)
 *   kubelet            pod sandboxes (netns) and the CNI calls (through the design)
 *   <agent>@<node>     the design's DaemonSet agent on that node
 */
import { freshMachine } from '../sim/ops/netns.js';
import { allocateNext, newAllocator, occupy, overlaps, prefixLen, release, nthAddr } from './cidr.js';
import { ClusterError, logEvent, runLines } from './exec.js';
import { NODE_HOST_BASE, nodeBootLines, segmentGateway, segments, underlayLines, UNDERLAY_NS } from './underlay.js';
import type { AgentItem, AgentPlan, Cluster, ClusterSpec, NodeSpec, NodeState, PodState, UnderlaySpec } from './types.js';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

export function underlayOf(c: Cluster | ClusterSpec): UnderlaySpec {
  const spec = 'spec' in c ? c.spec : c;
  return spec.underlay ?? { kind: 'switch' };
}

export function clusterCidr(c: Cluster): string {
  return c.spec.clusterCidr ?? DEFAULT_CLUSTER_CIDR;
}

function emptyCluster(spec: ClusterSpec): Cluster {
  return {
    spec,
    world: freshMachine(spec.seed ?? 1),
    nodes: {},
    nodeOrder: [],
    pods: {},
    podOrder: [],
    cidr: newAllocator(spec.clusterCidr ?? DEFAULT_CLUSTER_CIDR, spec.nodeCidrMaskSize ?? 24),
    journal: [],
    events: [],
    programmed: {},
    designState: {},
    podSerial: 0,
  };
}

/** Build the underlay, join every node (its agent starts), then let every agent reconcile. */
export function buildCluster(spec: ClusterSpec): Cluster {
  let c = emptyCluster(spec);
  c = runLines(c, 'admin', underlayLines(underlayOf(spec), spec.outside ?? true));
  for (const n of spec.nodes) c = addNode(c, n);
  return reconcile(c);
}

function nodeSpecOf(n: string | NodeSpec): NodeSpec {
  return typeof n === 'string' ? { name: n } : n;
}

/** The next free host address of a segment (.11 upwards). */
function nodeAddress(c: Cluster, segment: number): string {
  const cidr = segments(underlayOf(c))[segment]!;
  const taken = new Set(Object.values(c.nodes).map((n) => n.ip));
  for (let h = NODE_HOST_BASE; ; h++) {
    const ip = nthAddr(cidr, h);
    if (!taken.has(ip)) return ip;
  }
}

/**
 * A node joins: it boots (uplink, address, default route), the node controller
 * gives it a podCIDR (if the design uses them), and the design's DaemonSet pod
 * starts on it (installNode). Other agents learn about it at the next reconcile.
 */
export function addNode(c: Cluster, n: string | NodeSpec): Cluster {
  const spec = nodeSpecOf(n);
  if (c.nodes[spec.name]) throw new ClusterError(`node ${spec.name} already exists`);
  if (spec.name.length > 15) throw new ClusterError(`node name ${spec.name} is longer than an interface name (15)`);
  const segs = segments(underlayOf(c));
  const segment = spec.segment ?? c.nodeOrder.length % segs.length;
  if (segment < 0 || segment >= segs.length) throw new ClusterError(`node ${spec.name}: no underlay segment ${segment}`);
  const node: NodeState = {
    name: spec.name,
    ns: spec.name,
    ip: nodeAddress(c, segment),
    prefixLen: prefixLen(segs[segment]!),
    segment,
    gateway: segmentGateway(underlayOf(c), segment),
    mtu: spec.mtu ?? c.spec.mtu ?? 1500,
    agentRunning: true,
    boots: 0,
  };
  let cur: Cluster = { ...c, nodes: { ...c.nodes, [node.name]: node }, nodeOrder: [...c.nodeOrder, node.name] };
  cur = runLines(cur, 'admin', nodeBootLines(node, false));
  if (c.spec.design.usesPodCidr) cur = assignPodCidr(cur, node.name, spec.podCidr);
  // The DaemonSet pod has not started there yet: the node is up but the design has not touched it.
  if (spec.agent === false) return { ...cur, nodes: { ...cur.nodes, [node.name]: { ...cur.nodes[node.name]!, agentRunning: false, agentPending: true } } };
  return c.spec.design.installNode(cur, node.name);
}

/** kube-controller-manager's node IPAM: node.spec.podCIDR (or the hand-set one, occupied). */
function assignPodCidr(c: Cluster, node: string, handSet?: string): Cluster {
  let cidr: string;
  let state = c.cidr;
  if (handSet) {
    cidr = handSet;
    state = occupy(state, handSet);
    const clash = Object.values(c.nodes).find((o) => o.name !== node && o.podCidr && overlaps(o.podCidr, handSet));
    if (clash) c = logEvent(c, 'kube-controller-manager', `node ${node}: podCIDR ${handSet} overlaps node ${clash.name}'s ${clash.podCidr} (set by hand, not by the allocator)`);
  } else {
    const r = allocateNext(state);
    if (!r) return logEvent(c, 'kube-controller-manager', `node ${node}: CIDR allocation failed: the cluster CIDR ${state.clusterCidr} is full`);
    cidr = r.cidr;
    state = r.state;
  }
  return { ...c, cidr: state, nodes: { ...c.nodes, [node]: { ...c.nodes[node]!, podCidr: cidr } } };
}

/** A node leaves (deleted, or lost): its namespace and pods vanish, its podCIDR is released. */
export function removeNode(c: Cluster, name: string): Cluster {
  const node = c.nodes[name];
  if (!node) throw new ClusterError(`no node ${name}`);
  let cur = c;
  const pods = cur.podOrder.filter((p) => cur.pods[p]!.node === name);
  // The machine is gone: deleting the switch port first removes the uplink pair at once
  // (namespace teardown is asynchronous on the kernel).
  cur = runLines(cur, 'admin', [`ip -n ${UNDERLAY_NS} link del ${name}`, `ip netns del ${name}`, ...pods.map((p) => `ip netns del ${cur.pods[p]!.ns}`)]);
  const { [name]: _gone, ...nodes } = cur.nodes;
  const podsLeft = Object.fromEntries(Object.entries(cur.pods).filter(([, p]) => p.node !== name));
  const programmed = Object.fromEntries(Object.entries(cur.programmed).filter(([who]) => !who.endsWith(`@${name}`)));
  cur = {
    ...cur,
    nodes,
    nodeOrder: cur.nodeOrder.filter((n) => n !== name),
    pods: podsLeft,
    podOrder: cur.podOrder.filter((p) => podsLeft[p]),
    programmed,
    cidr: node.podCidr ? release(cur.cidr, node.podCidr) : cur.cidr,
  };
  return cur.spec.design.nodeRemoved ? cur.spec.design.nodeRemoved(cur, name) : cur;
}

/**
 * A node reboots: everything not persistent is lost (devices, routes,
 * iptables, neighbours, pod sandboxes); it boots again, its agent re-installs,
 * and kubelet re-creates its pods (new sandboxes, a CNI ADD each). Other
 * agents see nothing until the next reconcile (a design whose per-node data
 * changed on reboot, like flannel's VTEP MAC, leaves them stale until then).
 */
export function rebootNode(c: Cluster, name: string): Cluster {
  const node = c.nodes[name];
  if (!node) throw new ClusterError(`no node ${name}`);
  const pods = c.podOrder.filter((p) => c.pods[p]!.node === name).map((p) => c.pods[p]!);
  // The NIC's MAC survives the reboot: the other machines' ARP entries for the node stay right.
  const mac = Object.values(c.world.ns[node.ns]?.links ?? {}).find((l) => l.name === 'eth0')?.mac;
  let cur = runLines(c, 'admin', [`ip -n ${UNDERLAY_NS} link del ${name}`, `ip netns del ${name}`, ...pods.map((p) => `ip netns del ${p.ns}`)]);
  const programmed = Object.fromEntries(Object.entries(cur.programmed).filter(([who]) => !who.endsWith(`@${name}`)));
  const rebooted: NodeState = { ...node, boots: node.boots + 1 };
  cur = { ...cur, programmed, nodes: { ...cur.nodes, [name]: rebooted } };
  cur = runLines(cur, 'admin', nodeBootLines(rebooted, false, mac));
  if (!rebooted.agentPending) cur = cur.spec.design.installNode(cur, name);
  for (const p of pods) {
    const { ip: _ip, hostIf: _h, ...bare } = p;
    cur = { ...cur, pods: { ...cur.pods, [p.name]: bare } };
    cur = startPod(cur, p.name);
  }
  return cur;
}

/**
 * Stop or start a node's agent (its DaemonSet pod crash-looping, not scheduled
 * yet...). Starting an agent that never ran on the node (NodeSpec.agent:
 * false) runs the design's installNode first, as the DaemonSet pod's start does.
 */
export function setAgentRunning(c: Cluster, node: string, running: boolean): Cluster {
  const n = c.nodes[node];
  if (!n) throw new ClusterError(`no node ${node}`);
  if (running && n.agentPending) {
    const { agentPending: _p, ...rest } = n;
    return c.spec.design.installNode({ ...c, nodes: { ...c.nodes, [node]: { ...rest, agentRunning: true } } }, node);
  }
  return { ...c, nodes: { ...c.nodes, [node]: { ...n, agentRunning: running } } };
}

/** kubelet creates a pod: its sandbox namespace (lo up, as the CNI loopback plugin does), then CNI ADD. */
export function addPod(c: Cluster, pod: { readonly name: string; readonly node: string }): Cluster {
  if (c.pods[pod.name] || c.nodes[pod.name]) throw new ClusterError(`name ${pod.name} is taken`);
  if (!c.nodes[pod.node]) throw new ClusterError(`no node ${pod.node}`);
  const p: PodState = { name: pod.name, node: pod.node, ns: pod.name, containerId: '' };
  const cur: Cluster = { ...c, pods: { ...c.pods, [p.name]: p }, podOrder: [...c.podOrder, p.name] };
  return startPod(cur, p.name);
}

function startPod(c: Cluster, name: string): Cluster {
  const serial = c.podSerial + 1;
  const p: PodState = { ...c.pods[name]!, containerId: `${name}-${serial}` };
  let cur: Cluster = { ...c, podSerial: serial, pods: { ...c.pods, [name]: p } };
  cur = runLines(cur, 'kubelet', [`ip netns add ${p.ns}`, `ip -n ${p.ns} link set lo up`]);
  return cur.spec.design.addPod(cur, p);
}

/** kubelet deletes a pod: CNI DEL, then the sandbox goes. */
export function deletePod(c: Cluster, name: string): Cluster {
  const p = c.pods[name];
  if (!p) throw new ClusterError(`no pod ${name}`);
  let cur = c.spec.design.deletePod(c, p);
  cur = runLines(cur, 'kubelet', [`ip netns del ${p.ns}`]);
  const { [name]: _gone, ...pods } = cur.pods;
  return { ...cur, pods, podOrder: cur.podOrder.filter((x) => x !== name) };
}

export interface ReconcileOptions {
  /** Only these agents run (by agent name `flanneld@node1`, or by node/namespace name). */
  readonly only?: readonly string[];
  /** These agents do not run (lagging, crashed). */
  readonly skip?: readonly string[];
}

/**
 * The cluster as the agents see it: a node whose agent never started
 * (agentPending) has published nothing yet (flannel's backend-data
 * annotations with its VTEP MAC, a BGP speaker, a CiliumNode), so no agent
 * programs anything for it.
 */
function publishedView(c: Cluster): Cluster {
  const pending = c.nodeOrder.filter((n) => c.nodes[n]!.agentPending);
  if (pending.length === 0) return c;
  const nodes = Object.fromEntries(Object.entries(c.nodes).filter(([n]) => !pending.includes(n)));
  return { ...c, nodes, nodeOrder: c.nodeOrder.filter((n) => !pending.includes(n)) };
}

function selected(plan: AgentPlan, o: ReconcileOptions): boolean {
  const names = [plan.who, plan.ns, plan.who.split('@')[1] ?? ''];
  if (o.only && !o.only.some((x) => names.includes(x))) return false;
  if (o.skip && o.skip.some((x) => names.includes(x))) return false;
  return true;
}

function sameItem(a: AgentItem, b: AgentItem): boolean {
  return a.add.length === b.add.length && a.add.every((l, i) => l === b.add[i]);
}

/**
 * One pass of every (selected) agent's reconcile loop: items no longer wanted
 * are removed (their `del` lines, newest first), changed items re-programmed,
 * new items added, in the plan's order. Agents of nodes whose agent is not
 * running are skipped.
 */
export function reconcile(c: Cluster, o: ReconcileOptions = {}): Cluster {
  let cur = c;
  for (const plan of c.spec.design.plans(publishedView(c))) {
    if (!selected(plan, o)) continue;
    const nodeName = plan.who.split('@')[1];
    if (nodeName && cur.nodes[nodeName] && !cur.nodes[nodeName]!.agentRunning) continue;
    const have = cur.programmed[plan.who] ?? {};
    const want = new Map(plan.items.map((i) => [i.key, i]));
    const next: Record<string, AgentItem> = { ...have };
    const stale = Object.values(have).filter((i) => !want.has(i.key) || !sameItem(i, want.get(i.key)!));
    for (const i of stale.reverse()) {
      cur = runLines(cur, plan.who, i.del);
      delete next[i.key];
    }
    for (const i of plan.items) {
      if (next[i.key]) continue;
      cur = runLines(cur, plan.who, i.add);
      next[i.key] = i;
    }
    cur = { ...cur, programmed: { ...cur.programmed, [plan.who]: next } };
  }
  return cur;
}

/** The pod's address as its sandbox has it (eth0's first global IPv4 address). */
export function podAddress(c: Cluster, pod: string, ifname = 'eth0'): string | undefined {
  const p = c.pods[pod];
  const ns = p && c.world.ns[p.ns];
  if (!ns) return undefined;
  const link = Object.values(ns.links).find((l) => l.name === ifname);
  const a = link?.addrs.find((x) => x.scope === 'global');
  if (!a) return undefined;
  const n = a.local >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Update a pod's record (designs call this after CNI ADD). */
export function withPod(c: Cluster, pod: PodState): Cluster {
  return { ...c, pods: { ...c.pods, [pod.name]: pod } };
}

/** Design state accessor. */
export function designState<T>(c: Cluster, key: string, init: T): T {
  return (c.designState[key] as T | undefined) ?? init;
}

export function withDesignState(c: Cluster, key: string, value: unknown): Cluster {
  return { ...c, designState: { ...c.designState, [key]: value } };
}
