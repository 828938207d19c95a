/**
 * The diagram as Graphviz DOT: boxes and namespaces as nested clusters,
 * devices as nodes, links as edges. Every element carries a stable `id`
 * (elementId of its key) and `class` attributes, which Graphviz copies into
 * its SVG: the web page finds elements by id and lights a hop by adding a CSS
 * class; the CLI's SVG bakes the whole trace in with colours and hop numbers.
 */
import { edgeKey, elementId } from './graph.js';
import type { DeviceLabel, Diagram, DiagramGraph, NsLabel, TraceOverlay } from './types.js';

const FONT = 'Helvetica,Arial,sans-serif';
const HOT = '#d32f2f';

const NS_FILL: Record<NsLabel['place']['kind'], string> = {
  pod: '#e3f2fd',
  node: '#f1f8e9',
  machine: '#fff8e1',
  network: '#eceff1',
  lab: '#f5f5f5',
  host: '#f5f5f5',
  netns: '#e8eaf6',
};

const DEV_FILL: Record<DeviceLabel['kind'], string> = {
  loopback: '#ffffff',
  veth: '#ffffff',
  bridge: '#ffe0b2',
  vxlan: '#f3e5f5',
  external: '#ffffff',
};

/** A DOT double-quoted string (`\n` stays a line break escape). */
export function dotString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

function attrs(a: Record<string, string | number | undefined>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : dotString(v!)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

export function deviceText(d: DeviceLabel): string {
  const lines = [d.name];
  if (d.detail) lines.push(`(${d.detail})`);
  lines.push(...d.addrs);
  if (!d.up && d.kind !== 'external') lines.push('(down)');
  return lines.join('\n');
}

/** Hop numbers per node key and per edge key. */
export function hopIndex(o: TraceOverlay | undefined): { nodes: Map<string, number[]>; edges: Map<string, number[]> } {
  const nodes = new Map<string, number[]>();
  const edges = new Map<string, number[]>();
  for (const h of o?.hops ?? []) {
    for (const k of h.nodes) nodes.set(k, [...(nodes.get(k) ?? []), h.n]);
    for (const k of h.edges) edges.set(k, [...(edges.get(k) ?? []), h.n]);
  }
  return { nodes, edges };
}

export const hopsText = (ns: readonly number[]): string => `${ns.length === 1 ? 'hop' : 'hops'} ${ns.join(', ')}`;

export interface DotOptions {
  /** Draw the overlay (colours, hop numbers); default true when the diagram has one. */
  readonly overlay?: boolean;
  readonly rankdir?: 'TB' | 'LR';
}

export function toDot(d: Diagram, opts: DotOptions = {}): string {
  const g = d.graph;
  const lit = hopIndex(opts.overlay === false ? undefined : d.overlay);
  const out: string[] = [];
  out.push('digraph podnet {');
  const title = g.graph().title;
  out.push(
    `  graph${attrs({ rankdir: opts.rankdir ?? 'TB', fontname: FONT, fontsize: 12, newrank: 'true', compound: 'true', nodesep: 0.3, ranksep: 0.5, bgcolor: 'white', label: title, labelloc: 't', id: 'podnet-diagram' })};`,
  );
  out.push(`  node${attrs({ shape: 'box', style: 'rounded,filled', fontname: FONT, fontsize: 10, margin: '0.08,0.04', penwidth: 1 })};`);
  out.push(`  edge${attrs({ dir: 'none', fontname: FONT, fontsize: 9 })};`);
  const emit = (key: string, indent: string): void => {
    const label = g.node(key);
    const children = g.children(key);
    if (label.type === 'dev') {
      const hops = lit.nodes.get(key);
      out.push(
        `${indent}${dotString(key)}${attrs({
          id: elementId(key),
          class: `dev ${label.kind}${label.up ? '' : ' down'}${hops ? ` hop ${hops.map((n) => `hop-${n}`).join(' ')}` : ''}`,
          label: deviceText(label),
          fillcolor: hops ? '#ffebee' : DEV_FILL[label.kind],
          color: hops ? HOT : label.kind === 'bridge' ? '#ef6c00' : label.kind === 'vxlan' ? '#8e24aa' : '#546e7a',
          penwidth: hops ? 2.5 : undefined,
          style: label.kind === 'external' ? 'dashed' : label.up ? 'rounded,filled' : 'rounded,filled,dashed',
          shape: label.kind === 'external' ? 'ellipse' : undefined,
          fontcolor: label.up ? undefined : '#757575',
          tooltip: `${label.name}${label.ns ? ` in ${label.ns === '/' ? 'the initial netns' : `netns ${label.ns}`}` : ''}${label.mac ? `, ${label.mac}` : ''}${label.mtu ? `, mtu ${label.mtu}` : ''}${label.up ? '' : ', down'}`,
        })};`,
      );
      return;
    }
    const hops = lit.nodes.get(key);
    const cls = label.type === 'box' ? `box ${label.kind}` : `ns ${label.place.kind}${hops ? ` hop ${hops.map((n) => `hop-${n}`).join(' ')}` : ''}`;
    out.push(`${indent}subgraph ${dotString(`cluster_${key}`)} {`);
    const text = hops && label.type === 'ns' ? `${hopsText(hops)}: ${label.label}` : label.label;
    const style =
      label.type === 'box'
        ? { style: 'rounded,bold', color: '#37474f', bgcolor: '#fafafa', fontsize: 13 }
        : {
            style: label.place.kind === 'network' ? 'rounded,filled,dashed' : 'rounded,filled',
            fillcolor: NS_FILL[label.place.kind],
            color: hops ? HOT : '#78909c',
            penwidth: hops ? 2.5 : 1,
            fontcolor: hops ? HOT : '#263238',
            fontsize: 11,
          };
    out.push(`${indent}  graph${attrs({ id: elementId(key), class: cls, label: text, labeljust: 'l', ...style })};`);
    // An empty cluster is not drawn by Graphviz: give an empty namespace a placeholder.
    if (children.length === 0) out.push(`${indent}  ${dotString(`${key}:empty`)}${attrs({ label: 'no devices', shape: 'plaintext', style: '', fontcolor: '#9e9e9e' })};`);
    for (const c of children) emit(c, indent + '  ');
    out.push(`${indent}}`);
  };
  for (const k of g.children()) emit(k, '  ');
  for (const e of edgesInOrder(g)) {
    const lbl = g.edge(e);
    const key = edgeKey(e.v, e.w, e.name!);
    const hops = lit.edges.get(key);
    // Hop numbers on the lines between namespaces; a lit bridge port needs none (its namespace has it).
    const text = [lbl.label, hops && lbl.kind !== 'port' ? hopsText(hops) : undefined].filter(Boolean).join('\n');
    out.push(
      `  ${dotString(e.v)} -> ${dotString(e.w)}${attrs({
        id: elementId(key),
        class: `link ${lbl.kind}${hops ? ` hop ${hops.map((n) => `hop-${n}`).join(' ')}` : ''}`,
        label: text || undefined,
        fontcolor: hops ? HOT : lbl.kind === 'tunnel' ? '#8e24aa' : undefined,
        color: hops ? HOT : lbl.kind === 'tunnel' ? '#8e24aa' : lbl.kind === 'port' ? '#90a4ae' : '#37474f',
        penwidth: hops ? 3 : lbl.kind === 'veth' ? 1.6 : 1,
        style: lbl.kind === 'tunnel' ? 'dashed' : undefined,
        constraint: lbl.kind === 'tunnel' ? 'false' : undefined,
        tooltip: lbl.kind === 'veth' ? 'veth pair' : lbl.kind === 'port' ? 'bridge port' : lbl.label,
      })};`,
    );
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/** Edges in a stable order: veth pairs, then ports, then tunnels, each by key. */
export function edgesInOrder(g: DiagramGraph): ReturnType<DiagramGraph['edges']> {
  const rank = { veth: 0, port: 1, tunnel: 2 } as const;
  return [...g.edges()].sort((a, b) => rank[g.edge(a).kind] - rank[g.edge(b).kind] || edgeKey(a.v, a.w, a.name!).localeCompare(edgeKey(b.v, b.w, b.name!)));
}
