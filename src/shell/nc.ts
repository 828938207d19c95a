/**
 * `nc` (netcat-openbsd 1.219, Debian) against the twin: TCP connects and UDP
 * probes from a namespace, `-z` port scans, data from standard input to a
 * listener, and listeners started in the background (`nc -l -p PORT &`),
 * kept in ns.listeners; what a listener receives is printed in the output of
 * the command that sent it (on the kernel it appears on the terminal while
 * that command runs).
 *
 * Messages as netcat-openbsd prints them (stderr), only with -v:
 *   Connection to 10.0.0.2 8080 port [tcp/http-alt] succeeded!
 *   nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused
 *   nc: connect to 10.0.0.9 port 80 (tcp) timed out: Operation now in progress
 * A UDP -z probe "succeeds" unless an ICMP port unreachable comes back (then:
 * no message, exit 1). Exit status: 0 if a connection succeeded.
 */
import { parseIp4, type Ip4 } from '../model/addr.js';
import type { Listener, NsName, World } from '../model/world.js';
import { deviceOfLocalAddr, routeOutput } from '../sim/fib.js';
import { ageNeighbours } from '../sim/datapath/neigh.js';
import { ProbeSession, type ProbeHandle, type ProbeOutcome } from '../sim/send.js';
import type { TcpFlags } from '../sim/packet.js';
import { Unsupported, type CmdContext, type CmdResult, type Command, type OutChunk } from './types.js';
import { strerror } from './errno.js';

/** The /etc/services entries the twin knows (Debian netbase), for `[tcp/http-alt]`. */
export const SERVICES: Readonly<Record<string, string>> = {
  '21/tcp': 'ftp', '21/udp': 'fsp', '22/tcp': 'ssh', '23/tcp': 'telnet', '25/tcp': 'smtp', '53/tcp': 'domain',
  '53/udp': 'domain', '67/udp': 'bootps', '68/udp': 'bootpc', '69/udp': 'tftp', '80/tcp': 'http', '110/tcp': 'pop3',
  '123/udp': 'ntp', '143/tcp': 'imap2', '161/tcp': 'snmp', '161/udp': 'snmp', '179/tcp': 'bgp', '389/tcp': 'ldap',
  '389/udp': 'ldap', '443/tcp': 'https', '443/udp': 'https', '445/tcp': 'microsoft-ds', '514/tcp': 'shell',
  '514/udp': 'syslog', '636/tcp': 'ldaps', '636/udp': 'ldaps', '873/tcp': 'rsync', '993/tcp': 'imaps',
  '995/tcp': 'pop3s', '1080/tcp': 'socks', '1194/tcp': 'openvpn', '1194/udp': 'openvpn', '1433/tcp': 'ms-sql-s',
  '2049/tcp': 'nfs', '2049/udp': 'nfs', '3306/tcp': 'mysql', '3389/tcp': 'ms-wbt-server', '5353/udp': 'mdns',
  '5432/tcp': 'postgresql', '5672/tcp': 'amqp', '6379/tcp': 'redis', '8080/tcp': 'http-alt', '8081/tcp': 'tproxy',
};

const USAGE = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]
`;

const ARG_OPTS = new Set('IiMmOPpqsTVWwXx'.split(''));
const FLAG_OPTS = new Set('46CDdFhklNnrStUuvZz'.split(''));
const MODELLED = new Set('zvunlkpwsNq4'.split(''));

/** icmp_err_convert[code].errno for ICMP destination unreachable. */
function unreachErrno(code: number): string {
  return (
    ['ENETUNREACH', 'EHOSTUNREACH', 'ENOPROTOOPT', 'ECONNREFUSED', 'EMSGSIZE', 'EOPNOTSUPP', 'ENETUNREACH', 'EHOSTDOWN', 'ENONET', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH', 'EHOSTUNREACH'][code] ??
    'EHOSTUNREACH'
  );
}

/** tcp_syn_retries = 6: the SYN is sent at 0, 1, 3, 7, 15, 31, 63 s, connect fails at 127 s. */
const TCP_CONNECT_TIMEOUT_MS = 127_000;

interface NcOpts {
  zero: boolean;
  verbose: boolean;
  udp: boolean;
  numeric: boolean;
  listen: boolean;
  keep: boolean;
  port?: number;
  waitS?: number;
  quitS?: number;
  shutdownOnEof: boolean;
  src?: string;
  pos: string[];
}

class NcExit {
  constructor(
    readonly out: OutChunk[],
    readonly status: number,
  ) {}
}

function parse(argv: readonly string[]): NcOpts {
  const o: NcOpts = { zero: false, verbose: false, udp: false, numeric: false, listen: false, keep: false, shutdownOnEof: false, pos: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') {
      o.pos.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!ARG_OPTS.has(c) && !FLAG_OPTS.has(c)) throw new NcExit([{ fd: 2, text: `nc: invalid option -- '${c}'\n${USAGE}` }], 1);
      if (!MODELLED.has(c)) throw new Unsupported(`nc -${c}`);
      let v: string | undefined;
      if (ARG_OPTS.has(c)) {
        v = a.slice(j + 1) || argv[++i];
        if (v === undefined) throw new NcExit([{ fd: 2, text: `nc: option requires an argument -- '${c}'\n${USAGE}` }], 1);
        j = a.length;
      }
      switch (c) {
        case 'z':
          o.zero = true;
          break;
        case 'v':
          o.verbose = true;
          break;
        case 'u':
          o.udp = true;
          break;
        case 'n':
          o.numeric = true;
          break;
        case 'l':
          o.listen = true;
          break;
        case 'k':
          o.keep = true;
          break;
        case 'N':
          o.shutdownOnEof = true;
          break;
        case 'p':
          if (!/^\d+$/.test(v!) || Number(v) < 1 || Number(v) > 65535) throw new NcExit([{ fd: 2, text: `nc: port number invalid: ${v}\n` }], 1);
          o.port = Number(v);
          break;
        case 'w':
          if (!/^\d+$/.test(v!)) throw new NcExit([{ fd: 2, text: `nc: timeout invalid: ${v}\n` }], 1);
          o.waitS = Number(v);
          break;
        case 'q':
          if (!/^-?\d+$/.test(v!)) throw new NcExit([{ fd: 2, text: `nc: quit timer invalid: ${v}\n` }], 1);
          o.quitS = Number(v);
          break;
        case 's':
          o.src = v!;
          break;
      }
    }
  }
  return o;
}

/** "80", "79-81": the ports to try, in order. */
function parsePorts(args: readonly string[]): number[] {
  const out: number[] = [];
  for (const a of args) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(a);
    const bad = (): never => {
      throw new NcExit([{ fd: 2, text: `nc: port number invalid: ${a}\n` }], 1);
    };
    if (!m) bad();
    const lo = Number(m![1]);
    const hi = m![2] !== undefined ? Number(m![2]) : lo;
    // strtonum(3) wording, as netcat-openbsd reports it.
    if (lo > 65535 || hi > 65535) throw new NcExit([{ fd: 2, text: `nc: port number too large: ${a}\n` }], 1);
    if (lo < 1 || hi < 1) throw new NcExit([{ fd: 2, text: `nc: port number too small: ${a}\n` }], 1);
    for (let p = Math.min(lo, hi); p <= Math.max(lo, hi); p++) out.push(p);
  }
  return out;
}

function service(port: number, proto: 'tcp' | 'udp', numeric: boolean): string {
  return numeric ? '*' : (SERVICES[`${port}/${proto}`] ?? '*');
}

/** A deterministic ephemeral port (the kernel picks one in net.ipv4.ip_local_port_range). */
function ephemeral(line: number, n: number): number {
  return 32768 + ((line * 7919 + n * 104729) % 28232);
}

export const ncCommand: Command = (ctx: CmdContext): CmdResult => {
  let o: NcOpts;
  try {
    o = parse(ctx.argv);
    if (o.listen) return listen(ctx, o);
    return connect(ctx, o);
  } catch (e) {
    if (e instanceof NcExit) return { world: ctx.world, out: e.out, status: e.status };
    throw e;
  }
};

/** `nc -l [-u] [-k] [-p] PORT &`: a listening socket in the namespace. */
function listen(ctx: CmdContext, o: NcOpts): CmdResult {
  if (o.verbose) throw new Unsupported('nc -l -v');
  if (o.zero) throw new Unsupported('nc -l -z');
  if (!ctx.background) throw new Unsupported('nc -l in the foreground (it would wait forever); start it with &');
  const port = o.port ?? (o.pos.length ? parsePorts([o.pos[o.pos.length - 1]!])[0] : undefined);
  if (port === undefined) throw new NcExit([{ fd: 2, text: 'nc: missing port number\n' }], 1);
  let addr = 0 as Ip4;
  if (o.pos.length > (o.port === undefined ? 1 : 0)) {
    const a = parseIp4(o.pos[0]!);
    if (a === undefined) throw new Unsupported(`nc -l with address ${o.pos[0]}`);
    addr = a;
  }
  const ns = ctx.world.ns[ctx.ns]!;
  const proto = o.udp ? 'udp' : 'tcp';
  if (ns.listeners.some((l) => l.proto === proto && l.port === port && (l.addr === 0 || addr === 0 || l.addr === addr))) {
    return { world: ctx.world, out: [{ fd: 2, text: 'nc: Address already in use\n' }], status: 1 };
  }
  const l: Listener = { proto, addr, port, owner: `line ${ctx.line}`, keep: o.keep };
  const world: World = { ...ctx.world, ns: { ...ctx.world.ns, [ctx.ns]: { ...ns, listeners: [...ns.listeners, l] } } };
  return { world, out: [], status: 0 };
}

interface ConnResult {
  ok: boolean;
  msg?: string;
  /** Milliseconds the attempt took. */
  tookMs: number;
}

function connect(ctx: CmdContext, o: NcOpts): CmdResult {
  if (o.pos.length === 0) throw new NcExit([{ fd: 2, text: USAGE }], 1);
  if (o.pos.length === 1) throw new NcExit([{ fd: 2, text: 'nc: missing port number\n' }], 1);
  const host = o.pos[0]!;
  const ports = parsePorts(o.pos.slice(1));
  const dst = host === 'localhost' ? parseIp4('127.0.0.1') : parseIp4(host);
  if (dst === undefined) {
    if (/^[\d.]+$/.test(host)) throw new Unsupported(`nc destination '${host}'`);
    throw new NcExit([{ fd: 2, text: `nc: getaddrinfo for host "${host}" port ${ports[0]}: Temporary failure in name resolution\n` }], 1);
  }
  if (!o.zero && o.waitS === undefined && o.quitS === undefined && !o.shutdownOnEof && !o.udp) {
    throw new Unsupported('nc client without -z, -w, -q or -N (waits for the peer to close)');
  }
  if (!o.zero && o.udp && o.waitS === undefined && o.quitS === undefined) {
    throw new Unsupported('nc -u client without -w or -q (waits forever)');
  }
  const proto = o.udp ? 'udp' : 'tcp';
  const bns = ctx.world.ns[ctx.ns]!;
  let src: Ip4 | undefined;
  if (o.src !== undefined) {
    src = parseIp4(o.src);
    if (src === undefined) throw new Unsupported(`nc -s ${o.src}`);
    if (deviceOfLocalAddr(bns, src) === undefined) throw new NcExit([{ fd: 2, text: 'nc: bind failed: Cannot assign requested address\n' }], 1);
  }
  const session = new ProbeSession(ctx.world);
  const out: OutChunk[] = [];
  let t = ctx.world.clockMs;
  let anyOk = false;
  const data = o.zero ? undefined : (ctx.stdin ?? '');
  ports.forEach((port, i) => {
    const sport = o.port ?? ephemeral(ctx.line, i);
    const r =
      proto === 'tcp'
        ? tcpConnect(session, ctx.ns, dst, port, sport, src, t, o, data, out)
        : udpSend(session, ctx.ns, dst, port, sport, src, t, o, data, out);
    t += r.tookMs;
    if (r.ok) {
      anyOk = true;
      if (o.verbose && o.zero) out.splice(r.msgIndex ?? out.length, 0, { fd: 2, text: `Connection to ${host} ${port} port [${proto}/${service(port, proto, o.numeric)}] succeeded!\n` });
    } else if (o.verbose && r.msg) {
      out.push({ fd: 2, text: `nc: connect to ${host} port ${port} (${proto}) ${r.msg}\n` });
    }
  });
  session.finish();
  const world = ageNeighbours({ ...session.world, clockMs: Math.max(session.world.clockMs, Math.ceil(t)) });
  return { world, out, status: anyOk ? 0 : 1, traces: session.traces };
}

/** Deliver what listeners received during the session, in order: printed on stdout. */
function listenerOutput(session: ProbeSession, from: number, out: OutChunk[]): void {
  for (const e of session.events.slice(from)) {
    if (e.listener !== undefined && e.pkt.data !== undefined && e.pkt.data !== '') out.push({ fd: 1, text: e.pkt.data });
  }
}

/** nc (without -k) exits once its connection ends: its socket goes. */
function closeListener(session: ProbeSession, ns: NsName, proto: 'tcp' | 'udp', port: number, dst: Ip4): void {
  const w = session.world;
  const n = w.ns[ns];
  if (!n) return;
  const idx = n.listeners.findIndex((l) => l.proto === proto && l.port === port && (l.addr === 0 || l.addr === dst));
  if (idx < 0 || n.listeners[idx]!.keep) return;
  session.world = { ...w, ns: { ...w.ns, [ns]: { ...n, listeners: n.listeners.filter((_, i) => i !== idx) } } };
}

/** The listener that took our connection (the first listener event of the session after `from`): its namespace and address as it saw them (after DNAT). */
function listenerOf(session: ProbeSession, from: number): { ns: NsName; port: number; addr: Ip4; peerPort: number; peer: Ip4 } | undefined {
  const e = session.events.slice(from).find((x) => x.listener !== undefined);
  if (!e || !e.pkt.ports) return undefined;
  return { ns: e.ns, port: e.pkt.ports.dport, addr: e.pkt.dst, peerPort: e.pkt.ports.sport, peer: e.pkt.src };
}

/**
 * What connect() sees of a SYN. tcp_connect() ignores the error of sending
 * the SYN (only a route failure fails connect at once): a SYN an OUTPUT rule
 * dropped (EPERM) is retransmitted until -w, and one an OUTPUT REJECT
 * refused fails with the errno of the ICMP error (or the RST) it sent back
 * to us (tcp_v4_err in SYN_SENT). Checked on the kernel (406).
 */
function synOutcome(session: ProbeSession, h: ProbeHandle): ProbeOutcome {
  if (h.localError?.errno !== 'EPERM') return session.outcome(h);
  const { localError: _sendErr, ...sent } = h;
  return session.outcome(sent);
}

function tcpConnect(
  session: ProbeSession,
  ns: NsName,
  dst: Ip4,
  port: number,
  sport: number,
  src: Ip4 | undefined,
  t: number,
  o: NcOpts,
  data: string | undefined,
  out: OutChunk[],
): ConnResult & { msgIndex?: number } {
  const ev0 = session.events.length;
  const limitMs = o.waitS !== undefined ? o.waitS * 1000 : TCP_CONNECT_TIMEOUT_MS;
  // The SYN and its retransmissions (tcp_syn_retries: 1 s, then doubling) until an answer or the timeout.
  let syn = session.send({ from: ns, to: dst, proto: 'tcp', sport, dport: port, tcpFlags: 'SYN', ...(src !== undefined ? { src } : {}), now: t });
  let oc: ProbeOutcome = synOutcome(session, syn);
  for (let rto = 1000, next = t + 1000; oc.kind === 'timeout'; rto *= 2, next += rto) {
    if (next >= t + limitMs) {
      session.finish(t + limitMs);
      oc = synOutcome(session, syn);
      break;
    }
    session.finish(next);
    oc = synOutcome(session, syn);
    if (oc.kind !== 'timeout') break;
    syn = session.send({ from: ns, to: dst, proto: 'tcp', sport, dport: port, tcpFlags: 'SYN', ...(src !== undefined ? { src } : {}), now: next });
    oc = synOutcome(session, syn);
  }
  const timedOut = (): ConnResult =>
    o.waitS !== undefined
      ? { ok: false, msg: 'timed out: Operation now in progress', tookMs: limitMs }
      : { ok: false, msg: `failed: ${strerror('ETIMEDOUT')}`, tookMs: limitMs };
  switch (oc.kind) {
    case 'local_error':
      return { ok: false, msg: `failed: ${strerror(oc.errno)}`, tookMs: 0 };
    case 'timeout':
      return timedOut();
    case 'reset':
      return { ok: false, msg: `failed: ${strerror('ECONNREFUSED')}`, tookMs: oc.atMs - t };
    case 'icmp_error': {
      if (oc.atMs - t > limitMs) return timedOut();
      const errno = oc.type === 3 ? unreachErrno(oc.code) : 'EHOSTUNREACH';
      return { ok: false, msg: `failed: ${strerror(errno)}`, tookMs: oc.atMs - t };
    }
    case 'reply': {
      // Established: ACK (with the data), then both sides close (FIN/ACK).
      const srv = oc.pkt.src;
      const at = oc.atMs;
      const msgIndex = out.length;
      const send = (flags: TcpFlags, d?: string): void => {
        session.send({ from: ns, to: srv, proto: 'tcp', sport, dport: port, tcpFlags: flags, src: syn.sent.src, ...(d !== undefined ? { data: d } : {}), now: at });
      };
      send('ACK');
      if (data !== undefined && data !== '') send('PSHACK', data);
      const peer = listenerOf(session, ev0);
      send('FINACK');
      if (peer !== undefined) {
        // The server side closes too (from its own view of the connection: after DNAT/SNAT).
        session.send({ from: peer.ns, to: peer.peer, proto: 'tcp', sport: peer.port, dport: peer.peerPort, tcpFlags: 'FINACK', src: peer.addr, now: at, openSocket: false });
        send('ACK');
      }
      session.finish(at);
      listenerOutput(session, ev0, out);
      if (peer !== undefined) closeListener(session, peer.ns, 'tcp', peer.port, peer.addr);
      // Without -z, nc keeps the connection until -w seconds of idleness.
      const idle = !o.zero && o.waitS !== undefined ? o.waitS * 1000 : 0;
      return { ok: true, tookMs: at - t + idle, msgIndex };
    }
  }
}

/** UDP: -z writes "X" four times (udptest); an ICMP port unreachable makes a later write fail (ECONNREFUSED). */
function udpSend(
  session: ProbeSession,
  ns: NsName,
  dst: Ip4,
  port: number,
  sport: number,
  src: Ip4 | undefined,
  t: number,
  o: NcOpts,
  data: string | undefined,
  out: OutChunk[],
): ConnResult & { msgIndex?: number } {
  const rt = routeOutput(session.world.ns[ns]!, dst, src !== undefined ? { src } : {});
  if (!rt.ok) return { ok: false, msg: `failed: ${strerror(rt.errno)}`, tookMs: 0 };
  const ev0 = session.events.length;
  const msgIndex = out.length;
  if (o.zero) {
    // Debian's udptest(): two writes at once (the second fails with
    // ECONNREFUSED if an ICMP port unreachable came back for the first), then
    // one write per second for -w seconds (3 without -w), each failing the
    // same way. Checked on the kernel: a REJECTed port sees one datagram.
    let pendingErr = false;
    let at = t;
    const write = (): boolean => {
      if (pendingErr) return false;
      const h = session.send({ from: ns, to: dst, proto: 'udp', sport, dport: port, payload: 1, data: 'X', ...(src !== undefined ? { src } : {}), now: at });
      const oc = session.outcome(h);
      if (oc.kind === 'icmp_error' && oc.type === 3 && oc.code === 3) pendingErr = true;
      return oc.kind !== 'local_error';
    };
    const refused = (): ConnResult => {
      listenerOutput(session, ev0, out);
      return { ok: false, tookMs: at - t };
    };
    if (!write()) return refused();
    if (!write()) return refused();
    const secs = o.waitS ?? 3;
    for (let i = 0; i < secs; i++) {
      at += 1000;
      session.finish(at);
      if (!write()) return refused();
    }
    listenerOutput(session, ev0, out);
    return { ok: true, tookMs: at - t, msgIndex };
  }
  const payload = data ?? '';
  if (payload !== '') {
    session.send({ from: ns, to: dst, proto: 'udp', sport, dport: port, payload: payload.length, data: payload, ...(src !== undefined ? { src } : {}), now: t });
  }
  session.finish(t);
  listenerOutput(session, ev0, out);
  const waitMs = (o.waitS ?? o.quitS ?? 0) * 1000;
  return { ok: true, tookMs: waitMs, msgIndex };
}
