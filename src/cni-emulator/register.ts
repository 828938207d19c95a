/**
 * Registration of the emulated plugins as twin-shell commands:
 * `/usr/lib/cni/NAME` (Debian's containernetworking-plugins) and
 * `/opt/cni/bin/NAME` (upstream tarballs, kubeadm installs), plus `cnitool`
 * (found by bare name and in the $PATH directories). Takes the registration
 * function as an argument so this module does not import the command table
 * (no import cycle).
 */
import type { Command } from '../shell/types.js';
import { PLUGIN_DIRS, pluginTable } from './registry.js';
import { pluginCommand } from './skel.js';
import { cnitoolCommand } from './runtime/cnitool.js';

export function registerCniPlugins(register: (path: string, fn: Command) => void): void {
  for (const [name, def] of Object.entries(pluginTable())) {
    const cmd = pluginCommand(def);
    for (const dir of PLUGIN_DIRS) register(`${dir}/${name}`, cmd);
  }
  register('cnitool', cnitoolCommand);
}
