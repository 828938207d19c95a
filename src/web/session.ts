/**
 * What the page is looking at, without the DOM: a scenario (or a twin-shell
 * script) loaded from text, run to a step, the world that step left (which the
 * terminal then changes command by command), probes sent from there, and the
 * diagram of the current world with the selected walk over it.
 * Runs in the browser and in Node (test/web/session.test.ts).
 */
import type { NsName, World } from '../model/world.js';
import { ROOT_NS } from '../model/world.js';
import { freshMachine } from '../sim/ops/netns.js';
import { runScript } from '../shell/interp.js';
import type { Trace } from '../sim/trace.js';
import { loadScenario, placeLabel, Runner, stepIndex, type Issue, type RunReport, type Scenario, type StepReport } from '../scenarios/index.js';
import { buildGraph, hopViews, scenarioPlacement, shellPlacement, traceOverlay, type Diagram, type HopView, type NsPlace, type ProbeKind } from '../diagram/index.js';

export interface Source {
  /** The file name shown (and used in messages). */
  readonly file: string;
  readonly kind: 'scenario' | 'script';
  readonly text: string;
  /** Files the scenario refers to (CNI configs), by the path written in it. */
  readonly files?: Readonly<Record<string, string>>;
}

/** One walk the page can show: a trace and where it came from. */
export interface Walk {
  readonly label: string;
  readonly trace: Trace;
}

export interface ProbeResult {
  readonly step?: StepReport;
  readonly error?: string;
  readonly walks: readonly Walk[];
}

export class Session {
  source: Source;
  scenario: Scenario | undefined;
  issues: readonly Issue[] = [];
  /** Run up to this step (0 = the build only; Infinity = every step). */
  at = Infinity;
  world: World;
  report: RunReport | undefined;
  /** The world was changed by terminal commands since the last run. */
  edited = false;
  private runner: Runner | undefined;

  constructor(source: Source) {
    this.source = source;
    this.world = freshMachine(1);
    this.setText(source.text);
  }

  /** Validate new text; when valid, it becomes the scenario and the world is rebuilt. */
  setText(text: string): readonly Issue[] {
    this.source = { ...this.source, text };
    if (this.source.kind === 'script') {
      this.issues = [];
      this.scenario = undefined;
      this.rebuild();
      return this.issues;
    }
    const files = this.source.files ?? {};
    const r = loadScenario(text, { file: this.source.file, readFile: (p) => files[p] });
    this.issues = r.ok ? [] : r.issues;
    if (r.ok) {
      this.scenario = r.scenario;
      if (this.at !== Infinity && this.at > r.scenario.steps.length) this.at = Infinity;
      this.rebuild();
    }
    return this.issues;
  }

  /** Check text without adopting it (the editor's inline validation). */
  validate(text: string): readonly Issue[] {
    if (this.source.kind === 'script') return [];
    const files = this.source.files ?? {};
    const r = loadScenario(text, { file: this.source.file, readFile: (p) => files[p] });
    return r.ok ? [] : r.issues;
  }

  /** Paths the text refers to that the page has no copy of yet (so it can fetch them). */
  missingFiles(issues: readonly Issue[]): string[] {
    return issues.flatMap((i) => {
      const m = i.message.match(/cannot read "([^"]+)"/);
      return m ? [m[1]!] : [];
    });
  }

  addFile(path: string, text: string): void {
    this.source = { ...this.source, files: { ...(this.source.files ?? {}), [path]: text } };
  }

  steps(): { index: number; label: string }[] {
    const s = this.scenario;
    if (!s) return [];
    return [{ index: 0, label: '0: right after the build' }, ...s.steps.map((st) => ({ index: st.index, label: `${st.index}: ${st.name ?? st.kind}` }))];
  }

  setAt(at: number | string): boolean {
    if (typeof at === 'string') {
      if (!this.scenario) return false;
      const n = stepIndex(this.scenario, at);
      if (n === undefined) return false;
      at = n;
    }
    this.at = at;
    this.rebuild();
    return true;
  }

  /** Build the world again from the scenario (or the script), dropping terminal changes. */
  rebuild(): void {
    this.edited = false;
    if (this.source.kind === 'script') {
      this.runner = undefined;
      this.report = undefined;
      this.world = runScript(this.source.text).world;
      return;
    }
    if (!this.scenario) return;
    this.runner = new Runner(this.scenario);
    this.report = this.runner.run(this.at);
    this.world = this.runner.world;
  }

  /** Start the terminal on an empty machine (a lab with nothing in it yet). */
  freshMachine(): void {
    this.world = freshMachine(this.scenario?.seed ?? 1);
    this.edited = true;
    if (this.runner) this.runner.world = this.world;
  }

  /** Run every step and check every expectation of the current text. */
  runExpectations(): RunReport | undefined {
    if (!this.scenario) return undefined;
    return new Runner(this.scenario).run(Infinity);
  }

  /** References the probe pickers offer. */
  refs(): { senders: string[]; targets: string[] } {
    const s = this.scenario;
    if (!s) return { senders: [], targets: [] };
    const senders = [...s.pods.map((p) => `pod/${p.name}`), ...s.nodes.map((n) => `node/${n.name}`), ...s.machines.map((m) => `machine/${m.name}`)];
    return { senders, targets: [...senders] };
  }

  /** Send a probe in the current world (the terminal's changes included). */
  probe(from: string, to: string, kind: ProbeKind = 'ping', port?: number): ProbeResult {
    if (!this.runner || !this.scenario) return { error: 'probes need a scenario (in a script, send them from the terminal)', walks: [] };
    this.runner.world = this.world;
    const r = this.runner.adhoc(kind, from, to, port);
    if (typeof r === 'string') return { error: r, walks: [] };
    this.world = this.runner.world;
    if (!r.probe) return { step: r, error: `cannot send: ${r.checks.map((c) => c.actual).join('; ')}`, walks: [] };
    const walks = r.probe.traces.map((t, i) => ({ label: `${i + 1}. ${this.walkTitle(t)}`, trace: t }));
    return { step: r, walks };
  }

  /** Run one terminal line in the lab host (the initial namespace). */
  shell(line: string): { output: string; status: number; walks: Walk[] } {
    const r = runScript(line, { world: this.world, ns: ROOT_NS, seed: this.scenario?.seed ?? 1 });
    const changed = r.world !== this.world;
    this.world = r.world;
    if (changed) this.edited = true;
    if (this.runner) this.runner.world = this.world;
    const walks = r.traces.map((t, i) => ({ label: `${i + 1}. ${this.walkTitle(t.trace)}`, trace: t.trace }));
    const status = r.sections.length ? r.sections[r.sections.length - 1]!.status : r.exitCode;
    return { output: r.output, status, walks };
  }

  /** A trace's title with its namespace named as the scenario names it ("from pod frontend"). */
  walkTitle(t: Trace): string {
    return t.title.replace(/ from netns (\S+)$/, (_m, ns: string) => ` from ${this.placeName(ns)}`).replace(/ from the host$/, ` from ${this.placeName(ROOT_NS)}`);
  }

  placement(): Record<NsName, NsPlace> {
    const base = shellPlacement(this.world);
    if (!this.report || !this.scenario) return base;
    const sp = scenarioPlacement(this.scenario, this.runner?.places() ?? this.report.places);
    for (const ns of Object.keys(base)) if (sp[ns]) base[ns] = sp[ns];
    return base;
  }

  placeName(ns: NsName): string {
    const places = this.runner?.places() ?? {};
    if (!this.scenario) return ns === ROOT_NS ? 'the host' : `netns ${ns}`;
    return placeLabel(places, ns);
  }

  diagram(trace?: Trace): Diagram {
    const placement = this.placement();
    const keep = new Set(trace?.hops.map((h) => h.ns) ?? []);
    const title = this.scenario ? `${this.scenario.name}${this.scenario.title ? `: ${this.scenario.title}` : ''}` : this.source.file;
    const graph = buildGraph(this.world, { placement, keep, title });
    return trace ? { graph, overlay: traceOverlay(this.world, graph, trace) } : { graph };
  }

  hops(trace: Trace, d: Diagram): HopView[] {
    return d.overlay ? hopViews(trace, d.overlay, (ns) => this.placeName(ns)) : [];
  }
}
