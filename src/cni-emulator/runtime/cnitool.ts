/**
 * `cnitool` in the twin shell: the CNI project's test tool
 * (github.com/containernetworking/cni, cnitool/cnitool.go at v1.2.3; Debian
 * does not ship it), driving libcni over the conflists of a directory:
 *
 *   cnitool add|check|del|gc|status NETWORK NETNS
 *
 * Environment: NETCONFPATH (default /etc/cni/net.d), CNI_PATH, CNI_IFNAME
 * (default eth0 when unset), CNI_ARGS (K=V;K=V), CAP_ARGS (JSON object of
 * capability arguments). The container id is "cnitool-" + the first 10 bytes
 * of sha512(netns path) in hex. `add` prints the result as libcni marshals it
 * (sorted keys, no empty dns; no trailing newline); any error is printed on
 * stderr with a newline, exit status 1. An unknown subcommand does nothing
 * (exit 0), as the real switch has no default case.
 */
import { sha512Hex } from '../../model/hash.js';
import { Unsupported, type CmdContext, type CmdResult, type OutChunk } from '../../shell/types.js';
import { cleanPath } from '../fs.js';
import { strconvQuote } from '../skel.js';
import { loadConfList, LibcniError, type NetworkConfigList } from './conf.js';
import { anyToGo, unmarshalMap } from './gointerface.js';
import { addNetworkList, checkNetworkList, delNetworkList, gcNetworkList, getStatusNetworkList, type CniRuntime, type RuntimeConf, type RuntimeOutcome } from './libcni.js';
import { printLibcniResult } from './result.js';
import type { GoJson } from '../gojson.js';

const DEFAULT_NET_DIR = '/etc/cni/net.d';

function usage(exe: string): string {
  return (
    `${exe}: Add, check, remove, gc or status network interfaces from a network namespace\n` +
    `  ${exe} add    <net> <netns>\n` +
    `  ${exe} check  <net> <netns>\n` +
    `  ${exe} del    <net> <netns>\n` +
    `  ${exe} gc     <net> <netns>\n` +
    `  ${exe} status <net> <netns>\n`
  );
}

/** parseArgs: K=V pairs split on ';', each with exactly one '=' and both sides non-empty. */
export function parseCniArgs(args: string): [string, string][] | string {
  const out: [string, string][] = [];
  for (const pair of args.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2 || kv[0] === '' || kv[1] === '') return `invalid CNI_ARGS pair ${strconvQuote(pair)}`;
    out.push([kv[0]!, kv[1]!]);
  }
  return out;
}

/** The container id cnitool derives from the (absolute) netns path. */
export function cnitoolContainerID(netns: string): string {
  return 'cnitool-' + sha512Hex(netns).slice(0, 20);
}

export function cnitoolCommand(ctx: CmdContext): CmdResult {
  const argv = ctx.argv;
  const exe = argv[0]!.slice(argv[0]!.lastIndexOf('/') + 1);
  const fail = (msg: string, world = ctx.world, out: OutChunk[] = []): CmdResult => ({ world, out: [...out, { fd: 2, text: msg + '\n' }], status: 1 });
  if (argv.length < 4) return { world: ctx.world, out: [{ fd: 2, text: usage(exe) }], status: 1 };
  const env = ctx.env;
  const netdir = env['NETCONFPATH'] || DEFAULT_NET_DIR;
  let list: NetworkConfigList;
  try {
    list = loadConfList(ctx.world, netdir, argv[2]!);
  } catch (e) {
    if (e instanceof LibcniError) return fail(e.message);
    throw e;
  }
  let capabilityArgs: Record<string, GoJson> | undefined;
  const capText = env['CAP_ARGS'] ?? '';
  if (capText.length > 0) {
    const m = unmarshalMap(capText);
    if (!m.ok) return fail(m.error);
    capabilityArgs = Object.fromEntries(Object.entries(m.value).map(([k, v]) => [k, anyToGo(v)]));
  }
  let cniArgs: [string, string][] | undefined;
  const argsText = env['CNI_ARGS'] ?? '';
  if (argsText.length > 0) {
    const p = parseCniArgs(argsText);
    if (typeof p === 'string') return fail(p);
    cniArgs = p;
  }
  const ifName = 'CNI_IFNAME' in env ? env['CNI_IFNAME']! : 'eth0';
  // filepath.Abs: relative paths are joined to the working directory, which the twin does not model.
  if (!argv[3]!.startsWith('/')) throw new Unsupported(`cnitool with a relative netns path (${argv[3]})`);
  const netns = cleanPath(argv[3]!);
  const containerID = cnitoolContainerID(netns);
  const cniPath = env['CNI_PATH'] ?? '';
  const rt: CniRuntime = {
    ns: ctx.ns,
    path: cniPath === '' ? [] : cniPath.split(':'),
    env,
    exec: ctx.exec,
  };
  const rc: RuntimeConf = {
    containerID,
    netNS: netns,
    ifName,
    ...(cniArgs ? { args: cniArgs } : {}),
    ...(capabilityArgs ? { capabilityArgs } : {}),
  };
  const finish = (o: RuntimeOutcome<unknown>, stdout = ''): CmdResult => {
    const out: OutChunk[] = [];
    if (o.stderr) out.push({ fd: 2, text: o.stderr });
    if (stdout) out.push({ fd: 1, text: stdout });
    if (!o.ok) return fail(o.error ?? '', o.world, out);
    return { world: o.world, out, status: 0 };
  };
  switch (argv[1]) {
    case 'add': {
      const o = addNetworkList(ctx.world, rt, list, rc);
      return finish(o, o.ok && o.value ? printLibcniResult(o.value) : '');
    }
    case 'check':
      return finish(checkNetworkList(ctx.world, rt, list, rc));
    case 'del':
      return finish(delNetworkList(ctx.world, rt, list, rc));
    case 'gc':
      // "Currently just invoke GC without args, hence all network interface should be GC'ed!"
      return finish(gcNetworkList(ctx.world, rt, list));
    case 'status':
      return finish(getStatusNetworkList(ctx.world, rt, list));
    default:
      return { world: ctx.world, out: [], status: 0 };
  }
}
