/**
 * The datapath engine: one packet walk through the twin.
 *
 * A walk starts with a locally generated packet (`ip_local_out`) or a frame
 * arriving on a device, and follows it the way the kernel does, one stage per
 * kernel step (src/sim/datapath/{output,neigh,input,forward,local,icmp}.ts).
 * Every frame arriving on a device starts a new hop of the trace. ARP
 * resolution happens on the wire: the request and reply are frames through
 * the devices (so bridges learn and flood), and the packet waits in the
 * neighbour's queue until the reply arrives (neigh_resolve_output).
 *
 * Replies and ICMP errors are not followed inside the walk: the stage that
 * creates one records a `Spawn` (a new walk the caller runs next, as the
 * receiving stack would send it), and packets that reach a local socket are
 * reported as `SocketEvent`s. src/sim/send.ts chains walks into exchanges
 * (request, reply, errors) for ping, traceroute and nc.
 *
 * The walk reads the configuration (links, addresses, routes, sysctls),
 * which a walk never changes, from the immutable base world, and writes
 * state (neighbour entries, FDB learning, conntrack, rate limits) to an
 * immer draft of each namespace it changes, made on the first write
 * (`ns(name)`): a walk through a world of 150,000 namespaces touches a
 * handful and never copies the rest. iptables counters, which nothing reads
 * during a walk, are added up in a CounterLog per namespace and applied
 * when the walk builds its world. Reads that must see this walk's own
 * writes use `cur(name)` (the draft if there is one, else the base). A
 * namespace's neighbour timers are run (aged to `now`) when the walk first
 * looks at it. With `discard`, the walk builds no new world (a what-if trace).
 */
import { createDraft, finishDraft, type Draft } from 'immer';
import type { Ip4 } from '../../model/addr.js';
import type { Hook } from '../../model/netfilter.js';
import type { Netns, NsName, World } from '../../model/world.js';
import { CounterLog } from '../netfilter/index.js';
import type { Frame, Ipv4Packet } from '../packet.js';
import type { Disposition, Hop, Step, Trace } from '../trace.js';
import type { DpEnv } from '../devices/types.js';
import { handlerFor } from '../devices/index.js';
import { devName } from './describe.js';
import { ageNetnsNeighbours, arpRcv, failPendingResolutions, type PendingTx } from './neigh.js';
import { ipRcv } from './input.js';
import { localOut, type PmtuDisc } from './output.js';
import { bridgeHook } from './hooks.js';

/** A new walk the stack starts because of this one (a reply, an ICMP error). */
export interface Spawn {
  readonly ns: NsName;
  readonly pkt: Ipv4Packet;
  /** Delay (ms) after this walk's start: e.g. 3000 for errors after an ARP failure. */
  readonly delayMs: number;
  /** What it is, for the trace title: "echo reply", "ICMP time exceeded". */
  readonly why: string;
  readonly pmtudisc: PmtuDisc;
  /** The source need not be local (a RST sent by iptables REJECT on behalf of the destination). */
  readonly transparent?: boolean;
  /** Sent by the namespace's kernel ICMP socket (icmp_reply, icmp_send): see LocalOutOpts.icmpSocket. */
  readonly icmpSocket?: boolean;
}

/** A packet that reached a local socket (or the ICMP error handler) of a namespace. */
export interface SocketEvent {
  readonly ns: NsName;
  readonly pkt: Ipv4Packet;
  /** Absolute clock (ms) of arrival. */
  readonly atMs: number;
  /** Device it arrived on. */
  readonly inDev?: string;
  /** For UDP/TCP: the listener (index in ns.listeners at delivery) that took it, if any. */
  readonly listener?: number;
}

/** A synchronous error of the sending call (what sendmsg/connect returns). */
export interface LocalError {
  readonly errno: 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL' | 'ENODEV' | 'EPERM' | 'EMSGSIZE' | 'ENOBUFS';
  /** For EMSGSIZE: the MTU that was exceeded. */
  readonly mtu?: number;
}

/** A socket of the program driving the walk (ping's ICMP socket, nc's TCP/UDP socket). */
export interface OpenSocket {
  readonly ns: NsName;
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  /** A connected socket only takes packets from this address and port. */
  readonly remote?: { readonly addr: Ip4; readonly port: number };
}

export type WalkStart =
  | {
      readonly kind: 'output';
      readonly ns: NsName;
      readonly pkt: Ipv4Packet;
      /** SO_BINDTODEVICE / `ping -I dev`. */
      readonly oif?: number;
      readonly pmtudisc?: PmtuDisc;
      readonly title?: string;
      /** Keep a non-local source (see Spawn.transparent). */
      readonly transparent?: boolean;
      /** See Spawn.icmpSocket. */
      readonly icmpSocket?: boolean;
    }
  | { readonly kind: 'rx'; readonly ns: NsName; readonly ifindex: number; readonly frame: Frame; readonly title?: string };

export interface WalkOptions {
  readonly sockets?: readonly OpenSocket[];
  /** Clock (ms) at which the walk runs; default world.clockMs (the world's clock is not changed). */
  readonly now?: number;
  /** Cap on tasks (frames handled) in one walk; beyond it the walk ends as `loop`. */
  readonly maxTasks?: number;
  /** Build no new world: the result's `world` is the one given (a what-if trace; cheaper on big worlds). */
  readonly discard?: boolean;
}

export interface WalkResult {
  readonly world: World;
  readonly trace: Trace;
  readonly spawned: readonly Spawn[];
  readonly events: readonly SocketEvent[];
  readonly localError?: LocalError;
  /** The locally generated packet as it left the route lookup (source address filled in). */
  readonly sent?: Ipv4Packet;
}

/**
 * A step as recorded: the step itself, or a function that makes it when the
 * trace is read (lazy: most walks - a ping, a verifier probe - never read
 * their steps, and formatting addresses, routes and headers into text is a
 * large share of a walk). A lazy step must close over immutable values only
 * (the aged base namespaces, packets, routes; never a draft or a variable the
 * walk reassigns later), so the text is the same whenever it is read.
 */
export type StepRec = Step | (() => Step);

/** A hop being recorded; every field present (one object shape), absent ones dropped when the trace is read. */
interface MutableHop {
  ns: NsName;
  inDev: string | undefined;
  outDev: string | undefined;
  steps: StepRec[];
  /** Started by a task that does not carry the walk's packet (Hop.side). */
  side: true | undefined;
}

interface Task {
  readonly main: boolean;
  readonly run: () => void;
}

const DEFAULT_MAX_TASKS = 1000;

/**
 * Test hook: with `viaDraft`, walks write iptables counters through the
 * namespace's draft at every count, as before issue #7, instead of a
 * CounterLog (test/sim/datapath/walk-counters.test.ts compares the worlds).
 */
export const counterCheck = { viaDraft: false };

/**
 * A mark on some of a walk's frames (an skb flag). The frames die with the
 * walk, so a plain Set made on the first mark will do: most walks mark none,
 * and a WeakSet per walk costs the garbage collector (ephemeron tables).
 */
class FrameMarks {
  private set: Set<Frame> | undefined;
  add(f: Frame): void {
    (this.set ??= new Set()).add(f);
  }
  has(f: Frame): boolean {
    return this.set !== undefined && this.set.has(f);
  }
}

export class Walk implements DpEnv {
  /** The configuration as the walk started (never changed by the walk; neighbour states not aged). */
  readonly world: World;
  readonly now: number;
  readonly base: World;
  /** Namespaces aged to `now` (neighbour timers), by name: what `bns` returns. */
  private readonly aged = new Map<NsName, Netns>();
  /** Drafts of the namespaces this walk wrote to. */
  private readonly drafts = new Map<NsName, Draft<Netns>>();
  /** iptables counter increments by namespace, applied in finalWorld (see counter-log.ts). */
  private readonly counterLogs = new Map<NsName, CounterLog>();
  private readonly discard: boolean;
  readonly sockets: readonly OpenSocket[];
  readonly hops: MutableHop[] = [];
  private curHop: MutableHop | undefined;
  /** Is the task being run carrying the walk's own packet (not an ARP frame)? */
  main = true;
  /** The reason may be a function, formatted when the trace's `reason` is read. */
  private disp: { d: Disposition; reason: string | (() => string); ns: NsName } | undefined;
  private fallback: { d: Disposition; reason: string; ns: NsName } | undefined;
  readonly spawned: Spawn[] = [];
  readonly events: SocketEvent[] = [];
  localError: LocalError | undefined;
  /** The first locally generated packet after its route lookup (see WalkResult.sent). */
  sent: Ipv4Packet | undefined;
  /** Packets waiting for ARP, by `${ns}|${ifindex}|${nexthop}`. */
  readonly pending = new Map<string, PendingTx[]>();
  /** Frames looped back by `lo` that keep their route (skb_dst survives loopback_xmit). */
  readonly routedLocal = new FrameMarks();
  /** Frames that already met iptables PREROUTING in br_netfilter (ip_sabotage_in: ip_rcv skips it). */
  readonly preroutingDone = new FrameMarks();
  private readonly queue: Task[] = [];
  private tasks = 0;
  private readonly maxTasks: number;
  private stopped = false;

  constructor(world: World, opts: WalkOptions = {}) {
    this.now = opts.now ?? world.clockMs;
    this.base = world;
    this.world = world;
    this.sockets = opts.sockets ?? [];
    this.maxTasks = opts.maxTasks ?? DEFAULT_MAX_TASKS;
    this.discard = opts.discard ?? false;
  }

  /** The namespace's state to change (an immer draft, made on first use). */
  ns(name: NsName): Draft<Netns> {
    let d = this.drafts.get(name);
    if (!d) {
      d = createDraft(this.bns(name));
      this.drafts.set(name, d);
    }
    return d;
  }

  /**
   * The namespace as the walk started (configuration: links, addresses, routes,
   * sysctls), with its neighbour timers run to `now` (timers run lazily).
   */
  bns(name: NsName): Netns {
    // Most calls ask for the namespace the previous call asked for (one hop's stages).
    if (name === this.lastBnsName) return this.lastBns!;
    let n = this.aged.get(name);
    if (!n) {
      const b = this.base.ns[name];
      if (!b) throw new Error(`internal: no namespace ${name}`);
      n = ageNetnsNeighbours(b, this.now);
      this.aged.set(name, n);
    }
    this.lastBnsName = name;
    this.lastBns = n;
    return n;
  }
  /** The last `bns` answer (a namespace's aged object never changes within a walk). */
  private lastBnsName: NsName | undefined;
  private lastBns: Netns | undefined;

  /** The namespace as it is now in the walk: its draft if the walk wrote to it, else `bns`. */
  cur(name: NsName): Netns {
    return (this.drafts.get(name) as Netns | undefined) ?? this.bns(name);
  }

  /**
   * The namespace's iptables counter increments of this walk (nothing reads
   * counters during a walk, so they are not written through the draft).
   * Undefined under the test hook counterCheck.viaDraft.
   */
  counterLog(name: NsName): CounterLog | undefined {
    if (counterCheck.viaDraft) return undefined;
    let log = this.counterLogs.get(name);
    if (!log) this.counterLogs.set(name, (log = new CounterLog()));
    return log;
  }

  /** Has the walk written to this namespace (reads must then go through `cur`/`ns`)? */
  drafted(name: NsName): boolean {
    return this.drafts.has(name);
  }

  startHop(ns: NsName, inDev?: string): void {
    const h: MutableHop = { ns, inDev, outDev: undefined, steps: [], side: this.main ? undefined : true };
    this.hops.push(h);
    this.curHop = h;
  }

  /** The hop being recorded (a new one is started if the namespace changed). */
  hopIn(ns: NsName): MutableHop {
    if (!this.curHop || this.curHop.ns !== ns) this.startHop(ns);
    return this.curHop!;
  }

  /** `step` bound to this walk once, for the netfilter environment of every hook call (hooks.ts). */
  readonly stepFn: (s: StepRec) => void = (s) => this.step(s);

  /** Record a step of the current hop (a function: formatted only if the trace is read; see StepRec). */
  step(s: StepRec): void {
    if (!this.curHop) this.startHop('?');
    this.curHop!.steps.push(s);
  }

  setOutDev(ns: NsName, ifindex: number): void {
    const h = this.hopIn(ns);
    if (h.outDev === undefined) h.outDev = devName(this.bns(ns), ifindex);
  }

  /** Queue a task keeping the current main flag. */
  enqueue(run: () => void, main = this.main): void {
    this.queue.push({ main, run });
  }

  receive(ns: NsName, ifindex: number, frame: Frame): void {
    this.enqueue(() => {
      this.startHop(ns, devName(this.bns(ns), ifindex));
      this.rxDevice(ns, ifindex, frame);
    });
  }

  /** netif_receive_skb: the device must be up; a bridge port hands the frame to its master. */
  private rxDevice(ns: NsName, ifindex: number, frame: Frame): void {
    const link = this.bns(ns).links[ifindex];
    if (!link || !link.adminUp) {
      this.step({ kind: 'drop', action: `device ${link?.name ?? ifindex} is down: frame dropped` });
      this.drop('link_down', `${link?.name ?? ifindex} is down`);
      return;
    }
    if (link.master !== undefined) {
      const master = this.bns(ns).links[link.master];
      const h = master ? handlerFor(master.kind) : undefined;
      if (master && h?.portRx) {
        h.portRx(this, ns, master, link, frame);
        return;
      }
    }
    const h = handlerFor(link.kind);
    if (h.rx) h.rx(this, ns, link, frame);
    else this.stackReceive(ns, ifindex, frame);
  }

  transmit(ns: NsName, ifindex: number, frame: Frame): void {
    const link = this.bns(ns).links[ifindex];
    if (!link) {
      this.drop('link_down', `no device ${ifindex}`);
      return;
    }
    this.setOutDev(ns, ifindex);
    if (!link.adminUp) {
      this.step({ kind: 'drop', action: `${link.name} is down: frame dropped` });
      this.drop('link_down', `${link.name} is down`);
      return;
    }
    handlerFor(link.kind).xmit(this, ns, link, frame);
  }

  ipOutput(ns: NsName, pkt: Ipv4Packet, opts?: { readonly oif?: number; readonly srcHint?: Ip4 }): void {
    const p = opts?.srcHint !== undefined && pkt.src === 0 ? { ...pkt, src: opts.srcHint } : pkt;
    localOut(this, ns, p, { oif: opts?.oif, pmtudisc: 'dont' });
  }

  stackReceive(ns: NsName, ifindex: number, frame: Frame): void {
    const link = this.bns(ns).links[ifindex];
    if (!link) return;
    if (frame.type === 'arp') arpRcv(this, ns, link, frame);
    else ipRcv(this, ns, link, frame);
  }

  brNetfilter(
    ns: NsName,
    hook: Extract<Hook, 'PREROUTING' | 'FORWARD' | 'POSTROUTING'>,
    frame: Frame,
    devs: { readonly bridge: number; readonly physIn?: number; readonly physOut?: number },
  ): Frame | undefined {
    return bridgeHook(this, ns, hook, frame, devs);
  }

  /** The walk's packet met its fate (first decision wins; only the main packet decides). */
  decide(d: Disposition, reason: string | (() => string), ns: NsName): void {
    if (!this.main || this.disp) return;
    this.disp = { d, reason, ns };
  }

  /** A weak outcome used only if nothing else decided (e.g. a frame no host accepted). */
  decideFallback(d: Disposition, reason: string, ns: NsName): void {
    if (!this.main) return;
    this.fallback = { d, reason, ns };
  }

  get decided(): boolean {
    return this.disp !== undefined;
  }

  drop(disposition: Disposition, reason: string): void {
    this.decide(disposition, reason, this.curHop?.ns ?? '?');
  }

  /** True while the walk's first task runs: a local sender's sendmsg (errors reach the caller). */
  syncOutput = false;

  xmitDropped(): void {
    if (this.syncOutput && this.main && !this.localError) this.localError = { errno: 'ENOBUFS' };
  }

  spawn(s: Spawn): void {
    this.spawned.push(s);
  }

  event(e: Omit<SocketEvent, 'atMs'> & { atMs?: number }): void {
    this.events.push({ ...e, atMs: e.atMs ?? this.now });
  }

  /** Run the queued tasks to the end (or the task cap). */
  run(): void {
    while (this.queue.length > 0 && !this.stopped) {
      const t = this.queue.shift()!;
      if (++this.tasks > this.maxTasks) {
        this.main = true;
        this.step({ kind: 'drop', action: `more than ${this.maxTasks} frames in one walk: stopped` });
        this.disp = undefined;
        this.decide('loop', `the packet was still circulating after ${this.maxTasks} frames (a loop)`, this.curHop?.ns ?? '?');
        this.stopped = true;
        break;
      }
      const saved = this.main;
      this.main = t.main;
      t.run();
      this.main = saved;
    }
    if (!this.stopped) failPendingResolutions(this);
  }

  /** The world after the walk: the base with every aged or changed namespace replaced. */
  private finalWorld(): World {
    if (this.discard) return this.base;
    const changed: Record<NsName, Netns> = {};
    let any = false;
    for (const [name, aged] of this.aged) {
      const d = this.drafts.get(name);
      let n = d ? (finishDraft(d) as Netns) : aged;
      const log = this.counterLogs.get(name);
      if (log) n = log.applyTo(n);
      if (n !== this.base.ns[name]) {
        changed[name] = n;
        any = true;
      }
    }
    return any ? { ...this.base, ns: { ...this.base.ns, ...changed } } : this.base;
  }

  result(title: string): WalkResult {
    const world = this.finalWorld();
    const final = this.disp ??
      this.fallback ?? { d: 'exits_network' as Disposition, reason: 'the packet left the modelled network', ns: this.hops[this.hops.length - 1]?.ns ?? '?' };
    // The hops (and their lazy steps) are materialised on the first read of
    // `trace.hops` (an own enumerable getter, so JSON, spreads and deep
    // equality see plain data); the state holds the hop records, not the walk.
    const trace = makeTrace(title, this.hops, final.d, final.ns, final.reason);
    return {
      world,
      trace,
      spawned: this.spawned,
      events: this.events,
      ...(this.localError ? { localError: this.localError } : {}),
      ...(this.sent ? { sent: this.sent } : {}),
    };
  }
}

/** What a trace's getters read: the hop records and the reason, formatted on first read. */
interface TraceState {
  readonly raw: readonly MutableHop[];
  hops: readonly Hop[] | undefined;
  why: string | (() => string);
}
/** The trace's own non-enumerable slot holding its TraceState (JSON, spreads and deep equality skip it). */
const TRACE_STATE = Symbol('podnet.traceState');

/*
 * The getters are two module functions shared by every trace, and each trace's
 * state is an own non-enumerable data property. Measured (V8 in Node 20): with
 * getters written in the object literal (a new closure per walk, held by the
 * property's accessor pair), and also with the state in a WeakMap keyed by
 * the trace, every walk's hop records, steps and packets survived the
 * young-generation collections until the next full one: about 7 KB per walk
 * promoted to the old generation, scavenges of 15-18 ms each on a 100-node
 * cluster. With shared getters and a data slot: ~0.3 KB, scavenges of 0.5 ms.
 * test/sim/datapath/trace-object.test.ts keeps the getters shared.
 */
function traceHops(this: object): readonly Hop[] {
  const st = (this as { [TRACE_STATE]: TraceState })[TRACE_STATE];
  return (st.hops ??= materialiseHops(st.raw));
}
function traceReason(this: object): string {
  const st = (this as { [TRACE_STATE]: TraceState })[TRACE_STATE];
  return typeof st.why === 'function' ? (st.why = st.why()) : st.why;
}

/** A trace with the keys in Trace's order (title, hops, disposition, endedIn, reason), hops and reason as own enumerable getters. */
function makeTrace(title: string, raw: readonly MutableHop[], d: Disposition, endedIn: NsName, why: string | (() => string)): Trace {
  const t: Record<string, unknown> = { title };
  Object.defineProperty(t, 'hops', { get: traceHops, enumerable: true, configurable: true });
  t['disposition'] = d;
  t['endedIn'] = endedIn;
  Object.defineProperty(t, 'reason', { get: traceReason, enumerable: true, configurable: true });
  Object.defineProperty(t, TRACE_STATE, { value: { raw, hops: undefined, why } satisfies TraceState });
  return t as unknown as Trace;
}

function materialiseHops(raw: readonly MutableHop[]): Hop[] {
  return raw.map((h) => ({
    ns: h.ns,
    ...(h.inDev !== undefined ? { inDev: h.inDev } : {}),
    ...(h.outDev !== undefined ? { outDev: h.outDev } : {}),
    steps: h.steps.map((s) => (typeof s === 'function' ? s() : s)),
    ...(h.side ? { side: true as const } : {}),
  }));
}

/** Run one walk: a locally generated packet or a frame arriving on a device. */
export function walk(world: World, start: WalkStart, opts: WalkOptions = {}): WalkResult {
  const w = new Walk(world, opts);
  if (!world.ns[start.ns]) throw new Error(`internal: no namespace ${start.ns}`);
  if (start.kind === 'output') {
    w.startHop(start.ns);
    w.enqueue(() => {
      w.syncOutput = true;
      // localOut reads oif (!== undefined), transparent and icmpSocket (truthy): no conditional spreads.
      localOut(w, start.ns, start.pkt, { oif: start.oif, pmtudisc: start.pmtudisc ?? 'want', transparent: start.transparent, icmpSocket: start.icmpSocket });
      w.syncOutput = false;
    });
  } else {
    w.receive(start.ns, start.ifindex, start.frame);
  }
  w.run();
  const title =
    start.title ??
    (start.kind === 'output' ? `packet sent from ${start.ns === '/' ? 'host' : `netns ${start.ns}`}` : 'frame injected');
  return w.result(title);
}
