/**
 * Netfilter for the datapath: the public API (everything else in
 * src/sim/netfilter is internal).
 *
 * The datapath calls {@link nfHook} at each of the five IPv4 hooks, exactly
 * where the kernel calls NF_HOOK():
 *
 *   received, routed to us:   PREROUTING (in)          -> route -> INPUT (in)
 *   received, forwarded:      PREROUTING (in)          -> route -> FORWARD (in,out) -> POSTROUTING (out)
 *   locally generated:        route -> OUTPUT (out)    -> (re-route if changed) -> POSTROUTING (out)
 *   lo traffic:               OUTPUT, POSTROUTING (out lo), then PREROUTING, INPUT (in lo): keep pkt.ct across lo
 *   bridged (br_netfilter, net.bridge.bridge-nf-call-iptables=1):
 *                             PREROUTING, FORWARD, POSTROUTING with env.bridged and physIn/physOut set,
 *                             `in`/`out` being the bridge device (as the kernel shows them to iptables)
 *
 * Per hook, in priority order (nf_hook_ops priorities):
 *   PREROUTING : raw, conntrack (lookup/create), mangle, nat (DNAT, only for NEW)
 *   INPUT      : mangle, filter, nat (SNAT, only for NEW), conntrack confirm
 *   FORWARD    : mangle, filter
 *   OUTPUT     : raw, conntrack (lookup/create), mangle, nat (DNAT, only for NEW), filter
 *   POSTROUTING: mangle, nat (SNAT, only for NEW), conntrack confirm
 * A connection's replies and later packets are translated from the conntrack
 * entry without traversing nat; ICMP errors about a tracked flow are RELATED
 * and their quoted header is translated too.
 *
 * The result carries the packet as it leaves the hook: possibly translated
 * (DNAT at PREROUTING/OUTPUT: the caller must route again if `dst` changed;
 * SNAT/MASQUERADE at POSTROUTING), with `mark` and `ct` updated. Conntrack
 * entries are updated in the draft namespace, counters there too or in the
 * caller's CounterLog (NfEnv.counters).
 *
 * For shell commands (iptables, iptables-save) see src/sim/netfilter/ops.ts and
 * src/sim/netfilter/format.ts.
 */
import type { Draft } from 'immer';
import type { Ip4 } from '../../model/addr.js';
import type { Hook, RejectWith, TableName } from '../../model/netfilter.js';
import type { Netns } from '../../model/world.js';
import type { Ipv4Packet } from '../packet.js';
import type { Step } from '../trace.js';
import type { CounterLog } from './counter-log.js';
import { runHook } from './eval.js';

export type { Hook, RejectWith, TableName } from '../../model/netfilter.js';

/** Device names as iptables sees them (`-i`, `-o`, `-m physdev`). */
export interface NfDevs {
  /** Input device (PREROUTING, INPUT, FORWARD). Absent for locally generated packets. */
  readonly in?: string;
  /** Output device (FORWARD, OUTPUT, POSTROUTING). */
  readonly out?: string;
  /** Bridged traffic: the bridge port the frame came in on / goes out of. */
  readonly physIn?: string;
  readonly physOut?: string;
}

export interface NfEnv {
  /** The twin's clock (ms), for conntrack timeouts. */
  readonly now: number;
  /** The packet is bridged (br_netfilter): enables `-m physdev --physdev-is-bridged`. */
  readonly bridged?: boolean;
  /**
   * POSTROUTING only: the next hop the route chose (gateway, or the
   * destination when on-link). MASQUERADE picks its source as
   * inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE). Defaults to pkt.dst.
   */
  readonly nextHop?: Ip4;
  /** Receives trace steps: one 'netfilter' step per deciding rule/policy, 'nat' and 'conntrack' steps. */
  readonly step?: (s: Step) => void;
  /**
   * `step` also takes a function making the step (formatted only when the
   * trace is read: the datapath walk's StepRec); conntrack steps are then
   * passed that way.
   */
  readonly lazySteps?: boolean;
  /**
   * Where rule and policy counters go: with a log, they are added up there
   * (the datapath walk applies them when it builds its world: counter-log.ts);
   * without, they are written to the draft namespace at once.
   */
  readonly counters?: CounterLog;
}

/** Where a verdict was decided: the rule in `iptables -S` form (`-A FORWARD -p tcp -j DROP`) or the policy (`-P FORWARD DROP`). */
export interface NfWhere {
  readonly table: TableName;
  readonly chain: string;
  readonly rule: string;
}

export type NfResult =
  | { readonly verdict: 'accept'; readonly pkt: Ipv4Packet }
  /** Dropped by a rule or a policy (or INVALID state dropped by NAT failure). */
  | ({ readonly verdict: 'drop'; readonly pkt: Ipv4Packet } & NfWhere)
  /**
   * REJECT: the caller sends the error (ICMP dest-unreachable with `code`,
   * or a TCP RST for 'tcp-reset') back to pkt.src, quoting `pkt`, and drops pkt.
   */
  | ({ readonly verdict: 'reject'; readonly pkt: Ipv4Packet; readonly with: RejectWith; readonly icmpCode?: number } & NfWhere);

/**
 * Run one netfilter hook of namespace `ns` on `pkt` (mutates conntrack in
 * the draft, and counters unless env.counters logs them). Never throws for
 * a packet; an empty ruleset accepts (conntrack still tracks, as
 * nf_conntrack does once loaded).
 */
export function nfHook(ns: Draft<Netns>, hook: Hook, pkt: Ipv4Packet, devs: NfDevs, env: NfEnv): NfResult {
  return runHook(ns, hook, pkt, devs, env);
}

/** ICMP dest-unreachable codes for REJECT --reject-with (undefined for tcp-reset). */
export const REJECT_ICMP_CODE: Readonly<Record<RejectWith, number | undefined>> = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
  'tcp-reset': undefined,
};

export { ctHash, tupleOf } from './conntrack.js';
export { CounterLog } from './counter-log.js';
