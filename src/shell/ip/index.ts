/**
 * `ip` (iproute2): global options, then an object matched by prefix the way
 * ip.c does (`ip a`, `ip r`, `ip n`, `ip l`), then the object's own parser.
 */
import { ROOT_NS } from '../../model/world.js';
import { Unsupported, type CmdContext, type CmdResult, type Command } from '../types.js';
import { ipNetns } from './netns.js';
import { ipLink } from './link.js';
import { ipAddr } from './addr.js';
import { ipRoute } from './route.js';
import { ipNeigh } from './neigh.js';

/** Options that apply to every object. */
export interface IpOpts {
  readonly json: boolean;
  readonly brief: boolean;
  readonly details: number;
  readonly stats: number;
  readonly pretty: boolean;
  readonly family?: 'inet' | 'inet6' | 'link';
  readonly oneline: boolean;
}

export type IpObject = (ctx: CmdContext, args: readonly string[], opts: IpOpts) => CmdResult;

/** iproute2's matches(): `arg` is a non-empty prefix of `word`. */
export function matches(arg: string | undefined, word: string): boolean {
  return arg !== undefined && arg.length > 0 && word.startsWith(arg);
}

// Order matters: the first object whose name starts with the argument wins (ip.c's cmds[]).
const OBJECTS: readonly [string, IpObject | undefined][] = [
  ['address', ipAddr],
  ['addrlabel', undefined],
  ['maddress', undefined],
  ['route', ipRoute],
  ['rule', undefined],
  ['neighbor', ipNeigh],
  ['neighbour', ipNeigh],
  ['ntable', undefined],
  ['ntbl', undefined],
  ['link', ipLink],
  ['l2tp', undefined],
  ['fou', undefined],
  ['ila', undefined],
  ['macsec', undefined],
  ['tunnel', undefined],
  ['tuntap', undefined],
  ['tap', undefined],
  ['token', undefined],
  ['tcpmetrics', undefined],
  ['tcp_metrics', undefined],
  ['monitor', undefined],
  ['xfrm', undefined],
  ['mroute', undefined],
  ['mrule', undefined],
  ['netns', ipNetns],
  ['netconf', undefined],
  ['vrf', undefined],
  ['sr', undefined],
  ['nexthop', undefined],
  ['mptcp', undefined],
  ['ioam', undefined],
  ['stats', undefined],
  ['help', undefined],
];

export const ipCommand: Command = (ctx) => {
  const args = ctx.argv.slice(1);
  let json = false;
  let brief = false;
  let details = 0;
  let stats = 0;
  let pretty = false;
  let oneline = false;
  let family: IpOpts['family'];
  let ns = ctx.ns;
  while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
    let opt = args.shift()!;
    if (opt.startsWith('--')) opt = opt.slice(1);
    if (opt === '-j' || matches(opt.slice(1), 'json') && opt.length > 2) json = true;
    else if (opt === '-br' || (opt.length > 2 && matches(opt.slice(1), 'brief'))) brief = true;
    else if (opt === '-d' || matches(opt.slice(1), 'details')) details++;
    else if (opt === '-s' || matches(opt.slice(1), 'statistics') || matches(opt.slice(1), 'stats')) stats++;
    else if (opt === '-p' || matches(opt.slice(1), 'pretty')) pretty = true;
    else if (opt === '-o' || matches(opt.slice(1), 'oneline')) oneline = true;
    else if (opt === '-4') family = 'inet';
    else if (opt === '-6') family = 'inet6';
    else if (opt === '-0') family = 'link';
    else if (opt === '-n' || matches(opt.slice(1), 'netns')) {
      const name = args.shift();
      if (name === undefined) {
        return { world: ctx.world, out: [{ fd: 2, text: 'Command line is not complete. Try option "help"\n' }], status: 255 };
      }
      if (ctx.world.ns[name] === undefined || name === ROOT_NS) {
        return {
          world: ctx.world,
          out: [{ fd: 2, text: `Cannot open network namespace "${name}": No such file or directory\n` }],
          status: 255,
        };
      }
      ns = name;
    } else throw new Unsupported(`ip option '${opt}'`);
  }
  const objName = args.shift();
  if (objName === undefined) {
    throw new Unsupported('ip without an object (usage text)');
  }
  const found = OBJECTS.find(([name]) => matches(objName, name));
  if (!found) {
    return { world: ctx.world, out: [{ fd: 2, text: `Object "${objName}" is unknown, try "ip help".\n` }], status: 1 };
  }
  const [name, fn] = found;
  if (!fn) throw new Unsupported(`ip ${name}`);
  const opts: IpOpts = { json, brief, details, stats, pretty, oneline, ...(family ? { family } : {}) };
  return fn({ ...ctx, ns }, args, opts);
};
