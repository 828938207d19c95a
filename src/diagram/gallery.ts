/**
 * The examples' pictures: each scenario drawn with the walk its header
 * suggests (`# Walk it:  npx podnet explain FILE --from A --to B ...`), each
 * shell example with the last probe it sends, and examples/README.md, the
 * page that embeds them. Pure but for the callback that reads files a
 * scenario refers to; `npm run diagrams` (scripts/diagrams.ts) writes them.
 */
import { loadScenario, stepIndex } from '../scenarios/index.js';
import { runScript } from '../shell/interp.js';
import { toDot } from './dot.js';
import { buildGraph, shellPlacement } from './graph.js';
import { traceOverlay } from './overlay.js';
import { scenarioDiagram, type ProbeRequest } from './scenario.js';
import { renderSvg } from './svg.js';
import type { Diagram } from './types.js';

export interface ExampleFile {
  /** Path relative to examples/ (`05-graphic4-switch.yaml`, `shell/router.sh`). */
  readonly file: string;
  readonly text: string;
}

export interface GalleryEntry {
  readonly file: string;
  /** Base name of the picture: docs/diagrams/NAME.svg. */
  readonly name: string;
  readonly title: string;
  /** The command whose walk is drawn. */
  readonly command: string;
  readonly diagram: Diagram;
}

/** The walk an example's header suggests: `--from`, `--to`, `--tcp`/`--udp`, `--at`. */
export function suggestedWalk(text: string): { probe: ProbeRequest; at?: string; line: string } | undefined {
  const m = text.match(/^#\s*Walk it:\s*(npx podnet (?:explain|trace) .*)$/m);
  if (!m) return undefined;
  const words = m[1]!.trim().split(/\s+/);
  const opt = (name: string): string | undefined => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const from = opt('--from');
  const to = opt('--to');
  if (!from || !to) return undefined;
  const tcp = opt('--tcp');
  const udp = opt('--udp');
  const at = opt('--at');
  const probe: ProbeRequest = { from, to, kind: tcp ? 'tcp' : udp ? 'udp' : 'ping', ...(tcp || udp ? { port: Number(tcp ?? udp) } : {}) };
  return { probe, ...(at !== undefined ? { at } : {}), line: m[1]!.trim() };
}

export function exampleEntry(ex: ExampleFile, readFile: (path: string) => string | undefined): GalleryEntry {
  const name = ex.file.replace(/\//g, '-').replace(/\.(yaml|sh)$/, '');
  if (ex.file.endsWith('.sh')) {
    const all = runScript(ex.text);
    const lastLine = all.traces.length ? all.traces[all.traces.length - 1]!.line : undefined;
    // The world as it was when the last probe went (a lab script often tears it down afterwards).
    const res = lastLine === undefined ? all : runScript(ex.text.split('\n').slice(0, lastLine).join('\n') + '\n');
    const graph = buildGraph(res.world, { placement: shellPlacement(res.world), title: ex.file });
    // The request of the last probe the script sent (its first walk on that line).
    const t = res.traces.find((x) => x.line === lastLine)?.trace;
    const title = ex.text.match(/^#\s*(.+)$/m)?.[1]?.replace(/[.:]\s*$/, '') ?? ex.file;
    return { file: ex.file, name, title, command: `npx podnet diagram examples/${ex.file} --trace last`, diagram: t ? { graph, overlay: traceOverlay(res.world, graph, t) } : { graph } };
  }
  const r = loadScenario(ex.text, { file: ex.file, readFile });
  if (!r.ok) throw new Error(`${ex.file}: ${r.issues.map((i) => i.message).join('; ')}`);
  const s = r.scenario;
  const walk = suggestedWalk(ex.text);
  let probe = walk?.probe;
  let until = walk?.at !== undefined ? (stepIndex(s, walk.at) ?? Infinity) : Infinity;
  let command = walk ? walk.line.replace(/^npx podnet (explain|trace)/, 'npx podnet diagram').replace(/ --no-arp\b/, '') : '';
  if (!probe) {
    // No suggested walk: the first probe step of the scenario, right where it runs.
    const st = s.steps.find((x) => x.kind === 'ping' || x.kind === 'tcp' || x.kind === 'udp');
    if (st) {
      const a = st.action as { from: string; to: string; port?: number };
      probe = { from: a.from, to: a.to, kind: st.kind as 'ping' | 'tcp' | 'udp', ...(a.port !== undefined ? { port: a.port } : {}) };
      until = st.index - 1;
      command = `npx podnet diagram examples/${ex.file} --at ${until} --trace ${a.from},${a.to}${a.port !== undefined ? ` --${st.kind} ${a.port}` : ''}`;
    }
  } else {
    command = command.replace(/--from (\S+) --to (\S+)/, '--trace $1,$2');
  }
  const d = scenarioDiagram(s, { until, ...(probe ? { probe } : {}) });
  if (d.probeError !== undefined) throw new Error(`${ex.file}: ${d.probeError}`);
  return { file: ex.file, name, title: s.title ?? s.name, command, diagram: d.diagram };
}

export async function exampleGallery(examples: readonly ExampleFile[], readFile: (path: string) => string | undefined): Promise<{ entries: GalleryEntry[]; svgs: Record<string, string>; readme: string }> {
  const entries = examples.map((e) => exampleEntry(e, readFile));
  const svgs: Record<string, string> = {};
  for (const e of entries) svgs[e.name] = await renderSvg(toDot(e.diagram));
  return { entries, svgs, readme: galleryReadme(entries) };
}

export function galleryReadme(entries: readonly GalleryEntry[]): string {
  const out: string[] = [
    '# Examples',
    '',
    '<!-- Generated by `npm run diagrams` (scripts/diagrams.ts): edit the examples, not this page. -->',
    '',
    'Each scenario is a runnable lab: `npx podnet run FILE` checks its expectations, `npx podnet explain FILE --from A --to B`',
    'walks a packet through it in sentences, and `npx podnet serve FILE` opens it in the browser (the topology, a',
    'hop-by-hop stepper, the YAML with inline validation, and a terminal running the twin shell). The shell examples',
    'are scripts of Linux commands for `npx podnet sh FILE`.',
    '',
    "Each picture is the world after the scenario's steps, drawn by `podnet diagram`: boxes are nodes and machines,",
    'frames inside them network namespaces (pods, the host), white boxes devices with their addresses; thick lines',
    'are veth pairs, thin lines bridge ports, dashed lines VXLAN tunnels; the dashed grey frames are the switches',
    'of the underlay. In red, numbered: the path of the packet the command under the picture sends.',
    '',
  ];
  for (const e of entries) {
    out.push(`## [${e.file}](${e.file})`, '', e.title, '', `![${e.name}](../docs/diagrams/${e.name}.svg)`, '', '```', e.command, '```', '');
  }
  return out.join('\n');
}
