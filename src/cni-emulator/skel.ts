/**
 * The plugin skeleton (libcni pkg/skel, v1.1.x as vendored by the 1.1.1
 * plugins): environment parsing and validation, config and version checks,
 * dispatch to ADD/CHECK/DEL, VERSION, and the error JSON on stdout with exit
 * status 1.
 *
 * A plugin is a set of functions over a PluginCtx; they update `ctx.world` as
 * they go (a real plugin's side effects stay when it fails half way, e.g. the
 * bridge plugin's container veth when IPAM fails) and throw CniError or
 * PluginError to fail.
 */
import type { NsName, World } from '../model/world.js';
import { utf8Length } from '../model/bytes.js';
import type { CmdContext, CmdResult, OutChunk } from '../shell/types.js';
import { goMarshal, goUnmarshal, type GoStruct } from './gojson.js';
import {
  CniError,
  ErrDecodingFailure,
  ErrIncompatibleCNIVersion,
  ErrInternal,
  ErrInvalidEnvironmentVariables,
  ErrInvalidNetworkConfig,
  ErrUnknownContainer,
  PluginError,
  SUPPORTED_VERSIONS,
  versionGte,
} from './types.js';

/** skel.CmdArgs */
export interface CmdArgs {
  readonly containerID: string;
  readonly netns: string;
  readonly ifName: string;
  readonly args: string;
  readonly path: string;
  readonly stdinData: string;
}

/** What a running plugin sees and changes. */
export interface PluginCtx {
  /** The world, updated by the plugin as it acts (kept even if it then fails). */
  world: World;
  /** The namespace the plugin process runs in (`ip netns exec NODE plugin`). */
  readonly ns: NsName;
  /** The process environment (delegated IPAM plugins inherit it). */
  readonly env: Readonly<Record<string, string>>;
  /** Bytes the plugin printed on stdout (results are appended by the plugin). */
  stdout: string;
  /** Bytes printed on stderr (e.g. a delegated IPAM plugin's stderr, passed through). */
  stderr: string;
  /**
   * Run a twin command in a namespace, as a plugin executes a binary
   * (go-iptables runs iptables). Updates nothing by itself: the caller takes
   * the returned world.
   */
  readonly exec?: (world: World, ns: NsName, argv: readonly string[]) => CmdResult;
  /**
   * Where the plugin's filesystem starts in world.files ('' = the twin
   * machine's own; '/nodes/NAME' for a node of a multi-node world, so that
   * each node has its own /var/lib/cni). See fsPath().
   */
  readonly root?: string;
}

/** The world.files key of a path the plugin opens (its node's filesystem root prepended). */
export const fsPath = (ctx: { readonly root?: string }, path: string): string =>
  ctx.root ? ctx.root.replace(/\/+$/, '') + (path.startsWith('/') ? path : '/' + path) : path;

export type PluginCmd = (args: CmdArgs, ctx: PluginCtx) => void;

export interface PluginDef {
  /** Binary name: bridge, host-local, loopback, ... */
  readonly name: string;
  readonly add: PluginCmd;
  readonly check: PluginCmd;
  readonly del: PluginCmd;
  /** Versions the plugin supports (version.All for every 1.1.1 reference plugin). */
  readonly versions?: readonly string[];
}

/** strconv.Quote (what Go's %q prints for a string). */
export function strconvQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c <= 0xa0) out += `\\u00${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go's %q of a []string: ["a" "b"]. */
export const quoteList = (xs: readonly string[]): string => `[${xs.map(strconvQuote).join(' ')}]`;

// libcni utils: names are [a-zA-Z0-9][a-zA-Z0-9_.\-]*
const CNI_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** utils.ValidateNetworkName */
export function validateNetworkName(name: string): CniError | undefined {
  if (name === '') return new CniError(ErrInvalidNetworkConfig, 'missing network name:');
  if (!CNI_NAME.test(name)) return new CniError(ErrInvalidNetworkConfig, 'invalid characters found in network name', name);
  return undefined;
}

/** utils.ValidateContainerID */
export function validateContainerID(id: string): CniError | undefined {
  if (id === '') return new CniError(ErrUnknownContainer, 'missing containerID');
  if (!CNI_NAME.test(id)) return new CniError(ErrInvalidEnvironmentVariables, 'invalid characters in containerID', id);
  return undefined;
}

/** unicode.IsSpace */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** utils.ValidateInterfaceName (length counted in bytes, as Go's len()). */
export function validateInterfaceName(ifName: string): CniError | undefined {
  const bytes = utf8Length(ifName);
  if (bytes === 0) return new CniError(ErrInvalidEnvironmentVariables, 'interface name is empty');
  if (bytes > 15) return new CniError(ErrInvalidEnvironmentVariables, 'interface name is too long', 'interface name should be less than 16 characters');
  if (ifName === '.' || ifName === '..') return new CniError(ErrInvalidEnvironmentVariables, 'interface name is . or ..');
  for (const ch of ifName) {
    if (ch === '/' || ch === ':' || GO_SPACE.test(ch)) {
      return new CniError(ErrInvalidEnvironmentVariables, 'interface name contains / or : or whitespace characters');
    }
  }
  return undefined;
}

const NAME_ONLY: GoStruct = { k: 'struct', name: '', fields: [{ key: 'name', json: 'name', type: { k: 'string' } }] };
const VERSION_ONLY: GoStruct = { k: 'struct', name: '', fields: [{ key: 'cniVersion', json: 'cniVersion', type: { k: 'string' } }] };

/** create.DecodeVersion: the config's cniVersion, "0.1.0" when absent. */
export function decodeVersion(stdin: string): string {
  const r = goUnmarshal<{ cniVersion: string }>(stdin, VERSION_ONLY);
  if (!r.ok) throw new PluginError(`decoding version from network config: ${r.error}`);
  return r.value.cniVersion === '' ? '0.1.0' : r.value.cniVersion;
}

const ENV_VARS: readonly { name: string; req: readonly string[] }[] = [
  { name: 'CNI_COMMAND', req: ['ADD', 'CHECK', 'DEL'] },
  { name: 'CNI_CONTAINERID', req: ['ADD', 'CHECK', 'DEL'] },
  { name: 'CNI_NETNS', req: ['ADD', 'CHECK'] },
  { name: 'CNI_IFNAME', req: ['ADD', 'CHECK', 'DEL'] },
  { name: 'CNI_ARGS', req: [] },
  { name: 'CNI_PATH', req: ['ADD', 'CHECK', 'DEL'] },
];

/** What running a plugin produced. */
export interface PluginOutcome {
  readonly world: World;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/**
 * skel.PluginMain: run a plugin as its binary would run with this
 * environment and stdin, in namespace `ns`.
 */
export function runPlugin(
  plugin: PluginDef,
  world: World,
  ns: NsName,
  env: Readonly<Record<string, string>>,
  stdin: string | undefined,
  exec?: PluginCtx['exec'],
  root?: string,
): PluginOutcome {
  const versions = plugin.versions ?? SUPPORTED_VERSIONS;
  const ctx: PluginCtx = { world, ns, env, stdout: '', stderr: '', ...(exec ? { exec } : {}), ...(root ? { root } : {}) };
  const get = (k: string): string => env[k] ?? '';
  const cmd = get('CNI_COMMAND');
  const fail = (e: CniError): PluginOutcome => ({ world: ctx.world, stdout: ctx.stdout + e.print(), stderr: ctx.stderr, status: 1 });

  // getCmdArgsFromEnv
  const missing = ENV_VARS.filter((v) => get(v.name) === '' && (v.req.includes(cmd) || v.name === 'CNI_COMMAND')).map((v) => v.name);
  if (missing.length > 0) {
    if (cmd === '') {
      // The "about" string on stderr when no command is set (skel.go).
      return {
        world,
        stdout: '',
        stderr: `CNI ${plugin.name} plugin version unknown\nCNI protocol versions supported: ${versions.join(', ')}\n`,
        status: 0,
      };
    }
    return fail(new CniError(ErrInvalidEnvironmentVariables, `required env variables [${missing.join(',')}] missing`));
  }
  const args: CmdArgs = {
    containerID: get('CNI_CONTAINERID'),
    netns: get('CNI_NETNS'),
    ifName: get('CNI_IFNAME'),
    args: get('CNI_ARGS'),
    path: get('CNI_PATH'),
    stdinData: cmd === 'VERSION' ? '' : (stdin ?? ''),
  };

  if (cmd !== 'VERSION') {
    const conf = goUnmarshal<{ name: string }>(args.stdinData, NAME_ONLY);
    if (!conf.ok) return fail(new CniError(ErrDecodingFailure, `error unmarshall network config: ${conf.error}`));
    if (conf.value.name === '') return fail(new CniError(ErrInvalidNetworkConfig, 'missing network name'));
    const e = validateNetworkName(conf.value.name) ?? validateContainerID(args.containerID) ?? validateInterfaceName(args.ifName);
    if (e) return fail(e);
  }

  const checkVersionAndCall = (fn: PluginCmd): CniError | undefined => {
    let configVersion: string;
    try {
      configVersion = decodeVersion(args.stdinData);
    } catch (e) {
      return new CniError(ErrDecodingFailure, (e as Error).message);
    }
    if (!versions.includes(configVersion)) {
      return new CniError(ErrIncompatibleCNIVersion, 'incompatible CNI versions', `config is ${strconvQuote(configVersion)}, plugin supports ${quoteList(versions)}`);
    }
    try {
      fn(args, ctx);
    } catch (e) {
      if (e instanceof CniError) return e;
      if (e instanceof PluginError) return new CniError(ErrInternal, e.message);
      throw e;
    }
    return undefined;
  };

  let err: CniError | undefined;
  switch (cmd) {
    case 'ADD':
      err = checkVersionAndCall(plugin.add);
      break;
    case 'CHECK': {
      let configVersion: string;
      try {
        configVersion = decodeVersion(args.stdinData);
      } catch (e) {
        return fail(new CniError(ErrDecodingFailure, (e as Error).message));
      }
      const gte = versionGte(configVersion, '0.4.0');
      if (typeof gte === 'string') return fail(new CniError(ErrDecodingFailure, gte));
      if (!gte) return fail(new CniError(ErrIncompatibleCNIVersion, 'config version does not allow CHECK'));
      let found = false;
      for (const pv of versions) {
        const g = versionGte(pv, configVersion);
        if (typeof g === 'string') return fail(new CniError(ErrDecodingFailure, g));
        if (g) {
          found = true;
          err = checkVersionAndCall(plugin.check);
          break;
        }
      }
      if (!found) err = new CniError(ErrIncompatibleCNIVersion, 'plugin version does not allow CHECK');
      break;
    }
    case 'DEL':
      err = checkVersionAndCall(plugin.del);
      break;
    case 'VERSION':
      // json.NewEncoder(w).Encode(pluginInfo): compact, with a newline.
      ctx.stdout += goMarshal({ cniVersion: '1.0.0', supportedVersions: [...versions] }, '') + '\n';
      break;
    default:
      err = new CniError(ErrInvalidEnvironmentVariables, `unknown CNI_COMMAND: ${cmd}`);
  }
  if (err) return fail(err);
  return { world: ctx.world, stdout: ctx.stdout, stderr: ctx.stderr, status: 0 };
}

/** A twin-shell command running `plugin` (registered as /usr/lib/cni/NAME and /opt/cni/bin/NAME). */
export function pluginCommand(plugin: PluginDef): (ctx: CmdContext) => CmdResult {
  return (ctx) => {
    // The plugins ignore their command-line arguments (skel reads only env and stdin).
    const r = runPlugin(plugin, ctx.world, ctx.ns, ctx.env, ctx.stdin, ctx.exec);
    const out: OutChunk[] = [];
    if (r.stderr) out.push({ fd: 2, text: r.stderr });
    if (r.stdout) out.push({ fd: 1, text: r.stdout });
    return { world: r.world, out, status: r.status };
  };
}
