/**
 * iptables verbs on the model (iptables-nft semantics, checked on the kernel):
 * -A/-I/-D/-R/-C, -N/-X/-E, -F/-Z, -P. Each returns a new World or the exact
 * error text iptables prints (stderr) with its exit status.
 *
 * nf_tables details the twin reproduces:
 *  - a table is created by the first command that changes it (-A, -I, -N, -P,
 *    -E...); -L, -S, -F, -Z never create it;
 *  - a built-in chain exists in the kernel only after a rule or a policy was
 *    put on it: `-D INPUT 1`, `-R`, `-X INPUT` on a never-created INPUT say
 *    "No chain/target/match by that name.";
 *  - `-P` and `-Z` (re)create a built-in chain's counters at [0:0]; a chain
 *    created by a rule has none until then (its policy hits are not counted);
 *  - kernel-side validation errors come back as
 *    "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain X" (status 4).
 */
import { produce, type Draft } from 'immer';
import type { Hook, NfChain, NfRule, NfRuleSpec, NfTable, TableName } from '../../model/netfilter.js';
import type { NsName, World } from '../../model/world.js';
import { saveRuleBody } from './format.js';
import { BUILTIN_CHAINS, emptyTable, isBuiltin, references } from './tables.js';

export const IPT_PREFIX = 'iptables v1.8.9 (nf_tables): ';

export type NfOpResult = { readonly ok: true; readonly world: World } | { readonly ok: false; readonly error: string; readonly status: number };

const NO_CHAIN = 'iptables: No chain/target/match by that name.\n';
const BAD_RULE = 'iptables: Bad rule (does a matching rule exist in that chain?).\n';

const fail = (error: string, status = 1): NfOpResult => ({ ok: false, error, status });
const kernelFail = (what: string, errno: string, tail: string): NfOpResult =>
  fail(`${IPT_PREFIX} ${what} failed (${errno}): ${tail}\n`, 4);

function getTable(world: World, ns: NsName, table: TableName): NfTable | undefined {
  return world.ns[ns]?.netfilter.tables[table];
}

/** A chain that exists in the kernel (user chain, or created built-in). */
export function realChain(t: NfTable | undefined, name: string): NfChain | undefined {
  const c = t?.chains.find((x) => x.name === name);
  return c && c.created ? c : undefined;
}

/** Whether `-A name` / `-L name` can address this chain (built-ins always can). */
export function chainKnown(t: NfTable | undefined, table: TableName, name: string): boolean {
  return isBuiltin(table, name) || realChain(t, name) !== undefined;
}

function mutate(world: World, ns: NsName, table: TableName, fn: (t: Draft<NfTable>) => void): World {
  return produce(world, (d) => {
    const n = d.ns[ns]!;
    if (!n.netfilter.tables[table]) n.netfilter.tables[table] = emptyTable(table) as Draft<NfTable>;
    fn(n.netfilter.tables[table]!);
  });
}

function draftChain(t: Draft<NfTable>, name: string): Draft<NfChain> {
  const c = t.chains.find((x) => x.name === name)!;
  if (!c.created) c.created = true;
  return c;
}

/** Rules are the same for -D/-C when they print the same (iptables compares the whole entry). */
function sameSpec(a: NfRuleSpec, b: NfRuleSpec): boolean {
  return saveRuleBody(a) === saveRuleBody(b);
}

// ---------------------------------------------------------------------------
// validation the kernel does when a rule is added (nft_chain_validate & co)

/** Hooks from which `chain` is reachable (through -j/-g), given the table's rules plus `extra` jumps. */
function hooksReaching(t: NfTable, chain: string, extra: { from: string; to: string }[]): Set<Hook> {
  const out = new Set<Hook>();
  const edges: { from: string; to: string }[] = [...extra];
  for (const c of t.chains) for (const r of c.rules) if (r.spec.target?.kind === 'jump') edges.push({ from: c.name, to: r.spec.target.chain });
  const seen = new Set<string>();
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (isBuiltin(t.name, name)) out.add(name as Hook);
    for (const e of edges) if (e.to === name) walk(e.from);
  };
  walk(chain);
  return out;
}

/** Hooks where a target (or a hook-bound match) may be used (xt .hooks / nft *_validate), and its table restriction. */
function targetAllowed(spec: NfRuleSpec, table: TableName, hook: Hook): boolean {
  for (const m of spec.matches) {
    // xt_addrtype: --limit-iface-in needs an input device, --limit-iface-out an output device.
    if (m.kind === 'addrtype' && m.limitIfaceIn && hook !== 'PREROUTING' && hook !== 'INPUT' && hook !== 'FORWARD') return false;
    if (m.kind === 'addrtype' && m.limitIfaceOut && hook !== 'POSTROUTING' && hook !== 'OUTPUT' && hook !== 'FORWARD') return false;
  }
  const t = spec.target;
  if (!t) return true;
  switch (t.kind) {
    case 'REJECT':
      if (table !== 'filter') return false;
      if (t.with === 'tcp-reset' && (spec.proto?.num !== 6 || spec.proto.inv)) return false;
      return hook === 'INPUT' || hook === 'FORWARD' || hook === 'OUTPUT';
    case 'MASQUERADE':
      return table === 'nat' && hook === 'POSTROUTING';
    case 'SNAT':
      return table === 'nat' && (hook === 'POSTROUTING' || hook === 'INPUT');
    case 'DNAT':
      return table === 'nat' && (hook === 'PREROUTING' || hook === 'OUTPUT');
    case 'NOTRACK':
      return table === 'raw';
    default:
      return true;
  }
}

/** Does the jump graph (with a new edge) contain a cycle reachable from a base chain, or exceed nft's depth? */
function loops(t: NfTable, extra: { from: string; to: string }[]): boolean {
  const edges = new Map<string, string[]>();
  const add = (f: string, to: string): void => {
    edges.set(f, [...(edges.get(f) ?? []), to]);
  };
  for (const c of t.chains) for (const r of c.rules) if (r.spec.target?.kind === 'jump') add(c.name, r.spec.target.chain);
  for (const e of extra) add(e.from, e.to);
  const onStack = new Set<string>();
  const dfs = (n: string, depth: number): boolean => {
    if (depth > 16) return true; // NFT_JUMP_STACK_SIZE
    if (onStack.has(n)) return true;
    onStack.add(n);
    for (const m of edges.get(n) ?? []) if (dfs(m, depth + 1)) return true;
    onStack.delete(n);
    return false;
  };
  return BUILTIN_CHAINS[t.name].some((h) => dfs(h, 0));
}

/** Kernel-side checks for putting `spec` into `chain`; an error text or undefined. */
function validate(t: NfTable, chain: string, spec: NfRuleSpec, what: string): NfOpResult | undefined {
  const tail = `rule in chain ${chain}`;
  const tgt = spec.target;
  if (tgt?.kind === 'jump' && isBuiltin(t.name, tgt.chain)) return kernelFail(what, 'Operation not supported', tail);
  const extra = tgt?.kind === 'jump' ? [{ from: chain, to: tgt.chain }] : [];
  // The rule's own target must suit every hook that reaches its chain.
  for (const h of hooksReaching(t, chain, [])) if (!targetAllowed(spec, t.name, h)) return kernelFail(what, 'Invalid argument', tail);
  if (tgt?.kind === 'jump') {
    // Every rule of the chains now reachable from new hooks must suit them.
    const hooks = hooksReaching(t, chain, extra);
    const reach = new Set<string>();
    const stack = [tgt.chain];
    while (stack.length) {
      const n = stack.pop()!;
      if (reach.has(n)) continue;
      reach.add(n);
      for (const r of t.chains.find((c) => c.name === n)?.rules ?? []) {
        for (const h of hooks) if (!targetAllowed(r.spec, t.name, h)) return kernelFail(what, 'Invalid argument', tail);
        if (r.spec.target?.kind === 'jump') stack.push(r.spec.target.chain);
      }
    }
    if (loops(t, extra)) return kernelFail(what, 'Too many links', tail);
  }
  // REJECT/MASQUERADE etc. in a chain not (yet) reachable from a base chain: still refused when the
  // table restriction cannot hold anywhere.
  if (tgt && !BUILTIN_CHAINS[t.name].some((h) => targetAllowed(spec, t.name, h))) return kernelFail(what, 'Invalid argument', tail);
  return undefined;
}

// ---------------------------------------------------------------------------
// rule verbs

/** `-A chain` (one call per expanded rule, e.g. per -s address). */
export function appendRule(world: World, ns: NsName, table: TableName, chain: string, spec: NfRuleSpec): NfOpResult {
  const t = getTable(world, ns, table);
  if (!chainKnown(t, table, chain)) return fail(NO_CHAIN);
  const err = validate(t ?? emptyTable(table), chain, spec, 'RULE_APPEND');
  if (err) return err;
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      draftChain(d, chain).rules.push({ spec, counters: { pkts: 0, bytes: 0 } } as Draft<NfRule>);
    }),
  };
}

/** `-I chain [num]` (num 1-based, default 1). */
export function insertRule(world: World, ns: NsName, table: TableName, chain: string, num: number, spec: NfRuleSpec): NfOpResult {
  const t = getTable(world, ns, table);
  if (!chainKnown(t, table, chain)) return fail(NO_CHAIN);
  const len = realChain(t, chain)?.rules.length ?? 0;
  if (num > len + 1 || (num > 1 && len === 0)) return fail('iptables: Index of insertion too big.\n');
  const err = validate(t ?? emptyTable(table), chain, spec, 'RULE_INSERT');
  if (err) return err;
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      draftChain(d, chain).rules.splice(num - 1, 0, { spec, counters: { pkts: 0, bytes: 0 } } as Draft<NfRule>);
    }),
  };
}

/** `-R chain num` */
export function replaceRule(world: World, ns: NsName, table: TableName, chain: string, num: number, spec: NfRuleSpec): NfOpResult {
  const t = getTable(world, ns, table);
  const c = realChain(t, chain);
  if (!c) return fail(NO_CHAIN);
  if (num > c.rules.length) return fail('iptables: Index of replacement too big.\n');
  const err = validate(t!, chain, spec, 'RULE_REPLACE');
  if (err) return err;
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      draftChain(d, chain).rules[num - 1] = { spec, counters: { pkts: 0, bytes: 0 } } as Draft<NfRule>;
    }),
  };
}

/** `-D chain num` */
export function deleteRuleNum(world: World, ns: NsName, table: TableName, chain: string, num: number): NfOpResult {
  const c = realChain(getTable(world, ns, table), chain);
  if (!c) return fail(NO_CHAIN);
  if (num > c.rules.length) return fail('iptables: Index of deletion too big.\n');
  return { ok: true, world: mutate(world, ns, table, (d) => void draftChain(d, chain).rules.splice(num - 1, 1)) };
}

/**
 * `-D chain rule-spec`: the first identical rule. A chain that does not exist
 * gives "Bad rule" like a missing rule (iptables-nft 1.8.9 on the kernel:
 * `iptables -D NOPE -j ACCEPT` and `iptables -t nat -D NOPE -j ACCEPT`), unlike
 * `-D NOPE 1` ("No chain/target/match by that name.").
 */
export function deleteRuleSpec(world: World, ns: NsName, table: TableName, chain: string, spec: NfRuleSpec): NfOpResult {
  const t = getTable(world, ns, table);
  const c = realChain(t, chain);
  const i = c ? c.rules.findIndex((r) => sameSpec(r.spec, spec)) : -1;
  if (i < 0) return fail(BAD_RULE);
  return { ok: true, world: mutate(world, ns, table, (d) => void draftChain(d, chain).rules.splice(i, 1)) };
}

/**
 * `-C chain rule-spec`. A missing chain is a missing rule: iptables-nft 1.8.9
 * prints "Bad rule (does a matching rule exist in that chain?)." for
 * `iptables -C NOPE -j ACCEPT` whether or not the table exists.
 */
export function checkRule(world: World, ns: NsName, table: TableName, chain: string, spec: NfRuleSpec): NfOpResult {
  const t = getTable(world, ns, table);
  const c = realChain(t, chain);
  if (!c || !c.rules.some((r) => sameSpec(r.spec, spec))) return fail(BAD_RULE);
  return { ok: true, world };
}

// ---------------------------------------------------------------------------
// chain verbs

/** `-N chain` */
export function newChain(world: World, ns: NsName, table: TableName, chain: string): NfOpResult {
  const t = getTable(world, ns, table);
  if (isBuiltin(table, chain) || realChain(t, chain)) return fail('iptables: Chain already exists.\n');
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      d.chains.push({ name: chain, created: true, rules: [] } as Draft<NfChain>);
    }),
  };
}

function userChains(t: NfTable | undefined): NfChain[] {
  if (!t) return [];
  return t.chains.filter((c) => !isBuiltin(t.name, c.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `-X [chain]`: user chains only, empty and unreferenced (all in one transaction). */
export function deleteChain(world: World, ns: NsName, table: TableName, chain: string | undefined): NfOpResult {
  const t = getTable(world, ns, table);
  if (chain !== undefined) {
    if (!realChain(t, chain)) return fail(NO_CHAIN);
  }
  const victims = chain !== undefined ? [realChain(t, chain)!] : userChains(t);
  for (const c of victims) {
    if (isBuiltin(table, c.name) || c.rules.length > 0 || references(t!, c.name) > 0) {
      return kernelFail('CHAIN_DEL', 'Device or resource busy', `chain ${c.name}`);
    }
  }
  if (victims.length === 0) return { ok: true, world };
  const names = new Set(victims.map((c) => c.name));
  return { ok: true, world: mutate(world, ns, table, (d) => void (d.chains = d.chains.filter((c) => !names.has(c.name)))) };
}

/** Chains `-F`/`-Z` without a chain act on, in listing order (only those that exist in the kernel matter). */
export function chainNamesForAll(t: NfTable | undefined, table: TableName): string[] {
  return [...BUILTIN_CHAINS[table], ...userChains(t).map((c) => c.name)];
}

/** `-F [chain]`: never creates the table. */
export function flushChain(world: World, ns: NsName, table: TableName, chain: string | undefined): NfOpResult {
  const t = getTable(world, ns, table);
  if (chain !== undefined && !chainKnown(t, table, chain)) return fail(NO_CHAIN);
  if (!t) return { ok: true, world };
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      for (const c of d.chains) if (chain === undefined || c.name === chain) c.rules = [];
    }),
  };
}

/** `-Z [chain [num]]`: rule counters and built-in chain counters to zero. */
export function zeroCounters(world: World, ns: NsName, table: TableName, chain: string | undefined, num?: number): NfOpResult {
  const t = getTable(world, ns, table);
  // `-Z CHAIN N` looks the rule up in the kernel: a chain that does not exist there (even INPUT
  // before anything created it) gives "Bad rule"; an index past the end is silently fine.
  if (chain !== undefined && num !== undefined && !realChain(t, chain)) return fail(BAD_RULE);
  if (chain !== undefined && !chainKnown(t, table, chain)) return fail(NO_CHAIN);
  if (!t) return { ok: true, world };
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      for (const c of d.chains) {
        if (chain !== undefined && c.name !== chain) continue;
        c.rules.forEach((r, i) => {
          if (num === undefined || i === num - 1) r.counters = { pkts: 0, bytes: 0 };
        });
        // Zeroing sends the chain's counters to the kernel, which attaches stats to a base chain
        // that had none: from then on its policy hits count (checked: -A INPUT; -Z; ping -> [2:168]).
        if (num === undefined && isBuiltin(table, c.name) && c.created) c.counters = { pkts: 0, bytes: 0 };
      }
    }),
  };
}

/** `-P chain policy` */
export function setPolicy(world: World, ns: NsName, table: TableName, chain: string, policy: string): NfOpResult {
  if (!isBuiltin(table, chain)) return fail('iptables: Bad built-in chain name.\n');
  if (policy !== 'ACCEPT' && policy !== 'DROP') return fail("iptables: Bad policy name. Run `dmesg' for more information.\n");
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      const c = draftChain(d, chain);
      c.policy = policy;
      c.counters = { pkts: 0, bytes: 0 };
    }),
  };
}

/** `-E old new` */
export function renameChain(world: World, ns: NsName, table: TableName, from: string, to: string): NfOpResult {
  const t = getTable(world, ns, table);
  if (isBuiltin(table, from) || !realChain(t, from)) return fail(NO_CHAIN);
  if (isBuiltin(table, to) || realChain(t, to)) return fail('iptables: File exists.\n');
  return {
    ok: true,
    world: mutate(world, ns, table, (d) => {
      for (const c of d.chains) {
        if (c.name === from) c.name = to;
        for (const r of c.rules) {
          const tg = r.spec.target;
          if (tg?.kind === 'jump' && tg.chain === from) r.spec = { ...(r.spec as NfRuleSpec), target: { ...tg, chain: to } } as Draft<NfRuleSpec>;
        }
      }
    }),
  };
}
