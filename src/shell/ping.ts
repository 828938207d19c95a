/**
 * `ping` (iputils 20221126) against the twin: every echo request is a probe
 * (src/sim/send.ts), and the output is what iputils prints, line for line:
 *
 *   PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.
 *   64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=0.107 ms
 *   From 10.0.1.1 icmp_seq=1 Time to live exceeded
 *   ping: local error: message too long, mtu=1400
 *
 *   --- 10.0.2.2 ping statistics ---
 *   1 packets transmitted, 1 received, 0% packet loss, time 0ms
 *   rtt min/avg/max/mdev = 0.107/0.107/0.107/0.000 ms
 *
 * Facts checked on the kernel (6.x, iputils 20221126, run as root):
 * - no reply at all: the statistics line is followed by an empty line;
 *   `pipe N` follows when N probes were outstanding when an answer came;
 * - ping ends when every probe got a reply or an error, otherwise after the
 *   last probe plus max(2 * max rtt, interval) (some replies) or -W (none);
 * - errors the kernel hits for its own packets (ARP failure, OUTPUT DROP)
 *   print nothing: the probe is just lost;
 * - an OUTPUT REJECT sends its ICMP error to ourselves before sendmsg
 *   returns EPERM: "From 10.0.0.1 icmp_seq=1 Destination Port Unreachable"
 *   then "ping: sendmsg: Operation not permitted" (-q: neither; both count
 *   as one of the "+N errors"); if the error is REJECTed too, nothing;
 * - with less than 16 bytes of data there is no time (no timestamp fits).
 * Times are printed but normalised by the conformance suite.
 */
import { formatIp4, parseIp4, type Ip4 } from '../model/addr.js';
import type { Link } from '../model/world.js';
import { addrType, deviceOfLocalAddr, routeOutput } from '../sim/fib.js';
import { ProbeSession, type PmtuDisc, type ProbeHandle, type ProbeOutcome } from '../sim/send.js';
import type { Trace } from '../sim/trace.js';
import type { Ipv4Packet } from '../sim/packet.js';
import { ageNeighbours } from '../sim/datapath/neigh.js';
import { Unsupported, type CmdContext, type CmdResult, type Command, type OutChunk } from './types.js';
import { strerror } from './errno.js';

const ARG_OPTS = new Set('ceIilmMpQsStTwWFN'.split(''));
const FLAG_OPTS = new Set('aABCDdfhLnOqUvV4bR6'.split(''));
/** Options the twin models; any other valid option is Unsupported. */
const MODELLED = new Set('cIiMqstwWnb4'.split(''));

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

/** iputils' messages for ICMP errors (pr_icmph). */
export function icmpErrorText(type: number, code: number, mtu?: number): string {
  if (type === 3) {
    const names: Record<number, string> = {
      0: 'Destination Net Unreachable',
      1: 'Destination Host Unreachable',
      2: 'Destination Protocol Unreachable',
      3: 'Destination Port Unreachable',
      4: `Frag needed and DF set (mtu = ${mtu ?? 0})`,
      5: 'Source Route Failed',
      6: 'Destination Net Unknown',
      7: 'Destination Host Unknown',
      8: 'Source Host Isolated',
      9: 'Destination Net Prohibited',
      10: 'Destination Host Prohibited',
      11: 'Destination Net Unreachable for Type of Service',
      12: 'Destination Host Unreachable for Type of Service',
      13: 'Packet filtered',
      14: 'Precedence Violation',
      15: 'Precedence Cutoff',
    };
    return names[code] ?? `Dest Unreachable, Bad Code: ${code}`;
  }
  if (type === 11) return code === 0 ? 'Time to live exceeded' : code === 1 ? 'Frag reassembly time exceeded' : `Time exceeded, Bad Code: ${code}`;
  if (type === 12) return 'Parameter problem';
  if (type === 4) return 'Source Quench';
  return `Bad ICMP type: ${type}`;
}

interface PingOpts {
  count?: number;
  intervalS: number;
  lingerS: number;
  deadlineS?: number;
  iface?: string;
  ttl?: number;
  size: number;
  pmtudisc: PmtuDisc;
  quiet: boolean;
  broadcast: boolean;
  dest?: string;
}

class UsageExit {
  constructor(
    readonly out: OutChunk[],
    readonly status: number,
  ) {}
}

const err = (text: string, status: number): UsageExit => new UsageExit([{ fd: 2, text }], status);

/** strtol-like integer parse as iputils' strtol_or_err does it. */
function intArg(v: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(v.trim())) throw err(`ping: invalid argument: '${v}'\n`, 1);
  const n = Number(v);
  if (n < min || n > max) throw err(`ping: invalid argument: '${v}': out of range: ${min} <= value <= ${max === Number.MAX_SAFE_INTEGER ? '9223372036854775807' : max}\n`, 1);
  return n;
}

/** iputils' ping_strtod: a number; trailing garbage only warns (and uses the number read). */
function floatArg(v: string, warnings: OutChunk[]): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(v);
  if (!m || m[0].length !== v.length) {
    warnings.push({ fd: 2, text: `ping: option argument contains garbage: ${m ? v.slice(m[0].length) : v}\nping: this will become fatal error in the future\n` });
  }
  return m ? Number(m[0]) : 0;
}

function parseArgs(argv: readonly string[], warnings: OutChunk[]): PingOpts {
  const o: PingOpts = { intervalS: 1, lingerS: 10, size: 56, pmtudisc: 'want', quiet: false, broadcast: false };
  const positional: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!ARG_OPTS.has(c) && !FLAG_OPTS.has(c)) throw new UsageExit([{ fd: 2, text: `ping: invalid option -- '${c}'\n${USAGE}` }], 2);
      if (!MODELLED.has(c)) throw new Unsupported(`ping -${c}`);
      let val: string | undefined;
      if (ARG_OPTS.has(c)) {
        val = a.slice(j + 1) || args[++i];
        if (val === undefined) throw new UsageExit([{ fd: 2, text: `ping: option requires an argument -- '${c}'\n${USAGE}` }], 2);
        j = a.length;
      }
      switch (c) {
        case 'c':
          o.count = intArg(val!, 1, Number.MAX_SAFE_INTEGER);
          break;
        case 'i':
          o.intervalS = floatArg(val!, warnings);
          break;
        case 'W':
          o.lingerS = floatArg(val!, warnings);
          break;
        case 'w':
          o.deadlineS = intArg(val!, 0, 2147483647);
          break;
        case 'I':
          o.iface = val!;
          break;
        case 't':
          o.ttl = intArg(val!, 0, 255);
          break;
        case 's':
          o.size = intArg(val!, 0, 2147483647);
          break;
        case 'M':
          if (val === 'do' || val === 'dont' || val === 'want') o.pmtudisc = val;
          else throw err(`ping: invalid -M argument: ${val}\n`, 2);
          break;
        case 'q':
          o.quiet = true;
          break;
        case 'b':
          o.broadcast = true;
          break;
        default:
          break; // -n, -4: nothing to do for numeric IPv4 destinations
      }
    }
  }
  if (positional.length === 0) throw err('ping: usage error: Destination address required\n', 1);
  if (positional.length > 1) throw new Unsupported('ping with more than one destination (IPv4 source routes)');
  o.dest = positional[0]!;
  return o;
}

/** `%g` of a float, as iputils prints the packet loss. */
function fmtG(v: number): string {
  return String(Number(Math.fround(v).toPrecision(6)));
}

function fmtMs(v: number): string {
  return v.toFixed(3);
}

interface Line {
  at: number;
  seq: number;
  chunk: OutChunk;
}

export const pingCommand: Command = (ctx: CmdContext): CmdResult => {
  const warnings: OutChunk[] = [];
  let o: PingOpts;
  try {
    o = parseArgs(ctx.argv, warnings);
  } catch (e) {
    if (e instanceof UsageExit) return { world: ctx.world, out: [...warnings, ...e.out], status: e.status };
    throw e;
  }
  const world0 = ctx.world;
  const bns = world0.ns[ctx.ns]!;
  const out: OutChunk[] = [...warnings];
  const fail = (text: string, status = 2): CmdResult => ({ world: world0, out: [...out, { fd: 2, text }], status });

  let dst = parseIp4(o.dest!);
  if (o.dest === 'localhost') dst = parseIp4('127.0.0.1');
  if (dst === undefined) {
    if (/^[\d.]+$/.test(o.dest!)) throw new Unsupported(`ping destination '${o.dest}' (inet_aton forms)`);
    return fail(`ping: ${o.dest}: Temporary failure in name resolution\n`);
  }
  if (o.count === undefined && o.deadlineS === undefined) throw new Unsupported('ping without -c or -w (runs forever)');

  // -I: an address binds the source; anything else is a device (SO_BINDTODEVICE).
  let src: Ip4 | undefined;
  let dev: Link | undefined;
  if (o.iface !== undefined) {
    const a = parseIp4(o.iface);
    if (a !== undefined) {
      if (deviceOfLocalAddr(bns, a) === undefined) return fail('ping: bind: Cannot assign requested address\n');
      src = a;
    } else {
      dev = Object.values(bns.links).find((l) => l.name === o.iface);
      if (!dev) return fail(`ping: SO_BINDTODEVICE ${o.iface}: No such device\n`);
    }
  }
  // The kernel refuses broadcast destinations without SO_BROADCAST (EACCES), as it does prohibit routes.
  const isBroadcast = addrType(bns, dst) === 'broadcast' || dst === 0xffffffff;
  const bcastMsg = 'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n';
  if (isBroadcast && !o.broadcast) return fail(bcastMsg);
  // connect() of the probe socket: finds the source address (or the error).
  const rt = routeOutput(bns, dst, { ...(src !== undefined ? { src } : {}), ...(dev ? { oif: dev.ifindex } : {}) });
  if (!rt.ok) {
    if (rt.errno === 'EACCES') return fail(bcastMsg);
    return fail(`ping: connect: ${strerror(rt.errno)}\n`);
  }
  if (isBroadcast) out.push({ fd: 2, text: 'WARNING: pinging broadcast address\n' });
  const source = src ?? rt.src;
  if (dev && !dev.addrs.some((a) => a.local === source)) {
    out.push({ fd: 2, text: `ping: Warning: source address might be selected on device other than: ${dev.name}\n` });
  }
  if (o.ttl === 0) return fail('ping: cannot set unicast time-to-live: Invalid argument\n');

  const from = src !== undefined || dev ? `from ${formatIp4(source)} ${dev ? dev.name : ''}: ` : '';
  out.push({ fd: 1, text: `PING ${o.dest} (${formatIp4(dst)}) ${from}${o.size}(${o.size + 28}) bytes of data.\n` });

  const intervalMs = Math.max(0, Math.round(o.intervalS * 1000));
  const t0 = world0.clockMs;
  const timing = o.size >= 16;
  let world = world0;
  const traces: Trace[] = [];
  const lines: Line[] = [];
  const sendTimes: number[] = [];
  const rtts: number[] = [];
  let nrx = 0;
  let nerr = 0;
  const answers: { at: number; seq: number }[] = [];
  const id = (0x4000 + ctx.line * 7) & 0xffff;
  const session = new ProbeSession(world0);
  const handles: ProbeHandle[] = [];
  for (let seq = 1; ; seq++) {
    const at = t0 + (seq - 1) * intervalMs;
    if (o.deadlineS !== undefined && at - t0 >= o.deadlineS * 1000) break;
    if (o.count !== undefined && o.deadlineS === undefined && seq > o.count) break;
    if (o.count !== undefined && o.deadlineS !== undefined && nrx >= o.count) break;
    sendTimes.push(at);
    const h = session.send({
      from: ctx.ns,
      to: dst,
      proto: 'icmp',
      ...(src !== undefined ? { src } : {}),
      ...(dev ? { oif: dev.ifindex } : {}),
      ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
      payload: o.size,
      pmtudisc: o.pmtudisc,
      id,
      seq,
      now: at,
    });
    handles.push(h);
    if (probeOutcome(session, h).kind === 'reply') nrx++;
  }
  session.finish();
  world = session.world;
  traces.push(...session.traces);
  // What came back, in arrival order; ping stops listening when every probe
  // got an answer (after the last send) or when its wait after the last send
  // ends: max(2 * max rtt, interval) if replies were seen by then, else -W
  // (schedule_exit). Answers arriving later are never seen.
  const ntx = sendTimes.length;
  const lastSend = sendTimes[ntx - 1] ?? t0;
  const got = handles
    .flatMap((h, i) => [
      // ping4_parse_reply(): a redirect about our probe (raw socket) is printed, not counted (-q: not printed).
      ...session.redirects(h).map((e) => ({ seq: i + 1, line: redirectLine(e.pkt, i + 1, o, e.atMs) })),
      { seq: i + 1, line: outcomeLine(probeOutcome(session, h), i + 1, o, timing, h.at, h.localError?.errno) },
    ])
    .filter((x): x is { seq: number; line: LineOut } => x.line !== undefined)
    .sort((a, b) => a.line.at - b.line.at || a.seq - b.seq);
  const early = got.filter((g) => g.line.kind === 'reply' && g.line.at <= lastSend);
  const tmaxEarly = Math.max(0, ...early.map((g) => (g.line.kind === 'reply' ? g.line.rtt : 0)));
  let end = lastSend + (early.length > 0 ? Math.max(2 * tmaxEarly, intervalMs) : Math.round(o.lingerS * 1000));
  if (o.deadlineS !== undefined) end = Math.min(end, t0 + o.deadlineS * 1000);
  nrx = 0;
  let answered = 0;
  for (const g of got) {
    if (g.line.at > end) break;
    const line = g.line;
    if (line.kind === 'info') {
      lines.push({ at: line.at, seq: g.seq, chunk: line.chunk });
      continue;
    }
    if (line.kind === 'reply') {
      nrx++;
      rtts.push(line.rtt);
    } else if (line.kind === 'error') nerr++;
    if (line.kind !== 'lost') answered++;
    answers.push({ at: line.at, seq: g.seq });
    if (!o.quiet || line.chunk.fd === 2) lines.push({ at: line.at, seq: g.seq, chunk: line.chunk });
    if (!o.quiet && line.kind === 'error' && line.then) lines.push({ at: line.at, seq: g.seq, chunk: line.then });
    if (answered >= ntx && line.at >= lastSend) {
      end = Math.max(lastSend, line.at);
      break;
    }
  }
  out.push(...lines.map((l) => l.chunk));

  // pipe: the most probes outstanding when an answer arrived (acknowledge()).
  let pipe = 1;
  for (const a of answers) {
    const sentBy = sendTimes.filter((t) => t <= a.at).length;
    pipe = Math.max(pipe, sentBy - a.seq + 1);
  }
  const loss = ntx === 0 ? 0 : ((ntx - nrx) * 100) / ntx;
  let stats = `\n--- ${o.dest} ping statistics ---\n`;
  stats += `${ntx} packets transmitted, ${nrx} received,${nerr ? ` +${nerr} errors,` : ''} ${fmtG(loss)}% packet loss, time ${lastSend - t0}ms\n`;
  let comma = '';
  if (nrx > 0 && timing) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = rtts.reduce((s, v) => s + v, 0) / rtts.length;
    const mdev = Math.sqrt(rtts.reduce((s, v) => s + v * v, 0) / rtts.length - avg * avg);
    stats += `rtt min/avg/max/mdev = ${fmtMs(min)}/${fmtMs(avg)}/${fmtMs(max)}/${fmtMs(Number.isFinite(mdev) ? mdev : 0)} ms`;
    comma = ', ';
  }
  if (pipe > 1) stats += `${comma}pipe ${pipe}`;
  stats += '\n';
  out.push({ fd: 1, text: stats });
  const status = nrx === 0 || (o.deadlineS !== undefined && o.count !== undefined && nrx < o.count) ? 1 : 0;
  const clockMs = Math.max(world.clockMs, end);
  return { world: ageNeighbours({ ...world, clockMs }), out, status, traces };
};

type LineOut =
  | { kind: 'reply'; rtt: number; at: number; chunk: OutChunk }
  /** `then`: a second line printed right after (the sendmsg error after a REJECT's ICMP error). */
  | { kind: 'error'; at: number; chunk: OutChunk; then?: OutChunk }
  | { kind: 'lost' | 'info'; at: number; chunk: OutChunk };

/**
 * What the probe's socket saw. When sendmsg failed with EPERM (an OUTPUT
 * rule dropped the probe), an ICMP error a REJECT sent back to us is in the
 * socket's error queue all the same (nf_send_unreach runs before the drop).
 */
function probeOutcome(session: ProbeSession, h: ProbeHandle): ProbeOutcome {
  if (h.localError?.errno !== 'EPERM') return session.outcome(h);
  const { localError: _sendErr, ...sent } = h;
  const oc = session.outcome(sent);
  return oc.kind === 'icmp_error' ? oc : session.outcome(h);
}

/** pr_icmph() for ICMP_REDIRECT, after ping4_parse_reply's "From GW: icmp_seq=N ". */
function redirectLine(pkt: Ipv4Packet, seq: number, o: PingOpts, at: number): LineOut | undefined {
  if (o.quiet || !pkt.icmp) return undefined;
  const code = pkt.icmp.code;
  const what =
    code === 0
      ? 'Redirect Network'
      : code === 1
        ? 'Redirect Host'
        : code === 2
          ? 'Redirect Type of Service and Network'
          : code === 3
            ? 'Redirect Type of Service and Host'
            : `Redirect, Bad Code: ${code}`;
  const gw = formatIp4(pkt.icmp.gw ?? (0 as Ip4));
  return { kind: 'info', at, chunk: { fd: 1, text: `From ${formatIp4(pkt.src)}: icmp_seq=${seq} ${what}(New nexthop: ${gw})
` } };
}

function outcomeLine(oc: ProbeOutcome, seq: number, o: PingOpts, timing: boolean, sentAt: number, sendErrno?: string): LineOut | undefined {
  switch (oc.kind) {
    case 'reply': {
      const hops = Math.max(0, 64 - oc.pkt.ttl);
      const rtt = 0.04 + 0.02 * hops;
      const time = timing ? ` time=${rtt.toFixed(3)} ms` : '';
      return {
        kind: 'reply',
        rtt,
        at: oc.atMs,
        chunk: { fd: 1, text: `${o.size + 8} bytes from ${formatIp4(oc.pkt.src)}: icmp_seq=${seq} ttl=${oc.pkt.ttl}${time}\n` },
      };
    }
    case 'icmp_error':
      return {
        kind: 'error',
        at: oc.atMs,
        chunk: { fd: 1, text: `From ${formatIp4(oc.from)} icmp_seq=${seq} ${icmpErrorText(oc.type, oc.code, oc.mtu)}\n` },
        // The send itself failed too (OUTPUT REJECT): iputils reports it after the error it read.
        ...(sendErrno !== undefined ? { then: { fd: 2 as const, text: `ping: sendmsg: ${strerror(sendErrno)}\n` } } : {}),
      };
    case 'local_error':
      if (oc.errno === 'EMSGSIZE') {
        return { kind: 'error', at: sentAt, chunk: { fd: 2, text: `ping: local error: message too long, mtu=${oc.mtu ?? 0}\n` } };
      }
      // The kernel's own drops (OUTPUT DROP: EPERM) print nothing: the probe is lost.
      if (oc.errno === 'EPERM') return undefined;
      return { kind: 'lost', at: sentAt, chunk: { fd: 2, text: `ping: sendmsg: ${strerror(oc.errno)}\n` } };
    case 'reset':
    case 'timeout':
      return undefined;
  }
}
