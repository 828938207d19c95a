/**
 * `traceroute` (Modern traceroute for Linux 2.1.2, default UDP method)
 * against the twin.
 *
 * The probe schedule follows traceroute's do_it(): probes are numbered
 * hop by hop (nqueries per hop), up to `sim_queries` (-N, 16) of the
 * not-yet-printed ones are in flight at once, a hop is printed as soon as all
 * its probes are done (answered or expired), and the trace ends after the
 * hop where a probe got a "final" answer (the destination's port
 * unreachable, or !H/!N/!X...). Sending many probes at once matters: the
 * routers and the destination rate-limit their ICMP errors per destination
 * (net.ipv4.icmp_ratelimit), which the kernel shows as `*` (checked: two
 * traceroutes in a row to a host two hops away show `2  * * *` ... in the
 * second one).
 *
 * Expiry (get_expiry_time): a probe waits at most MAX seconds (-w, 5), but
 * only HERE (3) times the round trip of an answered probe of the same hop,
 * or NEAR (10) times that of a later hop.
 */
import { formatIp4, parseIp4, type Ip4 } from '../model/addr.js';
import type { Link } from '../model/world.js';
import { deviceOfLocalAddr, routeOutput } from '../sim/fib.js';
import { ageNeighbours } from '../sim/datapath/neigh.js';
import { ProbeSession, outcomeOf, type ProbeHandle, type ProbeOutcome } from '../sim/send.js';
import { Unsupported, type CmdContext, type CmdResult, type Command, type OutChunk } from './types.js';
import { strerror } from './errno.js';

export const TRACEROUTE_USAGE = "Usage:\n  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]\nOptions:\n  -4                          Use IPv4\n  -6                          Use IPv6\n  -d  --debug                 Enable socket level debugging\n  -F  --dont-fragment         Do not fragment packets\n  -f first_ttl  --first=first_ttl\n                              Start from the first_ttl hop (instead from 1)\n  -g gate,...  --gateway=gate,...\n                              Route packets through the specified gateway\n                              (maximum 8 for IPv4 and 127 for IPv6)\n  -I  --icmp                  Use ICMP ECHO for tracerouting\n  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80)\n  -i device  --interface=device\n                              Specify a network interface to operate with\n  -m max_ttl  --max-hops=max_ttl\n                              Set the max number of hops (max TTL to be\n                              reached). Default is 30\n  -N squeries  --sim-queries=squeries\n                              Set the number of probes to be tried\n                              simultaneously (default is 16)\n  -n                          Do not resolve IP addresses to their domain names\n  -p port  --port=port        Set the destination port to use. It is either\n                              initial udp port value for \"default\" method\n                              (incremented by each probe, default is 33434), or\n                              initial seq for \"icmp\" (incremented as well,\n                              default from 1), or some constant destination\n                              port for other methods (with default of 80 for\n                              \"tcp\", 53 for \"udp\", etc.)\n  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6\n                              traffic class) value for outgoing packets\n  -l flow_label  --flowlabel=flow_label\n                              Use specified flow_label for IPv6 packets\n  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR\n                              Wait for a probe no more than HERE (default 3)\n                              times longer than a response from the same hop,\n                              or no more than NEAR (default 10) times than some\n                              next hop, or MAX (default 5.0) seconds (float\n                              point values allowed too)\n  -q nqueries  --queries=nqueries\n                              Set the number of probes per each hop. Default is\n                              3\n  -r                          Bypass the normal routing and send directly to a\n                              host on an attached network\n  -s src_addr  --source=src_addr\n                              Use source src_addr for outgoing packets\n  -z sendwait  --sendwait=sendwait\n                              Minimal time interval between probes (default 0).\n                              If the value is more than 10, then it specifies a\n                              number in milliseconds, else it is a number of\n                              seconds (float point values allowed too)\n  -e  --extensions            Show ICMP extensions (if present), including MPLS\n  -A  --as-path-lookups       Perform AS path lookups in routing registries and\n                              print results directly after the corresponding\n                              addresses\n  -M name  --module=name      Use specified module (either builtin or external)\n                              for traceroute operations. Most methods have\n                              their shortcuts (`-I' means `-M icmp' etc.)\n  -O OPTS,...  --options=OPTS,...\n                              Use module-specific option OPTS for the\n                              traceroute module. Several OPTS allowed,\n                              separated by comma. If OPTS is \"help\", print info\n                              about available options\n  --sport=num                 Use source port num for outgoing packets. Implies\n                              `-N 1'\n  --fwmark=num                Set firewall mark for outgoing packets\n  -U  --udp                   Use UDP to particular port for tracerouting\n                              (instead of increasing the port per each probe),\n                              default port is 53\n  -UL                         Use UDPLITE for tracerouting (default dest port\n                              is 53)\n  -D  --dccp                  Use DCCP Request for tracerouting (default port\n                              is 33434)\n  -P prot  --protocol=prot    Use raw packet of protocol prot for tracerouting\n  --mtu                       Discover MTU along the path being traced. Implies\n                              `-F -N 1'\n  --back                      Guess the number of hops in the backward path and\n                              print if it differs\n  -V  --version               Print version info and exit\n  --help                      Read this help and exit\n\nArguments:\n+     host          The host to traceroute to\n      packetlen     The full packet length (default is the length of an IP\n                    header plus 40). Can be ignored or increased to a minimal\n                    allowed value\n";

/** Options that take an argument, with the name traceroute's messages give it. */
const ARG_NAMES: Record<string, string> = {
  f: 'first_ttl',
  g: 'gate,...',
  i: 'device',
  m: 'max_ttl',
  N: 'squeries',
  p: 'port',
  t: 'tos',
  l: 'flow_label',
  w: 'MAX,HERE,NEAR',
  q: 'nqueries',
  s: 'src_addr',
  z: 'sendwait',
  M: 'name',
  O: 'OPTS,...',
  P: 'prot',
};
const FLAGS = new Set('46dFITnreAUDV'.split(''));
/** What the twin models; other valid options are Unsupported. */
const MODELLED = new Set('fimNnpqswz4'.split(''));

interface TrOpts {
  numeric: boolean;
  nq: number;
  maxHops: number;
  firstHop: number;
  sim: number;
  port: number;
  waitMax: number;
  here: number;
  near: number;
  src?: string;
  iface?: string;
  host?: string;
  packetLen: number;
}

class TrExit {
  constructor(
    readonly text: string,
    readonly status: number,
    readonly fd: 1 | 2 = 2,
  ) {}
}

function num(v: string, opt: string, argc: number, float = false): number {
  const ok = float ? /^\d+(\.\d*)?$|^\.\d+$/.test(v) : /^\d+$/.test(v);
  if (!ok) throw new TrExit(`Cannot handle \`-${opt}' option with arg \`${v}' (argc ${argc})\n`, 2);
  return Number(v);
}

function parseArgs(argv: readonly string[]): TrOpts {
  const o: TrOpts = { numeric: false, nq: 3, maxHops: 30, firstHop: 1, sim: 16, port: 33434, waitMax: 5, here: 3, near: 10, packetLen: 60 };
  const pos: { v: string; argc: number }[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) throw new Unsupported(`traceroute ${a}`);
    if (!a.startsWith('-') || a === '-') {
      pos.push({ v: a, argc: i });
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!FLAGS.has(c) && ARG_NAMES[c] === undefined) throw new TrExit(`Bad option \`-${c}' (argc ${i})\n`, 2);
      if (!MODELLED.has(c)) throw new Unsupported(`traceroute -${c}`);
      if (FLAGS.has(c)) {
        if (c === 'n') o.numeric = true;
        continue;
      }
      let v = a.slice(j + 1);
      let argc = i;
      if (v === '') {
        if (i + 1 >= argv.length) throw new TrExit(`Option \`-${c}' (argc ${i}) requires an argument: \`-${c} ${ARG_NAMES[c]}'\n`, 2);
        v = argv[++i]!;
        argc = i;
      }
      j = a.length;
      switch (c) {
        case 'f':
          o.firstHop = num(v, c, argc);
          break;
        case 'm':
          o.maxHops = num(v, c, argc);
          break;
        case 'N':
          o.sim = num(v, c, argc);
          break;
        case 'p':
          o.port = num(v, c, argc);
          break;
        case 'q':
          o.nq = num(v, c, argc);
          break;
        case 'w': {
          const parts = v.split(',');
          o.waitMax = num(parts[0]!, c, argc, true);
          if (parts[1] !== undefined) o.here = num(parts[1], c, argc, true);
          if (parts[2] !== undefined) o.near = num(parts[2], c, argc, true);
          break;
        }
        case 'z':
          if (num(v, c, argc, true) !== 0) throw new Unsupported('traceroute -z (send wait)');
          break;
        case 's':
          o.src = v;
          break;
        case 'i':
          o.iface = v;
          break;
      }
    }
  }
  if (pos.length === 0) throw new TrExit(TRACEROUTE_USAGE, 0);
  if (pos.length > 2) throw new TrExit(`Extra arg \`${pos[2]!.v}' (position 3, argc ${pos[2]!.argc})\n`, 2);
  o.host = pos[0]!.v;
  if (pos[1] !== undefined) {
    if (!/^\d+$/.test(pos[1].v)) throw new TrExit(`Cannot handle "packetlen" cmdline arg \`${pos[1].v}' on position 2 (argc ${pos[1].argc})\n`, 2);
    o.packetLen = Math.max(28, Number(pos[1].v));
  }
  if (o.maxHops > 255) throw new TrExit('max hops cannot be more than 255\n', 2);
  if (o.firstHop < 1 || o.firstHop > o.maxHops) throw new TrExit('first hop out of range\n', 2);
  if (o.nq < 1 || o.nq > 10) throw new TrExit('no more than 10 probes per hop\n', 2);
  if (o.sim < 1) o.sim = 1;
  return o;
}

/** traceroute's annotation for an ICMP destination-unreachable code ('' for port unreachable). */
export function unreachMark(code: number, mtu?: number): string {
  switch (code) {
    case 0:
    case 6:
    case 8:
    case 11:
      return '!N';
    case 1:
    case 7:
    case 12:
      return '!H';
    case 2:
      return '!P';
    case 3:
      return '';
    case 4:
      return `!F-${mtu ?? 0}`;
    case 5:
      return '!S';
    case 9:
    case 10:
    case 13:
      return '!X';
    case 14:
      return '!V';
    case 15:
      return '!C';
    default:
      return `!<${code}>`;
  }
}

/** The round trip the twin reports: a few tens of microseconds per hop. */
function rttOf(at: number, sent: number, hops: number): number {
  return Math.max(0, at - sent) + 0.03 + 0.01 * hops;
}

interface Probe {
  readonly ttl: number;
  handle?: ProbeHandle;
  answer?: { readonly outcome: ProbeOutcome; readonly at: number; readonly rtt: number };
  done: boolean;
  final: boolean;
}

export const tracerouteCommand: Command = (ctx: CmdContext): CmdResult => {
  let o: TrOpts;
  try {
    o = parseArgs(ctx.argv);
  } catch (e) {
    if (e instanceof TrExit) return { world: ctx.world, out: [{ fd: e.fd, text: e.text }], status: e.status };
    throw e;
  }
  const world0 = ctx.world;
  const bns = world0.ns[ctx.ns]!;
  const dst = o.host === 'localhost' ? parseIp4('127.0.0.1') : parseIp4(o.host!);
  if (dst === undefined) {
    if (/^[\d.]+$/.test(o.host!)) throw new Unsupported(`traceroute destination '${o.host}' (inet_aton forms)`);
    const argc = ctx.argv.indexOf(o.host!);
    return {
      world: world0,
      out: [{ fd: 2, text: `${o.host}: Temporary failure in name resolution\nCannot handle "host" cmdline arg \`${o.host}' on position 1 (argc ${argc})\n` }],
      status: 2,
    };
  }
  const out: OutChunk[] = [{ fd: 1, text: `traceroute to ${o.host} (${formatIp4(dst)}), ${o.maxHops} hops max, ${o.packetLen} byte packets\n` }];
  const fail = (text: string): CmdResult => ({ world: world0, out: [...out, { fd: 2, text }], status: 1 });
  let src: Ip4 | undefined;
  let dev: Link | undefined;
  if (o.iface !== undefined) {
    dev = Object.values(bns.links).find((l) => l.name === o.iface);
    if (!dev) return fail('setsockopt SO_BINDTODEVICE: No such device\n');
  }
  if (o.src !== undefined) {
    src = parseIp4(o.src);
    if (src === undefined) throw new Unsupported(`traceroute -s ${o.src}`);
    if (deviceOfLocalAddr(bns, src) === undefined) return fail('bind: Cannot assign requested address\n');
  }
  const rt = routeOutput(bns, dst, { ...(src !== undefined ? { src } : {}), ...(dev ? { oif: dev.ifindex } : {}) });
  if (!rt.ok) return fail(`connect: ${strerror(rt.errno)}\n`);

  const session = new ProbeSession(world0);
  const sport = 40000 + (ctx.line % 20000);
  const probes: Probe[] = [];
  for (let ttl = 1; ttl <= o.maxHops; ttl++) for (let q = 0; q < o.nq; q++) probes.push({ ttl, done: false, final: false });
  let start = (o.firstHop - 1) * o.nq;
  let end = probes.length;
  let t = world0.clockMs;
  let port = o.port;
  let line = '';
  const hopEnd = (n: number): number => (Math.floor(n / o.nq) + 1) * o.nq;

  const refresh = (): void => {
    for (let n = start; n < end; n++) {
      const p = probes[n]!;
      if (!p.handle || p.done) continue;
      if (!p.answer) {
        const ev = session.events.filter((e) => e.atMs <= t && e.atMs >= p.handle!.at);
        const oc = outcomeOf(ctx.ns, p.handle.sent, p.handle.localError, ev);
        if (oc.kind === 'icmp_error' || oc.kind === 'reply' || oc.kind === 'reset') {
          p.answer = { outcome: oc, at: oc.atMs, rtt: rttOf(oc.atMs, p.handle.at, p.ttl) };
        }
      }
      if (p.answer) {
        p.done = true;
        const oc = p.answer.outcome;
        p.final = !(oc.kind === 'icmp_error' && oc.type === 11);
      } else if (expiry(n) <= t) p.done = true;
      if (p.done && p.final) end = Math.min(end, hopEnd(n));
    }
  };
  /** get_expiry_time(): MAX, or HERE x the rtt of an answered probe of this hop, or NEAR x that of a later hop. */
  const expiry = (n: number): number => {
    const p = probes[n]!;
    const sent = p.handle!.at;
    let wait = o.waitMax * 1000;
    const h0 = Math.floor(n / o.nq) * o.nq;
    const same = probes.slice(h0, h0 + o.nq).find((x) => x !== p && x.answer);
    if (same && o.here > 0) wait = Math.min(wait, o.here * same.answer!.rtt);
    else if (o.near > 0) {
      const later = probes.slice(h0 + o.nq, end).find((x) => x.answer);
      if (later) wait = Math.min(wait, o.near * later.answer!.rtt);
    }
    return sent + wait;
  };
  const print = (n: number): void => {
    const p = probes[n]!;
    const np = n % o.nq;
    if (np === 0) line = `${String(p.ttl).padStart(2)} `;
    const a = p.answer;
    if (!a) line += ' *';
    else {
      const from = a.outcome.kind === 'icmp_error' ? a.outcome.from : (a.outcome as { pkt: { src: Ip4 } }).pkt.src;
      const h0 = n - np;
      const seen = probes.slice(h0, n).some((x) => x.answer && addrOf(x) === from);
      if (!seen) line += o.numeric ? ` ${formatIp4(from)}` : ` ${formatIp4(from)} (${formatIp4(from)})`;
      line += `  ${a.rtt.toFixed(3)} ms`;
      if (a.outcome.kind === 'icmp_error' && a.outcome.type === 3) {
        const mark = unreachMark(a.outcome.code, a.outcome.mtu);
        if (mark) line += ` ${mark}`;
      }
    }
    if (np === o.nq - 1) {
      out.push({ fd: 1, text: line + '\n' });
      line = '';
    }
  };
  const addrOf = (p: Probe): Ip4 | undefined => {
    const oc = p.answer?.outcome;
    if (!oc) return undefined;
    return oc.kind === 'icmp_error' ? oc.from : oc.kind === 'reply' || oc.kind === 'reset' ? oc.pkt.src : undefined;
  };

  // do_it(): each pass first looks at what arrived (answers, expiries), then
  // walks the probes from the first unprinted one, printing finished probes
  // in order and sending unsent ones, but only within `sim` probes of where
  // the pass started (checked on the kernel: after a first hop answers, the
  // next probes leave only once the pass that follows the next event runs).
  for (let guard = 0; start < end && guard < 100000; guard++) {
    session.advance(t);
    refresh();
    const start0 = start;
    let sent = false;
    for (let n = start; n < end && n < start0 + o.sim; n++) {
      const p = probes[n]!;
      if (p.done) {
        if (n === start) print(start++);
        continue;
      }
      if (p.handle) continue;
      p.handle = session.send({
        from: ctx.ns,
        to: dst,
        proto: 'udp',
        ...(src !== undefined ? { src } : {}),
        ...(dev ? { oif: dev.ifindex } : {}),
        ttl: p.ttl,
        payload: o.packetLen - 28,
        sport,
        dport: port++,
        now: t,
      });
      sent = true;
      // do_send(): a send() refused by an OUTPUT rule (DROP or REJECT: EPERM)
      // is fatal, whichever probe it is: "send: Operation not permitted", exit 1.
      if (p.handle.localError?.errno === 'EPERM') {
        return { world: session.world, out: [...out, { fd: 2, text: `send: ${strerror('EPERM')}\n` }], status: 1, traces: session.traces };
      }
      if (p.handle.localError && n === (o.firstHop - 1) * o.nq) {
        return { world: session.world, out: [...out, { fd: 2, text: `connect: ${strerror(p.handle.localError.errno)}\n` }], status: 1, traces: session.traces };
      }
    }
    if (start >= end) break;
    // Answers to what was just sent are there at once: look at them in the next pass.
    if (sent) continue;
    // Nothing more now: move the clock to the next expiry or pending walk.
    let next = Infinity;
    for (let n = start; n < end; n++) {
      const p = probes[n]!;
      if (p.handle && !p.done) next = Math.min(next, expiry(n));
    }
    const pend = session.nextPendingAt();
    if (pend !== undefined) next = Math.min(next, pend);
    // Nothing in flight: the next pass runs at once (and sends from the new start).
    if (!Number.isFinite(next)) continue;
    t = Math.max(t, next);
  }
  // Walks still in flight (errors due later) happen anyway: run them now.
  session.finish();
  const clockMs = Math.max(world0.clockMs, Math.ceil(t));
  return { world: ageNeighbours({ ...session.world, clockMs }), out, status: 0, traces: session.traces };
};
