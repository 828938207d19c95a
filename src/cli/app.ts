/**
 * The podnet command line: `sh`, `run`, `trace`, `explain`, `show`, `schema`.
 * Everything that touches the process goes through `Io` (src/cli/io.ts), so
 * tests drive `main()` directly.
 *
 * Exit codes: 0 success (run: every expectation holds), 1 some expectation
 * failed, 2 invalid input (bad YAML, schema, unknown names, bad options).
 */
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { runScript } from '../shell/interp.js';
import { formatTrace } from '../sim/format-trace.js';
import { formatIssue, loadScenario, narrate, placeLabel, Runner, stepIndex, type Issue, type RunReport, type Scenario, type StepReport } from '../scenarios/index.js';
import { markdownReference, jsonSchema } from '../scenarios/reference.js';
import { replayScript } from '../scenarios/replay.js';
import { styler, type Io } from './io.js';
import { junitXml } from './junit.js';
import { registerCniCommand } from './cni.js';
import { crossedAssumptionLines, importedScenarioTraceLines, loadWorldOption, registerImportCommands } from './import.js';
import { registerVerifyCommands } from './verify.js';
import { registerDiagramCommand } from './diagram.js';
import { registerServeCommand } from './serve.js';
import { registerPolicyCommands } from './policy.js';

/** Thrown inside an action to end with an exit code (after printing). */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function main(argv: readonly string[], io: Io, version: string): Promise<number> {
  let code = 0;
  const program = buildProgram(io, version, (c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors are invalid input.
      return e.exitCode === 0 ? 0 : 2;
    }
    io.err(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  return code;
}

function buildProgram(io: Io, version: string, setCode: (c: number) => void): Command {
  const program = new Command();
  program
    .name('podnet')
    .description('A digital twin of Kubernetes pod networking, checked against the real Linux kernel.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run podnet --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet run examples/*.yaml                      check every example's expectations
  $ podnet explain examples/05-graphic4-switch.yaml --from pod/frontend --to pod/backend
  $ podnet trace examples/05-graphic4-switch.yaml --from pod/frontend --to pod/backend --tcp 8080
  $ podnet show examples/05-graphic4-switch.yaml --on node/node-a -- ip route
  $ podnet sh examples/shell/router.sh              run a script of Linux commands on the twin`,
    );

  program
    .command('sh')
    .description('Run a script of Linux commands (ip, bridge, sysctl, iptables, ping, traceroute, nc) against a fresh twin machine and print what the real tools print.')
    .argument('[file]', 'script file (default: standard input)')
    .option('--trace', "also print each probe's hop-by-hop trace")
    .option('--seed <n>', 'seed for MACs and random names', '1')
    .option('--world <snapshot>', 'start from a twin snapshot (podnet import -o FILE) instead of a fresh machine')
    .option('--json', 'print {output, exitCode, sections, traces} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet sh examples/shell/two-namespaces.sh
  $ echo 'ip -j route show' | podnet sh
  $ podnet sh --trace examples/shell/router.sh`,
    )
    .action((file: string | undefined, opts: { trace?: boolean; seed: string; json?: boolean; world?: string }) => {
      const text = io.readFile(file ?? 0);
      if (text === undefined) {
        io.err(`podnet: cannot read ${file ?? 'standard input'}\n`);
        throw new Exit(2);
      }
      const world = opts.world !== undefined ? loadWorldOption(io, opts.world) : undefined;
      if (opts.world !== undefined && world === undefined) throw new Exit(2);
      const res = runScript(text, { seed: Number(opts.seed), ...(world ? { world } : {}) });
      if (opts.json) {
        io.out(JSON.stringify({ output: res.output, exitCode: res.exitCode, sections: res.sections, unsupported: res.unsupported, traces: res.traces }, null, 2) + '\n');
      } else if (!opts.trace) io.out(res.output);
      else {
        const byLine = new Map<number, string[]>();
        for (const t of res.traces) {
          const list = byLine.get(t.line) ?? [];
          list.push(formatTrace(t.trace) + crossedAssumptionLines(res.world, t.trace));
          byLine.set(t.line, list);
        }
        for (const s of res.sections) {
          io.out(s.output);
          for (const t of byLine.get(s.line) ?? []) io.out(t);
        }
      }
      setCode(res.exitCode);
    });

  program
    .command('run')
    .description("Run scenarios and check their expectations. Exit 0 if all hold, 1 if some fail, 2 if a file is invalid.")
    .argument('<files...>', 'scenario files (YAML)')
    .option('--json', 'print the results as JSON')
    .option('--junit <file>', 'also write a JUnit XML report (for CI)')
    .option('-v, --verbose', 'show every step, check and command output')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet run examples/*.yaml
  $ podnet run -v examples/03-pause-container.yaml
  $ podnet run --junit report.xml examples/*.yaml`,
    )
    .action((files: string[], opts: { json?: boolean; junit?: string; verbose?: boolean }) => {
      const st = styler(io.color && !opts.json);
      const results: FileResult[] = files.map((f) => runFile(io, f));
      if (opts.json) io.out(JSON.stringify(results.map(resultJson), null, 2) + '\n');
      else {
        for (const r of results) {
          io.out(formatResult(r, st, Boolean(opts.verbose)));
          for (const i of r.issues) io.err(formatIssue(i) + '\n');
        }
        const passed = results.filter((r) => r.report?.passed).length;
        const invalid = results.filter((r) => r.issues.length > 0).length;
        const failed = results.length - passed - invalid;
        io.out(`\n${results.length} scenario${results.length === 1 ? '' : 's'}: ${st.green(`${passed} passed`)}, ${failed ? st.red(`${failed} failed`) : '0 failed'}${invalid ? `, ${st.red(`${invalid} invalid`)}` : ''}\n`);
      }
      if (opts.json) for (const r of results) for (const i of r.issues) io.err(formatIssue(i) + '\n');
      if (opts.junit) io.writeFile(opts.junit, junitXml(results.map((r) => ({ file: r.file, issues: r.issues, ...(r.report ? { report: r.report } : {}) }))));
      setCode(results.some((r) => r.issues.length > 0) ? 2 : results.every((r) => r.report?.passed) ? 0 : 1);
    });

  const probeOptions = (c: Command): Command =>
    c
      .argument('<file>', 'scenario file')
      .requiredOption('--from <ref>', 'sender: pod/NAME, node/NAME or machine/NAME')
      .requiredOption('--to <ref>', 'destination: pod/NAME, node/NAME, machine/NAME, an IPv4 address or localhost')
      .addOption(new Option('--tcp <port>', 'send a TCP SYN to this port instead of a ping').conflicts(['udp', 'traceroute']))
      .addOption(new Option('--udp <port>', 'send a UDP datagram to this port').conflicts(['traceroute']))
      .option('--traceroute', 'UDP probes with growing TTL')
      .option('--at <step>', 'probe after this step (number or name; 0 = right after the build); default after the last')
      .option('--json', 'print JSON');

  probeOptions(program.command('trace'))
    .description('Build the scenario, send one probe and print its hop-by-hop traces (request, reply, errors).')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet trace examples/05-graphic4-switch.yaml --from pod/frontend --to pod/backend
  $ podnet trace examples/05-graphic4-switch.yaml --from pod/frontend --to pod/backend --tcp 8080 --at 0`,
    )
    .action((file: string, opts: ProbeOpts) => {
      const r = probeFile(io, file, opts);
      if (typeof r === 'number') throw new Exit(r);
      const p = r.step.probe!;
      if (opts.json) {
        io.out(JSON.stringify({ file, from: p.from, to: p.to, toAddr: p.toAddr, kind: p.kind, outcome: p.outcome, hops: p.hops, traces: p.traces }, null, 2) + '\n');
        return;
      }
      io.out(`# ${p.kind} ${p.from} -> ${p.to} (${p.toAddr}), ${r.when}\n`);
      // spec.import: which pod each namespace is, and the import's assumptions on the way.
      for (const t of p.traces) io.out(formatTrace(t) + (r.runner.s.imported ? importedScenarioTraceLines(r.runner.world, r.runner.places(), t) : ''));
      io.out(`outcome: ${p.outcome}\n`);
    });

  probeOptions(program.command('explain'))
    .description('Like trace, but told as numbered sentences a student can follow: which device, which table entry, why.')
    .option('--no-arp', 'leave out the ARP side trips')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet explain examples/05-graphic4-switch.yaml --from pod/frontend --to pod/backend
  $ podnet explain examples/11-ipmasq-mistake.yaml --from pod/frontend --to pod/backend --no-arp`,
    )
    .action((file: string, opts: ProbeOpts & { arp: boolean }) => {
      const r = probeFile(io, file, opts);
      if (typeof r === 'number') throw new Exit(r);
      const p = r.step.probe!;
      const places = r.runner.places();
      const walks = p.traces.map((t) => ({ title: renameTitle(t.title, places), lines: narrate(t, places, { hideArp: !opts.arp }) }));
      if (opts.json) {
        io.out(JSON.stringify({ file, from: p.from, to: p.to, toAddr: p.toAddr, kind: p.kind, outcome: p.outcome, walks }, null, 2) + '\n');
        return;
      }
      const st = styler(io.color);
      io.out(`${st.bold(`${p.kind} from ${p.from} to ${p.to} (${p.toAddr})`)}, ${r.when}.\n`);
      walks.forEach((w, i) => {
        io.out(`\n${st.bold(`Walk ${i + 1}: ${w.title}`)}\n`);
        for (const l of w.lines) io.out(`${l}\n`);
      });
      io.out(`\nWhat the sender saw: ${p.outcome}.\n`);
    });

  program
    .command('show')
    .description('Build the scenario up to a step and run twin-shell commands there (e.g. `ip route` on a node); without a command, list the pods, their addresses and the steps.')
    .argument('<file>', 'scenario file')
    .argument('[command...]', 'the command, after --')
    .option('--at <step>', 'after this step (number or name; 0 = right after the build); default after the last')
    .option('--on <ref>', 'run on node/NAME, machine/NAME or pod/NAME (default: the lab host, where `ip netns exec` reaches everything)')
    .option('--script', 'print every command the build and the steps ran, as a script `podnet sh` replays')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet show examples/05-graphic4-switch.yaml --on node/node-a -- ip route
  $ podnet show examples/03-pause-container.yaml --at 2 --on pod/web -- ip -br addr
  $ podnet show examples/05-graphic4-switch.yaml --on node/node-b -- bridge fdb show br cni0
  $ podnet show examples/05-graphic4-switch.yaml`,
    )
    .action((file: string, command: string[], opts: { at?: string; on?: string; script?: boolean; json?: boolean }) => {
      const s = loadFile(io, file);
      if (!s) throw new Exit(2);
      const until = resolveAt(io, s, opts.at);
      if (until === undefined) throw new Exit(2);
      const runner = new Runner(s);
      const rep = runner.run(until);
      if (rep.invalid.length > 0) {
        for (const i of rep.invalid) io.err(formatIssue(i) + '\n');
        throw new Exit(2);
      }
      const when = until === Infinity ? 'after the last step' : until === 0 ? 'right after the build' : `after step ${until}`;
      if (opts.script) {
        io.out(replayScript(rep.steps));
        return;
      }
      if (command.length === 0) {
        if (opts.json) {
          io.out(JSON.stringify({ file, when, pods: rep.pods, steps: rep.steps.map((x) => ({ index: x.index, name: x.name, title: x.title })) }, null, 2) + '\n');
          return;
        }
        io.out(`${s.name}${s.title ? `: ${s.title}` : ''} (${when})\n`);
        if (s.cluster) {
          // spec.cluster: where the design put the nodes (their addresses and podCIDRs come from the cluster).
          io.out(`\ncluster: ${s.cluster.design} on a ${s.cluster.underlay} underlay\n`);
          for (const n of runner.s.nodes) {
            const up = runner.world.ns[n.name] !== undefined;
            io.out(`  node/${n.name}: ${up ? `eth0 ${n.interfaces[0]?.address ?? '?'}${n.podCIDR ? `, podCIDR ${n.podCIDR}` : ''}` : 'not in the cluster'}\n`);
          }
        }
        io.out('\npods:\n');
        for (const [name, p] of Object.entries(rep.pods)) {
          const pod = s.pods.find((x) => x.name === name)!;
          io.out(`  pod/${name} on ${pod.node}: ${p.ip ?? (p.pending ? `Pending (node ${pod.node} is NotReady)` : 'no address')}${pod.network === 'host' ? ' (hostNetwork)' : ''}, running: ${p.running.join(', ') || 'nothing'}\n`);
        }
        io.out('\nsteps:\n');
        for (const st of s.steps) io.out(`  ${st.index}. ${st.name ? `${st.name}: ` : ''}${rep.steps.find((x) => x.index === st.index)?.title ?? '(not run)'}\n`);
        return;
      }
      const r = runner.shell(opts.on, shellLine(command));
      if (typeof r === 'string') {
        io.err(`podnet: ${r}\n`);
        throw new Exit(2);
      }
      if (opts.json) io.out(JSON.stringify({ file, when, on: opts.on ?? 'lab', command: shellLine(command), output: r.output, exitCode: r.status }, null, 2) + '\n');
      else io.out(r.output);
      setCode(r.status);
    });

  program
    .command('schema')
    .description('Print the scenario format: a Markdown reference (default) or a JSON Schema for editors.')
    .option('--json', 'print a JSON Schema')
    .action((opts: { json?: boolean }) => {
      io.out(opts.json ? JSON.stringify(jsonSchema(), null, 2) + '\n' : markdownReference());
    });

  registerCniCommand(program, io, setCode);
  registerImportCommands(program, io, setCode);
  registerVerifyCommands(program, io, setCode);
  registerDiagramCommand(program, io, setCode);
  registerServeCommand(program, io, setCode);
  registerPolicyCommands(program, io, setCode);

  return program;
}

// ---------------------------------------------------------------------------

interface FileResult {
  readonly file: string;
  readonly issues: readonly Issue[];
  readonly report?: RunReport;
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

function runFile(io: Io, file: string): FileResult {
  const text = io.readFile(file);
  if (text === undefined) return { file, issues: [{ file, pos: { line: 1, col: 1 }, message: 'cannot read the file' }] };
  const r = loadScenario(text, { file, readFile: (p) => io.readFile(resolve(dirname(file), p)) });
  if (!r.ok) return { file, issues: r.issues };
  const report = new Runner(r.scenario).run(Infinity);
  return { file, issues: report.invalid, report };
}

function resultJson(r: FileResult): unknown {
  return {
    file: r.file,
    valid: r.issues.length === 0,
    issues: r.issues.map((i) => ({ line: i.pos.line, col: i.pos.col, message: i.message })),
    ...(r.report
      ? {
          name: r.report.scenario.name,
          passed: r.report.passed,
          steps: r.report.steps.map((s) => ({
            index: s.index,
            name: s.name,
            kind: s.kind,
            title: s.title,
            line: s.pos.line,
            ...(s.probe ? { outcome: s.probe.outcome, disposition: s.probe.request?.disposition, endedIn: s.probe.request?.endedIn, hops: s.probe.hops } : {}),
            checks: s.checks.map((c) => ({ what: c.what, expected: c.expected, actual: c.actual, pass: c.pass, line: c.pos.line, col: c.pos.col })),
          })),
        }
      : {}),
  };
}

function formatResult(r: FileResult, st: ReturnType<typeof styler>, verbose: boolean): string {
  if (!r.report || r.issues.length > 0) return `${st.red('INVALID')} ${r.file} (${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}, listed on stderr)\n`;
  const rep = r.report;
  const checks = rep.steps.flatMap((s) => s.checks);
  const failed = checks.filter((c) => !c.pass);
  let out = `${rep.passed ? st.green('PASS') : st.red('FAIL')} ${r.file}  ${rep.scenario.name}${rep.scenario.title ? `: ${rep.scenario.title}` : ''} ${st.dim(`(${rep.steps.length - 1} steps, ${checks.length} checks${failed.length ? `, ${failed.length} failed` : ''})`)}\n`;
  for (const s of rep.steps) {
    const bad = s.checks.filter((c) => !c.pass);
    if (!verbose && bad.length === 0) continue;
    if (verbose) {
      out += `  ${s.index === 0 ? 'build' : `step ${s.index}`}${s.name ? ` (${s.name})` : ''}: ${s.title}\n`;
      for (const l of s.log) out += `      ${st.dim(l)}\n`;
      for (const t of s.transcript) {
        if (s.index === 0) continue;
        const lines = t.script.replace(/\n$/, '').split('\n');
        if (t.who !== undefined) {
          // One command of src/cluster's journal: a here-document's body and terminator follow its first line.
          out += `      ${st.dim(`[${t.who}] $ ${lines[0]}`)}\n`;
          for (const line of lines.slice(1)) out += `      ${st.dim(`${' '.repeat(t.who.length + 3)}${line}`)}\n`;
        } else for (const line of lines) out += `      ${st.dim(`${t.on === 'lab' ? '' : `[${t.on}] `}$ ${line}`)}\n`;
        // A carriage return (host-local writes "ID\r\nifname") would hide the line on a terminal.
        for (const line of t.output.replace(/\n$/, '').split('\n')) if (t.output) out += `      ${line.replace(/\r$/, '')}\n`;
      }
      if (s.probe) out += `      => ${s.probe.outcome}${s.probe.request ? ` (${s.probe.request.disposition})` : ''}\n`;
    }
    for (const c of s.checks) {
      if (c.pass && !verbose) continue;
      const mark = c.pass ? st.green('ok  ') : st.red('FAIL');
      out += `    ${mark} ${r.file}:${c.pos.line}:${c.pos.col}: ${s.index === 0 ? 'build' : `step ${s.index}${s.name ? ` (${s.name})` : ''}`}: ${c.what}: expected ${c.expected}${c.pass ? '' : `, got ${c.actual}`}\n`;
    }
  }
  return out;
}

interface ProbeOpts {
  readonly from: string;
  readonly to: string;
  readonly tcp?: string;
  readonly udp?: string;
  readonly traceroute?: boolean;
  readonly at?: string;
  readonly json?: boolean;
}

function resolveAt(io: Io, s: Scenario, at: string | undefined): number | undefined {
  if (at === undefined) return Infinity;
  const n = stepIndex(s, at);
  if (n === undefined) {
    io.err(`podnet: --at ${at}: no such step (steps 1-${s.steps.length}${s.steps.some((x) => x.name) ? `, or a name: ${s.steps.filter((x) => x.name).map((x) => x.name).join(', ')}` : ''}; 0 = right after the build)\n`);
  }
  return n;
}

function probeFile(io: Io, file: string, opts: ProbeOpts): { step: StepReport; runner: Runner; when: string } | number {
  const s = loadFile(io, file);
  if (!s) return 2;
  const until = resolveAt(io, s, opts.at);
  if (until === undefined) return 2;
  const runner = new Runner(s);
  const rep = runner.run(until);
  if (rep.invalid.length > 0) {
    for (const i of rep.invalid) io.err(formatIssue(i) + '\n');
    return 2;
  }
  const port = (v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : NaN;
  };
  const tcp = port(opts.tcp);
  const udp = port(opts.udp);
  if (Number.isNaN(tcp) || Number.isNaN(udp)) {
    io.err(`podnet: a port is a number from 1 to 65535\n`);
    return 2;
  }
  const kind = opts.traceroute ? 'traceroute' : tcp !== undefined ? 'tcp' : udp !== undefined ? 'udp' : 'ping';
  const step = runner.adhoc(kind, opts.from, opts.to, tcp ?? udp);
  if (typeof step === 'string') {
    io.err(`podnet: ${step}\n`);
    return 2;
  }
  if (!step.probe) {
    io.err(`podnet: cannot send: ${step.checks.map((c) => c.actual).join('; ')}\n`);
    return 1;
  }
  const n = rep.steps.length - 1;
  const when = until === 0 ? 'right after the build' : `after ${n === s.steps.length ? `the scenario's ${n} step${n === 1 ? '' : 's'}` : `step ${n}`}`;
  return { step, runner, when };
}

function renameTitle(title: string, places: Readonly<Record<string, { kind: 'pod' | 'node' | 'machine' | 'network' | 'lab'; name: string }>>): string {
  return title.replace(/from netns (\S+)$/, (_m, ns: string) => `from ${placeLabel(places, ns)}`).replace(/from the host$/, 'from the lab host');
}

/** Rejoin argv words into one twin-shell line, quoting words that need it. */
function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
