/**
 * Diagrams of scenarios: where each namespace of a scenario's world is drawn
 * (a pod in its node's box, switches as the underlay), and the one-call
 * "run the scenario to a step, send a probe, draw it" used by `podnet diagram`
 * and the web page. Uses the scenario engine's public API only (Runner).
 */
import type { NsName } from '../model/world.js';
import { Runner, type Place, type RunReport, type StepReport } from '../scenarios/run.js';
import type { Scenario } from '../scenarios/types.js';
import { buildGraph } from './graph.js';
import { traceOverlay } from './overlay.js';
import type { Diagram, NsPlace } from './types.js';

/** Scenario places -> diagram placement: pods grouped with their node, nodes and machines in their own box. */
export function scenarioPlacement(s: Scenario, places: Readonly<Record<NsName, Place>>): Record<NsName, NsPlace> {
  const out: Record<NsName, NsPlace> = Object.create(null) as Record<NsName, NsPlace>;
  for (const [ns, p] of Object.entries(places)) {
    if (p.kind === 'pod') {
      const node = s.pods.find((x) => x.name === p.name)?.node;
      out[ns] = { kind: 'pod', name: p.name, ...(node !== undefined ? { group: node } : {}) };
    } else if (p.kind === 'node' || p.kind === 'machine') {
      // A node (or a machine running containers) is a box holding its own namespace and its pods'.
      const hosts = s.pods.some((x) => x.node === p.name && x.network !== 'host');
      out[ns] = { kind: p.kind, name: p.name, ...(hosts ? { group: p.name } : {}) };
    } else out[ns] = { kind: p.kind, name: p.name };
  }
  return out;
}

export type ProbeKind = 'ping' | 'tcp' | 'udp' | 'traceroute';

export interface ProbeRequest {
  readonly from: string;
  readonly to: string;
  readonly kind?: ProbeKind;
  readonly port?: number;
}

export interface ScenarioDiagram {
  readonly diagram: Diagram;
  readonly report: RunReport;
  readonly runner: Runner;
  /** The probe's step report (all its walks), when one was asked for and could be sent. */
  readonly probe?: StepReport;
  /** Why the probe could not be sent. */
  readonly probeError?: string;
  readonly placement: Record<NsName, NsPlace>;
}

/**
 * Build the scenario up to step `until` (0 = right after the build; Infinity =
 * all steps), optionally send a probe there, and draw the world with the
 * probe's request walk over it.
 */
export function scenarioDiagram(s: Scenario, opts: { until?: number; probe?: ProbeRequest } = {}): ScenarioDiagram {
  const runner = new Runner(s);
  const report = runner.run(opts.until ?? Infinity);
  const placement = scenarioPlacement(s, report.places);
  let probe: StepReport | undefined;
  let probeError: string | undefined;
  if (opts.probe && report.invalid.length === 0) {
    const kind = opts.probe.kind ?? 'ping';
    const r = runner.adhoc(kind, opts.probe.from, opts.probe.to, opts.probe.port);
    if (typeof r === 'string') probeError = r;
    else if (!r.probe) probeError = `cannot send: ${r.checks.map((c) => c.actual).join('; ')}`;
    else probe = r;
  }
  const world = runner.world;
  const trace = probe?.probe?.request;
  const keep = new Set(trace?.hops.map((h) => h.ns) ?? []);
  const graph = buildGraph(world, { placement, keep, title: `${s.name}${s.title ? `: ${s.title}` : ''}` });
  const diagram: Diagram = trace ? { graph, overlay: traceOverlay(world, graph, trace) } : { graph };
  return { diagram, report, runner, ...(probe ? { probe } : {}), ...(probeError !== undefined ? { probeError } : {}), placement };
}
