/**
 * One flow through the twin's datapath, judged: an ICMP echo from a
 * namespace to an address (src/sim/send.ts `probe`), reduced to what the
 * contract checks need - where the request ended, what source the receiver
 * saw, every NAT step on the way there and back, whether the reply came home
 * - plus the traces as the witness.
 *
 * Each flow starts from the world as given (flows never see each other's
 * ARP or conntrack entries), so results do not depend on the order of the
 * checks. A ProbeMemo reuses a result while every namespace its walks went
 * through is the very same object (immer shares unchanged namespaces between
 * successive worlds), which makes re-verification after a pod change cheap.
 */
import { sameData } from '../model/equal.js';
import { formatIp4, parseIp4, type Ip4 } from '../model/addr.js';
import type { Netns, NsName, World } from '../model/world.js';
import { probe } from '../sim/send.js';
import type { Disposition, HeaderView, Hop, Trace } from '../sim/trace.js';
import type { ProbeMemo } from './types.js';

export interface NatStep {
  readonly ns: NsName;
  readonly action: string;
  /** The rule that translated (the netfilter step just before), as `iptables -S` prints it. */
  readonly entry?: string;
  readonly dir: 'request' | 'reply';
}

export interface FlowResult {
  readonly from: NsName;
  readonly dst: Ip4;
  /** The source the request left with (0 if it never left). */
  readonly sentSrc: Ip4;
  /** The sender's stack refused (ENETUNREACH, EMSGSIZE...). */
  readonly localError?: string;
  /** The request's walk. */
  readonly disposition?: Disposition;
  readonly endedIn?: NsName;
  readonly reason?: string;
  /** The header as the receiving stack saw it (after any DNAT there). */
  readonly seen?: { readonly src: Ip4; readonly dst: Ip4 };
  readonly nat: readonly NatStep[];
  /** The echo reply reached the sender's socket. */
  readonly replied: boolean;
  /** Why not: the answer's walk (disposition, reason, where) or what the socket saw instead. */
  readonly replyProblem?: string;
  /** The answer's walk, when it did not end at the sender: how and where it ended. */
  readonly replyDisposition?: Disposition;
  readonly replyEndedIn?: NsName;
  /** The walk that decided a failure (the request's, or the reply's). */
  readonly deciding?: { readonly where: NsName; readonly entry: string };
  /** A drop by an explicit iptables rule (not a chain policy): network policy. */
  readonly deniedByRule?: string;
  readonly traces: readonly Trace[];
}

export interface FlowSpec {
  readonly from: NsName;
  readonly to: Ip4;
  /** ICMP payload bytes (ping -s), default 56. */
  readonly size?: number;
  /** Set DF (ping -M do). */
  readonly df?: boolean;
}

/** The header the receiving stack saw last (after a DNAT at its PREROUTING). */
export function headerAtEnd(t: Trace): HeaderView | undefined {
  let last: HeaderView | undefined;
  for (const h of t.hops) {
    // Only the receiver's own stack: a flooded copy (an encapsulated frame to another node) is not what it saw.
    if (h.ns !== t.endedIn) continue;
    for (const s of h.steps) {
      if (s.kind === 'receive' && s.before) last = s.before;
      else if (s.kind === 'nat' && s.after && last) last = s.after;
    }
  }
  return last;
}

function natSteps(t: Trace | undefined, dir: NatStep['dir']): NatStep[] {
  if (!t) return [];
  const out: NatStep[] = [];
  for (const h of t.hops) {
    let lastRule: string | undefined;
    for (const s of h.steps) {
      if (s.kind === 'netfilter' && s.entry) lastRule = s.entry;
      // "source NAT (POSTROUTING)" announces the translation; "after POSTROUTING: ..." repeats it.
      if (s.kind === 'nat' && !s.action.startsWith('after ')) out.push({ ns: h.ns, action: s.action, dir, ...(lastRule ? { entry: lastRule } : {}) });
    }
  }
  return out;
}

/** The entry that decided where a walk ended: the last step with an entry in its last hop, else its reason. */
export function decidingEntry(t: Trace): { where: NsName; entry: string } {
  // Which kind of step decides each way of ending.
  const kinds: readonly string[] =
    t.disposition === 'no_route' || t.disposition === 'null_routed' || t.disposition === 'unreachable' || t.disposition === 'prohibited' || t.disposition === 'forwarding_disabled'
      ? ['route', 'output', 'forward']
      : t.disposition === 'denied_in' || t.disposition === 'denied_out' || t.disposition === 'rejected'
        ? ['netfilter', 'drop']
        : t.disposition === 'frag_needed'
          ? ['mtu', 'route', 'output']
          : t.disposition === 'neighbor_unreachable'
            ? ['neighbour']
            : t.disposition === 'rp_filter'
              ? ['rp_filter']
              : [];
  for (let i = t.hops.length - 1; i >= 0; i--) {
    const h = t.hops[i]!;
    if (h.ns !== t.endedIn) continue;
    for (const want of kinds.length ? kinds : ['*']) {
      for (let j = h.steps.length - 1; j >= 0; j--) {
        const s = h.steps[j]!;
        if (want === '*' ? s.entry && s.kind !== 'transmit' && s.kind !== 'deliver' : s.kind === want) {
          // A route step without an entry is "no route": its words are the reason.
          return { where: h.ns, entry: s.entry ?? s.action };
        }
      }
    }
    break;
  }
  return { where: t.endedIn, entry: t.reason };
}

/** The route (or bridge entry) that last steered a walk before it ended somewhere unexpected. */
export function steeringEntry(t: Trace): { where: NsName; entry: string } | undefined {
  let found: { where: NsName; entry: string } | undefined;
  for (const h of t.hops) {
    if (h.ns === t.endedIn) continue;
    for (const s of h.steps) if ((s.kind === 'route' || s.kind === 'output') && s.entry) found = { where: h.ns, entry: s.entry };
  }
  return found;
}

function policyDrop(t: Trace): string | undefined {
  if (t.disposition !== 'denied_in' && t.disposition !== 'denied_out' && t.disposition !== 'rejected') return undefined;
  const d = decidingEntry(t);
  // `-P FORWARD DROP` is a chain policy (Docker's, or a forgotten default): not a network policy.
  return d.entry.startsWith('-A ') ? d.entry : undefined;
}

/** Send one echo request and judge the exchange (no memo). */
export function runFlow(world: World, spec: FlowSpec): FlowResult {
  const r = probe(world, { from: spec.from, to: spec.to, proto: 'icmp', payload: spec.size ?? 56, pmtudisc: spec.df ? 'do' : 'want', id: 4242, seq: 1 });
  const sentSrc = r.sent.src;
  const base = { from: spec.from, dst: spec.to, sentSrc, traces: r.traces };
  if (r.outcome.kind === 'local_error') {
    return { ...base, localError: `${r.outcome.errno}${r.outcome.mtu !== undefined ? ` (mtu ${r.outcome.mtu})` : ''}`, nat: [], replied: false, deciding: { where: spec.from, entry: `the sender's stack refused: ${r.outcome.errno}` } };
  }
  const req = r.traces[0];
  if (!req) return { ...base, nat: [], replied: false, replyProblem: 'nothing was sent' };
  const reply = r.traces.find((t, i) => i > 0 && t.hops[0]?.ns === req.endedIn && /echo reply/.test(t.title));
  const seenH = req.disposition === 'delivered' ? headerAtEnd(req) : undefined;
  const seen = seenH ? { src: parseIp4(seenH.src)!, dst: parseIp4(seenH.dst)! } : undefined;
  const nat = [...natSteps(req, 'request'), ...natSteps(reply, 'reply')];
  const replied = r.outcome.kind === 'reply';
  let replyProblem: string | undefined;
  let replyAt: { replyDisposition: Disposition; replyEndedIn: NsName } | undefined;
  let deciding: FlowResult['deciding'];
  if (req.disposition !== 'delivered') deciding = decidingEntry(req);
  else if (!replied) {
    const o = r.outcome;
    if (reply && reply.disposition !== 'delivered') {
      replyProblem = `${reply.disposition} in ${reply.endedIn}: ${reply.reason}`;
      replyAt = { replyDisposition: reply.disposition, replyEndedIn: reply.endedIn };
      deciding = decidingEntry(reply);
    } else if (reply && reply.endedIn !== spec.from) {
      replyProblem = `the reply was delivered in ${reply.endedIn}, not to the sender`;
      replyAt = { replyDisposition: reply.disposition, replyEndedIn: reply.endedIn };
      deciding = steeringEntry(reply) ?? decidingEntry(reply);
    } else if (o.kind === 'icmp_error') replyProblem = `ICMP error type ${o.type} code ${o.code} from ${formatIp4(o.from)} instead of a reply`;
    else replyProblem = reply ? `the reply was ${reply.disposition} in ${reply.endedIn} but no socket took it` : 'no reply was sent';
  }
  const denied = policyDrop(req) ?? (reply && !replied ? policyDrop(reply) : undefined);
  return {
    ...base,
    disposition: req.disposition,
    endedIn: req.endedIn,
    reason: req.reason,
    ...(seen ? { seen } : {}),
    nat,
    replied,
    ...(replyProblem ? { replyProblem } : {}),
    ...(replyAt ?? {}),
    ...(deciding ? { deciding } : {}),
    ...(denied ? { deniedByRule: denied } : {}),
  };
}

/**
 * What of a namespace a probe depends on. Usually the whole namespace. A
 * namespace the probe's walks only flooded with ARP requests it did not
 * answer (every hop there a side trip that came in on a device, went out of
 * none and had only `arp` steps: "ARP who-has ... received on eth0", "not for
 * us") depends on less: on that path (arpRcv: the input route lookup of the
 * target and its source check, proxy ARP, the update of an existing
 * neighbour entry) the twin reads the receiving device, the routes, sysctls,
 * neighbours and the devices that hold an address or that a route names, and
 * nothing else. In a cluster whose neighbours are not resolved in advance
 * every probe floods the underlay, so every node is such a namespace of
 * every probe: a pod added on one node (a new veth, new bridge FDB entries)
 * does not change what its ARP path reads, and the probes between other
 * nodes stand.
 */
interface Dep {
  readonly ns: NsName;
  /** The namespace object last found unchanged (identity fast path). */
  obj: unknown;
  /** For an ARP-only namespace: the devices the requests came in on, and arpView() as the probe saw it. */
  readonly arp?: { readonly ingress: readonly string[]; readonly view: unknown };
}

/** The parts of `ns` the unanswered-ARP path reads (see Dep). */
function arpView(ns: Netns, ingress: readonly string[]): unknown {
  const named = new Set<number>();
  for (const r of ns.routes) if (r.dev !== undefined) named.add(r.dev);
  const links: unknown[] = [];
  for (const l of Object.values(ns.links)) {
    if (ingress.includes(l.name)) links.push(l);
    else if (l.addrs.length > 0 || named.has(l.ifindex)) links.push([l.ifindex, l.name, l.kind, l.adminUp, l.mtu, l.mac, l.addrs, l.conf, l.confSet, l.master]);
  }
  // Everything but the devices (reduced above), conntrack and the netnsid bookkeeping.
  const { links: _l, conntrack: _c, peerIds: _p, nextIfindex: _n, ...rest } = ns;
  return { links, rest };
}

/** The hops of each namespace in `traces` that were ARP-only (see Dep): their ingress devices; undefined when not. */
function arpOnly(traces: readonly { readonly hops: readonly Hop[] }[], from: NsName): Map<NsName, string[] | undefined> {
  const out = new Map<NsName, string[] | undefined>([[from, undefined]]);
  for (const t of traces) {
    for (const h of t.hops) {
      const prev = out.get(h.ns);
      if (out.has(h.ns) && prev === undefined) continue;
      const ok = h.side === true && h.inDev !== undefined && h.outDev === undefined && h.steps.every((x) => x.kind === 'arp');
      if (!ok) out.set(h.ns, undefined);
      else out.set(h.ns, prev ? (prev.includes(h.inDev!) ? prev : [...prev, h.inDev!]) : [h.inDev!]);
    }
  }
  return out;
}

/**
 * Are the namespaces a memoised probe depends on unchanged in `world`? The
 * same object, or (early cutoff) an object equal in content in what the probe
 * depends on: a walk is a function of the namespaces' content, so a namespace
 * re-made equal (a pod's sandbox restarted with the same address, a world
 * rebuilt from the same description) does not make its probes run again. A
 * dependency found unchanged is moved to the new object, so the next check is
 * by identity again.
 */
function depsUnchanged(world: World, deps: readonly Dep[]): boolean {
  for (const d of deps) {
    const now = world.ns[d.ns];
    if (now === d.obj) continue;
    if (now === undefined) return false;
    if (d.arp ? !sameData(arpView(now, d.arp.ingress), d.arp.view) : !sameData(now, d.obj)) return false;
    d.obj = now;
  }
  return true;
}

/** runFlow through a memo: reused while what its walks depended on is unchanged (in content; see Dep). */
export function flow(world: World, spec: FlowSpec, memo?: ProbeMemo): FlowResult & { readonly memo?: boolean } {
  if (!memo) return runFlow(world, spec);
  const key = `${spec.from}|${spec.to}|${spec.size ?? 56}|${spec.df ? 1 : 0}`;
  const hit = memo.entries.get(key);
  if (hit && hit.clockMs === world.clockMs && depsUnchanged(world, hit.deps as Dep[])) {
    memo.hits++;
    return { ...(hit.value as FlowResult), memo: true };
  }
  const value = runFlow(world, spec);
  const deps: Dep[] = [];
  for (const [ns, ingress] of arpOnly(value.traces, spec.from)) {
    const obj = world.ns[ns];
    deps.push(ingress && obj ? { ns, obj, arp: { ingress, view: arpView(obj, ingress) } } : { ns, obj });
  }
  memo.entries.set(key, { deps, clockMs: world.clockMs, value });
  return value;
}
