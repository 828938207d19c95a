/**
 * From declarations to twin-shell lines: what it takes, command by command,
 * to build a switch, a machine or a node. Every line is written the way a
 * student would type it from the lab machine (`ip -n node-a ...`), so the
 * whole setup is a script `podnet sh` can run, and each line remembers the
 * declaration it came from (for `file:line:col` when the twin rejects it).
 */
import type { InterfaceT, MachineT, NetworkT, NodeT } from './schema.js';
import type { Pos, Scenario } from './types.js';
import { posOf } from './types.js';

/** One command of a build, run from the initial namespace or (`ns`) inside one. */
export interface BuildLine {
  readonly text: string;
  /** Run inside this namespace (lines of a `setup:` block); default the initial namespace. */
  readonly ns?: string;
  readonly pos: Pos;
}

/** The bridge inside every switch namespace. */
export const SWITCH_BRIDGE = 'br0';

export function networkLines(s: Scenario, net: NetworkT, i: number): BuildLine[] {
  const pos = posOf(s, ['spec', 'networks', i]);
  return [
    { text: `ip netns add ${net.name}`, pos },
    { text: `ip -n ${net.name} link set lo up`, pos },
    { text: `ip -n ${net.name} link add ${SWITCH_BRIDGE} type bridge`, pos },
    { text: `ip -n ${net.name} link set ${SWITCH_BRIDGE} up`, pos },
  ];
}

/**
 * The name of a machine's port on a switch: the machine's name when it fits
 * (IFNAMSIZ: 15 characters) and the machine has one interface on that switch.
 */
export function portName(s: Scenario, host: string, itf: InterfaceT, hostIfs: readonly InterfaceT[]): string {
  const sameNet = hostIfs.filter((x) => x.network === itf.network);
  const base = sameNet.length > 1 ? `${host}-${itf.name}` : host;
  if (base.length <= 15) return base;
  // Too long: a short, stable name from the host's position among all hosts.
  const hosts = [...s.machines.map((m) => m.name), ...s.nodes.map((n) => n.name)];
  const idx = hosts.indexOf(host) + 1;
  return `port${idx}${sameNet.length > 1 ? `-${hostIfs.indexOf(itf)}` : ''}`.slice(0, 15);
}

export function hostPath(s: Scenario, name: string): (string | number)[] {
  const mi = s.machines.findIndex((m) => m.name === name);
  if (mi >= 0) return ['spec', 'machines', mi];
  return ['spec', 'nodes', s.nodes.findIndex((n) => n.name === name)];
}

/**
 * A machine or node as it boots: namespace, cables, addresses, sysctls, routes, rules, setup lines.
 * `rebooted`: the namespace and its cables (uplinks, down and without addresses) are still there.
 */
export function hostLines(s: Scenario, h: MachineT | NodeT, opts: { readonly rebooted?: boolean } = {}): BuildLine[] {
  const base = hostPath(s, h.name);
  const at = (...p: (string | number)[]): Pos => posOf(s, [...base, ...p]);
  const n = h.name;
  const out: BuildLine[] = [
    ...(opts.rebooted ? [] : [{ text: `ip netns add ${n}`, pos: at('name') }]),
    { text: `ip -n ${n} link set lo up`, pos: at('name') },
  ];
  h.interfaces.forEach((itf, i) => {
    const pos = at('interfaces', i);
    const port = portName(s, n, itf, h.interfaces);
    if (!opts.rebooted) {
      out.push({ text: `ip link add ${itf.name} netns ${n} type veth peer name ${port} netns ${itf.network}`, pos });
      out.push({ text: `ip -n ${itf.network} link set ${port} master ${SWITCH_BRIDGE}`, pos });
      out.push({ text: `ip -n ${itf.network} link set ${port} up`, pos });
    }
    if (itf.mtu !== undefined) {
      out.push({ text: `ip -n ${n} link set ${itf.name} mtu ${itf.mtu}`, pos: at('interfaces', i, 'mtu') });
      if (!opts.rebooted) out.push({ text: `ip -n ${itf.network} link set ${port} mtu ${itf.mtu}`, pos: at('interfaces', i, 'mtu') });
    }
    if (itf.address !== undefined) out.push({ text: `ip -n ${n} addr add ${itf.address} dev ${itf.name}`, pos: at('interfaces', i, 'address') });
    out.push({ text: `ip -n ${n} link set ${itf.name} up`, pos });
  });
  if (h.forwarding) out.push({ text: `ip netns exec ${n} sysctl -qw net.ipv4.ip_forward=1`, pos: at('forwarding') });
  for (const [k, v] of Object.entries(h.sysctls)) out.push({ text: `ip netns exec ${n} sysctl -qw ${k}=${v}`, pos: at('sysctls', k) });
  h.routes.forEach((r, i) => out.push({ text: `ip -n ${n} route add ${r}`, pos: at('routes', i) }));
  h.iptables.forEach((r, i) => out.push({ text: `ip netns exec ${n} iptables ${r}`, pos: at('iptables', i) }));
  if (h.setup !== undefined) {
    const pos = at('setup');
    // One line per command so a failing one can be pointed at (block scalars start on the next line).
    out.push({ text: h.setup, ns: n, pos: { line: pos.line + 1, col: pos.col } });
  }
  return out;
}
