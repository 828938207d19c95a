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
    if (scriptPlugin) {
      // A plugin that is a shell script: its lines run on the node with the CNI environment.
      const extra: Record<string, string> = { CNI_NETNS_NAME: call.netns };
      for (const [k, v] of call.args) extra[`ARG_${k}`] = v;
      script = `# ${CNI_PATH}/${type} is a script; it runs on ${call.node} with\n# ${envText}\n${lines.replace(/\n?$/, '\n')}`;
      const r = runScript(lines, { world: w, ns: call.node, env: { ...env, ...extra } });
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
    execs.push({ plugin: type, script, output, status });
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
