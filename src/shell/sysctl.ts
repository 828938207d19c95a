/**
 * `sysctl` (procps-ng 4.0.2) against the twin's /proc/sys/net of the current
 * namespace (src/sim/ops/sysctl.ts holds the tree and the kernel's side effects).
 *
 *   sysctl [-n] [-N] [-q] [-e] [-b] KEY...          read (a directory lists every key under it)
 *   sysctl [-w] KEY=VALUE...                         write (`=` alone selects writing, as procps 4 does)
 *
 * Keys are dotted (`net.ipv4.ip_forward`) or slashed (`net/ipv4/ip_forward`),
 * printed dotted. Options may follow the keys (getopt permutes). Messages and
 * exit codes are procps's: unknown key `sysctl: cannot stat /proc/sys/...: No
 * such file or directory` (1, silenced by -e), bad value `sysctl: setting key
 * "K": Invalid argument` (1), `-w K` without a value `sysctl: command line(0):
 * invalid syntax, continuing...` (1).
 */
import { sysctlNode, sysctlValue, sysctlWrite } from '../sim/ops/sysctl.js';
import { Unsupported, type Command, type OutChunk } from './types.js';

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`;

interface Flags {
  write: boolean;
  quiet: boolean;
  values: boolean;
  names: boolean;
  ignore: boolean;
  binary: boolean;
}

const LONG: Readonly<Record<string, keyof Flags>> = {
  '--write': 'write',
  '--quiet': 'quiet',
  '--values': 'values',
  '--names': 'names',
  '--ignore': 'ignore',
  '--binary': 'binary',
};

const SHORT: Readonly<Record<string, keyof Flags | 'noop'>> = {
  w: 'write',
  q: 'quiet',
  n: 'values',
  N: 'names',
  e: 'ignore',
  b: 'binary',
  o: 'noop',
  x: 'noop',
};

export const sysctlCommand: Command = (ctx) => {
  const flags: Flags = { write: false, quiet: false, values: false, names: false, ignore: false, binary: false };
  const args: string[] = [];
  let endOfOpts = false;
  for (const a of ctx.argv.slice(1)) {
    if (endOfOpts || !a.startsWith('-') || a === '-') {
      args.push(a);
    } else if (a === '--') {
      endOfOpts = true;
    } else if (a.startsWith('--')) {
      const f = LONG[a];
      if (!f) throw new Unsupported(`sysctl option '${a}'`);
      flags[f] = true;
    } else {
      for (const ch of a.slice(1)) {
        const f = SHORT[ch];
        if (!f) throw new Unsupported(`sysctl option '-${ch}'`);
        if (f !== 'noop') flags[f] = true;
      }
    }
  }
  if (flags.names && flags.write) throw new Unsupported('sysctl -N with -w');

  let world = ctx.world;
  const out: OutChunk[] = [];
  const say = (text: string): void => void out.push({ fd: 1, text });
  const warn = (text: string): void => void out.push({ fd: 2, text: `sysctl: ${text}\n` });

  if (args.length === 0) {
    if (flags.write) {
      out.push({ fd: 2, text: "sysctl: no variables specified\nTry `sysctl --help' for more information.\n" });
      return { world, out, status: 1 };
    }
    out.push({ fd: 2, text: USAGE });
    return { world, out, status: 1 };
  }

  let status = 0;
  /** One key with its value, in the form asked for. */
  const show = (name: string, value: string): void => {
    if (flags.names) say(`${name}\n`);
    else if (flags.values) say(flags.binary ? value : `${value}\n`);
    else say(flags.binary ? `${name} = ${value}` : `${name} = ${value}\n`);
  };

  for (const arg of args) {
    const eq = arg.indexOf('=');
    const writing = flags.write || eq >= 0;
    if (writing && eq < 0) {
      warn('command line(0): invalid syntax, continuing...');
      status = 1;
      continue;
    }
    const rawKey = writing ? arg.slice(0, eq) : arg;
    const { key, display, path } = normaliseKey(rawKey);
    const node = sysctlNode(world, ctx.ns, key);
    if (node.kind === 'missing' || node.kind === 'notdir') {
      if (flags.ignore) continue;
      warn(`cannot stat /proc/sys/${path}: ${node.kind === 'missing' ? 'No such file or directory' : 'Not a directory'}`);
      status = 1;
      continue;
    }
    if (!writing) {
      if (node.kind === 'dir') {
        for (const k of node.keys) show(k, sysctlValue(world, ctx.ns, k) ?? '');
      } else if (!node.writeOnly) {
        show(display, sysctlValue(world, ctx.ns, key)!);
      }
      continue;
    }
    // procps strips blanks around the value before writing and echoing it.
    const value = arg.slice(eq + 1).trim();
    if (node.kind === 'dir') {
      // open(O_WRONLY) of a directory fails with EISDIR, reported as EINVAL; procps then exits 0.
      warn(`setting key "${display}": Invalid argument`);
      continue;
    }
    const r = sysctlWrite(world, ctx.ns, key, value);
    if (!r.ok) {
      if (r.errno === 'UNSUPPORTED') throw new Unsupported(r.detail ?? `sysctl -w ${key}`);
      warn(`setting key "${display}": Invalid argument`);
      status = 1;
      continue;
    }
    world = r.world;
    if (!flags.quiet) show(display, value);
  }
  return { world, out, status };
};

/**
 * procps accepts `a.b.c` and `a/b/c`; it prints the dotted form and stats the
 * slashed path. Empty components (`a..b`, a trailing dot) make procps print
 * odd warnings: not modelled.
 */
function normaliseKey(raw: string): { key: string; display: string; path: string } {
  let k = raw;
  if (k.startsWith('/') || k.startsWith('.')) throw new Unsupported(`sysctl key with a leading separator '${raw}'`);
  if (k.includes('/')) k = k.replace(/\//g, '.');
  if (k === '' || k.split('.').some((p) => p === '')) throw new Unsupported(`sysctl key with an empty component '${raw}'`);
  return { key: k, display: k, path: k.replace(/\./g, '/') };
}
