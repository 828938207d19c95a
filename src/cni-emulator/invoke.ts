/**
 * Delegation to another plugin (libcni pkg/invoke): how the bridge and ptp
 * plugins run their IPAM plugin. FindInPath over CNI_PATH, the child's
 * environment (ours with CNI_COMMAND replaced), its stdout parsed as a result
 * (fixupResultVersion + create.Create) or, on failure, as the types.Error it
 * printed, which is passed on unchanged (same code and msg).
 */
import { Unsupported } from '../shell/types.js';
import { goParse, type RawJson } from './gojson.js';
import { createResult } from './result-parse.js';
import { PLUGIN_DIRS, pluginTable, REAL_PLUGIN_NAMES } from './registry.js';
import { decodeVersion, runPlugin, type PluginCtx, type PluginDef } from './skel.js';
import { CniError, convertResult, PluginError, type Result100 } from './types.js';
import { joinPath } from './fs.js';

/** invoke.FindInPath: the first CNI_PATH entry holding the plugin, or libcni's error. */
export function findInPath(plugin: string, cniPath: string): PluginDef {
  if (plugin === '') throw new PluginError('no plugin name provided');
  if (plugin.includes('/')) throw new PluginError(`invalid plugin name: ${plugin}`);
  // filepath.SplitList: an empty CNI_PATH is no paths at all.
  const paths = cniPath === '' ? [] : cniPath.split(':');
  if (paths.length === 0) throw new PluginError('no paths provided');
  for (const p of paths) {
    const dir = joinPath(p);
    if (!PLUGIN_DIRS.includes(dir)) continue;
    const def = pluginTable()[plugin];
    if (def) return def;
    if (REAL_PLUGIN_NAMES.includes(plugin)) throw new Unsupported(`CNI plugin ${plugin} (not emulated yet)`);
  }
  throw new PluginError(`failed to find plugin "${plugin}" in path [${paths.join(' ')}]`);
}

/** Run a delegated plugin with our environment but CNI_COMMAND=cmd; returns its stdout or throws its error. */
function execDelegate(ctx: PluginCtx, plugin: string, cmd: string, netconf: string): string {
  const def = findInPath(plugin, ctx.env['CNI_PATH'] ?? '');
  const r = runPlugin(def, ctx.world, ctx.ns, { ...ctx.env, CNI_COMMAND: cmd }, netconf, ctx.exec, ctx.root);
  ctx.world = r.world;
  // RawExec copies the child's stderr to ours on success only.
  if (r.status !== 0) {
    // pluginErr: the child's stdout decoded as a types.Error.
    if (r.stdout === '') {
      throw new CniError(0, r.stderr === '' ? 'netplugin failed with no error message: exit status 1' : `netplugin failed: ${JSON.stringify(r.stderr)}`);
    }
    const e = JSON.parse(r.stdout) as { code?: number; msg?: string; details?: string };
    throw new CniError(e.code ?? 0, e.msg ?? '', e.details ?? '');
  }
  ctx.stderr += r.stderr;
  return r.stdout;
}

/** invoke.DelegateAdd + current.NewResultFromResult: the IPAM result as a 1.0.0 result. */
export function delegateAdd(ctx: PluginCtx, plugin: string, netconf: string): Result100 {
  const out = execDelegate(ctx, plugin, 'ADD', netconf);
  // fixupResultVersion: the result's own cniVersion, else the config's.
  const confVersion = decodeVersion(netconf);
  let raw: RawJson;
  try {
    raw = goParse(out);
  } catch (e) {
    throw new PluginError(`failed to unmarshal raw result: ${(e as Error).message}`);
  }
  let version = confVersion;
  if (raw.t === 'obj') {
    const v = [...raw.entries].reverse().find(([k]) => k === 'cniVersion')?.[1];
    if (v && v.t === 'str' && v.v !== '') version = v.v;
    else raw = { t: 'obj', entries: [...raw.entries.filter(([k]) => k !== 'cniVersion'), ['cniVersion', { t: 'str', v: confVersion }]] };
  }
  const r = createResult(version, raw);
  if (typeof r === 'string') throw new PluginError(r);
  const cur = convertResult(r, '1.0.0');
  if (typeof cur === 'string') throw new PluginError(cur);
  if (cur.kind !== '100') throw new PluginError('failed to convert result');
  return cur;
}

/** invoke.DelegateDel */
export function delegateDel(ctx: PluginCtx, plugin: string, netconf: string): void {
  execDelegate(ctx, plugin, 'DEL', netconf);
}

/** invoke.DelegateCheck */
export function delegateCheck(ctx: PluginCtx, plugin: string, netconf: string): void {
  execDelegate(ctx, plugin, 'CHECK', netconf);
}
