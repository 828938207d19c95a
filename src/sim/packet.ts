/**
 * What travels through the datapath: Ethernet frames carrying IPv4 packets or
 * ARP messages. Plain data; the engine copies on change (a packet is small).
 */
import type { Ip4, Mac } from '../model/addr.js';
import type { CtRef } from '../model/netfilter.js';

export const PROTO_ICMP = 1;
/** IPPROTO_IGMP (a bridge's membership reports). */
export const PROTO_IGMP = 2;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** ICMP types and codes the twin produces or understands (RFC 792). */
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
/** Codes of ICMP_DEST_UNREACH. */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_PKT_FILTERED = 13;
/** Codes of ICMP_REDIRECT: for the network, for the host (the only one Linux sends). */
export const ICMP_REDIR_NET = 0;
export const ICMP_REDIR_HOST = 1;
/** Code of ICMP_TIME_EXCEEDED: TTL count exceeded in transit. */
export const ICMP_EXC_TTL = 0;

/** IP header (20, no options) and ICMP/UDP (8) / TCP (20, no options) header sizes. */
export const IP_HLEN = 20;
export const ICMP_HLEN = 8;
export const UDP_HLEN = 8;
export const TCP_HLEN = 20;
/** Ethernet header: what veth adds on the wire (is_skb_forwardable allows mtu + 14 + 4). */
export const ETH_HLEN = 14;

/** Is this ICMP type an error (icmp_pointers[type].error): never answer an error with an error. */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export interface IcmpHeader {
  readonly type: number;
  readonly code: number;
  /** Echo id/seq. */
  readonly id?: number;
  readonly seq?: number;
  /** For errors: the offending packet's header (what the kernel quotes). */
  readonly quoted?: Ipv4Packet;
  /** Next-hop MTU for "fragmentation needed". */
  readonly mtu?: number;
  /** ICMP redirect: the better gateway (icmphdr.un.gateway). */
  readonly gw?: Ip4;
}

/** TCP flag combinations the twin sends: SYN, SYN|ACK, RST, RST|ACK, ACK, PSH|ACK, FIN|ACK. */
export type TcpFlags = 'SYN' | 'SYNACK' | 'RST' | 'RSTACK' | 'ACK' | 'PSHACK' | 'FIN' | 'FINACK';

/** The header bits of a flag combination (FIN 1, SYN 2, RST 4, PSH 8, ACK 16), for `--tcp-flags`. */
export function tcpFlagBits(f: TcpFlags): number {
  switch (f) {
    case 'SYN':
      return 2;
    case 'SYNACK':
      return 2 | 16;
    case 'RST':
      return 4;
    case 'RSTACK':
      return 4 | 16;
    case 'ACK':
      return 16;
    case 'PSHACK':
      return 8 | 16;
    case 'FIN':
      return 1;
    case 'FINACK':
      return 1 | 16;
  }
}

export interface L4Ports {
  readonly sport: number;
  readonly dport: number;
  /** TCP flags of the segment (see tcpFlagBits for the header bits). */
  readonly flags?: TcpFlags;
}

export interface Ipv4Packet {
  readonly src: Ip4;
  readonly dst: Ip4;
  readonly proto: number;
  readonly ttl: number;
  /** Total length in bytes (IP header included). */
  readonly len: number;
  readonly df: boolean;
  readonly tos: number;
  readonly id: number;
  readonly icmp?: IcmpHeader;
  readonly ports?: L4Ports;
  /** Payload carried by a tunnel (VXLAN: UDP payload is an Ethernet frame). */
  readonly inner?: Frame;
  /** VXLAN network identifier of the header carrying `inner` (src/sim/devices/vxlan.ts). */
  readonly vni?: number;
  /** Opaque application payload (nc data), for delivery to a listener. */
  readonly data?: string;
  /** skb mark (iptables MARK / -m mark). */
  readonly mark: number;
  /**
   * Set when the packet travels as IP fragments of at most this many bytes
   * (fragmented by a sender or router because it exceeded an MTU without DF).
   * The twin keeps it one packet; the destination "reassembles" it.
   */
  readonly fragSize?: number;
  /**
   * Conntrack attachment (skb->_nfct), set by nfHook (src/sim/netfilter).
   * Keep it while the packet stays in its namespace (also through lo);
   * drop it, like `mark`, when the packet enters another namespace
   * (skb_scrub_packet on veth/netns crossing).
   */
  readonly ct?: CtRef;
}

export interface ArpMessage {
  readonly op: 'request' | 'reply';
  readonly senderMac: Mac;
  readonly senderIp: Ip4;
  readonly targetMac: Mac;
  readonly targetIp: Ip4;
}

export type Frame =
  | { readonly src: Mac; readonly dst: Mac; readonly type: 'ipv4'; readonly ip: Ipv4Packet; readonly vlan?: number }
  | { readonly src: Mac; readonly dst: Mac; readonly type: 'arp'; readonly arp: ArpMessage; readonly vlan?: number };

/** An ICMP echo request as ping builds it: `payload` data bytes (ping -s, default 56). */
export function echoRequest(o: {
  src: Ip4;
  dst: Ip4;
  id: number;
  seq: number;
  payload: number;
  ttl: number;
  tos?: number;
}): Ipv4Packet {
  return {
    src: o.src,
    dst: o.dst,
    proto: PROTO_ICMP,
    ttl: o.ttl,
    len: IP_HLEN + ICMP_HLEN + o.payload,
    df: false,
    tos: o.tos ?? 0,
    id: 0,
    icmp: { type: ICMP_ECHO, code: 0, id: o.id, seq: o.seq },
    mark: 0,
  };
}

/** A UDP datagram with `payload` data bytes. */
export function udpPacket(o: { src: Ip4; dst: Ip4; sport: number; dport: number; payload: number; ttl: number; data?: string }): Ipv4Packet {
  return {
    src: o.src,
    dst: o.dst,
    proto: PROTO_UDP,
    ttl: o.ttl,
    len: IP_HLEN + UDP_HLEN + o.payload,
    df: false,
    tos: 0,
    id: 0,
    ports: { sport: o.sport, dport: o.dport },
    ...(o.data !== undefined ? { data: o.data } : {}),
    mark: 0,
  };
}

/** A TCP segment: 60 bytes for SYN/SYN-ACK, 52 for other segments without data, 40 for a RST. */
export function tcpPacket(o: {
  src: Ip4;
  dst: Ip4;
  sport: number;
  dport: number;
  flags: NonNullable<L4Ports['flags']>;
  ttl: number;
  data?: string;
}): Ipv4Packet {
  // Linux's options: SYN/SYN-ACK carry MSS, SACK-permitted, timestamps and
  // window scale (20 bytes); later segments the timestamps (12); a RST none.
  const opts = o.flags === 'SYN' || o.flags === 'SYNACK' ? 20 : o.flags === 'RST' || o.flags === 'RSTACK' ? 0 : 12;
  return {
    src: o.src,
    dst: o.dst,
    proto: PROTO_TCP,
    ttl: o.ttl,
    len: IP_HLEN + TCP_HLEN + opts + (o.data?.length ?? 0),
    df: true,
    tos: 0,
    id: 0,
    ports: { sport: o.sport, dport: o.dport, flags: o.flags },
    ...(o.data !== undefined ? { data: o.data } : {}),
    mark: 0,
  };
}

/** Bytes on the wire for a frame's L3 payload (what MTU checks compare). */
export function l3Len(f: Frame): number {
  return f.type === 'ipv4' ? Math.min(f.ip.len, f.ip.fragSize ?? Infinity) : 28;
}

/**
 * skb_scrub_packet(): what a veth crossing or a tunnel decapsulation resets.
 * The conntrack reference goes and the mark becomes `mark`; the result is a new
 * frame object, so per-frame engine markers (br_netfilter's "PREROUTING done",
 * kept in skb extensions by the kernel) do not survive either.
 */
export function scrubFrame(frame: Frame, mark: number): Frame {
  if (frame.type !== 'ipv4') return frame;
  const ip0 = frame.ip;
  // Packets are immutable: one with nothing to reset is shared by the new frame
  // (a veth crossing without iptables copies no packet). One without a conntrack
  // reference is copied by a plain spread: the rest pattern below (a runtime
  // call copying the other keys) showed in the per-walk profile. Same keys,
  // same order either way.
  if (!('ct' in ip0)) return { ...frame, ip: ip0.mark === mark ? ip0 : { ...ip0, mark } };
  const { ct: _ct, ...ip } = ip0;
  return { ...frame, ip: { ...ip, mark } };
}
