/**
 * The checks that need no packet: unique pod addresses and podCIDRs, IPAM
 * reservations without a pod, leftovers of deleted pods (veths, routes,
 * iptables chains), MACs per L2 domain, overlay MTUs against their underlay.
 */
import { formatIp4, formatPrefix4, maskOf, parseIp4, prefixContains, type Ip4, type Prefix4 } from '../model/addr.js';
import type { Link, NsName } from '../model/world.js';
import { saveRuleBody } from '../sim/netfilter/format.js';
import type { Violation, VerifyTarget } from './types.js';

/** VXLAN over IPv4 adds 50 bytes: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
export const VXLAN_OVERHEAD = 50;

export function podNetworkOf(t: VerifyTarget): readonly Prefix4[] {
  return t.podNetwork ?? t.nodes.flatMap((n) => n.podCidrs);
}

export function duplicatePodIps(t: VerifyTarget): Violation[] {
  const byIp = new Map<number, string[]>();
  for (const p of t.pods) {
    if (p.ip === undefined || p.hostNetwork) continue;
    const list = byIp.get(p.ip >>> 0) ?? [];
    list.push(p.ref);
    byIp.set(p.ip >>> 0, list);
  }
  const out: Violation[] = [];
  for (const [ip, refs] of byIp) {
    if (refs.length < 2) continue;
    const pods = refs.map((r) => t.pods.find((p) => p.ref === r)!);
    out.push({
      kind: 'duplicate-pod-ip',
      message: `${refs.join(' and ')} both have ${formatIp4(ip)}`,
      witness: { facts: pods.map((p) => `${p.ref} on ${p.node}: ${formatIp4(p.ip!)}`) },
      data: { a: refs[0]!, b: refs[1]!, ip: formatIp4(ip) },
    });
  }
  return out;
}

function span(p: Prefix4): [number, number] {
  const m = maskOf(p.len);
  const lo = (p.addr & m) >>> 0;
  return [lo, (lo | ~m) >>> 0];
}

export function overlappingPodCidrs(t: VerifyTarget): Violation[] {
  const items = t.nodes.flatMap((n) => n.podCidrs.map((c) => ({ node: n.ref, c, s: span(c) })));
  items.sort((a, b) => a.s[0] - b.s[0] || b.s[1] - a.s[1]);
  const out: Violation[] = [];
  // Sweep: each item against the ones still open (sorted by start).
  const open: typeof items = [];
  for (const it of items) {
    for (let i = open.length - 1; i >= 0; i--) if (open[i]!.s[1] < it.s[0]) open.splice(i, 1);
    for (const o of open) {
      if (o.node === it.node) continue;
      out.push({
        kind: 'overlapping-pod-cidrs',
        message: `${o.node}'s podCIDR ${formatPrefix4(o.c)} overlaps ${it.node}'s ${formatPrefix4(it.c)}: both nodes hand out the same addresses`,
        witness: { facts: [`${o.node}: podCIDR ${formatPrefix4(o.c)}`, `${it.node}: podCIDR ${formatPrefix4(it.c)}`] },
        data: { a: o.node, b: it.node },
      });
    }
    open.push(it);
  }
  return out;
}

const IPAM_FILE = /(^|\/)networks\/([^/]+)\/(\d+\.\d+\.\d+\.\d+)$/;

/**
 * The node whose disk holds a file: the twin keeps a runtime node's files
 * under /nodes/NAME (src/cni-emulator), and src/cluster designs put
 * host-local's dataDir at /var/lib/cni/NAME/networks.
 */
function fileOwner(path: string): string | undefined {
  return /^\/nodes\/([^/]+)\//.exec(path)?.[1] ?? /\/var\/lib\/cni\/([^/]+)\/networks\//.exec(path)?.[1];
}

/**
 * host-local reservations (`.../networks/NET/IP`) whose address no live pod of
 * that node has (no live pod at all, for a store no node owns). The disks of
 * nodes that are not up (left the cluster) are not looked at.
 */
export function ipamLeaks(t: VerifyTarget): Violation[] {
  const live = new Set(t.pods.filter((p) => p.ip !== undefined).map((p) => p.ip! >>> 0));
  const byNode = new Map<string, Set<number>>();
  for (const n of t.nodes) byNode.set(n.ns, new Set(t.pods.filter((p) => p.node === n.ref && p.ip !== undefined).map((p) => p.ip! >>> 0)));
  const out: Violation[] = [];
  for (const [path, content] of Object.entries(t.world.files)) {
    if (!path.includes('cni')) continue;
    const m = IPAM_FILE.exec(path);
    if (!m) continue;
    const ip = parseIp4(m[3]!);
    const owner = fileOwner(path);
    if (owner !== undefined && !byNode.has(owner) && !t.world.ns[owner]) continue;
    const holders = owner !== undefined && byNode.has(owner) ? byNode.get(owner)! : live;
    if (ip === undefined || holders.has(ip >>> 0)) continue;
    const container = content.split(/\r?\n/)[0]!.trim();
    out.push({
      kind: 'ipam-leak',
      message: `${m[3]} is reserved in IPAM network ${m[2]}${owner ? ` on ${owner}` : ''} for container ${container || '?'}, but no live pod ${owner ? 'there ' : ''}has it`,
      witness: { facts: [`${path}: ${JSON.stringify(content)}`, `live pods: ${t.pods.filter((p) => p.ip !== undefined).map((p) => `${p.ref} ${formatIp4(p.ip!)}`).join(', ') || 'none'}`] },
      data: { path, ip: m[3]!, network: m[2]! },
    });
  }
  return out;
}

/** Host-side veths whose other end is in a pod namespace with no live pod (or a pod without address), or in no known namespace. */
export function orphanVeths(t: VerifyTarget): Violation[] {
  const nodeNs = new Set(t.nodes.map((n) => n.ns));
  const podByNs = new Map(t.pods.filter((p) => !p.hostNetwork).map((p) => [p.ns, p]));
  const out: Violation[] = [];
  for (const nsName of nodeNs) {
    const ns = t.world.ns[nsName];
    if (!ns) continue;
    for (const l of Object.values(ns.links)) {
      if (l.kind !== 'veth') continue;
      const peerNs = l.peer.ns;
      if (nodeNs.has(peerNs)) continue;
      const label = t.label(peerNs);
      // Cables to switches, machines and other nodes are the underlay, not pods.
      if (!podByNs.has(peerNs) && t.world.ns[peerNs] && /^(node|machine|network)\/|^lab$/.test(label)) continue;
      const pod = podByNs.get(peerNs);
      if (pod && pod.ip !== undefined) continue;
      const why = !t.world.ns[peerNs] ? `its peer's namespace ${peerNs} is gone` : pod ? `${pod.ref} has no address (its ADD failed or was undone)` : `${label} has no live pod`;
      out.push({
        kind: 'orphan-veth',
        message: `${l.name} on ${t.label(nsName)} is left over: ${why}`,
        witness: { facts: [`${t.label(nsName)}: ${l.name} (veth, peer in ${label})`] },
        data: { on: t.label(nsName), dev: l.name },
      });
    }
  }
  return out;
}

function inPodNetwork(net: readonly Prefix4[], ip: Ip4): boolean {
  return net.some((p) => prefixContains(p, ip));
}

/** /32 routes to pod-network addresses that no live pod has, on nodes. */
export function orphanRoutes(t: VerifyTarget): Violation[] {
  const net = podNetworkOf(t);
  if (net.length === 0) return [];
  const live = new Set(t.pods.filter((p) => p.ip !== undefined).map((p) => p.ip! >>> 0));
  const own = new Set<number>();
  for (const n of t.nodes) for (const l of Object.values(t.world.ns[n.ns]?.links ?? {})) for (const a of l.addrs) own.add(a.local >>> 0);
  const out: Violation[] = [];
  for (const n of t.nodes) {
    const ns = t.world.ns[n.ns];
    if (!ns) continue;
    for (const r of ns.routes) {
      if (r.table === 255 || r.dst.len !== 32 || r.type !== 'unicast') continue;
      const ip = r.dst.addr;
      if (!inPodNetwork(net, ip) || live.has(ip >>> 0) || own.has(ip >>> 0)) continue;
      const dev = r.dev !== undefined ? ns.links[r.dev]?.name : undefined;
      const text = `${formatIp4(ip)}${r.gateway !== undefined ? ` via ${formatIp4(r.gateway)}` : ''}${dev ? ` dev ${dev}` : ''}`;
      out.push({
        kind: 'orphan-route',
        message: `${n.ref} still routes ${formatIp4(ip)} (${text}), but no live pod has that address`,
        witness: { decidedBy: { where: n.ref, entry: text }, facts: [`${n.ref}: ${text}`] },
        data: { on: n.ref, ip: formatIp4(ip) },
      });
    }
  }
  return out;
}

/**
 * iptables leftovers on nodes: per-pod rules (`-s IP/32`, `-d IP/32`) for an
 * address no live pod has, and per-container chains (CNI-...) nothing jumps to.
 */
export function orphanChains(t: VerifyTarget): Violation[] {
  const net = podNetworkOf(t);
  const live = new Set(t.pods.filter((p) => p.ip !== undefined).map((p) => p.ip! >>> 0));
  const out: Violation[] = [];
  for (const n of t.nodes) {
    const ns = t.world.ns[n.ns];
    if (!ns) continue;
    for (const [tn, table] of Object.entries(ns.netfilter.tables)) {
      const chains = table?.chains ?? [];
      const jumpedTo = new Set<string>();
      for (const c of chains) for (const r of c.rules) if (r.spec.target?.kind === 'jump') jumpedTo.add(r.spec.target.chain);
      for (const c of chains) {
        if (c.policy === undefined && /^CNI-/.test(c.name) && !jumpedTo.has(c.name)) {
          out.push({
            kind: 'orphan-chain',
            message: `${n.ref}: chain ${c.name} (table ${tn}, ${c.rules.length} rule(s)) is left over: no rule jumps to it`,
            witness: { facts: [`${n.ref} ${tn}: -N ${c.name}`, ...c.rules.map((r) => `-A ${c.name} ${saveRuleBody(r.spec).trimStart()}`)] },
            data: { on: n.ref, table: tn, chain: c.name },
          });
        }
        for (const r of c.rules) {
          for (const m of [r.spec.src, r.spec.dst]) {
            if (!m || m.inv || m.mask >>> 0 !== 0xffffffff) continue;
            if (net.length > 0 && !inPodNetwork(net, m.addr)) continue;
            if (net.length === 0 && !/^CNI-/.test(r.spec.target?.kind === 'jump' ? r.spec.target.chain : '')) continue;
            if (live.has(m.addr >>> 0)) continue;
            const text = `-A ${c.name} ${saveRuleBody(r.spec).trimStart()}`;
            out.push({
              kind: 'orphan-chain',
              message: `${n.ref}: a rule for ${formatIp4(m.addr)} is left over (no live pod has that address): ${text}`,
              witness: { decidedBy: { where: `${n.ref} table ${tn}`, entry: text }, facts: [`${n.ref} table ${tn}: ${text}`] },
              data: { on: n.ref, table: tn, chain: c.name, rule: text },
            });
            break;
          }
        }
      }
    }
  }
  return out;
}

/** Union-find over (ns, ifindex). */
class Dsu {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) return x;
    p = this.find(p);
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/**
 * MACs per L2 domain: a domain joins the two ends of a veth, a bridge and its
 * ports, and every VXLAN device of one VNI and port (an overlay segment).
 * A bridge sharing its MAC with one of its own ports is how Linux makes it.
 */
export function duplicateMacs(t: VerifyTarget): Violation[] {
  const w = t.world;
  const dsu = new Dsu();
  const key = (ns: NsName, ifi: number): string => `${ns}\u0000${ifi}`;
  const vx = new Map<string, string>();
  for (const [nsName, ns] of Object.entries(w.ns)) {
    for (const l of Object.values(ns.links)) {
      const k = key(nsName, l.ifindex);
      dsu.find(k);
      if (l.kind === 'veth' && w.ns[l.peer.ns]?.links[l.peer.ifindex]) dsu.union(k, key(l.peer.ns, l.peer.ifindex));
      if (l.master !== undefined) dsu.union(k, key(nsName, l.master));
      if (l.kind === 'vxlan') {
        const seg = `${l.vni}/${l.dstport}`;
        const first = vx.get(seg);
        if (first) dsu.union(k, first);
        else vx.set(seg, k);
      }
    }
  }
  const domains = new Map<string, { ns: NsName; link: Link }[]>();
  for (const [nsName, ns] of Object.entries(w.ns)) {
    for (const l of Object.values(ns.links)) {
      if (l.kind === 'loopback') continue;
      const r = dsu.find(key(nsName, l.ifindex));
      const list = domains.get(r) ?? [];
      list.push({ ns: nsName, link: l });
      domains.set(r, list);
    }
  }
  const out: Violation[] = [];
  for (const members of domains.values()) {
    const byMac = new Map<string, { ns: NsName; link: Link }[]>();
    for (const m of members) {
      const list = byMac.get(m.link.mac) ?? [];
      list.push(m);
      byMac.set(m.link.mac, list);
    }
    for (const [mac, ls] of byMac) {
      if (ls.length < 2) continue;
      // A bridge takes a port's MAC; only distinct, non-bridge-related holders clash.
      const holders = ls.filter((x) => !(x.link.master !== undefined && ls.some((y) => y.ns === x.ns && y.link.ifindex === x.link.master)));
      if (holders.length < 2) continue;
      out.push({
        kind: 'duplicate-mac',
        message: `${mac} is used by ${holders.map((h) => `${t.label(h.ns)}:${h.link.name}`).join(' and ')} in one L2 domain`,
        witness: { facts: holders.map((h) => `${t.label(h.ns)} ${h.link.name} (${h.link.kind}) link/ether ${mac}`) },
        data: { on: t.label(holders[1]!.ns), dev: holders[1]!.link.name, mac },
      });
    }
  }
  return out;
}

/**
 * Overlay MTUs: a VXLAN device's MTU plus 50 must fit the MTU of its own
 * underlay device and of the remote VTEP's uplink (the namespace holding each
 * FDB destination or `remote` address).
 */
export function overlayMtus(t: VerifyTarget): Violation[] {
  const w = t.world;
  const owner = new Map<number, { ns: NsName; link: Link }>();
  for (const [nsName, ns] of Object.entries(w.ns)) for (const l of Object.values(ns.links)) for (const a of l.addrs) owner.set(a.local >>> 0, { ns: nsName, link: l });
  const out: Violation[] = [];
  for (const [nsName, ns] of Object.entries(w.ns)) {
    for (const l of Object.values(ns.links)) {
      if (l.kind !== 'vxlan') continue;
      const need = l.mtu + VXLAN_OVERHEAD;
      const local = l.dev !== undefined ? ns.links[l.dev] : l.local !== undefined ? owner.get(l.local >>> 0)?.link : undefined;
      const problems: string[] = [];
      if (local && local.mtu < need) problems.push(`its own underlay ${local.name} has MTU ${local.mtu}`);
      const remotes = new Set<number>();
      if (l.remote !== undefined) remotes.add(l.remote >>> 0);
      for (const f of l.fdb) if (f.dst !== undefined) remotes.add(f.dst >>> 0);
      for (const r of remotes) {
        const o = owner.get(r);
        if (o && o.link.mtu < need) problems.push(`the remote VTEP ${formatIp4(r)} (${t.label(o.ns)}:${o.link.name}) has MTU ${o.link.mtu}`);
      }
      if (problems.length === 0) continue;
      out.push({
        kind: 'mtu-mismatch',
        message: `${t.label(nsName)}:${l.name} has MTU ${l.mtu}, so its packets are ${need} bytes on the wire, but ${problems.join('; ')}`,
        witness: { decidedBy: { where: t.label(nsName), entry: `${l.name}: mtu ${l.mtu} (vxlan id ${l.vni}, +${VXLAN_OVERHEAD} bytes)` }, facts: problems },
        data: { on: t.label(nsName), dev: l.name, need: String(need) },
      });
    }
  }
  return out;
}
