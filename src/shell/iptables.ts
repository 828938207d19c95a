/**
 * `iptables` (iptables v1.8.9, nf_tables backend): command-line parsing as
 * do_parse() in iptables/xshared.c does it (getopt_long with optional
 * arguments, `!` before an option, matches loaded by -m or implicitly by -p,
 * long options matched by unique prefix), then the verb on the model
 * (src/sim/netfilter/ops.ts) and the listings (-L, -S).
 *
 * Every message and exit status was checked against the real tool:
 * usage problems print "iptables v1.8.9 (nf_tables): MSG" plus the
 * "Try `iptables -h'..." line and exit 2; rule/chain lookups fail with
 * "iptables: ..." and exit 1; kernel rejections exit 4.
 */
import { formatIp4, parseIp4, parseIp4Loose, type Ip4 } from '../model/addr.js';
import type {
  AddrMatch,
  AddrTypeName,
  CtStateName,
  IfaceMatch,
  NatRange,
  NfMatch,
  NfRuleSpec,
  NfTarget,
  PortRange,
  RejectWith,
  TableName,
} from '../model/netfilter.js';
import type { World } from '../model/world.js';
import {
  ADDRTYPE_ORDER,
  CT_STATE_ORDER,
  ICMP_CODES,
  listHeader,
  listMatchesAndTarget,
  listRule,
  maskLen,
  parseProtoName,
  protoName,
  saveRuleBody,
  targetName,
  TCP_FLAG_NAMES,
  type ListFormat,
} from '../sim/netfilter/format.js';
import { HOSTS } from '../sim/netfilter/netdb.js';
import { SERVICE_PORTS_TCP, SERVICE_PORTS_UDP } from '../sim/netfilter/netdb.js';
import {
  appendRule,
  chainKnown,
  chainNamesForAll,
  checkRule,
  deleteChain,
  deleteRuleNum,
  deleteRuleSpec,
  flushChain,
  insertRule,
  IPT_PREFIX,
  newChain,
  renameChain,
  replaceRule,
  setPolicy,
  zeroCounters,
  type NfOpResult,
} from '../sim/netfilter/ops.js';
import { chainsInOrder, isBuiltin, isTableName, references, viewTable } from '../sim/netfilter/tables.js';
import { Unsupported, type CmdResult, type Command, type OutChunk } from './types.js';

// ---------------------------------------------------------------------------
// errors

/** A usage error: exit 2 with the prefix and the "Try" line (xtables_error PARAMETER_PROBLEM). */
class UsageError extends Error {
  constructor(
    readonly text: string,
    readonly status = 2,
  ) {
    super(text);
  }
}

/** `-V`: print the version on stdout and exit 0 at once. */
class VersionExit extends Error {}

const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";
/** xtables_error(PARAMETER_PROBLEM, msg): prefix, msg, newline, Try line. */
const usage = (msg: string): UsageError => new UsageError(`${IPT_PREFIX}${msg}\n${TRY}`);
/** Messages of the guided option parser end in "\n" themselves: one blank line more. */
const usageNl = (msg: string): UsageError => usage(msg + '\n');
/** "Bad argument `x'" is printed without the program prefix. */
const badArgument = (a: string): UsageError => new UsageError(`Bad argument \`${a}'\n${TRY}`);

// ---------------------------------------------------------------------------
// option tables

type Cmd = 'A' | 'C' | 'D' | 'I' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'E' | 'P';

/** Global long options -> short letter. */
const GLOBAL_LONG: Readonly<Record<string, string>> = {
  append: 'A',
  check: 'C',
  delete: 'D',
  insert: 'I',
  replace: 'R',
  list: 'L',
  'list-rules': 'S',
  flush: 'F',
  zero: 'Z',
  'new-chain': 'N',
  'delete-chain': 'X',
  'rename-chain': 'E',
  policy: 'P',
  source: 's',
  src: 's',
  destination: 'd',
  dst: 'd',
  protocol: 'p',
  'in-interface': 'i',
  jump: 'j',
  table: 't',
  match: 'm',
  numeric: 'n',
  'out-interface': 'o',
  verbose: 'v',
  wait: 'w',
  'wait-interval': 'W',
  exact: 'x',
  fragments: 'f',
  version: 'V',
  help: 'h',
  'line-numbers': '0',
  modprobe: 'M',
  'set-counters': 'c',
  goto: 'g',
  ipv4: '4',
  ipv6: '6',
};

/** Short options taking an argument. */
const SHORT_ARG = new Set(['A', 'C', 'D', 'R', 'I', 'N', 'E', 'P', 'o', 'p', 's', 'd', 'j', 'i', 't', 'm', 'c', 'g', 'M']);
/** Short options with an optional attached argument (-L[chain]). */
const SHORT_OPTARG = new Set(['L', 'S', 'F', 'Z', 'X', 'h', 'w', 'W']);

/** Long options of each extension: name -> takes an argument. */
const EXT_OPTS: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  tcp: { 'source-port': true, sport: true, 'destination-port': true, dport: true, syn: false, 'tcp-flags': true, 'tcp-option': true },
  udp: { 'source-port': true, sport: true, 'destination-port': true, dport: true },
  icmp: { 'icmp-type': true },
  comment: { comment: true },
  addrtype: { 'src-type': true, 'dst-type': true, 'limit-iface-in': false, 'limit-iface-out': false },
  conntrack: {
    ctstate: true,
    ctproto: true,
    ctorigsrc: true,
    ctorigdst: true,
    ctreplsrc: true,
    ctrepldst: true,
    ctorigsrcport: true,
    ctorigdstport: true,
    ctreplsrcport: true,
    ctrepldstport: true,
    ctstatus: true,
    ctexpire: true,
    ctdir: true,
  },
  state: { state: true },
  multiport: { 'source-ports': true, sports: true, 'destination-ports': true, dports: true, ports: true },
  mark: { mark: true },
  physdev: { 'physdev-in': true, 'physdev-out': true, 'physdev-is-in': false, 'physdev-is-out': false, 'physdev-is-bridged': false },
  statistic: { mode: true, probability: true, every: true, packet: true },
  REJECT: { 'reject-with': true },
  LOG: {
    'log-level': true,
    'log-prefix': true,
    'log-tcp-sequence': false,
    'log-tcp-options': false,
    'log-ip-options': false,
    'log-uid': false,
    'log-macdecode': false,
  },
  MASQUERADE: { 'to-ports': true, random: false, 'random-fully': false },
  SNAT: { 'to-source': true, random: false, 'random-fully': false, persistent: false },
  DNAT: { 'to-destination': true, random: false, persistent: false },
  MARK: { 'set-mark': true, 'set-xmark': true, 'and-mark': true, 'or-mark': true, 'xor-mark': true },
  CT: { notrack: false, helper: true, ctevents: true, expevents: true, zone: true, timeout: true },
  NOTRACK: {},
};

const MATCH_NAMES = ['tcp', 'udp', 'icmp', 'comment', 'addrtype', 'conntrack', 'state', 'multiport', 'mark', 'physdev', 'statistic'];
const TARGET_NAMES = ['REJECT', 'LOG', 'MASQUERADE', 'SNAT', 'DNAT', 'MARK', 'CT', 'NOTRACK'];
/** Extensions that exist in iptables but are not modelled. */
const KNOWN_UNMODELLED_MATCHES = new Set([
  'limit',
  'recent',
  'set',
  'string',
  'length',
  'ttl',
  'tos',
  'dscp',
  'iprange',
  'mac',
  'owner',
  'pkttype',
  'connmark',
  'connlimit',
  'hashlimit',
  'socket',
  'cgroup',
  'rpfilter',
  'u32',
  'bpf',
  'policy',
  'sctp',
  'udplite',
  'dccp',
  'esp',
  'ah',
  'helper',
  'hl',
  'time',
  'quota',
  'nfacct',
  'devgroup',
  'cpu',
  'ecn',
  'realm',
  'tcpmss',
  'osf',
  'ipvs',
  'cluster',
  'connbytes',
  'connlabel',
  'ipcomp',
  'l2tp',
  'multiport6',
]);
const KNOWN_UNMODELLED_TARGETS = new Set([
  'REDIRECT',
  'CONNMARK',
  'TPROXY',
  'TCPMSS',
  'NFLOG',
  'NFQUEUE',
  'TRACE',
  'TOS',
  'DSCP',
  'TTL',
  'ECN',
  'CLASSIFY',
  'SET',
  'NETMAP',
  'AUDIT',
  'CHECKSUM',
  'CONNSECMARK',
  'SECMARK',
  'IDLETIMER',
  'LED',
  'SYNPROXY',
  'TEE',
  'HMARK',
  'CLUSTERIP',
  'RATEEST',
  'ULOG',
]);

// ---------------------------------------------------------------------------
// value parsers

function parsePort(s: string, proto: 'tcp' | 'udp'): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n <= 65535) return n;
  } else {
    const n = (proto === 'udp' ? SERVICE_PORTS_UDP : SERVICE_PORTS_TCP)[s];
    if (n !== undefined) return n;
  }
  throw usage(`invalid port/service \`${s}' specified`);
}

/** xtables_parse_port range: "a", "a:b", ":b" (0:b), "a:" (a:65535). */
function parsePortRange(s: string, proto: 'tcp' | 'udp'): PortRange {
  const i = s.indexOf(':');
  if (i < 0) {
    const p = parsePort(s, proto);
    return { lo: p, hi: p };
  }
  const lo = i === 0 ? 0 : parsePort(s.slice(0, i), proto);
  const hi = i === s.length - 1 ? 65535 : parsePort(s.slice(i + 1), proto);
  if (lo > hi) throw usage('invalid portrange (min > max)');
  return { lo, hi };
}

/** xtables_ipparse_multiple: comma-separated host[/mask], each masked to its network. */
function parseAddrs(text: string): { addr: Ip4; mask: number }[] {
  return text.split(',').map((item) => {
    const slash = item.indexOf('/');
    const host = slash < 0 ? item : item.slice(0, slash);
    let mask = 0xffffffff;
    if (slash >= 0) {
      const m = item.slice(slash + 1);
      if (/^\d+$/.test(m)) {
        const n = Number(m);
        if (n > 32) throw usage(`invalid mask \`${m}' specified`);
        mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
      } else {
        const dotted = parseIp4(m);
        if (dotted === undefined) throw usage(`invalid mask \`${m}' specified`);
        mask = dotted >>> 0;
      }
    }
    // xtables_numeric_to_ipaddr: 1 to 4 dotted parts, missing ones zero ("10.1" is 10.1.0.0, "0" is 0.0.0.0).
    let addr = parseIp4Loose(host);
    if (addr === undefined) {
      const byName = Object.entries(HOSTS).find(([, n]) => n === host);
      if (byName) addr = parseIp4(byName[0]);
    }
    if (addr === undefined) throw usage(`host/network \`${host}' not found`);
    return { addr: ((addr & mask) >>> 0) as Ip4, mask };
  });
}

function parseIface(s: string): string {
  if (s.length > 15) throw usage(`interface name \`${s}' must be shorter than IFNAMSIZ (15)`);
  return s;
}

function parseNumber(s: string, opt: string, ext: string): number {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^[1-9]\d*$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(v) || v > 0xffffffff) throw usageNl(`${ext}: bad integer value for option "--${opt}", or out of range.`);
  return v >>> 0;
}

/** "value[/mask]" as xtables_parse_mark_mask. */
function parseMarkMask(s: string, opt: string, ext: string): { value: number; mask: number } {
  const i = s.indexOf('/');
  if (i < 0) return { value: parseNumber(s, opt, ext), mask: 0xffffffff };
  return { value: parseNumber(s.slice(0, i), opt, ext), mask: parseNumber(s.slice(i + 1), opt, ext) };
}

function parseIp4Nat(s: string): Ip4 {
  const a = parseIp4(s);
  if (a === undefined) throw usage(`Bad IP address "${s}"`);
  return a;
}

/** SNAT/DNAT "ip[-ip][:port[-port]]". */
function parseNatRange(s: string, needPorts: boolean): NatRange {
  let ipPart = s;
  let portPart: string | undefined;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    ipPart = s.slice(0, colon);
    portPart = s.slice(colon + 1);
  }
  const r: { minIp?: Ip4; maxIp?: Ip4; minPort?: number; maxPort?: number } = {};
  if (ipPart !== '') {
    const dash = ipPart.indexOf('-');
    r.minIp = parseIp4Nat(dash < 0 ? ipPart : ipPart.slice(0, dash));
    r.maxIp = dash < 0 ? r.minIp : parseIp4Nat(ipPart.slice(dash + 1));
  }
  if (portPart !== undefined) {
    if (!needPorts) throw usage('Need TCP, UDP, SCTP or DCCP with port specification');
    const dash = portPart.indexOf('-');
    const lo = Number(dash < 0 ? portPart : portPart.slice(0, dash));
    const hi = dash < 0 ? lo : Number(portPart.slice(dash + 1));
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > 65535 || hi > 65535 || lo > hi) throw usage(`Port \`${portPart}' not valid`);
    r.minPort = lo;
    r.maxPort = hi;
  }
  return r;
}

// ---------------------------------------------------------------------------
// the parse state

/** A match being built from its options (converted to NfMatch at the end). */
interface MatchBuild {
  readonly name: string;
  /** Options seen (for "can only be used once"). */
  readonly seen: Set<string>;
  data: Record<string, unknown>;
}

interface Parsed {
  cmd?: Cmd;
  /** -L together with -Z. */
  zeroToo: boolean;
  table: TableName;
  chain?: string;
  ruleNum?: number;
  newName?: string;
  policy?: string;
  src?: { text: string; inv: boolean };
  dst?: { text: string; inv: boolean };
  inIf?: IfaceMatch;
  outIf?: IfaceMatch;
  proto?: { num: number; inv: boolean; text: string };
  matches: MatchBuild[];
  target?: MatchBuild;
  jump?: { name: string; goto: boolean };
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  /** Option letters seen, for the command/option compatibility check. */
  opts: Set<string>;
}

const CMD_NAME: Readonly<Record<string, Cmd>> = { A: 'A', C: 'C', D: 'D', I: 'I', R: 'R', L: 'L', S: 'S', F: 'F', Z: 'Z', N: 'N', X: 'X', E: 'E', P: 'P' };

/**
 * commands_v_options (xshared.c): 'x' = option illegal with the command.
 * Columns: -n -s -d -p -j -v -x -i -o --line-numbers(0) -c -f
 */
const OPT_COLS = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];
const CMD_OPTS: Readonly<Record<string, string>> = {
  I: 'x     x  x  ',
  D: 'x     x  xx ',
  DN: 'xxxxx xxxxxx',
  R: 'x     x  x  ',
  A: 'x     x  x  ',
  L: ' xxxx  xx xx',
  F: 'xxxxx xxxxxx',
  Z: 'xxxxx xxxxxx',
  ZN: 'xxxxx xxxxxx',
  N: 'xxxxx xxxxxx',
  X: 'xxxxx xxxxxx',
  P: 'xxxxx xxxx x',
  E: 'xxxxx xxxxxx',
  S: 'xxxxx xxxxxx',
  C: 'x     x  xx ',
  LZ: ' xxxx  xx xx',
};

function parseRuleNumber(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1) throw usage(`Invalid rule number \`${s}'`);
  return Number(s);
}

/** Parse argv (without "iptables") into a Parsed, throwing UsageError for what iptables rejects. */
function parse(argv: readonly string[], warn: string[] = []): Parsed {
  const p: Parsed = {
    zeroToo: false,
    table: 'filter',
    matches: [],
    numeric: false,
    verbose: false,
    exact: false,
    lineNumbers: false,
    opts: new Set(),
  };
  let i = 0;
  let invert = false;
  const nextIsArg = (): boolean => i < argv.length && !argv[i]!.startsWith('-') && !argv[i]!.startsWith('!');
  const setCmd = (c: Cmd): void => {
    if (p.cmd !== undefined) {
      if ((p.cmd === 'L' && c === 'Z') || (p.cmd === 'Z' && c === 'L')) {
        p.cmd = 'L';
        p.zeroToo = true;
        return;
      }
      throw usage(`Cannot use -${c} with -${p.cmd}`);
    }
    p.cmd = c;
  };
  const once = (letter: string): void => {
    if (p.opts.has(letter)) throw usage(`multiple -${letter} flags not allowed`);
    p.opts.add(letter);
  };
  const noInvert = (letter: string): void => {
    if (invert) throw usage(`cannot have ! before -${letter}`);
  };

  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '!') {
      if (invert) throw usage('multiple consecutive ! not allowed');
      invert = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') throw badArgument(arg);
    // Split into option name and attached value.
    let letter: string | undefined;
    let attached: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) attached = arg.slice(eq + 1);
      const g = resolveLong(name, p);
      if (g.kind === 'global') letter = g.letter;
      else if (g.kind === 'ext') {
        const ext = g.ext;
        let value: string | undefined;
        if (EXT_OPTS[ext.name]![g.name]) {
          value = attached ?? argv[i++];
          if (value === undefined) throw usage(`option "--${g.name}" requires an argument`);
        }
        extOption(p, ext, g.name, value, invert, argv, () => i, (n) => (i = n));
        invert = false;
        continue;
      } else throw usage(`unknown option "${arg}"`);
    } else {
      letter = arg[1]!;
      if (arg.length > 2) attached = arg.slice(2);
    }
    const takesArg = SHORT_ARG.has(letter);
    const optArg = SHORT_OPTARG.has(letter);
    if (!takesArg && !optArg && attached !== undefined && !arg.startsWith('--')) {
      // Bundled short flags (-nvL): handle one by one.
      const rest = arg.slice(2);
      argv = [...argv.slice(0, i), `-${rest}`, ...argv.slice(i)];
    }
    let value: string | undefined;
    if (takesArg) {
      value = attached ?? argv[i++];
      if (value === undefined) throw usage(`option "-${letter}" requires an argument`);
    } else if (optArg) value = attached;

    switch (letter) {
      case 'A':
      case 'C':
      case 'D':
      case 'I':
      case 'R':
      case 'N':
      case 'E':
      case 'P': {
        noInvert(letter);
        setCmd(CMD_NAME[letter]!);
        p.chain = value!;
        if (letter === 'D' && nextIsArg()) {
          p.ruleNum = parseRuleNumber(argv[i++]!);
        } else if (letter === 'I') {
          p.ruleNum = nextIsArg() ? parseRuleNumber(argv[i++]!) : 1;
        } else if (letter === 'R') {
          if (!nextIsArg()) throw usage('-R requires a rule number');
          p.ruleNum = parseRuleNumber(argv[i++]!);
        } else if (letter === 'P') {
          if (!nextIsArg()) throw usage('-P requires a chain and a policy');
          p.policy = argv[i++]!;
        } else if (letter === 'E') {
          if (!nextIsArg()) throw usage('-E requires old-chain-name and new-chain-name');
          p.newName = argv[i++]!;
        }
        break;
      }
      case 'L':
      case 'S':
      case 'F':
      case 'Z':
      case 'X': {
        noInvert(letter);
        setCmd(CMD_NAME[letter]!);
        if (value !== undefined) p.chain = value;
        else if (nextIsArg()) p.chain = argv[i++]!;
        if ((letter === 'L' || letter === 'S' || letter === 'Z') && p.chain !== undefined && nextIsArg()) {
          p.ruleNum = parseRuleNumber(argv[i++]!);
        }
        break;
      }
      case 's':
      case 'd': {
        once(letter);
        const v = { text: value!, inv: invert };
        if (letter === 's') p.src = v;
        else p.dst = v;
        break;
      }
      case 'i':
      case 'o': {
        once(letter);
        const v = { name: parseIface(value!), inv: invert };
        if (letter === 'i') p.inIf = v;
        else p.outIf = v;
        break;
      }
      case 'p': {
        once('p');
        const num = parseProtoName(value!);
        if (num === undefined) throw usage(`unknown protocol "${value}" specified`);
        p.proto = { num, inv: invert, text: value! };
        break;
      }
      case 'j':
      case 'g': {
        noInvert(letter);
        if (p.jump) throw usage(`multiple -j flags not allowed`);
        p.opts.add('j');
        p.jump = { name: value!, goto: letter === 'g' };
        if (letter === 'j' && (TARGET_NAMES.includes(value!) || KNOWN_UNMODELLED_TARGETS.has(value!))) {
          if (KNOWN_UNMODELLED_TARGETS.has(value!)) throw new Unsupported(`iptables target ${value}`);
          p.target = { name: value!, seen: new Set(), data: {} };
        }
        break;
      }
      case 'm': {
        noInvert(letter);
        loadMatch(p, value!);
        break;
      }
      case 't': {
        noInvert(letter);
        if (value === 'security') throw new Unsupported('iptables -t security');
        if (!isTableName(value!)) {
          throw new UsageError(`${IPT_PREFIX}table '${value}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`, 3);
        }
        p.table = value;
        break;
      }
      case 'n':
        p.numeric = true;
        p.opts.add('n');
        break;
      case 'v':
        p.verbose = true;
        p.opts.add('v');
        break;
      case 'x':
        p.exact = true;
        p.opts.add('x');
        break;
      case '0':
        p.lineNumbers = true;
        p.opts.add('0');
        break;
      case 'w':
      case 'W':
        // The xtables lock: nothing to wait for in the twin. `-w 5` takes the next number.
        if (value === undefined && i < argv.length && /^\d+$/.test(argv[i]!)) i++;
        // iptables-nft prints this at once, for every -W (kube-proxy passes `-w 5 -W 100000`).
        if (letter === 'W') warn.push('Ignoring deprecated --wait-interval option.\n');
        break;
      case '4':
        break;
      case '6':
        throw new UsageError(TRY);
      case 'c':
        throw new Unsupported('iptables -c (set counters)');
      case 'f':
        throw new Unsupported('iptables -f (fragments)');
      case 'h':
        throw new Unsupported('iptables -h (help text)');
      case 'V':
        // printf("%s v%s (nf_tables)\n", ...); exit(0) - right where it is parsed.
        throw new VersionExit();
      case 'M':
        break;
      default:
        throw usage(`unknown option "${arg}"`);
    }
    invert = false;
  }
  if (invert) throw usage('nothing appropriate following !');
  return p;
}

type LongRes = { kind: 'global'; letter: string } | { kind: 'ext'; ext: MatchBuild; name: string } | { kind: 'none' };

/** getopt_long: an exact name, else a unique prefix among the options loaded so far. */
function resolveLong(name: string, p: Parsed): LongRes {
  const exts = [...p.matches, ...(p.target ? [p.target] : [])];
  const all: LongRes[] = [];
  const exact: LongRes[] = [];
  for (const [n, l] of Object.entries(GLOBAL_LONG)) {
    if (n === name) exact.push({ kind: 'global', letter: l });
    else if (n.startsWith(name)) all.push({ kind: 'global', letter: l });
  }
  // Later extensions' options shadow earlier ones (iptables merges option tables in load order).
  for (const e of [...exts].reverse()) {
    for (const n of Object.keys(EXT_OPTS[e.name] ?? {})) {
      if (n === name) exact.push({ kind: 'ext', ext: e, name: n });
      else if (n.startsWith(name)) all.push({ kind: 'ext', ext: e, name: n });
    }
  }
  if (exact.length > 0) return exact[0]!;
  if (all.length === 1) return all[0]!;
  if (all.length > 1) {
    const distinct = new Set(all.map((r) => (r.kind === 'global' ? r.letter : r.kind === 'ext' ? r.name : '')));
    if (distinct.size === 1) return all[0]!;
    throw new Unsupported(`ambiguous iptables option --${name}`);
  }
  // Implicit protocol match (-p tcp --dport): load it and retry.
  if (p.proto && !p.proto.inv) {
    const pn = protoName(p.proto.num);
    if ((pn === 'tcp' || pn === 'udp' || pn === 'icmp') && !p.matches.some((m) => m.name === pn)) {
      const opts = EXT_OPTS[pn]!;
      const hit = Object.keys(opts).filter((n) => n === name || n.startsWith(name));
      if (hit.length > 0) {
        const m: MatchBuild = { name: pn, seen: new Set(), data: {} };
        p.matches.push(m);
        return resolveLong(name, p);
      }
    }
  }
  return { kind: 'none' };
}

function loadMatch(p: Parsed, name: string): void {
  if (KNOWN_UNMODELLED_MATCHES.has(name)) throw new Unsupported(`iptables match -m ${name}`);
  if (!MATCH_NAMES.includes(name)) throw usage(`Couldn't load match \`${name}':No such file or directory\n`);
  p.matches.push({ name, seen: new Set(), data: {} });
}

/** Canonical option names (aliases fold to one, for "only once" checks and data keys). */
const CANON: Readonly<Record<string, string>> = {
  'source-port': 'sport',
  'destination-port': 'dport',
  'source-ports': 'sports',
  'destination-ports': 'dports',
};

/** One option of a loaded extension. */
function extOption(
  p: Parsed,
  ext: MatchBuild,
  rawName: string,
  value: string | undefined,
  inv: boolean,
  argv: readonly string[],
  getI: () => number,
  setI: (n: number) => void,
): void {
  const name = CANON[rawName] ?? rawName;
  const d = ext.data;
  const e = ext.name;
  const dupOnce = (): void => {
    if (ext.seen.has(name)) throw usageNl(`${e}: option "--${rawName}" can only be used once.`);
    ext.seen.add(name);
  };
  switch (e) {
    case 'tcp':
    case 'udp': {
      if (name === 'sport' || name === 'dport') {
        if (ext.seen.has(name)) throw usage(`Only one \`--${name === 'sport' ? 'source' : 'destination'}-port' allowed`);
        ext.seen.add(name);
        d[name] = parsePortRange(value!, e);
        d[name + 'Inv'] = inv;
        return;
      }
      if (name === 'syn') {
        d.flags = { mask: 0x17, cmp: 0x02, inv };
        return;
      }
      if (name === 'tcp-flags') {
        const comp = argv[getI()];
        if (comp === undefined || comp.startsWith('-')) throw usage('--tcp-flags requires two args.');
        setI(getI() + 1);
        d.flags = { mask: parseTcpFlags(value!), cmp: parseTcpFlags(comp), inv };
        return;
      }
      throw new Unsupported(`iptables ${e} --${rawName}`);
    }
    case 'icmp': {
      d.type = parseIcmpType(value!);
      d.inv = inv;
      return;
    }
    case 'comment': {
      dupOnce();
      d.text = value!.slice(0, 255);
      return;
    }
    case 'addrtype': {
      if (name === 'src-type' || name === 'dst-type') {
        const types = value!.split(',').map((t) => {
          const u = t.toUpperCase();
          if (!(ADDRTYPE_ORDER as readonly string[]).includes(u)) throw usage(`addrtype: bad type "${t}"`);
          return u as AddrTypeName;
        });
        d[name] = { types: ADDRTYPE_ORDER.filter((t) => types.includes(t)), inv };
        return;
      }
      d[name] = true;
      return;
    }
    case 'conntrack':
    case 'state': {
      if (e === 'conntrack' && name !== 'ctstate') throw new Unsupported(`iptables -m conntrack --${rawName}`);
      if (e === 'state') dupOnce();
      // Names compare case-insensitively (strncasecmp in libxt_conntrack / libxt_state).
      const states = value!.split(',').map((s) => {
        const u = s.toUpperCase();
        if (!(CT_STATE_ORDER as readonly string[]).includes(u) || (e === 'state' && (u === 'SNAT' || u === 'DNAT'))) {
          throw usage(e === 'conntrack' ? `Bad ctstate "${s}"` : `Bad state "${s}"`);
        }
        return u as CtStateName;
      });
      d.states = CT_STATE_ORDER.filter((s) => states.includes(s));
      d.inv = inv;
      return;
    }
    case 'multiport': {
      if (d.which !== undefined) throw usage('multiport can only have one option');
      const protoN = p.proto ? protoName(p.proto.num) : undefined;
      const pp: 'tcp' | 'udp' = protoN === 'udp' ? 'udp' : 'tcp';
      const items = value!.split(',');
      const ports: PortRange[] = [];
      let count = 0;
      for (const it of items) {
        const r = it.includes(':') ? parsePortRange(it, pp) : { lo: parsePort(it, pp), hi: parsePort(it, pp) };
        count += r.lo === r.hi ? 1 : 2;
        ports.push(r);
      }
      if (count > 15) throw usage('too many ports specified');
      d.which = name;
      d.ports = ports;
      d.inv = inv;
      return;
    }
    case 'mark': {
      dupOnce();
      const mm = parseMarkMask(value!, rawName, 'mark');
      d.value = (mm.value & mm.mask) >>> 0;
      d.rawValue = mm.value;
      d.mask = mm.mask;
      d.inv = inv;
      return;
    }
    case 'physdev': {
      dupOnce();
      if (name === 'physdev-in' || name === 'physdev-out') d[name] = { name: parseIface(value!), inv };
      else d[name] = { inv };
      return;
    }
    case 'statistic':
      statisticOption(ext, name, value!, inv);
      return;
    case 'REJECT': {
      const allowed: readonly string[] = [
        'icmp-net-unreachable',
        'icmp-host-unreachable',
        'icmp-port-unreachable',
        'icmp-proto-unreachable',
        'icmp-net-prohibited',
        'icmp-host-prohibited',
        'icmp-admin-prohibited',
        'tcp-reset',
      ];
      const alias: Readonly<Record<string, string>> = {
        'net-unreach': 'icmp-net-unreachable',
        'host-unreach': 'icmp-host-unreachable',
        'proto-unreach': 'icmp-proto-unreachable',
        'port-unreach': 'icmp-port-unreachable',
        'net-prohib': 'icmp-net-prohibited',
        'host-prohib': 'icmp-host-prohibited',
        'admin-prohib': 'icmp-admin-prohibited',
        'tcp-rst': 'tcp-reset',
      };
      const w = alias[value!] ?? value!;
      if (!allowed.includes(w)) throw usage(`unknown reject type "${value}"`);
      d.with = w;
      return;
    }
    case 'LOG': {
      if (name === 'log-prefix') {
        dupOnce();
        // iptables-nft keeps the first 29 characters (the legacy tool refuses longer prefixes).
        d.prefix = value!.slice(0, 29);
        return;
      }
      if (name === 'log-level') {
        dupOnce();
        const names = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];
        let lvl: number;
        if (/^\d+$/.test(value!) && Number(value) <= 7) lvl = Number(value);
        else if (value === 'panic') lvl = 0;
        else if (names.includes(value!)) lvl = names.indexOf(value!);
        else throw usageNl(`log level "${value}" unknown`);
        d.level = lvl;
        return;
      }
      throw new Unsupported(`iptables LOG --${rawName}`);
    }
    case 'MASQUERADE':
    case 'SNAT':
    case 'DNAT': {
      dupOnce();
      if (name === 'random' || name === 'random-fully' || name === 'persistent') {
        d[name] = true;
        return;
      }
      const protoN = p.proto ? protoName(p.proto.num) : undefined;
      const portsOk = protoN === 'tcp' || protoN === 'udp' || protoN === 'sctp' || protoN === 'dccp';
      if (name === 'to-ports') {
        if (!portsOk) throw usage('Need TCP, UDP, SCTP or DCCP with port specification');
        const r = parseNatRange(':' + value!, true);
        d.ports = { minPort: r.minPort, maxPort: r.maxPort };
        return;
      }
      if (value!.includes('/')) throw usage(`Bad IP address "${value!.split(':')[0]}"`);
      d.range = parseNatRange(value!, portsOk);
      return;
    }
    case 'MARK': {
      if (d.value !== undefined) {
        if (ext.seen.has(name)) throw usageNl(`MARK: option "--${rawName}" can only be used once.`);
        throw usage('MARK: --set-xmark/--set-mark/--and-mark/--or-mark/--xor-mark are mutually exclusive');
      }
      ext.seen.add(name);
      if (name === 'set-xmark') {
        const mm = parseMarkMask(value!, rawName, 'MARK');
        d.value = mm.value;
        d.mask = mm.mask;
      } else if (name === 'set-mark') {
        // libxt_MARK: --set-mark v/m is xmark v/(m|v).
        const mm = parseMarkMask(value!, rawName, 'MARK');
        d.value = mm.value;
        d.mask = (mm.mask | mm.value) >>> 0;
      } else if (name === 'and-mark') {
        const v = parseNumber(value!, rawName, 'MARK');
        d.value = 0;
        d.mask = ~v >>> 0;
      } else if (name === 'or-mark') {
        const v = parseNumber(value!, rawName, 'MARK');
        d.value = v;
        d.mask = v;
      } else {
        const v = parseNumber(value!, rawName, 'MARK');
        d.value = v;
        d.mask = 0;
      }
      return;
    }
    case 'CT': {
      if (name !== 'notrack') throw new Unsupported(`iptables CT --${rawName}`);
      d.notrack = true;
      return;
    }
  }
  throw new Unsupported(`iptables option --${rawName}`);
}

/**
 * libxt_statistic's guided options (xtables_option_parse, then
 * statistic_parse): "can only be used once" before "cannot be inverted",
 * then the value. --mode may not be inverted, nor --packet; a `!` before
 * --probability or --every inverts the whole match. Messages from the kernel.
 */
function statisticOption(ext: MatchBuild, name: string, value: string, inv: boolean): void {
  const d = ext.data;
  if (ext.seen.has(name)) throw usageNl(`statistic: option "--${name}" can only be used once.`);
  if (inv && (name === 'mode' || name === 'packet')) throw usageNl(`statistic: option "--${name}" cannot be inverted.`);
  ext.seen.add(name);
  if (inv) d.inv = true;
  switch (name) {
    case 'mode':
      if (value !== 'random' && value !== 'nth') throw usage(`Bad mode "${value}"`);
      d.mode = value;
      return;
    case 'probability': {
      // XTTYPE_DOUBLE: strtod over the whole argument, within [0, 1].
      const ok = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value);
      const v = ok ? Number(value) : NaN;
      if (!(v >= 0 && v <= 1)) throw usageNl('statistic: bad value for option "--probability", or out of range (0-1).');
      // lround(0x80000000 * p): p >= 0, so Math.round (half up) is lround (half away from zero).
      d.probability = Math.round(0x80000000 * v);
      return;
    }
    case 'every':
    case 'packet': {
      const v = parseUint32(value);
      const min = name === 'every' ? 1 : 0;
      if (v === undefined || v < min) throw usageNl(`statistic: bad value for option "--${name}", or out of range (${min}-4294967295).`);
      // statistic_parse: --every is stored minus one (the kernel's u.nth.every).
      d[name] = name === 'every' ? v - 1 : v;
      return;
    }
  }
  throw new Unsupported(`iptables statistic --${name}`);
}

/** xtables_strtoui(..., 0, UINT32_MAX): strtoul base 0 (0x.. hex, 0.. octal), no sign. */
function parseUint32(s: string): number | undefined {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^[1-9]\d*$/.test(s) ? Number(s) : NaN;
  return Number.isFinite(v) && v <= 0xffffffff ? v : undefined;
}

function parseTcpFlags(s: string): number {
  let f = 0;
  for (const part of s.split(',')) {
    const e = TCP_FLAG_NAMES.find(([n]) => n === part.toUpperCase());
    if (!e) throw usage(`Unknown TCP flag \`${part}'`);
    f |= e[1];
  }
  return f;
}

function parseIcmpType(s: string): { type: number; codeMin: number; codeMax: number } {
  const named = ICMP_CODES.find(([n]) => n === s);
  if (named) return { type: named[1], codeMin: named[2], codeMax: named[3] };
  const m = /^(\d+)(?:\/(\d+))?$/.exec(s);
  if (m && Number(m[1]) <= 255 && (m[2] === undefined || Number(m[2]) <= 255)) {
    const code = m[2] === undefined ? undefined : Number(m[2]);
    return { type: Number(m[1]), codeMin: code ?? 0, codeMax: code ?? 0xff };
  }
  throw usage(`Unknown ICMP type \`${s}'`);
}

// ---------------------------------------------------------------------------
// building the rule

function buildMatch(m: MatchBuild, p: Parsed): NfMatch {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- option bag filled by extOption
  const d = m.data as Record<string, any>;
  const protoN = p.proto && !p.proto.inv ? protoName(p.proto.num) : undefined;
  switch (m.name) {
    case 'tcp':
    case 'udp':
      if (protoN !== m.name) throw usage(`${m.name === 'tcp' ? 'TCP' : 'UDP'} match requires '-p ${m.name}'`);
      return {
        kind: m.name,
        ...(d.sport ? { sport: d.sport, sportInv: d.sportInv } : {}),
        ...(d.dport ? { dport: d.dport, dportInv: d.dportInv } : {}),
        ...(d.flags ? { flags: d.flags } : {}),
      };
    case 'icmp':
      if (protoN !== 'icmp') throw usage("ICMP match requires '-p icmp'");
      if (d.type === undefined) throw new Unsupported('-m icmp without --icmp-type');
      return {
        kind: 'icmp',
        type: (d.type as { type: number }).type,
        codeMin: (d.type as { codeMin: number }).codeMin,
        codeMax: (d.type as { codeMax: number }).codeMax,
        inv: !!d.inv,
      };
    case 'comment':
      if (d.text === undefined) throw usageNl('comment: option "--comment" must be specified');
      return { kind: 'comment', text: d.text };
    case 'addrtype':
      if (!d['src-type'] && !d['dst-type']) throw usage('addrtype: you must specify --src-type or --dst-type');
      return {
        kind: 'addrtype',
        ...(d['src-type'] ? { src: d['src-type'] } : {}),
        ...(d['dst-type'] ? { dst: d['dst-type'] } : {}),
        ...(d['limit-iface-in'] ? { limitIfaceIn: true } : {}),
        ...(d['limit-iface-out'] ? { limitIfaceOut: true } : {}),
      };
    case 'conntrack':
      if (!d.states) throw usage('conntrack: At least one option is required');
      return { kind: 'conntrack', states: d.states, inv: !!d.inv };
    case 'state':
      if (!d.states) throw usageNl('state: option "--state" must be specified');
      return { kind: 'state', states: d.states, inv: !!d.inv };
    case 'multiport':
      if (protoN !== 'tcp' && protoN !== 'udp') {
        throw usage("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
      }
      if (!d.which) throw usage('multiport expects an option');
      return { kind: 'multiport', which: d.which, ports: d.ports, inv: !!d.inv };
    case 'mark':
      if (d.value === undefined) throw usageNl('mark: option "--mark" must be specified');
      return { kind: 'mark', value: d.value, mask: d.mask, inv: !!d.inv };
    case 'statistic':
      return buildStatistic(m);
    case 'physdev':
      if (Object.keys(d).length === 0) throw usage('PHYSDEV: no physdev option specified');
      return {
        kind: 'physdev',
        ...(d['physdev-in'] ? { physIn: d['physdev-in'] } : {}),
        ...(d['physdev-out'] ? { physOut: d['physdev-out'] } : {}),
        ...(d['physdev-is-in'] ? { isIn: d['physdev-is-in'] } : {}),
        ...(d['physdev-is-out'] ? { isOut: d['physdev-is-out'] } : {}),
        ...(d['physdev-is-bridged'] ? { isBridged: d['physdev-is-bridged'] } : {}),
      };
  }
  throw new Unsupported(`iptables match ${m.name}`);
}

/**
 * statistic_check() (x6_fcheck), then xtables_options_fcheck over the option
 * table in order (mode: mandatory; probability: excludes every/packet; every:
 * excludes probability, also needs packet; packet: the same), as the kernel's
 * iptables 1.8.9 reports them.
 */
function buildStatistic(m: MatchBuild): NfMatch {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- option bag filled by statisticOption
  const d = m.data as Record<string, any>;
  const has = (o: string): boolean => m.seen.has(o);
  const mode: 'random' | 'nth' = d.mode ?? 'random'; // XT_STATISTIC_MODE_RANDOM is 0
  if (mode === 'random' && !has('probability')) throw usage('--probability must be specified when using random mode');
  if (mode === 'nth' && !has('every') && !has('packet')) throw usage('--every and --packet must be specified when using nth mode');
  const every: number = d.every ?? 0;
  const packet: number = d.packet ?? 0;
  if (packet > every) throw usage('the --packet p must be 0 <= p <= n-1');
  if (!has('mode')) throw usageNl('statistic: option "--mode" must be specified');
  const order = ['probability', 'every', 'packet'];
  const excl: Readonly<Record<string, readonly string[]>> = { probability: ['every', 'packet'], every: ['probability'], packet: ['probability'] };
  const also: Readonly<Record<string, string>> = { every: 'packet', packet: 'every' };
  for (const o of order) {
    if (!has(o)) continue;
    const clash = order.find((x) => excl[o]!.includes(x) && has(x));
    if (clash) throw usageNl(`statistic: option "--${o}" cannot be used together with "--${clash}".`);
    const need = also[o];
    if (need && !has(need)) throw usageNl(`statistic: option "--${o}" also requires "--${need}".`);
  }
  const inv = !!d.inv;
  if (mode === 'random') return { kind: 'statistic', mode, probability: d.probability as number, inv };
  // statistic_check: count = every - packet (the first packet matches when packet is 0).
  return { kind: 'statistic', mode, every, packet, count: every - packet, inv };
}

function buildTarget(p: Parsed): NfTarget | undefined {
  const j = p.jump;
  if (!j) return undefined;
  if (j.goto) return { kind: 'jump', chain: j.name, goto: true };
  if (j.name === 'ACCEPT' || j.name === 'DROP' || j.name === 'RETURN') return { kind: j.name };
  const t = p.target;
  if (!t) return { kind: 'jump', chain: j.name, goto: false };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- option bag filled by extOption
  const d = t.data as Record<string, any>;
  switch (t.name) {
    case 'REJECT':
      return { kind: 'REJECT', with: (d.with ?? 'icmp-port-unreachable') as RejectWith };
    case 'LOG':
      return { kind: 'LOG', level: d.level ?? 4, ...(d.prefix !== undefined ? { prefix: d.prefix } : {}) };
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', random: !!d.random, randomFully: !!d['random-fully'], ...(d.ports ? { ports: d.ports } : {}) };
    case 'SNAT':
    case 'DNAT':
      if (!d.range) {
        throw usageNl(`${t.name}: option "--to-${t.name === 'SNAT' ? 'source' : 'destination'}" must be specified`);
      }
      return { kind: t.name, range: d.range, random: !!d.random, persistent: !!d.persistent, randomFully: !!d['random-fully'] };
    case 'MARK':
      if (d.value === undefined) throw usage('MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
      return { kind: 'MARK', value: d.value, mask: d.mask };
    case 'NOTRACK':
      return { kind: 'NOTRACK', ctForm: false };
    case 'CT':
      if (!d.notrack) throw new Unsupported('iptables -j CT without --notrack');
      return { kind: 'NOTRACK', ctForm: true };
  }
  throw new Unsupported(`iptables target ${t.name}`);
}

/** All rules a command line stands for (one per -s x -d combination). */
function buildSpecs(p: Parsed): NfRuleSpec[] {
  const matches = p.matches.map((m) => buildMatch(m, p));
  const target = buildTarget(p);
  const srcs: (AddrMatch | undefined)[] = p.src ? parseAddrs(p.src.text).map((a) => ({ ...a, inv: p.src!.inv })) : [undefined];
  const dsts: (AddrMatch | undefined)[] = p.dst ? parseAddrs(p.dst.text).map((a) => ({ ...a, inv: p.dst!.inv })) : [undefined];
  const out: NfRuleSpec[] = [];
  for (const s of srcs) {
    for (const d of dsts) {
      out.push({
        ...(s && (s.mask !== 0 || s.inv) ? { src: s } : {}),
        ...(d && (d.mask !== 0 || d.inv) ? { dst: d } : {}),
        // A bare "+" matches every interface: iptables-nft drops the match.
        ...(p.inIf && (p.inIf.name !== '+' || p.inIf.inv) ? { inIf: p.inIf } : {}),
        ...(p.outIf && (p.outIf.name !== '+' || p.outIf.inv) ? { outIf: p.outIf } : {}),
        ...(p.proto && (p.proto.num !== 0 || p.proto.inv) ? { proto: { num: p.proto.num, inv: p.proto.inv } } : {}),
        matches,
        ...(target ? { target } : {}),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// output helpers

/** The rule as `iptables -v -A` echoes it (print_rule with FMT_PRINT_RULE: notab form). */
function verboseRuleLine(spec: NfRuleSpec): string {
  const tgt = targetName(spec.target);
  const proto = spec.proto?.num ?? 0;
  let s = `${tgt} `;
  s += spec.proto?.inv ? '!' : ' ';
  s += `${protoName(proto) ?? proto} `;
  s += 'opt -- ';
  s += `in ${spec.inIf?.inv ? '!' : ''}${spec.inIf?.name ?? '*'} `;
  s += `out ${spec.outIf?.inv ? '!' : ''}${spec.outIf?.name ?? '*'} `;
  const addr = (a: AddrMatch | undefined): string => {
    const mask = a?.mask ?? 0;
    const l = maskLen(mask);
    return formatIp4(a?.addr ?? 0) + (l === 32 ? '' : l >= 0 ? `/${l}` : `/${formatIp4(mask)}`);
  };
  s += (spec.src?.inv ? '!' : ' ') + addr(spec.src) + ' ';
  s += (spec.dst?.inv ? '!' : ' ') + '-> ' + addr(spec.dst);
  s += '  ';
  if (spec.target?.kind === 'jump' && spec.target.goto) s += '[goto] ';
  return s + listMatchesAndTarget(spec, true);
}

function listTable(world: World, ns: string, p: Parsed): { out: string; err?: string } {
  const t = viewTable(world.ns[ns]!.netfilter, p.table);
  const f: ListFormat = { numeric: p.numeric, verbose: p.verbose, exact: p.exact, lineNumbers: p.lineNumbers };
  let chains = chainsInOrder(t);
  if (p.chain !== undefined) {
    const c = chains.find((x) => x.name === p.chain);
    if (!c || (!isBuiltin(p.table, c.name) && !c.created)) {
      return { out: '', err: `${IPT_PREFIX}chain \`${p.chain}' in table \`${p.table}' is incompatible, use 'nft' tool.\n` };
    }
    chains = [c];
  }
  if (p.ruleNum !== undefined) {
    const r = chains[0]!.rules[p.ruleNum - 1];
    return { out: r ? listRule(p.ruleNum, r.spec, r.counters, f) : '' };
  }
  const parts = chains.map((c) => {
    let s = listHeader(c, isBuiltin(p.table, c.name), references(t, c.name), f);
    c.rules.forEach((r, k) => (s += listRule(k + 1, r.spec, r.counters, f)));
    return s;
  });
  return { out: parts.join('\n') };
}

/** `-S` lines. With -v, "-c pkts bytes" goes after the policy and before the target (FMT_C_COUNTS). */
function listRules(world: World, ns: string, p: Parsed): { out: string; err?: string } {
  const t = viewTable(world.ns[ns]!.netfilter, p.table);
  let chains = chainsInOrder(t);
  if (p.chain !== undefined) {
    const c = chains.find((x) => x.name === p.chain);
    if (!c || (!isBuiltin(p.table, c.name) && !c.created)) {
      return { out: '', err: `${IPT_PREFIX}chain \`${p.chain}' in table \`${p.table}' is incompatible, use 'nft' tool.\n` };
    }
    chains = [c];
  }
  const ruleLine = (chain: string, r: { spec: NfRuleSpec; counters: { pkts: number; bytes: number } }): string => {
    if (!p.verbose) return `-A ${chain}${saveRuleBody(r.spec)}\n`;
    const { target, ...rest } = r.spec;
    const tgtText = target ? saveRuleBody({ matches: [], target }) : '';
    return `-A ${chain}${saveRuleBody(rest)} -c ${r.counters.pkts} ${r.counters.bytes}${tgtText}\n`;
  };
  if (p.ruleNum !== undefined) {
    const c = chains[0]!;
    const r = c.rules[p.ruleNum - 1];
    return { out: r ? ruleLine(c.name, r) : '' };
  }
  let out = '';
  for (const c of chains) {
    if (isBuiltin(p.table, c.name)) {
      const cnt = c.counters ?? { pkts: 0, bytes: 0 };
      out += `-P ${c.name} ${c.policy ?? 'ACCEPT'}${p.verbose ? ` -c ${cnt.pkts} ${cnt.bytes}` : ''}\n`;
    } else out += `-N ${c.name}\n`;
  }
  for (const c of chains) for (const r of c.rules) out += ruleLine(c.name, r);
  return { out };
}

// ---------------------------------------------------------------------------
// the command

function result(world: World, out: OutChunk[], status: number): CmdResult {
  return { world, out, status };
}

/** Reserved names: built-in targets and the extensions iptables can load. */
function clashesWithTarget(name: string): boolean {
  return name === '' || ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(name) || TARGET_NAMES.includes(name) || KNOWN_UNMODELLED_TARGETS.has(name);
}

function checkChainName(name: string): void {
  if (name.length >= 29) throw usage(`chain name \`${name}' too long (must be under 29 chars)`);
  if (name.startsWith('!')) throw usage("chain name not allowed to start with `!'");
  if (name.startsWith('-')) throw usage("chain name not allowed to start with `-'");
  if (clashesWithTarget(name)) throw usage('chain name may not clash with target name');
  if (/[\s]/.test(name)) throw usage(`Invalid chain name \`${name}'`);
}

export const iptablesCommand: Command = (ctx) => {
  const warnings: string[] = [];
  const r = iptablesMain(ctx, warnings);
  if (warnings.length === 0) return r;
  return { ...r, out: [...warnings.map((text): OutChunk => ({ fd: 2, text })), ...r.out] };
};

/** `warnings`: messages do_parse() prints on stderr while parsing (before any error or output). */
function iptablesMain(ctx: Parameters<Command>[0], warnings: string[]): CmdResult {
  const world = ctx.world;
  let p: Parsed;
  try {
    p = parse(ctx.argv.slice(1), warnings);
    post(p);
  } catch (e) {
    if (e instanceof UsageError) return result(world, [{ fd: 2, text: e.text }], e.status);
    if (e instanceof VersionExit) return result(world, [{ fd: 1, text: 'iptables v1.8.9 (nf_tables)\n' }], 0);
    throw e;
  }
  try {
    return run(ctx.world, ctx.ns, p);
  } catch (e) {
    if (e instanceof UsageError) return result(world, [{ fd: 2, text: e.text }], e.status);
    throw e;
  }
}

/** The checks do_parse() makes after the option loop. */
function post(p: Parsed): void {
  // Final checks of each extension come first (x6_fcheck), then the command-level ones.
  if (!p.cmd) throw usage('no command specified');
  const cmdKey = p.cmd === 'D' && p.ruleNum !== undefined ? 'DN' : p.cmd === 'Z' && p.ruleNum !== undefined ? 'ZN' : p.cmd === 'L' && p.zeroToo ? 'LZ' : p.cmd;
  const row = CMD_OPTS[cmdKey]!;
  for (const o of OPT_COLS) {
    if (p.opts.has(o) && row[OPT_COLS.indexOf(o)] === 'x') throw usage(`Illegal option \`-${o}' with this command`);
  }
  if (p.table === 'nat' && (p.policy === 'DROP' || (p.jump && !p.jump.goto && p.jump.name === 'DROP'))) {
    throw usage('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  }
  if (p.chain !== undefined && p.chain.length >= 29) throw usage(`chain name \`${p.chain}' too long (must be under 29 chars)`);
  if (p.cmd === 'A' || p.cmd === 'D' || p.cmd === 'C' || p.cmd === 'I' || p.cmd === 'R') {
    if ((p.chain === 'PREROUTING' || p.chain === 'INPUT') && p.outIf) throw usageNl(`Can't use -o with ${p.chain}`);
    if ((p.chain === 'POSTROUTING' || p.chain === 'OUTPUT') && p.inIf) throw usageNl(`Can't use -i with ${p.chain}`);
  }
  if (p.cmd === 'N') checkChainName(p.chain!);
  // -E checks nothing about the new name (the kernel renames a chain to "ACCEPT", or to 29+ characters).
}

function run(world: World, ns: string, p: Parsed): CmdResult {
  const out: OutChunk[] = [];
  const t = world.ns[ns]!.netfilter.tables[p.table];
  const applyAll = (ops: ((w: World) => NfOpResult)[]): CmdResult => {
    let w = world;
    for (const op of ops) {
      const r = op(w);
      if (!r.ok) return result(world, [...out, { fd: 2, text: r.error }], r.status);
      w = r.world;
    }
    return result(w, out, 0);
  };
  const ruleCmd = (): NfRuleSpec[] => {
    const specs = buildSpecs(p);
    // A jump to a chain that does not exist is refused before anything is sent.
    const j = p.jump;
    if (j && (j.goto || !['ACCEPT', 'DROP', 'RETURN'].includes(j.name)) && !p.target) {
      if (!chainKnown(t, p.table, j.name)) throw usage(`Chain '${j.name}' does not exist`);
    }
    // -v echoes each rule (not for -C).
    if (p.verbose && p.cmd !== 'C') for (const s of specs) out.push({ fd: 1, text: verboseRuleLine(s) + '\n' });
    return specs;
  };
  const chain = p.chain!;
  switch (p.cmd!) {
    case 'A':
      return applyAll(ruleCmd().map((s) => (w: World) => appendRule(w, ns, p.table, chain, s)));
    case 'I': {
      const specs = ruleCmd();
      // Several rules from one -I all go in at the same position, so the last ends up first.
      return applyAll(specs.map((s) => (w: World) => insertRule(w, ns, p.table, chain, p.ruleNum!, s)));
    }
    case 'R': {
      const specs = ruleCmd();
      if (specs.length !== 1) return result(world, [{ fd: 2, text: usage('Replacement rule does not specify a unique address').text }], 2);
      return applyAll([(w) => replaceRule(w, ns, p.table, chain, p.ruleNum!, specs[0]!)]);
    }
    case 'D':
      if (p.ruleNum !== undefined) return applyAll([(w) => deleteRuleNum(w, ns, p.table, chain, p.ruleNum!)]);
      return applyAll(ruleCmd().map((s) => (w: World) => deleteRuleSpec(w, ns, p.table, chain, s)));
    case 'C':
      return applyAll(ruleCmd().map((s) => (w: World) => checkRule(w, ns, p.table, chain, s)));
    case 'N':
      return applyAll([(w) => newChain(w, ns, p.table, chain)]);
    case 'X': {
      const r = deleteChain(world, ns, p.table, p.chain);
      if (!r.ok) return result(world, [{ fd: 2, text: r.error }], r.status);
      if (p.verbose) {
        const names = p.chain !== undefined ? [p.chain] : chainNamesForAll(t, p.table).filter((n) => !isBuiltin(p.table, n));
        for (const n of names) out.push({ fd: 1, text: `Deleting chain \`${n}'\n` });
      }
      return result(r.world, out, 0);
    }
    case 'E':
      return applyAll([(w) => renameChain(w, ns, p.table, chain, p.newName!)]);
    case 'P':
      return applyAll([(w) => setPolicy(w, ns, p.table, chain, p.policy!)]);
    case 'F': {
      const r = flushChain(world, ns, p.table, p.chain);
      if (!r.ok) return result(world, [{ fd: 2, text: r.error }], r.status);
      if (p.verbose) {
        for (const n of p.chain !== undefined ? [p.chain] : chainNamesForAll(t, p.table)) out.push({ fd: 1, text: `Flushing chain \`${n}'\n` });
      }
      return result(r.world, out, 0);
    }
    case 'Z': {
      const r = zeroCounters(world, ns, p.table, p.chain, p.ruleNum);
      if (!r.ok) return result(world, [{ fd: 2, text: r.error }], r.status);
      if (p.verbose) {
        for (const n of p.chain !== undefined ? [p.chain] : chainNamesForAll(t, p.table)) out.push({ fd: 1, text: `Zeroing chain \`${n}'\n` });
      }
      return result(r.world, out, 0);
    }
    case 'L': {
      const l = listTable(world, ns, p);
      if (l.err) return result(world, [{ fd: 2, text: l.err }], 1);
      if (l.out) out.push({ fd: 1, text: l.out });
      if (p.zeroToo) {
        const r = zeroCounters(world, ns, p.table, p.chain);
        if (!r.ok) return result(world, [...out, { fd: 2, text: r.error }], r.status);
        if (p.verbose) {
          for (const n of p.chain !== undefined ? [p.chain] : chainNamesForAll(t, p.table)) out.push({ fd: 1, text: `Zeroing chain \`${n}'\n` });
        }
        return result(r.world, out, 0);
      }
      return result(world, out, 0);
    }
    case 'S': {
      const l = listRules(world, ns, p);
      if (l.err) return result(world, [{ fd: 2, text: l.err }], 1);
      if (l.out) out.push({ fd: 1, text: l.out });
      return result(world, out, 0);
    }
  }
}
