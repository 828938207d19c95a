/**
 * One handler per device kind (loopback, veth, bridge, vxlan): what happens
 * when the stack transmits a frame out of a device of that kind, and what
 * happens when a frame arrives at it. The engine (src/sim/datapath) calls
 * these; it never switches on the kind itself.
 *
 * Handlers act on the draft world held by the engine (`env`), may record trace
 * steps, and hand frames on through `env` (never by calling each other
 * directly), so the engine can count hops and detect loops.
 *
 * NOTE for the bridge/vxlan handlers (contract owned by the datapath engine,
 * src/sim/datapath/engine.ts implements DpEnv; register handlers in
 * src/sim/devices/index.ts):
 * - A frame arriving on a device enslaved to a bridge (`link.master`) is given
 *   to the *master's* handler: `portRx(env, ns, bridge, port, frame)`
 *   (netdev_rx_handler, br_handle_frame). The engine has already checked the
 *   port is up. The bridge forwards with `env.transmit(ns, portIfindex, f)`
 *   and delivers to its own IP stack with `env.stackReceive(ns, bridgeIfindex, f)`
 *   (the engine then filters by destination MAC against the bridge's MAC).
 * - `xmit` on the bridge device itself (the host sends out of br0): FDB lookup,
 *   then `env.transmit` to the port(s).
 * - br_netfilter: for IPv4 frames crossing the bridge call
 *   `env.brNetfilter(ns, hook, frame, devs)` at PREROUTING (port ingress),
 *   FORWARD (port to port) and POSTROUTING (port egress), and LOCAL_IN
 *   deliveries go through the normal stack. It returns the frame to continue
 *   with (possibly NATed) or undefined when dropped (the engine has recorded
 *   the step and the disposition). It checks net.bridge.bridge-nf-call-iptables
 *   itself, so call it unconditionally for ipv4 frames.
 *   PREROUTING should run for *every* IPv4 frame entering a port, also one
 *   addressed to the bridge's own MAC (br_nf_pre_routing runs before the FDB
 *   decision): the engine then skips PREROUTING in ip_rcv for that frame
 *   (ip_sabotage_in), and when DNAT sends the packet back out of the same
 *   bridge ("bridged_dnat" in br_nf_pre_routing_finish) the returned frame
 *   carries the new destination's MAC, so the FDB lookup must use the
 *   returned frame's `dst` (a DNAT back to the ingress port is then dropped
 *   unless hairpin is on: conformance 113-dnat-hairpin line 60).
 * - VXLAN: `env.ipOutput(ns, udpPacket, { oif, srcHint })` sends the outer
 *   packet through the stack; on the receiving node the engine's UDP delivery
 *   calls `udpRx` of the handler registered for the vxlan kind
 *   (see `VxlanRx` below) when a vxlan device listens on the destination port.
 */
import type { Draft } from 'immer';
import type { Ip4 } from '../../model/addr.js';
import type { Hook } from '../../model/netfilter.js';
import type { Link, Netns, NsName, World } from '../../model/world.js';
import type { Frame, Ipv4Packet } from '../packet.js';
import type { Disposition, Step } from '../trace.js';

export interface DpEnv {
  /**
   * The configuration as the walk started (links, ports, sysctls): read only,
   * never changed by a walk. State changes go through `ns(name)`.
   */
  readonly world: World;
  /** The namespace's state to change (learning, counters, conntrack): a draft made on first use. */
  ns(name: NsName): Draft<Netns>;
  /** The namespace as it is now in the walk (the draft if written, else the configuration), for reads. */
  cur(name: NsName): Netns;
  /** Current time (ms) of the twin's clock. */
  readonly now: number;
  /**
   * Record a step on the current hop: the step, or a function that builds it
   * when the trace is read (lazy; src/sim/datapath/engine.ts StepRec). A lazy
   * step may close over immutable values only: the links handed to the
   * handler and `world` (the walk's base), frames and packets, numbers,
   * strings; never `ns()`/`cur()` objects (drafts: changed later in the walk,
   * revoked once it ends), so fields of those are copied out first.
   */
  step(s: Step | (() => Step)): void;
  /** A frame arrives on device `ifindex` of namespace `ns` (netif_receive_skb): starts a new hop. */
  receive(ns: NsName, ifindex: number, frame: Frame): void;
  /** Transmit a frame out of a device (dev_queue_xmit), e.g. a bridge forwarding to a port. */
  transmit(ns: NsName, ifindex: number, frame: Frame): void;
  /** Hand an IP packet to the IP layer's local output of `ns` (e.g. VXLAN's encapsulated UDP packet). */
  ipOutput(ns: NsName, pkt: Ipv4Packet, opts?: { readonly oif?: number; readonly srcHint?: Ip4 }): void;
  /** Deliver a frame up to the IP/ARP layer of `ns` as received on `ifindex` (after bridge/decap). */
  stackReceive(ns: NsName, ifindex: number, frame: Frame): void;
  /** Stop the walk with a final disposition (e.g. link_down, loop). */
  drop(disposition: Disposition, reason: string): void;
  /**
   * The device dropped the frame in its xmit (NET_XMIT_DROP, e.g. veth: the
   * peer is down or its MTU is too small). When this happens synchronously in
   * a local sender's sendmsg, the sender sees ENOBUFS ("ping: sendmsg: No
   * buffer space available"). Call it in addition to `drop`.
   */
  xmitDropped(): void;
  /**
   * br_netfilter: run iptables `hook` on a bridged IPv4 frame when
   * net.bridge.bridge-nf-call-iptables=1 in `ns` (`-i`/`-o` match the bridge,
   * `-m physdev` the ports). Returns the frame to go on with, or undefined if
   * a rule dropped it. Non-IPv4 frames and a 0 sysctl pass unchanged.
   */
  brNetfilter(
    ns: NsName,
    hook: Extract<Hook, 'PREROUTING' | 'FORWARD' | 'POSTROUTING'>,
    frame: Frame,
    devs: { readonly bridge: number; readonly physIn?: number; readonly physOut?: number },
  ): Frame | undefined;
}

export interface DeviceHandler<L extends Link = Link> {
  /** The stack (or a bridge) sends `frame` out of `link` (the engine checked `link` is up). */
  xmit(env: DpEnv, ns: NsName, link: L, frame: Frame): void;
  /**
   * A frame arrived at `link` itself (after the engine checked it is up and
   * not a bridge port). Default when absent: it goes up the stack
   * (`env.stackReceive`).
   */
  rx?(env: DpEnv, ns: NsName, link: L, frame: Frame): void;
  /**
   * A frame arrived on `port`, a device enslaved to `master` (a link of this
   * handler's kind): the bridge's rx_handler (br_handle_frame).
   */
  portRx?(env: DpEnv, ns: NsName, master: L, port: Link, frame: Frame): void;
  /**
   * A UDP datagram reached a socket of this device kind (VXLAN's UDP
   * listener on its dstport): `pkt` as received by the stack of `ns`.
   * Return true if a device of this kind took it.
   */
  udpRx?(env: DpEnv, ns: NsName, pkt: Ipv4Packet, inIfindex: number): boolean;
}
