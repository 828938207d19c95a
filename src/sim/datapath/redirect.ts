/**
 * ICMP redirects (net/ipv4/route.c, RFC 1122 3.2.2.2).
 *
 * Router side (ip_forward -> ip_rt_send_redirect): a packet forwarded out of
 * the interface it came in on, from a sender on that link (IPSKB_DOREDIRECT,
 * computed by the input route: see `redirect` in route-input.ts), makes the
 * router tell the sender "Redirect Host (New nexthop: X)" - and forward the
 * packet all the same. Per sender (inet_peer): the first redirect goes at
 * once, the n-th only 20 ms << n after the previous one, none after 9 until
 * the sender has been quiet for 20.48 s.
 *
 * Host side (icmp_redirect -> the quoted protocol's error handler ->
 * __ip_do_redirect): the redirect must come from the gateway the host uses
 * for the quoted destination, accept_redirects must allow it (conf.all AND
 * conf.DEV while forwarding, OR otherwise), and the new gateway must be
 * plausible (shared_media: any unicast address; else on-link, and with
 * secure_redirects one of the default gateways). Then, if the new gateway's
 * MAC is not known yet, the host only starts resolving it
 * (neigh_event_send); a later redirect, with the neighbour valid, creates a
 * route exception (update_or_create_fnhe, 300 s) that output routing and
 * forwarding use, and `ip route get` shows as `cache <redirected>`.
 * Checked on the kernel (conformance 126-one-armed-router).
 */
import { formatIp4, isLimitedBroadcast, isMulticast, isZeronet, type Ip4 } from '../../model/addr.js';
import { TABLE_MAIN, type Link, type NeighState, type Netns, type NsName, type RedirectException } from '../../model/world.js';
import { addrType, routeOutput, type OutputRoute } from '../fib.js';
import { ICMP_ECHO, ICMP_ECHOREPLY, ICMP_REDIR_HOST, ICMP_REDIRECT, PROTO_ICMP, PROTO_TCP, type Ipv4Packet } from '../packet.js';
import type { Walk } from './engine.js';
import { icmpSend } from './icmp.js';
import { lookupNeigh, neighResolve } from './neigh.js';
import { confAnd, confOr, devForwarding, prefixOnLink } from './route-input.js';

/** ip_rt_redirect_load (HZ / 50), ip_rt_redirect_number, ip_rt_redirect_silence ((HZ / 50) << 10). */
const REDIRECT_LOAD_MS = 20;
const REDIRECT_NUMBER = 9;
const REDIRECT_SILENCE_MS = REDIRECT_LOAD_MS << (REDIRECT_NUMBER + 1);
/** ip_rt_gc_timeout: how long a redirect exception lives (RT_GC_TIMEOUT, 300 s). */
export const REDIRECT_EXPIRES_MS = 300_000;

const VALID: readonly NeighState[] = ['PERMANENT', 'NOARP', 'REACHABLE', 'STALE', 'DELAY', 'PROBE'];

/**
 * ip_rt_send_redirect(): `pkt` (TTL already decremented) is being forwarded
 * out of `outDev`, the device it came in on, toward `nexthop`.
 */
export function sendRedirect(w: Walk, ns: NsName, inLink: Link, pkt: Ipv4Packet, outDev: number, nexthop: Ip4): void {
  const bns = w.bns(ns);
  const out = bns.links[outDev];
  if (!out || !confOr(bns, out, 'send_redirects')) return;
  const dns = w.ns(ns);
  const peers = (dns.icmpPeers ??= {}) as Record<number, { tokens: number; lastMs: number; redirects?: number; redirectMs?: number }>;
  const now = w.now;
  const p = peers[pkt.src] ?? { tokens: 0, lastMs: now - 60_000 };
  let n = p.redirects ?? 0;
  let lastMs = p.redirectMs ?? now - 60_000;
  // "No redirected packets during ip_rt_redirect_silence; reset the algorithm."
  if (now > lastMs + REDIRECT_SILENCE_MS) n = 0;
  if (n >= REDIRECT_NUMBER) {
    // "Too many ignored redirects; do not send anything."
    peers[pkt.src] = { ...p, redirects: n, redirectMs: now };
    w.step({ kind: 'icmp', action: `no ICMP redirect: ${formatIp4(pkt.src)} ignored ${REDIRECT_NUMBER} already (quiet for 20 s to reset)` });
    return;
  }
  if (n === 0 || now > lastMs + (REDIRECT_LOAD_MS << n)) {
    w.step({ kind: 'forward', action: `${formatIp4(pkt.dst)} leaves by ${inLink.name}, where it came from: ${formatIp4(pkt.src)} could send to ${formatIp4(nexthop)} directly` });
    icmpSend(w, ns, pkt, { type: ICMP_REDIRECT, code: ICMP_REDIR_HOST, gw: nexthop, localRoute: false, inIfindex: inLink.ifindex });
    lastMs = now;
    n++;
  } else {
    w.step({ kind: 'icmp', action: `no ICMP redirect: rate-limited (redirect number ${n + 1} to ${formatIp4(pkt.src)} waits ${REDIRECT_LOAD_MS << n} ms after the previous one)` });
  }
  peers[pkt.src] = { ...p, redirects: n, redirectMs: lastMs };
}

/** The live exception for `dst` hanging on the nexthop `via` dev `dev`, if any. */
export function findRedirect(ns: Netns, dst: Ip4, dev: number, via: Ip4 | undefined, now: number): RedirectException | undefined {
  if (!ns.redirects || via === undefined) return undefined;
  return ns.redirects.find((e) => e.dst === dst && e.dev === dev && e.via === via && e.expiresMs > now);
}

/**
 * An output route with the redirect exception of its nexthop applied
 * (rt_bind_exception: rt_gw4 = fnhe_gw, RTCF_REDIRECTED). `redirected`
 * tells `ip route get` to print `cache <redirected> expires Nsec`.
 */
export function withRedirect(ns: Netns, rt: OutputRoute, dst: Ip4, now: number): OutputRoute & { readonly redirected?: RedirectException } {
  const e = findRedirect(ns, dst, rt.dev, rt.gateway, now);
  return e ? { ...rt, gateway: e.gw, redirected: e } : rt;
}

/** Does the quoted packet's protocol hand a redirect to __ip_do_redirect? */
function handledBy(inner: Ipv4Packet): string | undefined {
  if (inner.proto === PROTO_ICMP) {
    const t = inner.icmp?.type;
    // icmp_err(): an echo reply the kernel sent -> ipv4_redirect(); an echo request -> the
    // ping (raw) socket that sent it, which ping keeps open while it waits (raw_err / ping_err).
    if (t === ICMP_ECHOREPLY) return 'the ICMP error handler (icmp_err)';
    if (t === ICMP_ECHO) return "ping's socket";
    return undefined;
  }
  if (inner.proto === PROTO_TCP) {
    // tcp_v4_err(): a request socket (our SYN-ACK of a listener) ignores it.
    return inner.ports?.flags === 'SYNACK' ? undefined : 'the TCP socket';
  }
  return 'the UDP socket';
}

/** ip_fib_check_default(): is `gw` the gateway of a default route out of `dev`? */
function isDefaultGateway(ns: Netns, gw: Ip4, dev: number): boolean {
  return ns.routes.some((r) => r.table === TABLE_MAIN && r.dst.len === 0 && r.gateway === gw && r.dev === dev);
}

/**
 * icmp_redirect() -> __ip_do_redirect(): an ICMP redirect `pkt` arrived on
 * `link` of `ns`. Records the reason when it is ignored.
 */
export function redirectRcv(w: Walk, ns: NsName, link: Link, pkt: Ipv4Packet): void {
  const icmp = pkt.icmp;
  const inner = icmp?.quoted;
  const newGw = icmp?.gw;
  if (!icmp || !inner || newGw === undefined) return;
  const ignore = (why: string): void => {
    w.step({ kind: 'deliver', action: `ICMP redirect ignored: ${why}` });
  };
  if ((icmp.code & 7) > 3) return ignore(`code ${icmp.code}`);
  const who = handledBy(inner);
  if (!who) return ignore('no socket takes it');
  const bns = w.bns(ns);
  // ipv4_sk_redirect / ipv4_redirect: the route this host uses now for the quoted packet.
  const rt0 = routeOutput(bns, inner.dst, { src: inner.src, ...(inner.tos ? { tos: inner.tos } : {}) });
  if (!rt0.ok) return ignore(`no route to ${formatIp4(inner.dst)}`);
  const rt = withRedirect(w.cur(ns), rt0, inner.dst, w.now);
  const oldGw = pkt.src;
  if (rt.gateway !== oldGw) return ignore(`${formatIp4(oldGw)} is not our gateway to ${formatIp4(inner.dst)}`);
  // IN_DEV_RX_REDIRECTS
  const rx = devForwarding(link) ? confAnd(bns, link, 'accept_redirects') : confOr(bns, link, 'accept_redirects');
  if (!rx) {
    return ignore(
      devForwarding(link)
        ? `forwarding is on and net.ipv4.conf.{all,${link.name}}.accept_redirects are not both 1`
        : `net.ipv4.conf.{all,${link.name}}.accept_redirects are 0`,
    );
  }
  if (newGw === oldGw || isMulticast(newGw) || isLimitedBroadcast(newGw) || isZeronet(newGw)) return ignore(`bad new gateway ${formatIp4(newGw)}`);
  if (!confOr(bns, link, 'shared_media')) {
    if (!prefixOnLink(link, newGw, oldGw)) return ignore(`${formatIp4(newGw)} is not on ${link.name}'s subnets (shared_media=0)`);
    if (confOr(bns, link, 'secure_redirects') && !isDefaultGateway(bns, newGw, link.ifindex)) {
      return ignore(`${formatIp4(newGw)} is not a default gateway (secure_redirects=1)`);
    }
  } else if (addrType(bns, newGw) !== 'unicast') {
    return ignore(`${formatIp4(newGw)} is not a unicast address here`);
  }
  const n = lookupNeigh(w, ns, rt.dev, newGw);
  if (!n || !VALID.includes(n.state)) {
    // neigh_event_send(): resolve the new gateway first; this redirect changes no route.
    w.step({ kind: 'deliver', action: `ICMP redirect from ${formatIp4(oldGw)} (to ${who}): ${formatIp4(newGw)} is not resolved yet: ARP for it, no route change` });
    neighResolve(w, ns, rt.dev, newGw);
    return;
  }
  const via = rt0.gateway;
  const dns = w.ns(ns);
  const list = (dns.redirects ?? []).filter((e) => e.expiresMs > w.now && !(e.dst === inner.dst && e.dev === rt.dev && e.via === via));
  list.push({ dst: inner.dst, gw: newGw, via: via!, dev: rt.dev, expiresMs: w.now + REDIRECT_EXPIRES_MS });
  dns.redirects = list as never;
  w.step({ kind: 'route', action: `ICMP redirect accepted: ${formatIp4(inner.dst)} now via ${formatIp4(newGw)} (route exception for 300 s)` });
}
