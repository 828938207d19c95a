/**
 * Rule evaluation (ipt_do_table / nft_do_chain), per-hook table order,
 * conntrack and NAT (nf_nat_inet_fn, nf_nat_packet, nf_nat_icmp_reply_translation).
 * The public entry point is nfHook in ./index.ts.
 */
import type { Draft } from 'immer';
import { peek } from '../peek.js';
import { formatIp4, type Ip4 } from '../../model/addr.js';
import type {
  AddrTypeName,
  ConntrackEntry,
  ConntrackTuple,
  CtRef,
  CtStateName,
  Hook,
  IfaceMatch,
  NfChain,
  NfMatch,
  NfRuleSpec,
  NfTable,
  RejectWith,
  TableName,
} from '../../model/netfilter.js';
import type { Netns } from '../../model/world.js';
import { addrType, SCOPE_UNIVERSE, selectSource } from '../fib.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcpFlagBits, type Ipv4Packet } from '../packet.js';
import type { HeaderView, Step } from '../trace.js';
import {
  ctConfirm,
  ctExpire,
  ctFind,
  ctGet,
  ctPeek,
  ctNew,
  ctSeen,
  ctSetReply,
  ICMP_ERRORS,
  invertTuple,
  mayStartFlow,
  origOf,
  replyTupleTaken,
  tupleOf,
} from './conntrack.js';
import { saveRule, statisticProbabilityText } from './format.js';
import type { NfDevs, NfEnv, NfResult } from './index.js';
import { isBuiltin } from './tables.js';

type Verdict =
  /** `rule`: the ACCEPT rule, when commented MARK rules led to it (see Ctx.marked). */
  | { readonly v: 'ACCEPT'; readonly rule?: string }
  | { readonly v: 'DROP' | 'REJECT'; readonly with?: RejectWith; readonly chain: string; readonly rule: string }
  /** A NAT target decided (ACCEPT after setting up the binding). */
  | { readonly v: 'NAT'; readonly spec: NfRuleSpec; readonly chain: string; readonly rule: string };

interface Ctx {
  readonly ns: Draft<Netns>;
  /** The table as read (see peek: not a draft); counters are written through `ns`. */
  readonly table: NfTable;
  readonly hook: Hook;
  pkt: Ipv4Packet;
  readonly devs: NfDevs;
  readonly env: NfEnv;
  /** conntrack states of the packet as -m conntrack/-m state see them. */
  readonly ctStates: ReadonlySet<CtStateName>;
  depth: number;
  /** The last rule that matched with a terminal effect (for the trace). */
  notrack: boolean;
  /** The chain and rule (0-based) being matched, for -m statistic's draw. */
  chain: string;
  ruleIndex: number;
  /** Index of that chain in its table, and of the match being tested in the rule (nth writes its counter through the draft). */
  chainIndex: number;
  matchIndex: number;
  /** Random-mode statistic matches evaluated so far in this chain traversal (NfRandomDraw 'pick'). */
  randomDraws: number;
  /**
   * Commented MARK rules that matched (a policy agent's "allowed by" marks):
   * each is a trace step, and the ACCEPT that follows is shown with its rule.
   */
  marked: number;
}

// ---------------------------------------------------------------------------
// matching

function ifaceMatches(m: IfaceMatch | undefined, dev: string | undefined): boolean {
  if (!m) return true;
  const name = dev ?? '';
  let hit: boolean;
  if (m.name.endsWith('+')) hit = name.startsWith(m.name.slice(0, -1));
  else hit = name === m.name;
  return hit !== m.inv;
}

function inRange(p: number, r: { lo: number; hi: number } | undefined): boolean {
  return !r || (p >= r.lo && p <= r.hi);
}

const RTN_NAME: Readonly<Record<string, AddrTypeName>> = {
  unicast: 'UNICAST',
  local: 'LOCAL',
  broadcast: 'BROADCAST',
  anycast: 'ANYCAST',
  multicast: 'MULTICAST',
  blackhole: 'BLACKHOLE',
  unreachable: 'UNREACHABLE',
  prohibit: 'PROHIBIT',
  throw: 'THROW',
};

function matchOne(c: Ctx, m: NfMatch): boolean {
  const p = c.pkt;
  switch (m.kind) {
    case 'tcp':
    case 'udp': {
      if (!p.ports) return false;
      if (m.sport && inRange(p.ports.sport, m.sport) === !!m.sportInv) return false;
      if (m.dport && inRange(p.ports.dport, m.dport) === !!m.dportInv) return false;
      if (m.flags) {
        // A segment without explicit flags is a plain ACK (mid-connection data).
        const bits = tcpFlagBits(p.ports.flags ?? 'ACK');
        if (((bits & m.flags.mask) === m.flags.cmp) === m.flags.inv) return false;
      }
      return true;
    }
    case 'icmp': {
      if (p.proto !== PROTO_ICMP || !p.icmp) return false;
      const hit = m.type === 0xff || (p.icmp.type === m.type && p.icmp.code >= m.codeMin && p.icmp.code <= m.codeMax);
      return hit !== m.inv;
    }
    case 'comment':
      return true;
    case 'addrtype': {
      if (m.src && m.src.types.includes(RTN_NAME[addrType(c.ns as Netns, p.src)] ?? 'UNICAST') === m.src.inv) return false;
      if (m.dst && m.dst.types.includes(RTN_NAME[addrType(c.ns as Netns, p.dst)] ?? 'UNICAST') === m.dst.inv) return false;
      return true;
    }
    case 'conntrack':
    case 'state':
      return m.states.some((s) => c.ctStates.has(s)) !== m.inv;
    case 'multiport': {
      if (!p.ports) return false;
      const { sport, dport } = p.ports;
      const hit = m.ports.some((r) =>
        m.which === 'sports' ? inRange(sport, r) : m.which === 'dports' ? inRange(dport, r) : inRange(sport, r) || inRange(dport, r),
      );
      return hit !== m.inv;
    }
    case 'mark':
      return (((p.mark & m.mask) >>> 0) === m.value) !== m.inv;
    case 'statistic':
      return statisticMatch(c, m);
    case 'physdev': {
      if (m.physIn && !ifaceMatches(m.physIn, c.devs.physIn)) return false;
      if (m.physOut && !ifaceMatches(m.physOut, c.devs.physOut)) return false;
      if (m.isIn && (c.devs.physIn !== undefined) === m.isIn.inv) return false;
      if (m.isOut && (c.devs.physOut !== undefined) === m.isOut.inv) return false;
      if (m.isBridged && !!c.env.bridged === m.isBridged.inv) return false;
      return true;
    }
  }
}

/** FNV-1a over a string: the twin's stand-in for get_random_u32() (see NfRandomDraw 'hash'). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The packet's flow as the hash sees it: addresses, protocol, ports or echo id. */
function flowText(p: Ipv4Packet): string {
  const l4 = p.ports ? `${p.ports.sport}:${p.ports.dport}` : p.icmp?.id !== undefined ? `id ${p.icmp.id}` : '';
  return `${p.src}>${p.dst}/${p.proto}/${l4}`;
}

/**
 * xt_statistic's statistic_mt(). nth: the kernel's counter (`count`, shared by
 * every packet reaching the match) advances; the match fires when it wraps to
 * 0. random: the kernel compares a fresh random number with the probability;
 * the twin draws deterministically (the namespace's NfRandomDraw) and says so
 * in the trace.
 */
function statisticMatch(c: Ctx, m: Extract<NfMatch, { kind: 'statistic' }>): boolean {
  if (m.mode === 'nth') {
    // The live counter is kernel state: written through the draft (the rule is read through peek).
    const dm = chainDraft(c.ns, c.table.name, c.chainIndex).rules[c.ruleIndex]!.spec.matches[c.matchIndex] as Draft<Extract<NfMatch, { kind: 'statistic'; mode: 'nth' }>>;
    const next = dm.count === dm.every ? 0 : dm.count + 1;
    dm.count = next;
    return (next === 0) !== m.inv;
  }
  const draw = c.ns.netfilter.random ?? { kind: 'hash' as const };
  const p = statisticProbabilityText(m.probability);
  let hit: boolean;
  let how: string;
  if (draw.kind === 'pick') {
    hit = c.randomDraws === draw.pick;
    how = `the twin takes random branch ${draw.pick} of each chain (NfRandomDraw pick)`;
  } else {
    const r = fnv1a(`${flowText(c.pkt)}|${c.chain}|${c.ruleIndex}`) & 0x7fffffff;
    hit = r < m.probability;
    how = 'the twin draws from a hash of the flow instead of at random: an assumption';
  }
  c.randomDraws++;
  const matched = hit !== m.inv;
  c.env.step?.({ kind: 'netfilter', action: `${c.table.name} ${c.chain}: statistic random ${m.inv ? '! ' : ''}probability ${p}: ${matched ? 'matched' : 'not matched'} (${how})` });
  return matched;
}

function ruleMatches(c: Ctx, s: NfRuleSpec): boolean {
  const p = c.pkt;
  if (s.src && (((p.src & s.src.mask) >>> 0) === s.src.addr) === s.src.inv) return false;
  if (s.dst && (((p.dst & s.dst.mask) >>> 0) === s.dst.addr) === s.dst.inv) return false;
  if (!ifaceMatches(s.inIf, c.devs.in)) return false;
  if (!ifaceMatches(s.outIf, c.devs.out)) return false;
  if (s.proto && s.proto.num !== 0 && (p.proto === s.proto.num) === s.proto.inv) return false;
  for (let j = 0; j < s.matches.length; j++) {
    c.matchIndex = j;
    if (!matchOne(c, s.matches[j]!)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// traversal

/** A chain of a table and its index (read through peek, no draft made). */
function findChain(t: NfTable, name: string): { chain: NfChain; index: number } | undefined {
  const chains = peek(t.chains);
  for (let i = 0; i < chains.length; i++) {
    const ch = peek(chains[i]!);
    if (ch.name === name) return { chain: ch, index: i };
  }
  return undefined;
}

/** The draft of a chain, to write its counters (only the written path is drafted). */
function chainDraft(ns: Draft<Netns>, table: TableName, index: number): Draft<NfChain> {
  return ns.netfilter.tables[table]!.chains[index]!;
}

/** Run a chain; undefined = fell off the end or RETURN. */
function runChain(c: Ctx, chainName: string): Verdict | undefined {
  const found = findChain(c.table, chainName);
  if (!found) return undefined;
  const chain = found.chain;
  const rules = peek(chain.rules);
  if (++c.depth > 64) return undefined; // nft caps jump depth; loops are refused at insert time
  const saved = { chain: c.chain, ruleIndex: c.ruleIndex, randomDraws: c.randomDraws, chainIndex: c.chainIndex };
  c.chain = chainName;
  c.chainIndex = found.index;
  c.randomDraws = 0;
  try {
    for (let i = 0; i < rules.length; i++) {
      const r = peek(rules[i]!);
      const spec = peek(r.spec) as NfRuleSpec;
      c.ruleIndex = i;
      if (!ruleMatches(c, spec)) continue;
      // ADD_COUNTER per match: a chain traversed twice counts twice.
      if (c.env.counters) c.env.counters.rule(c.table.name, found.index, i, c.pkt.len);
      else {
        const rd = chainDraft(c.ns, c.table.name, found.index).rules[i]!;
        rd.counters = { pkts: rd.counters.pkts + 1, bytes: rd.counters.bytes + c.pkt.len };
      }
      const t = spec.target;
      if (!t) continue;
      switch (t.kind) {
        case 'ACCEPT':
          return c.marked > 0 ? { v: 'ACCEPT', rule: saveRule(chainName, spec) } : { v: 'ACCEPT' };
        case 'DROP':
          return { v: 'DROP', chain: chainName, rule: saveRule(chainName, spec) };
        case 'REJECT':
          return { v: 'REJECT', with: t.with, chain: chainName, rule: saveRule(chainName, spec) };
        case 'RETURN':
          return undefined;
        case 'jump': {
          const v = runChain(c, t.chain);
          if (v || t.goto) return v;
          continue;
        }
        case 'LOG':
          continue;
        case 'MARK':
          c.pkt = { ...c.pkt, mark: ((c.pkt.mark & ~t.mask) ^ t.value) >>> 0 };
          if (spec.matches.some((m) => m.kind === 'comment')) {
            // A commented mark records a decision (NetworkPolicy agents mark what a policy rule allowed).
            c.marked++;
            const text = (spec.matches.find((m) => m.kind === 'comment') as { text: string }).text;
            c.env.step?.({ kind: 'netfilter', action: `${c.table.name} ${chainName}: MARK (${text})`, entry: saveRule(chainName, spec) });
          }
          continue;
        case 'NOTRACK':
          c.notrack = true;
          continue;
        case 'MASQUERADE':
        case 'SNAT':
        case 'DNAT':
          return { v: 'NAT', spec, chain: chainName, rule: saveRule(chainName, spec) };
      }
    }
    return undefined;
  } finally {
    c.depth--;
    c.chain = saved.chain;
    c.ruleIndex = saved.ruleIndex;
    c.randomDraws = saved.randomDraws;
    c.chainIndex = saved.chainIndex;
  }
}

interface TableOutcome {
  readonly verdict: Verdict;
  /** The rule or policy that decided, for the trace. */
  readonly entry?: string;
}

/** Traverse a built-in chain of a table; applies and counts the policy. */
function runTable(
  ns: Draft<Netns>,
  tableName: TableName,
  hook: Hook,
  pkt: Ipv4Packet,
  devs: NfDevs,
  env: NfEnv,
  ctStatesOf: ReadonlySet<CtStateName> | (() => ReadonlySet<CtStateName>),
): { outcome: TableOutcome; pkt: Ipv4Packet; notrack: boolean } | undefined {
  const table = peek(peek(peek(peek(ns).netfilter).tables)[tableName]);
  if (!table || !isBuiltin(tableName, hook)) return undefined;
  const found = findChain(table, hook);
  if (!found || !found.chain.created) return undefined;
  const chain = found.chain;
  // Performance: the packet's conntrack states are computed only for a table that exists.
  const ctStates = typeof ctStatesOf === 'function' ? ctStatesOf() : ctStatesOf;
  const c: Ctx = { ns, table, hook, pkt, devs, env, ctStates, depth: 0, notrack: false, chain: hook, ruleIndex: 0, chainIndex: 0, matchIndex: 0, randomDraws: 0, marked: 0 };
  const v = runChain(c, hook);
  if (v) return { outcome: { verdict: v, entry: v.rule }, pkt: c.pkt, notrack: c.notrack };
  const policy = chain.policy ?? 'ACCEPT';
  if (chain.counters) {
    if (env.counters) env.counters.policy(tableName, found.index, c.pkt.len);
    else {
      const cd = chainDraft(ns, tableName, found.index);
      cd.counters = { pkts: cd.counters!.pkts + 1, bytes: cd.counters!.bytes + c.pkt.len };
    }
  }
  const entry = `-P ${hook} ${policy}`;
  const verdict: Verdict = policy === 'DROP' ? { v: 'DROP', chain: hook, rule: entry } : { v: 'ACCEPT' };
  return { outcome: { verdict, entry }, pkt: c.pkt, notrack: c.notrack };
}

// ---------------------------------------------------------------------------
// headers for the trace

function view(p: Ipv4Packet): HeaderView {
  const proto = p.proto === PROTO_ICMP ? 'icmp' : p.proto === PROTO_TCP ? 'tcp' : p.proto === PROTO_UDP ? 'udp' : p.proto;
  return {
    src: formatIp4(p.src),
    dst: formatIp4(p.dst),
    proto,
    ttl: p.ttl,
    len: p.len,
    ...(p.ports ? { sport: p.ports.sport, dport: p.ports.dport } : {}),
    ...(p.icmp ? { icmpType: p.icmp.type, icmpCode: p.icmp.code } : {}),
  };
}

function tupleText(t: ConntrackTuple): string {
  const proto = t.proto === PROTO_ICMP ? 'icmp' : t.proto === PROTO_TCP ? 'tcp' : t.proto === PROTO_UDP ? 'udp' : `proto ${t.proto}`;
  if (t.proto === PROTO_ICMP) return `${proto} ${formatIp4(t.src)} -> ${formatIp4(t.dst)} id ${t.sport}`;
  if (t.proto === PROTO_TCP || t.proto === PROTO_UDP) return `${proto} ${formatIp4(t.src)}:${t.sport} -> ${formatIp4(t.dst)}:${t.dport}`;
  return `${proto} ${formatIp4(t.src)} -> ${formatIp4(t.dst)}`;
}

// ---------------------------------------------------------------------------
// NAT

/** Rewrite a packet's source or destination (address and port/echo id) from a tuple (nf_nat_ipv4_manip_pkt). */
function manip(p: Ipv4Packet, target: ConntrackTuple, kind: 'src' | 'dst'): Ipv4Packet {
  const l4 = p.ports && (p.proto === PROTO_TCP || p.proto === PROTO_UDP);
  // ICMP queries carry the id in the "source port" slot of both directions' tuples.
  const echo = p.proto === PROTO_ICMP && p.icmp?.id !== undefined && !ICMP_ERRORS.has(p.icmp.type);
  if (kind === 'src') {
    const sameL4 = l4 ? p.ports!.sport === target.sport : echo ? p.icmp!.id === target.sport : true;
    if (p.src === target.src && sameL4) return p;
    const out: Ipv4Packet = { ...p, src: target.src };
    if (l4) return { ...out, ports: { ...p.ports!, sport: target.sport } };
    if (echo) return { ...out, icmp: { ...p.icmp!, id: target.sport } };
    return out;
  }
  const sameL4 = l4 ? p.ports!.dport === target.dport : echo ? p.icmp!.id === target.sport : true;
  if (p.dst === target.dst && sameL4) return p;
  const out: Ipv4Packet = { ...p, dst: target.dst };
  if (l4) return { ...out, ports: { ...p.ports!, dport: target.dport } };
  if (echo) return { ...out, icmp: { ...p.icmp!, id: target.sport } };
  return out;
}

/** SNAT hooks manipulate the source, DNAT hooks the destination (HOOK2MANIP). */
function manipOf(hook: Hook): 'src' | 'dst' {
  return hook === 'POSTROUTING' || hook === 'INPUT' ? 'src' : 'dst';
}

/** nf_nat_packet(): translate a packet of a tracked flow at a nat hook. */
function natPacket(e: ConntrackEntry, dir: 'orig' | 'reply', hook: Hook, p: Ipv4Packet): Ipv4Packet {
  const other = dir === 'orig' ? e.reply : e.orig;
  const target = invertTuple(other);
  const kind = manipOf(hook);
  if (p.proto === PROTO_ICMP && target.proto === PROTO_ICMP) {
    // ICMP: only addresses and the id move; the type stays what the packet carries.
    return manip(p, { ...target, dport: p.icmp?.type ?? target.dport }, kind);
  }
  return manip(p, target, kind);
}

/** nf_nat_icmp_reply_translation(): an ICMP error about a NATed flow: fix the quoted header, then the outer one. */
function natIcmpError(e: ConntrackEntry, dir: 'orig' | 'reply', hook: Hook, p: Ipv4Packet): Ipv4Packet {
  const quoted = p.icmp?.quoted;
  if (!quoted || !p.icmp) return p;
  const kind = manipOf(hook);
  const otherKind = kind === 'src' ? 'dst' : 'src';
  // nf_nat_icmp_reply_translation(): only if the flow really has this manip (IPS_SRC_NAT /
  // IPS_DST_NAT, swapped for the reply direction); a null binding leaves the error alone
  // (a router's Time Exceeded keeps its own source). Pinned by conformance 350/355.
  const o = e.orig;
  const r = e.reply;
  const ports = o.proto === PROTO_TCP || o.proto === PROTO_UDP;
  const srcNat = r.dst !== o.src || (ports ? r.dport !== o.sport : r.sport !== o.sport);
  const dstNat = r.src !== o.dst || (ports && r.sport !== o.dport);
  if (!((kind === 'src') !== (dir === 'reply') ? srcNat : dstNat)) return p;
  // The quoted packet travelled in the other direction: give it the opposite manip with tuple[!dir].
  const innerTuple = dir === 'orig' ? e.reply : e.orig;
  const inner = manip(quoted, innerTuple, otherKind);
  const outerTarget = invertTuple(innerTuple);
  const outer = manip({ ...p, icmp: { ...p.icmp, quoted: inner } }, { ...outerTarget, proto: PROTO_ICMP }, kind);
  return outer;
}

function pickPort(ns: Draft<Netns>, reply: ConntrackTuple, field: 'sport' | 'dport', range: { lo: number; hi: number } | undefined, key: ConntrackTuple): ConntrackTuple {
  const cur = reply[field];
  const lo = range?.lo ?? (cur < 1024 ? 1 : 1024);
  const hi = range?.hi ?? (cur < 1024 ? 1023 : 65535);
  const fits = (n: number): boolean => n >= lo && n <= hi;
  if (fits(cur) && !replyTupleTaken(ns, reply, key)) return reply;
  for (let i = 0, n = fits(cur) ? cur : lo; i <= hi - lo; i++, n = n >= hi ? lo : n + 1) {
    const cand = { ...reply, [field]: n };
    if (!replyTupleTaken(ns, cand, key)) return cand;
  }
  return reply;
}

/**
 * Apply a NAT target to a NEW flow: the reply tuple changes so that replies
 * come back to the translated address (get_unique_tuple). Returns false if
 * MASQUERADE finds no source address (the kernel drops the packet).
 */
function natSetup(ns: Draft<Netns>, e: Draft<ConntrackEntry>, spec: NfRuleSpec, devs: NfDevs, env: NfEnv, pkt: Ipv4Packet): boolean {
  const t = spec.target!;
  const key = origOf(e as ConntrackEntry);
  let reply = e.reply as ConntrackTuple;
  const hasPorts = reply.proto === PROTO_TCP || reply.proto === PROTO_UDP;
  const isIcmp = reply.proto === PROTO_ICMP;
  if (t.kind === 'DNAT') {
    // Replies come from the new destination.
    if (t.range.minIp !== undefined) reply = { ...reply, src: t.range.minIp };
    if (hasPorts && t.range.minPort !== undefined) {
      const lo = t.range.minPort;
      const hi = t.range.maxPort ?? lo;
      reply = { ...reply, sport: reply.sport >= lo && reply.sport <= hi ? reply.sport : lo };
    }
  } else {
    let newSrc: Ip4 | undefined;
    let ports: { lo: number; hi: number } | undefined;
    if (t.kind === 'MASQUERADE') {
      const dev = devs.out !== undefined ? Object.values(ns.links).find((l) => l.name === devs.out) : undefined;
      newSrc = selectSource(ns as Netns, dev?.ifindex, env.nextHop ?? pkt.dst, SCOPE_UNIVERSE);
      if (newSrc === undefined) return false;
      if (t.ports?.minPort !== undefined) ports = { lo: t.ports.minPort, hi: t.ports.maxPort ?? t.ports.minPort };
    } else if (t.kind === 'SNAT') {
      newSrc = t.range.minIp ?? (reply.dst as Ip4);
      if (t.range.minPort !== undefined) ports = { lo: t.range.minPort, hi: t.range.maxPort ?? t.range.minPort };
    }
    reply = { ...reply, dst: newSrc! };
    if (hasPorts) reply = pickPort(ns, reply, 'dport', ports, key);
    else if (isIcmp && replyTupleTaken(ns, reply, key)) reply = pickPort(ns, reply, 'sport', { lo: 0, hi: 65535 }, key);
  }
  ctSetReply(ns, e, reply);
  return true;
}

// ---------------------------------------------------------------------------
// the hook

interface CtView {
  /** The packet's entry and direction, if tracked. */
  entry?: Draft<ConntrackEntry>;
  dir?: 'orig' | 'reply';
  related: boolean;
  states: Set<CtStateName>;
}

function ctViewOf(ns: Draft<Netns>, pkt: Ipv4Packet, forWrite = false): CtView {
  const states = new Set<CtStateName>();
  if (!pkt.ct) {
    states.add('INVALID');
    return { related: false, states };
  }
  if (pkt.ct.state === 'UNTRACKED') {
    states.add('UNTRACKED');
    return { related: false, states };
  }
  // Performance: only the nat hook writes to the entry; the other tables
  // read it without making an immer draft of it.
  const entry = forWrite ? ctGet(ns, pkt.ct.orig) : (ctPeek(ns, pkt.ct.orig) as Draft<ConntrackEntry> | undefined);
  if (!entry) {
    states.add('INVALID');
    return { related: false, states };
  }
  states.add(pkt.ct.state);
  if (entry.reply.dst !== entry.orig.src || entry.reply.dport !== entry.orig.sport) states.add('SNAT');
  if (entry.reply.src !== entry.orig.dst || entry.reply.sport !== entry.orig.dport) states.add('DNAT');
  return { entry, dir: pkt.ct.dir, related: pkt.ct.state === 'RELATED', states };
}

/**
 * Hand a step to the hook's receiver as a function when it takes one (the
 * datapath's walk formats it only if the trace is read: NfEnv.lazySteps),
 * else formatted now.
 */
function lazyStep(env: NfEnv, step: (s: Step) => void, make: () => Step): void {
  if (env.lazySteps) (step as (s: Step | (() => Step)) => void)(make);
  else step(make());
}

/**
 * A copy of the packet without its conntrack reference. A packet without one
 * is copied by a plain spread (same keys, same order): the rest pattern is a
 * runtime call that showed in the per-packet profile.
 */
function withoutCt(pkt: Ipv4Packet): Ipv4Packet {
  if (!('ct' in pkt)) return { ...pkt };
  const { ct: _drop, ...bare } = pkt;
  void _drop;
  return bare;
}

/** nf_conntrack_in(): attach the packet to its entry (creating one for a new flow). */
function conntrackIn(ns: Draft<Netns>, pkt: Ipv4Packet, env: NfEnv, step: (s: Step) => void): Ipv4Packet {
  // Looped back through lo (or NOTRACKed): the packet keeps what it has.
  if (pkt.ct && (pkt.ct.state === 'UNTRACKED' || ctPeek(ns, pkt.ct.orig))) return pkt;
  ctExpire(ns, env.now);
  const bare = withoutCt(pkt);
  if (pkt.proto === PROTO_ICMP && pkt.icmp && ICMP_ERRORS.has(pkt.icmp.type)) {
    const q = pkt.icmp.quoted;
    const qt = q ? tupleOf(q) : undefined;
    const found = qt ? ctFind(ns, invertTuple(qt), true) : undefined;
    if (!found) {
      step({ kind: 'conntrack', action: 'ICMP error about an untracked flow: INVALID' });
      return bare;
    }
    // Stored tuples are never changed in place (immutable once stored): a lazy step may keep one.
    const orig = origOf(found.entry);
    lazyStep(env, step, () => ({ kind: 'conntrack', action: `RELATED to ${tupleText(orig)}` }));
    return { ...bare, ct: { orig, dir: found.dir, state: 'RELATED' } };
  }
  const t = tupleOf(pkt)!;
  const found = ctFind(ns, t);
  if (found) {
    // found.entry is a plain value; its original tuple is the draft's too (never changed in place).
    const orig = origOf(found.entry);
    const e = ctGet(ns, orig)!;
    ctSeen(ns, e, found.dir, pkt, env.now);
    const state: CtRef['state'] = found.dir === 'reply' || e.seenReply ? 'ESTABLISHED' : 'NEW';
    const dir = found.dir;
    lazyStep(env, step, () => ({ kind: 'conntrack', action: `${state}${dir === 'reply' ? ' (reply)' : ''}: ${tupleText(orig)}` }));
    return { ...bare, ct: { orig, dir, state } };
  }
  if (!mayStartFlow(pkt)) {
    step({ kind: 'conntrack', action: 'no flow for this packet: INVALID' });
    return bare;
  }
  // The new entry's original tuple is `t` itself (a plain value).
  ctNew(ns, t, pkt, env.now);
  lazyStep(env, step, () => ({ kind: 'conntrack', action: `NEW flow ${tupleText(t)}` }));
  return { ...bare, ct: { orig: t, dir: 'orig', state: 'NEW' } };
}

/** The nat hook (nf_nat_inet_fn) for one packet. */
function natHook(
  ns: Draft<Netns>,
  hook: Hook,
  pkt: Ipv4Packet,
  devs: NfDevs,
  env: NfEnv,
  step: (s: Step) => void,
): { pkt: Ipv4Packet; drop?: NfResult } {
  const cv = ctViewOf(ns, pkt);
  // Read-only view; the draft is made only when the hook writes to the entry.
  const e = cv.entry;
  if (!e || !cv.dir) return { pkt };
  if (cv.related) {
    if (pkt.proto === PROTO_ICMP) {
      const out = natIcmpError(e as ConntrackEntry, cv.dir, hook, pkt);
      if (out !== pkt) step({ kind: 'nat', action: `translate ICMP error (${hook})`, before: view(pkt), after: view(out) });
      return { pkt: out };
    }
    return { pkt };
  }
  const kind = manipOf(hook);
  const done = kind === 'src' ? e.natDoneSrc : e.natDoneDst;
  let e2: Draft<ConntrackEntry> = e;
  if (pkt.ct?.state === 'NEW' && cv.dir === 'orig' && !done) {
    e2 = ctGet(ns, pkt.ct.orig)!;
    const r = runTable(ns, 'nat', hook, pkt, devs, env, cv.states);
    if (r) {
      pkt = r.pkt;
      const v = r.outcome.verdict;
      if (v.v === 'DROP' || v.v === 'REJECT') {
        // Only a policy can drop in nat (DROP rules are refused there).
        return { pkt, drop: { verdict: 'drop', pkt, table: 'nat', chain: v.chain, rule: v.rule } };
      }
      if (v.v === 'NAT') {
        if (!natSetup(ns, e2, v.spec, devs, env, pkt)) {
          step({ kind: 'netfilter', action: `nat ${hook}: MASQUERADE found no source address on ${devs.out ?? '?'}: drop`, entry: v.rule });
          return { pkt, drop: { verdict: 'drop', pkt, table: 'nat', chain: v.chain, rule: v.rule } };
        }
        step({ kind: 'netfilter', action: `nat ${hook}: ${v.spec.target!.kind}`, entry: v.rule });
      }
    }
    if (kind === 'src') e2.natDoneSrc = true;
    else e2.natDoneDst = true;
  }
  const out = natPacket(e2 as ConntrackEntry, cv.dir, hook, pkt);
  if (out !== pkt) step({ kind: 'nat', action: `${kind === 'src' ? 'source' : 'destination'} NAT (${hook})`, before: view(pkt), after: view(out) });
  return { pkt: out };
}

/** A filter-like table (raw, mangle, filter) on a hook. */
function plainTable(
  ns: Draft<Netns>,
  table: TableName,
  hook: Hook,
  pkt: Ipv4Packet,
  devs: NfDevs,
  env: NfEnv,
  step: (s: Step) => void,
): { pkt: Ipv4Packet; result?: NfResult; notrack?: boolean } {
  const r = runTable(ns, table, hook, pkt, devs, env, () => ctViewOf(ns, pkt).states);
  if (!r) return { pkt };
  const v = r.outcome.verdict;
  if (v.v === 'DROP') {
    step({ kind: 'netfilter', action: `${table} ${hook}: DROP`, entry: v.rule });
    return { pkt: r.pkt, result: { verdict: 'drop', pkt: r.pkt, table, chain: v.chain, rule: v.rule } };
  }
  if (v.v === 'REJECT') {
    step({ kind: 'netfilter', action: `${table} ${hook}: REJECT --reject-with ${v.with}`, entry: v.rule });
    const res: NfResult = { verdict: 'reject', pkt: r.pkt, with: v.with!, table, chain: v.chain, rule: v.rule };
    return { pkt: r.pkt, result: res };
  }
  if (r.outcome.entry) step({ kind: 'netfilter', action: `${table} ${hook}: ACCEPT`, entry: r.outcome.entry });
  return { pkt: r.pkt, notrack: r.notrack };
}

/** Tables per hook in priority order; 'ct' = conntrack in, 'nat' = nat, 'confirm' = conntrack confirm. */
const HOOK_ORDER: Readonly<Record<Hook, readonly (TableName | 'ct' | 'confirm')[]>> = {
  PREROUTING: ['raw', 'ct', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat', 'confirm'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'ct', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat', 'confirm'],
};

export function runHook(ns: Draft<Netns>, hook: Hook, pkt0: Ipv4Packet, devs: NfDevs, env: NfEnv): NfResult {
  const step = env.step ?? ((): void => {});
  let pkt = pkt0;
  let notrack = false;
  for (const stage of HOOK_ORDER[hook]) {
    if (stage === 'ct') {
      if (notrack) {
        pkt = { ...pkt, ct: { dir: 'orig', state: 'UNTRACKED' } };
        step({ kind: 'conntrack', action: 'NOTRACK: not tracked' });
      } else pkt = conntrackIn(ns, pkt, env, step);
      continue;
    }
    if (stage === 'confirm') {
      if (pkt.ct && pkt.ct.state !== 'UNTRACKED') {
        const e = ctPeek(ns, pkt.ct.orig);
        if (e && !e.confirmed) ctConfirm(ctGet(ns, pkt.ct.orig)!);
      }
      continue;
    }
    if (stage === 'nat') {
      if (!pkt.ct || pkt.ct.state === 'UNTRACKED') continue;
      const r = natHook(ns, hook, pkt, devs, env, step);
      pkt = r.pkt;
      if (r.drop) return r.drop;
      continue;
    }
    const r = plainTable(ns, stage, hook, pkt, devs, env, step);
    pkt = r.pkt;
    if (r.result) return r.result;
    if (r.notrack) notrack = true;
  }
  return { verdict: 'accept', pkt };
}

/** Conntrack states a packet shows (-m conntrack --ctstate), for tests and traces. */
export function packetCtStates(ns: Draft<Netns>, pkt: Ipv4Packet): CtStateName[] {
  return [...ctViewOf(ns, pkt).states];
}

