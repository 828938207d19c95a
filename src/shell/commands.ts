/**
 * The twin shell's command table. Commands are looked up by name, or by the
 * full path a script uses (`/usr/sbin/ip`, `/usr/lib/cni/bridge`).
 */
import type { Command } from './types.js';
import { builtins } from './builtins.js';
import { ipCommand } from './ip/index.js';
import { sysctlCommand } from './sysctl.js';
import { bridgeCommand } from './bridge.js';
import { settleLinks } from '../sim/ops/mcast.js';
import { iptablesCommand } from './iptables.js';
import { iptablesSaveCommand } from './iptables-save.js';
import { iptablesRestoreCommand } from './iptables-restore.js';
import { pingCommand } from './ping.js';
import { tracerouteCommand } from './traceroute.js';
import { ncCommand } from './nc.js';
import { registerCniPlugins } from '../cni-emulator/register.js';

// A null-prototype table: a script's `valueOf` or `__proto__` is not a command.
const table: Record<string, Command> = Object.assign(Object.create(null) as Record<string, Command>, {
  ...builtins,
  ip: ipCommand,
  sysctl: sysctlCommand,
  bridge: bridgeCommand,
  iptables: iptablesCommand,
  'iptables-save': iptablesSaveCommand,
  'iptables-restore': iptablesRestoreCommand,
  ping: pingCommand,
  traceroute: tracerouteCommand,
  nc: ncCommand,
});

/** Directories whose programs are found by bare name ($PATH). */
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Register a command (used by modules that add commands, e.g. CNI plugins by path). */
export function registerCommand(name: string, fn: Command): void {
  table[name] = fn;
}

// The emulated CNI plugins, by full path (/usr/lib/cni/NAME, /opt/cni/bin/NAME).
registerCniPlugins(registerCommand);

export function lookupCommand(name: string): Command | undefined {
  return settled(findCommand(name));
}

/**
 * After every command the kernel's asynchronous side effects of link
 * transitions are settled (link-locals, multicast lists, bridges following
 * their ports: src/sim/ops/mcast.ts), as they are by the time the next
 * command of a script runs on the real kernel.
 */
function settled(fn: Command | undefined): Command | undefined {
  if (!fn) return undefined;
  return (ctx) => {
    const r = fn(ctx);
    const world = settleLinks(r.world);
    return world === r.world ? r : { ...r, world };
  };
}

function findCommand(name: string): Command | undefined {
  if (!name.includes('/')) return table[name];
  const exact = table[name];
  if (exact) return exact;
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash);
  return PATH_DIRS.includes(dir) ? table[name.slice(slash + 1)] : undefined;
}
