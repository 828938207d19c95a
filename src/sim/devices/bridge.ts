/**
 * The Linux bridge's datapath (net/bridge/br_input.c, br_forward.c,
 * br_device.c) as a device handler:
 *
 * - portRx (br_handle_frame -> br_handle_frame_finish): a frame entering a
 *   port is dropped unless the port is forwarding; its source MAC is learned
 *   (br_fdb_update); br_netfilter's PREROUTING runs for IPv4; then by
 *   destination: a local entry (a port's or the bridge's own MAC, a
 *   `permanent` user entry) delivers it to the bridge's own IP stack;
 *   broadcast/multicast floods it to every other port and delivers it up too;
 *   a known unicast goes to its port (dropped if that is the ingress port:
 *   hairpin is off); an unknown unicast floods (ports with `flood on`).
 * - xmit (br_dev_xmit): the host sends out of the bridge device: known
 *   unicast to its port, everything else flooded to every port.
 * - forwarding (__br_forward): FORWARD then POSTROUTING of br_netfilter, then
 *   the port transmits (is_skb_forwardable drops a frame over its MTU).
 *
 * STP is not modelled (stp_state 0): a port is forwarding or disabled, see
 * portState() in src/sim/ops/bridge.ts.
 */
import type { Draft } from 'immer';
import { BROADCAST_MAC, type Mac } from '../../model/addr.js';
import type { BridgeLink, FdbEntry, Link, NsName, World } from '../../model/world.js';
import { ageingMs, fdbExpired, fdbFind, fdbLearnDraft, fdbLookup, fdbTouchDraft, fdbUsedMs, isLocalEntry, isUnicastMac, portState, portsOf } from '../ops/bridge.js';
import { l3Len, type Frame } from '../packet.js';
import { curLink } from './cur.js';
import type { DeviceHandler, DpEnv } from './types.js';

/** The world as configured (links, ports, sysctls): the walk's draft, read only. */
function cfg(env: DpEnv): World {
  return env.world as unknown as World;
}

/** The bridge to change (its FDB learns during the walk): a draft. */
function liveBridge(env: DpEnv, ns: NsName, br: BridgeLink): Draft<BridgeLink> {
  return env.ns(ns).links[br.ifindex] as Draft<BridgeLink>;
}

/**
 * br_fdb_update(): learn `mac` on `port`. Nothing is written (no draft made)
 * when the entry is already there, on that port, refreshed at this time, or
 * is not a dynamic entry.
 */
function learn(env: DpEnv, ns: NsName, br: BridgeLink, port: Link, mac: Mac): 'learned' | 'refreshed' | 'moved' | 'ignored' {
  const e = fdbFind(curLink(env, ns, br).fdb, mac);
  if (e && !fdbExpired(e, ageingMs(br), env.now) && (e.state !== 'dynamic' || (e.ifindex === port.ifindex && e.updatedMs === env.now))) {
    return e.state === 'dynamic' ? 'refreshed' : 'ignored';
  }
  return fdbLearnDraft(liveBridge(env, ns, br), port.ifindex, mac, env.now);
}

/** The fields of an FDB entry the trace quotes, copied out (the entry may be a draft of the walk). */
type FdbView = Pick<FdbEntry, 'mac' | 'ifindex' | 'state'>;

function fdbView(e: FdbEntry): FdbView {
  return { mac: e.mac, ifindex: e.ifindex, state: e.state };
}

/** How `bridge fdb show` prints an entry (the trace quotes it). */
function fdbLine(world: World, ns: NsName, br: BridgeLink, e: FdbView): string {
  const dev = world.ns[ns]?.links[e.ifindex]?.name ?? `if${e.ifindex}`;
  const state = e.state === 'dynamic' ? '' : e.state;
  return `${e.mac} dev ${dev} master ${br.name} ${state}`.trimEnd();
}

function isGroup(mac: Mac): boolean {
  return !isUnicastMac(mac);
}

/**
 * br_forward()/br_flood() to one port: skip the ingress port (hairpin off)
 * and ports that are not forwarding, run br_netfilter FORWARD (bridged
 * traffic) and POSTROUTING, check the port MTU, transmit.
 */
function forwardTo(env: DpEnv, ns: NsName, br: BridgeLink, inPort: Link | undefined, out: Link, frame: Frame): boolean {
  if (inPort && out.ifindex === inPort.ifindex && !(out.brport?.hairpin ?? false)) return false;
  if (portState(cfg(env), ns, out) !== 'forwarding') return false;
  let f: Frame | undefined = frame;
  if (inPort) {
    // Frames the host sends out of the bridge already went through OUTPUT/POSTROUTING in the IP
    // layer; br_nf_post_routing() only handles frames that entered through a port (nf_bridge set).
    f = env.brNetfilter(ns, 'FORWARD', f, { bridge: br.ifindex, physIn: inPort.ifindex, physOut: out.ifindex });
    if (!f) return true;
    f = env.brNetfilter(ns, 'POSTROUTING', f, { bridge: br.ifindex, physIn: inPort.ifindex, physOut: out.ifindex });
    if (!f) return true;
  }
  // br_dev_queue_push_xmit(): is_skb_forwardable() drops frames bigger than the port's MTU.
  if (l3Len(f) > out.mtu) {
    const len = l3Len(f);
    env.step(() => ({ kind: 'drop', action: `${out.name}: frame of ${len} bytes exceeds mtu ${out.mtu}: dropped by the bridge` }));
    env.drop('frag_needed', `the bridge ${br.name} cannot forward a ${len}-byte frame to ${out.name} (mtu ${out.mtu})`);
    return true;
  }
  env.transmit(ns, out.ifindex, f);
  return true;
}

/** br_flood(): every forwarding port except the ingress one; `unknownUnicast` honours `flood off`. */
function flood(env: DpEnv, ns: NsName, br: BridgeLink, inPort: Link | undefined, frame: Frame, unknownUnicast: boolean): number {
  const bns = cfg(env).ns[ns]!;
  let n = 0;
  for (const p of portsOf(bns, br)) {
    if (unknownUnicast && !(p.brport?.flood ?? true)) continue;
    if (forwardTo(env, ns, br, inPort, p, frame)) n++;
  }
  return n;
}

/** br_pass_frame_up(): the frame goes up the bridge device's own stack (needs br0 up). */
function passUp(env: DpEnv, ns: NsName, br: BridgeLink, frame: Frame): void {
  if (!br.adminUp) return;
  env.stackReceive(ns, br.ifindex, frame);
}

/*
 * Steps are lazy (formatted only if the trace is read, see DpEnv.step). They
 * close over what no walk changes - `br` and the ports (the walk's aged
 * namespace), `world` (its base), frames, counts and strings - and over
 * copies of FDB entries (fdbView): an entry read through `curLink` is the
 * walk's draft once this bridge learned, updated by later frames of the walk
 * and revoked when it ends.
 */
export const bridgeHandler: DeviceHandler<BridgeLink> = {
  /** br_dev_xmit(): the host sends `frame` out of the bridge. */
  xmit(env, ns, br, frame) {
    const world = cfg(env);
    const dbr = curLink(env, ns, br);
    if (isGroup(frame.dst)) {
      const n = flood(env, ns, br, undefined, frame, false);
      env.step(() => ({ kind: 'bridge', action: `${br.name}: ${frame.dst === BROADCAST_MAC ? 'broadcast' : 'multicast'} flooded to ${n} port(s)` }));
      if (n === 0) env.drop('exits_network', `${br.name} has no forwarding port`);
      return;
    }
    const e = fdbLookup(dbr as BridgeLink, frame.dst, env.now);
    if (e && e.ifindex !== br.ifindex && !isLocalEntry(e)) {
      const port = world.ns[ns]!.links[e.ifindex];
      const v = fdbView(e);
      env.step(() => ({ kind: 'bridge', action: `${br.name}: ${frame.dst} is known on ${port?.name ?? v.ifindex}`, entry: fdbLine(world, ns, br, v) }));
      if (port && !forwardTo(env, ns, br, undefined, port, frame)) {
        env.step(() => ({ kind: 'drop', action: `${br.name}: port ${port.name} is not forwarding` }));
        env.drop('link_down', `bridge port ${port.name} is not forwarding`);
      }
      return;
    }
    if (e) {
      // br_dev_xmit() -> br_fdb_find_rcu(): a local entry has no port (or is a port's own address):
      // the frame is delivered to nobody on the wire and dropped.
      env.step(() => ({ kind: 'drop', action: `${br.name}: ${frame.dst} is one of the bridge's own addresses: not sent` }));
      env.drop('exits_network', `${frame.dst} is an address of ${br.name} itself`);
      return;
    }
    const n = flood(env, ns, br, undefined, frame, true);
    env.step(() => ({ kind: 'bridge', action: `${br.name}: ${frame.dst} unknown: flooded to ${n} port(s)` }));
    if (n === 0) env.drop('exits_network', `${br.name} has no forwarding port for ${frame.dst}`);
  },

  /** br_handle_frame(): `frame` arrived on `port`, enslaved to `br`. */
  portRx(env, ns, br, port, frame) {
    const world = cfg(env);
    const state = portState(world, ns, port);
    if (state !== 'forwarding') {
      env.step(() => ({ kind: 'drop', action: `${br.name}: port ${port.name} is ${state}: frame dropped` }));
      env.drop('link_down', `bridge port ${port.name} is not forwarding (is ${br.name} up?)`);
      return;
    }
    if (isGroup(frame.src) || frame.src === '00:00:00:00:00:00') {
      env.step(() => ({ kind: 'drop', action: `${br.name}: invalid source MAC ${frame.src}: dropped` }));
      env.drop('martian', `frame with source MAC ${frame.src}`);
      return;
    }
    if (port.brport?.learning ?? true) {
      const r = learn(env, ns, br, port, frame.src);
      if (r !== 'ignored') env.step(() => ({ kind: 'bridge', action: `${br.name}: ${r} ${frame.src} on ${port.name}` }));
    }
    const dbr = curLink(env, ns, br);
    // br_nf_pre_routing() runs at the bridge's PREROUTING hook, before br_handle_frame_finish()
    // looks the destination up in the FDB: for every IPv4 frame, also one addressed to the
    // bridge's own MAC (ip_sabotage_in() then skips iptables PREROUTING in ip_rcv()). A DNAT
    // whose new destination is routed back out of this bridge returns the frame with that
    // neighbour's MAC ("bridged_dnat"), so the FDB decision below uses the returned frame.
    const f = env.brNetfilter(ns, 'PREROUTING', frame, { bridge: br.ifindex, physIn: port.ifindex });
    if (!f) return;
    if (isGroup(f.dst)) {
      const n = flood(env, ns, br, port, f, false);
      env.step(() => ({ kind: 'bridge', action: `${br.name}: ${f.dst === BROADCAST_MAC ? 'broadcast' : 'multicast'} flooded to ${n} other port(s) and passed up to ${br.name}` }));
      passUp(env, ns, br, f);
      return;
    }
    const e = fdbLookup(dbr as BridgeLink, f.dst, env.now);
    if (e && isLocalEntry(e)) {
      const v = fdbView(e);
      env.step(() => ({ kind: 'bridge', action: `${br.name}: ${f.dst} is local: up the stack of ${br.name}`, entry: fdbLine(world, ns, br, v) }));
      passUp(env, ns, br, f);
      return;
    }
    if (e) {
      const out = world.ns[ns]!.links[e.ifindex];
      const v = fdbView(e);
      // br_handle_frame_finish(): `dst->used = now` before br_forward() (so also when
      // should_deliver() then refuses the ingress port). Only a frame entering a port
      // does this: br_dev_xmit() leaves `used` alone.
      if (fdbUsedMs(e) !== env.now) fdbTouchDraft(liveBridge(env, ns, br), v.mac, env.now);
      env.step(() => ({ kind: 'bridge', action: `${br.name}: ${f.dst} is known on ${out?.name ?? v.ifindex}`, entry: fdbLine(world, ns, br, v) }));
      // br_forward() -> should_deliver(): back out of the ingress port only with `hairpin on`.
      if (!out || (out.ifindex === port.ifindex && !(port.brport?.hairpin ?? false))) {
        env.step(() => ({ kind: 'drop', action: `${br.name}: destination is on the ingress port ${port.name} (hairpin off): dropped` }));
        env.drop('exits_network', `${f.dst} is reached through ${port.name}, where the frame came from`);
        return;
      }
      if (!forwardTo(env, ns, br, port, out, f)) {
        env.step(() => ({ kind: 'drop', action: `${br.name}: port ${out.name} is not forwarding` }));
        env.drop('link_down', `bridge port ${out.name} is not forwarding`);
      }
      return;
    }
    const n = flood(env, ns, br, port, f, true);
    env.step(() => ({ kind: 'bridge', action: `${br.name}: ${f.dst} unknown: flooded to ${n} other port(s)` }));
    if (n === 0) env.drop('exits_network', `${br.name} has no other forwarding port for ${f.dst}`);
  },
};
