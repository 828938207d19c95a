/**
 * What a container runtime (containerd's CRI plugin, or kubelet's kubenet)
 * remembers about the pods of the twin's nodes: plain data kept in
 * `World.cri`, written by src/cni-emulator/cri.ts. The kernel-side state
 * (namespaces, links, rules) lives in the World itself; this is the
 * runtime's bookkeeping that survives a node reboot (containerd's metadata
 * is on disk), plus each node's CNI setup.
 */
import type { NsName } from './world.js';

export interface CriState {
  readonly nodes: Readonly<Record<string, CriNode>>;
  /** Pod sandboxes by id (64 hex, as containerd makes them). */
  readonly sandboxes: Readonly<Record<string, PodSandbox>>;
  /** Sandbox ids in creation order. */
  readonly sandboxOrder: readonly string[];
  /** Draws so far from the seeded id source (sandbox/container ids, netns names). */
  readonly idCounter: number;
}

/** How a node's pods get their network. */
export type NodeNetwork =
  /** containerd + CNI: loopback plus the first config of confDir (sorted by file name), ifname eth0. */
  | { readonly kind: 'cni' }
  /**
   * kubelet's kubenet (Kubernetes <= 1.23, with dockershim): loopback plus a
   * generated bridge config (cbr0, host-local on the node's podCIDR).
   */
  | {
      readonly kind: 'kubenet';
      /** Bridge MTU (kubenet: the smallest MTU of the node's up, non-loopback interfaces; 1460 without one). */
      readonly mtu: number;
      /** kubelet --hairpin-mode. */
      readonly hairpinMode: 'hairpin-veth' | 'promiscuous-bridge' | 'none';
      /** kubelet --non-masquerade-cidr (default 10.0.0.0/8). */
      readonly nonMasqueradeCIDR: string;
    };

export interface CriNode {
  readonly name: string;
  /** The node's own network namespace (ROOT_NS for the twin machine itself). */
  readonly ns: NsName;
  /** Its filesystem root in world.files ('' = the twin machine's; '/nodes/NAME' otherwise). */
  readonly root: string;
  /** CNI config directory (containerd conf_dir, default /etc/cni/net.d). */
  readonly confDir: string;
  /** CNI plugin directories (containerd bin_dir, default /opt/cni/bin). */
  readonly binDirs: readonly string[];
  /** libcni cache directory (containerd: /var/lib/cni; kubelet's kubenet: /var/lib/cni/cache). */
  readonly cacheDir: string;
  /** spec.podCIDR (from kube-controller-manager's allocator), if assigned. */
  readonly podCIDR?: string;
  readonly network: NodeNetwork;
  /** How many times the node was rebooted. */
  readonly boots: number;
}

/** One CNI network a sandbox was attached to (what teardown calls DEL for). */
export interface SandboxNetwork {
  /** Network (list) name, e.g. "cni-loopback", "mynet", "kubenet". */
  readonly network: string;
  readonly ifName: string;
}

export interface CriPortMapping {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly containerPort: number;
  readonly hostPort: number;
  readonly hostIP: string;
}

export interface CriContainer {
  readonly id: string;
  readonly name: string;
  readonly state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED';
  readonly restartCount: number;
  readonly exitCode?: number;
}

export interface PodSandbox {
  readonly id: string;
  readonly node: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly attempt: number;
  /** The network namespace (a World.ns key) while it exists. */
  readonly netns?: NsName;
  /** CNI_NETNS as given to the plugins (/var/run/netns/cni-...). */
  readonly netnsPath: string;
  readonly state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  /** Pod IPs (IPv4 first), from the eth0 part of the CNI result. */
  readonly ips: readonly string[];
  readonly portMappings: readonly CriPortMapping[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly networks: readonly SandboxNetwork[];
  readonly containers: readonly CriContainer[];
}
