/**
 * The world: plain immutable data describing every network namespace of the
 * twin machine(s). Nothing here has behaviour; operations live in src/sim/ops
 * and return a new World (made with immer) or a typed error.
 *
 * Naming: a namespace is addressed by name; the initial namespace of the twin
 * machine is ROOT_NS ('/' can never be an `ip netns` name).
 */
import type { Ip4, Mac, Prefix4 } from './addr.js';
import type { NetfilterState, ConntrackEntry } from './netfilter.js';

export type NsName = string;
export const ROOT_NS: NsName = '/';

export interface World {
  readonly ns: Readonly<Record<NsName, Netns>>;
  /** Named namespaces in creation order (`ip netns list` prints newest first). */
  readonly nsOrder: readonly NsName[];
  /** Seed for every "random" choice (MACs, veth names). */
  readonly seed: number;
  /** How many MACs were drawn so far: the next MAC is seededMac(seed, macCounter). */
  readonly macCounter: number;
  /** The twin's clock in milliseconds; only `sleep` and probes advance it. */
  readonly clockMs: number;
  /** The twin's filesystem (here-documents, CNI configs, IPAM store). Path -> content. */
  readonly files: Readonly<Record<string, string>>;
  /** The sysctl profile new namespaces start from (see src/model/sysctl-defaults.ts). */
  readonly sysctlDefaults: Readonly<Record<string, string>>;
}

export interface Netns {
  readonly name: NsName;
  /** Links by ifindex. */
  readonly links: Readonly<Record<number, Link>>;
  /** Next ifindex to hand out in this namespace (the kernel's per-netns counter). */
  readonly nextIfindex: number;
  /** Every route of every table (order irrelevant: printers sort as the kernel dumps). */
  readonly routes: readonly Route[];
  readonly neigh: readonly Neigh[];
  /** Namespace-wide sysctls, full keys (`net.ipv4.ip_forward`), including conf.all/conf.default. */
  readonly sysctl: Readonly<Record<string, string>>;
  readonly netfilter: NetfilterState;
  readonly conntrack: readonly ConntrackEntry[];
  /** netnsid this namespace assigned to other namespaces (`link-netnsid`), by peer name. */
  readonly peerIds: Readonly<Record<NsName, number>>;
  /** Sockets listening in this namespace (nc -l). */
  readonly listeners: readonly Listener[];
}

export type LinkKind = 'loopback' | 'veth' | 'bridge' | 'vxlan';

export interface LinkCommon {
  readonly ifindex: number;
  readonly name: string;
  readonly mtu: number;
  readonly mac: Mac;
  /** `ip link set X up` (IFF_UP). Carrier is derived (see src/model/queries.ts). */
  readonly adminUp: boolean;
  /** ifindex of the bridge this link is enslaved to (`master br0`). */
  readonly master?: number;
  readonly txqlen: number;
  readonly promisc: boolean;
  /** Addresses in the order the kernel keeps them (primary before secondaries). */
  readonly addrs: readonly IfAddr[];
  /** Per-interface `net.ipv4.conf.<ifname>.*` values (copied from conf.default at creation). */
  readonly conf: Readonly<Record<string, string>>;
  /** Bridge-port settings, present while enslaved to a bridge. */
  readonly brport?: BridgePort;
  /** ifindex in the namespace where this link was created, kept for `@ifN` printing of peers. */
  readonly alias?: string;
}

export interface LoopbackLink extends LinkCommon {
  readonly kind: 'loopback';
}

export interface VethLink extends LinkCommon {
  readonly kind: 'veth';
  readonly peer: { readonly ns: NsName; readonly ifindex: number };
}

export interface BridgeLink extends LinkCommon {
  readonly kind: 'bridge';
  /** Forwarding database of the bridge (`bridge fdb show br X`, "master" entries). */
  readonly fdb: readonly FdbEntry[];
  readonly ageingTimeCs: number;
  readonly stp: boolean;
  readonly forwardDelayCs: number;
  readonly vlanFiltering: boolean;
  /** The bridge's MAC was set explicitly (otherwise it follows its ports, as Linux does). */
  readonly macSet: boolean;
}

export interface VxlanLink extends LinkCommon {
  readonly kind: 'vxlan';
  readonly vni: number;
  readonly local?: Ip4;
  /** Default remote (`remote`/`group`). */
  readonly remote?: Ip4;
  /** Underlay device ifindex (`dev`). */
  readonly dev?: number;
  readonly dstport: number;
  readonly srcportMin: number;
  readonly srcportMax: number;
  readonly learning: boolean;
  readonly ttl: number;
  /** The device's own FDB ("self" entries, with dst). */
  readonly fdb: readonly FdbEntry[];
}

export type Link = LoopbackLink | VethLink | BridgeLink | VxlanLink;

export interface BridgePort {
  readonly hairpin: boolean;
  readonly learning: boolean;
  readonly flood: boolean;
  readonly state: 'forwarding' | 'disabled' | 'blocking' | 'listening' | 'learning';
  readonly cost: number;
  readonly priority: number;
}

export interface FdbEntry {
  readonly mac: Mac;
  /** Port (for bridge entries) or the device itself (self entries). */
  readonly ifindex: number;
  readonly vlan?: number;
  /** permanent = local/static added as permanent; static = `static`; dynamic = learned. */
  readonly state: 'permanent' | 'static' | 'dynamic';
  /** Entry belongs to the bridge's table (master) or the device's own (self). */
  readonly self: boolean;
  /** VXLAN remote VTEP. */
  readonly dst?: Ip4;
  /** Clock (ms) when learned or refreshed, for ageing. */
  readonly updatedMs: number;
  /** Added by the kernel for the port's own address (`bridge fdb` shows "permanent"). */
  readonly local?: boolean;
}

export type AddrScope = 'global' | 'link' | 'host' | 'site' | number;

export interface IfAddr {
  readonly local: Ip4;
  readonly prefixLen: number;
  readonly peer?: Ip4;
  readonly broadcast?: Ip4;
  readonly scope: AddrScope;
  readonly label: string;
  /** `noprefixroute`: no connected route is added. */
  readonly noprefixroute: boolean;
}

export const TABLE_DEFAULT = 253;
export const TABLE_MAIN = 254;
export const TABLE_LOCAL = 255;

export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'multicast'
  | 'anycast';

export type RouteScope = 'global' | 'link' | 'host' | 'site' | 'nowhere' | number;

/** `proto`: kernel, boot, static, dhcp, bird, ... or a number. */
export type RouteProto = string | number;

export interface Route {
  readonly table: number;
  readonly type: RouteType;
  readonly dst: Prefix4;
  readonly tos: number;
  readonly gateway?: Ip4;
  readonly dev?: number;
  readonly scope: RouteScope;
  readonly proto: RouteProto;
  readonly prefsrc?: Ip4;
  readonly metric: number;
  readonly onlink: boolean;
  readonly mtu?: number;
  /** Set on kernel routes while their device has no carrier (`linkdown`). Derived when printing. */
}

export type NeighState =
  | 'PERMANENT'
  | 'NOARP'
  | 'REACHABLE'
  | 'STALE'
  | 'DELAY'
  | 'PROBE'
  | 'INCOMPLETE'
  | 'FAILED'
  | 'NONE';

export interface Neigh {
  readonly ifindex: number;
  readonly dst: Ip4;
  readonly lladdr?: Mac;
  readonly state: NeighState;
  /** `ip neigh add proxy ADDR dev X`: a proxy entry (pneigh table). */
  readonly proxy: boolean;
  readonly router: boolean;
  /** Clock (ms) when confirmed/updated. */
  readonly updatedMs: number;
}

export interface Listener {
  readonly proto: 'tcp' | 'udp';
  /** 0 = any address. */
  readonly addr: Ip4;
  readonly port: number;
  /** Which script line started it (for attributing output). */
  readonly owner: string;
  /** Keep listening after the first connection (nc -k). */
  readonly keep: boolean;
}
