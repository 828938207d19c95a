/**
 * The cluster model (issue #4): Kubernetes nodes as namespaces of one twin
 * world, joined by an underlay, with a pod-network *design* (static routes,
 * flannel, kubenet, Calico, Weave Net, Cilium) that programs every node the
 * way the real project's agent does.
 *
 * Everything a design or the cluster machinery changes on a node is a line of
 * the twin shell (`ip -n node1 route replace ...`, `ip netns exec node1
 * iptables -t nat -A ...`): exactly what an admin or the agent would type, run
 * by the twin (src/shell) and recorded in the cluster's journal. The journal
 * replayed on the real kernel builds the same node state, which is how the
 * designs' kernel conformance scripts (conformance/scripts/35x-*.sh) are made.
 *
 * A Cluster is plain immutable data, like the World it carries.
 */
import type { World } from '../model/world.js';

/** How the nodes' uplinks are connected. */
export type UnderlaySpec =
  /** One L2 segment (a bridge in the `underlay` namespace); the `router` namespace is its gateway. */
  | { readonly kind: 'switch'; readonly cidr?: string }
  /** Several L2 segments joined by the `router` namespace (nodes spread over them). */
  | { readonly kind: 'routed'; readonly subnets?: readonly string[] }
  /**
   * Segments joined by an "internet" router (the `router` namespace) that null-routes the
   * RFC 1918 ranges, as ISPs filter bogons: packets to private (pod) addresses die there.
   */
  | { readonly kind: 'public'; readonly subnets?: readonly string[] };

export interface NodeSpec {
  readonly name: string;
  /** Index of the underlay segment (default: round robin over the segments). */
  readonly segment?: number;
  /** The uplink MTU of this node (default: the cluster's `mtu`). */
  readonly mtu?: number;
  /**
   * A podCIDR set by hand (kubelet `--pod-cidr`, or a restored etcd) instead of
   * the allocator's: it may overlap another node's (a failure mode).
   */
  readonly podCidr?: string;
  /**
   * false: the design's agent (its DaemonSet pod) has not started on the node
   * when it joins (not scheduled yet, image still pulling): nothing of the
   * design is on the node until `setAgentRunning(c, name, true)` runs its
   * installNode. Default true.
   */
  readonly agent?: boolean;
}

export interface ClusterSpec {
  readonly nodes: readonly (string | NodeSpec)[];
  readonly underlay?: UnderlaySpec;
  /** kube-controller-manager --cluster-cidr (default 10.244.0.0/16). */
  readonly clusterCidr?: string;
  /** kube-controller-manager --node-cidr-mask-size (default 24). */
  readonly nodeCidrMaskSize?: number;
  /** Uplink MTU of every node (default 1500). */
  readonly mtu?: number;
  readonly design: Design;
  /** Seed of the twin world (MACs, veth names). */
  readonly seed?: number;
  /** Build the `outside` namespace (a server beyond the router), default true. */
  readonly outside?: boolean;
}

export interface NodeState {
  readonly name: string;
  /** The twin namespace holding the node's root network namespace (= name). */
  readonly ns: string;
  /** The uplink address (eth0). */
  readonly ip: string;
  readonly prefixLen: number;
  readonly segment: number;
  /** The router's address on this node's segment (the default gateway). */
  readonly gateway: string;
  readonly mtu: number;
  /** node.spec.podCIDR (absent for designs with their own IPAM, e.g. Calico, Weave). */
  readonly podCidr?: string;
  /** The node runs its design agent (false: the DaemonSet pod is not running there). */
  readonly agentRunning: boolean;
  /** The agent has never started on this node (NodeSpec.agent: false): installNode has not run yet. */
  readonly agentPending?: boolean;
  /** How many times the node booted (0 at join). */
  readonly boots: number;
}

export interface PodState {
  readonly name: string;
  readonly node: string;
  /** The pod sandbox's namespace (= name). */
  readonly ns: string;
  /** The sandbox id given to CNI (CNI_CONTAINERID). */
  readonly containerId: string;
  readonly ip?: string;
  /** Host-side interface of the pod (veth end on the node). */
  readonly hostIf?: string;
}

/** One shell line run on behalf of an actor (the journal of everything done to the world). */
export interface JournalEntry {
  /** Who typed it: `admin`, `kubelet`, `flanneld@node1`, `route-controller`, ... */
  readonly who: string;
  /** The line (a here-document line includes its body and terminator). */
  readonly line: string;
  readonly status: number;
  /** What it printed (stdout and stderr merged). */
  readonly output: string;
}

/** Something an agent reported (a failed command, a session state change). */
export interface ClusterEvent {
  readonly who: string;
  readonly message: string;
}

/** One item an agent keeps programmed: added with `add`, removed with `del`. */
export interface AgentItem {
  /** Stable identity of the item (e.g. `lease/node2`); a changed `add` re-programs it. */
  readonly key: string;
  readonly add: readonly string[];
  /** Lines that undo `add` (run when the item is no longer wanted). */
  readonly del: readonly string[];
}

/** What an agent (a DaemonSet pod on a node, or a cluster controller) wants programmed. */
export interface AgentPlan {
  /** The agent's name, e.g. `flanneld@node1`. */
  readonly who: string;
  /** The namespace it programs (the node, or the router for the cloud route controller). */
  readonly ns: string;
  /** Items in the order they are added (removal runs in reverse). */
  readonly items: readonly AgentItem[];
}

export interface Cluster {
  readonly spec: ClusterSpec;
  readonly world: World;
  readonly nodes: Readonly<Record<string, NodeState>>;
  /** Node names in join order. */
  readonly nodeOrder: readonly string[];
  readonly pods: Readonly<Record<string, PodState>>;
  readonly podOrder: readonly string[];
  /** The podCIDR allocator (kube-controller-manager's range allocator). */
  readonly cidr: CidrAllocatorState;
  readonly journal: readonly JournalEntry[];
  readonly events: readonly ClusterEvent[];
  /** What each agent has programmed so far, by agent name then item key. */
  readonly programmed: Readonly<Record<string, Readonly<Record<string, AgentItem>>>>;
  /** Design-specific state (IPAM blocks, BGP sessions, VTEP MACs...), owned by the design. */
  readonly designState: Readonly<Record<string, unknown>>;
  /** How many pods were created so far (container ids). */
  readonly podSerial: number;
}

export interface CidrAllocatorState {
  readonly clusterCidr: string;
  readonly maskSize: number;
  /** Indexes of the subnets in use. */
  readonly used: readonly number[];
  /** cidr_set.go's nextCandidate: allocation rotates from here. */
  readonly next: number;
}

/**
 * A pod-network design: what its installation puts on every node and how its
 * agents reconcile when nodes and pods come and go.
 */
export interface Design {
  /** e.g. `flannel-vxlan`, `calico-bgp`. */
  readonly name: string;
  /** The design uses node.spec.podCIDR (kube-controller-manager --allocate-node-cidrs). */
  readonly usesPodCidr: boolean;
  /**
   * The underlay MTU minus this design's encapsulation overhead: the MTU pods get.
   */
  podMtu(c: Cluster, node: string): number;
  /** Node-local state when the design's agent starts on `node` (devices, sysctls, iptables). */
  installNode(c: Cluster, node: string): Cluster;
  /** What every agent of the design wants programmed now (the reconcile loop's target). */
  plans(c: Cluster): readonly AgentPlan[];
  /** Create the pod's network (the CNI ADD kubelet runs). Returns the cluster with the pod's ip/hostIf set. */
  addPod(c: Cluster, pod: PodState): Cluster;
  /** CNI DEL. */
  deletePod(c: Cluster, pod: PodState): Cluster;
  /** Design bookkeeping when a node leaves (release IPAM, close sessions). Optional. */
  nodeRemoved?(c: Cluster, node: string): Cluster;
}
