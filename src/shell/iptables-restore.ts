/**
 * `iptables-restore [-c] [-n] [-t] [FILE]` (iptables v1.8.9, nf_tables): load
 * the text `iptables-save` prints.
 *
 * The input is a sequence of tables (`*nat` ... `COMMIT`); inside a table,
 * chain lines `:NAME POLICY [pkts:bytes]` and command lines (`-A CHAIN ...`,
 * optionally prefixed with `[pkts:bytes]`). Each command line is parsed and
 * applied by the twin's `iptables` (src/shell/iptables.ts), so every match and
 * target means exactly what it means there. Semantics checked on the kernel:
 *
 * - without `--noflush` each table named in the input is emptied first: user
 *   chains deleted, built-in chains back to "not created" (policy ACCEPT);
 * - `:BUILTIN POLICY [p:b]` creates the built-in chain with that policy and,
 *   with `-c`, those counters ([0:0] without -c); a bad policy fails the line
 *   ("Bad policy name."); `:USER - [0:0]` creates the user chain (the policy
 *   field is ignored), or flushes it with --noflush when it exists;
 * - rule counters `[p:b]` are applied only with `-c`;
 * - the whole input is one transaction: on any error nothing changes;
 * - a table still open at the end: "COMMIT expected at line N" (N = lines + 1).
 *
 * Used by the importer (src/import) with `onUnsupported` so that a rule the
 * twin cannot model is reported and skipped instead of aborting the load.
 */
import { produce, type Draft } from 'immer';
import type { Counters, NfChain, NfTable, TableName } from '../model/netfilter.js';
import type { NsName, World } from '../model/world.js';
import { emptyTable, isBuiltin, isTableName } from '../sim/netfilter/tables.js';
import { iptablesCommand } from './iptables.js';
import { Unsupported, type CmdResult, type Command, type OutChunk } from './types.js';

const PREFIX = 'iptables-restore v1.8.9 (nf_tables): ';
const TRY = "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n";
const IPT_PREFIX = 'iptables v1.8.9 (nf_tables): ';
const IPT_TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

export interface RestoreOptions {
  /** `-c`: apply the `[pkts:bytes]` counters of chains and rules. */
  readonly counters: boolean;
  /** `-n`: do not empty the tables first. */
  readonly noflush: boolean;
  /** `-t`: parse and check only, change nothing. */
  readonly test?: boolean;
  /**
   * Called when a command line uses something the twin does not model; return
   * 'skip' to leave that line out and carry on (the importer records it),
   * otherwise the Unsupported error propagates.
   */
  readonly onUnsupported?: (info: { readonly line: number; readonly table: TableName; readonly text: string; readonly what: string }) => 'skip' | 'throw';
}

export interface RestoreResult {
  readonly world: World;
  readonly out: readonly OutChunk[];
  readonly status: number;
}

class RestoreError extends Error {
  constructor(
    readonly text: string,
    readonly status: number,
  ) {
    super(text);
  }
}

/** "Error occurred at line: N" form of a parameter problem (exit 2). */
const paramProblem = (msg: string, line: number): RestoreError => new RestoreError(`${PREFIX}${msg}\nError occurred at line: ${line}\n${TRY}`, 2);

/**
 * iptables-restore's tokenizer (add_param_to_argv): words split on blanks;
 * double quotes group a word; a backslash makes the next character literal.
 */
export function restoreTokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i]!;
      has = true;
    } else if (ch === '"') {
      quoted = !quoted;
      has = true;
    } else if (!quoted && (ch === ' ' || ch === '\t' || ch === '\n')) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** `[pkts:bytes]` */
function parseCounters(text: string): Counters | undefined {
  const m = /^\[(\d+):(\d+)\]$/.exec(text);
  return m ? { pkts: Number(m[1]), bytes: Number(m[2]) } : undefined;
}

function tableDraft(d: Draft<World>, ns: NsName, table: TableName): Draft<NfTable> {
  const n = d.ns[ns]!;
  if (!n.netfilter.tables[table]) n.netfilter.tables[table] = emptyTable(table) as Draft<NfTable>;
  return n.netfilter.tables[table]!;
}

/** Load save-format text into namespace `ns`. Never throws except Unsupported (see onUnsupported). */
export function iptablesRestore(world: World, ns: NsName, text: string, o: RestoreOptions): RestoreResult {
  try {
    const w = restore(world, ns, text, o);
    return { world: o.test ? world : w, out: [], status: 0 };
  } catch (e) {
    if (e instanceof RestoreError) return { world, out: [{ fd: 2, text: e.text }], status: e.status };
    throw e;
  }
}

function restore(world: World, ns: NsName, text: string, o: RestoreOptions): World {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // Where each table's COMMIT is: chain lookups happen when the table is committed.
  const commitLine = new Map<number, number>();
  {
    let open: number | undefined;
    lines.forEach((l, i) => {
      const t = l.trim();
      if (t.startsWith('*')) open = i + 1;
      else if (t === 'COMMIT' && open !== undefined) {
        commitLine.set(open, i + 1);
        open = undefined;
      }
    });
  }
  let w = world;
  let table: TableName | undefined;
  let tableLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'COMMIT') {
      if (table === undefined) throw new RestoreError(`iptables-restore: line ${lineNo} failed\n`, 1);
      table = undefined;
      continue;
    }
    if (line.startsWith('*')) {
      if (table !== undefined) throw new RestoreError(`Bad argument \`${line}'\nError occurred at line: ${lineNo}\n${TRY}`, 2);
      const name = line.slice(1).trim();
      if (name === 'security') throw new Unsupported('iptables-restore of the security table');
      if (!isTableName(name)) throw paramProblem(`iptables-restore: line ${lineNo} table name '${name}' invalid`, lineNo);
      table = name;
      tableLine = lineNo;
      if (!o.noflush) {
        const t = name;
        w = produce(w, (d) => {
          d.ns[ns]!.netfilter.tables[t] = emptyTable(t) as Draft<NfTable>;
        });
      } else {
        const t = name;
        w = produce(w, (d) => void tableDraft(d, ns, t));
      }
      continue;
    }
    if (table === undefined) throw new RestoreError(`iptables-restore: line ${lineNo} failed\n`, 1);
    if (line.startsWith(':')) {
      w = chainLine(w, ns, table, line, lineNo, o);
      continue;
    }
    w = commandLine(w, ns, table, line, lineNo, commitLine.get(tableLine) ?? lineNo, o);
  }
  if (table !== undefined) throw new RestoreError(`iptables-restore: COMMIT expected at line ${lines.length + 1}\n`, 1);
  return w;
}

/** `:NAME POLICY [pkts:bytes]` */
function chainLine(w: World, ns: NsName, table: TableName, line: string, lineNo: number, o: RestoreOptions): World {
  const parts = line.slice(1).split(/[ \t]+/);
  const name = parts[0] ?? '';
  const policy = parts[1];
  if (name === '') throw paramProblem(`iptables-restore: line ${lineNo} chain name invalid`, lineNo);
  if (name.length >= 29) throw paramProblem(`Invalid chain name \`${name}' (must be under 29 chars)`, lineNo);
  if (policy === undefined) throw paramProblem(`iptables-restore: line ${lineNo} no policy specified`, lineNo);
  let counters: Counters = { pkts: 0, bytes: 0 };
  if (parts[2] !== undefined) {
    const c = parseCounters(parts[2]);
    if (!c) throw paramProblem(`invalid policy counters for chain '${name}'`, lineNo);
    if (o.counters) counters = c;
  } else if (isBuiltin(table, name)) {
    throw paramProblem(`invalid policy counters for chain '${name}'`, lineNo);
  }
  if (isBuiltin(table, name)) {
    if (policy !== 'ACCEPT' && policy !== 'DROP') throw new RestoreError(`iptables-restore: line ${lineNo} failed: Bad policy name.\n`, 1);
    return produce(w, (d) => {
      const t = tableDraft(d, ns, table);
      const c = t.chains.find((x) => x.name === name)!;
      c.created = true;
      c.policy = policy;
      c.counters = counters;
    });
  }
  return produce(w, (d) => {
    const t = tableDraft(d, ns, table);
    const c = t.chains.find((x) => x.name === name);
    if (c) c.rules = [];
    else t.chains.push({ name, created: true, rules: [] } as Draft<NfChain>);
  });
}

/** A command line (`[p:b] -A CHAIN ...`), run by the twin's iptables. */
function commandLine(w: World, ns: NsName, table: TableName, line: string, lineNo: number, commitNo: number, o: RestoreOptions): World {
  let rest = line;
  let counters: Counters | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw paramProblem(`Bad line ${lineNo}: need ]`, lineNo);
    const c = parseCounters(rest.slice(0, end + 1));
    if (!c) throw paramProblem(`Bad line ${lineNo}: need ]`, lineNo);
    counters = c;
    rest = rest.slice(end + 1);
  }
  const args = restoreTokens(rest);
  if (args.some((a) => a === '-t' || /^-t\S/.test(a) || a === '--table' || a.startsWith('--table='))) {
    throw paramProblem('The -t option cannot be used in iptables-restore.\n', lineNo);
  }
  const chain = args[0] === '-A' || args[0] === '--append' ? args[1] : undefined;
  const before = chain !== undefined ? (w.ns[ns]!.netfilter.tables[table]?.chains.find((c) => c.name === chain)?.rules.length ?? 0) : 0;
  let res: CmdResult;
  try {
    res = runIptables(w, ns, ['iptables', '-t', table, ...args]);
  } catch (e) {
    if (e instanceof Unsupported && o.onUnsupported?.({ line: lineNo, table, text: line, what: e.message }) === 'skip') return w;
    throw e;
  }
  if (res.status !== 0) throw translateError(res, lineNo, commitNo);
  let next = res.world;
  if (o.counters && counters && chain !== undefined) {
    const c = counters;
    next = produce(next, (d) => {
      const ch = tableDraft(d, ns, table).chains.find((x) => x.name === chain);
      if (!ch) return;
      for (let k = before; k < ch.rules.length; k++) ch.rules[k]!.counters = c;
    });
  }
  return next;
}

function runIptables(world: World, ns: NsName, argv: readonly string[]): CmdResult {
  return iptablesCommand({
    world,
    ns,
    argv,
    env: {},
    line: 0,
    background: false,
    exec: () => {
      throw new Unsupported('a command inside iptables-restore');
    },
  });
}

/** iptables' error text, in the form iptables-restore prints it for line `lineNo`. */
function translateError(res: CmdResult, lineNo: number, commitNo: number): RestoreError {
  const text = res.out.filter((c) => c.fd === 2).map((c) => c.text).join('');
  if (res.status === 2 && text.startsWith(IPT_PREFIX) && text.endsWith(IPT_TRY)) {
    const msg = text.slice(IPT_PREFIX.length, text.length - IPT_TRY.length - 1);
    // A jump to a missing chain is found when the table is committed.
    const at = /^Chain '.*' does not exist$/.test(msg) ? commitNo : lineNo;
    return paramProblem(msg, at);
  }
  if (res.status === 2 && text.endsWith(IPT_TRY)) {
    return new RestoreError(`${text.slice(0, text.length - IPT_TRY.length)}Error occurred at line: ${lineNo}\n${TRY}`, 2);
  }
  if (res.status === 4 && text.startsWith(IPT_PREFIX + ' ')) {
    return new RestoreError(`${PREFIX}\nline ${lineNo}: ${text.slice(IPT_PREFIX.length + 1)}`, 4);
  }
  const m = /^iptables: (.*)\n$/.exec(text);
  if (m) return new RestoreError(`iptables-restore: line ${lineNo} failed: ${m[1]}\n`, 1);
  return new RestoreError(`iptables-restore: line ${lineNo} failed\n`, 1);
}

export const iptablesRestoreCommand: Command = (ctx) => {
  const args = ctx.argv.slice(1);
  let counters = false;
  let noflush = false;
  let test = false;
  let file: string | undefined;
  const usageFail = (msg: string): CmdResult => ({
    world: ctx.world,
    out: [{ fd: 2, text: `iptables-restore: ${msg}\nTry \`iptables-restore -h' for more information.\n` }],
    status: 1,
  });
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--counters') counters = true;
    else if (a === '-n' || a === '--noflush') noflush = true;
    else if (a === '-t' || a === '--test') test = true;
    else if (a === '-w' || a === '--wait' || a === '-W' || a === '--wait-interval') {
      if (i + 1 < args.length && /^\d+$/.test(args[i + 1]!)) i++;
    } else if (a === '-v' || a === '--verbose' || a === '-T' || a === '--table' || a === '-M' || a === '--modprobe' || a === '-h' || a === '--help' || a === '-V' || a === '--version') {
      throw new Unsupported(`iptables-restore ${a}`);
    } else if (a.startsWith('--')) return usageFail(`unrecognized option '${a}'`);
    else if (a.startsWith('-') && a.length > 1) {
      // Bundled short options (-cn).
      const letters = a.slice(1).split('');
      const bad = letters.find((l) => !'cnt'.includes(l));
      if (bad !== undefined) return usageFail(`invalid option -- '${bad}'`);
      if (letters.includes('c')) counters = true;
      if (letters.includes('n')) noflush = true;
      if (letters.includes('t')) test = true;
    } else if (file === undefined) file = a;
    else throw new Unsupported('iptables-restore with more than one file');
  }
  let text: string;
  if (file !== undefined) {
    const content = ctx.world.files[file];
    if (content === undefined) return { world: ctx.world, out: [{ fd: 2, text: `Can't open ${file}: No such file or directory\n` }], status: 1 };
    text = content;
  } else text = ctx.stdin ?? '';
  const r = iptablesRestore(ctx.world, ctx.ns, text, { counters, noflush, test });
  return { world: r.world, out: r.out, status: r.status };
};
