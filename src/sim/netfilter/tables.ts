/**
 * The fixed shape of the iptables tables: which built-in chains each table has
 * (in the order the tools list them), which hooks they sit on, and the order
 * iptables-save prints tables in.
 */
import type { Hook, NetfilterState, NfChain, NfTable, TableName } from '../../model/netfilter.js';

/** Built-in chains per table, in listing order (iptables-nft's builtin_table). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly Hook[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

/**
 * `iptables-save` prints tables in iptables-nft's enum nft_table_type order
 * (mangle, security, raw, filter, nat), checked on the kernel: mangle, raw, filter, nat.
 */
export const SAVE_ORDER: readonly TableName[] = ['mangle', 'raw', 'filter', 'nat'];

export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat', 'mangle', 'raw'];

export function isTableName(s: string): s is TableName {
  return (TABLE_NAMES as readonly string[]).includes(s);
}

export function isBuiltin(table: TableName, chain: string): chain is Hook {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

/** A built-in chain as the tools show it before anything created it. */
export function virtualBuiltin(name: Hook): NfChain {
  return { name, policy: 'ACCEPT', created: false, rules: [] };
}

/** A table as it looks when first created (every built-in virtual). */
export function emptyTable(name: TableName): NfTable {
  return { name, chains: BUILTIN_CHAINS[name].map(virtualBuiltin) };
}

/** The table as the tools see it (an absent table lists as empty built-ins). */
export function viewTable(nf: NetfilterState, name: TableName): NfTable {
  return nf.tables[name] ?? emptyTable(name);
}

/**
 * Chains in listing order: built-ins in fixed order, then user chains sorted
 * by name (iptables-nft sorts them; checked: -N ZZ, -N AA, -N MM lists AA, MM, ZZ).
 */
export function chainsInOrder(t: NfTable): NfChain[] {
  const builtins = BUILTIN_CHAINS[t.name].map((h) => t.chains.find((c) => c.name === h) ?? virtualBuiltin(h));
  const users = t.chains.filter((c) => !isBuiltin(t.name, c.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...users];
}

/** Number of rules jumping (-j/-g) to `chain` in table `t` ("N references"). */
export function references(t: NfTable, chain: string): number {
  let n = 0;
  for (const c of t.chains) for (const r of c.rules) if (r.spec.target?.kind === 'jump' && r.spec.target.chain === chain) n++;
  return n;
}
