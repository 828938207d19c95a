/**
 * Every example renders an SVG diagram whose path matches its trace: for each
 * probe step (ping, tcp, udp) of each example, the numbered hops drawn over the
 * world are the namespaces the request walked through, in order; each hop that
 * hands the packet to the next namespace lights a link into it; the step's own
 * `path` expectation reads off the drawing; and the SVG (Graphviz wasm) carries
 * the numbered, highlighted elements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraph, elementId, nsKey, overlayPath, renderSvg, scenarioPlacement, toDot, toMermaid, traceOverlay, type DiagramGraph, type TraceOverlay } from '../../src/diagram/index.js';
import { loadScenario, packetHops, parseRef, Runner, type Scenario } from '../../src/scenarios/index.js';

const DIR = new URL('../../examples/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function load(f: string): Scenario {
  const r = loadScenario(readFileSync(new URL(f, DIR), 'utf8'), { file: f, readFile: (p) => readFileSync(new URL(p, DIR), 'utf8') });
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.scenario;
}

const compress = <T>(xs: T[]): T[] => xs.filter((x, i) => i === 0 || xs[i - 1] !== x);

/** Which namespace a link's far end is in. */
const endsIn = (g: DiagramGraph, key: string): string[] => {
  const [v, w] = key.split('|');
  return [v!, w!].map((k) => {
    const n = g.node(k);
    return n && n.type === 'dev' ? n.ns : '';
  });
};

describe.each(FILES)('%s', (file) => {
  const s = load(file);
  const probes = s.steps.filter((st) => st.kind === 'ping' || st.kind === 'tcp' || st.kind === 'udp');

  it('has a probe step to draw', () => {
    expect(probes.length).toBeGreaterThan(0);
  });

  probes.forEach((st, i) => {
    it(`step ${st.index} (${st.name ?? st.kind}): the drawn path is the trace's${i === 0 ? ', in SVG too' : ''}`, async () => {
      const runner = new Runner(s);
      const rep = runner.run(st.index);
      expect(rep.invalid).toEqual([]);
      const probe = rep.steps[rep.steps.length - 1]!.probe!;
      const trace = probe.request!;
      const world = runner.world;
      const placement = scenarioPlacement(s, rep.places);
      const g = buildGraph(world, { placement, keep: new Set(trace.hops.map((h) => h.ns)) });
      const o: TraceOverlay = traceOverlay(world, g, trace);

      // The numbered hops are the namespaces of the packet's own hops, in order.
      expect(overlayPath(o)).toEqual(compress(packetHops(trace).map((h) => h.ns)));
      expect(o.hops.length).toBeGreaterThan(0);
      // Every hop lights its namespace frame; each hop handing the packet on lights a link into the next namespace.
      o.hops.forEach((h, k) => {
        expect(h.nodes).toContain(nsKey(h.ns));
        const next = o.hops[k + 1];
        if (!next) return;
        const sent = trace.hops[h.traceHops[h.traceHops.length - 1]!]!.steps.some((x) => x.kind === 'transmit' || x.kind === 'encap');
        if (!sent) return;
        const reached = h.edges.some((e) => endsIn(g, e).includes(next.ns));
        expect(reached, `hop ${h.n} (${h.ns}) lights a link into ${next.ns}`).toBe(true);
      });
      // The step's own path expectation is a subsequence of the drawn hops.
      const want = (st.expect as { path?: string[] } | undefined)?.path;
      if (want) {
        const drawn = overlayPath(o);
        let at = 0;
        let prevNs: string | undefined;
        for (const ref of want) {
          const r = parseRef(ref)!;
          const ns = r.kind === 'pod' ? rep.pods[r.name]!.ns : r.name;
          // Two refs into one namespace (node/node-a:veth-a, node/node-a:veth-b) are one drawn hop.
          const found = ns === prevNs ? at - 1 : drawn.indexOf(ns, at);
          expect(found, `${ref} drawn after hop ${at}`).toBeGreaterThanOrEqual(0);
          if (r.dev !== undefined) {
            const lit = o.hops[found]!.nodes.map((k) => g.node(k)).filter((n) => n?.type === 'dev').map((n) => (n as { name: string }).name);
            expect(lit, `${ref}: the device is lit`).toContain(r.dev);
          }
          at = found + 1;
          prevNs = ns;
        }
      }
      const mm = toMermaid({ graph: g, overlay: o });
      expect(mm).toContain('class ');
      if (i > 0) return;
      // Graphviz writes '-' as &#45; in attribute values (a browser reads it back as '-').
      const svg = (await renderSvg(toDot({ graph: g, overlay: o }))).replace(/&#45;/g, '-');
      expect(svg).toMatch(/^<\?xml|^<svg|<svg/);
      for (const h of o.hops) {
        // Graphviz copies id and class into the SVG: the frame of each hop's namespace is there, numbered.
        const id = elementId(nsKey(h.ns));
        expect(svg).toMatch(new RegExp(`<g id="${id}" class="cluster ns [a-z]+ hop[^"]*\\bhop-${h.n}\\b`));
      }
      expect(svg).toContain('hop 1: ');
    });
  });
});
