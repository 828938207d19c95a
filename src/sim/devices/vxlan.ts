/**
 * The VXLAN device's datapath (drivers/net/vxlan/vxlan_core.c):
 *
 * - xmit (vxlan_xmit): the remote VTEPs come from the device's FDB (the
 *   frame's destination MAC, else the all-zero default entry, one copy per
 *   remote); each copy is wrapped in VXLAN/UDP/IP (50 bytes) and handed to
 *   the IP stack of the device's namespace: UDP to the `dstport`, source
 *   `local` (else the route's), TTL `ttl` (auto: ip_default_ttl), source port
 *   a hash of the inner flow within `srcport` (else ip_local_port_range),
 *   DF clear. No remote: the frame is dropped (tx_dropped).
 * - udpRx (vxlan_rcv): a UDP datagram to a port some VXLAN device of the
 *   namespace uses is decapsulated by the up device with that VNI and port;
 *   with learning on, the inner source MAC is learned behind the outer source
 *   address (vxlan_snoop); the inner frame then arrives on the VXLAN device
 *   (so a bridge it is enslaved to gets it).
 */
import type { Draft } from 'immer';
import type { Mac } from '../../model/addr.js';
import { formatIp4 } from '../../model/addr.js';
import type { NsName, VxlanLink, World } from '../../model/world.js';
import { fdbUsedMs } from '../ops/bridge.js';
import { vxlanRemotes, vxlanSnoopDraft, VXLAN_HEADROOM } from '../ops/vxlan.js';
import { PROTO_UDP, UDP_HLEN, IP_HLEN, l3Len, scrubFrame, type Frame, type Ipv4Packet } from '../packet.js';
import type { DeviceHandler, DpEnv } from './types.js';
import { peek } from '../peek.js';
import { curLink } from './cur.js';

function cfg(env: DpEnv): World {
  return env.world as unknown as World;
}

/**
 * A stable 32-bit hash of the inner flow, standing in for skb_get_hash(): the
 * flow dissector's keys (addresses, protocol, TCP/UDP ports; not the Ethernet
 * addresses, not the ICMP echo id) made symmetric by
 * __flow_hash_consistentify() (the lower address/port first), so a reply
 * leaves by the same outer source port as its request. Checked on the kernel
 * (conntrack of the outer flows): pings with other ids between the same two
 * addresses, forwarded or local, and their echo replies all use one outer
 * port. The kernel's jhash has a per-boot random seed; this one has none.
 * ARP: the sender and target addresses in the same symmetric order (not
 * checked on the kernel).
 */
export function flowHash(f: Frame): number {
  // FNV-1a over the text `a|b|proto|sport|dport` (`arp|a|b`), fed piece by
  // piece: the same value as hashing the joined string, without building it
  // (an array, a join and a string iteration per encapsulated packet).
  let h = 0x811c9dc5;
  if (f.type === 'ipv4') {
    const s0 = f.ip.src as number;
    const s1 = f.ip.ports?.sport ?? 0;
    const d0 = f.ip.dst as number;
    const d1 = f.ip.ports?.dport ?? 0;
    const sFirst = s0 < d0 || (s0 === d0 && s1 <= d1);
    h = fnv(h, String(sFirst ? s0 : d0));
    h = fnv(h, '|');
    h = fnv(h, String(sFirst ? d0 : s0));
    h = fnv(h, '|');
    h = fnv(h, String(f.ip.proto));
    h = fnv(h, '|');
    h = fnv(h, String(sFirst ? s1 : d1));
    h = fnv(h, '|');
    h = fnv(h, String(sFirst ? d1 : s1));
  } else {
    const lo = f.arp.senderIp <= f.arp.targetIp;
    h = fnv(h, 'arp|');
    h = fnv(h, String(lo ? f.arp.senderIp : f.arp.targetIp));
    h = fnv(h, '|');
    h = fnv(h, String(lo ? f.arp.targetIp : f.arp.senderIp));
  }
  return h >>> 0;
}

/** FNV-1a step over the characters of `s` (ASCII: digits, '|', 'arp'). */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * udp_flow_src_port(): a source port in [min, max) from the flow hash; with
 * `srcport 0 0` the range is net.ipv4.ip_local_port_range (max + 1).
 */
export function vxlanSrcPort(world: World, ns: NsName, vx: VxlanLink, inner: Frame): number {
  let min = vx.srcportMin;
  let max = vx.srcportMax;
  if (min >= max) {
    const r = (world.ns[ns]?.sysctl['net.ipv4.ip_local_port_range'] ?? '32768\t60999').split(/\s+/).map(Number);
    min = r[0] ?? 32768;
    max = (r[1] ?? 60999) + 1;
  }
  const h = flowHash(inner);
  return Math.floor((h * (max - min)) / 2 ** 32) + min;
}

/** The outer packet for one remote. */
function encap(world: World, ns: NsName, vx: VxlanLink, inner: Frame, dst: number): Ipv4Packet {
  const innerTtl = inner.type === 'ipv4' ? inner.ip.ttl : 64;
  const ttl = vx.ttlInherit ? innerTtl : vx.ttl > 0 ? vx.ttl : Number(world.ns[ns]?.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64;
  return {
    src: (vx.local ?? 0) as never,
    dst: dst as never,
    proto: PROTO_UDP,
    ttl,
    // inner L3 + inner Ethernet 14 + VXLAN 8 + UDP 8 + IP 20 = inner + VXLAN_HEADROOM
    len: l3Len(inner) + VXLAN_HEADROOM,
    df: false,
    tos: vx.tos ?? 0,
    id: 0,
    ports: { sport: vxlanSrcPort(world, ns, vx, inner), dport: vx.dstport },
    inner,
    vni: vx.vni,
    mark: 0,
  };
}

/*
 * Steps are lazy (formatted only if the trace is read, see DpEnv.step). They
 * close over what no walk changes - `vx` (the walk's aged namespace, or the
 * base world in udpRx), `world`, packets, frames, numbers and strings - and
 * over fields copied out of FDB remotes, which may be the walk's draft.
 */
export const vxlanHandler: DeviceHandler<VxlanLink> = {
  xmit(env, ns, vx, frame) {
    const world = cfg(env);
    const live = curLink(env, ns, vx);
    const remotes = vxlanRemotes(live, frame.dst, env.now);
    if (remotes.length === 0) {
      env.step(() => ({ kind: 'drop', action: `${vx.name}: no remote VTEP for ${frame.dst} (no FDB entry, no 00:00:00:00:00:00 default): dropped` }));
      env.drop('no_route', `${vx.name} has no remote VTEP for ${frame.dst}`);
      return;
    }
    // vxlan_xmit() -> vxlan_find_mac(): the entry found (the MAC's own or the all-zero
    // default) gets f->used = jiffies; one kernel entry holds all of a MAC's remotes.
    const key = remotes[0]!.mac;
    if (remotes.some((r) => fdbUsedMs(r) !== env.now)) {
      // Only the MAC's entries are drafted (iterating the draft FDB drafted every entry: one per node in flannel).
      const fdb = (env.ns(ns).links[vx.ifindex] as Draft<VxlanLink>).fdb;
      const entries = peek(fdb);
      for (let i = 0; i < entries.length; i++) if (peek(entries[i]!).mac === key) fdb[i]!.usedMs = env.now;
    }
    for (const r of remotes) {
      const outer = encap(world, ns, vx, frame, r.dst!);
      const via = r.via ?? vx.dev;
      // The remote may be an entry of the walk's draft (learned earlier in the walk): its fields are copied now.
      const { mac, dst, via: rvia, state } = r;
      const sport = outer.ports!.sport;
      const len = outer.len;
      env.step(() => ({
        kind: 'encap',
        action: `${vx.name}: VXLAN vni ${vx.vni} to ${formatIp4(dst!)}:${vx.dstport} (udp sport ${sport}), ${len} bytes outer`,
        entry: `${mac} dst ${formatIp4(dst!)}${rvia !== undefined ? ` via ${world.ns[ns]?.links[rvia]?.name ?? rvia}` : ''} self${state === 'dynamic' ? '' : ` ${state}`}`,
      }));
      // ipOutput reads both with `!== undefined`: no conditional spreads per encapsulated packet.
      env.ipOutput(ns, outer, { oif: via, srcHint: vx.local });
    }
  },

  udpRx(env, ns, pkt, _inIfindex) {
    if (pkt.proto !== PROTO_UDP || !pkt.ports) return false;
    const bns = cfg(env).ns[ns];
    if (!bns) return false;
    const port = pkt.ports.dport;
    // The VXLAN socket on this port exists while some device using the port is up.
    const onPort = Object.values(bns.links).filter((l): l is VxlanLink => l.kind === 'vxlan' && l.dstport === port && l.adminUp);
    if (onPort.length === 0) return false;
    const inner = pkt.inner;
    if (!inner || pkt.vni === undefined || pkt.len < IP_HLEN + UDP_HLEN + 8 + 14) {
      env.step(() => ({ kind: 'drop', action: `UDP port ${port}: not a VXLAN packet: dropped` }));
      env.drop('exits_network', `a non-VXLAN datagram reached the VXLAN socket on port ${port}`);
      return true;
    }
    const vx = onPort.find((l) => l.vni === pkt.vni);
    if (!vx) {
      env.step(() => ({ kind: 'drop', action: `UDP port ${port}: no VXLAN device with vni ${pkt.vni}: dropped` }));
      env.drop('exits_network', `no VXLAN device with vni ${pkt.vni} on port ${port} in this namespace`);
      return true;
    }
    if (inner.src === vx.mac) {
      env.step(() => ({ kind: 'drop', action: `${vx.name}: inner source is our own MAC: dropped` }));
      env.drop('loop', `${vx.name} received its own frame back`);
      return true;
    }
    env.step(() => ({ kind: 'decap', action: `${vx.name}: VXLAN vni ${vx.vni} from ${formatIp4(pkt.src)}: decapsulated` }));
    if (vx.learning) {
      const live = env.ns(ns).links[vx.ifindex] as Draft<VxlanLink>;
      const r = vxlanSnoopDraft(live, inner.src as Mac, pkt.src, env.now);
      if (r === 'drop') {
        env.step(() => ({ kind: 'drop', action: `${vx.name}: ${inner.src} has a static entry with another remote: dropped` }));
        env.drop('denied_in', `${inner.src} is pinned to another VTEP by a static FDB entry`);
        return true;
      }
      if (r !== 'ignored' && r !== 'refreshed') env.step(() => ({ kind: 'bridge', action: `${vx.name}: ${r} ${inner.src} dst ${formatIp4(pkt.src)}` }));
    }
    // vxlan_rcv -> __iptunnel_pull_header -> skb_scrub_packet(): the inner packet starts
    // without a conntrack reference (nf_reset_ct) and, being the received skb, with the
    // mark the outer packet had here (0 after the veth crossing), not the sender's.
    env.receive(ns, vx.ifindex, scrubFrame(inner, pkt.mark));
    return true;
  },
};
