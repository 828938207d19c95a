/**
 * kube-proxy's chain names (pkg/proxy/iptables/proxier.go): the first 16
 * characters of the standard base32 encoding of a sha256, so that names stay
 * under iptables' 28-character limit.
 *
 *   KUBE-SVC-<hash(servicePortName + protocol)>      cluster traffic policy
 *   KUBE-SVL-<same hash>                              local traffic policy
 *   KUBE-EXT-<same hash>                              external destinations (NodePort)
 *   KUBE-FW-<same hash>                               load balancer source ranges
 *   KUBE-SEP-<hash(servicePortName + protocol + "ip:port")>   one endpoint
 *
 * servicePortName is `namespace/name` plus `:portname` when the port has a
 * name (ServicePortName.String()); protocol is lower case (`tcp`). Known
 * values from real clusters: kube-system/kube-dns:dns + udp is
 * KUBE-SVC-TCOU7JCQXEZGVUNU, default/kubernetes:https + tcp is
 * KUBE-SVC-NPX46M4PTMTKRN6Y.
 */
import { createHash } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding), padded. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** portProtoHash(): base32(sha256(text))[:16]. */
export function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** ServicePortName.String(): `ns/name` or `ns/name:port`. */
export function servicePortName(namespace: string, name: string, port: string): string {
  return `${namespace}/${name}${port ? `:${port}` : ''}`;
}

export const svcChain = (spn: string, proto: string): string => `KUBE-SVC-${hash16(spn + proto)}`;
export const svlChain = (spn: string, proto: string): string => `KUBE-SVL-${hash16(spn + proto)}`;
export const extChain = (spn: string, proto: string): string => `KUBE-EXT-${hash16(spn + proto)}`;
export const fwChain = (spn: string, proto: string): string => `KUBE-FW-${hash16(spn + proto)}`;
export const sepChain = (spn: string, proto: string, endpoint: string): string => `KUBE-SEP-${hash16(spn + proto + endpoint)}`;

/** isServiceChainName(): the per-service chains kube-proxy deletes when stale. */
export function isServiceChainName(chain: string): boolean {
  return ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'].some((p) => chain.startsWith(p));
}
