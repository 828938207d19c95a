/**
 * The diagram as a Mermaid flowchart, for Markdown docs (GitHub renders
 * ```mermaid blocks): boxes and namespaces as nested subgraphs, devices as
 * nodes, veth pairs as solid lines, bridge ports as thin lines, tunnels dashed.
 * A trace shows as red nodes and links with hop numbers.
 */
import { edgeKey, elementId } from './graph.js';
import { deviceText, edgesInOrder, hopIndex, hopsText } from './dot.js';
import type { Diagram } from './types.js';

/** Mermaid node ids: letters, digits and `_` only (a `-` could read as a link). */
export const mermaidId = (key: string): string => elementId(key).replace(/-/g, '_2d');

/** A quoted Mermaid label (line breaks as <br/>, quotes as entities). */
const text = (s: string): string => '"' + s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, '<br/>') + '"';

export function toMermaid(d: Diagram, opts: { direction?: 'TB' | 'LR' } = {}): string {
  const g = d.graph;
  const lit = hopIndex(d.overlay);
  const out: string[] = [`flowchart ${opts.direction ?? 'TB'}`];
  const hot: string[] = [];
  const emit = (key: string, indent: string): void => {
    const label = g.node(key);
    const id = mermaidId(key);
    const hops = lit.nodes.get(key);
    if (hops) hot.push(id);
    if (label.type === 'dev') {
      const t = text(deviceText(label));
      out.push(`${indent}${id}${label.kind === 'external' ? `((${t}))` : label.kind === 'bridge' ? `[[${t}]]` : label.kind === 'vxlan' ? `{{${t}}}` : `[${t}]`}`);
      return;
    }
    const title = label.type === 'ns' && hops ? `${hopsText(hops)}: ${label.label}` : label.label;
    out.push(`${indent}subgraph ${id}[${text(title)}]`);
    const children = g.children(key);
    if (children.length === 0) out.push(`${indent}  ${id}_empty[${text('no devices')}]`);
    for (const c of children) emit(c, indent + '  ');
    out.push(`${indent}end`);
  };
  for (const k of g.children()) emit(k, '  ');
  const linkStyles: string[] = [];
  edgesInOrder(g).forEach((e, i) => {
    const lbl = g.edge(e);
    const hops = lit.edges.get(edgeKey(e.v, e.w, e.name!));
    const words = [lbl.label, hops && lbl.kind !== 'port' ? hopsText(hops) : undefined].filter(Boolean).join(', ');
    const arrow = lbl.kind === 'tunnel' ? '-.-' : lbl.kind === 'port' ? '---' : '===';
    out.push(`  ${mermaidId(e.v)} ${arrow}${words ? `|${text(words)}|` : ''} ${mermaidId(e.w)}`);
    if (hops) linkStyles.push(`  linkStyle ${i} stroke:#d32f2f,stroke-width:3px`);
  });
  out.push('  classDef hop fill:#ffebee,stroke:#d32f2f,stroke-width:2px,color:#b71c1c');
  if (hot.length) out.push(`  class ${hot.join(',')} hop`);
  out.push(...linkStyles);
  return out.join('\n') + '\n';
}
