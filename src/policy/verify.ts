/**
 * Whole-cluster checks of Services and NetworkPolicy, for `podnet policy
 * verify` and for src/verify:
 *
 * - allowed by policy <=> delivered: the pod x pod x port matrix
 *   (src/policy/matrix.ts) agrees with the NetworkPolicy semantics;
 * - Service reachability: from every Kubernetes pod, every backend of every
 *   Service port (as the client's node has programmed it) is reached through
 *   the ClusterIP, with the answer un-NATed, exactly when the policies allow
 *   the client to reach that backend pod on its target port.
 */
import type { Cluster } from '../cluster/types.js';
import { k8sState, podStatusOf } from '../k8s/on-cluster.js';
import { sorted } from '../k8s/store.js';
import { keyOf } from '../k8s/types.js';
import { serviceReachability } from '../kube-proxy/verify.js';
import { policyMatrix, type MatrixPort, type PolicyMatrix } from './matrix.js';
import { policyAllows } from './semantics.js';

export interface ServiceCheck {
  readonly from: string;
  readonly servicePort: string;
  readonly dialled: string;
  readonly endpoint: string;
  /** The policies allow the client to reach that backend. */
  readonly expected: boolean;
  /** The twin reached it (DNAT, delivery, un-NATed answer). */
  readonly reached: boolean;
  readonly agree: boolean;
  readonly reason: string;
}

export interface ClusterVerification {
  readonly matrix: PolicyMatrix;
  readonly services: readonly ServiceCheck[];
  readonly ok: boolean;
}

/** The ports worth probing: the given ones plus every port a policy or a service target names. */
export function interestingPorts(c: Cluster, base: readonly MatrixPort[]): MatrixPort[] {
  const s = k8sState(c).api;
  const out = new Map(base.map((p) => [`${p.protocol}/${p.port}`, p]));
  for (const p of Object.values(s.policies)) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const pp of r.ports) if (typeof pp.port === 'number' && pp.protocol !== 'SCTP') out.set(`${pp.protocol}/${pp.port}`, { protocol: pp.protocol, port: pp.port });
    }
  }
  return [...out.values()];
}

export function verifyServices(c: Cluster): ServiceCheck[] {
  const s = k8sState(c);
  const status = podStatusOf(c);
  const out: ServiceCheck[] = [];
  const byIp = new Map(sorted(s.api.pods).map((p) => [status(keyOf(p))?.ip, keyOf(p)] as const));
  for (const from of sorted(s.api.pods).map(keyOf)) {
    const sb = s.sandbox[from];
    if (!sb || !c.pods[sb]?.ip) continue;
    for (const svc of sorted(s.api.services)) {
      if (!svc.clusterIP || svc.clusterIP === 'None') continue;
      for (const check of serviceReachability(c, sb, keyOf(svc))) {
        if (check.backend < 0) {
          out.push({ from, servicePort: check.servicePort, dialled: check.dialled, endpoint: '', expected: false, reached: false, agree: true, reason: check.reason });
          continue;
        }
        const [ip, port] = check.endpoint.split(':');
        const backend = byIp.get(ip);
        const proto = check.protocol === 'udp' ? 'UDP' : 'TCP';
        const expected = policyAllows(s.api, status, { pod: from }, backend ? { pod: backend } : { ip: ip! }, proto, Number(port)).allowed;
        out.push({ from, servicePort: check.servicePort, dialled: check.dialled, endpoint: check.endpoint, expected, reached: check.ok, agree: expected === check.ok, reason: check.reason });
      }
    }
  }
  return out;
}

export function verifyCluster(c: Cluster, ports: readonly MatrixPort[]): ClusterVerification {
  const matrix = policyMatrix(c, interestingPorts(c, ports));
  const services = verifyServices(c);
  return { matrix, services, ok: matrix.agree && services.every((x) => x.agree) };
}
