/**
 * The runtime's CNI library: libcni (github.com/containernetworking/cni,
 * libcni/api.go at v1.2.3, the library containerd 2.0 and CRI-O use),
 * acting on the twin. Pure functions over a World: each returns the new world
 * (side effects of the plugins stay even when the call fails, as on a real
 * node), the value or the error text, what the plugins wrote on stderr, and
 * the log of plugin invocations.
 *
 *  - AddNetworkList: plugins in order, each getting the previous result as
 *    prevResult (the first none), then the result cache is written. A failure
 *    stops the chain; libcni does not clean up (the caller runs DEL).
 *  - DelNetworkList: plugins in reverse order, each with the cached result
 *    (config version >= 0.4.0); an unreadable cache is removed and DEL goes on
 *    without prevResult; the cache is removed after the chain.
 *  - CheckNetworkList: refused below 0.4.0, skipped with disableCheck.
 *  - GCNetworkList / GetStatusNetworkList (spec 1.1.0).
 *  - ValidateNetworkList / GetVersionInfo (CNI_COMMAND=VERSION).
 *
 * Plugin processes get the runtime's environment plus CNI_COMMAND,
 * CNI_CONTAINERID, CNI_NETNS, CNI_ARGS, CNI_IFNAME, CNI_PATH (invoke.Args.AsEnv)
 * and run in the runtime's namespace.
 */
import type { NsName, World } from '../../model/world.js';
import { base64Decode, base64Encode, utf8Bytes, utf8Decode } from '../../model/bytes.js';
import { GoMap, goParse, GoJsonSyntaxError, type GoJson, type RawJson } from '../gojson.js';
import { findInPath } from '../invoke.js';
import { execArgv } from '../../shell/interp.js';
import { decodeVersion, strconvQuote as goQuoteQ, runPlugin, validateContainerID, validateInterfaceName, validateNetworkName, type PluginCtx } from '../skel.js';
import { joinPath, withFile, withoutFile } from '../fs.js';
import { PluginError, versionGte, type Result } from '../types.js';
import { byteOrder, injectConf, LibcniError, type NetworkConfig, type NetworkConfigList } from './conf.js';
import { anyToGo, marshalCompact, roundTrip, unmarshalAny, unmarshalMap, type GoAny } from './gointerface.js';
import { libcniConvert, libcniCreateResult, libcniResultJson } from './result.js';

/** How the runtime is set up on its node (libcni.CNIConfig plus the process it runs in). */
export interface CniRuntime {
  /** The namespace the runtime and its plugins run in (the node's). */
  readonly ns: NsName;
  /** Plugin directories (CNIConfig.Path), searched in order. */
  readonly path: readonly string[];
  /** libcni's cache directory (default /var/lib/cni): results/ lives there. */
  readonly cacheDir?: string;
  /** The runtime process's environment, inherited by the plugins. */
  readonly env?: Readonly<Record<string, string>>;
  /** The node's filesystem root in world.files ('' = the twin machine's). */
  readonly root?: string;
  /** How plugins run commands (iptables); defaults to the twin shell. */
  readonly exec?: PluginCtx['exec'];
}

/** libcni.RuntimeConf */
export interface RuntimeConf {
  readonly containerID: string;
  /** The netns path passed as CNI_NETNS ('' when the namespace is gone). */
  readonly netNS: string;
  readonly ifName: string;
  /** CNI_ARGS pairs, in order. */
  readonly args?: readonly (readonly [string, string])[];
  /**
   * Capability arguments, by capability name; a plugin gets those its
   * config's "capabilities" enable, under "runtimeConfig". Values are Go
   * values for the encoder (plain objects keep their key order, like Go
   * structs; GoMap sorts, like Go maps).
   */
  readonly capabilityArgs?: Readonly<Record<string, GoJson>>;
}

/** types.GCAttachment */
export interface GCAttachment {
  readonly containerID: string;
  readonly ifName: string;
}

/** One plugin execution, for traces and tests. */
export interface PluginInvocation {
  readonly plugin: string;
  readonly command: string;
  readonly containerID: string;
  readonly netns: string;
  readonly ifName: string;
  readonly cniArgs: string;
  readonly stdin: string;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The error a plugin printed (types.Error). */
export interface PluginErrorInfo {
  readonly code: number;
  readonly msg: string;
  readonly details?: string;
}

export interface RuntimeOutcome<T> {
  readonly world: World;
  readonly ok: boolean;
  /** The value on success. */
  readonly value?: T;
  /** err.Error() on failure, as the runtime would log or cnitool print it. */
  readonly error?: string;
  /** The failing plugin's own error, when a plugin failed. */
  readonly pluginError?: PluginErrorInfo;
  /** What the plugins wrote on stderr (copied by invoke.RawExec on success). */
  readonly stderr: string;
  readonly invocations: readonly PluginInvocation[];
}

/** A plugin's failure as invoke.RawExec reports it (a *types.Error). */
export class PluginFailure extends LibcniError {
  constructor(readonly info: PluginErrorInfo) {
    super(info.details ? `${info.msg}; ${info.details}` : info.msg);
  }
}

/** An error wrapping another (fmt.Errorf with %w). */
class Wrapped extends LibcniError {
  constructor(
    msg: string,
    readonly inner: Error,
  ) {
    super(`${msg}: ${inner.message}`);
  }
}

function innermostPluginError(e: Error): PluginErrorInfo | undefined {
  let cur: Error | undefined = e;
  while (cur) {
    if (cur instanceof PluginFailure) return cur.info;
    cur = cur instanceof Wrapped ? cur.inner : undefined;
  }
  return undefined;
}

export const DEFAULT_CACHE_DIR = '/var/lib/cni';
export const CNI_CACHE_V1 = 'cniCacheV1';

/** How plugins run commands (iptables) unless the runtime says otherwise: the twin shell, with an empty environment. */
const defaultExec: NonNullable<PluginCtx['exec']> = (w, ns, argv) => execArgv(w, ns, argv, { env: {}, stdin: undefined, line: 0, background: false });

/** One runtime call in progress: the world as the plugins leave it, their stderr and invocations. */
class Call {
  stderr = '';
  readonly invocations: PluginInvocation[] = [];
  constructor(
    readonly rt: CniRuntime,
    public world: World,
  ) {}

  file(path: string): string {
    return this.rt.root ? this.rt.root.replace(/\/+$/, '') + path : path;
  }

  cacheDir(): string {
    return this.rt.cacheDir || DEFAULT_CACHE_DIR;
  }

  /** invoke.FindInPath: the plugin's binary, or libcni's error. */
  find(type: string): string {
    try {
      findInPath(type, this.rt.path.join(':'));
    } catch (e) {
      if (e instanceof PluginError) throw new LibcniError(e.message);
      throw e;
    }
    return type;
  }

  /** RawExec.ExecPlugin: run it, its stdout on success, its types.Error on failure. */
  exec(type: string, stdin: string, command: string, rc: RuntimeConf | undefined, argsStr?: string): string {
    const def = findInPath(type, this.rt.path.join(':'));
    const cniArgs = argsStr ?? (rc?.args ?? []).map(([k, v]) => `${k}=${v}`).join(';');
    const env: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, this.rt.env ?? {}, {
      CNI_COMMAND: command,
      CNI_CONTAINERID: rc?.containerID ?? '',
      CNI_NETNS: rc?.netNS ?? '',
      CNI_ARGS: cniArgs,
      CNI_IFNAME: rc?.ifName ?? '',
      CNI_PATH: this.rt.path.join(':'),
    });
    const r = runPlugin(def, this.world, this.rt.ns, env, stdin, this.rt.exec ?? defaultExec, this.rt.root);
    this.world = r.world;
    this.invocations.push({
      plugin: type,
      command,
      containerID: env['CNI_CONTAINERID']!,
      netns: env['CNI_NETNS']!,
      ifName: env['CNI_IFNAME']!,
      cniArgs,
      stdin,
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
    });
    if (r.status !== 0) throw pluginErr(r.stdout, r.stderr, r.status);
    this.stderr += r.stderr;
    return r.stdout;
  }

  /** invoke.ExecPluginWithResult: stdout through fixupResultVersion and create.Create. */
  execWithResult(type: string, stdin: string, command: string, rc: RuntimeConf): Result {
    const out = this.exec(type, stdin, command, rc);
    let confVersion: string;
    try {
      confVersion = decodeVersion(stdin);
    } catch (e) {
      throw new LibcniError((e as Error).message);
    }
    const m = unmarshalMap(out);
    if (!m.ok) throw new LibcniError(`failed to unmarshal raw result: ${m.error}`);
    let version = confVersion;
    let raw: RawJson;
    const v = m.value['cniVersion'];
    if (typeof v === 'string' && v !== '') {
      version = v;
      raw = goParse(out);
    } else {
      raw = goParse(marshalCompact(anyToGo({ ...m.value, cniVersion: confVersion })));
    }
    const r = libcniCreateResult(version, raw);
    if (typeof r === 'string') throw new LibcniError(r);
    return r;
  }
}

/** RawExec.pluginErr */
function pluginErr(stdout: string, stderr: string, status: number): PluginFailure {
  if (stdout === '') {
    if (stderr === '') return new PluginFailure({ code: 0, msg: `netplugin failed with no error message: exit status ${status}` });
    return new PluginFailure({ code: 0, msg: `netplugin failed: ${goQuoteQ(stderr)}` });
  }
  const m = unmarshalMap(stdout);
  const get = (k: string): GoAny | undefined => (m.ok ? m.value[k] : undefined);
  if (!m.ok || (get('code') !== undefined && typeof get('code') !== 'number') || (get('msg') !== undefined && typeof get('msg') !== 'string')) {
    const err = m.ok ? 'json: cannot unmarshal into Go value of type types.Error' : m.error;
    return new PluginFailure({ code: 0, msg: `netplugin failed but error parsing its diagnostic message ${goQuoteQ(stdout)}: ${err}` });
  }
  const details = get('details');
  return new PluginFailure({
    code: (get('code') as number | undefined) ?? 0,
    msg: (get('msg') as string | undefined) ?? '',
    ...(typeof details === 'string' && details !== '' ? { details } : {}),
  });
}

/** pluginDescription: type="bridge" name="x" (the plugin entry's own name, if it has one). */
function pluginDescription(net: NetworkConfig): string {
  let out = `type=${goQuoteQ(net.network.type)}`;
  if (net.network.name !== '') out += ` name=${goQuoteQ(net.network.name)}`;
  return out;
}

/** buildOneConfig + injectRuntimeConfig */
function buildOneConfig(name: string, cniVersion: string, orig: NetworkConfig, prevResult: Result | undefined, rc: RuntimeConf | undefined): NetworkConfig {
  const inject: Record<string, GoJson> = { name, cniVersion };
  if (prevResult) inject['prevResult'] = libcniResultJson(prevResult);
  let conf = injectConf(orig, inject);
  if (rc) {
    const runtimeConfig: Record<string, GoJson> = {};
    for (const [cap, supported] of Object.entries(conf.network.capabilities ?? {})) {
      if (!supported) continue;
      const data = rc.capabilityArgs?.[cap];
      if (data !== undefined) runtimeConfig[cap] = data;
    }
    if (Object.keys(runtimeConfig).length > 0) conf = injectConf(conf, { runtimeConfig: new GoMap(runtimeConfig) });
  }
  return conf;
}

function cacheFilePath(call: Call, netName: string, rc: RuntimeConf): string {
  if (netName === '' || rc.containerID === '' || rc.ifName === '') {
    throw new LibcniError(
      `cache file path requires network name (${goQuoteQ(netName)}), container ID (${goQuoteQ(rc.containerID)}), and interface name (${goQuoteQ(rc.ifName)})`,
    );
  }
  return joinPath(call.cacheDir(), 'results', `${netName}-${rc.containerID}-${rc.ifName}`);
}

/**
 * The cache file's bytes: json.Marshal(&cachedInfo{...}) with the struct's
 * field order (kind, containerId, config as base64, ifName, networkName,
 * netns, cniArgs, capabilityArgs, result), omitempty on the last four, no
 * trailing newline (os.WriteFile). See cacheAdd in libcni/api.go.
 */
export function cacheFileBytes(result: Result, config: string, netName: string, rc: RuntimeConf): string {
  const args = rc.args ?? [];
  const caps = rc.capabilityArgs ?? {};
  return marshalCompact({
    kind: CNI_CACHE_V1,
    containerId: rc.containerID,
    config: base64Encode(utf8Bytes(config)),
    ifName: rc.ifName,
    networkName: netName,
    netns: rc.netNS === '' ? undefined : rc.netNS,
    cniArgs: args.length === 0 ? undefined : args.map(([k, v]) => [k, v]),
    capabilityArgs: Object.keys(caps).length === 0 ? undefined : new GoMap(caps),
    result: anyToGo(roundTrip(libcniResultJson(result))),
  });
}

function cacheAdd(call: Call, result: Result, config: string, netName: string, rc: RuntimeConf): void {
  const bytes = cacheFileBytes(result, config, netName, rc);
  call.world = withFile(call.world, call.file(cacheFilePath(call, netName, rc)), bytes);
}

function cacheDel(call: Call, netName: string, rc: RuntimeConf): void {
  let f: string;
  try {
    f = cacheFilePath(call, netName, rc);
  } catch {
    return;
  }
  if (call.world.files[call.file(f)] !== undefined) call.world = withoutFile(call.world, call.file(f));
}

/** The cachedInfo struct decoded (json.Unmarshal into it); undefined fields are absent. */
interface CachedInfo {
  kind: string;
  containerId: string;
  config: string;
  ifName: string;
  networkName: string;
  netns: string;
  cniArgs?: [string, string][];
  capabilityArgs?: Record<string, GoAny>;
  result?: Record<string, GoAny>;
}

/** json.Unmarshal(bytes, &cachedInfo): the struct or an error text (the common type errors). */
function decodeCachedInfo(bytes: string): CachedInfo | string {
  const p = unmarshalAny(bytes);
  if (!p.ok) return p.error;
  const v = p.value;
  if (v === null) return { kind: '', containerId: '', config: '', ifName: '', networkName: '', netns: '' };
  if (typeof v !== 'object' || Array.isArray(v)) return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool'} into Go value of type libcni.cachedInfo`;
  const o = v as Record<string, GoAny>;
  // encoding/json matches keys case-insensitively; the cache libcni writes uses the exact ones.
  const str = (k: string): string | { err: string } => {
    const x = o[k];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') return { err: `json: cannot unmarshal ${typeof x === 'number' ? 'number' : typeof x === 'boolean' ? 'bool' : Array.isArray(x) ? 'array' : 'object'} into Go struct field cachedInfo.${k} of type string` };
    return x;
  };
  const out: CachedInfo = { kind: '', containerId: '', config: '', ifName: '', networkName: '', netns: '' };
  for (const k of ['kind', 'containerId', 'ifName', 'networkName', 'netns'] as const) {
    const s = str(k);
    if (typeof s !== 'string') return s.err;
    out[k] = s;
  }
  const cfg = str('config');
  if (typeof cfg !== 'string') return cfg.err.replace('of type string', 'of type []uint8');
  if (cfg !== '' && !/^[A-Za-z0-9+/]*={0,2}$/.test(cfg)) return 'illegal base64 data at input byte 0';
  out.config = utf8Decode(base64Decode(cfg));
  const args = o['cniArgs'];
  if (Array.isArray(args)) {
    out.cniArgs = (args as GoAny[]).map((p) => {
      const a = Array.isArray(p) ? (p as GoAny[]) : [];
      return [typeof a[0] === 'string' ? a[0] : '', typeof a[1] === 'string' ? a[1] : ''];
    });
  }
  const caps = o['capabilityArgs'];
  if (caps && typeof caps === 'object' && !Array.isArray(caps)) out.capabilityArgs = caps as Record<string, GoAny>;
  const res = o['result'];
  if (res && typeof res === 'object' && !Array.isArray(res)) out.result = res as Record<string, GoAny>;
  return out;
}

/** create.CreateFromBytes */
function createFromBytes(bytes: string): Result {
  let version: string;
  try {
    version = decodeVersion(bytes);
  } catch (e) {
    throw new LibcniError((e as Error).message);
  }
  let raw: RawJson;
  try {
    raw = goParse(bytes);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) throw new LibcniError(e.message);
    throw e;
  }
  const r = libcniCreateResult(version, raw);
  if (typeof r === 'string') throw new LibcniError(r);
  return r;
}

/** getCachedResult: undefined when there is no cache file; the cache's result converted to the config version. */
function getCachedResult(call: Call, netName: string, cniVersion: string, rc: RuntimeConf): Result | undefined {
  const fname = cacheFilePath(call, netName, rc);
  const fdata = call.world.files[call.file(fname)];
  if (fdata === undefined) return undefined;
  const info = decodeCachedInfo(fdata);
  let result: Result;
  if (typeof info === 'string' || info.kind !== CNI_CACHE_V1) {
    // getLegacyCachedResult: the whole file as a result.
    result = createFromBytes(fdata);
  } else {
    result = createFromBytes(info.result === undefined ? 'null' : marshalCompact(anyToGo(info.result)));
  }
  const c = libcniConvert(result, cniVersion);
  if (typeof c === 'string') throw new LibcniError(`failed to convert cached result to config version ${goQuoteQ(cniVersion)}: ${c}`);
  return c;
}

function outcome<T>(call: Call, f: () => T): RuntimeOutcome<T> {
  try {
    const value = f();
    return { world: call.world, ok: true, value, stderr: call.stderr, invocations: call.invocations };
  } catch (e) {
    if (!(e instanceof LibcniError)) throw e;
    const pe = innermostPluginError(e);
    return {
      world: call.world,
      ok: false,
      error: e.message,
      ...(pe ? { pluginError: pe } : {}),
      stderr: call.stderr,
      invocations: call.invocations,
    };
  }
}

function addNetworkOne(call: Call, name: string, cniVersion: string, net: NetworkConfig, prev: Result | undefined, rc: RuntimeConf): Result {
  call.find(net.network.type);
  const v = validateContainerID(rc.containerID) ?? validateNetworkName(name) ?? validateInterfaceName(rc.ifName);
  if (v) throw new PluginFailure({ code: v.code, msg: v.msg, ...(v.details ? { details: v.details } : {}) });
  const conf = buildOneConfig(name, cniVersion, net, prev, rc);
  return call.execWithResult(net.network.type, conf.bytes, 'ADD', rc);
}

/** AddNetworkList: the final result (the last plugin's), cached. */
export function addNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList, rc: RuntimeConf): RuntimeOutcome<Result> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    let result: Result | undefined;
    for (const net of list.plugins) {
      try {
        result = addNetworkOne(call, list.name, list.cniVersion, net, result, rc);
      } catch (e) {
        if (e instanceof LibcniError) throw new Wrapped(`plugin ${pluginDescription(net)} failed (add)`, e);
        throw e;
      }
    }
    try {
      cacheAdd(call, result!, list.bytes, list.name, rc);
    } catch (e) {
      if (e instanceof LibcniError) throw new Wrapped(`failed to set network ${goQuoteQ(list.name)} cached result`, e);
      throw e;
    }
    return result!;
  });
}

function versionAtLeast(v: string, min: string): boolean {
  const g = versionGte(v, min);
  if (typeof g === 'string') throw new LibcniError(g);
  return g;
}

/** AddNetwork: one plugin config (no list), result cached under its network name. */
export function addNetwork(world: World, rt: CniRuntime, net: NetworkConfig, rc: RuntimeConf): RuntimeOutcome<Result> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    const result = addNetworkOne(call, net.network.name, net.network.cniVersion, net, undefined, rc);
    try {
      cacheAdd(call, result, net.bytes, net.network.name, rc);
    } catch (e) {
      if (e instanceof LibcniError) throw new Wrapped(`failed to set network ${goQuoteQ(net.network.name)} cached result`, e);
      throw e;
    }
    return result;
  });
}

/** DelNetwork: one plugin config; the cached result is required to be readable (>= 0.4.0). */
export function delNetwork(world: World, rt: CniRuntime, net: NetworkConfig, rc: RuntimeConf): RuntimeOutcome<void> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    let cached: Result | undefined;
    if (versionAtLeast(net.network.cniVersion, '0.4.0')) {
      try {
        cached = getCachedResult(call, net.network.name, net.network.cniVersion, rc);
      } catch (e) {
        if (e instanceof LibcniError) throw new Wrapped(`failed to get network ${goQuoteQ(net.network.name)} cached result`, e);
        throw e;
      }
    }
    call.find(net.network.type);
    const conf = buildOneConfig(net.network.name, net.network.cniVersion, net, cached, rc);
    call.exec(net.network.type, conf.bytes, 'DEL', rc);
    cacheDel(call, net.network.name, rc);
  });
}

/** DelNetworkList */
export function delNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList, rc: RuntimeConf): RuntimeOutcome<void> {
  const call = new Call(rt, world);
  return outcome(call, () => delList(call, list, rc));
}

function delList(call: Call, list: NetworkConfigList, rc: RuntimeConf): void {
  let cached: Result | undefined;
  if (versionAtLeast(list.cniVersion, '0.4.0')) {
    try {
      cached = getCachedResult(call, list.name, list.cniVersion, rc);
    } catch (e) {
      if (!(e instanceof LibcniError)) throw e;
      // A cache that cannot be read is removed; DEL goes on without prevResult.
      cacheDel(call, list.name, rc);
      cached = undefined;
    }
  }
  for (let i = list.plugins.length - 1; i >= 0; i--) {
    const net = list.plugins[i]!;
    try {
      call.find(net.network.type);
      const conf = buildOneConfig(list.name, list.cniVersion, net, cached, rc);
      call.exec(net.network.type, conf.bytes, 'DEL', rc);
    } catch (e) {
      if (e instanceof LibcniError) throw new Wrapped(`plugin ${pluginDescription(net)} failed (delete)`, e);
      throw e;
    }
  }
  cacheDel(call, list.name, rc);
}

/** CheckNetworkList */
export function checkNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList, rc: RuntimeConf): RuntimeOutcome<void> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    if (!versionAtLeast(list.cniVersion, '0.4.0')) {
      throw new LibcniError(`configuration version ${goQuoteQ(list.cniVersion)} does not support the CHECK command`);
    }
    if (list.disableCheck) return;
    let cached: Result | undefined;
    try {
      cached = getCachedResult(call, list.name, list.cniVersion, rc);
    } catch (e) {
      if (e instanceof LibcniError) throw new Wrapped(`failed to get network ${goQuoteQ(list.name)} cached result`, e);
      throw e;
    }
    for (const net of list.plugins) {
      call.find(net.network.type);
      const conf = buildOneConfig(list.name, list.cniVersion, net, cached, rc);
      call.exec(net.network.type, conf.bytes, 'CHECK', rc);
    }
  });
}

/** libcni.NetworkAttachment (from the cache). */
export interface NetworkAttachment {
  readonly containerID: string;
  readonly network: string;
  readonly ifName: string;
  readonly config: string;
  readonly netNS: string;
  readonly cniArgs?: readonly (readonly [string, string])[];
  readonly capabilityArgs?: Readonly<Record<string, GoAny>>;
  /** The cache file (a world.files key, with the node's root). */
  readonly file: string;
}

/** GetCachedAttachments(containerID): every valid cache entry (files sorted by name), optionally for one container. */
export function getCachedAttachments(world: World, rt: CniRuntime, containerID = ''): NetworkAttachment[] {
  const call = new Call(rt, world);
  const dir = call.file(joinPath(call.cacheDir(), 'results')) + '/';
  const names = Object.keys(world.files)
    .filter((k) => k.startsWith(dir) && !k.slice(dir.length).includes('/') && k.length > dir.length)
    .map((k) => k.slice(dir.length))
    .sort(byteOrder);
  const out: NetworkAttachment[] = [];
  for (const fname of names) {
    if (containerID !== '') {
      const part = `-${containerID}-`;
      const pos = fname.indexOf(part);
      if (pos <= 0 || pos + part.length >= fname.length) continue;
    }
    const info = decodeCachedInfo(world.files[dir + fname]!);
    if (typeof info === 'string' || info.kind !== CNI_CACHE_V1) continue;
    if (containerID !== '' && info.containerId !== containerID) continue;
    if (info.ifName === '' || info.networkName === '') continue;
    out.push({
      containerID: info.containerId,
      network: info.networkName,
      ifName: info.ifName,
      config: info.config,
      netNS: info.netns,
      ...(info.cniArgs ? { cniArgs: info.cniArgs } : {}),
      ...(info.capabilityArgs ? { capabilityArgs: info.capabilityArgs } : {}),
      file: dir + fname,
    });
  }
  return out;
}

/** GetNetworkListCachedResult */
export function getNetworkListCachedResult(world: World, rt: CniRuntime, list: NetworkConfigList, rc: RuntimeConf): RuntimeOutcome<Result | undefined> {
  const call = new Call(rt, world);
  return outcome(call, () => getCachedResult(call, list.name, list.cniVersion, rc));
}

/**
 * GCNetworkList: DEL every cached attachment of this network that is not in
 * validAttachments (all of them when args is undefined, as `cnitool gc`
 * does), then, for config version >= 1.1.0, GC to every plugin with
 * "cni.dev/valid-attachments" and "cni.dev/attachments". Errors are joined
 * with newlines (errors.Join).
 */
export function gcNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList, args?: { readonly validAttachments: readonly GCAttachment[] }): RuntimeOutcome<void> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    if (list.disableGC) return;
    const valid = args ? new Set(args.validAttachments.map((a) => `${a.containerID}\u0000${a.ifName}`)) : undefined;
    const errs: string[] = [];
    for (const a of getCachedAttachments(call.world, rt, '')) {
      if (a.network !== list.name) continue;
      if (valid?.has(`${a.containerID}\u0000${a.ifName}`)) continue;
      const rc: RuntimeConf = {
        containerID: a.containerID,
        netNS: a.netNS,
        ifName: a.ifName,
        ...(a.cniArgs ? { args: a.cniArgs } : {}),
        ...(a.capabilityArgs ? { capabilityArgs: Object.fromEntries(Object.entries(a.capabilityArgs).map(([k, v]) => [k, anyToGo(v)])) } : {}),
      };
      try {
        delList(call, list, rc);
      } catch (e) {
        if (!(e instanceof LibcniError)) throw e;
        errs.push(`failed to delete stale attachment ${rc.containerID} ${rc.ifName}: ${e.message}`);
      }
    }
    const gte = versionGte(list.cniVersion, '1.1.0');
    if (gte === true) {
      const inject: Record<string, GoJson> = { name: list.name, cniVersion: list.cniVersion };
      if (args) {
        // types.GCAttachment {containerID, ifname}; libcni sends both keys (#1101).
        const atts = args.validAttachments.map((a) => ({ containerID: a.containerID, ifname: a.ifName }));
        inject['cni.dev/valid-attachments'] = atts;
        inject['cni.dev/attachments'] = atts;
      }
      for (const plugin of list.plugins) {
        try {
          const conf = injectConf(plugin, inject);
          call.find(conf.network.type);
          call.exec(conf.network.type, conf.bytes, 'GC', undefined);
        } catch (e) {
          if (!(e instanceof LibcniError)) throw e;
          errs.push(`failed to GC plugin ${plugin.network.type}: ${e.message}`);
        }
      }
    }
    if (errs.length > 0) throw new LibcniError(errs.join('\n'));
  });
}

/** GetStatusNetworkList: STATUS to each plugin (config version >= 1.1.0, else nothing); the first error is returned as is. */
export function getStatusNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList): RuntimeOutcome<void> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    if (versionGte(list.cniVersion, '1.1.0') !== true) return;
    for (const plugin of list.plugins) {
      let conf: NetworkConfig;
      try {
        conf = injectConf(plugin, { name: list.name, cniVersion: list.cniVersion });
      } catch (e) {
        if (e instanceof LibcniError) throw new Wrapped(`failed to generate configuration to get plugin STATUS ${plugin.network.type}`, e);
        throw e;
      }
      call.find(conf.network.type);
      call.exec(conf.network.type, conf.bytes, 'STATUS', undefined);
    }
  });
}

/** invoke.GetVersionInfo: CNI_COMMAND=VERSION with {"cniVersion":"1.1.0"} on stdin. */
function versionInfo(call: Call, type: string): string[] {
  call.find(type);
  const out = call.exec(type, '{"cniVersion":"1.1.0"}', 'VERSION', { containerID: '', netNS: 'dummy', ifName: 'dummy' });
  const parsed = JSON.parse(out) as { cniVersion?: string; supportedVersions?: string[] };
  if (!parsed.cniVersion) throw new LibcniError('decoding version info: missing field cniVersion');
  if (!parsed.supportedVersions || parsed.supportedVersions.length === 0) {
    if (parsed.cniVersion === '0.2.0') return ['0.1.0', '0.2.0'];
    throw new LibcniError('decoding version info: missing field supportedVersions');
  }
  return parsed.supportedVersions;
}

/** GetVersionInfo(pluginType): the versions the plugin says it supports. */
export function getVersionInfo(world: World, rt: CniRuntime, pluginType: string): RuntimeOutcome<string[]> {
  const call = new Call(rt, world);
  return outcome(call, () => versionInfo(call, pluginType));
}

/**
 * ValidateNetworkList: every plugin exists and supports the list's version;
 * the capabilities the list enables (sorted here; Go returns map order).
 */
export function validateNetworkList(world: World, rt: CniRuntime, list: NetworkConfigList): RuntimeOutcome<string[]> {
  const call = new Call(rt, world);
  return outcome(call, () => {
    const caps = new Set<string>();
    const errs: string[] = [];
    const expected = list.cniVersion === '' ? '0.1.0' : list.cniVersion;
    for (const net of list.plugins) {
      try {
        const vs = versionInfo(call, net.network.type);
        if (!vs.includes(expected)) throw new LibcniError(`plugin ${net.network.type} does not support config version ${goQuoteQ(expected)}`);
      } catch (e) {
        if (!(e instanceof LibcniError)) throw e;
        errs.push(e.message);
      }
      for (const [c, on] of Object.entries(net.network.capabilities ?? {})) if (on) caps.add(c);
    }
    if (errs.length > 0) throw new LibcniError(`[${errs.join(' ')}]`);
    return [...caps].sort();
  });
}

/** The CNI_ARGS string libcni passes for these pairs. */
export const cniArgsString = (args: readonly (readonly [string, string])[] | undefined): string => (args ?? []).map(([k, v]) => `${k}=${v}`).join(';');
