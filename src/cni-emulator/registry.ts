/**
 * The emulated plugin binaries, by name, and their registration as twin-shell
 * commands under the directories real installations use.
 */
import type { PluginDef } from './skel.js';
import { hostLocal } from './ipam/host-local.js';
import { staticIpam } from './ipam/static.js';
import { loopback } from './plugins/loopback.js';
import { bridge } from './plugins/bridge.js';
import { ptp } from './plugins/ptp.js';
import { portmap } from './plugins/portmap.js';

/**
 * Plugins the twin emulates (containernetworking-plugins 1.1.1), by binary
 * name. A function, not a constant: plugin modules import this one (for
 * delegation), so the table is built when first asked for, after every
 * module has been evaluated.
 */
export function pluginTable(): Readonly<Record<string, PluginDef>> {
  return Object.assign(Object.create(null) as Record<string, PluginDef>, {
    'host-local': hostLocal,
    static: staticIpam,
    loopback,
    bridge,
    ptp,
    portmap,
  });
}

/** Where the plugin binaries live: Debian's package, and the upstream/Kubernetes default. */
export const PLUGIN_DIRS: readonly string[] = ['/usr/lib/cni', '/opt/cni/bin'];

/** The binaries of Debian's containernetworking-plugins 1.1.1 (/usr/lib/cni). */
export const REAL_PLUGIN_NAMES: readonly string[] = [
  'bandwidth',
  'bridge',
  'dhcp',
  'firewall',
  'host-device',
  'host-local',
  'ipvlan',
  'loopback',
  'macvlan',
  'portmap',
  'ptp',
  'sbr',
  'static',
  'tuning',
  'vlan',
  'vrf',
];
