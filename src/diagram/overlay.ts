/**
 * A trace laid over the diagram: which namespaces, devices and links the
 * packet went through, numbered in order. Only the hops that carried the
 * packet itself count (ARP side trips do not: the same rule as a scenario's
 * `path` expectation, src/scenarios/run.ts packetHops), and consecutive hops in
 * one namespace (a VXLAN decapsulation, a packet queued behind ARP) make one
 * numbered hop.
 */
import { formatIp4 } from '../model/addr.js';
import { linkByName } from '../model/queries.js';
import type { NsName, World } from '../model/world.js';
import { packetHops } from '../scenarios/run.js';
import type { HeaderView, Hop, Trace } from '../sim/trace.js';
import { devKey, edgeKey, extKey, nsKey } from './graph.js';
import type { DiagramGraph, EdgeKey, HopMark, HopView, TraceOverlay } from './types.js';

interface Touch {
  readonly devs: Set<string>;
  /** veth transmissions: (local device name, peer name, peer namespace). */
  readonly sent: { dev: string; peer: string; peerNs: NsName }[];
  /** VXLAN encapsulations: (device name, outer destination). */
  readonly encaps: { dev: string; dst: string }[];
  readonly decaps: string[];
}

/** The device names a hop's steps mention (see the step texts in src/sim/devices and src/sim/datapath). */
function touched(hop: Hop): Touch {
  const t: Touch = { devs: new Set(), sent: [], encaps: [], decaps: [] };
  if (hop.inDev) t.devs.add(hop.inDev);
  if (hop.outDev) t.devs.add(hop.outDev);
  for (const s of hop.steps) {
    let m: RegExpMatchArray | null;
    if (s.kind === 'transmit' && (m = s.action.match(/^(\S+) -> peer (\S+)(?: in (?:netns (\S+)|(the host)))?/))) {
      t.devs.add(m[1]!);
      t.sent.push({ dev: m[1]!, peer: m[2]!, peerNs: m[4] ? '/' : (m[3] ?? hop.ns) });
    } else if (s.kind === 'bridge' && (m = s.action.match(/^(\S+): /))) {
      t.devs.add(m[1]!);
      const port = s.action.match(/ (?:known )?on (\S+)$/);
      if (port) t.devs.add(port[1]!);
    } else if (s.kind === 'encap' && (m = s.action.match(/^(\S+): VXLAN vni \d+ to (\d+\.\d+\.\d+\.\d+)/))) {
      t.devs.add(m[1]!);
      t.encaps.push({ dev: m[1]!, dst: m[2]! });
    } else if (s.kind === 'decap' && (m = s.action.match(/^(\S+): /))) {
      t.devs.add(m[1]!);
      t.decaps.push(m[1]!);
    } else if (s.kind === 'receive' && (m = s.action.match(/ on (\S+)$/))) {
      t.devs.add(m[1]!);
    }
  }
  return t;
}

/** The key of an edge between two nodes, whichever way it was drawn. */
function findEdge(g: DiagramGraph, a: string, b: string, name: string): EdgeKey | undefined {
  if (g.hasEdge(a, b, name)) return edgeKey(a, b, name);
  if (g.hasEdge(b, a, name)) return edgeKey(b, a, name);
  return undefined;
}

function ownsAddress(world: World, ns: NsName, ip: string): boolean {
  const ns0 = world.ns[ns];
  if (!ns0) return false;
  return Object.values(ns0.links).some((l) => l.addrs.some((a) => formatIp4(a.local) === ip));
}

/** Indexes of the trace's hops that carried the packet itself. */
export function packetHopIndexes(trace: Trace): number[] {
  const keep = new Set(packetHops(trace));
  return trace.hops.flatMap((h, i) => (keep.has(h) ? [i] : []));
}

export function traceOverlay(world: World, g: DiagramGraph, trace: Trace): TraceOverlay {
  const idx = packetHopIndexes(trace);
  // Group consecutive packet hops in one namespace.
  const groups: number[][] = [];
  for (const i of idx) {
    const last = groups[groups.length - 1];
    if (last && trace.hops[last[last.length - 1]!]!.ns === trace.hops[i]!.ns) last.push(i);
    else groups.push([i]);
  }
  const hops: HopMark[] = groups.map((grp, gi) => {
    const ns = trace.hops[grp[0]!]!.ns;
    const nodes: string[] = [];
    const edges: EdgeKey[] = [];
    const add = <T>(xs: T[], x: T | undefined): void => {
      if (x !== undefined && !xs.includes(x)) xs.push(x);
    };
    if (g.hasNode(nsKey(ns))) nodes.push(nsKey(ns));
    const netns = world.ns[ns];
    for (const i of grp) {
      const hop = trace.hops[i]!;
      const t = touched(hop);
      for (const name of t.devs) {
        const l = netns ? linkByName(netns, name) : undefined;
        if (!l) continue;
        const k = devKey(ns, l.ifindex);
        if (g.hasNode(k)) add(nodes, k);
      }
      // A port the packet used, and the bridge it belongs to: the port line lights up.
      for (const name of t.devs) {
        const l = netns ? linkByName(netns, name) : undefined;
        if (!l || l.master === undefined) continue;
        const br = netns!.links[l.master];
        if (br && t.devs.has(br.name)) add(edges, findEdge(g, devKey(ns, l.ifindex), devKey(ns, br.ifindex), 'port'));
      }
      for (const s of t.sent) {
        const a = netns ? linkByName(netns, s.dev) : undefined;
        const pn = world.ns[s.peerNs];
        const b = pn ? linkByName(pn, s.peer) : undefined;
        if (a && b) add(edges, findEdge(g, devKey(ns, a.ifindex), devKey(s.peerNs, b.ifindex), 'veth'));
      }
      for (const e of t.encaps) {
        const a = netns ? linkByName(netns, e.dev) : undefined;
        if (!a) continue;
        const ak = devKey(ns, a.ifindex);
        const out = g.nodeEdges(ak)?.filter((x) => x.name === 'tunnel') ?? [];
        const hit = out.find((x) => {
          const other = x.v === ak ? x.w : x.v;
          const lbl = g.node(other);
          return other === extKey(e.dst) || (lbl?.type === 'dev' && ownsAddress(world, lbl.ns, e.dst));
        });
        if (hit) add(edges, edgeKey(hit.v, hit.w, 'tunnel'));
      }
    }
    return { n: gi + 1, ns, nodes, edges, traceHops: grp };
  });
  return { title: trace.title, disposition: trace.disposition, reason: trace.reason, endedIn: trace.endedIn, hops };
}

/** The namespaces of the numbered hops, in order: what a scenario's `path` expectation compares. */
export function overlayPath(o: TraceOverlay): NsName[] {
  return o.hops.map((h) => h.ns);
}

/** Every hop of a trace (ARP side trips included) for a step-by-step view. */
export function hopViews(trace: Trace, overlay: TraceOverlay, placeOf: (ns: NsName) => string): HopView[] {
  const numberOf = new Map<number, number>();
  for (const h of overlay.hops) for (const i of h.traceHops) numberOf.set(i, h.n);
  return trace.hops.map((hop, index) => {
    let before: HeaderView | undefined;
    let after: HeaderView | undefined;
    for (const s of hop.steps) {
      if (before === undefined) before = s.before ?? (s.kind === 'output' ? s.after : undefined);
      if (s.after && (s.kind === 'nat' || s.kind === 'forward' || s.kind === 'output')) after = s.after;
    }
    const n = numberOf.get(index);
    return {
      index,
      ...(n !== undefined ? { n } : {}),
      ns: hop.ns,
      place: placeOf(hop.ns),
      ...(hop.inDev !== undefined ? { inDev: hop.inDev } : {}),
      ...(hop.outDev !== undefined ? { outDev: hop.outDev } : {}),
      steps: hop.steps,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      hop,
    };
  });
}

/** One line for a header: `ICMP 10.244.1.2 -> 10.244.2.2 ttl 64` / `TCP 10.0.0.1:40001 -> 10.96.0.10:80 ttl 63`. */
export function formatHeader(h: HeaderView): string {
  const proto = typeof h.proto === 'number' ? `proto ${h.proto}` : h.proto.toUpperCase();
  const port = (a: string, p?: number): string => (p !== undefined ? `${a}:${p}` : a);
  return `${proto} ${port(h.src, h.sport)} -> ${port(h.dst, h.dport)} ttl ${h.ttl}`;
}

/** Did NAT change the addresses or ports between `before` and `after`? */
export function natChanged(before: HeaderView | undefined, after: HeaderView | undefined): boolean {
  if (!before || !after) return false;
  return before.src !== after.src || before.dst !== after.dst || before.sport !== after.sport || before.dport !== after.dport;
}
