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
import type { CriState } from './cri.js';

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
  /**
   * The container runtime's records of the twin's Kubernetes nodes and pod
   * sandboxes (src/model/cri.ts, written by src/cni-emulator/cri.ts). Absent
   * until a node is registered.
   */
  readonly cri?: CriState;
  /**
   * What a world imported from a real node (src/import, `podnet import`) could
   * not model: each says where it applies, so a trace crossing that namespace,
   * device or iptables table can list it. Absent for worlds built by commands.
   */
  readonly assumptions?: readonly Assumption[];
}

/** Something the twin models differently from the imported node (see World.assumptions). */
export interface Assumption {
  /** `warn`: may change what a packet does; `info`: cannot (IPv6 link-locals, counters...). */
  readonly severity: 'warn' | 'info';
  /** The node (bundle) it came from. */
  readonly node: string;
  /** The twin namespace it applies to. */
  readonly ns: NsName;
  /** The device it applies to (a name in `ns`), if any. */
  readonly dev?: string;
  /** The iptables table it applies to, if any. */
  readonly table?: string;
  /** The destinations it applies to (`10.200.0.0/16`: a route not imported), if only some. */
  readonly prefix?: string;
  /** What part of the node: link, address, route, rule, neighbour, fdb, netfilter, sysctl, ipv6, underlay, cni, kube, fidelity. */
  readonly area: string;
  /** What the node has, and what the twin does instead. */
  readonly text: string;
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
  /**
   * Ids of the routing tables that exist besides local and main (fib_new_table() creates a
   * table on the first route added to it; it is never freed while the namespace lives).
   * `ip route show table N` of a missing table fails. Absent = none.
   */
  readonly fibTables?: readonly number[];
  /** Sockets listening in this namespace (nc -l). */
  readonly listeners: readonly Listener[];
  /**
   * Path-MTU exceptions learnt from ICMP "frag needed" (the kernel's fib
   * nexthop exceptions, shown by `ip route get` as `cache expires Nsec mtu M`).
   * Written by the datapath (src/sim/datapath/pmtu.ts). Absent = none.
   */
  readonly pmtu?: readonly PmtuException[];
  /**
   * ICMP error rate-limit state per destination address (inet_peer
   * rate_tokens/rate_last, used by icmpv4_xrlim_allow and ip_error).
   * Written by the datapath (src/sim/datapath/icmp.ts). Absent = fresh.
   */
  readonly icmpPeers?: Readonly<Record<number, IcmpPeer>>;
  /**
   * Route exceptions learnt from ICMP redirects (a fib_nh_exception with fnhe_gw; `ip route get`
   * shows `via GW ... cache <redirected> expires Nsec`). Written by src/sim/datapath/redirect.ts.
   * Absent = none.
   */
  readonly redirects?: readonly RedirectException[];
}

export interface RedirectException {
  readonly dst: Ip4;
  /** The new gateway the redirect named. */
  readonly gw: Ip4;
  /** The nexthop the exception hangs on: packets the FIB sends via `via` on `dev` use `gw`. */
  readonly via: Ip4;
  readonly dev: number;
  /** Clock (ms) when it expires (learnt + ip_rt_gc_timeout, 300 s). */
  readonly expiresMs: number;
}

export interface PmtuException {
  readonly dst: Ip4;
  readonly mtu: number;
  /** Clock (ms) when the exception expires (learnt + net.ipv4.route.mtu_expires, 600 s). */
  readonly expiresMs: number;
}

export interface IcmpPeer {
  /** Tokens in ms (the kernel counts jiffies). */
  readonly tokens: number;
  /** Clock (ms) of the last update. */
  readonly lastMs: number;
  /** ICMP redirects sent to this peer since the last silence (n_redirects, ip_rt_send_redirect). Absent = 0. */
  readonly redirects?: number;
  /**
   * Clock (ms) of the last redirect decision (the kernel shares rate_last with the error limiter;
   * the twin keeps its own, because it rate-limits an error due later - after an ARP failure - when
   * the walk runs, with that later time). Absent = never.
   */
  readonly redirectMs?: number;
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
  /** `ip link set X alias TEXT` (IFLA_IFALIAS), printed as `alias TEXT`. */
  readonly alias?: string;
  /**
   * The qdisc attached when the device first went up (dev_activate(): `noqueue` for these
   * virtual devices). Absent: never up, the kernel shows `qdisc noop`. Never reset on down.
   */
  readonly qdisc?: 'noqueue';
  /**
   * The operstate default_operstate() computed at the device's last carrier loss (it runs only
   * on carrier events, so `ip link set X up` without carrier shows this stale value):
   * LOWERLAYERDOWN or DOWN. Shown while up without carrier. Absent: derive from iflink.
   */
  readonly noCarrierOper?: 'DOWN' | 'LOWERLAYERDOWN';
  /**
   * Keys of `conf` written explicitly for this device (`sysctl -w net.ipv4.conf.X.k=v`): a later
   * write to conf.default.k no longer reaches them (devinet_copy_dflt_conf() skips keys whose
   * IPV4_DEVCONF state bit is set). Absent = none. Maintained by src/shell/sysctl.ts.
   */
  readonly confSet?: readonly string[];
  /**
   * `net.ipv6.conf.<ifname>.*` values this device holds (copied from conf.default at creation when
   * the default had been changed, or written). Missing keys read as the namespace's default.
   * The twin models IPv6 only as far as disable_ipv6 and the link-local's multicast entries.
   */
  readonly conf6?: Readonly<Record<string, string>>;
  /**
   * `net.ipv4.neigh.<ifname>.*` values written for this device (`sysctl -w`), as the kernel stores
   * them in neigh_parms: by variable (proxy_delay, retrans_time, base_reachable_time, unres_qlen_bytes,
   * ...), times in jiffies at HZ=250. Missing variables hold the defaults. See src/sim/ops/sysctl.ts.
   */
  readonly neigh4?: Readonly<Record<string, number>>;
  /** The same for `net.ipv6.neigh.<ifname>.*`. */
  readonly neigh6?: Readonly<Record<string, number>>;
  /**
   * Link-layer side effects of past up/down/carrier transitions (addrconf's link-local, the
   * device multicast list `bridge fdb show` prints as "self permanent"); maintained by
   * settleLinks() in src/sim/ops/mcast.ts. Absent on a link nothing has settled yet.
   */
  readonly l2?: L2State;
}

/** See LinkCommon.l2 and src/sim/ops/mcast.ts. */
export interface L2State {
  /** IFF_UP when last settled. */
  readonly up: boolean;
  /** Up with carrier when last settled (addrconf_link_ready()). */
  readonly ready: boolean;
  /** The MAC the IPv6 link-local (fe80::/64, EUI-64) was derived from, while that address exists. */
  readonly ll6?: Mac;
  /** dev->mc: the device's multicast addresses in the kernel's list order. */
  readonly mc: readonly Mac[];
  /** Clock (ms) when the device last went up (bridge gc_timer). */
  readonly upSinceMs?: number;
  /** dev->uc: unicast addresses added with `bridge fdb add MAC dev X [self]` ("self permanent"). */
  readonly uc?: readonly Mac[];
  /**
   * dev->uc_promisc: a device without unicast filtering (veth: no IFF_UNICAST_FLT) goes
   * promiscuous (+1 promiscuity) while its uc list is non-empty. __dev_set_rx_mode() recomputes
   * it only while the device is up (at `link set up`, and at each uc change while up), so it
   * sticks while the device is down (checked on the kernel). Absent = false.
   */
  readonly ucPromisc?: boolean;
  /** Clock (ms) when the link-local appeared; its DAD/MLD frames count as sent one second later. */
  readonly ll6Ms?: number;
  /** The link-local's first frames (DAD, MLD, RS) were sent: bridges/VXLAN peers learned the MAC. */
  readonly chatted?: boolean;
  /** A bridge's first IGMP report (224.0.0.106) of this up period was sent (src/sim/ops/mcast.ts). */
  readonly igmpReported?: boolean;
  /**
   * IGMPv3 sends an unsolicited report robustness (2) times, the repeat at a random delay of up to
   * unsolicited_report_interval (1 s): the twin sends it at the latest time (one second after the
   * bridge came up), so a peer has always learned the bridge's MAC by then (and never before).
   */
  readonly igmpRepeatMs?: number;
  /**
   * The link-local was deleted while the device stayed up (`ip addr flush dev X`; seen in imported
   * nodes): addrconf makes no new one until the device goes down and up again. Absent = false.
   */
  readonly ll6Removed?: boolean;
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
  /**
   * False for a bridge no port event has touched yet: it keeps the carrier every new netdev
   * starts with (`ip link set br0 up` shows LOWER_UP, state UNKNOWN). Once br_port_state_selection()
   * ran (a port joined or left, or the bridge id/MAC changed) the carrier is "some port forwarding".
   * See bridgeCarrier() in src/sim/ops/bridge.ts. Absent = false.
   */
  readonly carrierFromPorts?: boolean;
  /** `mcast_snooping` (default on): joins 224.0.0.106/ff02::6a when up. Absent = true. */
  readonly mcastSnooping?: boolean;
  /** The MAC the bridge's own local FDB entry was made for (see reconcileBridgesDraft). */
  readonly localMac?: Mac;
  /** Clock (ms) when a new ageing_time rescheduled the FDB garbage collector (`gc_timer`). */
  readonly gcBaseMs?: number;
  /** The MTU br_mtu_auto_adjust() last gave the bridge (the smallest port MTU); see reconcileBridgesDraft. */
  readonly mtuAuto?: number;
  /** The MTU was set by the user after that (BROPT_MTU_SET_BY_USER): no more auto-adjusting. */
  readonly mtuByUser?: boolean;
  /**
   * A port joined at least once: br_set_gso_limits() ran, and the bridge keeps its result
   * (tso_max_size 524280 with no ports left; a bridge that never had a port shows 65536).
   * Absent = false.
   */
  readonly hadPorts?: boolean;
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
  /** Outer TTL; 0 = `ttl auto` (net.ipv4.ip_default_ttl). */
  readonly ttl: number;
  /** `ttl inherit`: the outer TTL copies the inner packet's. */
  readonly ttlInherit?: boolean;
  /** Outer TOS (`tos`); 0 unless set. `inherit` is not modelled. */
  readonly tos?: number;
  /** FDB ageing of learned entries in seconds (`ageing`, default 300). */
  readonly ageingS?: number;
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
  /** Port number in its bridge (find_portno(): lowest free from 1); port_id = priority << 10 | portNo. */
  readonly portNo?: number;
  /** The port MAC its local FDB entry was made for (a later MAC change moves the entry: br_fdb_changeaddr). */
  readonly localMac?: Mac;
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
  /**
   * Clock (ms) when a frame was last forwarded to this entry (fdb->used, set by
   * br_handle_frame_finish() for a known unicast destination; `bridge -s fdb` prints
   * "used <since used>/<since updated>"). Absent: the same as updatedMs (fdb_create()
   * sets both; a refresh as a source moves only `updated`).
   */
  readonly usedMs?: number;
  /** Added by the kernel for the port's own address (`bridge fdb` shows "permanent"). */
  readonly local?: boolean;
  /** VXLAN: the underlay device of this remote (`via eth0`, the vxlan's `dev` for its default entry). */
  readonly via?: number;
  /** Added by the user (`bridge fdb add ... master`): never aged, printed with its state. */
  readonly user?: boolean;
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
