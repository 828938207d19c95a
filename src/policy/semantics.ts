/**
 * The NetworkPolicy semantics (networking.k8s.io/v1), as a pure function of
 * the API objects: would a connection from one endpoint to another, on a
 * protocol and port, be allowed? This is the oracle the twin's datapath
 * (the agent's iptables rules, src/policy/compile.ts) is checked against,
 * and what `podnet policy matrix` prints as "expected".
 *
 * The rules (the Kubernetes documentation and API reference, as the e2e
 * suite and cyclonus exercise them):
 * - a pod is isolated for ingress (egress) when some policy of its namespace
 *   selects it and has Ingress (Egress) among its policyTypes; policyTypes
 *   default to Ingress, plus Egress when spec.egress has rules;
 * - a connection is allowed when the source allows it as egress AND the
 *   destination allows it as ingress; a non-isolated side allows everything;
 *   an isolated side allows what at least one rule of one of its selecting
 *   policies allows (policies are additive, order does not matter);
 * - a rule allows when a peer matches (no peers: every peer) and a port
 *   matches (no ports: every port and protocol);
 * - peers: podSelector alone = pods of the policy's namespace; namespaceSelector
 *   alone = every pod of the selected namespaces; both = the selected pods of
 *   the selected namespaces; ipBlock = addresses in cidr and in no except;
 * - ports: protocol (default TCP) and port, or port..endPort; a named port
 *   is the destination pod's container port of that name and protocol;
 * - a pod talking to itself never leaves its network namespace: allowed.
 * ICMP is outside the API (kube-router accepts echo requests and ICMP errors).
 */
import type { PodStatusOf } from '../k8s/endpointslices.js';
import { matches } from '../k8s/selectors.js';
import { sorted, type K8sState } from '../k8s/store.js';
import type { K8sNetworkPolicy, K8sPod, PolicyPeer, PolicyPort, Protocol } from '../k8s/types.js';
import { keyOf } from '../k8s/types.js';
import { inCidr, resolvePolicyPort, selectsPod } from './compile.js';

/** One side of a connection: a pod (by key) or an address outside the pods. */
export type PolicyEndpoint = { readonly pod: string } | { readonly ip: string };

export interface SideVerdict {
  readonly allowed: boolean;
  /** Policies that isolate this side (empty: not isolated, everything allowed). */
  readonly isolatedBy: readonly string[];
  /** The first rule that allows it: `ns/policy ingress[0]`. */
  readonly allowedBy?: string;
}

export interface PolicyVerdict {
  readonly allowed: boolean;
  readonly egress: SideVerdict;
  readonly ingress: SideVerdict;
  /** Why, in one line. */
  readonly reason: string;
}

interface Side {
  readonly pod?: K8sPod;
  readonly ip?: string;
}

function side(s: K8sState, status: PodStatusOf, e: PolicyEndpoint): Side {
  if ('pod' in e) {
    const pod = s.pods[e.pod];
    if (!pod) throw new Error(`no pod ${e.pod}`);
    const ip = status(e.pod)?.ip;
    return { pod, ...(ip ? { ip } : {}) };
  }
  // An address that is a pod's is that pod (peers select pods by their labels).
  const owner = sorted(s.pods).find((p) => status(keyOf(p))?.ip === e.ip);
  return owner ? { pod: owner, ip: e.ip } : { ip: e.ip };
}

function peerMatches(s: K8sState, policy: K8sNetworkPolicy, peer: PolicyPeer, other: Side): boolean {
  if (peer.ipBlock) {
    if (!other.ip) return false;
    return inCidr(other.ip, peer.ipBlock.cidr) && !peer.ipBlock.except.some((e) => inCidr(other.ip!, e));
  }
  const pod = other.pod;
  if (!pod) return false;
  if (peer.namespaceSelector) {
    const ns = s.namespaces[pod.metadata.namespace];
    if (!ns || !matches(peer.namespaceSelector, ns.metadata.labels)) return false;
  } else if (pod.metadata.namespace !== policy.metadata.namespace) return false;
  return !peer.podSelector || matches(peer.podSelector, pod.metadata.labels);
}

function portMatches(ports: readonly PolicyPort[], proto: Protocol, port: number, dest: Side): boolean {
  if (ports.length === 0) return true;
  return ports.some((pp) => {
    if (pp.protocol !== proto) return false;
    const r = resolvePolicyPort(pp, dest.pod);
    if (!r) return false;
    return r.lo === undefined || (port >= r.lo && port <= r.hi!);
  });
}

function evaluate(s: K8sState, self: Side, other: Side, dest: Side, dir: 'ingress' | 'egress', proto: Protocol, port: number): SideVerdict {
  if (!self.pod) return { allowed: true, isolatedBy: [] };
  const type = dir === 'ingress' ? 'Ingress' : 'Egress';
  const mine = sorted(s.policies).filter((p) => p.policyTypes.includes(type) && selectsPod(p, self.pod!));
  if (mine.length === 0) return { allowed: true, isolatedBy: [] };
  for (const p of mine) {
    const rules = dir === 'ingress' ? p.ingress : p.egress;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const peerOk = r.peers.length === 0 || r.peers.some((peer) => peerMatches(s, p, peer, other));
      if (peerOk && portMatches(r.ports, proto, port, dest)) return { allowed: true, isolatedBy: mine.map(keyOf), allowedBy: `${keyOf(p)} ${dir}[${i}]` };
    }
  }
  return { allowed: false, isolatedBy: mine.map(keyOf) };
}

/** Would a `proto` connection from `from` to `to`:`port` be allowed by the policies? */
export function policyAllows(s: K8sState, status: PodStatusOf, from: PolicyEndpoint, to: PolicyEndpoint, proto: Protocol, port: number): PolicyVerdict {
  const src = side(s, status, from);
  const dst = side(s, status, to);
  if (src.pod && dst.pod && keyOf(src.pod) === keyOf(dst.pod)) {
    const open: SideVerdict = { allowed: true, isolatedBy: [] };
    return { allowed: true, egress: open, ingress: open, reason: 'a pod reaching itself never leaves its network namespace' };
  }
  const egress = evaluate(s, src, dst, dst, 'egress', proto, port);
  const ingress = evaluate(s, dst, src, dst, 'ingress', proto, port);
  const name = (x: Side): string => (x.pod ? keyOf(x.pod) : x.ip ?? '?');
  const why = (v: SideVerdict, dir: string, who: Side): string =>
    v.isolatedBy.length === 0 ? `${name(who)} is not isolated for ${dir}` : v.allowed ? `${dir} of ${name(who)} allowed by ${v.allowedBy}` : `${dir} of ${name(who)} denied: isolated by ${v.isolatedBy.join(', ')} and no rule allows it`;
  const reason = !egress.allowed ? why(egress, 'egress', src) : !ingress.allowed ? why(ingress, 'ingress', dst) : `${why(egress, 'egress', src)}; ${why(ingress, 'ingress', dst)}`;
  return { allowed: egress.allowed && ingress.allowed, egress, ingress, reason };
}
