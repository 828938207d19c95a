/**
 * Equivalence classes of pods: pods the datapath cannot tell apart, so one
 * representative per class stands for all of them and the contract is
 * checked per pair of classes, never per pair of pods.
 *
 * Two pods are equivalent when
 * - they run on the same node;
 * - their own namespaces look alike once their own address is abstracted
 *   (devices, MTUs, routes, sysctls, rules);
 * - every entry anywhere that names their address exactly (a /32 route, a
 *   `-s IP/32` rule and the chain it jumps to, a permanent neighbour) looks
 *   alike once the address, the host-side veth and the per-container chain
 *   names are abstracted (the bridge plugin's ipMasq rules, Calico's
 *   `IP dev caliX` routes);
 * - they fall in the same "atom": inside exactly the same prefixes among all
 *   prefixes any route, address or rule of the world mentions (so a rule for
 *   10.244.1.0/25 splits the pods of 10.244.1.0/24).
 * Pods of one class are treated alike by every FIB lookup, rule and
 * neighbour decision of the model, up to the renaming above.
 */
import { formatIp4, maskOf, type Ip4 } from '../model/addr.js';
import type { Link, Netns, NsName, World } from '../model/world.js';
import type { NfChain } from '../model/netfilter.js';
import { saveRuleBody } from '../sim/netfilter/format.js';
import type { VerifyPod, VerifyTarget } from './types.js';

export interface PodClass {
  /** The node ref. */
  readonly node: string;
  readonly signature: string;
  /** Live pods with an address, first = the representative. */
  readonly members: readonly VerifyPod[];
}

interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** Every prefix (shorter than /32) the world mentions: routes, addresses, rule matches. */
const spansCache = new WeakMap<World, Span[]>();
function mentionedPrefixes(world: World): Span[] {
  const hit = spansCache.get(world);
  if (hit) return hit;
  const seen = new Set<string>();
  const out: Span[] = [];
  const add = (addr: number, len: number): void => {
    if (len >= 32 || len <= 0) return;
    const m = maskOf(len);
    const lo = (addr & m) >>> 0;
    const key = `${lo}/${len}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ lo, hi: (lo | ~m) >>> 0 });
  };
  for (const ns of Object.values(world.ns)) {
    for (const r of ns.routes) add(r.dst.addr, r.dst.len);
    for (const l of Object.values(ns.links)) for (const a of l.addrs) add(a.local, a.prefixLen);
    for (const t of Object.values(ns.netfilter.tables)) {
      for (const c of t?.chains ?? []) {
        for (const r of c.rules) {
          for (const m of [r.spec.src, r.spec.dst]) if (m && m.mask !== 0 && m.mask >>> 0 !== 0xffffffff) add(m.addr, popcount(m.mask));
        }
      }
    }
  }
  spansCache.set(world, out);
  return out;
}

function popcount(m: number): number {
  let n = m >>> 0;
  let c = 0;
  while (n) {
    c += n & 1;
    n >>>= 1;
  }
  return c;
}

function atomOf(spans: readonly Span[], ip: Ip4): string {
  const n = ip >>> 0;
  let bits = '';
  for (let i = 0; i < spans.length; i++) if (n >= spans[i]!.lo && n <= spans[i]!.hi) bits += `${i},`;
  return bits;
}

/** Replace what is specific to one pod by placeholders. */
function abstracter(ip: Ip4, names: readonly string[]): (s: string) => string {
  const ipText = formatIp4(ip);
  const ipRe = new RegExp(`(^|[^\\d.])${ipText.replace(/\./g, '\\.')}(?![\\d])`, 'g');
  return (s: string) => {
    let out = s.replace(ipRe, '$1$IP');
    for (const n of names) if (n) out = out.split(n).join('$DEV');
    // Per-container chains (CNI-<hash>, CNI-DN-<hash>) and comment ids.
    return out.replace(/CNI-(DN-|HOSTPORT-)?[0-9a-f]{16,}/g, 'CNI-$1$CHAIN').replace(/id: \\?"[^"\\]*\\?"/g, 'id: $ID');
  };
}

function linkShape(l: Link, abs: (s: string) => string): string {
  const conf = Object.entries(l.conf)
    .filter(([k]) => ['rp_filter', 'proxy_arp', 'forwarding', 'route_localnet', 'accept_local'].includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const addrs = l.addrs.map((a) => abs(`${formatIp4(a.local)}/${a.prefixLen}`)).join(',');
  return `${l.kind}:${abs(l.name)}:${l.mtu}:${l.adminUp ? 'up' : 'down'}:${l.master !== undefined ? 'enslaved' : ''}:${l.brport ? `${l.brport.hairpin}/${l.brport.state}` : ''}:${conf}:${addrs}`;
}

/** The host end of the pod's veth(s): the peers of veths in the pod's namespace. */
export function hostSideLinks(world: World, podNs: NsName): { ns: NsName; link: Link }[] {
  const ns = world.ns[podNs];
  if (!ns) return [];
  const out: { ns: NsName; link: Link }[] = [];
  for (const l of Object.values(ns.links)) {
    if (l.kind !== 'veth') continue;
    const peer = world.ns[l.peer.ns]?.links[l.peer.ifindex];
    if (peer) out.push({ ns: l.peer.ns, link: peer });
  }
  return out;
}

interface Mention {
  readonly ns: NsName;
  readonly text: string;
}

/**
 * Every entry of the world that names one address exactly, by that address: a /32 route or a
 * route via it, a permanent or proxy neighbour, a rule matching it as `-s/-d IP/32` (and the
 * rules of the chain that rule jumps to). One pass over the world, kept per World object (the
 * world is immutable): each pod's signature reads its own address's list instead of scanning
 * every namespace, which made classing quadratic in pods. Lists keep the scan's order
 * (namespaces, then routes, neighbours, rules).
 */
const mentionsCache = new WeakMap<World, Map<number, Mention[]>>();
function exactMentions(world: World): Map<number, Mention[]> {
  let out = mentionsCache.get(world);
  if (out) return out;
  out = new Map();
  const m = out;
  const add = (addr: number, ns: NsName, text: string): void => {
    const list = m.get(addr >>> 0);
    if (list) list.push({ ns, text });
    else m.set(addr >>> 0, [{ ns, text }]);
  };
  for (const [nsName, ns] of Object.entries(world.ns)) {
    for (const r of ns.routes) {
      const dst = r.dst.len === 32 ? r.dst.addr >>> 0 : undefined;
      const gw = r.gateway !== undefined ? r.gateway >>> 0 : undefined;
      if (dst === undefined && gw === undefined) continue;
      const dev = r.dev !== undefined ? ns.links[r.dev]?.name ?? '' : '';
      const text = `route@${nsName} ${r.table} ${r.type} ${formatIp4(r.dst.addr)}/${r.dst.len} ${r.gateway !== undefined ? formatIp4(r.gateway) : ''} ${dev} ${r.scope}`;
      if (dst !== undefined) add(dst, nsName, text);
      if (gw !== undefined && gw !== dst) add(gw, nsName, text);
    }
    for (const nb of ns.neigh) if (nb.state === 'PERMANENT' || nb.proxy) add(nb.dst, nsName, `neigh@${nsName} ${nb.proxy ? 'proxy' : nb.state}`);
    for (const [tn, t] of Object.entries(ns.netfilter.tables)) {
      const chains = t?.chains ?? [];
      for (const c of chains) {
        for (const r of c.rules) {
          const ips = new Set<number>();
          for (const x of [r.spec.src, r.spec.dst]) if (x && x.mask >>> 0 === 0xffffffff) ips.add(x.addr >>> 0);
          if (ips.size === 0) continue;
          const texts = [`rule@${nsName} ${tn} ${c.name} ${saveRuleBody(r.spec)}`];
          if (r.spec.target?.kind === 'jump') {
            const target = chains.find((x: NfChain) => x.name === (r.spec.target as { chain: string }).chain);
            for (const tr of target?.rules ?? []) texts.push(`rule@${nsName} ${tn} ${c.name}->* ${saveRuleBody(tr.spec)}`);
          }
          for (const ip of ips) for (const text of texts) add(ip, nsName, text);
        }
      }
    }
  }
  mentionsCache.set(world, out);
  return out;
}

/**
 * The part of a signature the pod's own namespace gives, kept per Netns object (immutable: a
 * change makes a new one) with the address and host-side names it was abstracted with, so a
 * re-verification after one pod changed recomputes that pod's only.
 */
const ownCache = new WeakMap<Netns, { readonly ip: number; readonly names: string; readonly text: string }>();
function ownShape(own: Netns, ip: Ip4, names: readonly string[], abs: (s: string) => string): string {
  const key = names.join('\0');
  const hit = ownCache.get(own);
  if (hit && hit.ip === ip >>> 0 && hit.names === key) return hit.text;
  const parts: string[] = [];
  parts.push(...Object.values(own.links).map((l) => `link ${linkShape(l, abs)}`).sort());
  parts.push(...own.routes.map((r) => abs(`route ${r.table} ${r.type} ${formatIp4(r.dst.addr)}/${r.dst.len} ${r.gateway !== undefined ? formatIp4(r.gateway) : ''} ${r.dev ?? ''} ${r.scope} ${r.metric} ${r.mtu ?? ''} ${r.prefsrc !== undefined ? formatIp4(r.prefsrc) : ''}`)).sort());
  parts.push(`sysctl ${Object.entries(own.sysctl).sort().map(([k, v]) => `${k}=${v}`).join(',')}`);
  for (const [tn, t] of Object.entries(own.netfilter.tables)) for (const c of t?.chains ?? []) for (const r of c.rules) parts.push(abs(`own ${tn} ${c.name} ${saveRuleBody(r.spec)}`));
  const text = parts.join('\n');
  ownCache.set(own, { ip: ip >>> 0, names: key, text });
  return text;
}

/** The signature of one pod (see the file comment). */
export function podSignature(world: World, pod: VerifyPod, spans: readonly Span[]): string {
  const ip = pod.ip!;
  const host = hostSideLinks(world, pod.ns);
  const abs = abstracter(ip, host.map((h) => h.link.name));
  const parts: string[] = [`node=${pod.node}`, `atom=${atomOf(spans, ip)}`];
  const own = world.ns[pod.ns];
  if (own) parts.push(ownShape(own, ip, host.map((h) => h.link.name), abs));
  for (const h of host) parts.push(`host ${h.ns} ${linkShape(h.link, abs)} master=${h.link.master !== undefined ? world.ns[h.ns]?.links[h.link.master]?.name ?? '?' : ''}`);
  // Entries elsewhere that name this pod's address exactly.
  for (const m of exactMentions(world).get(ip >>> 0) ?? []) if (m.ns !== pod.ns) parts.push(abs(m.text));
  return parts.join('\n');
}

/** Group the target's live, addressed, non-hostNetwork pods into classes (stable order: first appearance). */
export function podClasses(t: VerifyTarget): PodClass[] {
  const spans = mentionedPrefixes(t.world);
  const bySig = new Map<string, VerifyPod[]>();
  for (const p of t.pods) {
    if (p.ip === undefined || p.hostNetwork) continue;
    const sig = podSignature(t.world, p, spans);
    const list = bySig.get(sig);
    if (list) list.push(p);
    else bySig.set(sig, [p]);
  }
  return [...bySig.entries()].map(([signature, members]) => ({ node: members[0]!.node, signature, members }));
}
