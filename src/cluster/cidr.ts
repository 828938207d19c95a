/**
 * Address arithmetic for the cluster model, and the podCIDR allocator of
 * kube-controller-manager (`--allocate-node-cidrs --cluster-cidr=10.244.0.0/16
 * --node-cidr-mask-size=24`): pkg/controller/nodeipam/ipam/cidrset/cidr_set.go.
 *
 * cidr_set allocates the next free subnet *after the last one it handed out*
 * (`nextCandidate`, wrapping at the end), not the lowest free one: a node that
 * joins after another left gets a fresh subnet, the freed one is reused only
 * after the range wraps. Occupying a CIDR by hand (a node that came with
 * `spec.podCIDR` already set) marks it used without moving nextCandidate.
 */
import { formatIp4, ip4FromNumber, maskOf, parsePrefix4, type Prefix4 } from '../model/addr.js';
import type { CidrAllocatorState } from './types.js';

export function mustPrefix(text: string): Prefix4 {
  const p = parsePrefix4(text);
  if (!p) throw new Error(`not an IPv4 prefix: ${text}`);
  return p;
}

/** The address `n` after the prefix's network address, as text. */
export function nthAddr(prefix: string, n: number): string {
  const p = mustPrefix(prefix);
  return formatIp4(ip4FromNumber(((p.addr & maskOf(p.len)) + n) >>> 0));
}

/** The network address of a prefix as text (`10.244.1.0` for 10.244.1.7/24). */
export function networkAddr(prefix: string): string {
  return nthAddr(prefix, 0);
}

/** Canonical `a.b.c.d/len` (host bits cleared). */
export function canonical(prefix: string): string {
  const p = mustPrefix(prefix);
  return `${formatIp4(ip4FromNumber(p.addr & maskOf(p.len)))}/${p.len}`;
}

export function prefixLen(prefix: string): number {
  return mustPrefix(prefix).len;
}

/** Does prefix `outer` contain address/prefix `inner` entirely? */
export function contains(outer: string, inner: string): boolean {
  const o = mustPrefix(outer);
  const i = mustPrefix(inner);
  if (i.len < o.len) return false;
  const m = maskOf(o.len);
  return ((o.addr & m) >>> 0) === ((i.addr & m) >>> 0);
}

/** Do two prefixes share an address? */
export function overlaps(a: string, b: string): boolean {
  return contains(a, b) || contains(b, a);
}

export function newAllocator(clusterCidr: string, maskSize: number): CidrAllocatorState {
  const p = mustPrefix(clusterCidr);
  if (maskSize < p.len) throw new Error(`--node-cidr-mask-size ${maskSize} is smaller than the cluster CIDR's /${p.len}`);
  return { clusterCidr: canonical(clusterCidr), maskSize, used: [], next: 0 };
}

function capacity(s: CidrAllocatorState): number {
  return 2 ** (s.maskSize - mustPrefix(s.clusterCidr).len);
}

/** The subnet of index `i`. */
export function subnetAt(s: CidrAllocatorState, i: number): string {
  const base = mustPrefix(s.clusterCidr).addr;
  return `${formatIp4(ip4FromNumber(base + i * 2 ** (32 - s.maskSize)))}/${s.maskSize}`;
}

/** cidrSet.AllocateNext: the first free subnet from nextCandidate on; undefined when the range is full. */
export function allocateNext(s: CidrAllocatorState): { state: CidrAllocatorState; cidr: string } | undefined {
  const max = capacity(s);
  for (let k = 0; k < max; k++) {
    const candidate = (s.next + k) % max;
    if (!s.used.includes(candidate)) {
      return { state: { ...s, used: [...s.used, candidate], next: (candidate + 1) % max }, cidr: subnetAt(s, candidate) };
    }
  }
  return undefined;
}

/** The index of `cidr` in the allocator's range, if it is one of its subnets. */
function indexOf(s: CidrAllocatorState, cidr: string): number | undefined {
  const p = mustPrefix(cidr);
  if (p.len !== s.maskSize || !contains(s.clusterCidr, cidr)) return undefined;
  return ((p.addr & maskOf(p.len)) - mustPrefix(s.clusterCidr).addr) / 2 ** (32 - s.maskSize);
}

/** cidrSet.Occupy: mark a hand-set podCIDR as used (a no-op outside the range). */
export function occupy(s: CidrAllocatorState, cidr: string): CidrAllocatorState {
  const i = indexOf(s, cidr);
  return i === undefined || s.used.includes(i) ? s : { ...s, used: [...s.used, i] };
}

/** cidrSet.Release: the node is gone. */
export function release(s: CidrAllocatorState, cidr: string): CidrAllocatorState {
  const i = indexOf(s, cidr);
  return i === undefined ? s : { ...s, used: s.used.filter((u) => u !== i) };
}
