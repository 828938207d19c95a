/**
 * `podnet verify`, `podnet fuzz`, `podnet diff` (issue #6): the Kubernetes
 * network contract checked on a scenario's datapath.
 *
 * Exit codes: 0 the contract holds (fuzz: no failure found; diff: nothing
 * changed), 1 a violation (fuzz: a failure, reproducer written; diff: flows
 * changed), 2 invalid input.
 */
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { formatIssue, loadScenario, type Scenario } from '../scenarios/index.js';
import { formatReport, reportJson, summary } from '../verify/format.js';
import { scenarioStates } from '../verify/scenario.js';
import { verify } from '../verify/verify.js';
import { ProbeMemo, VIOLATION_KINDS, type EgressIntent, type VerifyReport, type ViolationKind } from '../verify/types.js';
import { fuzzScenario, DEFAULT_FUZZ_RUNS, type FuzzResult } from '../verify/fuzz.js';
import { diffScenarios, formatDiff, diffJson } from '../verify/diff.js';
import { styler, type Io } from './io.js';

/** `1 node`, `3 nodes`. */
const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function esc(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function loadFile(io: Io, file: string): Scenario | undefined {
  const text = io.readFile(file);
  if (text === undefined) {
    io.err(`${file}: cannot read the file\n`);
    return undefined;
  }
  const r = loadScenario(text, { file, readFile: (p) => io.readFile(resolve(dirname(file), p)) });
  if (!r.ok) {
    for (const i of r.issues) io.err(formatIssue(i) + '\n');
    return undefined;
  }
  return r.scenario;
}

function egressOpt(io: Io, v: string | undefined): EgressIntent | undefined {
  if (v === undefined) return undefined;
  if (v === 'masquerade' || v === 'preserve' || v === 'any') return v;
  io.err(`podnet: --egress must be masquerade, preserve or any\n`);
  throw new Exit(2);
}

function onlyOpt(io: Io, v: string | undefined): ViolationKind[] | undefined {
  if (v === undefined) return undefined;
  const ks = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = ks.filter((k) => !(k in VIOLATION_KINDS));
  if (bad.length) {
    io.err(`podnet: --only: unknown check ${bad.join(', ')} (checks: ${Object.keys(VIOLATION_KINDS).join(', ')})\n`);
    throw new Exit(2);
  }
  return ks as ViolationKind[];
}

interface VerifyOpts {
  readonly eachStep?: boolean;
  readonly at?: string;
  readonly egress?: string;
  readonly strictPolicy?: boolean;
  readonly static?: boolean;
  readonly only?: string;
  readonly json?: boolean;
  readonly junit?: string;
  readonly fullTraces?: boolean;
  readonly traces: boolean;
}

interface StateResult {
  readonly step: number;
  readonly title: string;
  readonly report: VerifyReport;
  readonly ms: number;
}

export function registerVerifyCommands(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('verify')
    .description(
      'Check the Kubernetes network contract on a scenario: unique pod IPs, pod-to-pod and node-to-pod delivery without NAT, egress translated as the design says, no IPAM reservation without a pod, no leftovers after DEL, unique MACs per L2 domain, consistent overlay MTUs. Each violation comes with a witness: the pair, its walk, the deciding route or rule.',
    )
    .argument('<files...>', 'scenario files (YAML)')
    .option('--each-step', 'verify after the build and after every step, not only the final state')
    .option('--at <step>', 'verify the state after this step (number or name; 0 = right after the build)')
    .addOption(new Option('--egress <intent>', 'what the design does to pod traffic leaving the cluster').choices(['masquerade', 'preserve', 'any']).default(undefined))
    .option('--strict-policy', 'count drops by explicit iptables rules (network policies) as violations')
    .option('--static', 'static checks only (no packets)')
    .option('--only <checks>', `comma-separated checks to run (${Object.keys(VIOLATION_KINDS).length} kinds; see docs/verify.md)`)
    .option('--json', 'print JSON (with the full traces)')
    .option('--junit <file>', 'also write a JUnit XML report (one test case per verified state)')
    .option('--full-traces', 'print every step of the witness walks (ARP included) and the reply walks')
    .option('--no-traces', 'leave the witness walks out')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet verify examples/05-graphic4-switch.yaml
  $ podnet verify --each-step examples/verify/bad-host-local-leak.yaml
  $ podnet verify --egress masquerade --junit verify.xml examples/*.yaml`,
    )
    .action((files: string[], opts: VerifyOpts) => {
      const st = styler(io.color && !opts.json);
      const egress = egressOpt(io, opts.egress);
      const only = onlyOpt(io, opts.only);
      const all: { file: string; invalid: readonly string[]; states: StateResult[] }[] = [];
      for (const file of files) {
        const s = loadFile(io, file);
        if (!s) {
          all.push({ file, invalid: ['invalid scenario'], states: [] });
          continue;
        }
        let until: number | undefined;
        if (opts.at !== undefined) {
          until = /^\d+$/.test(opts.at) ? Number(opts.at) : s.steps.find((x) => x.name === opts.at)?.index;
          if (until === undefined || until > s.steps.length) {
            io.err(`podnet: --at ${opts.at}: no such step in ${file}\n`);
            throw new Exit(2);
          }
        }
        const memo = new ProbeMemo();
        const states: StateResult[] = [];
        const r = scenarioStates(
          s,
          (x) => {
            const t0 = performance.now();
            const report = verify(x.target, { memo, ...(opts.strictPolicy ? { strictPolicy: true } : {}), ...(opts.static ? { staticOnly: true } : {}), ...(only ? { only } : {}) });
            states.push({ step: x.step, title: x.title, report, ms: performance.now() - t0 });
          },
          { ...(egress ? { egress } : {}), ...(opts.eachStep ? { eachStep: true } : {}), ...(until !== undefined ? { until } : {}) },
        );
        for (const i of r.invalid) io.err(`${i}\n`);
        all.push({ file, invalid: r.invalid, states });
        if (!opts.json) {
          for (const x of states) {
            const when = x.step === 0 ? 'after the build' : `after step ${x.step} (${x.title})`;
            const head = `${x.report.ok ? st.green('PASS') : st.red('FAIL')} ${file} ${when}: ${summary(x.report)} ${st.dim(`(${count(x.report.stats.pods, 'pod')} in ${count(x.report.stats.podClasses, 'class', 'classes')}, ${count(x.report.stats.nodes, 'node')}, ${count(x.report.stats.probes, 'probe')}${x.report.stats.memoHits ? ` + ${x.report.stats.memoHits} reused` : ''}, ${Math.round(x.ms)} ms)`)}\n`;
            io.out(head);
            if (!x.report.ok || x.report.notes.length) io.out(formatReport(x.report, { ...(opts.fullTraces ? { fullTraces: true } : {}), ...(opts.traces === false ? { noTraces: true } : {}) }));
          }
          if (r.invalid.length) io.out(`${st.red('INVALID')} ${file}\n`);
        }
      }
      if (opts.json) {
        io.out(JSON.stringify(all.map((f) => ({ file: f.file, valid: f.invalid.length === 0, invalid: f.invalid, states: f.states.map((x) => ({ step: x.step, title: x.title, ...(reportJson(x.report) as object) })) })), null, 2) + '\n');
      }
      if (opts.junit) {
        const suites = all.map((f) => {
          const cases = f.invalid.length
            ? [`    <testcase classname="${esc(f.file)}" name="load">\n      <error message="invalid scenario">${esc(f.invalid.join('\n'))}</error>\n    </testcase>`]
            : f.states.map((x) => {
                const name = esc(`verify ${x.step === 0 ? 'after the build' : `after step ${x.step}: ${x.title}`}`);
                if (x.report.ok) return `    <testcase classname="${esc(f.file)}" name="${name}"/>`;
                return `    <testcase classname="${esc(f.file)}" name="${name}">\n      <failure message="${esc(summary(x.report))}">${esc(formatReport(x.report, { noTraces: false }))}</failure>\n    </testcase>`;
              });
          const failures = f.states.filter((x) => !x.report.ok).length;
          return `  <testsuite name="${esc(f.file)}" tests="${cases.length}" failures="${failures}" errors="${f.invalid.length ? 1 : 0}">\n${cases.join('\n')}\n  </testsuite>`;
        });
        io.writeFile(opts.junit, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="podnet verify">\n${suites.join('\n')}\n</testsuites>\n`);
      }
      const invalid = all.some((f) => f.invalid.length > 0);
      const failed = all.some((f) => f.states.some((x) => !x.report.ok));
      setCode(invalid ? 2 : failed ? 1 : 0);
    });

  program
    .command('fuzz')
    .description(
      "Generate churn on a scenario's own design (pods added and deleted, container restarts, sandbox re-creation, node reboot/leave/join, concurrent and failed ADDs), verify the contract after every step, and shrink a failure to a standalone scenario that reproduces it (`podnet run` fails on it).",
    )
    .argument('<file>', 'scenario file (YAML): its build is the starting point, its steps are ignored')
    .option('--runs <n>', 'how many random churn sequences to try', String(DEFAULT_FUZZ_RUNS))
    .option('--seed <s>', 'seed of the generator (printed; the same seed finds the same failure)')
    .option('--steps <n>', 'most churn steps per run', '8')
    .option('-o, --out <file>', 'where to write the reproducer (default: <name>.repro.yaml next to the input)')
    .addOption(new Option('--egress <intent>', 'egress intent passed to verify').choices(['masquerade', 'preserve', 'any']).default(undefined))
    .option('--only <checks>', 'comma-separated checks to run after each step')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet fuzz examples/05-graphic4-switch.yaml --runs 100 --seed 42
  $ podnet fuzz examples/verify/fuzz-leaky-plugin.yaml -o repro.yaml && podnet run repro.yaml`,
    )
    .action((file: string, opts: { runs: string; seed?: string; steps: string; out?: string; egress?: string; only?: string; junit?: string; json?: boolean }) => {
      const s = loadFile(io, file);
      if (!s) throw new Exit(2);
      const runs = Number(opts.runs);
      const maxSteps = Number(opts.steps);
      const seed = opts.seed !== undefined ? Number(opts.seed) : hashSeed(file);
      if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(maxSteps) || maxSteps < 1 || !Number.isInteger(seed)) {
        io.err('podnet: --runs and --steps are positive integers, --seed an integer\n');
        throw new Exit(2);
      }
      const egress = egressOpt(io, opts.egress);
      const only = onlyOpt(io, opts.only);
      const sourceText = io.readFile(file)!;
      const r: FuzzResult = fuzzScenario(s, sourceText, { runs, seed, maxSteps, ...(egress ? { egress } : {}), ...(only ? { only } : {}) });
      const out = opts.out ?? file.replace(/\.ya?ml$/, '') + '.repro.yaml';
      if (r.failure) io.writeFile(out, r.failure.yaml);
      if (opts.json) {
        io.out(JSON.stringify({ file, seed, runs: r.runs, ok: !r.failure && !r.invalid, ...(r.invalid ? { invalid: r.invalid } : {}), ...(r.failure ? { reproducer: out, steps: r.failure.steps, violations: r.failure.report.violations.map((v) => ({ kind: v.kind, message: v.message })), shrinks: r.failure.shrinks } : {}) }, null, 2) + '\n');
      } else {
        io.out(`podnet fuzz ${file} --runs ${runs} --seed ${seed}\n`);
        if (r.invalid) io.out(`the scenario's build is invalid: ${r.invalid}\n`);
        else if (!r.failure) io.out(`ok: ${r.runs} runs, ${r.stepsRun} churn steps, the contract held after every step\n`);
        else {
          const f = r.failure;
          io.out(`FAIL in run ${f.run} (of up to ${runs}): ${summary(f.report)}\n`);
          io.out(`shrunk to ${f.steps.length} step${f.steps.length === 1 ? '' : 's'} (${f.shrinks} shrink${f.shrinks === 1 ? '' : 's'}):\n`);
          for (const x of f.steps) io.out(`  - ${x}\n`);
          io.out(formatReport(f.report, { noTraces: false }));
          io.out(f.confirmed ? `reproducer written to ${out} (checked: podnet run ${out} fails on its last step)\n` : `reproducer written to ${out} (WARNING: podnet run does not fail on it; no step can state this violation)\n`);
        }
      }
      if (opts.junit) {
        const body = r.failure ? `\n      <failure message="${esc(summary(r.failure.report))}">${esc(`seed ${seed}, run ${r.failure.run}; reproducer ${out}\n${r.failure.steps.join('\n')}\n${formatReport(r.failure.report, { noTraces: true })}`)}</failure>\n    ` : '';
        io.writeFile(opts.junit, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="podnet fuzz">\n  <testsuite name="${esc(file)}" tests="1" failures="${r.failure ? 1 : 0}" errors="${r.invalid ? 1 : 0}">\n    <testcase classname="${esc(file)}" name="${esc(`fuzz --runs ${runs} --seed ${seed}`)}"${body ? `>${body}</testcase>` : '/>'}\n  </testsuite>\n</testsuites>\n`);
      }
      setCode(r.invalid ? 2 : r.failure ? 1 : 0);
    });

  program
    .command('diff')
    .description('Differential reachability: the flows (by equivalence class) whose disposition changes between two scenarios - two designs, or two versions of one - with both walks.')
    .argument('<a>', 'scenario file A')
    .argument('<b>', 'scenario file B')
    .option('--json', 'print JSON')
    .option('--no-traces', 'leave the walks out')
    .option('--full-traces', 'print every step of the walks')
    .action((a: string, b: string, opts: { json?: boolean; traces: boolean; fullTraces?: boolean }) => {
      const sa = loadFile(io, a);
      const sb = loadFile(io, b);
      if (!sa || !sb) throw new Exit(2);
      const d = diffScenarios(sa, sb);
      if (d.invalid.length) {
        for (const i of d.invalid) io.err(`${i}\n`);
        throw new Exit(2);
      }
      if (opts.json) io.out(JSON.stringify(diffJson(d), null, 2) + '\n');
      else io.out(formatDiff(d, { a, b, ...(opts.traces === false ? { noTraces: true } : {}), ...(opts.fullTraces ? { fullTraces: true } : {}) }));
      setCode(d.changed.length > 0 ? 1 : 0);
    });
}

/** A stable default seed from the file name (printed, so a run can be repeated). */
function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h % 1_000_000;
}
