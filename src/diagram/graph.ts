/**
 * World (+ where each namespace is drawn) -> the diagram graph.
 *
 * What is drawn, and why:
 * - every namespace as a frame, inside the box of the node or machine it
 *   belongs to (a pod's namespace sits in its node's box, next to the node's
 *   own namespace);
 * - its devices, each with its addresses (`ip -br addr`); `lo` only when it
 *   carries more than 127.0.0.1/8, since every namespace has one;
 * - a veth pair as one line between its two ends (both names visible, like
 *   `ip link` shows `veth0@if5`);
 * - a bridge port as a line from the port to its bridge (`bridge link`);
 * - a VXLAN tunnel as a dashed line between the VTEPs that name each other
 *   (`remote`, or an FDB entry's `dst`), or to an outside VTEP that no
 *   namespace here owns.
 */
import { Graph } from '@dagrejs/graphlib';
import { formatIp4, type Ip4 } from '../model/addr.js';
import { linksSorted } from '../model/queries.js';
import type { Link, NsName, VxlanLink, World } from '../model/world.js';
import { ROOT_NS } from '../model/world.js';
import type { DeviceLabel, DiagramGraph, EdgeLabel, NodeLabel, NsPlace } from './types.js';

export const boxKey = (group: string): string => `box:${group}`;
export const nsKey = (ns: NsName): string => `ns:${ns}`;
export const devKey = (ns: NsName, ifindex: number): string => `dev:${ns}:${ifindex}`;
export const extKey = (ip: string): string => `ext:${ip}`;
export const edgeKey = (v: string, w: string, name: string): string => `${v}|${w}|${name}`;

/**
 * A key as an XML/DOT/Mermaid-safe identifier: letters, digits, `-` kept;
 * everything else `_` + two hex digits (so `ns:/` is `ns_3a_2f`). Stable, so
 * the page can find an element by the key it computed.
 */
export function elementId(key: string): string {
  let out = '';
  for (const ch of key) {
    if (/[A-Za-z0-9-]/.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0)!;
      out += '_' + (code < 256 ? code.toString(16).padStart(2, '0') : `u${code.toString(16)}_`);
    }
  }
  return out;
}

/** Default placement for a world built by a shell script: each namespace on its own, the initial one as the host. */
export function shellPlacement(world: World): Record<NsName, NsPlace> {
  const out: Record<NsName, NsPlace> = Object.create(null) as Record<NsName, NsPlace>;
  for (const ns of Object.keys(world.ns)) out[ns] = ns === ROOT_NS ? { kind: 'host', name: 'host' } : { kind: 'netns', name: ns };
  return out;
}

export function nsTitle(p: NsPlace, ns: NsName): string {
  switch (p.kind) {
    case 'pod':
      return `pod ${p.name}`;
    case 'node':
      return p.group ? 'host netns' : `node ${p.name}`;
    case 'machine':
      return p.group ? 'host netns' : `machine ${p.name}`;
    case 'network':
      return `switch ${p.name}`;
    case 'lab':
      return 'lab host (initial netns)';
    case 'host':
      return 'host (initial netns)';
    case 'netns':
      return `netns ${ns}`;
  }
}

/** Is this device worth drawing? `lo` only when it has more than 127.0.0.1. */
function visible(l: Link): boolean {
  if (l.kind !== 'loopback') return true;
  return l.addrs.some((a) => (a.local >>> 24) !== 127);
}

function deviceLabel(world: World, ns: NsName, l: Link): DeviceLabel {
  const addrs = l.addrs.map((a) => `${formatIp4(a.local)}/${a.prefixLen}`);
  const base = { type: 'dev' as const, ns, ifindex: l.ifindex, name: l.name, kind: l.kind, addrs, up: l.adminUp, mac: l.mac, mtu: l.mtu };
  if (l.kind === 'vxlan') return { ...base, detail: `vxlan vni ${l.vni}` };
  if (l.kind === 'bridge') {
    const ports = Object.values(world.ns[ns]!.links).filter((x) => x.master === l.ifindex).length;
    return { ...base, detail: `bridge, ${ports} port${ports === 1 ? '' : 's'}` };
  }
  return base;
}

export interface BuildOptions {
  /** Where each namespace is drawn; namespaces missing here are drawn as plain netns. */
  readonly placement?: Readonly<Record<NsName, NsPlace>>;
  /** Namespaces to draw even when empty (e.g. a trace went through them). */
  readonly keep?: ReadonlySet<NsName>;
  readonly title?: string;
}

export function buildGraph(world: World, opts: BuildOptions = {}): DiagramGraph {
  const g: DiagramGraph = new Graph<{ title?: string }, NodeLabel, EdgeLabel>({ directed: true, multigraph: true, compound: true });
  g.setGraph(opts.title !== undefined ? { title: opts.title } : {});
  const placement = opts.placement ?? shellPlacement(world);
  const names = orderNamespaces(world, placement);
  for (const ns of names) {
    const place = placement[ns] ?? { kind: 'netns', name: ns };
    const links = linksSorted(world.ns[ns]!).filter(visible);
    // An empty initial namespace (a scenario's lab host, a script's host) adds nothing to the
    // picture, unless it is all there is (a fresh machine in the terminal).
    if (links.length === 0 && (place.kind === 'lab' || place.kind === 'host') && !opts.keep?.has(ns) && (place.kind === 'lab' || names.length > 1)) continue;
    if (place.group !== undefined) {
      const bk = boxKey(place.group);
      if (!g.hasNode(bk)) {
        const kind = placement[place.group]?.kind === 'machine' ? 'machine' : 'node';
        g.setNode(bk, { type: 'box', kind, name: place.group, label: `${kind} ${place.group}` });
      }
    }
    const nk = nsKey(ns);
    g.setNode(nk, { type: 'ns', ns, place, label: nsTitle(place, ns) });
    if (place.group !== undefined) g.setParent(nk, boxKey(place.group));
    for (const l of links) {
      const dk = devKey(ns, l.ifindex);
      g.setNode(dk, deviceLabel(world, ns, l));
      g.setParent(dk, nk);
    }
  }
  // veth pairs: one edge per pair, from the inner end (pod side) to the outer one.
  for (const ns of names) {
    const links = world.ns[ns]?.links ?? {};
    for (const l of Object.values(links)) {
      if (l.kind !== 'veth') continue;
      const a = devKey(ns, l.ifindex);
      const b = devKey(l.peer.ns, l.peer.ifindex);
      if (!g.hasNode(a) || !g.hasNode(b)) continue;
      if (g.hasEdge(a, b, 'veth') || g.hasEdge(b, a, 'veth')) continue;
      const [v, w] = depth(placement, ns) <= depth(placement, l.peer.ns) ? [a, b] : [b, a];
      g.setEdge(v, w, { kind: 'veth' }, 'veth');
    }
    for (const l of Object.values(links)) {
      if (l.master === undefined) continue;
      const p = devKey(ns, l.ifindex);
      const br = devKey(ns, l.master);
      if (g.hasNode(p) && g.hasNode(br)) g.setEdge(p, br, { kind: 'port' }, 'port');
    }
  }
  addTunnels(world, g, names);
  return g;
}

/** Pods first, then nodes, machines, switches: the order the layout reads top-down. */
function depth(placement: Readonly<Record<NsName, NsPlace>>, ns: NsName): number {
  const k = placement[ns]?.kind ?? 'netns';
  return k === 'pod' ? 0 : k === 'netns' ? 1 : k === 'node' || k === 'machine' || k === 'lab' || k === 'host' ? 2 : 3;
}

function orderNamespaces(world: World, placement: Readonly<Record<NsName, NsPlace>>): NsName[] {
  const order = [ROOT_NS, ...world.nsOrder.filter((n) => n !== ROOT_NS)].filter((n) => world.ns[n]);
  for (const n of Object.keys(world.ns)) if (!order.includes(n)) order.push(n);
  // Keep each group together (its own namespace first), in first-seen order.
  const groupOf = (n: NsName): string => placement[n]?.group ?? n;
  const groups: string[] = [];
  for (const n of order) if (!groups.includes(groupOf(n))) groups.push(groupOf(n));
  return groups.flatMap((gr) => order.filter((n) => groupOf(n) === gr).sort((a, b) => (a === gr ? -1 : b === gr ? 1 : 0)));
}

/** Every VTEP address a namespace owns (its interface addresses). */
function ownedAddresses(world: World, ns: NsName): Set<number> {
  const out = new Set<number>();
  for (const l of Object.values(world.ns[ns]?.links ?? {})) for (const a of l.addrs) out.add(a.local);
  return out;
}

function addTunnels(world: World, g: DiagramGraph, names: readonly NsName[]): void {
  const vteps: { ns: NsName; link: VxlanLink; owns: Set<number> }[] = [];
  for (const ns of names) {
    for (const l of Object.values(world.ns[ns]?.links ?? {})) {
      if (l.kind === 'vxlan' && g.hasNode(devKey(ns, l.ifindex))) vteps.push({ ns, link: l, owns: ownedAddresses(world, ns) });
    }
  }
  for (const a of vteps) {
    const remotes = new Set<number>();
    if (a.link.remote !== undefined) remotes.add(a.link.remote);
    for (const e of a.link.fdb) if (e.dst !== undefined) remotes.add(e.dst);
    for (const r of [...remotes].sort((x, y) => x - y)) {
      const b = vteps.find((x) => x !== a && x.link.vni === a.link.vni && (x.link.local === r || (x.link.local === undefined && x.owns.has(r))));
      const ak = devKey(a.ns, a.link.ifindex);
      const label: EdgeLabel = { kind: 'tunnel', label: `VXLAN vni ${a.link.vni}` };
      if (b) {
        const bk = devKey(b.ns, b.link.ifindex);
        if (!g.hasEdge(ak, bk, 'tunnel') && !g.hasEdge(bk, ak, 'tunnel')) g.setEdge(ak, bk, label, 'tunnel');
      } else if (!(r === 0)) {
        const ip = formatIp4(r as Ip4);
        const ek = extKey(ip);
        if (!g.hasNode(ek)) g.setNode(ek, { type: 'dev', ns: '', ifindex: 0, name: ip, kind: 'external', addrs: [], up: true, detail: 'VTEP outside this world' });
        if (!g.hasEdge(ak, ek, 'tunnel')) g.setEdge(ak, ek, label, 'tunnel');
      }
    }
  }
}
