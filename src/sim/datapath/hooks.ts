/**
 * The five netfilter hooks as the datapath calls them (NF_HOOK), on top of the
 * evaluation API of src/sim/netfilter (nfHook), plus br_netfilter for bridged
 * frames and the REJECT target's replies.
 */
import { formatIp4, type Mac } from '../../model/addr.js';
import type { Hook } from '../../model/netfilter.js';
import type { Netns, NsName } from '../../model/world.js';
import { nfHook, REJECT_ICMP_CODE, type NfResult } from '../netfilter/index.js';
import { ICMP_DEST_UNREACH, PROTO_TCP, tcpPacket, type Frame, type Ipv4Packet } from '../packet.js';
import type { Disposition } from '../trace.js';
import type { Walk } from './engine.js';
import { devName } from './describe.js';
import { icmpSend } from './icmp.js';
import { routeInput } from './route-input.js';
import { lookupNeigh } from './neigh.js';

export interface HookDevs {
  readonly in?: number;
  readonly out?: number;
  readonly physIn?: number;
  readonly physOut?: number;
}

export interface HookOpts {
  readonly nextHop?: number;
  readonly bridged?: boolean;
  /** The packet's route is local (RTCF_LOCAL): REJECT's ICMP comes from pkt.dst. */
  readonly localRoute?: boolean;
  /** The packet is the kernel ICMP socket's own (OUTPUT): REJECT sends no error (IcmpSendOpts.xmitLocked). */
  readonly icmpSocket?: boolean;
}

/** Has the namespace any iptables table (hooks registered)? Without allocating its key list per packet. */
function nfLoaded(bns: Netns): boolean {
  for (const _ in bns.netfilter.tables) return true;
  return false;
}

/**
 * Run `hook` of `ns` on `pkt`. A namespace without any iptables table has no
 * hooks registered (nothing loaded): accept at once.
 */
export function runNfHook(w: Walk, ns: NsName, hook: Hook, pkt: Ipv4Packet, devs: HookDevs, o: HookOpts = {}): NfResult {
  const bns = w.bns(ns);
  if (!nfLoaded(bns)) return { verdict: 'accept', pkt };
  // Set field by field, in the same order (no conditional spreads per hook call).
  const names: { in?: string; out?: string; physIn?: string; physOut?: string } = {};
  if (devs.in !== undefined) names.in = devName(bns, devs.in);
  if (devs.out !== undefined) names.out = devName(bns, devs.out);
  if (devs.physIn !== undefined) names.physIn = devName(bns, devs.physIn);
  if (devs.physOut !== undefined) names.physOut = devName(bns, devs.physOut);
  return nfHook(w.ns(ns), hook, pkt, names, {
    now: w.now,
    ...(o.bridged ? { bridged: true } : {}),
    ...(o.nextHop !== undefined ? { nextHop: o.nextHop as never } : {}),
    // The walk's step() also takes a function (formatted when the trace is read).
    lazySteps: true,
    // Made once per walk, not per hook call (an arrow here would also be named by tsx's keepNames: a defineProperty each).
    step: w.stepFn,
    // Counters are added up per walk and applied when it builds its world (no draft per count).
    counters: w.counterLog(ns),
  });
}

/** Which disposition a drop at each hook means for the trace. */
export function deniedAt(hook: Hook): Disposition {
  return hook === 'OUTPUT' || hook === 'POSTROUTING' ? 'denied_out' : 'denied_in';
}

/**
 * Handle a non-accept verdict: record the decision and, for REJECT, send the
 * error back (nf_send_unreach: icmp_send; nf_send_reset: a RST through
 * ip_local_out). Returns the packet to go on with, or undefined if it stops.
 */
export function applyVerdict(w: Walk, ns: NsName, hook: Hook, r: NfResult, o: HookOpts & { inIfindex?: number } = {}): Ipv4Packet | undefined {
  if (r.verdict === 'accept') return r.pkt;
  const where = `${r.table} ${r.chain}: ${r.rule}`;
  if (r.verdict === 'drop') {
    w.step({ kind: 'drop', action: `dropped by iptables at ${hook}`, entry: r.rule });
    w.decide(deniedAt(hook), `dropped by iptables (${where})`, ns);
    return undefined;
  }
  w.step({ kind: 'drop', action: `rejected by iptables at ${hook} (${r.with})`, entry: r.rule });
  w.decide('rejected', `rejected by iptables (${where}) with ${r.with}`, ns);
  const p = r.pkt;
  if (r.with === 'tcp-reset') {
    // nf_send_reset: never answer a RST; the reset goes out through ip_local_out.
    if (p.proto === PROTO_TCP && p.ports && p.ports.flags !== 'RST' && p.ports.flags !== 'RSTACK') {
      const rst = tcpPacket({
        src: p.dst,
        dst: p.src,
        sport: p.ports.dport,
        dport: p.ports.sport,
        flags: p.ports.flags === 'SYN' ? 'RSTACK' : 'RST',
        ttl: defaultTtl(w, ns),
      });
      w.spawn({ ns, pkt: rst, delayMs: 0, why: 'TCP reset (iptables REJECT)', pmtudisc: 'dont', transparent: true });
    }
    return undefined;
  }
  // nf_send_unreach -> icmp_send, at every hook alike. For our own packet
  // (OUTPUT) the error goes from this host to itself: through OUTPUT, lo,
  // PREROUTING and INPUT to the sending socket (ping: "From 10.0.0.1
  // icmp_seq=1 Destination Port Unreachable"; nc: "Connection refused"),
  // unless a rule rejects the error too (icmp_send never answers an error:
  // then nothing reaches the sender). Checked on the kernel (406). A REJECTed
  // echo reply gets no error either: the ICMP socket sending it holds
  // icmp_xmit_lock (checked on the kernel: ping from the peer, INPUT and the
  // rule count, the OUTPUT policy stays at 0).
  const code = r.icmpCode ?? REJECT_ICMP_CODE[r.with] ?? 3;
  icmpSend(w, ns, p, {
    type: ICMP_DEST_UNREACH,
    code,
    localRoute: o.localRoute ?? hook === 'INPUT',
    ...(o.inIfindex !== undefined ? { inIfindex: o.inIfindex } : {}),
    ...(o.icmpSocket && hook === 'OUTPUT' ? { xmitLocked: true } : {}),
  });
  return undefined;
}

export function defaultTtl(w: Walk, ns: NsName): number {
  return Number(w.bns(ns).sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64;
}

/**
 * br_netfilter (net/bridge/br_netfilter_hooks.c): bridged IPv4 frames go
 * through the iptables hooks when net.bridge.bridge-nf-call-iptables=1, with
 * `-i`/`-o` being the bridge and the ports visible to `-m physdev`.
 */
export function bridgeHook(
  w: Walk,
  ns: NsName,
  hook: Extract<Hook, 'PREROUTING' | 'FORWARD' | 'POSTROUTING'>,
  frame: Frame,
  devs: { readonly bridge: number; readonly physIn?: number; readonly physOut?: number },
): Frame | undefined {
  if (frame.type !== 'ipv4') return frame;
  const bns = w.bns(ns);
  // Without tables the hook accepts as is (and ip_rcv's own PREROUTING then accepts too).
  if (bns.sysctl['net.bridge.bridge-nf-call-iptables'] !== '1' || !nfLoaded(bns)) return frame;
  const hd: HookDevs = {
    ...(hook !== 'POSTROUTING' ? { in: devs.bridge } : {}),
    ...(hook !== 'PREROUTING' ? { out: devs.bridge } : {}),
    ...(devs.physIn !== undefined ? { physIn: devs.physIn } : {}),
    ...(devs.physOut !== undefined ? { physOut: devs.physOut } : {}),
  };
  const r = runNfHook(w, ns, hook, frame.ip, hd, { bridged: true });
  const pkt = applyVerdict(w, ns, hook, r, devs.physIn !== undefined ? { inIfindex: devs.physIn } : {});
  if (!pkt) return undefined;
  let out: Frame = frame;
  if (pkt !== frame.ip) out = hook === 'PREROUTING' && pkt.dst !== frame.ip.dst ? bridgedDnat(w, ns, devs.bridge, frame, pkt) : { ...frame, ip: pkt };
  if (hook === 'PREROUTING') w.preroutingDone.add(out);
  return out;
}

/**
 * br_nf_pre_routing_finish(): DNAT changed the destination of a frame
 * entering the bridge. If the new destination is routed back out of the same
 * bridge, the frame stays bridged ("bridged_dnat"): it takes the MAC of the
 * new destination's neighbour entry and the bridge forwards it (so a DNAT
 * back to the sender's own port is dropped unless hairpin is on). Otherwise
 * it keeps the bridge's MAC and goes up to the IP layer.
 */
function bridgedDnat(w: Walk, ns: NsName, bridge: number, frame: Frame & { type: 'ipv4' }, pkt: Ipv4Packet): Frame {
  const bns = w.bns(ns);
  const br = bns.links[bridge];
  if (!br) return { ...frame, ip: pkt };
  const rt = routeInput(bns, pkt.src, pkt.dst, pkt.tos, br);
  if (rt.kind !== 'forward' || rt.outDev !== bridge) return { ...frame, ip: pkt };
  const nh = rt.gateway ?? pkt.dst;
  const n = lookupNeigh(w, ns, bridge, nh);
  if (!n || n.lladdr === undefined || n.state === 'INCOMPLETE' || n.state === 'FAILED') return { ...frame, ip: pkt };
  w.step({ kind: 'bridge', action: `DNAT to ${formatIp4(pkt.dst)}, which is on the bridge itself: the frame stays bridged, to ${n.lladdr}` });
  return { ...frame, dst: n.lladdr as Mac, ip: pkt };
}
