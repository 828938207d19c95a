/**
 * `podnet diagram FILE [--at STEP] [--trace FROM,TO] --format svg|dot|mermaid [-o OUT]`:
 * draw a scenario's world (or the world a twin-shell script leaves) with a
 * probe's path over it. SVG comes from Graphviz compiled to WebAssembly
 * in-process (no system binaries).
 */
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { buildGraph, renderSvg, scenarioDiagram, shellPlacement, toDot, toMermaid, traceOverlay, type Diagram, type ProbeKind } from '../diagram/index.js';
import { formatIssue, loadScenario, stepIndex, type Scenario } from '../scenarios/index.js';
import { runScript } from '../shell/interp.js';
import type { Io } from './io.js';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface DiagramOpts {
  readonly at?: string;
  readonly trace?: string;
  readonly tcp?: string;
  readonly udp?: string;
  readonly format: string;
  readonly output?: string;
  readonly direction?: string;
}

export function registerDiagramCommand(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('diagram')
    .description('Draw a scenario (or the world a twin-shell script leaves): nodes holding their namespaces, veth pairs, bridges and ports, tunnels, the underlay, addresses; with --trace, the packet path with numbered hops.')
    .argument('<file>', 'scenario (YAML) or twin-shell script (.sh)')
    .option('--at <step>', 'after this step (number or name; 0 = right after the build); default after the last')
    .option('--trace <from,to>', 'send a ping FROM,TO (pod/NAME, node/NAME, machine/NAME; TO may be an address) and draw its path; for a script: "last" draws the last probe it traced')
    .addOption(new Option('--tcp <port>', 'the traced probe is a TCP SYN to this port').conflicts(['udp']))
    .option('--udp <port>', 'the traced probe is a UDP datagram to this port')
    .addOption(new Option('--format <format>', 'output format').choices(['svg', 'dot', 'mermaid']).default('svg'))
    .addOption(new Option('--direction <dir>', 'layout direction').choices(['TB', 'LR']).default('TB'))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet diagram examples/07-public-network-overlay.yaml --trace pod/frontend,pod/backend -o overlay.svg
  $ podnet diagram examples/05-graphic4-switch.yaml --at 0 --format mermaid
  $ podnet diagram examples/shell/router.sh --trace last --format dot`,
    )
    .action(async (file: string, opts: DiagramOpts) => {
      try {
        const d = diagramOf(io, file, opts);
        const dir = opts.direction === 'LR' ? 'LR' : 'TB';
        const text = opts.format === 'mermaid' ? toMermaid(d, { direction: dir }) : opts.format === 'dot' ? toDot(d, { rankdir: dir }) : await renderSvg(toDot(d, { rankdir: dir }));
        if (opts.output !== undefined) io.writeFile(opts.output, text);
        else io.out(text);
        setCode(0);
      } catch (e) {
        if (e instanceof Exit) {
          setCode(e.code);
          return;
        }
        throw e;
      }
    });
}

function diagramOf(io: Io, file: string, opts: DiagramOpts): Diagram {
  const text = io.readFile(file);
  if (text === undefined) {
    io.err(`${file}: cannot read the file\n`);
    throw new Exit(2);
  }
  if (file.endsWith('.sh')) return scriptDiagram(io, text, opts);
  const r = loadScenario(text, { file, readFile: (p) => io.readFile(resolve(dirname(file), p)) });
  if (!r.ok) {
    for (const i of r.issues) io.err(formatIssue(i) + '\n');
    throw new Exit(2);
  }
  const s: Scenario = r.scenario;
  let until = Infinity;
  if (opts.at !== undefined) {
    const n = stepIndex(s, opts.at);
    if (n === undefined) {
      io.err(`podnet: --at ${opts.at}: no such step (steps 1-${s.steps.length}; 0 = right after the build)\n`);
      throw new Exit(2);
    }
    until = n;
  }
  let probe: { from: string; to: string; kind: ProbeKind; port?: number } | undefined;
  if (opts.trace !== undefined) {
    const parts = opts.trace.split(',');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      io.err(`podnet: --trace ${opts.trace}: expected FROM,TO (e.g. pod/frontend,pod/backend)\n`);
      throw new Exit(2);
    }
    const port = opts.tcp ?? opts.udp;
    const n = port === undefined ? undefined : Number(port);
    if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 65535)) {
      io.err('podnet: a port is a number from 1 to 65535\n');
      throw new Exit(2);
    }
    probe = { from: parts[0], to: parts[1], kind: opts.tcp !== undefined ? 'tcp' : opts.udp !== undefined ? 'udp' : 'ping', ...(n !== undefined ? { port: n } : {}) };
  }
  const res = scenarioDiagram(s, { until, ...(probe ? { probe } : {}) });
  if (res.report.invalid.length > 0) {
    for (const i of res.report.invalid) io.err(formatIssue(i) + '\n');
    throw new Exit(2);
  }
  if (res.probeError !== undefined) {
    io.err(`podnet: ${res.probeError}\n`);
    throw new Exit(2);
  }
  return res.diagram;
}

function scriptDiagram(io: Io, text: string, opts: DiagramOpts): Diagram {
  if (opts.at !== undefined) {
    io.err('podnet: --at applies to scenarios, not scripts\n');
    throw new Exit(2);
  }
  if (opts.trace !== undefined && opts.trace !== 'last') {
    io.err('podnet: for a script, --trace takes "last" (the last probe the script traced)\n');
    throw new Exit(2);
  }
  const all = runScript(text);
  if (opts.trace === undefined) return { graph: buildGraph(all.world, { placement: shellPlacement(all.world) }) };
  const lastLine = all.traces.length ? all.traces[all.traces.length - 1]!.line : undefined;
  // Draw the world as it was when that probe went: scripts often tear their lab down afterwards.
  const res = lastLine === undefined ? all : runScript(text.split('\n').slice(0, lastLine).join('\n') + '\n');
  const graph = buildGraph(res.world, { placement: shellPlacement(res.world) });
  const t = res.traces.find((x) => x.line === lastLine)?.trace;
  if (!t) {
    io.err('podnet: --trace last: the script sent no probe (ping, nc, traceroute)\n');
    throw new Exit(2);
  }
  return { graph, overlay: traceOverlay(res.world, graph, t) };
}
