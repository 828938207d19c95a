/**
 * What travels through the datapath: Ethernet frames carrying IPv4 packets or
 * ARP messages. Plain data; the engine copies on change (a packet is small).
 */
import type { Ip4, Mac } from '../model/addr.js';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

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
}

export interface L4Ports {
  readonly sport: number;
  readonly dport: number;
  /** TCP flags of interest: SYN, SYN|ACK, RST, ACK, FIN. */
  readonly flags?: 'SYN' | 'SYNACK' | 'RST' | 'ACK' | 'FIN';
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
  /** Opaque application payload (nc data), for delivery to a listener. */
  readonly data?: string;
  /** skb mark (iptables MARK / -m mark). */
  readonly mark: number;
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

/** Bytes on the wire for a frame's L3 payload (what MTU checks compare). */
export function l3Len(f: Frame): number {
  return f.type === 'ipv4' ? f.ip.len : 28;
}
