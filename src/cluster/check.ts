/**
 * Path checks on a cluster: send a ping between two endpoints (pods, nodes,
 * `outside`, an address) through the twin's datapath and judge the result the
 * way the Kubernetes network model asks: delivered to the right namespace,
 * answered, and between pods (or node to pod) without NAT.
 *
 * The verdict is `ok`, or the name of what went wrong: the request's trace
 * disposition (`no_route`, `null_routed`, `neighbor_unreachable`,
 * `frag_needed`, ...), `misdelivered` (it reached another namespace than the
 * target's: overlapping podCIDRs), `nat_between_pods` (the target saw another
 * source address), `reply_lost` (the request arrived but the answer did not
 * come back) with the reply's disposition in `reason`.
 */
import { formatIp4, parseIp4 } from '../model/addr.js';
import { probe } from '../sim/send.js';
import type { Disposition, Trace } from '../sim/trace.js';
import type { World } from '../model/world.js';
import { ClusterError } from './exec.js';
import { OUTSIDE_IP, OUTSIDE_NS, ROUTER_NS } from './underlay.js';
import type { Cluster } from './types.js';

export type Verdict = 'ok' | 'misdelivered' | 'nat_between_pods' | 'reply_lost' | 'timeout' | 'local_error' | Disposition;

export interface PathCheck {
  readonly from: string;
  readonly to: string;
  /** The address pinged. */
  readonly dst: string;
  readonly verdict: Verdict;
  /** One line: why (the deciding trace's reason, with where it ended). */
  readonly reason: string;
  /** TTL of the echo reply as the pinger sees it (`ttl=` in ping's output). */
  readonly replyTtl?: number;
  /** The source address the target saw (a NAT on the way changes it). */
  readonly sourceSeen?: string;
  /** The source address the request left with. */
  readonly sourceSent?: string;
  /** The namespace the request ended in. */
  readonly endedIn?: string;
  readonly traces: readonly Trace[];
  /** The world after the exchange (ARP caches, conntrack, counters). */
  readonly world: World;
}

interface Resolved {
  readonly ns?: string;
  readonly ip: string;
  readonly kind: 'pod' | 'node' | 'outside' | 'router' | 'address';
}

/** An endpoint by name: a pod, a node (its uplink address), `outside`, `router`, or an IPv4 address. */
export function resolve(c: Cluster, name: string): Resolved {
  const pod = c.pods[name];
  if (pod) {
    if (!pod.ip) throw new ClusterError(`pod ${name} has no address (its CNI ADD failed?)`);
    return { ns: pod.ns, ip: pod.ip, kind: 'pod' };
  }
  const node = c.nodes[name];
  if (node) return { ns: node.ns, ip: node.ip, kind: 'node' };
  if (name === OUTSIDE_NS) return { ns: OUTSIDE_NS, ip: OUTSIDE_IP, kind: 'outside' };
  if (name === ROUTER_NS) return { ns: ROUTER_NS, ip: '', kind: 'router' };
  if (parseIp4(name) !== undefined) {
    const owner = c.podOrder.find((p) => c.pods[p]!.ip === name);
    return owner ? { ns: c.pods[owner]!.ns, ip: name, kind: 'pod' } : { ip: name, kind: 'address' };
  }
  throw new ClusterError(`no endpoint ${name} (not a pod, node, "outside" or address)`);
}

export interface PingOptions {
  /** ICMP payload bytes (ping -s), default 56. */
  readonly size?: number;
  /** Set DF (ping -M do). */
  readonly df?: boolean;
  readonly ttl?: number;
}

/** Ping `to` from `from` once and judge the exchange. */
export function ping(c: Cluster, from: string, to: string, o: PingOptions = {}): PathCheck {
  const src = resolve(c, from);
  const dst = resolve(c, to);
  if (!src.ns) throw new ClusterError(`cannot send from ${from}: not a namespace of the cluster`);
  const target = parseIp4(dst.ip);
  if (target === undefined) throw new ClusterError(`${to} has no address to ping`);
  const r = probe(c.world, {
    from: src.ns,
    to: target,
    proto: 'icmp',
    ...(o.size !== undefined ? { payload: o.size } : {}),
    pmtudisc: o.df ? 'do' : 'want',
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
  });
  const base = { from, to, dst: dst.ip, traces: r.traces, world: r.world, sourceSent: formatIp4(r.sent.src) };
  const req = r.traces[0];
  if (r.outcome.kind === 'local_error') return { ...base, verdict: 'local_error', reason: `the sender's stack refused: ${r.outcome.errno}` };
  if (!req) return { ...base, verdict: 'timeout', reason: 'nothing was sent' };
  const seen = /echo reply \S+ -> (\S+)/.exec(req.hops.flatMap((h) => h.steps).find((s) => s.kind === 'deliver' && s.action.startsWith('echo request answered'))?.action ?? '')?.[1];
  const withSeen = { ...base, endedIn: req.endedIn, ...(seen ? { sourceSeen: seen } : {}) };
  if (req.disposition !== 'delivered') {
    return { ...withSeen, verdict: req.disposition, reason: `${req.reason} (in ${req.endedIn})` };
  }
  if (dst.ns && req.endedIn !== dst.ns) {
    return { ...withSeen, verdict: 'misdelivered', reason: `the request for ${dst.ip} was delivered in ${req.endedIn}, not in ${to}'s namespace ${dst.ns}` };
  }
  const podToPod = (src.kind === 'pod' || src.kind === 'node') && dst.kind === 'pod';
  if (podToPod && seen && seen !== formatIp4(r.sent.src)) {
    return { ...withSeen, verdict: 'nat_between_pods', reason: `${to} saw the request from ${seen}, not from ${formatIp4(r.sent.src)}` };
  }
  if (r.outcome.kind !== 'reply') {
    const reply = r.traces[1];
    const why = reply ? `${reply.disposition}: ${reply.reason} (in ${reply.endedIn})` : r.outcome.kind;
    return { ...withSeen, verdict: 'reply_lost', reason: `the request arrived but the reply did not come back: ${why}` };
  }
  return { ...withSeen, verdict: 'ok', reason: `echo reply from ${formatIp4(r.outcome.pkt.src)}`, replyTtl: r.outcome.pkt.ttl };
}
