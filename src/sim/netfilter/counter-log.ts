/**
 * A walk's iptables counter increments, kept off immer.
 *
 * Every rule a packet matches, and every policy that decides, counts the
 * packet (ipt_do_table: ADD_COUNTER(e->counters, skb->len, 1); nft: the base
 * chain's stats). Written through an immer draft, each count made a proxy of
 * every level down to the rule (netfilter, tables, the table, its chains, the
 * chain, its rules, the rule), finalized again when the walk ended: about 4%
 * of a ping through a chain of routers with FORWARD rules went there.
 *
 * Nothing reads a counter while packets are evaluated (no match looks at
 * them: there is no -m quota or connbytes in the twin; traces name rules
 * without counters; `iptables -L -v` and `iptables-save -c` run after walks),
 * so a walk only adds up the increments here, per rule, and applies them in
 * one pass when it builds its world (`applyTo`), copying just the touched
 * path, as immer would have. A discarded walk drops them with its drafts.
 *
 * Rules are addressed by table, chain index and rule index: a walk never
 * changes the configuration, so these stay valid until the walk ends.
 */
import type { Counters, NfChain, NfRule, NfTable, TableName } from '../../model/netfilter.js';
import type { Netns } from '../../model/world.js';

/** One rule's (or policy's) increments: mutable while the walk runs. */
interface Delta {
  pkts: number;
  bytes: number;
}

/** Slot of a chain's policy counters in its delta array; rule i is at i + 1. */
const POLICY = 0;

/** The counter increments of one namespace during one walk. */
export class CounterLog {
  /** By table: per chain index, per slot (POLICY, then rule index + 1). */
  private readonly tables = new Map<TableName, (Delta | undefined)[][]>();

  /** Count one packet of `bytes` against rule `rule` (0-based) of chain `chain` (its index in the table). */
  rule(table: TableName, chain: number, rule: number, bytes: number): void {
    this.add(table, chain, rule + 1, bytes);
  }

  /** Count one packet of `bytes` against the policy of built-in chain `chain` (a chain with stats). */
  policy(table: TableName, chain: number, bytes: number): void {
    this.add(table, chain, POLICY, bytes);
  }

  get empty(): boolean {
    return this.tables.size === 0;
  }

  private add(table: TableName, chain: number, slot: number, bytes: number): void {
    let chains = this.tables.get(table);
    if (!chains) this.tables.set(table, (chains = []));
    const slots = (chains[chain] ??= []);
    const d = slots[slot];
    if (d) {
      d.pkts++;
      d.bytes += bytes;
    } else slots[slot] = { pkts: 1, bytes };
  }

  /**
   * The namespace with the increments added: new (frozen) objects along the
   * touched paths only (namespace, netfilter, tables, table, chains, chain,
   * rules, rule), everything else shared, keys in their order: the same
   * value an immer draft written per packet finishes to.
   */
  applyTo(ns: Netns): Netns {
    if (this.tables.size === 0) return ns;
    const tables = { ...ns.netfilter.tables };
    for (const [name, deltas] of this.tables) {
      const t = tables[name];
      if (!t) throw new Error(`internal: counters of a missing table ${name}`);
      tables[name] = applyTable(t, deltas);
    }
    const netfilter = Object.freeze({ ...ns.netfilter, tables: Object.freeze(tables) });
    return Object.freeze({ ...ns, netfilter });
  }
}

function applyTable(t: NfTable, deltas: readonly (readonly (Delta | undefined)[] | undefined)[]): NfTable {
  const chains = t.chains.slice();
  for (let ci = 0; ci < deltas.length; ci++) {
    const slots = deltas[ci];
    if (slots) chains[ci] = applyChain(chains[ci]!, slots);
  }
  return Object.freeze({ ...t, chains: Object.freeze(chains) });
}

function applyChain(ch: NfChain, slots: readonly (Delta | undefined)[]): NfChain {
  let rules: NfRule[] | undefined;
  for (let k = POLICY + 1; k < slots.length; k++) {
    const d = slots[k];
    if (!d) continue;
    rules ??= ch.rules.slice();
    const r = rules[k - 1]!;
    rules[k - 1] = Object.freeze({ ...r, counters: added(r.counters, d) });
  }
  const p = slots[POLICY];
  // Only a chain with stats counts its policy (eval.ts runTable checks before logging).
  if (p && !ch.counters) throw new Error(`internal: policy counters of ${ch.name}, which has none`);
  return Object.freeze({
    ...ch,
    ...(p ? { counters: added(ch.counters!, p) } : {}),
    ...(rules ? { rules: Object.freeze(rules) } : {}),
  });
}

function added(c: Counters, d: Delta): Counters {
  return Object.freeze({ pkts: c.pkts + d.pkts, bytes: c.bytes + d.bytes });
}
