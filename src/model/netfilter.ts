/**
 * Netfilter state of one namespace: the iptables tables (filter, nat, mangle,
 * raw) with their chains, rules and counters, and the conntrack table.
 *
 * Owned by the iptables/netfilter work (src/sim/netfilter, src/shell/iptables).
 * The rule representation keeps what `iptables-save` needs to print a rule back
 * exactly as iptables does (matches in command-line order, addresses already
 * reduced to their network, MARK already in --set-xmark form).
 *
 * The twin models iptables-nft (`iptables -V`: "iptables v1.8.9 (nf_tables)"):
 * a table exists only once a command changed it (`iptables -L` does not create
 * it), and a built-in chain exists in the kernel only once a rule or a policy
 * was put on it; the tools show missing built-ins as empty chains with policy
 * ACCEPT and counters [0:0].
 */
import type { Ip4 } from './addr.js';

export type TableName = 'filter' | 'nat' | 'mangle' | 'raw';
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface Counters {
  readonly pkts: number;
  readonly bytes: number;
}

/** An inclusive port range (`--dport 80` is {lo:80, hi:80}). */
export interface PortRange {
  readonly lo: number;
  readonly hi: number;
}

/** `-s`/`-d`: address already masked (iptables stores addr & mask), mask as uint32. */
export interface AddrMatch {
  readonly addr: Ip4;
  readonly mask: number;
  readonly inv: boolean;
}

/** `-i`/`-o`: a name, possibly ending in `+` (prefix wildcard). */
export interface IfaceMatch {
  readonly name: string;
  readonly inv: boolean;
}

/** conntrack/state states, as the bits xt_conntrack uses. */
export type CtStateName = 'INVALID' | 'NEW' | 'RELATED' | 'ESTABLISHED' | 'UNTRACKED' | 'SNAT' | 'DNAT';

/** addrtype names (RTN_*), as libxt_addrtype prints them. */
export type AddrTypeName =
  | 'UNSPEC'
  | 'UNICAST'
  | 'LOCAL'
  | 'BROADCAST'
  | 'ANYCAST'
  | 'MULTICAST'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

/** One `-m` match (or the implicit tcp/udp/icmp match of `-p X --dport`), in rule order. */
export type NfMatch =
  | {
      readonly kind: 'tcp' | 'udp';
      readonly sport?: PortRange;
      readonly sportInv?: boolean;
      readonly dport?: PortRange;
      readonly dportInv?: boolean;
      /** tcp only: `--tcp-flags MASK COMP` (`--syn` is FIN,SYN,RST,ACK SYN). Bits: FIN 1 SYN 2 RST 4 PSH 8 ACK 16 URG 32. */
      readonly flags?: { readonly mask: number; readonly cmp: number; readonly inv: boolean };
    }
  | {
      readonly kind: 'icmp';
      /** 255 = any type. */
      readonly type: number;
      readonly codeMin: number;
      readonly codeMax: number;
      readonly inv: boolean;
    }
  | { readonly kind: 'comment'; readonly text: string }
  | {
      readonly kind: 'addrtype';
      readonly src?: { readonly types: readonly AddrTypeName[]; readonly inv: boolean };
      readonly dst?: { readonly types: readonly AddrTypeName[]; readonly inv: boolean };
      readonly limitIfaceIn?: boolean;
      readonly limitIfaceOut?: boolean;
    }
  | { readonly kind: 'conntrack' | 'state'; readonly states: readonly CtStateName[]; readonly inv: boolean }
  | {
      readonly kind: 'multiport';
      readonly which: 'sports' | 'dports' | 'ports';
      readonly ports: readonly PortRange[];
      readonly inv: boolean;
    }
  | { readonly kind: 'mark'; readonly value: number; readonly mask: number; readonly inv: boolean }
  /**
   * `-m statistic` (xt_statistic). random: matches when
   * `(get_random_u32() & 0x7FFFFFFF) < probability`, probability stored as
   * lround(0x80000000 * p) (printed back as %.11f of that, e.g. 0.33333333349);
   * the twin's draw is deterministic (see NfRandomDraw). nth: `every` is stored
   * minus one as the kernel does, `packet` is the configured start, `count` the
   * live counter (kernel u.nth.count: not printed, not compared by -C/-D).
   */
  | { readonly kind: 'statistic'; readonly mode: 'random'; readonly probability: number; readonly inv: boolean }
  | { readonly kind: 'statistic'; readonly mode: 'nth'; readonly every: number; readonly packet: number; readonly count: number; readonly inv: boolean }
  | {
      readonly kind: 'physdev';
      readonly physIn?: IfaceMatch;
      readonly physOut?: IfaceMatch;
      /** `--physdev-is-in`, `--physdev-is-out`, `--physdev-is-bridged` (with their `!`). */
      readonly isIn?: { readonly inv: boolean };
      readonly isOut?: { readonly inv: boolean };
      readonly isBridged?: { readonly inv: boolean };
    };

export type RejectWith =
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'icmp-admin-prohibited'
  | 'tcp-reset';

/** A NAT range as `--to-source`/`--to-destination`/`--to-ports` give it. */
export interface NatRange {
  readonly minIp?: Ip4;
  readonly maxIp?: Ip4;
  readonly minPort?: number;
  readonly maxPort?: number;
}

export type NfTarget =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  /** `-j CHAIN` (goto: false) or `-g CHAIN` (goto: true). */
  | { readonly kind: 'jump'; readonly chain: string; readonly goto: boolean }
  | { readonly kind: 'REJECT'; readonly with: RejectWith }
  | { readonly kind: 'LOG'; readonly prefix?: string; readonly level: number }
  | { readonly kind: 'MASQUERADE'; readonly ports?: NatRange; readonly random: boolean; readonly randomFully: boolean }
  | { readonly kind: 'SNAT' | 'DNAT'; readonly range: NatRange; readonly random: boolean; readonly persistent: boolean; readonly randomFully: boolean }
  /** MARK, always in its --set-xmark form: mark = (mark & ~mask) ^ value. */
  | { readonly kind: 'MARK'; readonly value: number; readonly mask: number }
  /** raw table: `-j NOTRACK` or `-j CT --notrack` (listed as target CT). */
  | { readonly kind: 'NOTRACK'; readonly ctForm: boolean };

/** A rule: iptables' ipt_entry (addresses, interfaces, protocol) plus matches and target. */
export interface NfRuleSpec {
  readonly src?: AddrMatch;
  readonly dst?: AddrMatch;
  readonly inIf?: IfaceMatch;
  readonly outIf?: IfaceMatch;
  /** IP protocol number; absent = all (0). */
  readonly proto?: { readonly num: number; readonly inv: boolean };
  readonly matches: readonly NfMatch[];
  /** Absent: a rule without -j/-g (only counts). */
  readonly target?: NfTarget;
}

export interface NfRule {
  readonly spec: NfRuleSpec;
  readonly counters: Counters;
}

export interface NfChain {
  readonly name: string;
  /** Built-in chains have a policy; user chains do not. */
  readonly policy?: 'ACCEPT' | 'DROP';
  /**
   * Built-in chain counters (nft base-chain stats). iptables-nft attaches them
   * when `iptables -P` sets the policy or `iptables -Z` zeroes the chain (both
   * reset them to 0); a built-in chain created by adding a rule has none until
   * then, and its policy hits are not counted (shown as [0:0]).
   * Undefined = no stats. Always undefined for user chains.
   */
  readonly counters?: Counters;
  /**
   * A built-in chain that exists in the kernel (nft creates base chains on
   * demand). Not-yet-created built-ins are still listed by the tools. Always
   * true for user chains.
   */
  readonly created: boolean;
  readonly rules: readonly NfRule[];
}

export interface NfTable {
  readonly name: TableName;
  /** Built-in chains in the table's fixed order, then user chains in creation order. */
  readonly chains: readonly NfChain[];
}

export interface NetfilterState {
  /** A table appears once anything changed it (iptables-save prints only existing tables). */
  readonly tables: Readonly<Partial<Record<TableName, NfTable>>>;
  /**
   * Twin-only (not kernel state): how `-m statistic --mode random` draws in
   * this namespace. Absent = 'hash'. See NfRandomDraw.
   */
  readonly random?: NfRandomDraw;
}

/**
 * How the twin decides a `-m statistic --mode random` match, where the kernel
 * draws get_random_u32() per packet. Traces state the assumption.
 */
export type NfRandomDraw =
  /**
   * A hash of the packet's flow (addresses, protocol, ports or echo id), the
   * chain and the rule's position, compared with the probability: the same
   * flow always takes the same branch, different flows spread as the
   * probabilities say.
   */
  | { readonly kind: 'hash' }
  /**
   * In each traversal of a chain, the random-mode rules before the `pick`-th
   * (0-based) do not match and the `pick`-th matches; past the last one, none
   * matches (kube-proxy's KUBE-SVC-* chain then takes its final rule). Lets a
   * verifier walk every branch ("any backend").
   */
  | { readonly kind: 'pick'; readonly pick: number };

export interface ConntrackTuple {
  readonly proto: number;
  readonly src: Ip4;
  readonly dst: Ip4;
  /**
   * TCP/UDP: the ports. ICMP (the kernel keys it on id, type and code): sport is
   * the echo id and dport the ICMP type (8 in an echo's original tuple, 0 in
   * its reply tuple). 0 for other protocols.
   */
  readonly sport: number;
  readonly dport: number;
}

export interface ConntrackEntry {
  /** The tuple as the first packet carried it (IP_CT_DIR_ORIGINAL). */
  readonly orig: ConntrackTuple;
  /** The tuple replies carry (after NAT decided on the first packet): IP_CT_DIR_REPLY. */
  readonly reply: ConntrackTuple;
  /** NEW until a reply was seen, then ESTABLISHED (the conntrack tool's view). */
  readonly state: 'NEW' | 'ESTABLISHED';
  readonly seenReply: boolean;
  /** Confirmed (in the hash table) once its first packet left the last hook (__nf_conntrack_confirm). */
  readonly confirmed: boolean;
  /** nf_nat_initialized(ct, DST) / (ct, SRC): the nat chains of that manip type were run (or a null binding made). */
  readonly natDoneDst: boolean;
  readonly natDoneSrc: boolean;
  /** TCP state machine, simplified (SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE). */
  readonly tcpState?: 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE';
  readonly expiresMs: number;
}

export const EMPTY_NETFILTER: NetfilterState = { tables: {} };

/**
 * What a packet carries about its conntrack entry (the kernel's skb->_nfct
 * plus ctinfo). Set by netfilter at PREROUTING/OUTPUT; it stays with the
 * packet inside its namespace (also across lo) and must be dropped when the
 * packet crosses into another namespace (veth: skb_scrub_packet).
 * The entry is found again by its original tuple (unique in a table; see
 * ctHash in src/sim/netfilter/conntrack.ts): no string key is built.
 */
export type CtRef =
  | {
      /** The entry's original tuple (IP_CT_DIR_ORIGINAL). */
      readonly orig: ConntrackTuple;
      readonly dir: 'orig' | 'reply';
      /** ctinfo as -m conntrack --ctstate sees it. */
      readonly state: 'NEW' | 'ESTABLISHED' | 'RELATED';
    }
  /** After raw NOTRACK: no entry. */
  | { readonly orig?: undefined; readonly dir: 'orig'; readonly state: 'UNTRACKED' };
