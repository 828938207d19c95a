/**
 * Running a scenario: build the declared world (switches, machines, nodes,
 * pods through their runtime and CNI), then play the steps in order. Each
 * step leaves a report: the commands it ran (a transcript `podnet sh` could
 * replay), what the runtime did (the kubelet -> CRI -> CNI chain), the probe
 * and its traces, and one check per expectation.
 *
 * The runtime is modelled the way Kubernetes does it:
 * - a pod's sandbox is the pause container holding a network namespace named
 *   after the pod; RunPodSandbox creates it, runs the loopback plugin and the
 *   node's CNI configuration (ADD), then the app containers start;
 * - containers of a pod share that namespace; a container's declared ports
 *   are listening sockets in it while it runs;
 * - if the pause container dies the sandbox is gone: the kubelet tears it down
 *   (CNI DEL, namespace deleted) and builds a new one (new namespace, CNI ADD).
 * Pure: no filesystem, no console.
 */
import { produce } from 'immer';
import { formatIp4, parseIp4, type Ip4 } from '../model/addr.js';
import type { Link, NsName, World } from '../model/world.js';
import { freshMachine } from '../sim/ops/netns.js';
import { runScript } from '../shell/interp.js';
import { ProbeSession, type ProbeOutcome } from '../sim/send.js';
import type { HeaderView, Trace } from '../sim/trace.js';
import { saveRuleBody } from '../sim/netfilter/format.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMP_TIME_EXCEEDED } from '../sim/packet.js';
import { hostLines, networkLines, SWITCH_BRIDGE, portName, type BuildLine } from './build.js';
import {
  cniInvoke,
  CNI_IFNAME,
  runtimeCan,
  runtimeCni,
  runtimeDeleteSandbox,
  runtimeNode,
  runtimeReboot,
  runtimeRecreateSandbox,
  runtimeRestartPods,
  runtimeRunSandbox,
  type RuntimeOp,
} from './cni.js';
import { isIpv4, parseRef, type ParsedRef } from './refs.js';
import type { AgentExpectT, CounterExpectT, LifecycleExpectT, MachineT, NodeT, PodT, ProbeExpectT, ShExpectT, StepKind, TracerouteExpectT } from './schema.js';
import { posOf, type Issue, type Pos, type Scenario, type Step, type StepOf } from './types.js';
import { addNode, addPod, buildCluster, deletePod, rebootNode, reconcile, removeNode, setAgentRunning } from '../cluster/cluster.js';
import { bgpSessionDown, bgpSessionUp } from '../cluster/designs/calico.js';
import { ClusterError } from '../cluster/exec.js';
import { OUTSIDE_NS, ROUTER_NS, segments, UNDERLAY_NS } from '../cluster/underlay.js';
import type { Cluster } from '../cluster/types.js';
import { clusterSpecOf, nodeDeclaration, nodeSpecOf, underlaySpecOf } from './cluster.js';
import { formatAssumption } from '../import/assumptions.js';

/** Commands a step ran and what they printed. */
export interface TranscriptEntry {
  /** Where: "lab" (the initial namespace) or a reference like node/node-a. */
  readonly on: string;
  /** The namespace the lines ran in (undefined: the lab, the initial namespace). */
  readonly ns?: NsName;
  /** Shell variables the lines saw (a CNI plugin written as a script). */
  readonly vars?: Readonly<Record<string, string>>;
  /** spec.cluster: who typed the line (`flanneld@node1`, `kubelet`, `admin`: src/cluster's journal). */
  readonly who?: string;
  readonly script: string;
  readonly output: string;
  readonly status: number;
}

export interface Check {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly pass: boolean;
  readonly pos: Pos;
}

export interface ProbeReport {
  readonly kind: 'ping' | 'tcp' | 'udp' | 'traceroute';
  readonly from: string;
  readonly to: string;
  readonly fromNs: NsName;
  readonly toAddr: string;
  /** What the sender saw, one line. */
  readonly outcome: string;
  /** Every walk of the probe (requests, replies, errors), in order. */
  readonly traces: readonly Trace[];
  /** The (last) request's walk. */
  readonly request?: Trace;
  /** traceroute: who answered at each TTL ("*" for nobody). */
  readonly hops?: readonly string[];
}

export interface StepReport {
  /** 0 for the build of the declared world. */
  readonly index: number;
  readonly name?: string;
  readonly kind: StepKind | 'setup';
  /** One line: "ping pod/frontend -> pod/backend". */
  readonly title: string;
  readonly pos: Pos;
  readonly transcript: readonly TranscriptEntry[];
  /** What the runtime did, in order (kubelet, CRI, CNI), for narration. */
  readonly log: readonly string[];
  readonly probe?: ProbeReport;
  readonly checks: readonly Check[];
}

export interface RunReport {
  readonly scenario: Scenario;
  readonly world: World;
  readonly steps: readonly StepReport[];
  /** Problems building the declared world (a route the twin rejects...): invalid input. */
  readonly invalid: readonly Issue[];
  readonly passed: boolean;
  /** Who lives in each namespace, for naming places in traces. */
  readonly places: Readonly<Record<NsName, Place>>;
  /** Where each pod's namespace is and its address, after the run. */
  readonly pods: Readonly<Record<string, { readonly ns: NsName; readonly ip?: string; readonly running: readonly string[]; readonly pending?: true }>>;
}

export interface Place {
  readonly kind: 'pod' | 'node' | 'machine' | 'network' | 'lab';
  readonly name: string;
}

export interface RunOptions {
  /** Stop after this step (1-based; 0 = only build the declared world). Default: all steps. */
  readonly until?: number;
}

interface PodState {
  /** Sandbox generation (1, 2, ... one per sandbox ever created). */
  gen: number;
  /** A sandbox exists now. */
  alive: boolean;
  running: Set<string>;
  restarts: Record<string, number>;
  cached?: unknown;
  /** Pods run by the emulated container runtime: the sandbox id and its namespace (cni-<uuid>). */
  sandboxId?: string;
  ns?: NsName;
}

const LAB = 'lab';

export function runScenario(s: Scenario, opts: RunOptions = {}): RunReport {
  return new Runner(s).run(opts.until ?? Infinity);
}

/** Resolve `--at` (a step number or a step name) to a step index; undefined if unknown. */
export function stepIndex(s: Scenario, at: string): number | undefined {
  if (/^\d+$/.test(at)) {
    const n = Number(at);
    return n <= s.steps.length ? n : undefined;
  }
  return s.steps.find((st) => st.name === at)?.index;
}

export class Runner {
  world: World;
  /** The scenario; with spec.cluster its node declarations follow the cluster (addresses, podCIDRs). */
  get s(): Scenario {
    return this.view;
  }
  private view: Scenario;
  /** spec.cluster: the cluster src/cluster builds and changes (its world is kept equal to `world`). */
  private cl: Cluster | undefined;
  /**
   * spec.cluster: the src/cluster Cluster as the run left it, with the runner's
   * current world (probes fill ARP caches and conntrack); e.g. for
   * src/verify's clusterTarget. Undefined for hand-written topologies.
   */
  get cluster(): Cluster | undefined {
    return this.cl ? { ...this.cl, world: this.world } : undefined;
  }
  /** How much of the cluster's journal and events the reports already have. */
  private journalSeen = 0;
  private eventsSeen = 0;
  /** Agents that lag (node names, or `router`): they skip reconciles until `agent: {sync: ...}`. */
  private readonly lagging = new Set<string>();
  /** Pods waiting for their node's network (its agent has not started). */
  private readonly pendingPods = new Set<string>();
  private readonly pods = new Map<string, PodState>();
  private readonly hostsUp = new Set<string>();
  private transcript: TranscriptEntry[] = [];
  private log: string[] = [];
  private checks: Check[] = [];
  readonly invalid: Issue[] = [];

  /** Nodes whose pods the emulated container runtime runs (their CNI configuration has no script plugins). */
  private readonly runtimeNodes = new Set<string>();

  constructor(scenario: Scenario) {
    const s = scenario;
    this.view = s;
    // spec.import: the twin of the real nodes, as the loader imported it (src/import/scenario.ts).
    this.world = s.imported ? s.imported.world : freshMachine(s.seed);
    for (const n of s.nodes) {
      const net = s.cni[n.name];
      if (net && runtimeCan(net, s.plugins)) this.runtimeNodes.add(n.name);
    }
  }

  /** Is this pod's sandbox run by the emulated runtime (else by the shell adapter)? */
  private byRuntime(p: PodT): boolean {
    return p.network === 'cni' && this.runtimeNodes.has(p.node) && Object.keys(p.cniArgs).length === 0;
  }

  /** Take what a runtime operation did into the world, the log and the transcript. */
  private applyRuntime<T>(op: RuntimeOp<T>, what: string, pos: Pos): op is RuntimeOp<T> & { ok: true } {
    this.world = op.world;
    this.log.push(...op.log);
    for (const e of op.execs) this.transcript.push({ on: LAB, script: e.script, output: e.output, status: e.status });
    if (!op.ok) {
      this.log.push(`${what} failed: ${op.error}`);
      this.fail(what, 'the runtime and the plugins succeed', op.error ?? 'failed', pos);
    }
    return op.ok;
  }

  /**
   * `afterStep` sees each step's report (the build's first) with `this.world`
   * as that step left it, and may stop the run by returning false (used by
   * `podnet verify --each-step` and `podnet fuzz`).
   */
  run(until: number, afterStep?: (r: StepReport) => boolean | void): RunReport {
    const steps: StepReport[] = [this.setup()];
    let go = this.invalid.length === 0 && afterStep?.(steps[0]!) !== false;
    if (go) {
      for (const st of this.s.steps) {
        if (st.index > until || !go) break;
        steps.push(this.step(st));
        go = afterStep?.(steps[steps.length - 1]!) !== false;
      }
    }
    const passed = this.invalid.length === 0 && steps.every((r) => r.checks.every((c) => c.pass));
    return { scenario: this.s, world: this.world, steps, invalid: this.invalid, passed, places: this.places(), pods: this.podSummary() };
  }

  /**
   * A probe after the steps (`podnet trace`, `podnet explain`). The
   * references are checked first; a problem comes back as a string.
   */
  adhoc(kind: 'ping' | 'tcp' | 'udp' | 'traceroute', from: string, to: string, port?: number): StepReport | string {
    const bad = this.refProblem(from, 'sender') ?? this.refProblem(to, 'target');
    if (bad) return bad;
    if ((kind === 'tcp' || kind === 'udp') && port === undefined) return `${kind} needs a port (--port N)`;
    const index = this.s.steps.length + 1;
    this.begin();
    this.current = index;
    const pos = { line: 1, col: 1 };
    const base = { index, pos, name: 'adhoc' };
    if (kind === 'traceroute') return this.tracerouteStep({ ...base, kind, action: { from, to, maxHops: 30 } }, () => pos);
    if (kind === 'ping') return this.probeStep({ ...base, kind, action: { from, to, count: 1 } }, () => pos);
    return this.probeStep({ ...base, kind, action: { from, to, port: port! } } as StepOf<'tcp'>, () => pos);
  }

  /** Run twin-shell lines on a machine or pod (or the lab) now (`podnet show`). */
  shell(on: string | undefined, text: string): { output: string; status: number } | string {
    let ns: NsName | undefined;
    if (on !== undefined) {
      const bad = this.refProblem(on, 'host');
      if (bad) return bad;
      ns = this.nsOfRef(parseRef(on)!);
      if (!this.nsExists(ns)) return `${on} is not running at this point`;
    }
    this.begin();
    const r = this.sh(text, ns);
    return { output: r.output, status: r.lastStatus };
  }

  /** Is `ref` a name of this scenario usable as a sender, a target or a place to run commands? */
  refProblem(ref: string, role: 'sender' | 'target' | 'host'): string | undefined {
    if (role === 'target' && (ref === 'localhost' || isIpv4(ref))) return undefined;
    const r = parseRef(ref);
    const forms = role === 'target' ? 'pod/NAME, node/NAME, machine/NAME, an IPv4 address or localhost' : 'pod/NAME, node/NAME or machine/NAME';
    if (!r || r.kind === 'network' || r.dev !== undefined || (r.container !== undefined && role !== 'sender')) return `"${ref}": expected ${forms}`;
    const names = r.kind === 'pod' ? this.s.pods.map((p) => p.name) : r.kind === 'node' ? this.s.nodes.map((n) => n.name) : this.s.machines.map((m) => m.name);
    if (!names.includes(r.name)) return `"${ref}": no ${r.kind} named ${r.name} (${r.kind}s: ${names.join(', ') || 'none'})`;
    if (r.container !== undefined && !this.pod(r.name).containers.some((c) => c.name === r.container)) return `"${ref}": pod ${r.name} has no container ${r.container}`;
    return undefined;
  }

  // -------------------------------------------------------------------------
  // Places and addresses

  places(): Record<NsName, Place> {
    const out: Record<NsName, Place> = Object.create(null) as Record<NsName, Place>;
    out['/'] = { kind: 'lab', name: LAB };
    for (const n of this.s.networks) out[n.name] = { kind: 'network', name: n.name };
    for (const m of this.s.machines) out[m.name] = { kind: 'machine', name: m.name };
    for (const n of this.s.nodes) out[n.name] = { kind: 'node', name: n.name };
    for (const p of this.s.pods) if (p.network !== 'host') out[this.podNs(p)] = { kind: 'pod', name: p.name };
    return out;
  }

  private podSummary(): RunReport['pods'] {
    const out: Record<string, { ns: NsName; ip?: string; running: string[]; pending?: true }> = {};
    for (const p of this.s.pods) {
      const ip = this.podIp(p);
      out[p.name] = { ns: this.podNs(p), ...(ip ? { ip: formatIp4(ip) } : {}), running: [...(this.pods.get(p.name)?.running ?? [])], ...(this.pendingPods.has(p.name) ? { pending: true as const } : {}) };
    }
    return out;
  }

  private pod(name: string): PodT {
    return this.s.pods.find((p) => p.name === name)!;
  }

  private host(name: string): MachineT | NodeT | undefined {
    return this.s.nodes.find((n) => n.name === name) ?? this.s.machines.find((m) => m.name === name);
  }

  /** The namespace a pod's containers live in (its node's for hostNetwork pods). */
  podNs(p: PodT): NsName {
    if (p.network === 'host') return p.node;
    return this.pods.get(p.name)?.ns ?? p.name;
  }

  /** A pod's address: eth0's first global address, else any non-loopback device's. */
  podIp(p: PodT): Ip4 | undefined {
    if (p.network === 'host') return this.hostIp(p.node);
    if (!this.pods.get(p.name)?.alive) return undefined;
    return nsAddress(this.world, this.podNs(p), CNI_IFNAME);
  }

  /** A machine's address: its first declared interface address, else any device's. */
  hostIp(name: string): Ip4 | undefined {
    // spec.import: the address that stands for the node (its InternalIP, else the one outside its pod network).
    const imp = this.s.imported && [...this.s.imported.nodes, ...this.s.imported.machines].find((x) => x.name === name)?.ip;
    if (imp !== undefined && this.world.ns[name]) return parseIp4(imp);
    const h = this.host(name);
    const declared = h?.interfaces.find((i) => i.address !== undefined);
    if (declared && this.world.ns[name]) return parseIp4(declared.address!.split('/')[0]!);
    return nsAddress(this.world, name, undefined);
  }

  /** The namespace a reference runs in (pods: their sandbox; hosts: themselves). */
  private nsOfRef(r: ParsedRef): NsName {
    return r.kind === 'pod' ? this.podNs(this.pod(r.name)) : r.name;
  }

  private nsExists(ns: NsName): boolean {
    return this.world.ns[ns] !== undefined;
  }

  /** The address a target reference stands for. */
  private addressOf(ref: string): { ip?: Ip4; why?: string } {
    if (ref === 'localhost') return { ip: parseIp4('127.0.0.1')! };
    if (isIpv4(ref)) return { ip: parseIp4(ref)! };
    const r = parseRef(ref)!;
    if (r.kind === 'pod') {
      const p = this.pod(r.name);
      const ip = this.podIp(p);
      const why = this.pendingPods.has(r.name) ? `Pending: node ${p.node} is NotReady, its network plugin has not started` : this.pods.get(r.name)?.alive ? 'no IPv4 address on its eth0' : 'no sandbox';
      return ip !== undefined ? { ip } : { why: `pod ${r.name} has no address (${why})` };
    }
    const ip = this.hostIp(r.name);
    return ip !== undefined ? { ip } : { why: `${r.kind} ${r.name} has no address` };
  }

  /** Name the owner of an address (for traceroute hops and "source seen"). */
  private nameOfAddress(ip: Ip4): string {
    for (const p of this.s.pods) if (p.network !== 'host' && this.podIp(p) === ip) return `pod/${p.name}`;
    for (const [nsName, place] of Object.entries(this.places())) {
      if (place.kind === 'pod' || place.kind === 'lab') continue;
      const ns = this.world.ns[nsName];
      if (!ns) continue;
      for (const l of Object.values(ns.links)) if (l.addrs.some((a) => a.local === ip)) return `${place.kind}/${place.name}`;
    }
    return formatIp4(ip);
  }

  // -------------------------------------------------------------------------
  // Running commands

  private label(ns: NsName | undefined): string {
    if (ns === undefined || ns === '/') return LAB;
    const p = this.places()[ns];
    return p ? `${p.kind}/${p.name}` : ns;
  }

  /** Run twin-shell lines; returns the per-command statuses. */
  private sh(text: string, ns?: NsName, env?: Record<string, string>): { output: string; statuses: number[]; unsupported: readonly string[]; lastStatus: number } {
    const r = runScript(text, { world: this.world, ...(ns !== undefined ? { ns } : {}), ...(env ? { env } : {}) });
    this.world = r.world;
    this.transcript.push({ on: this.label(ns), ...(ns !== undefined && ns !== '/' ? { ns } : {}), ...(env ? { vars: env } : {}), script: text, output: r.output, status: r.exitCode });
    return { output: r.output, statuses: r.sections.map((x) => x.status), unsupported: r.unsupported, lastStatus: r.sections.length ? r.sections[r.sections.length - 1]!.status : 0 };
  }

  /** Build lines: a failure is a problem with the declaration it came from. */
  private buildLines(lines: readonly BuildLine[], during: string): boolean {
    for (const l of lines) {
      const r = this.sh(l.text, l.ns);
      if (r.unsupported.length > 0 || r.statuses.some((x) => x !== 0)) {
        const msg = r.output.trim().split('\n').filter(Boolean).slice(-2).join(' / ') || `exit status ${r.lastStatus}`;
        const bad = r.output.trim() ? msg : `exit status ${r.lastStatus}`;
        const issue = { file: this.s.file, pos: l.pos, message: `${during}: \`${l.text.split('\n')[0]}\` failed: ${bad}` };
        if (this.current === 0) this.invalid.push(issue);
        else this.fail(`build (${during})`, 'every command succeeds', `\`${l.text.split('\n')[0]}\`: ${bad}`, l.pos);
        return false;
      }
    }
    return true;
  }

  private current = 0;

  private fail(what: string, expected: string, actual: string, pos: Pos): void {
    this.checks.push({ what, expected, actual, pass: false, pos });
  }

  private check(what: string, expected: string, actual: string, pass: boolean, pos: Pos): void {
    this.checks.push({ what, expected, actual, pass, pos });
  }

  private begin(): void {
    this.transcript = [];
    this.log = [];
    this.checks = [];
  }

  private report(index: number, kind: StepReport['kind'], title: string, pos: Pos, name?: string, probe?: ProbeReport): StepReport {
    return {
      index,
      ...(name !== undefined ? { name } : {}),
      kind,
      title,
      pos,
      transcript: this.transcript,
      log: this.log,
      ...(probe ? { probe } : {}),
      checks: this.checks,
    };
  }

  // -------------------------------------------------------------------------
  // The declared world

  private setup(): StepReport {
    this.begin();
    this.current = 0;
    const s = this.s;
    if (s.cluster) return this.clusterSetup();
    if (s.imported) return this.importedSetup();
    s.networks.forEach((n, i) => {
      if (this.invalid.length === 0 && this.buildLines(networkLines(s, n, i), `switch ${n.name}`)) this.log.push(`switch ${n.name}: bridge ${SWITCH_BRIDGE} in netns ${n.name}`);
    });
    for (const h of [...s.machines, ...s.nodes]) {
      if (this.invalid.length > 0) break;
      if ('joined' in h && !h.joined) continue;
      this.bootHost(h);
    }
    for (const p of s.pods) {
      if (this.invalid.length > 0) break;
      if (!p.start || !this.hostsUp.has(p.node)) continue;
      this.createSandbox(p);
    }
    return this.report(0, 'setup', `build ${s.name}`, { line: 1, col: 1 });
  }

  /**
   * spec.import: nothing is built; the nodes, their pods and the other
   * namespaces are there as the collector found them. The pods' containers
   * are taken as running (a pod's kube object lists them; their
   * containerPorts listen, as the kubelet reports them Ready), and every
   * assumption of the import goes to the log.
   */
  private importedSetup(): StepReport {
    const t = this.s.imported!;
    for (const n of t.report.nodes) this.log.push(`imported node ${n.name} from ${n.origin}${n.kernel ? ` (kernel ${n.kernel})` : ''}: ${n.namespaces.length} namespace${n.namespaces.length === 1 ? '' : 's'}`);
    for (const h of [...this.s.nodes, ...this.s.machines]) this.hostsUp.add(h.name);
    for (const p of t.pods) {
      const st = this.podState(p.name);
      st.gen = 1;
      st.alive = true;
      if (!p.hostNetwork) st.ns = p.ns;
      this.log.push(`pod ${p.name} on node ${p.node}: ${p.hostNetwork ? 'hostNetwork' : `netns ${p.ns}`}`);
      const decl = this.pod(p.name);
      for (const c of decl.containers) this.startContainer(decl, c.name);
    }
    for (const a of t.report.added) this.log.push(`netns ${a.ns} added by the import: ${a.why}`);
    for (const u of t.unnamed) this.log.push(`no scenario name: ${u}`);
    const warn = t.report.assumptions.filter((a) => a.severity === 'warn').length;
    this.log.push(`import assumptions: ${warn} that may change what packets do, ${t.report.assumptions.length - warn} that cannot${t.report.assumptions.length ? ' (podnet import lists them)' : ''}`);
    for (const a of t.report.assumptions) this.log.push(`  ${formatAssumption(a)}`);
    return this.report(0, 'setup', `import ${this.s.name}`, { line: 1, col: 1 });
  }

  private bootHost(h: MachineT | NodeT, rebooted = false): boolean {
    const kind = 'podCIDR' in h || this.s.nodes.includes(h as NodeT) ? 'node' : 'machine';
    const ok = this.buildLines(hostLines(this.s, h, { rebooted }), `${kind} ${h.name}`);
    if (ok) {
      this.hostsUp.add(h.name);
      this.log.push(`${kind} ${h.name} booted${h.interfaces.length ? `: ${h.interfaces.map((i) => `${i.name}${i.address ? ` ${i.address}` : ''} on switch ${i.network}`).join(', ')}` : ''}`);
      if (this.runtimeNodes.has(h.name)) {
        const n = h as NodeT;
        return this.applyRuntime(runtimeNode(this.world, n.name, n.podCIDR, this.s.cni[n.name]!), `containerd on node ${n.name}`, posOf(this.s, ['spec', 'nodes', this.s.nodes.indexOf(n)]));
      }
    }
    return ok;
  }

  // -------------------------------------------------------------------------
  // The runtime: sandboxes, containers, CNI

  private containerId(p: PodT, gen: number): string {
    return `${p.name}-sandbox-${gen}`;
  }

  private cniArgs(p: PodT, gen: number): [string, string][] {
    return [
      ['K8S_POD_NAMESPACE', 'default'],
      ['K8S_POD_NAME', p.name],
      ['K8S_POD_INFRA_CONTAINER_ID', this.containerId(p, gen)],
      ...Object.entries(p.cniArgs),
    ];
  }

  /** Run a CNI operation for a pod; false (and a failed check) if a plugin failed. */
  private cni(p: PodT, command: 'ADD' | 'DEL' | 'CHECK', pos: Pos): boolean {
    const st = this.podState(p.name);
    const network = this.s.cni[p.node];
    if (!network) return true;
    if (this.byRuntime(p) && st.sandboxId !== undefined) return this.applyRuntime(runtimeCni(this.world, p.node, network, st.sandboxId, command), `CNI ${command} for pod ${p.name}`, pos);
    const types = network.plugins.map((x) => String(x.type));
    this.log.push(`libcni ${command === 'ADD' ? 'AddNetworkList' : command === 'DEL' ? 'DelNetworkList' : 'CheckNetworkList'} "${network.name}" (${network.origin}): ${command} ${(command === 'DEL' ? [...types].reverse() : types).join(', ')} on node ${p.node}`);
    const r = cniInvoke(this.world, {
      command,
      node: p.node,
      netns: p.name,
      containerId: this.containerId(p, st.gen),
      network,
      args: this.cniArgs(p, st.gen),
      cached: st.cached,
      scripts: this.s.plugins,
    });
    this.world = r.world;
    for (const e of r.execs) this.transcript.push({ on: e.ns !== undefined ? this.label(e.ns) : LAB, ...(e.ns !== undefined ? { ns: e.ns } : {}), ...(e.vars ? { vars: e.vars } : {}), script: e.script, output: e.output, status: e.status });
    if (!r.ok) {
      this.log.push(`CNI ${command} failed: ${r.error}`);
      this.fail(`CNI ${command} for pod ${p.name}`, 'the plugins succeed', r.error ?? 'failed', pos);
      return false;
    }
    if (command === 'ADD') {
      st.cached = r.result;
      const ips = ((r.result as { ips?: { address?: string }[] } | undefined)?.ips ?? []).map((x) => x.address).filter(Boolean);
      this.log.push(`CNI result: ${ips.length ? `pod ${p.name} got ${ips.join(', ')}` : 'no IP addresses'} (interfaces: ${((r.result as { interfaces?: { name?: string }[] } | undefined)?.interfaces ?? []).map((i) => i.name).join(', ') || 'none'})`);
    }
    if (command === 'DEL') st.cached = undefined;
    return true;
  }

  private podState(name: string): PodState {
    let st = this.pods.get(name);
    if (!st) {
      st = { gen: 0, alive: false, running: new Set(), restarts: {} };
      this.pods.set(name, st);
    }
    return st;
  }

  /** RunPodSandbox + create/start the containers. */
  private createSandbox(p: PodT, pos: Pos = posOf(this.s, ['spec', 'pods', this.s.pods.indexOf(p)])): boolean {
    const st = this.podState(p.name);
    const node = p.node;
    if (this.cl && p.network === 'cni') return this.clusterSandbox(p, pos);
    if (p.network === 'host') {
      st.gen++;
      st.alive = true;
      this.log.push(`kubelet on ${node}: RunPodSandbox ${p.name} (hostNetwork: the pause container joins node ${node}'s namespace; no CNI call)`);
    } else if (this.byRuntime(p)) {
      this.log.push(`kubelet on ${node}: RunPodSandbox ${p.name} over CRI`);
      const r = runtimeRunSandbox(this.world, node, p.name, p.containers.map((c) => c.name));
      if (!this.applyRuntime(r, `RunPodSandbox ${p.name}`, pos)) return false;
      st.gen++;
      st.alive = true;
      st.sandboxId = r.value!.id;
      st.ns = r.value!.netns!;
    } else {
      st.gen++;
      st.alive = true;
      this.log.push(`kubelet on ${node}: RunPodSandbox ${p.name} -> CRI runtime: starts the pause container ${this.containerId(p, st.gen)}, which holds the new network namespace /var/run/netns/${p.name}`);
      const ok = this.buildLines([{ text: `ip netns add ${p.name}`, pos }], `pod ${p.name}`);
      if (!ok) return false;
      // Every CRI runtime sets up lo itself (containerd and CRI-O run the loopback plugin).
      this.sh(`ip -n ${p.name} link set lo up`);
      if (p.network === 'cni') {
        this.log.push(`CRI runtime -> CNI: set up the pod network (kubelet passes K8S_POD_NAME=${p.name} in CNI_ARGS)`);
        if (!this.cni(p, 'ADD', pos)) return false;
      } else this.log.push(`network: none: the namespace has only lo; the scenario wires it`);
    }
    for (const c of p.containers) this.startContainer(p, c.name);
    return true;
  }

  private stopAll(p: PodT): void {
    for (const c of [...this.podState(p.name).running]) this.stopContainer(p, c);
  }

  /** StopPodSandbox + RemovePodSandbox. */
  private deleteSandbox(p: PodT, pos: Pos, opts: { cni: boolean } = { cni: true }): void {
    const st = this.podState(p.name);
    this.stopAll(p);
    if (this.cl && p.network === 'cni') {
      this.pendingPods.delete(p.name);
      if (this.cl.pods[p.name]) {
        this.log.push(`kubelet on ${p.node}: StopPodSandbox ${p.name}: CNI DEL (the design's plugin), then the namespace is deleted`);
        this.clusterDo(`delete pod ${p.name}`, pos, (c) => deletePod(c, p.name));
      }
      st.alive = false;
      return;
    }
    if (p.network === 'host') {
      this.log.push(`kubelet: StopPodSandbox ${p.name} (hostNetwork: nothing to tear down)`);
      st.alive = false;
      return;
    }
    if (this.byRuntime(p) && st.sandboxId !== undefined) {
      this.log.push(`kubelet on ${p.node}: StopPodSandbox ${p.name}, RemovePodSandbox ${p.name} over CRI`);
      this.applyRuntime(runtimeDeleteSandbox(this.world, p.node, st.sandboxId), `StopPodSandbox ${p.name}`, pos);
      st.alive = false;
      delete st.sandboxId;
      delete st.ns;
      return;
    }
    this.log.push(`kubelet on ${p.node}: StopPodSandbox ${p.name} -> CRI runtime${p.network === 'cni' && opts.cni ? ': CNI DEL, then' : ':'} the pause container stops and the namespace is deleted`);
    if (p.network === 'cni' && opts.cni && this.nsExists(p.node)) this.cni(p, 'DEL', pos);
    if (this.nsExists(p.name)) this.sh(`ip netns del ${p.name}`);
    st.alive = false;
  }

  private listenersOf(p: PodT, container: string): { proto: 'tcp' | 'udp'; port: number }[] {
    const c = p.containers.find((x) => x.name === container);
    return (c?.ports ?? []).map((x) => ({ proto: x.protocol === 'UDP' ? 'udp' : 'tcp', port: x.containerPort }));
  }

  private startContainer(p: PodT, c: string): void {
    const st = this.podState(p.name);
    if (st.running.has(c)) return;
    st.running.add(c);
    const ns = this.podNs(p);
    const ls = this.listenersOf(p, c);
    const owner = `pod/${p.name}/${c}`;
    if (this.world.ns[ns]) {
      this.world = produce(this.world, (d) => {
        const n = d.ns[ns]!;
        for (const l of ls) n.listeners.push({ proto: l.proto, addr: 0 as Ip4, port: l.port, owner, keep: true });
      });
    }
    this.log.push(`container ${c} of pod ${p.name} started${ls.length ? `, listening on ${ls.map((l) => `${l.proto.toUpperCase()} ${l.port}`).join(', ')} in ${p.network === 'host' ? `node ${p.node}'s` : "the pod's"} namespace` : ''}`);
  }

  private stopContainer(p: PodT, c: string, why = 'stopped'): void {
    const st = this.podState(p.name);
    if (!st.running.has(c)) return;
    st.running.delete(c);
    const ns = this.podNs(p);
    const owner = `pod/${p.name}/${c}`;
    if (this.world.ns[ns]) {
      this.world = produce(this.world, (d) => {
        const n = d.ns[ns]!;
        n.listeners = n.listeners.filter((l) => l.owner !== owner);
      });
    }
    this.log.push(`container ${c} of pod ${p.name} ${why}${this.listenersOf(p, c).length ? ': its sockets are closed' : ''}`);
  }

  // -------------------------------------------------------------------------
  // Steps

  private step(st: Step): StepReport {
    this.begin();
    this.current = st.index;
    const path = ['spec', 'steps', st.index - 1];
    const ex = (k: string): Pos => posOf(this.s, [...path, 'expect', k]);
    switch (st.kind) {
      case 'sh':
        return this.shStep(st, ex);
      case 'cni':
      case 'sandbox':
      case 'container':
        return this.lifecycleStep(st, ex);
      case 'node':
        return this.nodeStep(st, ex);
      case 'agent':
        return this.agentStep(st, ex);
      case 'fault':
        return this.faultStep(st, ex);
      case 'ping':
      case 'tcp':
      case 'udp':
        return this.probeStep(st, ex);
      case 'traceroute':
        return this.tracerouteStep(st, ex);
    }
  }

  private title(st: Step): string {
    const a = st.action as Record<string, unknown>;
    switch (st.kind) {
      case 'sh':
        return `sh${a.on ? ` on ${String(a.on)}` : ''}: ${String(a.run).trim().split('\n')[0]}${String(a.run).trim().includes('\n') ? ' ...' : ''}`;
      case 'ping':
      case 'tcp':
      case 'udp':
      case 'traceroute':
        return `${st.kind} ${String(a.from)} -> ${String(a.to)}${a.port !== undefined ? ` port ${String(a.port)}` : ''}`;
      default: {
        const [k, v] = Object.entries(a).find(([key]) => key !== 'on') ?? ['?', '?'];
        return `${st.kind} ${k} ${Array.isArray(v) ? v.join(' <-> ') : String(v)}${a.on ? ` on ${String(a.on)}` : ''}`;
      }
    }
  }

  private done(st: Step): StepReport {
    return this.report(st.index, st.kind, this.title(st), st.pos, st.name);
  }

  /** Checks on command output shared by sh, lifecycle, node and fault steps. */
  private outputChecks(e: ShExpectT | undefined, ex: (k: string) => Pos, pos: Pos, requireSuccess: boolean, logWhat = 'log contains'): void {
    const out = this.transcript.map((t) => t.output).join('');
    const statuses = this.transcript.map((t) => t.status);
    const last = statuses.length ? statuses[statuses.length - 1]! : 0;
    if (e?.exitCode !== undefined) this.check('exit code', String(e.exitCode), String(last), last === e.exitCode, ex('exitCode'));
    // Lines an agent typed may fail (it logs and carries on): only the step's own lines must succeed.
    else if (requireSuccess && this.transcript.some((t) => t.who === undefined && t.status !== 0)) {
      const bad = this.transcript.find((t) => t.who === undefined && t.status !== 0)!;
      this.fail('commands succeed', 'exit code 0 (say expect.exitCode if a failure is intended)', `exit code ${bad.status}: ${bad.output.trim().split('\n').slice(-1)[0] ?? ''}`, pos);
    }
    if (e?.output !== undefined) this.check('output', JSON.stringify(e.output), JSON.stringify(out), out === e.output, ex('output'));
    for (const t of e?.outputContains ?? []) this.check('output contains', JSON.stringify(t), out.includes(t) ? 'found' : 'not found', out.includes(t), ex('outputContains'));
    for (const t of e?.outputLacks ?? []) this.check('output lacks', JSON.stringify(t), out.includes(t) ? 'found' : 'not found', !out.includes(t), ex('outputLacks'));
    for (const t of e?.outputMatches ?? []) {
      let ok = false;
      try {
        ok = new RegExp(t, 'm').test(out);
      } catch {
        ok = false;
      }
      this.check('output matches', `/${t}/`, ok ? 'matched' : 'no line matches', ok, ex('outputMatches'));
    }
    const typed = this.transcript.map((t) => t.script).join('\n');
    for (const t of (e as AgentExpectT | undefined)?.commandsContain ?? []) this.check('commands contain', JSON.stringify(t), typed.includes(t) ? 'found' : 'not found', typed.includes(t), ex('commandsContain'));
    for (const t of (e as AgentExpectT | undefined)?.commandsLack ?? []) this.check('commands lack', JSON.stringify(t), typed.includes(t) ? 'found' : 'not found', !typed.includes(t), ex('commandsLack'));
    for (const t of (e as AgentExpectT | undefined)?.logContains ?? []) {
      const found = this.log.some((l) => l.includes(t));
      this.check(logWhat, JSON.stringify(t), found ? 'found' : `not found in: ${this.log.join(' | ') || '(empty log)'}`, found, ex('logContains'));
    }
  }

  private shStep(st: StepOf<'sh'>, ex: (k: string) => Pos): StepReport {
    const on = st.action.on ? this.nsOfRef(parseRef(st.action.on)!) : undefined;
    if (on !== undefined && !this.nsExists(on)) {
      this.fail('run', `${st.action.on} exists`, `${st.action.on} is down or gone`, st.pos);
      return this.done(st);
    }
    const r = this.sh(st.action.run, on);
    // The per-command statuses matter, not just the last one.
    const t = this.transcript[this.transcript.length - 1]!;
    const worst = r.statuses.find((x) => x !== 0);
    this.transcript[this.transcript.length - 1] = { ...t, status: st.expect?.exitCode !== undefined ? r.lastStatus : (worst ?? 0) };
    this.outputChecks(st.expect, ex, st.pos, true);
    return this.done(st);
  }

  private lifecycleStep(st: StepOf<'cni'> | StepOf<'sandbox'> | StepOf<'container'>, ex: (k: string) => Pos): StepReport {
    const a = st.action as Record<string, string | undefined>;
    const [op, target] = Object.entries(a).find(([, v]) => v !== undefined) as [string, string];
    const ref = parseRef(target)!;
    const p = this.pod(ref.name);
    const ps = this.podState(p.name);
    const ipBefore = this.podIp(p);
    const genBefore = ps.gen;
    const nodeUp = this.hostsUp.has(p.node);
    if (!nodeUp) {
      this.fail(op, `node ${p.node} is up`, `node ${p.node} is down`, st.pos);
      return this.done(st);
    }
    if (st.kind === 'cni') {
      if (!ps.alive) this.fail(`CNI ${op}`, `pod ${p.name} has a sandbox`, 'no sandbox', st.pos);
      else this.cni(p, op.toUpperCase() as 'ADD' | 'DEL' | 'CHECK', st.pos);
    } else if (st.kind === 'sandbox') {
      if (op === 'create') {
        if (ps.alive) this.fail('create sandbox', `pod ${p.name} has no sandbox yet`, 'it already has one', st.pos);
        else this.createSandbox(p, st.pos);
      } else {
        if (!ps.alive) this.fail('delete sandbox', `pod ${p.name} has a sandbox`, 'no sandbox', st.pos);
        else this.deleteSandbox(p, st.pos);
      }
    } else {
      const c = ref.container!;
      if (!ps.alive) this.fail(`${op} ${c}`, `pod ${p.name} has a sandbox`, 'no sandbox', st.pos);
      else if (c === 'pause') this.pauseOp(p, op, st.pos);
      else if (op === 'crash') {
        if (!ps.running.has(c)) this.fail('crash', `container ${c} runs`, 'it is not running', st.pos);
        this.stopContainer(p, c, 'crashed (exited); the pause container still holds the namespace');
      } else if (op === 'stop') this.stopContainer(p, c);
      else if (op === 'start') this.startContainer(p, c);
      else {
        ps.restarts[c] = (ps.restarts[c] ?? 0) + 1;
        this.stopContainer(p, c);
        this.log.push(`kubelet: restarting container ${c} of pod ${p.name} (restartCount ${ps.restarts[c]}) in the same sandbox`);
        this.startContainer(p, c);
      }
    }
    // The agents see the pod change (Calico advertises a block it just claimed...).
    if (this.cl && (st.kind === 'sandbox' || ref.container === 'pause')) this.settle(st.pos);
    const e = st.expect as LifecycleExpectT | undefined;
    this.outputChecks(e, ex, st.pos, false, 'runtime log contains');
    const ipAfter = this.podIp(p);
    if (e?.podIP) {
      const same = ipBefore !== undefined && ipBefore === ipAfter;
      const shown = `${ipBefore !== undefined ? formatIp4(ipBefore) : 'none'} -> ${ipAfter !== undefined ? formatIp4(ipAfter) : 'none'}`;
      this.check('pod IP', e.podIP, `${same ? 'unchanged' : 'changed'} (${shown})`, e.podIP === 'unchanged' ? same : !same && ipAfter !== undefined, ex('podIP'));
    }
    if (e?.namespace) {
      const kept = ps.alive && genBefore === ps.gen;
      this.check('namespace', e.namespace, kept ? 'kept' : ps.alive ? 'recreated' : 'gone', e.namespace === 'kept' ? kept : !kept && ps.alive, ex('namespace'));
    }
    if (e?.running) {
      const want = [...e.running].sort().join(', ');
      const got = [...ps.running].sort().join(', ');
      this.check('running containers', want || '(none)', got || '(none)', want === got, ex('running'));
    }
    return this.done(st);
  }

  /** The pause container: crash = the sandbox is gone and the kubelet builds a new one. */
  private pauseOp(p: PodT, op: string, pos: Pos): void {
    const st = this.podState(p.name);
    if ((op === 'crash' || op === 'restart') && this.byRuntime(p) && st.sandboxId !== undefined) {
      this.log.push(`the pause container of pod ${p.name} ${op === 'crash' ? 'died' : 'was restarted'}: the pod's network namespace is gone with it`);
      this.log.push(`kubelet: the sandbox of pod ${p.name} is dead: stop it (CNI DEL), run a new one (CNI ADD), remove the old one; the containers are recreated in it`);
      const running = [...st.running];
      this.stopAll(p);
      const r = runtimeRecreateSandbox(this.world, p.node, st.sandboxId);
      if (!this.applyRuntime(r, `recreate the sandbox of ${p.name}`, pos)) {
        st.alive = false;
        return;
      }
      st.gen++;
      st.sandboxId = r.value!.id;
      st.ns = r.value!.netns!;
      for (const c of p.containers.map((x) => x.name)) if (running.includes(c) || op === 'crash') this.startContainer(p, c);
      return;
    }
    if (op === 'crash' || op === 'restart' || op === 'stop') {
      this.log.push(`the pause container of pod ${p.name} ${op === 'crash' ? 'died' : 'was stopped'}: the pod's network namespace is gone with it`);
      this.deleteSandbox(p, pos);
      if (op !== 'stop') {
        this.log.push(`kubelet: the sandbox of pod ${p.name} changed: kill the containers and create a new sandbox`);
        this.createSandbox(p, pos);
      }
    } else if (!this.podState(p.name).alive) this.createSandbox(p, pos);
  }

  private nodeStep(st: StepOf<'node'>, ex: (k: string) => Pos): StepReport {
    const [op, target] = Object.entries(st.action).find(([k, v]) => v !== undefined && k !== 'runtimeState') as [string, string];
    const name = parseRef(target)!.name;
    if (this.cl) {
      this.clusterNodeStep(op, name, st.pos);
      this.outputChecks(st.expect, ex, st.pos, false);
      return this.done(st);
    }
    const node = this.s.nodes.find((n) => n.name === name)!;
    const pods = this.s.pods.filter((p) => p.node === name);
    const down = (): void => {
      for (const p of pods) {
        if (!this.podState(p.name).alive) continue;
        this.stopAll(p);
        // The machine goes away: no CNI DEL runs; the pods' namespaces die with it.
        const pns = this.podNs(p);
        if (p.network !== 'host' && this.nsExists(pns)) this.sh(`ip netns del ${pns}`);
        this.podState(p.name).alive = false;
        this.podState(p.name).cached = undefined;
      }
      if (this.nsExists(name)) this.sh(`ip netns del ${name}`);
      this.hostsUp.delete(name);
    };
    const up = (): void => {
      if (!this.bootHost(node)) return;
      for (const p of pods) if (p.start || this.podState(p.name).gen > 0) this.createSandbox(p, st.pos);
    };
    if (op === 'reboot' && this.runtimeNodes.has(name) && this.hostsUp.has(name)) {
      // The node's kernel state goes (pods' namespaces, links but the uplinks, addresses, routes, rules);
      // the runtime's records and the files stay; the kubelet gives every pod a new sandbox.
      this.log.push(`node ${name} reboots: routes, rules and neighbours not in its declaration are lost; pods get new sandboxes`);
      for (const p of pods) this.stopAll(p);
      this.applyRuntime(runtimeReboot(this.world, name, { runtimeStateLost: st.action.runtimeState === 'lost' }), `reboot ${name}`, st.pos);
      this.hostsUp.delete(name);
      if (this.bootHost(node, true)) {
        for (const p of pods) if (p.network === 'host' && this.podState(p.name).alive) for (const c of p.containers) this.startContainer(p, c.name);
        const r = runtimeRestartPods(this.world, name);
        if (this.applyRuntime(r, `restart the pods of ${name}`, st.pos)) {
          for (const sb of r.value!) {
            const p = pods.find((x) => x.name === sb.name);
            if (!p) continue;
            const ps = this.podState(p.name);
            ps.gen++;
            ps.alive = true;
            ps.sandboxId = sb.id;
            ps.ns = sb.netns!;
            for (const c of p.containers) this.startContainer(p, c.name);
          }
        }
        // runtimeState: lost: the runtime forgot the old sandboxes (nobody DELs them); the kubelet,
        // which knows its pods from the API server, runs a new sandbox for each pod that was running.
        if (st.action.runtimeState === 'lost') {
          for (const p of pods) if (p.network !== 'host' && this.byRuntime(p) && this.podState(p.name).alive && !this.nsExists(this.podNs(p))) this.createSandbox(p, st.pos);
        }
        // Pods the shell adapter runs on this node (CNI_ARGS of their own) get new sandboxes too.
        for (const p of pods) if (p.network !== 'host' && !this.byRuntime(p) && this.podState(p.name).alive) {
          this.podState(p.name).alive = false;
          if (this.nsExists(p.name)) this.sh(`ip netns del ${p.name}`);
          this.createSandbox(p, st.pos);
        }
      }
    } else if (op === 'reboot') {
      if (!this.hostsUp.has(name)) this.fail('reboot', `node ${name} is up`, 'it is down', st.pos);
      else {
        this.log.push(`node ${name} reboots: routes, rules and neighbours not in its declaration are lost; pods get new sandboxes`);
        down();
        up();
      }
    } else if (op === 'leave') {
      if (!this.hostsUp.has(name)) this.fail('leave', `node ${name} is up`, 'it is down', st.pos);
      else {
        this.log.push(`node ${name} leaves the cluster: its pods and cables go with it`);
        down();
      }
    } else {
      if (this.hostsUp.has(name)) this.fail('join', `node ${name} is not up yet`, 'it is up', st.pos);
      else {
        this.log.push(`node ${name} joins the cluster`);
        up();
      }
    }
    this.outputChecks(st.expect, ex, st.pos, false);
    return this.done(st);
  }

  private faultStep(st: StepOf<'fault'>, ex: (k: string) => Pos): StepReport {
    const a = st.action;
    const lines: string[] = [];
    const nsFor = (ref: ParsedRef): NsName => this.nsOfRef(ref);
    if (a.linkDown !== undefined || a.linkUp !== undefined) {
      const r = parseRef((a.linkDown ?? a.linkUp)!)!;
      lines.push(`ip -n ${nsFor(r)} link set ${r.dev} ${a.linkDown !== undefined ? 'down' : 'up'}`);
    } else if (a.routeDelete !== undefined) {
      lines.push(`ip -n ${nsFor(parseRef(a.on!)!)} route del ${a.routeDelete}`);
    } else if (a.arpFlush !== undefined) {
      lines.push(`ip -n ${nsFor(parseRef(a.arpFlush)!)} neigh flush all`);
    } else if (a.ruleInsert !== undefined) {
      lines.push(`ip netns exec ${nsFor(parseRef(a.on!)!)} iptables ${a.ruleInsert}`);
    } else if (a.bgpDown !== undefined || a.bgpUp !== undefined) {
      const [x, y] = (a.bgpDown ?? a.bgpUp)!.map((r) => parseRef(r)!.name) as [string, string];
      const down = a.bgpDown !== undefined;
      this.log.push(`BGP session ${x} <-> ${y} ${down ? 'goes down (TCP 179 blocked)' : 'comes back'}: the peers ${down ? 'withdraw' : 'advertise again'} what they learned from each other`);
      this.clusterDo(`BGP session ${x} <-> ${y}`, st.pos, (c) => (down ? bgpSessionDown(c, x, y) : bgpSessionUp(c, x, y)));
      this.settle(st.pos);
    } else if (this.cl && (a.peerDown !== undefined || a.peerUp !== undefined)) {
      const name = parseRef((a.peerDown ?? a.peerUp)!)!.name;
      const state = a.peerDown !== undefined ? 'down' : 'up';
      if (name === ROUTER_NS) segments(underlaySpecOf(this.s.cluster!)).forEach((_, i) => lines.push(`ip -n ${UNDERLAY_NS} link set r${i} ${state}`));
      else if (name === OUTSIDE_NS) lines.push(`ip -n ${ROUTER_NS} link set ext ${state}`);
      else lines.push(`ip -n ${UNDERLAY_NS} link set ${name} ${state}`);
    } else if (a.peerDown !== undefined || a.peerUp !== undefined) {
      const name = parseRef((a.peerDown ?? a.peerUp)!)!.name;
      const h = this.host(name)!;
      for (const itf of h.interfaces) lines.push(`ip -n ${itf.network} link set ${portName(this.s, name, itf, h.interfaces)} ${a.peerDown !== undefined ? 'down' : 'up'}`);
    }
    for (const l of lines) this.sh(l);
    this.outputChecks(st.expect, ex, st.pos, true);
    return this.done(st);
  }

  // -------------------------------------------------------------------------
  // spec.cluster: a cluster built and changed by src/cluster

  /** Build the cluster (underlay, nodes, the design's agents), then the pods; the agents reconcile. */
  private clusterSetup(): StepReport {
    const s = this.s;
    const decl = s.cluster!;
    const pos = posOf(s, ['spec', 'cluster']);
    let c: Cluster;
    try {
      c = buildCluster(clusterSpecOf(decl, s.seed));
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      this.invalid.push({ file: s.file, pos, message: `spec.cluster: ${e.message}` });
      return this.report(0, 'setup', `build ${s.name}`, { line: 1, col: 1 });
    }
    const segs = segments(underlaySpecOf(decl));
    this.log.push(`underlay (${decl.underlay}): ${segs.map((x, i) => `segment ${i} ${x}`).join(', ')}; machine router is the gateway (.1)${decl.outside ? '; machine outside (203.0.113.10) is beyond it' : ''}`);
    this.absorb(c);
    for (const n of decl.nodes) {
      if (!n.joined) continue;
      this.hostsUp.add(n.name);
      this.log.push(this.nodeLine(n.name, 'joined'));
    }
    for (const p of s.pods) {
      if (!p.start || !this.hostsUp.has(p.node)) continue;
      this.createSandbox(p);
    }
    this.settle(pos);
    return this.report(0, 'setup', `build ${s.name}`, { line: 1, col: 1 });
  }

  private get design(): string {
    return this.s.cluster?.design ?? '';
  }

  private nodeLine(name: string, what: string): string {
    const n = this.cl?.nodes[name];
    if (!n) return `node ${name} ${what}`;
    const agent = n.agentPending ? `the ${this.design} agent has not started there yet` : n.agentRunning ? `the ${this.design} agent runs there` : `the ${this.design} agent is stopped`;
    return `node ${name} ${what}: eth0 ${n.ip}/${n.prefixLen}${n.podCidr ? `, podCIDR ${n.podCidr}` : ''}; ${agent}`;
  }

  /**
   * Run a src/cluster operation on the current world; what it typed goes to the
   * transcript (with who typed it), what the agents reported to the log. A
   * ClusterError (something src/cluster refuses) is a failed check.
   */
  private clusterDo(what: string, pos: Pos, f: (c: Cluster) => Cluster): boolean {
    let next: Cluster;
    try {
      next = f({ ...this.cl!, world: this.world });
    } catch (e) {
      // A ClusterError is something src/cluster refuses (a pool without a free block...); any other
      // error of a design is reported the same way rather than crashing the run.
      if (!(e instanceof Error)) throw e;
      this.fail(what, 'the cluster accepts it', e instanceof ClusterError ? e.message : `${e.name}: ${e.message}`, pos);
      return false;
    }
    this.absorb(next);
    return true;
  }

  private absorb(next: Cluster): void {
    for (const j of next.journal.slice(this.journalSeen)) this.transcript.push({ on: LAB, who: j.who, script: j.line, output: j.output, status: j.status });
    for (const e of next.events.slice(this.eventsSeen)) this.log.push(`${e.who}: ${e.message}`);
    this.journalSeen = next.journal.length;
    this.eventsSeen = next.events.length;
    this.cl = next;
    this.world = next.world;
    this.refreshView();
  }

  /** Keep the node declarations equal to the cluster's nodes (a node that left and joined again has a new address). */
  private refreshView(): void {
    const cl = this.cl!;
    const decl = this.view.cluster!;
    let changed = false;
    const nodes = this.view.nodes.map((n) => {
      const st = cl.nodes[n.name];
      const d = decl.nodes.find((x) => x.name === n.name);
      if (!st || !d) return n;
      if (n.interfaces[0]?.address === `${st.ip}/${st.prefixLen}` && n.podCIDR === st.podCidr) return n;
      changed = true;
      return nodeDeclaration(d, { ip: st.ip, prefixLen: st.prefixLen, ...(st.podCidr ? { podCIDR: st.podCidr } : {}) }, decl.mtu);
    });
    if (changed) this.view = { ...this.view, nodes };
  }

  /** The agents that run and do not lag reconcile (they watch the API server and react within seconds). */
  private settle(pos: Pos): void {
    if (!this.cl) return;
    this.clusterDo('the agents reconcile', pos, (c) => reconcile(c, { skip: [...this.lagging] }));
  }

  /** kubelet runs a pod on a cluster node: the design's CNI plugin wires it (src/cluster addPod). */
  private clusterSandbox(p: PodT, pos: Pos): boolean {
    const st = this.podState(p.name);
    const n = this.cl!.nodes[p.node];
    if (!n) {
      this.fail(`run pod ${p.name}`, `node ${p.node} is in the cluster`, 'it is not', pos);
      return false;
    }
    if (n.agentPending) {
      // kubelet reports the node NotReady while /etc/cni/net.d is empty: no sandbox is started.
      this.pendingPods.add(p.name);
      this.log.push(
        `kubelet on ${p.node}: pod ${p.name} stays Pending: node ${p.node} is NotReady (container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized): the ${this.design} agent has not installed its CNI configuration there yet`,
      );
      return false;
    }
    this.pendingPods.delete(p.name);
    this.log.push(`kubelet on ${p.node}: RunPodSandbox ${p.name}, then CNI ADD with the ${this.design} plugin`);
    if (!this.clusterDo(`run pod ${p.name}`, pos, (c) => addPod(c, { name: p.name, node: p.node }))) return false;
    st.gen++;
    st.alive = true;
    const ip = this.cl!.pods[p.name]?.ip;
    if (ip === undefined) {
      const bad = [...this.transcript].reverse().find((t) => t.status !== 0);
      const why = bad ? `${bad.script.split('\n')[0]}: ${bad.output.trim() || `exit status ${bad.status}`}` : 'no address on eth0';
      this.log.push(`CNI ADD failed for pod ${p.name}: ${why}`);
      this.fail(`CNI ADD for pod ${p.name}`, 'the plugin gives the pod an address', why, pos);
    } else this.log.push(`CNI result: pod ${p.name} got ${ip}${this.cl!.pods[p.name]?.hostIf ? ` (host side ${this.cl!.pods[p.name]!.hostIf})` : ''}`);
    for (const c of p.containers) this.startContainer(p, c.name);
    return ip !== undefined;
  }

  private clusterNodeStep(op: string, name: string, pos: Pos): void {
    const decl = this.s.cluster!.nodes.find((n) => n.name === name)!;
    const pods = this.s.pods.filter((p) => p.node === name);
    if (op === 'join') {
      if (this.hostsUp.has(name)) return this.fail('join', `node ${name} is not up yet`, 'it is up', pos);
      if (!this.clusterDo(`join ${name}`, pos, (c) => addNode(c, nodeSpecOf(decl)))) return;
      this.hostsUp.add(name);
      this.log.push(this.nodeLine(name, 'joins the cluster'));
      for (const p of pods) if (p.start || this.podState(p.name).gen > 0) this.createSandbox(p, pos);
    } else if (op === 'leave') {
      if (!this.hostsUp.has(name)) return this.fail('leave', `node ${name} is up`, 'it is down', pos);
      for (const p of pods) {
        this.stopAll(p);
        this.podState(p.name).alive = false;
        this.pendingPods.delete(p.name);
      }
      this.log.push(`node ${name} leaves the cluster: its pods and its uplink go; its podCIDR is released`);
      if (!this.clusterDo(`leave ${name}`, pos, (c) => removeNode(c, name))) return;
      this.hostsUp.delete(name);
      this.lagging.delete(name);
    } else {
      if (!this.hostsUp.has(name)) return this.fail('reboot', `node ${name} is up`, 'it is down', pos);
      for (const p of pods) this.stopAll(p);
      this.log.push(`node ${name} reboots: devices, routes, rules and pod sandboxes are lost; it boots, its agent installs again, kubelet re-creates its pods`);
      if (!this.clusterDo(`reboot ${name}`, pos, (c) => rebootNode(c, name))) return;
      for (const p of pods) {
        const ps = this.podState(p.name);
        if (p.network === 'host' ? ps.alive : this.cl!.pods[p.name] !== undefined) {
          if (p.network !== 'host') {
            ps.gen++;
            ps.alive = true;
            const ip = this.cl!.pods[p.name]?.ip;
            this.log.push(`kubelet on ${name}: pod ${p.name} gets a new sandbox${ip ? `: ${ip}` : ' but no address'}`);
          }
          for (const c of p.containers) this.startContainer(p, c.name);
        }
      }
    }
    this.settle(pos);
  }

  private agentStep(st: StepOf<'agent'>, ex: (k: string) => Pos): StepReport {
    const [op, target] = Object.entries(st.action).find(([, v]) => v !== undefined) as [string, string];
    const r = parseRef(target)!;
    const name = r.name;
    const who = r.kind === 'machine' ? `the controller programming ${name}` : `the ${this.design} agent on ${name}`;
    if (r.kind === 'node' && !this.hostsUp.has(name)) {
      this.fail(`agent ${op}`, `node ${name} is up`, 'it is not in the cluster', st.pos);
      return this.done(st);
    }
    if (op === 'start') {
      const pending = this.cl!.nodes[name]?.agentPending ?? false;
      this.log.push(`${who} starts${pending ? ': it installs the design on the node (devices, rules, the CNI configuration), then programs routes to the other nodes' : ' and catches up'}`);
      this.lagging.delete(name);
      if (this.clusterDo(`start the agent on ${name}`, st.pos, (c) => setAgentRunning(c, name, true))) {
        if (pending) this.log.push(this.nodeLine(name, 'is Ready'));
        for (const p of this.s.pods) if (p.node === name && this.pendingPods.has(p.name)) this.createSandbox(p, st.pos);
        this.settle(st.pos);
      }
    } else if (op === 'stop') {
      this.log.push(`${who} stops: it programs nothing more${this.design === 'calico-bgp' ? '; its BGP sessions close' : ''}`);
      if (this.clusterDo(`stop the agent on ${name}`, st.pos, (c) => setAgentRunning(c, name, false))) this.settle(st.pos);
    } else if (op === 'lag') {
      this.lagging.add(name);
      this.log.push(`${who} lags: it misses the next changes until it syncs`);
    } else {
      this.lagging.delete(name);
      this.log.push(`${who} catches up`);
      this.settle(st.pos);
    }
    this.outputChecks(st.expect, ex, st.pos, false);
    return this.done(st);
  }

  // -------------------------------------------------------------------------
  // Probes

  private probeStep(st: StepOf<'ping'> | StepOf<'tcp'> | StepOf<'udp'>, ex: (k: string) => Pos): StepReport {
    const a = st.action;
    const from = parseRef(a.from)!;
    const fromNs = this.nsOfRef(from);
    const to = this.addressOf(a.to);
    const title = this.title(st);
    if (!this.nsExists(fromNs) || (from.kind === 'pod' && !this.podState(from.name).alive)) {
      this.fail('send', `${a.from} exists`, `${a.from} is not running`, st.pos);
      return this.done(st);
    }
    if (from.container !== undefined && from.container !== 'pause' && !this.podState(from.name).running.has(from.container)) {
      this.fail('send', `container ${from.container} runs`, `container ${from.container} of pod ${from.name} is not running`, st.pos);
      return this.done(st);
    }
    if (to.ip === undefined) {
      this.fail('destination', `${a.to} has an address`, to.why ?? 'no address', st.pos);
      return this.done(st);
    }
    const counters = (st.expect?.counters ?? []).map((c) => ({ c, before: this.counter(c) }));
    const s = new ProbeSession(this.world);
    const base = this.world.clockMs;
    const count = st.kind === 'ping' ? st.action.count : 1;
    let reqIndex = 0;
    let handle: ReturnType<ProbeSession['send']> | undefined;
    for (let i = 0; i < count; i++) {
      reqIndex = s.traces.length;
      const now = base + i * 1000;
      if (st.kind === 'ping') {
        handle = s.send({ from: fromNs, to: to.ip, proto: 'icmp', id: 1000 + st.index, seq: i + 1, now, ...(st.action.ttl !== undefined ? { ttl: st.action.ttl } : {}), ...(st.action.size !== undefined ? { payload: st.action.size } : {}) });
      } else {
        handle = s.send({
          from: fromNs,
          to: to.ip,
          proto: st.kind,
          sport: 40000 + st.index,
          dport: st.action.port,
          now,
          ...(st.kind === 'udp' && st.action.data !== undefined ? { data: st.action.data } : {}),
        });
      }
      s.finish(now + 999);
    }
    s.finish();
    const outcome = s.outcome(handle!);
    this.world = { ...s.world, clockMs: base + count * 1000 };
    const request = s.traces[reqIndex];
    const probe: ProbeReport = {
      kind: st.kind,
      from: a.from,
      to: a.to,
      fromNs,
      toAddr: formatIp4(to.ip),
      outcome: describeOutcome(st.kind, outcome),
      traces: s.traces,
      ...(request ? { request } : {}),
    };
    this.probeChecks(st.expect, ex, handle!.sent.src, to.ip, outcome, request, counters);
    return this.report(st.index, st.kind, title, st.pos, st.name, probe);
  }

  private counter(c: CounterExpectT): number | undefined {
    const ns = this.world.ns[this.nsOfRef(parseRef(c.on)!)];
    const chain = ns?.netfilter.tables[c.table]?.chains.find((x) => x.name === c.chain);
    const rule = chain?.rules.find((r) => saveRuleBody(r.spec).includes(c.rule));
    return rule?.counters.pkts;
  }

  private probeChecks(
    e: ProbeExpectT | undefined,
    ex: (k: string) => Pos,
    sentSrc: Ip4,
    dst: Ip4,
    outcome: ProbeOutcome,
    request: Trace | undefined,
    counters: { c: CounterExpectT; before: number | undefined }[],
  ): void {
    if (!e) return;
    if (e.outcome !== undefined) this.check('outcome', e.outcome, outcome.kind, outcome.kind === e.outcome, ex('outcome'));
    const places = this.places();
    const placeRef = (ns: NsName): string => {
      const p = places[ns];
      return p ? (p.kind === 'lab' ? 'lab' : `${p.kind}/${p.name}`) : ns;
    };
    if (e.disposition !== undefined) this.check('disposition', e.disposition, request ? `${request.disposition} (${request.reason})` : 'no packet sent', request?.disposition === e.disposition, ex('disposition'));
    if (e.endedIn !== undefined) {
      const want = this.nsOfRef(parseRef(e.endedIn)!);
      this.check('ended in', e.endedIn, request ? placeRef(request.endedIn) : 'no packet sent', request?.endedIn === want, ex('endedIn'));
    }
    const seen = request ? headerAtEnd(request) : undefined;
    if (e.ttl !== undefined) this.check('TTL at the destination', String(e.ttl), seen ? String(seen.ttl) : 'never received', seen?.ttl === e.ttl, ex('ttl'));
    if (e.sourceSeen !== undefined) {
      const want = this.addressOf(e.sourceSeen).ip;
      const got = seen ? parseIp4(seen.src) : undefined;
      this.check(
        'source seen at the destination',
        `${e.sourceSeen}${want !== undefined && !isIpv4(e.sourceSeen) ? ` (${formatIp4(want)})` : ''}`,
        got !== undefined ? `${formatIp4(got)} (${this.nameOfAddress(got)})` : 'never received',
        got !== undefined && got === want,
        ex('sourceSeen'),
      );
    }
    if (e.natFree !== undefined) {
      const natSteps = request ? request.hops.flatMap((h) => h.steps.filter((x) => x.kind === 'nat').map((x) => `${placeRef(h.ns)}: ${x.action}`)) : [];
      const free = seen !== undefined && natSteps.length === 0 && parseIp4(seen.src) === sentSrc && parseIp4(seen.dst) === dst;
      const actual = seen === undefined ? 'never received' : free ? 'no NAT' : natSteps.length ? `NAT: ${natSteps[0]}` : `the destination saw ${seen.src} -> ${seen.dst}`;
      this.check('NAT-free', String(e.natFree), actual, seen !== undefined && free === e.natFree, ex('natFree'));
    }
    const hops = request ? packetHops(request) : [];
    if (e.path !== undefined) {
      let missing: string | undefined;
      // Two devices of one hop may follow each other (in by one port of a bridge, out by another).
      let last: { readonly idx: number; readonly key: string } | undefined;
      for (const want of e.path) {
        const r = parseRef(want)!;
        const ns = this.nsOfRef(r);
        const key = `${ns}:${r.dev ?? ''}`;
        let i = last ? last.idx : 0;
        while (i < hops.length && (!hopMatches(hops[i]!, ns, r.dev) || (last !== undefined && i === last.idx && (r.dev === undefined || last.key === key)))) i++;
        if (i >= hops.length) {
          missing = want;
          break;
        }
        last = { idx: i, key };
      }
      const walked = compress(hops.map((h) => placeRef(h.ns))).join(' -> ');
      this.check('path', e.path.join(' -> '), missing ? `${walked || 'nowhere'} (no ${missing} after that point)` : walked, missing === undefined, ex('path'));
    }
    if (e.pathLacks !== undefined) {
      const found = e.pathLacks.filter((want) => {
        const r = parseRef(want)!;
        return hops.some((h) => hopMatches(h, this.nsOfRef(r), r.dev));
      });
      this.check('path lacks', e.pathLacks.join(', '), found.length ? `went through ${found.join(', ')}` : 'none of them', found.length === 0, ex('pathLacks'));
    }
    counters.forEach(({ c, before }, i) => {
      const after = this.counter(c);
      const delta = after === undefined ? undefined : after - (before ?? 0);
      this.check(
        `counter ${c.table} ${c.chain} "${c.rule}" on ${c.on}`,
        `${c.packets} packet(s)`,
        delta === undefined ? 'no such rule' : `${delta} packet(s)`,
        delta === c.packets,
        posOf(this.s, ['spec', 'steps', this.current - 1, 'expect', 'counters', i]),
      );
    });
  }

  private tracerouteStep(st: StepOf<'traceroute'>, ex: (k: string) => Pos): StepReport {
    const a = st.action;
    const from = parseRef(a.from)!;
    const fromNs = this.nsOfRef(from);
    const to = this.addressOf(a.to);
    if (!this.nsExists(fromNs) || to.ip === undefined) {
      this.fail('traceroute', `${a.from} runs and ${a.to} has an address`, to.why ?? `${a.from} is not running`, st.pos);
      return this.done(st);
    }
    const s = new ProbeSession(this.world);
    const base = this.world.clockMs;
    const hops: string[] = [];
    let reached = false;
    let request: Trace | undefined;
    for (let ttl = 1; ttl <= a.maxHops; ttl++) {
      const now = base + (ttl - 1) * 5000;
      const before = s.traces.length;
      const h = s.send({ from: fromNs, to: to.ip, proto: 'udp', ttl, sport: 40000 + st.index, dport: 33434 + ttl - 1, now });
      s.finish(now + 4999);
      request = s.traces[before];
      const o = s.outcome(h);
      if (o.kind === 'icmp_error') {
        hops.push(this.nameOfAddress(o.from));
        if (o.type === ICMP_TIME_EXCEEDED) continue;
        reached = o.type === ICMP_DEST_UNREACH && o.code === ICMP_PORT_UNREACH;
        break;
      }
      if (o.kind === 'local_error') {
        hops.push(`!${o.errno}`);
        break;
      }
      hops.push('*');
      // Three silent hops in a row: give up early (the rest would be silent too).
      if (hops.length >= 3 && hops.slice(-3).every((x) => x === '*')) break;
    }
    this.world = { ...s.world, clockMs: base + hops.length * 5000 };
    const probe: ProbeReport = {
      kind: 'traceroute',
      from: a.from,
      to: a.to,
      fromNs,
      toAddr: formatIp4(to.ip),
      outcome: `${hops.map((h, i) => `${i + 1} ${h}`).join(', ')}${reached ? '' : ' (destination not reached)'}`,
      traces: s.traces,
      ...(request ? { request } : {}),
      hops,
    };
    const e = st.expect as TracerouteExpectT | undefined;
    if (e?.hops) {
      const norm = (x: string): string => (isIpv4(x) ? this.nameOfAddress(parseIp4(x)!) : x);
      const want = e.hops.map(norm);
      this.check('traceroute hops', want.join(', '), hops.join(', '), want.join(',') === hops.join(','), ex('hops'));
    }
    if (e?.reached !== undefined) this.check('destination reached', String(e.reached), String(reached), reached === e.reached, ex('reached'));
    return this.report(st.index, 'traceroute', this.title(st), st.pos, st.name, probe);
  }
}

// ---------------------------------------------------------------------------
// Trace helpers

function nsAddress(world: World, nsName: NsName, prefer: string | undefined): Ip4 | undefined {
  const ns = world.ns[nsName];
  if (!ns) return undefined;
  const links = Object.values(ns.links).filter((l: Link) => l.kind !== 'loopback');
  const ordered = prefer ? [...links.filter((l) => l.name === prefer), ...links.filter((l) => l.name !== prefer)] : links;
  for (const l of ordered) {
    const a = l.addrs.find((x) => x.scope === 'global');
    if (a) return a.local;
  }
  return undefined;
}

/** The packet as the destination's stack saw it last (after any DNAT at its PREROUTING). */
export function headerAtEnd(t: Trace): HeaderView | undefined {
  let last: HeaderView | undefined;
  // Delivered: what the destination's own stack received (side trips, such as an ARP
  // broadcast flooded over an overlay to other nodes, may end later in the trace).
  const hops = t.disposition === 'delivered' && t.hops.some((h) => h.ns === t.endedIn) ? t.hops.filter((h) => h.ns === t.endedIn) : t.hops;
  for (const h of hops) {
    for (const s of h.steps) {
      if (s.kind === 'receive' && s.before) last = s.before;
      else if (s.kind === 'nat' && s.after && last) last = s.after;
    }
  }
  return last;
}

const PACKET_KINDS = new Set(['receive', 'route', 'forward', 'deliver', 'output', 'nat', 'netfilter', 'encap', 'decap', 'icmp', 'mtu', 'martian', 'rp_filter', 'conntrack']);

/** Hops that carried the probe itself (not only ARP side trips). */
export function packetHops(t: Trace): Trace['hops'] {
  return t.hops.filter((h) => !h.side && h.steps.some((s) => PACKET_KINDS.has(s.kind) || (s.kind === 'transmit' && /\(\d+\.\d+\.\d+\.\d+ -> \d+\.\d+\.\d+\.\d+\)$/.test(s.action)) || (s.kind === 'neighbour' && /queued packet sent/.test(s.action))));
}

function hopMatches(h: Trace['hops'][number], ns: NsName, dev: string | undefined): boolean {
  if (h.ns !== ns) return false;
  if (dev === undefined) return true;
  if (h.inDev === dev || h.outDev === dev) return true;
  return h.steps.some((s) => s.action.startsWith(`${dev}:`) || s.action.includes(` on ${dev}`) || s.action.includes(`dev ${dev}`) || (s.entry ?? '').includes(`dev ${dev}`));
}

function compress(xs: string[]): string[] {
  return xs.filter((x, i) => i === 0 || xs[i - 1] !== x);
}

function describeOutcome(kind: string, o: ProbeOutcome): string {
  switch (o.kind) {
    case 'reply':
      return kind === 'ping' ? `echo reply from ${formatIp4(o.pkt.src)} ttl ${o.pkt.ttl}` : kind === 'tcp' ? `connected (SYN-ACK from ${formatIp4(o.pkt.src)})` : `UDP answer from ${formatIp4(o.pkt.src)}`;
    case 'reset':
      return `connection refused (RST from ${formatIp4(o.pkt.src)})`;
    case 'icmp_error':
      return `ICMP ${o.type === ICMP_TIME_EXCEEDED ? 'time exceeded' : o.type === ICMP_DEST_UNREACH ? `destination unreachable code ${o.code}` : `type ${o.type} code ${o.code}`} from ${formatIp4(o.from)}`;
    case 'local_error':
      return `local error ${o.errno}`;
    case 'timeout':
      return kind === 'udp' ? 'no answer (a datagram that arrives gets none)' : 'no answer';
  }
}
