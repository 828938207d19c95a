/**
 * The diagram model: a compound graph (@dagrejs/graphlib) of boxes (a node or
 * machine), namespaces inside them, devices inside namespaces, and the links
 * between devices (veth pairs, bridge ports, VXLAN tunnels). Writers turn it
 * into DOT (then SVG) or Mermaid; the web page uses the same keys to light up
 * a trace hop by hop. Pure data: no DOM, no filesystem.
 */
import type { Graph } from '@dagrejs/graphlib';
import type { NsName } from '../model/world.js';
import type { Disposition, Hop, HeaderView, Step } from '../sim/trace.js';

/** What a namespace stands for in the picture. */
export type PlaceKind = 'pod' | 'node' | 'machine' | 'network' | 'lab' | 'netns' | 'host';

/** Where a namespace is drawn and what it is called. */
export interface NsPlace {
  readonly kind: PlaceKind;
  /** The scenario name (pod/node/... name) or the netns name. */
  readonly name: string;
  /** The box (a node or machine) the namespace is drawn in; none = at top level. */
  readonly group?: string;
}

/** A box: a Kubernetes node or a machine holding namespaces. */
export interface BoxLabel {
  readonly type: 'box';
  readonly kind: 'node' | 'machine';
  readonly name: string;
  readonly label: string;
}

export interface NsLabel {
  readonly type: 'ns';
  readonly ns: NsName;
  readonly place: NsPlace;
  readonly label: string;
}

export type DeviceKind = 'loopback' | 'veth' | 'bridge' | 'vxlan' | 'external';

export interface DeviceLabel {
  readonly type: 'dev';
  readonly ns: NsName;
  readonly ifindex: number;
  readonly name: string;
  readonly kind: DeviceKind;
  /** `10.244.1.2/24`, primary first. */
  readonly addrs: readonly string[];
  readonly up: boolean;
  /** The MAC and MTU, for the tooltip (absent on an outside VTEP). */
  readonly mac?: string;
  readonly mtu?: number;
  /** vxlan: `vni 42`; bridge: its port count; external: what it is. */
  readonly detail?: string;
}

export type NodeLabel = BoxLabel | NsLabel | DeviceLabel;

export type LinkKind = 'veth' | 'port' | 'tunnel';

export interface EdgeLabel {
  readonly kind: LinkKind;
  /** Shown on the edge (tunnels: `VXLAN vni 42`). */
  readonly label?: string;
}

export type DiagramGraph = Graph<{ title?: string }, NodeLabel, EdgeLabel>;

/** An edge's stable key: `v|w|name` (graphlib's multigraph triple). */
export type EdgeKey = string;

/** One numbered hop of the packet (consecutive trace hops in one namespace merge). */
export interface HopMark {
  /** 1-based. */
  readonly n: number;
  readonly ns: NsName;
  /** Node keys lit at this hop: the namespace and the devices the packet touched. */
  readonly nodes: readonly string[];
  /** Edge keys the packet left this hop along. */
  readonly edges: readonly EdgeKey[];
  /** Indexes into the trace's hops that make up this numbered hop. */
  readonly traceHops: readonly number[];
}

/** A trace drawn on the diagram. */
export interface TraceOverlay {
  readonly title: string;
  readonly disposition: Disposition;
  readonly reason: string;
  readonly endedIn: NsName;
  readonly hops: readonly HopMark[];
}

export interface Diagram {
  readonly graph: DiagramGraph;
  readonly overlay?: TraceOverlay;
}

/** A trace hop as the stepper shows it: the deciding entries and the headers around NAT. */
export interface HopView {
  readonly index: number;
  /** The numbered hop it belongs to; undefined for an ARP side trip. */
  readonly n?: number;
  readonly ns: NsName;
  readonly place: string;
  readonly inDev?: string;
  readonly outDev?: string;
  readonly steps: readonly Step[];
  /** The packet as it arrived (or was sent) and as it left, when NAT changed it. */
  readonly before?: HeaderView;
  readonly after?: HeaderView;
  readonly hop: Hop;
}
