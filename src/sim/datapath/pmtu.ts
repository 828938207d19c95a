/**
 * Path MTU: the MTU a packet to `dst` may use (route `mtu`, the device MTU,
 * and exceptions learnt from ICMP "fragmentation needed", as
 * __ip_rt_update_pmtu stores them for net.ipv4.route.mtu_expires = 600 s).
 */
import { formatIp4, type Ip4 } from '../../model/addr.js';
import type { Netns, NsName, PmtuException } from '../../model/world.js';
import type { OutputRoute } from '../fib.js';
import type { Walk } from './engine.js';

export const MTU_EXPIRES_MS = 600_000;
/** net.ipv4.route.min_pmtu */
export const MIN_PMTU = 552;

/** The path MTU exception for `dst` that has not expired at `now` (ip route get shows it as `mtu N`). */
export function livePmtu(ns: Netns, dst: Ip4, now: number): PmtuException | undefined {
  return (ns.pmtu ?? []).find((e) => e.dst === dst && e.expiresMs > now);
}

export function pathMtu(w: Walk, ns: NsName, rt: OutputRoute, dst: Ip4): number {
  const bns = w.bns(ns);
  const dev = bns.links[rt.dev];
  let mtu = dev?.mtu ?? 1500;
  if (rt.route?.mtu !== undefined) mtu = Math.min(mtu, rt.route.mtu);
  const exc = livePmtu(w.cur(ns), dst, w.now);
  if (exc) mtu = Math.min(mtu, exc.mtu);
  return mtu;
}

/** An ICMP "frag needed" about a packet we sent to `dst` arrived: remember the smaller MTU. */
export function learnPmtu(w: Walk, ns: NsName, dst: Ip4, mtu: number): void {
  const m = Math.max(mtu, MIN_PMTU);
  const dns = w.ns(ns);
  const list = (dns.pmtu ?? []).filter((e) => e.dst !== dst && e.expiresMs > w.now) as PmtuException[];
  list.push({ dst, mtu: m, expiresMs: w.now + MTU_EXPIRES_MS });
  dns.pmtu = list as never;
  w.step({ kind: 'mtu', action: `path MTU to ${formatIp4(dst)} is now ${m} (cached for 600 s)` });
}
