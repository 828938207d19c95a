/**
 * The twin shell's command table. Commands are looked up by name, or by the
 * full path a script uses (`/usr/sbin/ip`, `/usr/lib/cni/bridge`).
 */
import type { Command } from './types.js';
import { builtins } from './builtins.js';
import { ipCommand } from './ip/index.js';

// A null-prototype table: a script's `valueOf` or `__proto__` is not a command.
const table: Record<string, Command> = Object.assign(Object.create(null) as Record<string, Command>, {
  ...builtins,
  ip: ipCommand,
});

/** Directories whose programs are found by bare name ($PATH). */
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Register a command (used by modules that add commands, e.g. CNI plugins by path). */
export function registerCommand(name: string, fn: Command): void {
  table[name] = fn;
}

export function lookupCommand(name: string): Command | undefined {
  if (!name.includes('/')) return table[name];
  const exact = table[name];
  if (exact) return exact;
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash);
  return PATH_DIRS.includes(dir) ? table[name.slice(slash + 1)] : undefined;
}
