/**
 * The thin CNI adapter: how a scenario's runtime calls CNI for a pod.
 *
 * Until the emulated libcni-like runtime (src/cni-emulator, being built)
 * exports an API, this adapter does what libcni's AddNetworkList /
 * DelNetworkList / CheckNetworkList do, through the twin shell, exactly as a
 * runtime would exec the plugins:
 *
 *   CNI_COMMAND=ADD CNI_CONTAINERID=... CNI_NETNS=/var/run/netns/POD CNI_IFNAME=eth0 \
 *     CNI_ARGS=... CNI_PATH=/opt/cni/bin ip netns exec NODE /opt/cni/bin/TYPE <<'EOF'
 *   {the plugin's configuration + name + cniVersion (+ prevResult)}
 *   EOF
 *
 * - each plugin's configuration gets the list's name and cniVersion injected,
 *   and from the second plugin on the previous plugin's result as prevResult
 *   (libcni buildOneConfig/InjectConf re-marshals a Go map: keys come out sorted);
 * - ADD runs the plugins in order; DEL in reverse order with the cached ADD
 *   result as prevResult; CHECK in order with the cached result;
 * - the final ADD result is cached by the caller (libcni's /var/lib/cni/results).
 * A plugin written as a script (spec.plugins) runs its lines on the node.
 * Switch to the runtime's API here once src/cni-emulator exports one.
 */
import type { World } from '../model/world.js';
import { runScript } from '../shell/interp.js';
import type { ScriptPluginT } from './schema.js';
import type { CniNetwork } from './types.js';

export const CNI_PATH = '/opt/cni/bin';
export const CNI_IFNAME = 'eth0';

export interface CniCall {
  readonly command: 'ADD' | 'DEL' | 'CHECK';
  /** The node (namespace) the plugins run on. */
  readonly node: string;
  /** The pod's network namespace name (CNI_NETNS=/var/run/netns/NAME). */
  readonly netns: string;
  readonly containerId: string;
  readonly network: CniNetwork;
  /** CNI_ARGS pairs (K8S_POD_NAME... and the pod's cniArgs). */
  readonly args: readonly (readonly [string, string])[];
  /** The cached result of the last ADD (prevResult for DEL and CHECK). */
  readonly cached?: unknown;
  readonly scripts: readonly ScriptPluginT[];
}

/** One plugin execution as the transcript shows it. */
export interface CniExec {
  readonly plugin: string;
  /** A script plugin's lines ran in this namespace (the node) with these variables. */
  readonly ns?: string;
  readonly vars?: Readonly<Record<string, string>>;
  /** The shell text that ran it (runnable with `podnet sh`). */
  readonly script: string;
  readonly output: string;
  readonly status: number;
}

export interface CniOutcome {
  readonly world: World;
  readonly ok: boolean;
  /** The plugin's error ("bridge: failed to ...") when !ok. */
  readonly error?: string;
  /** ADD: the final result (parsed JSON). */
  readonly result?: unknown;
  readonly execs: readonly CniExec[];
}

/** Go's json.Marshal of a map[string]interface{}: keys sorted at every level. */
export function goMarshal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goMarshal((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** libcni's buildOneConfig: the plugin conf with name, cniVersion and prevResult injected. */
export function pluginNetconf(network: CniNetwork, plugin: Readonly<Record<string, unknown>>, prevResult: unknown): string {
  const conf: Record<string, unknown> = { ...plugin, name: network.name, cniVersion: network.cniVersion };
  if (prevResult !== undefined) conf.prevResult = prevResult;
  return goMarshal(conf);
}

function cniArgs(args: CniCall['args']): string {
  return ['IgnoreUnknown=1', ...args.map(([k, v]) => `${k}=${v}`)].join(';');
}

/** Quote a word for the twin shell (single quotes). */
function shq(s: string): string {
  return /^[A-Za-z0-9_./=:,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function cniInvoke(world: World, call: CniCall): CniOutcome {
  const plugins = call.network.plugins;
  const order = call.command === 'DEL' ? [...plugins].reverse() : [...plugins];
  const execs: CniExec[] = [];
  let w = world;
  let prev: unknown = call.command === 'ADD' ? undefined : call.cached;
  for (const plugin of order) {
    const type = String(plugin.type);
    const netconf = pluginNetconf(call.network, plugin, prev);
    const env: Record<string, string> = {
      CNI_COMMAND: call.command,
      CNI_CONTAINERID: call.containerId,
      CNI_NETNS: `/var/run/netns/${call.netns}`,
      CNI_IFNAME: CNI_IFNAME,
      CNI_ARGS: cniArgs(call.args),
      CNI_PATH: CNI_PATH,
    };
    const envText = Object.entries(env)
      .map(([k, v]) => `${k}=${shq(v)}`)
      .join(' ');
    const scriptPlugin = call.scripts.find((s) => s.name === type);
    const lines = scriptPlugin ? (call.command === 'ADD' ? scriptPlugin.add : call.command === 'DEL' ? scriptPlugin.del : scriptPlugin.check) ?? '' : '';
    let output: string;
    let status: number;
    let script: string;
    let scriptEnv: Record<string, string> | undefined;
    if (scriptPlugin) {
      // A plugin that is a shell script: its lines run on the node with the CNI environment.
      const extra: Record<string, string> = { CNI_NETNS_NAME: call.netns };
      for (const [k, v] of call.args) extra[`ARG_${k}`] = v;
      script = `# ${CNI_PATH}/${type} (${call.command}) is a script; it runs on ${call.node}\n${lines.replace(/\n?$/, '\n')}`;
      scriptEnv = { ...env, ...extra };
      const r = runScript(lines, { world: w, ns: call.node, env: scriptEnv });
      w = r.world;
      output = r.output;
      status = r.sections.find((s) => s.status !== 0)?.status ?? 0;
    } else {
      script = `${envText} ip netns exec ${call.node} ${CNI_PATH}/${type} <<'EOF'\n${netconf}\nEOF\n`;
      const r = runScript(script, { world: w });
      w = r.world;
      output = r.output;
      status = r.exitCode;
    }
    execs.push({ plugin: type, script, output, status, ...(scriptEnv ? { ns: call.node, vars: scriptEnv } : {}) });
    if (status !== 0) {
      return { world: w, ok: false, error: `${type}: ${errorText(output)}`, execs };
    }
    if (call.command === 'ADD') {
      const parsed = parseResult(output);
      // A script plugin may print nothing: pass the previous result on.
      prev = parsed ?? prev;
    }
  }
  return { world: w, ok: true, execs, ...(call.command === 'ADD' ? { result: prev ?? {} } : {}) };
}

function parseResult(output: string): unknown {
  const t = output.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/** The message of a CNI error result ({"code":..,"msg":..,"details":..}), or the raw output. */
function errorText(output: string): string {
  const r = parseResult(output) as { msg?: unknown; details?: unknown } | undefined;
  if (r && typeof r.msg === 'string') return r.msg + (typeof r.details === 'string' && r.details !== '' ? `: ${r.details}` : '');
  return output.trim() === '' ? 'failed with no output' : output.trim().split('\n').slice(-3).join(' / ');
}

// ---------------------------------------------------------------------------
// The emulated container runtime (src/cni-emulator/cri.ts): containerd's CRI
// plugin with go-cni and libcni. Pods whose node configuration uses only
// emulated plugins are run by it: sandboxes get containerd's netns names
// (cni-<uuid>) and 64-hex ids, the loopback network is added first, a failed
// ADD is cleaned up, DEL reloads the configuration, the result cache lives in
// the node's files (under /nodes/NAME). Plugins written as scripts cannot be
// exec'd by it: their pods keep the shell invocation above.

import {
  addContainer as criAddContainer,
  addNetworkList,
  addNode as criAddNode,
  checkNetworkList,
  confListFromBytes,
  delNetworkList,
  getNode as criGetNode,
  getSandbox as criGetSandbox,
  LibcniError,
  rebootNode as criRebootNode,
  recreatePodSandbox,
  removePodSandbox,
  restartPodsAfterReboot,
  runPodSandbox,
  stopPodSandbox,
  type CniCall as CriCall,
  type PluginInvocation,
  type PodSandbox,
  type RuntimeOutcome,
} from '../cni-emulator/index.js';
import { withFile } from '../cni-emulator/fs.js';

/** What one runtime operation did, ready for a step report. */
export interface RuntimeOp<T = undefined> {
  readonly world: World;
  readonly ok: boolean;
  readonly error?: string;
  readonly value?: T;
  readonly log: readonly string[];
  readonly execs: readonly CniExec[];
}

/** Can the emulated runtime run this node's configuration (no script plugins)? */
export function runtimeCan(network: CniNetwork, scripts: readonly ScriptPluginT[]): boolean {
  const names = new Set(scripts.map((s) => s.name));
  return network.plugins.every((p) => !names.has(String(p.type)) && !names.has(String((p.ipam as { type?: unknown } | undefined)?.type ?? '')));
}

/** Where the node's configuration file lives in the twin's files. */
export function confPath(world: World, node: string, network: CniNetwork): string | undefined {
  const n = criGetNode(world, node);
  return n ? `${n.root}${n.confDir.replace(/\/+$/, '')}/10-${network.name}.conflist` : undefined;
}

/** Register the node with the runtime (once) and write its configuration into /etc/cni/net.d. */
export function runtimeNode(world: World, node: string, podCIDR: string | undefined, network: CniNetwork): RuntimeOp {
  let w = world;
  const log: string[] = [];
  if (!criGetNode(w, node)) {
    const r = criAddNode(w, { name: node, ns: node, ...(podCIDR !== undefined ? { podCIDR } : {}) });
    if (!r.ok) return { world, ok: false, error: r.error ?? 'addNode failed', log, execs: [] };
    w = r.world;
    const n = criGetNode(w, node)!;
    log.push(`node ${node}: containerd with CNI (conf_dir ${n.confDir}, bin_dir ${n.binDirs.join(':')}; its files are under ${n.root || '/'} in the twin)`);
  }
  const path = confPath(w, node, network)!;
  const text = JSON.stringify({ cniVersion: network.cniVersion, name: network.name, plugins: network.plugins }, null, 2) + '\n';
  if (w.files[path] !== text) w = withFile(w, path, text);
  return { world: w, ok: true, log, execs: [] };
}

/** A plugin invocation as the shell line that makes it (the runtime execs the binary just so). */
function invocationExec(node: string, inv: PluginInvocation): CniExec {
  const env = [
    `CNI_COMMAND=${inv.command}`,
    `CNI_CONTAINERID=${inv.containerID}`,
    `CNI_NETNS=${shq(inv.netns)}`,
    `CNI_IFNAME=${inv.ifName}`,
    ...(inv.cniArgs !== '' ? [`CNI_ARGS=${shq(inv.cniArgs)}`] : []),
    `CNI_PATH=${CNI_PATH}`,
  ].join(' ');
  return {
    plugin: inv.plugin,
    script: `${env} ip netns exec ${node} ${CNI_PATH}/${inv.plugin} <<'EOF'\n${inv.stdin.replace(/\n$/, '')}\nEOF\n`,
    output: inv.stdout + inv.stderr,
    status: inv.status,
  };
}

const LIST_OP: Record<string, string> = { ADD: 'AddNetworkList', DEL: 'DelNetworkList', CHECK: 'CheckNetworkList' };

function describeCalls(node: string, calls: readonly CriCall[]): { log: string[]; execs: CniExec[] } {
  const log: string[] = [];
  const execs: CniExec[] = [];
  for (const c of calls) {
    log.push(`libcni ${LIST_OP[c.op]} "${c.network}" (ifname ${c.ifName}): ${c.op} ${c.invocations.map((i) => i.plugin).join(', ') || '(nothing)'} on node ${node}${c.ok ? '' : ` - failed: ${c.error}`}`);
    for (const inv of c.invocations) execs.push(invocationExec(node, inv));
    if (c.op === 'ADD' && c.ok && c.ifName !== 'lo') {
      const last = c.invocations[c.invocations.length - 1];
      try {
        const r = JSON.parse(last?.stdout ?? '') as { ips?: { address?: string }[] };
        const ips = (r.ips ?? []).map((x) => x.address).filter(Boolean);
        if (ips.length) log.push(`CNI result: ${ips.join(', ')}`);
      } catch {
        // not a result: nothing to add
      }
    }
  }
  return { log, execs };
}

function sandboxLine(s: PodSandbox): string {
  return `pause container ${s.id.slice(0, 12)}, which holds the new network namespace ${s.netnsPath}`;
}

/** RunPodSandbox, then the containers are created in it. */
export function runtimeRunSandbox(world: World, node: string, pod: string, containers: readonly string[]): RuntimeOp<PodSandbox> {
  const r = runPodSandbox(world, node, { name: pod, namespace: 'default' });
  const d = describeCalls(node, r.calls);
  if (!r.ok) return { world: r.world, ok: false, error: r.error ?? 'RunPodSandbox failed', log: d.log, execs: d.execs };
  let w = r.world;
  const s = r.value!;
  for (const c of containers) w = criAddContainer(w, s.id, c).world;
  return {
    world: w,
    ok: true,
    value: s,
    log: [`CRI runtime: starts the ${sandboxLine(s)}, then calls CNI (go-cni: the loopback network, then the node's network)`, ...d.log.map((l) => l.replace(/^CNI result: /, `CNI result: pod ${pod} got `))],
    execs: [{ plugin: 'netns', script: `ip netns add ${s.netns}\n`, output: '', status: 0 }, ...d.execs],
  };
}

/** StopPodSandbox + RemovePodSandbox. */
export function runtimeDeleteSandbox(world: World, node: string, id: string): RuntimeOp {
  const s = criGetSandbox(world, id);
  const st = stopPodSandbox(world, id);
  const d = describeCalls(node, st.calls);
  if (!st.ok) return { world: st.world, ok: false, error: st.error ?? 'StopPodSandbox failed', log: d.log, execs: d.execs };
  const rm = removePodSandbox(st.world, id);
  return {
    world: rm.world,
    ok: rm.ok,
    ...(rm.ok ? {} : { error: rm.error ?? 'RemovePodSandbox failed' }),
    log: ['CRI runtime: CNI DEL for every network of the sandbox, then the pause container stops and the namespace is deleted', ...d.log],
    execs: [...d.execs, ...(s?.netns !== undefined ? [{ plugin: 'netns', script: `ip netns del ${s.netns}\n`, output: '', status: 0 }] : [])],
  };
}

/** The kubelet's answer to a dead sandbox: stop it, run a new one, remove the old one. */
export function runtimeRecreateSandbox(world: World, node: string, id: string): RuntimeOp<PodSandbox> {
  const old = criGetSandbox(world, id);
  const r = recreatePodSandbox(world, id);
  const d = describeCalls(node, r.calls);
  if (!r.ok) return { world: r.world, ok: false, error: r.error ?? 'recreate failed', log: d.log, execs: d.execs };
  const s = r.value!;
  return {
    world: r.world,
    ok: true,
    value: s,
    log: [`CRI runtime: stops the old sandbox (CNI DEL), starts a new ${sandboxLine(s)} (CNI ADD), removes the old one`, ...d.log],
    execs: [
      ...(old?.netns !== undefined ? [{ plugin: 'netns', script: `ip netns del ${old.netns}\n`, output: '', status: 0 }] : []),
      { plugin: 'netns', script: `ip netns add ${s.netns}\n`, output: '', status: 0 },
      ...d.execs,
    ],
  };
}

/** A node reboot as the runtime lives it: pods' namespaces and kernel state gone, records and files kept. */
export function runtimeReboot(world: World, node: string, opts: { readonly runtimeStateLost?: boolean } = {}): RuntimeOp {
  const r = criRebootNode(world, node, opts);
  return { world: r.world, ok: r.ok, ...(r.ok ? {} : { error: r.error ?? 'reboot failed' }), log: [], execs: [] };
}

/** The kubelet after a reboot: a new sandbox for every pod of the node. */
export function runtimeRestartPods(world: World, node: string): RuntimeOp<PodSandbox[]> {
  const r = restartPodsAfterReboot(world, node);
  const d = describeCalls(node, r.calls);
  if (!r.ok) return { world: r.world, ok: false, error: r.error ?? 'restart failed', log: d.log, execs: d.execs };
  return {
    world: r.world,
    ok: true,
    value: r.value!,
    log: ['kubelet after the reboot: every sandbox of the node is NOTREADY: stop it (CNI DEL with an empty CNI_NETNS), run a new one, remove the old one', ...d.log],
    execs: [...r.value!.map((s) => ({ plugin: 'netns', script: `ip netns add ${s.netns}\n`, output: '', status: 0 })), ...d.execs],
  };
}

/** ADD, DEL or CHECK of the node's network for a sandbox, straight through libcni. */
export function runtimeCni(world: World, node: string, network: CniNetwork, id: string, command: 'ADD' | 'DEL' | 'CHECK'): RuntimeOp {
  const n = criGetNode(world, node);
  const s = criGetSandbox(world, id);
  if (!n || !s) return { world, ok: false, error: 'no such node or sandbox', log: [], execs: [] };
  const path = confPath(world, node, network)!;
  let list;
  try {
    list = confListFromBytes(world.files[path] ?? '');
  } catch (e) {
    if (e instanceof LibcniError) return { world, ok: false, error: e.message, log: [], execs: [] };
    throw e;
  }
  const rt = { ns: n.ns, path: n.binDirs, cacheDir: n.cacheDir, root: n.root, env: {} };
  const rc = {
    containerID: s.id,
    netNS: s.netns !== undefined && world.ns[s.netns] !== undefined ? s.netnsPath : '',
    ifName: CNI_IFNAME,
    // The CNI_ARGS containerd passes (toCNILabels).
    args: [
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAMESPACE', s.namespace],
      ['K8S_POD_NAME', s.name],
      ['K8S_POD_INFRA_CONTAINER_ID', s.id],
      ['K8S_POD_UID', s.uid],
    ] as [string, string][],
  };
  const o: RuntimeOutcome<unknown> = command === 'ADD' ? addNetworkList(world, rt, list, rc) : command === 'DEL' ? delNetworkList(world, rt, list, rc) : checkNetworkList(world, rt, list, rc);
  const d = describeCalls(node, [{ op: command === 'CHECK' ? 'ADD' : command, network: list.name, ifName: CNI_IFNAME, containerID: s.id, netns: rc.netNS, ok: o.ok, ...(o.error !== undefined ? { error: o.error } : {}), invocations: o.invocations }]);
  const log = d.log.map((l) => (command === 'CHECK' ? l.replace('AddNetworkList', 'CheckNetworkList').replace(': ADD ', ': CHECK ') : l));
  return { world: o.world, ok: o.ok, ...(o.ok ? {} : { error: o.error ?? `${command} failed` }), log, execs: d.execs };
}
