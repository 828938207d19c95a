/**
 * `ip netns`: add, del, list, exec. Named namespaces live in /run/netns.
 */
import { netnsAdd, netnsDel } from '../../sim/ops/netns.js';
import type { CmdResult } from '../types.js';
import { matches, type IpObject } from './index.js';

const out = (world: CmdResult['world'], text: string, status = 0): CmdResult => ({
  world,
  out: text ? [{ fd: status === 0 ? 1 : 2, text }] : [],
  status,
});

export const ipNetns: IpObject = (ctx, args, opts) => {
  const world = ctx.world;
  const verb = args[0];
  if (verb === undefined || matches(verb, 'list') || verb === 'show') {
    const here = world.ns[ctx.ns]!;
    const names = [...world.nsOrder].reverse();
    if (opts.json) {
      const items = names.map((n) => (here.peerIds[n] !== undefined ? { name: n, id: here.peerIds[n] } : { name: n }));
      return out(world, JSON.stringify(items) + '\n');
    }
    return out(world, names.map((n) => (here.peerIds[n] !== undefined ? `${n} (id: ${here.peerIds[n]})\n` : `${n}\n`)).join(''));
  }
  if (matches(verb, 'add')) {
    const name = args[1];
    if (name === undefined) return out(world, 'No netns name specified\n', 1);
    const r = netnsAdd(world, name);
    return r.ok ? out(r.world, '') : out(world, r.error.replace('/var/run/netns', '/run/netns') + '\n', 1);
  }
  if (matches(verb, 'delete')) {
    const name = args[1];
    if (name === undefined) return out(world, 'No netns name specified\n', 1);
    const r = netnsDel(world, name);
    return r.ok ? out(r.world, '') : out(world, r.error.replace('/var/run/netns', '/run/netns') + '\n', 1);
  }
  if (matches(verb, 'exec')) {
    const name = args[1];
    if (name === undefined) return out(world, 'No netns name specified\n', 1);
    if (world.ns[name] === undefined) return out(world, `Cannot open network namespace "${name}": No such file or directory\n`, 255);
    const cmd = args.slice(2);
    if (cmd.length === 0) return out(world, 'No command specified\n', 1);
    const res = ctx.exec(world, name, cmd);
    if (res.status === 127 && res.out.length === 1 && /No such file or directory|command/.test(res.out[0]!.text)) {
      return out(world, `exec of "${cmd[0]}" failed: No such file or directory\n`, 1);
    }
    return res;
  }
  return out(world, `Command "${verb}" is unknown, try "ip netns help".\n`, 255);
};
