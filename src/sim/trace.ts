/**
 * A trace is data: the hops a packet took, each a list of steps with the entry
 * that decided it, ending in a disposition from a fixed vocabulary.
 */
import type { NsName } from '../model/world.js';

/**
 * Final outcome of a packet's walk through the twin.
 * denied_in: a rule dropped it on the receiving side (PREROUTING, INPUT, FORWARD);
 * denied_out: on the sending side (OUTPUT, POSTROUTING).
 */
export type Disposition =
  | 'delivered'
  | 'exits_network'
  | 'no_route'
  | 'null_routed'
  | 'unreachable'
  | 'prohibited'
  | 'neighbor_unreachable'
  | 'denied_in'
  | 'denied_out'
  | 'ttl_exceeded'
  | 'loop'
  | 'forwarding_disabled'
  | 'rp_filter'
  | 'frag_needed'
  | 'link_down'
  | 'martian'
  | 'port_unreachable'
  | 'rejected';

export const SUCCESS_DISPOSITIONS: readonly Disposition[] = ['delivered', 'exits_network'];

/** The L3/L4 header fields a trace shows (before/after NAT). */
export interface HeaderView {
  readonly src: string;
  readonly dst: string;
  readonly proto: 'icmp' | 'tcp' | 'udp' | number;
  readonly ttl: number;
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly len: number;
}

export type StepKind =
  | 'output' // locally generated: route lookup + source selection
  | 'route' // routing decision (input or output)
  | 'netfilter' // a hook traversal
  | 'nat' // a translation (before/after)
  | 'conntrack'
  | 'neighbour' // neighbour table lookup / ARP resolution
  | 'arp' // an ARP message received or sent
  | 'transmit' // leaving a device
  | 'receive' // arriving on a device
  | 'bridge' // FDB lookup / learn / flood
  | 'encap' // VXLAN encapsulation
  | 'decap'
  | 'rp_filter'
  | 'forward'
  | 'deliver' // local delivery to a socket / ICMP responder
  | 'icmp' // an ICMP error generated
  | 'martian' // martian source/destination check
  | 'mtu' // MTU / path-MTU check
  | 'drop';

export interface Step {
  readonly kind: StepKind;
  /** What happened, in a student's words: "route lookup: 10.0.1.0/24 via 10.0.0.1 dev eth0". */
  readonly action: string;
  /** The deciding entry, printed as the tool would print it (an `ip route` line, a rule in -S form, an FDB line). */
  readonly entry?: string;
  readonly before?: HeaderView;
  readonly after?: HeaderView;
}

export interface Hop {
  readonly ns: NsName;
  /** Device the packet arrived on (undefined for locally generated). */
  readonly inDev?: string;
  readonly outDev?: string;
  readonly steps: readonly Step[];
  /**
   * The hop carried only a side trip of the walk (an ARP frame, or a frame
   * carrying one, e.g. an ARP broadcast flooded into a VXLAN overlay), not
   * the walk's own packet. Absent on the packet's hops.
   */
  readonly side?: true;
}

export interface Trace {
  /** What was sent: "ICMP echo 10.0.0.1 -> 10.0.0.2 ttl 64". */
  readonly title: string;
  readonly hops: readonly Hop[];
  readonly disposition: Disposition;
  /** Where it ended (namespace) and why, one line. */
  readonly endedIn: NsName;
  readonly reason: string;
}
