/**
 * `podnet cni`: point podnet at a directory of real CNI configs and see what
 * the runtime and the reference plugins (1.1.1, emulated) would do on a node.
 *
 *   podnet cni add mynet --conf-dir ./net.d --pods 3
 *   podnet cni add mynet pod1 --cap-args '{"portMappings":[...]}' --then check,del --show
 *
 * The files of the directory are copied into the twin's /etc/cni/net.d; the
 * node is a fresh twin machine; each pod gets a namespace (pod1..podN, or the
 * names given) and the network is added as `cnitool add NETWORK
 * /var/run/netns/POD` would (container id cnitool-<sha512 of the path>).
 * check/del/gc/status as the command first add the pods (a fresh twin has no
 * attachments), then print only that command's outcome. File reading is the
 * only I/O; everything else is the library.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ROOT_NS, type World } from '../model/world.js';
import { freshMachine, netnsAdd } from '../sim/ops/netns.js';
import { runScript } from '../shell/interp.js';
import {
  addNetworkList,
  checkNetworkList,
  cnitoolContainerID,
  delNetworkList,
  gcNetworkList,
  getStatusNetworkList,
  loadConfList,
  LibcniError,
  printLibcniResult,
  type CniRuntime,
  type RuntimeConf,
  type RuntimeOutcome,
} from '../cni-emulator/index.js';
import { parseCniArgs } from '../cni-emulator/runtime/cnitool.js';
import { unmarshalMap, anyToGo } from '../cni-emulator/runtime/gointerface.js';
import type { GoJson } from '../cni-emulator/gojson.js';
import type { Io } from './io.js';

const COMMANDS = ['add', 'check', 'del', 'gc', 'status'] as const;
type Cmd = (typeof COMMANDS)[number];

interface Opts {
  confDir: string;
  pods: string;
  seed: string;
  ifname: string;
  capArgs?: string;
  args?: string;
  then?: string;
  show?: boolean;
  cniPath: string;
}

/** Adds `podnet cni` to the program. */
export function registerCniCommand(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('cni')
    .description('Run the CNI runtime (libcni, as cnitool does) and the emulated reference plugins over a directory of real CNI configs, for N pods on a twin node.')
    .argument('<command>', `one of ${COMMANDS.join(', ')}`)
    .argument('<network>', 'network name (a .conflist, or a .conf/.json up-converted)')
    .argument('[netns...]', 'pod namespace names (default pod1..podN)')
    .option('--conf-dir <dir>', 'directory of .conflist/.conf/.json files to load', '/etc/cni/net.d')
    .option('--pods <n>', 'number of pods when no netns is named', '1')
    .option('--ifname <name>', 'CNI_IFNAME', 'eth0')
    .option('--cap-args <json>', 'capability arguments (CAP_ARGS), e.g. \'{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}\'')
    .option('--args <pairs>', 'CNI_ARGS, e.g. "IgnoreUnknown=1;K8S_POD_NAME=web"')
    .option('--then <commands>', 'more commands on the same pods afterwards, comma-separated (e.g. check,del)')
    .option('--cni-path <dirs>', 'CNI_PATH', '/opt/cni/bin')
    .option('--show', "print the node's and pods' addresses, routes and NAT rules at the end")
    .option('--seed <n>', 'seed for MACs and random names', '1')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet cni add mynet --conf-dir /etc/cni/net.d --pods 3
  $ podnet cni add k8s-pod-network web --cap-args '{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}' --then check,del --show`,
    )
    .action((command: string, network: string, netns: string[], opts: Opts) => {
      setCode(runCni(io, command, network, netns, opts));
    });
}

/** The conf dir's regular files (not recursive), read through io. */
function readConfDir(io: Io, dir: string): Record<string, string> | string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    return `cannot read ${dir}: ${(e as Error).message}`;
  }
  const files: Record<string, string> = {};
  for (const n of names.sort()) {
    const p = join(dir, n);
    try {
      if (!statSync(p).isFile()) continue;
    } catch {
      continue;
    }
    const t = io.readFile(p);
    if (t !== undefined) files[n] = t;
  }
  return files;
}

function runCni(io: Io, command: string, network: string, netnsNames: string[], opts: Opts): number {
  const cmds: Cmd[] = [];
  for (const c of [command, ...(opts.then ? opts.then.split(',').map((x) => x.trim()) : [])]) {
    if (!(COMMANDS as readonly string[]).includes(c)) {
      io.err(`podnet cni: unknown command ${JSON.stringify(c)} (use ${COMMANDS.join(', ')})\n`);
      return 2;
    }
    cmds.push(c as Cmd);
  }
  const pods = netnsNames.length > 0 ? netnsNames : Array.from({ length: Number(opts.pods) }, (_, i) => `pod${i + 1}`);
  if (pods.length === 0 || pods.some((p) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p))) {
    io.err('podnet cni: --pods must be a positive number and pod names plain namespace names\n');
    return 2;
  }
  const files = readConfDir(io, opts.confDir);
  if (typeof files === 'string') {
    io.err(`podnet cni: ${files}\n`);
    return 2;
  }
  let capabilityArgs: Record<string, GoJson> | undefined;
  if (opts.capArgs) {
    const m = unmarshalMap(opts.capArgs);
    if (!m.ok) {
      io.err(`podnet cni: --cap-args: ${m.error}\n`);
      return 2;
    }
    capabilityArgs = Object.fromEntries(Object.entries(m.value).map(([k, v]) => [k, anyToGo(v)]));
  }
  let args: [string, string][] | undefined;
  if (opts.args) {
    const p = parseCniArgs(opts.args);
    if (typeof p === 'string') {
      io.err(`podnet cni: --args: ${p}\n`);
      return 2;
    }
    args = p;
  }

  let world: World = freshMachine(Number(opts.seed));
  const confDir = '/etc/cni/net.d';
  world = { ...world, files: Object.assign(Object.create(null) as Record<string, string>, world.files, Object.fromEntries(Object.entries(files).map(([n, t]) => [`${confDir}/${n}`, t]))) };
  let list;
  try {
    list = loadConfList(world, confDir, network);
  } catch (e) {
    if (e instanceof LibcniError) {
      io.err(`${e.message.replaceAll(confDir, opts.confDir)}\n`);
      return 1;
    }
    throw e;
  }
  for (const p of pods) {
    const r = netnsAdd(world, p);
    if (!r.ok) {
      io.err(`podnet cni: ${r.error}\n`);
      return 2;
    }
    world = r.world;
  }
  const rt: CniRuntime = { ns: ROOT_NS, path: opts.cniPath.split(':').filter((x) => x !== ''), env: {} };
  const rcOf = (pod: string): RuntimeConf => {
    const netns = `/var/run/netns/${pod}`;
    return {
      containerID: cnitoolContainerID(netns),
      netNS: netns,
      ifName: opts.ifname,
      ...(args ? { args } : {}),
      ...(capabilityArgs ? { capabilityArgs } : {}),
    };
  };
  let status = 0;
  // Non-add commands need attachments first: add silently.
  const steps: { cmd: Cmd; print: boolean }[] = cmds[0] === 'add' ? cmds.map((c) => ({ cmd: c, print: true })) : [{ cmd: 'add', print: false }, ...cmds.map((c) => ({ cmd: c, print: true }))];
  for (const step of steps) {
    const targets = step.cmd === 'gc' || step.cmd === 'status' ? [pods[0]!] : pods;
    for (const pod of targets) {
      const rc = rcOf(pod);
      let o: RuntimeOutcome<unknown>;
      switch (step.cmd) {
        case 'add':
          o = addNetworkList(world, rt, list, rc);
          break;
        case 'check':
          o = checkNetworkList(world, rt, list, rc);
          break;
        case 'del':
          o = delNetworkList(world, rt, list, rc);
          break;
        case 'gc':
          o = gcNetworkList(world, rt, list);
          break;
        case 'status':
          o = getStatusNetworkList(world, rt, list);
          break;
      }
      world = o.world;
      if (!step.print) {
        if (!o.ok) {
          io.err(`${pod}: add: ${o.error}\n`);
          status = 1;
        }
        continue;
      }
      const what = step.cmd === 'gc' || step.cmd === 'status' ? `cnitool ${step.cmd} ${network}` : `cnitool ${step.cmd} ${network} ${rc.netNS}`;
      io.out(`== ${what}\n`);
      if (o.stderr) io.err(o.stderr);
      if (o.ok && step.cmd === 'add' && o.value) io.out(printLibcniResult(o.value as Parameters<typeof printLibcniResult>[0]) + '\n');
      if (!o.ok) {
        io.out(`${o.error}\n`);
        status = 1;
      }
    }
  }
  if (opts.show) {
    const script = ['ip addr', 'ip route', 'iptables-save -t nat', ...pods.flatMap((p) => [`ip -n ${p} addr`, `ip -n ${p} route`])].join('\n');
    const r = runScript(script, { world });
    for (const s of r.sections) io.out(`== ${s.command}\n${s.output}`);
  }
  return status;
}
