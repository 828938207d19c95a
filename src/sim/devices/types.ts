/**
 * One handler per device kind (loopback, veth, bridge, vxlan): what happens
 * when the stack transmits a frame out of a device of that kind, and what
 * happens when a frame arrives at it. The engine (src/sim/datapath) calls
 * these; it never switches on the kind itself.
 *
 * Handlers act on the draft world held by the engine (`env`), may record trace
 * steps, and hand frames on through `env` (never by calling each other
 * directly), so the engine can count hops and detect loops.
 */
import type { Draft } from 'immer';
import type { Ip4 } from '../../model/addr.js';
import type { Link, Netns, NsName, World } from '../../model/world.js';
import type { Frame, Ipv4Packet } from '../packet.js';
import type { Step } from '../trace.js';

export interface DpEnv {
  /** The world being changed by this packet walk (learning, counters, conntrack). */
  readonly world: Draft<World>;
  ns(name: NsName): Draft<Netns>;
  /** Current time (ms) of the twin's clock. */
  readonly now: number;
  /** Record a step on the current hop. */
  step(s: Step): void;
  /** A frame arrives on device `ifindex` of namespace `ns` (netif_receive_skb): starts a new hop. */
  receive(ns: NsName, ifindex: number, frame: Frame): void;
  /** Transmit a frame out of a device (dev_queue_xmit), e.g. a bridge forwarding to a port. */
  transmit(ns: NsName, ifindex: number, frame: Frame): void;
  /** Hand an IP packet to the IP layer's local output of `ns` (e.g. VXLAN's encapsulated UDP packet). */
  ipOutput(ns: NsName, pkt: Ipv4Packet, opts?: { readonly oif?: number; readonly srcHint?: Ip4 }): void;
  /** Deliver a frame up to the IP/ARP layer of `ns` as received on `ifindex` (after bridge/decap). */
  stackReceive(ns: NsName, ifindex: number, frame: Frame): void;
  /** Stop the walk with a final disposition (e.g. link_down, loop). */
  drop(disposition: import('../trace.js').Disposition, reason: string): void;
}

export interface DeviceHandler<L extends Link = Link> {
  /** The stack (or a bridge) sends `frame` out of `link`. */
  xmit(env: DpEnv, ns: NsName, link: L, frame: Frame): void;
  /**
   * A frame arrived at `link` (after the link's own rx). Default for most
   * kinds: if the link is a bridge port, the bridge handles it; otherwise it
   * goes up the stack. Kinds with special rx (bridge itself) override.
   */
  rx?(env: DpEnv, ns: NsName, link: L, frame: Frame): void;
}
