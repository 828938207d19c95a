/**
 * Verify targets from scenarios: who is who after a scenario ran (or after
 * each of its steps).
 *
 * - nodes: the declared nodes that are up, plus any machine pods run on
 *   (a Docker host's containers are checked like a node's pods);
 * - pods: the pods with a live sandbox (their namespace exists), with the
 *   address the runtime reads from eth0; hostNetwork pods are skipped;
 * - outside: machines that do not forward (servers) and host no pods.
 */
import { parsePrefix4, type Prefix4 } from '../model/addr.js';
import type { NsName } from '../model/world.js';
import { Runner, type Scenario, type StepReport } from '../scenarios/index.js';
import { importedTarget } from '../import/verify-target.js';
import type { EgressIntent, VerifyEndpoint, VerifyNode, VerifyPod, VerifyTarget } from './types.js';
import { notReadyReason } from './cluster.js';

export interface ScenarioTargetOptions {
  readonly egress?: EgressIntent;
  /** The pod network (cluster CIDR); default the nodes' podCIDRs. */
  readonly podNetwork?: readonly Prefix4[];
}

/** The target for the runner's current world. */
export function scenarioTarget(runner: Runner, o: ScenarioTargetOptions = {}): VerifyTarget {
  const s = runner.s;
  const w = runner.world;
  // spec.import: who is who as `podnet import --verify` sees it (podCIDRs and ipMasq from the nodes' CNI files), on the world the steps left.
  if (s.imported) {
    const t = importedTarget(w, s.imported.report, o.egress ? { egress: o.egress } : {});
    return { ...t, ...(o.podNetwork ? { podNetwork: o.podNetwork } : {}) };
  }
  const places = runner.places();
  const podHosts = new Set(s.pods.map((p) => p.node));
  const nodes: VerifyNode[] = [];
  for (const n of s.nodes) {
    if (!w.ns[n.name]) continue;
    const cidr = n.podCIDR ? parsePrefix4(n.podCIDR) : undefined;
    const ip = runner.hostIp(n.name);
    const notReady = runner.cluster ? notReadyReason(runner.cluster, n.name) : undefined;
    nodes.push({ ref: `node/${n.name}`, ns: n.name, ...(ip !== undefined ? { ip } : {}), podCidrs: cidr ? [cidr] : [], ...(notReady ? { notReady } : {}) });
  }
  for (const m of s.machines) {
    if (!podHosts.has(m.name) || !w.ns[m.name]) continue;
    const ip = runner.hostIp(m.name);
    nodes.push({ ref: `machine/${m.name}`, ns: m.name, ...(ip !== undefined ? { ip } : {}), podCidrs: [] });
  }
  const hostRef = (name: string): string => (s.nodes.some((n) => n.name === name) ? `node/${name}` : `machine/${name}`);
  const pods: VerifyPod[] = [];
  for (const p of s.pods) {
    if (p.network === 'host') continue;
    // The sandbox's namespace (the runtime names it; it exists while the sandbox lives).
    const ns = runner.podNs(p);
    if (!w.ns[ns]) continue;
    const ip = runner.podIp(p);
    pods.push({ ref: `pod/${p.name}`, node: hostRef(p.node), ns, ...(ip !== undefined ? { ip } : {}) });
  }
  const outside: VerifyEndpoint[] = [];
  for (const m of s.machines) {
    if (m.forwarding || podHosts.has(m.name) || !w.ns[m.name]) continue;
    const ip = runner.hostIp(m.name);
    if (ip !== undefined) outside.push({ ref: `machine/${m.name}`, ns: m.name, ip });
  }
  const label = (ns: NsName): string => {
    const p = places[ns];
    if (!p) return ns === '/' ? 'lab' : ns;
    return p.kind === 'lab' ? 'lab' : `${p.kind}/${p.name}`;
  };
  return { world: w, nodes, pods, outside, label, ...(o.egress ? { egress: o.egress } : {}), ...(o.podNetwork ? { podNetwork: o.podNetwork } : {}) };
}

export interface ScenarioState {
  /** 0 = right after the build. */
  readonly step: number;
  readonly title: string;
  readonly target: VerifyTarget;
  /** The step's own expectations failed (a failed ADD, say): shown with the verdict. */
  readonly stepFailed: boolean;
  readonly report: StepReport;
}

/**
 * Run the scenario and hand every state to `visit`: after the build and after
 * each step (`eachStep`), or only the final one. Returns the build problems
 * (invalid input), if any.
 */
export function scenarioStates(s: Scenario, visit: (st: ScenarioState) => boolean | void, o: ScenarioTargetOptions & { readonly eachStep?: boolean; readonly until?: number } = {}): { readonly invalid: readonly string[] } {
  const runner = new Runner(s);
  const until = o.until ?? Infinity;
  if (o.eachStep) {
    let stop = false;
    const rep = runner.run(until, (r) => {
      if (stop) return false;
      if (visit({ step: r.index, title: r.title, target: scenarioTarget(runner, o), stepFailed: r.checks.some((c) => !c.pass), report: r }) === false) stop = true;
      return !stop;
    });
    return { invalid: rep.invalid.map((i) => `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`) };
  }
  const rep = runner.run(until);
  if (rep.invalid.length > 0) return { invalid: rep.invalid.map((i) => `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`) };
  const last = rep.steps[rep.steps.length - 1]!;
  visit({ step: last.index, title: last.title, target: scenarioTarget(runner, o), stepFailed: rep.steps.some((x) => x.checks.some((c) => !c.pass)), report: last });
  return { invalid: [] };
}
