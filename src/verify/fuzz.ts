/**
 * `podnet fuzz FILE`: churn on the scenario's own design, the contract
 * checked after every step, a failure shrunk (fast-check) to a standalone
 * scenario that reproduces it.
 *
 * A churn sequence (src/testing/churn.ts) is interpreted against a model of
 * what is up and running into scenario steps - `sandbox: {create}` (a pod
 * added: a declared pod that is not running, or a new pod `fz-N` cloned from
 * a pod of that node), `sandbox: {delete}`, `container: {restart}`,
 * `container: {crash: pod/X/pause}` (sandbox re-creation), `node: {reboot |
 * leave | join}`, several `sandbox: {create}` on one node in a row without a
 * check in between (concurrent ADDs), `cni: {add}` on a running sandbox (an
 * ADD that fails) - written into the scenario's own YAML (its steps
 * replaced), loaded and run by the scenario runner, with `verify` after the
 * build and after each step.
 *
 * The reproducer is that YAML cut after the failing step, plus a final step
 * whose expectations state the violated invariant (a ping that must be
 * answered without NAT, `cat` of a leaked IPAM file that must not exist,
 * `ip link show` of an orphan veth that must fail...): `podnet run` fails on
 * it by itself. Pods cloned with a fixed address (cniArgs IP) are not
 * cloned: new pods would share it.
 */
import fc from 'fast-check';
import { parseDocument, isMap, isSeq, YAMLMap } from 'yaml';
import { loadScenario, Runner, type Scenario } from '../scenarios/index.js';
import { churnArb, describeAction, minimizeChurn, type ChurnAction } from '../testing/churn.js';
import { scenarioTarget } from './scenario.js';
import { verify } from './verify.js';
import { ProbeMemo, type EgressIntent, type VerifyReport, type Violation, type ViolationKind } from './types.js';

export const DEFAULT_FUZZ_RUNS = 50;

export interface FuzzOptions {
  readonly runs?: number;
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly egress?: EgressIntent;
  readonly only?: readonly ViolationKind[];
  /** Run the scenario's own steps before the churn (default: start from the build). */
  readonly keepSteps?: boolean;
}

export interface FuzzFailure {
  /** Which run (1-based) failed first. */
  readonly run: number;
  readonly shrinks: number;
  /** The shrunk churn, as steps (one line each). */
  readonly steps: readonly string[];
  readonly actions: readonly ChurnAction[];
  readonly report: VerifyReport;
  /** The reproducer scenario. */
  readonly yaml: string;
  /** `podnet run` on the reproducer fails (checked). */
  readonly confirmed: boolean;
}

export interface FuzzResult {
  readonly runs: number;
  readonly stepsRun: number;
  readonly invalid?: string;
  readonly failure?: FuzzFailure;
}

/** A step of the plan: the YAML object and whether the contract is checked after it. */
interface PlanStep {
  readonly step: Record<string, unknown>;
  readonly line: string;
  readonly check: boolean;
}

interface NewPod {
  readonly decl: Record<string, unknown>;
}

interface Plan {
  readonly steps: readonly PlanStep[];
  readonly newPods: readonly NewPod[];
}

interface PodModel {
  readonly name: string;
  readonly node: string;
  readonly cni: boolean;
  readonly start: boolean;
  readonly containers: readonly string[];
  readonly fixedIp: boolean;
  readonly decl: Record<string, unknown> | undefined;
}

/** Interpret churn against a model of the runner (see src/scenarios/run.ts for what each step does). */
export function planChurn(s: Scenario, actions: readonly ChurnAction[]): Plan {
  const nodeNames = s.nodes.map((n) => n.name);
  // The loader accepts `node: {join}` only for nodes declared with joined: false.
  const lateNodes = new Set(s.nodes.filter((n) => !n.joined).map((n) => n.name));
  const up = new Set(s.nodes.filter((n) => n.joined).map((n) => n.name));
  const pods: PodModel[] = s.pods.map((p) => ({
    name: p.name,
    node: p.node,
    cni: p.network === 'cni',
    start: p.start,
    containers: p.containers.map((c) => c.name),
    fixedIp: 'IP' in p.cniArgs,
    decl: undefined,
  }));
  const hostUp = (h: string): boolean => up.has(h) || !nodeNames.includes(h);
  const alive = new Set(pods.filter((p) => p.start && hostUp(p.node)).map((p) => p.name));
  const created = new Set(alive);
  const steps: PlanStep[] = [];
  const newPods: NewPod[] = [];
  let serial = 0;
  const push = (step: Record<string, unknown>, line: string, check = true): void => {
    steps.push({ step: { name: `churn-${steps.length + 1}`, ...step }, line, check });
  };
  const sorted = <T>(xs: Iterable<T>): T[] => [...xs].sort();
  const upNodes = (): string[] => nodeNames.filter((n) => up.has(n));
  const alivePods = (): PodModel[] => pods.filter((p) => alive.has(p.name) && p.cni);
  const bringUp = (node: string): void => {
    for (const p of pods) {
      if (p.node !== node) continue;
      if (p.start || created.has(p.name)) {
        alive.add(p.name);
        created.add(p.name);
      }
    }
  };
  /** Add one pod on `node`: a declared pod that is not running, or a clone. */
  const addOn = (node: string, pick: number, check: boolean): boolean => {
    const dead = pods.filter((p) => p.node === node && p.cni && !alive.has(p.name));
    // Clone a declared pod (not an earlier clone): of this node if it has one, else of any node.
    const declared = pods.filter((p) => p.decl === undefined && p.cni && !p.fixedIp);
    const template = declared.find((p) => p.node === node) ?? declared.find((p) => nodeNames.includes(p.node));
    let target: PodModel | undefined;
    if (dead.length > 0 && (pick % 2 === 0 || !template)) target = dead[pick % dead.length];
    else if (template) {
      serial++;
      const src = s.pods.find((p) => p.name === template.name)!;
      const cniArgs = Object.fromEntries(Object.entries(src.cniArgs).filter(([k]) => k !== 'IP'));
      const decl: Record<string, unknown> = {
        name: `fz-${serial}`,
        node,
        start: false,
        containers: src.containers.map((c) => ({ name: c.name, ...(c.ports.length ? { ports: c.ports.map((x) => ({ containerPort: x.containerPort, protocol: x.protocol })) } : {}) })),
        ...(Object.keys(cniArgs).length ? { cniArgs } : {}),
      };
      target = { name: `fz-${serial}`, node, cni: true, start: false, containers: src.containers.map((c) => c.name), fixedIp: false, decl };
      pods.push(target);
      newPods.push({ decl });
    }
    if (!target) return false;
    alive.add(target.name);
    created.add(target.name);
    push({ sandbox: { create: `pod/${target.name}` } }, `add pod ${target.name} on ${node}`, check);
    return true;
  };
  for (const a of actions) {
    switch (a.op) {
      case 'add': {
        const ns = upNodes();
        if (ns.length) addOn(ns[a.a % ns.length]!, a.b, true);
        break;
      }
      case 'concurrent': {
        const ns = upNodes();
        if (!ns.length) break;
        const node = ns[a.a % ns.length]!;
        const k = 2 + (a.b % 2);
        const before = steps.length;
        for (let i = 0; i < k; i++) addOn(node, a.b + i, false);
        if (steps.length > before) {
          const last = steps[steps.length - 1]!;
          steps[steps.length - 1] = { ...last, check: true };
          for (let i = before; i < steps.length; i++) steps[i] = { ...steps[i]!, line: `${steps[i]!.line} (concurrent ADD ${i - before + 1}/${steps.length - before})` };
        }
        break;
      }
      case 'delete': {
        const ps = alivePods();
        if (!ps.length) break;
        const p = ps[a.a % ps.length]!;
        alive.delete(p.name);
        push({ sandbox: { delete: `pod/${p.name}` } }, `delete pod ${p.name}`);
        break;
      }
      case 'restart': {
        const ps = alivePods().filter((p) => p.containers.length > 0);
        if (!ps.length) break;
        const p = ps[a.a % ps.length]!;
        const c = p.containers[a.b % p.containers.length]!;
        push({ container: { restart: `pod/${p.name}/${c}` } }, `restart container ${c} of pod ${p.name}`);
        break;
      }
      case 'recreate': {
        const ps = alivePods();
        if (!ps.length) break;
        const p = ps[a.a % ps.length]!;
        push({ container: { crash: `pod/${p.name}/pause` } }, `re-create the sandbox of pod ${p.name} (the pause container dies)`);
        break;
      }
      case 'failedAdd': {
        // In a spec.cluster scenario the design's plugin is run by the kubelet only (no `cni:` steps).
        const ps = s.cluster ? [] : alivePods();
        if (!ps.length) break;
        const p = ps[a.a % ps.length]!;
        push({ cni: { add: `pod/${p.name}` } }, `a second ADD for pod ${p.name} on its running sandbox (fails)`);
        break;
      }
      case 'reboot': {
        const ns = upNodes();
        if (!ns.length) break;
        const n = ns[a.a % ns.length]!;
        for (const p of pods) if (p.node === n) alive.delete(p.name);
        bringUp(n);
        push({ node: { reboot: `node/${n}` } }, `reboot node ${n}`);
        break;
      }
      case 'leave': {
        const ns = upNodes();
        if (ns.length < 2) break;
        const n = ns[a.a % ns.length]!;
        up.delete(n);
        for (const p of pods) if (p.node === n) alive.delete(p.name);
        push({ node: { leave: `node/${n}` } }, `node ${n} leaves`);
        break;
      }
      case 'join': {
        const down = sorted(nodeNames.filter((n) => !up.has(n) && lateNodes.has(n)));
        if (!down.length) break;
        const n = down[a.a % down.length]!;
        up.add(n);
        bringUp(n);
        push({ node: { join: `node/${n}` } }, `node ${n} joins`);
        break;
      }
    }
  }
  return { steps, newPods };
}

/** The scenario text with the plan's pods added and its steps as the steps (the original ones first with keepSteps). */
export function planYaml(source: string, plan: Plan, extraSteps: readonly Record<string, unknown>[] = [], o: { keepSteps?: boolean; header?: string; cut?: number } = {}): string {
  const doc = parseDocument(source);
  const spec = doc.get('spec') as YAMLMap | undefined;
  if (!spec || !isMap(spec)) throw new Error('no spec');
  if (plan.newPods.length) {
    const pods = spec.get('pods');
    const list = isSeq(pods) ? (pods.toJSON() as unknown[]) : [];
    spec.set('pods', doc.createNode([...list, ...plan.newPods.map((p) => p.decl)]));
  }
  const kept = o.keepSteps && isSeq(spec.get('steps')) ? ((spec.get('steps') as { toJSON(): unknown[] }).toJSON() as Record<string, unknown>[]) : [];
  const churn = plan.steps.slice(0, o.cut ?? plan.steps.length).map((x) => x.step);
  spec.set('steps', doc.createNode([...kept, ...churn, ...extraSteps]));
  if (o.header !== undefined) doc.commentBefore = `${o.header}${doc.commentBefore ? `\n${doc.commentBefore}` : ''}`;
  return doc.toString({ lineWidth: 0 });
}

export interface ChurnRun {
  /** The state that broke the contract: 0 = the build, i = after plan step i. */
  readonly failedAt?: number;
  readonly report?: VerifyReport;
  readonly stepsRun: number;
  readonly invalid?: string;
}

/** Run a plan and verify after the build and every checked step; stop at the first violation. */
export function runPlan(s: Scenario, source: string, plan: Plan, o: FuzzOptions = {}): ChurnRun {
  const text = planYaml(source, plan, [], { ...(o.keepSteps ? { keepSteps: true } : {}) });
  const loaded = loadScenario(text, { file: s.file });
  if (!loaded.ok) return { stepsRun: 0, invalid: loaded.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`).join('; ') };
  const sc = loaded.scenario;
  const offset = sc.steps.length - plan.steps.length;
  const runner = new Runner(sc);
  const memo = new ProbeMemo();
  let failedAt: number | undefined;
  let report: VerifyReport | undefined;
  let stepsRun = 0;
  const rep = runner.run(Infinity, (r) => {
    const i = r.index - offset;
    if (r.index > 0) stepsRun++;
    // The scenario's own steps (keepSteps) are the starting point: check only from their end.
    if (i < 0 || (r.index > 0 && i > 0 && !plan.steps[i - 1]!.check) || (i === 0 && r.index !== offset)) return true;
    const v = verify(scenarioTarget(runner, o.egress ? { egress: o.egress } : {}), { memo, ...(o.only ? { only: o.only } : {}) });
    if (!v.ok) {
      failedAt = Math.max(0, i);
      report = v;
      return false;
    }
    return true;
  });
  if (rep.invalid.length) return { stepsRun, invalid: rep.invalid.map((i) => i.message).join('; ') };
  return { stepsRun, ...(failedAt !== undefined ? { failedAt } : {}), ...(report ? { report } : {}) };
}

/** A final step whose expectations fail exactly because of `v` (undefined: no such step for this kind). */
export function witnessStep(v: Violation): Record<string, unknown> | undefined {
  const w = v.witness;
  const d = v.data ?? {};
  const name = `verify-${v.kind}`;
  const flowKinds = /^(pod-to-pod|node-to-pod|pod-to-node|egress)-/;
  if (flowKinds.test(v.kind) && w.from && w.to) {
    const natFree = /^(pod-to-pod|node-to-pod)-/.test(v.kind);
    const expect: Record<string, unknown> = { outcome: 'reply', endedIn: w.to };
    if (natFree) {
      expect.natFree = true;
      expect.sourceSeen = w.src ?? w.from;
    }
    if (v.kind === 'egress-nat' && d.expectSeen) expect.sourceSeen = d.expectSeen;
    return { name, ping: { from: w.from, to: w.to }, expect };
  }
  switch (v.kind) {
    case 'mtu-mismatch':
      if (d.from && d.dst && d.size) return { name, sh: { on: d.from, run: `ping -c 1 -W 1 -M do -s ${d.size} ${d.dst}` }, expect: { exitCode: 0 } };
      if (d.on && d.dev) return undefined;
      return undefined;
    case 'duplicate-pod-ip':
      return d.a && d.b ? { name, ping: { from: d.a, to: d.b }, expect: { outcome: 'reply', endedIn: d.b } } : undefined;
    case 'ipam-leak':
      return d.path ? { name, sh: { run: `cat ${d.path}` }, expect: { exitCode: 1 } } : undefined;
    case 'orphan-veth':
      return d.on && d.dev ? { name, sh: { on: d.on, run: `ip link show dev ${d.dev}` }, expect: { exitCode: 1 } } : undefined;
    case 'orphan-route':
      return d.on && d.ip ? { name, sh: { on: d.on, run: `ip route show ${d.ip}` }, expect: { output: '' } } : undefined;
    case 'orphan-chain':
      if (d.on && d.table && d.chain && d.rule) return { name, sh: { on: d.on, run: `iptables -t ${d.table} -S ${d.chain}` }, expect: { outputLacks: [d.rule] } };
      if (d.on && d.table && d.chain) return { name, sh: { on: d.on, run: `iptables -t ${d.table} -S ${d.chain}` }, expect: { exitCode: 1 } };
      return undefined;
    case 'duplicate-mac':
      return d.on && d.dev && d.mac ? { name, sh: { on: d.on, run: `ip link show dev ${d.dev}` }, expect: { outputLacks: [d.mac] } } : undefined;
    default:
      return undefined;
  }
}

/** Build the reproducer for a failing plan and check that `podnet run` fails on it. */
export function reproducer(s: Scenario, source: string, plan: Plan, run: ChurnRun, header: string, o: FuzzOptions = {}): { yaml: string; confirmed: boolean } {
  const cut = run.failedAt ?? plan.steps.length;
  let fallback: string | undefined;
  for (const v of run.report?.violations ?? []) {
    const step = witnessStep(v);
    if (!step) continue;
    const yaml = planYaml(source, plan, [step], { cut, header, ...(o.keepSteps ? { keepSteps: true } : {}) });
    fallback ??= yaml;
    const loaded = loadScenario(yaml, { file: s.file });
    if (!loaded.ok) continue;
    const rep = new Runner(loaded.scenario).run(Infinity);
    // The witness step itself must fail (not only a churn step's own checks).
    const last = rep.steps[rep.steps.length - 1];
    if (last && last.name === step.name && last.checks.some((c) => !c.pass)) return { yaml, confirmed: true };
  }
  return { yaml: fallback ?? planYaml(source, plan, [], { cut, header, ...(o.keepSteps ? { keepSteps: true } : {}) }), confirmed: false };
}

/** Fuzz a scenario: `runs` churn sequences from `seed`; the first failure shrunk and written as a reproducer. */
export function fuzzScenario(s: Scenario, source: string, o: FuzzOptions = {}): FuzzResult {
  const runs = o.runs ?? DEFAULT_FUZZ_RUNS;
  const seed = o.seed ?? 1;
  let stepsRun = 0;
  let invalid: string | undefined;
  const prop = fc.property(churnArb({ maxLength: o.maxSteps ?? 8 }), (actions) => {
    if (invalid) return true;
    const plan = planChurn(s, actions);
    const r = runPlan(s, source, plan, o);
    stepsRun += r.stepsRun;
    if (r.invalid) {
      invalid = r.invalid;
      return true;
    }
    return r.failedAt === undefined;
  });
  const details = fc.check(prop, {
    seed,
    numRuns: runs,
  });
  const runIndex = details.numRuns;
  if (invalid) return { runs: runIndex, stepsRun, invalid };
  if (!details.failed || !details.counterexample) return { runs: runIndex, stepsRun };
  const firstFailRun = details.numRuns;
  // fast-check keeps an array's tail when it shrinks: finish with a greedy pass (1-minimal).
  const min = minimizeChurn(details.counterexample[0] as ChurnAction[], (a) => runPlan(s, source, planChurn(s, a), o).failedAt !== undefined);
  const actions = min.actions;
  const plan = planChurn(s, actions);
  const run = runPlan(s, source, plan, o);
  const cut = run.failedAt ?? plan.steps.length;
  const header = [
    ` Reproducer written by: podnet fuzz ${s.file} --seed ${seed} --runs ${runs}`,
    ` Run ${firstFailRun} failed; fast-check shrank it (${details.numShrinks} shrinks) to the churn below.`,
    ` Churn: ${actions.map(describeAction).join(' ')}`,
    ` Violations after ${cut === 0 ? 'the build' : `step ${cut}`}: ${(run.report?.violations ?? []).map((v) => v.kind).filter((k, i, a) => a.indexOf(k) === i).join(', ')}`,
    ` The last step states the violated invariant: \`podnet run\` fails on it, \`podnet verify\` explains it.`,
    '',
  ].join('\n');
  const { yaml, confirmed } = reproducer(s, source, plan, run, header, o);
  return {
    runs: runIndex,
    stepsRun,
    failure: {
      run: firstFailRun,
      shrinks: details.numShrinks + min.tries,
      steps: plan.steps.slice(0, cut).map((x) => x.line),
      actions,
      report: run.report ?? { ok: false, violations: [], notes: [], stats: { nodes: 0, pods: 0, podClasses: 0, probes: 0, memoHits: 0 } },
      yaml,
      confirmed,
    },
  };
}
