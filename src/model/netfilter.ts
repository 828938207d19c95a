/**
 * Netfilter state of one namespace: the iptables tables (filter, nat, mangle,
 * raw) with their chains, rules and counters, and the conntrack table.
 *
 * Owned by the iptables/netfilter work (src/sim/netfilter, src/shell/iptables).
 * The rule representation keeps what `iptables-save` needs to print a rule back
 * exactly as iptables does.
 */
import type { Ip4 } from './addr.js';

export type TableName = 'filter' | 'nat' | 'mangle' | 'raw';
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface Counters {
  readonly pkts: number;
  readonly bytes: number;
}

export interface NfRule {
  /** Matches and target in iptables' canonical form; see src/sim/netfilter. */
  readonly spec: unknown;
  readonly counters: Counters;
}

export interface NfChain {
  readonly name: string;
  /** Built-in chains have a policy; user chains do not. */
  readonly policy?: 'ACCEPT' | 'DROP';
  readonly counters: Counters;
  readonly rules: readonly NfRule[];
}

export interface NfTable {
  readonly name: TableName;
  /** Chains in creation order (built-ins first). */
  readonly chains: readonly NfChain[];
}

export interface NetfilterState {
  /** A table appears once anything touched it (iptables-save prints only loaded tables). */
  readonly tables: Readonly<Partial<Record<TableName, NfTable>>>;
}

export interface ConntrackTuple {
  readonly proto: number;
  readonly src: Ip4;
  readonly dst: Ip4;
  /** Ports for TCP/UDP; ICMP id in sport and 0 in dport. */
  readonly sport: number;
  readonly dport: number;
}

export interface ConntrackEntry {
  /** The tuple as the first packet carried it. */
  readonly orig: ConntrackTuple;
  /** The tuple replies carry (after NAT decided on the first packet). */
  readonly reply: ConntrackTuple;
  readonly state: 'NEW' | 'ESTABLISHED';
  readonly seenReply: boolean;
  readonly expiresMs: number;
}

export const EMPTY_NETFILTER: NetfilterState = { tables: {} };
