/**
 * Printing rules the way iptables 1.8.9 (nf_tables) prints them:
 *  - save form (`iptables -S`, `iptables-save`): save_ipv4_addr, save_rule_details,
 *    then each match's save() and the target's save() (libxtables/xshared.c,
 *    extensions/libxt_*.c);
 *  - list form (`iptables -L`): print_rule_details, print_ifaces,
 *    print_ipv4_addresses, then each match's print() and the target's print().
 * Every spelling here was checked against the real tool (see
 * conformance/scripts/15x-*.sh).
 */
import { formatIp4, type Ip4 } from '../../model/addr.js';
import type {
  AddrMatch,
  AddrTypeName,
  Counters,
  CtStateName,
  NatRange,
  NfChain,
  NfMatch,
  NfRuleSpec,
  NfTarget,
  PortRange,
} from '../../model/netfilter.js';
import { HOSTS, NETWORKS, PROTOCOLS, SERVICES_TCP, SERVICES_UDP } from './netdb.js';

// ---------------------------------------------------------------------------
// names

/** xtables_chain_protos: the names iptables knows without /etc/protocols. */
const CHAIN_PROTOS: readonly (readonly [string, number])[] = [
  ['tcp', 6],
  ['sctp', 132],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['icmpv6', 58],
  ['esp', 50],
  ['ah', 51],
  ['mh', 135],
  ['all', 0],
];

/** proto_to_name(): the built-in list, then getprotobynumber(). */
export function protoName(num: number): string | undefined {
  const b = CHAIN_PROTOS.find(([, n]) => n === num);
  if (b) return b[0];
  const p = PROTOCOLS.find(([, n]) => n === num);
  return p ? p[0] : undefined;
}

/** Protocol name or number to its number, as xtables_parse_protocol() does; undefined if unknown. */
export function parseProtoName(s: string): number | undefined {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 255 ? n : undefined;
  }
  const l = s.toLowerCase();
  const b = CHAIN_PROTOS.find(([n]) => n === l);
  if (b) return b[1];
  const p = PROTOCOLS.find(([n, , al]) => n === s || al.includes(s));
  return p ? p[1] : undefined;
}

export function serviceName(port: number, proto: number): string | undefined {
  return proto === 17 ? SERVICES_UDP[port] : SERVICES_TCP[port];
}

/** iptables' icmp_codes table (extensions/libxt_icmp.c): [name, type, codeMin, codeMax]. */
export const ICMP_CODES: readonly (readonly [string, number, number, number])[] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

export const TCP_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
  ['ALL', 0x3f],
  ['NONE', 0],
];

/** Order in which ctstate/state names print (print_state in libxt_conntrack.c). */
export const CT_STATE_ORDER: readonly CtStateName[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

/** RTN_* order, as libxt_addrtype prints type lists. */
export const ADDRTYPE_ORDER: readonly AddrTypeName[] = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
];

/** LOG levels as iptables-nft prints them in `-L` (nft's syslog level names). */
const LOG_LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

// ---------------------------------------------------------------------------
// helpers

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);

/** Prefix length of a contiguous mask, or -1. */
export function maskLen(mask: number): number {
  const m = mask >>> 0;
  for (let len = 0; len <= 32; len++) {
    const want = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (want === m) return len;
  }
  return -1;
}

/** xtables_ipmask_to_numeric with save semantics: "/24", or "/255.0.255.0" for a non-contiguous mask. */
function saveMask(mask: number): string {
  const l = maskLen(mask);
  return l >= 0 ? `/${l}` : `/${formatIp4(mask as Ip4)}`;
}

/** xtables_save_string(): bare when only [_-0-9a-zA-Z], else double-quoted with \" \\ \' escaped. */
export function saveString(v: string): string {
  if (/^[-_0-9a-zA-Z]+$/.test(v)) return ' ' + v;
  return ' "' + v.replace(/["\\']/g, (c) => '\\' + c) + '"';
}

function rangeSave(r: PortRange): string {
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}:${r.hi}`;
}

function tcpFlagsText(f: number): string {
  if (f === 0) return 'NONE';
  const out: string[] = [];
  for (const [n, b] of TCP_FLAG_NAMES.slice(0, 6)) if (f & b) out.push(n);
  return out.join(',');
}

function natRangeText(r: NatRange, withIp: boolean): string {
  let s = '';
  if (withIp && r.minIp !== undefined) {
    s += formatIp4(r.minIp);
    if (r.maxIp !== undefined && r.maxIp !== r.minIp) s += '-' + formatIp4(r.maxIp);
  }
  if (r.minPort !== undefined) {
    s += (withIp ? ':' : '') + r.minPort;
    if (r.maxPort !== undefined && r.maxPort !== r.minPort) s += '-' + r.maxPort;
  }
  return s;
}

// ---------------------------------------------------------------------------
// save form

function saveAddr(letter: 's' | 'd', a: AddrMatch | undefined): string {
  if (!a) return '';
  if (a.mask === 0 && !a.inv && a.addr === 0) return '';
  return `${a.inv ? ' !' : ''} -${letter} ${formatIp4(a.addr)}${saveMask(a.mask)}`;
}

function saveMatch(m: NfMatch): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp': {
      let s = ` -m ${m.kind}`;
      if (m.sport) s += `${m.sportInv ? ' !' : ''} --sport ${rangeSave(m.sport)}`;
      if (m.dport) s += `${m.dportInv ? ' !' : ''} --dport ${rangeSave(m.dport)}`;
      if (m.flags) s += `${m.flags.inv ? ' !' : ''} --tcp-flags ${tcpFlagsText(m.flags.mask)} ${tcpFlagsText(m.flags.cmp)}`;
      return s;
    }
    case 'icmp': {
      let s = ' -m icmp' + (m.inv ? ' !' : '');
      if (m.type === 0xff) s += ' --icmp-type any';
      else {
        s += ` --icmp-type ${m.type}`;
        if (m.codeMin !== 0 || m.codeMax !== 0xff) s += `/${m.codeMin}`;
      }
      return s;
    }
    case 'comment':
      return ' -m comment --comment' + saveString(m.text);
    case 'addrtype': {
      let s = ' -m addrtype';
      if (m.src) s += `${m.src.inv ? ' !' : ''} --src-type ${m.src.types.join(',')}`;
      if (m.dst) s += `${m.dst.inv ? ' !' : ''} --dst-type ${m.dst.types.join(',')}`;
      if (m.limitIfaceIn) s += ' --limit-iface-in';
      if (m.limitIfaceOut) s += ' --limit-iface-out';
      return s;
    }
    case 'conntrack':
      return ` -m conntrack${m.inv ? ' !' : ''} --ctstate ${m.states.join(',')}`;
    case 'state':
      return ` -m state${m.inv ? ' !' : ''} --state ${m.states.join(',')}`;
    case 'multiport':
      return ` -m multiport${m.inv ? ' !' : ''} --${m.which} ${m.ports.map(rangeSave).join(',')}`;
    case 'mark':
      return ` -m mark${m.inv ? ' !' : ''} --mark ${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`;
    case 'physdev':
      return ' -m physdev' + physdevText(m);
    case 'statistic':
      return ' -m statistic' + statisticText(m, '--');
  }
}

/**
 * libxt_statistic print_match(): `mode random [!] probability %.11f` or
 * `mode nth [!] every N [packet P]`; the save form (prefix `--`) always
 * prints the packet, the listing only when it is not 0 (checked on the kernel).
 */
function statisticText(m: Extract<NfMatch, { kind: 'statistic' }>, prefix: string): string {
  const inv = m.inv ? ' !' : '';
  if (m.mode === 'random') return ` ${prefix}mode random${inv} ${prefix}probability ${statisticProbabilityText(m.probability)}`;
  let s = ` ${prefix}mode nth${inv} ${prefix}every ${m.every + 1}`;
  if (m.packet !== 0 || prefix !== '') s += ` ${prefix}packet ${m.packet}`;
  return s;
}

/**
 * `%.11f` of probability / 0x80000000. glibc rounds the exact binary value
 * half to even (e.g. 1/4096 prints 0.00024414062); toFixed would round the
 * tie up, so the digits are computed exactly.
 */
export function statisticProbabilityText(prob: number): string {
  const num = BigInt(prob) * 100_000_000_000n;
  const den = 0x80000000n;
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(12, '0');
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}

function physdevText(m: Extract<NfMatch, { kind: 'physdev' }>): string {
  let s = '';
  if (m.isIn) s += `${m.isIn.inv ? ' !' : ''} --physdev-is-in`;
  if (m.physIn) s += `${m.physIn.inv ? ' !' : ''} --physdev-in ${m.physIn.name}`;
  if (m.isOut) s += `${m.isOut.inv ? ' !' : ''} --physdev-is-out`;
  if (m.physOut) s += `${m.physOut.inv ? ' !' : ''} --physdev-out ${m.physOut.name}`;
  if (m.isBridged) s += `${m.isBridged.inv ? ' !' : ''} --physdev-is-bridged`;
  return s;
}

function saveTarget(t: NfTarget | undefined): string {
  if (!t) return '';
  switch (t.kind) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return ` -j ${t.kind}`;
    case 'jump':
      return ` -${t.goto ? 'g' : 'j'} ${t.chain}`;
    case 'REJECT':
      return ` -j REJECT --reject-with ${t.with}`;
    case 'LOG': {
      let s = ' -j LOG';
      if (t.prefix !== undefined && t.prefix !== '') s += ' --log-prefix' + saveString(t.prefix);
      if (t.level !== 4) s += ` --log-level ${t.level}`;
      return s;
    }
    case 'MASQUERADE': {
      let s = ' -j MASQUERADE';
      if (t.ports) s += ' --to-ports ' + natRangeText(t.ports, false);
      if (t.random) s += ' --random';
      if (t.randomFully) s += ' --random-fully';
      return s;
    }
    case 'SNAT':
    case 'DNAT': {
      let s = ` -j ${t.kind} --to-${t.kind === 'SNAT' ? 'source' : 'destination'} ${natRangeText(t.range, true)}`;
      if (t.random) s += ' --random';
      if (t.randomFully) s += ' --random-fully';
      if (t.persistent) s += ' --persistent';
      return s;
    }
    case 'MARK':
      return ` -j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case 'NOTRACK':
      return t.ctForm ? ' -j CT --notrack' : ' -j NOTRACK';
  }
}

/** The rule's body in save form, without "-A CHAIN" and with a leading space unless empty. */
export function saveRuleBody(spec: NfRuleSpec): string {
  let s = saveAddr('s', spec.src) + saveAddr('d', spec.dst);
  if (spec.inIf) s += `${spec.inIf.inv ? ' !' : ''} -i ${spec.inIf.name}`;
  if (spec.outIf) s += `${spec.outIf.inv ? ' !' : ''} -o ${spec.outIf.name}`;
  if (spec.proto && (spec.proto.num !== 0 || spec.proto.inv)) {
    const n = protoName(spec.proto.num);
    s += `${spec.proto.inv ? ' !' : ''} -p ${n ?? spec.proto.num}`;
  }
  for (const m of spec.matches) s += saveMatch(m);
  s += saveTarget(spec.target);
  return s;
}

/** `-A CHAIN ...` exactly as `iptables -S` prints it (no newline). */
export function saveRule(chain: string, spec: NfRuleSpec, counters?: Counters): string {
  return `${counters ? `[${counters.pkts}:${counters.bytes}] ` : ''}-A ${chain}${saveRuleBody(spec)}`;
}

// ---------------------------------------------------------------------------
// list form (iptables -L)

export interface ListFormat {
  readonly numeric: boolean;
  readonly verbose: boolean;
  /** -x: exact counters (no K/M/G). */
  readonly exact: boolean;
  readonly lineNumbers: boolean;
}

const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const lpad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

/** xtables_print_num(): "%8llu " with -x, else K/M/G/T units in 5 columns; without table padding for headers. */
export function printNum(n: number, f: ListFormat, notable = false): string {
  if (f.exact) return notable ? `${n} ` : `${lpad(String(n), 8)} `;
  if (n <= 99999) return notable ? `${n} ` : `${lpad(String(n), 5)} `;
  let v = Math.floor(n / 1000);
  for (const unit of ['K', 'M', 'G']) {
    if (v <= 9999) return notable ? `${v}${unit} ` : `${lpad(String(v), 4)}${unit} `;
    v = Math.floor(v / 1000);
  }
  return notable ? `${v}T ` : `${lpad(String(v), 4)}T `;
}

/** print_header(): the "Chain X (...)" line and the column header. */
export function listHeader(chain: NfChain, builtin: boolean, refs: number, f: ListFormat): string {
  let s = `Chain ${chain.name}`;
  if (builtin) {
    s += ` (policy ${chain.policy ?? 'ACCEPT'}`;
    if (f.verbose) {
      const c = chain.counters ?? { pkts: 0, bytes: 0 };
      s += ' ' + printNum(c.pkts, f, true) + 'packets, ' + printNum(c.bytes, f, true) + 'bytes';
    }
    s += ')\n';
  } else s += ` (${refs} references)\n`;
  if (f.lineNumbers) s += pad('num', 4) + ' ';
  if (f.verbose) {
    if (!f.exact) s += lpad('pkts', 5) + ' ' + lpad('bytes', 5) + ' ';
    else s += lpad('pkts', 8) + ' ' + lpad('bytes', 10) + ' ';
  }
  s += pad('target', 9) + ' ';
  s += ' prot ';
  s += 'opt';
  if (f.verbose) s += ' ' + pad('in', 6) + ' ' + pad('out', 6) + ' ';
  s += ' ' + pad('source', 19) + ' ';
  s += ' ' + pad('destination', 19) + ' ';
  return s + '\n';
}

function listAddr(a: AddrMatch | undefined, f: ListFormat): string {
  const inv = a?.inv ? '!' : ' ';
  const mask = a?.mask ?? 0;
  const addr = a?.addr ?? (0 as Ip4);
  if (mask === 0 && !f.numeric) return inv + pad('anywhere', 19) + ' ';
  let buf: string;
  const text = formatIp4(addr);
  if (f.numeric) buf = text;
  else if (mask === 0xffffffff) buf = HOSTS[text] ?? NETWORKS[text] ?? text;
  else buf = NETWORKS[text] ?? text;
  const l = maskLen(mask);
  if (l !== 32) buf += l >= 0 ? `/${l}` : `/${formatIp4(mask as Ip4)}`;
  return inv + pad(buf, 19) + ' ';
}

function portText(p: number, proto: number, numeric: boolean): string {
  if (!numeric) {
    const n = serviceName(p, proto);
    if (n) return n;
  }
  return String(p);
}

function listPorts(name: string, r: PortRange | undefined, inv: boolean | undefined, proto: number, numeric: boolean): string {
  if (!r) return '';
  if (r.lo === 0 && r.hi === 0xffff && !inv) return '';
  const i = inv ? '!' : '';
  if (r.lo === r.hi) return ` ${name}:${i}${portText(r.lo, proto, numeric)}`;
  return ` ${name}s:${i}${portText(r.lo, proto, numeric)}:${portText(r.hi, proto, numeric)}`;
}

function hex2(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(2, '0');
}

function listMatch(m: NfMatch, proto: number, numeric: boolean): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp': {
      const pn = m.kind === 'tcp' ? 6 : 17;
      let s = ` ${m.kind}` + listPorts('spt', m.sport, m.sportInv, pn, numeric) + listPorts('dpt', m.dport, m.dportInv, pn, numeric);
      if (m.flags && (m.flags.mask || m.flags.inv)) {
        s += ` flags:${m.flags.inv ? '!' : ''}`;
        s += numeric ? `${hex2(m.flags.mask)}/${hex2(m.flags.cmp)}` : `${tcpFlagsText(m.flags.mask)}/${tcpFlagsText(m.flags.cmp)}`;
      }
      return s;
    }
    case 'icmp': {
      let s = ' icmp';
      if (!numeric) {
        const e = ICMP_CODES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
        if (e) return s + ` ${m.inv ? '!' : ''}${e[0]}`;
      }
      if (m.inv) s += ' !';
      s += `type ${m.type}`;
      if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
      else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
      return s;
    }
    case 'comment':
      return ` /* ${m.text} */`;
    case 'addrtype': {
      let s = ' ADDRTYPE match';
      if (m.src) s += ` src-type ${m.src.inv ? '!' : ''}${m.src.types.join(',')}`;
      if (m.dst) s += ` dst-type ${m.dst.inv ? '!' : ''}${m.dst.types.join(',')}`;
      if (m.limitIfaceIn) s += ' limit-in';
      if (m.limitIfaceOut) s += ' limit-out';
      return s;
    }
    case 'conntrack':
      return `${m.inv ? ' !' : ''} ctstate ${m.states.join(',')}`;
    case 'state':
      return `${m.inv ? ' !' : ''} state ${m.states.join(',')}`;
    case 'multiport': {
      let s = ` multiport ${m.which} `;
      if (m.inv) s += ' !';
      s += m.ports
        .map((r) => (r.lo === r.hi ? portText(r.lo, proto, numeric) : `${portText(r.lo, proto, numeric)}:${portText(r.hi, proto, numeric)}`))
        .join(',');
      return s;
    }
    case 'mark':
      return ` mark match${m.inv ? ' !' : ''} ${hex(m.value)}${m.mask === 0xffffffff ? '' : '/' + hex(m.mask)}`;
    case 'physdev':
      return ' PHYSDEV match' + physdevText(m);
    case 'statistic':
      return ' statistic' + statisticText(m, '');
  }
}

function listTarget(t: NfTarget | undefined, numeric: boolean): string {
  if (!t) return '';
  switch (t.kind) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
    case 'jump':
      return '';
    case 'REJECT':
      return ` reject-with ${t.with}`;
    case 'LOG': {
      let s = ' LOG';
      if (numeric) s += ` flags 0 level ${t.level}`;
      else s += ` level ${LOG_LEVEL_NAMES[t.level] ?? t.level}`;
      if (t.prefix) s += ` prefix "${t.prefix}"`;
      return s;
    }
    case 'MASQUERADE': {
      let s = '';
      if (t.ports) s += ' masq ports: ' + natRangeText(t.ports, false);
      if (t.random) s += ' random';
      if (t.randomFully) s += ' random-fully';
      return s;
    }
    case 'SNAT':
    case 'DNAT': {
      let s = ' to:' + natRangeText(t.range, true);
      if (t.random) s += ' random';
      if (t.randomFully) s += ' random-fully';
      if (t.persistent) s += ' persistent';
      return s;
    }
    case 'MARK': {
      const { value, mask } = t;
      if (value === 0) return ` MARK and ${hex(~mask >>> 0)}`;
      if (value === mask) return ` MARK or ${hex(value)}`;
      if (mask === 0) return ` MARK xor ${hex(value)}`;
      if (mask === 0xffffffff) return ` MARK set ${hex(value)}`;
      return ` MARK xset ${hex(value)}/${hex(mask)}`;
    }
    case 'NOTRACK':
      return t.ctForm ? ' CT notrack' : ' NOTRACK';
  }
}

/** The target column: chain/verdict/extension name ("CT" for NOTRACK), '' for none. */
export function targetName(t: NfTarget | undefined): string {
  if (!t) return '';
  if (t.kind === 'jump') return t.chain;
  if (t.kind === 'NOTRACK') return 'CT';
  return t.kind;
}

/** print_matches_and_target(): each match's print() then the target's. */
export function listMatchesAndTarget(spec: NfRuleSpec, numeric: boolean): string {
  const proto = spec.proto?.num ?? 0;
  let s = '';
  for (const m of spec.matches) s += listMatch(m, proto, numeric);
  return s + listTarget(spec.target, numeric);
}

/** One `iptables -L` row (print_firewall), newline included. */
export function listRule(num: number, spec: NfRuleSpec, counters: Counters, f: ListFormat): string {
  let s = '';
  if (f.lineNumbers) s += pad(String(num), 4) + ' ';
  if (f.verbose) s += printNum(counters.pkts, f) + printNum(counters.bytes, f);
  s += pad(targetName(spec.target), 9) + ' ';
  s += spec.proto?.inv ? '!' : ' ';
  const proto = spec.proto?.num ?? 0;
  const pname = f.numeric ? String(proto) : (protoName(proto) ?? String(proto));
  s += pad(pname, 5);
  s += '-- ';
  if (f.verbose) {
    const any = f.numeric ? '*' : 'any';
    const i = (spec.inIf?.inv ? '!' : '') + (spec.inIf?.name ?? any);
    const o = (spec.outIf?.inv ? '!' : '') + (spec.outIf?.name ?? any);
    s += ' ' + pad(i, 6) + ' ' + pad(o, 6) + ' ';
  }
  s += listAddr(spec.src, f) + listAddr(spec.dst, f);
  if (spec.target?.kind === 'jump' && spec.target.goto) s += '[goto] ';
  for (const m of spec.matches) s += listMatch(m, proto, f.numeric);
  s += listTarget(spec.target, f.numeric);
  return s + '\n';
}
