/**
 * Verification (issue #6): does a pod network keep the Kubernetes contract -
 * "every pod reaches every pod, and every node, without NAT, with a unique
 * IP" - on the twin's datapath?
 *
 * The verifier is pure: a VerifyTarget (a world plus who is who in it: nodes,
 * live pods, machines outside the cluster) in, a VerifyReport out. Adapters
 * build targets from a scenario run (src/verify/scenario.ts) and from a
 * src/cluster Cluster (src/verify/cluster.ts).
 */
import type { Ip4, Prefix4 } from '../model/addr.js';
import type { NsName, World } from '../model/world.js';
import type { Trace } from '../sim/trace.js';

/** A host that runs pods (a Kubernetes node, or the machine a `network: none` pod lives on). */
export interface VerifyNode {
  /** Reference used in reports: `node/NAME` or `machine/NAME`. */
  readonly ref: string;
  readonly ns: NsName;
  /** The node's primary address (what `kubectl get node -o wide` calls INTERNAL-IP). */
  readonly ip?: Ip4;
  /** node.spec.podCIDR(s), when the design uses them. */
  readonly podCidrs: readonly Prefix4[];
  /**
   * The node is NotReady, and why (kubelet's reason, e.g. NetworkPluginNotReady:
   * the design's agent has not installed its CNI configuration yet). Kubernetes
   * schedules nothing there and routes no Service traffic to it, so no flow
   * from or to the node or its pods is held against the design: verify says so
   * in a note instead. Static checks (addresses, IPAM, leftovers) still apply.
   */
  readonly notReady?: string;
}

/** A pod with a live sandbox. */
export interface VerifyPod {
  /** `pod/NAME`. */
  readonly ref: string;
  /** The ref of its node (a VerifyNode.ref). */
  readonly node: string;
  readonly ns: NsName;
  /** Its address; undefined: the sandbox exists but has no address (a failed ADD). */
  readonly ip?: Ip4;
  /** hostNetwork pods share the node's namespace: not checked as pods. */
  readonly hostNetwork?: boolean;
}

/** A machine beyond the cluster that pods talk to (a server on the internet). */
export interface VerifyEndpoint {
  readonly ref: string;
  readonly ns: NsName;
  readonly ip: Ip4;
}

/**
 * What the design says about pod traffic leaving the cluster:
 * `masquerade`: it leaves with its node's address; `preserve`: with the
 * pod's own; `any`: either (but never with a third address).
 */
export type EgressIntent = 'masquerade' | 'preserve' | 'any';

export interface VerifyTarget {
  readonly world: World;
  readonly nodes: readonly VerifyNode[];
  readonly pods: readonly VerifyPod[];
  readonly outside: readonly VerifyEndpoint[];
  /**
   * The pod network (the cluster CIDR). Addresses inside it are pod
   * addresses: used to find orphan routes. Default: the nodes' podCIDRs.
   */
  readonly podNetwork?: readonly Prefix4[];
  readonly egress?: EgressIntent;
  /** Name a namespace for reports (`pod/a`, `node/n1`, `machine/router`, `network/lan`). */
  readonly label: (ns: NsName) => string;
}

/** Every reason a verification can fail, by name. */
export const VIOLATION_KINDS = {
  'duplicate-pod-ip': 'two live pods have the same address',
  'overlapping-pod-cidrs': "two nodes' podCIDRs overlap",
  'pod-to-pod-unreachable': "a pod's packet to another pod is not delivered",
  'pod-to-pod-misdelivered': "a pod's packet to another pod arrives in a third namespace",
  'pod-to-pod-nat': 'pod-to-pod traffic is translated (the destination does not see the source pod address)',
  'pod-to-pod-reply-lost': 'the reply between two pods does not come back',
  'node-to-pod-unreachable': "a node's packet to a pod is not delivered",
  'node-to-pod-misdelivered': "a node's packet to a pod arrives in another namespace",
  'node-to-pod-nat': 'node-to-pod traffic is translated',
  'node-to-pod-reply-lost': "a pod's reply to a node does not come back",
  'pod-to-node-unreachable': "a pod's packet to a node is not delivered",
  'pod-to-node-reply-lost': "a node's reply to a pod does not come back",
  'egress-unreachable': 'a pod cannot reach a machine outside the cluster',
  'egress-nat': 'pod traffic leaving the cluster is translated other than the design says',
  'mtu-mismatch': 'a packet of the full pod MTU does not make it along the path (overlay or link MTUs disagree)',
  'ipam-leak': 'an IPAM reservation without a live pod',
  'orphan-veth': 'a host-side veth whose pod is gone (or never got an address)',
  'orphan-route': 'a route to a pod address no live pod has',
  'orphan-chain': 'an iptables chain or rule left behind for a pod that is gone',
  'duplicate-mac': 'two interfaces of one L2 domain have the same MAC',
} as const;

export type ViolationKind = keyof typeof VIOLATION_KINDS;

/** The smallest evidence of a violation: who, the walk, and the entry that decided it. */
export interface Witness {
  /** Sender and receiver (refs), for flows. */
  readonly from?: string;
  readonly to?: string;
  /** Addresses of the flow, as sent. */
  readonly src?: string;
  readonly dst?: string;
  /** What the flow did: delivered / the disposition / "reply lost: ...". */
  readonly outcome?: string;
  /** The request's walk (and the reply's, when it matters). */
  readonly traces?: readonly Trace[];
  /** The route, rule, FDB entry... that decided, as the tool prints it, and where. */
  readonly decidedBy?: { readonly where: string; readonly entry: string };
  /** Facts for non-flow violations (the two pods, the file, the two MACs). */
  readonly facts?: readonly string[];
}

export interface Violation {
  readonly kind: ViolationKind;
  /** One line: what is wrong, with the names. */
  readonly message: string;
  /**
   * The equivalence class the witness stands for, e.g. "pods on node/a (3) ->
   * pods on node/b (2)": every pair of the class behaves like the witness.
   */
  readonly scope?: string;
  readonly witness: Witness;
  /**
   * Machine-readable details (what `podnet fuzz` needs to write a reproducing
   * step): `ns`, `dev`, `ip`, `path`, `table`, `chain`, `rule`, `mac`, `size`...
   */
  readonly data?: Readonly<Record<string, string>>;
}

export interface VerifyStats {
  readonly nodes: number;
  readonly pods: number;
  /** Pod equivalence classes (pods every check treats alike). */
  readonly podClasses: number;
  /** Probes sent through the datapath. */
  readonly probes: number;
  /** Probes answered from the memo (unchanged paths since the last verification). */
  readonly memoHits: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** What was not held against the design: flows denied by explicit rules (network policy), pods without address. */
  readonly notes: readonly string[];
  readonly stats: VerifyStats;
  /** The target's namer of namespaces (for printing the witness walks). */
  readonly label?: (ns: NsName) => string;
}

export interface VerifyOptions {
  /** Skip the datapath probes (static checks only). */
  readonly staticOnly?: boolean;
  /** Count drops by explicit iptables rules (network policy) as violations too. Default false. */
  readonly strictPolicy?: boolean;
  /** Check the full-MTU path (DF ping of the pod's MTU). Default true. */
  readonly mtu?: boolean;
  /** A probe memo shared across verifications of successive worlds (fuzz, --each-step). */
  readonly memo?: ProbeMemo;
  /** Which violation kinds to check (default: all). */
  readonly only?: readonly ViolationKind[];
}

/**
 * A cache of probe results across verifications of worlds that share
 * structure (immer): a result is reused when every namespace its walks
 * touched is the same object as then, or one equal in content (src/model/equal.ts). Create with `new ProbeMemo()`.
 */
export class ProbeMemo {
  /** Probe results by probe, with what each depended on (src/verify/flow.ts `Dep`). */
  readonly entries = new Map<string, { readonly deps: readonly unknown[]; readonly clockMs: number; readonly value: unknown }>();
  hits = 0;
}
