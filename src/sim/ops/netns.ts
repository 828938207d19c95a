/**
 * Namespace lifecycle: the twin machine, `ip netns add/del`, and the loopback
 * every new namespace is born with.
 */
import { produce } from 'immer';
import { ZERO_MAC } from '../../model/addr.js';
import { EMPTY_NETFILTER } from '../../model/netfilter.js';
import { CONF_PROFILE, KERNEL_PROFILE } from '../../model/sysctl-defaults.js';
import { ROOT_NS, type LoopbackLink, type Netns, type NsName, type World } from '../../model/world.js';
import { EMPTY_LIST, EMPTY_RECORD, sharedBy } from '../../model/shared.js';
import { peek } from '../peek.js';
import { setLinkUp } from './link-state.js';

export type OpResult = { readonly ok: true; readonly world: World } | { readonly ok: false; readonly error: string };

export const okw = (world: World): OpResult => ({ ok: true, world });
export const err = (error: string): OpResult => ({ ok: false, error });

/** The conf.* values a new interface (or all/default) starts with. */
export function confFor(world: World, ns: Netns | undefined, which: 'all' | 'default' | 'new'): Record<string, string> {
  const src = which === 'new' && ns ? pickConf(ns.sysctl, 'default') : undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(CONF_PROFILE)) out[k] = src?.[k] ?? world.sysctlDefaults[`net.ipv4.conf.${which === 'new' ? 'default' : which}.${k}`] ?? v;
  return out;
}

/** Shared new-device conf records, by the namespace's (frozen) sysctl record; see sharedConfFor. */
const newConfMemo = new WeakMap<object, { readonly defaults: object; readonly conf: Readonly<Record<string, string>> }>();

/**
 * confFor(world, ns, 'new') as one frozen record shared by every device created while the
 * namespace's sysctl record and the world's defaults are the same objects (issue #7: a
 * device's `conf` was a new 13-key record each, identical for every veth of a node). Reads a
 * draft namespace without drafting its sysctl. Callers must not mutate the result (a write
 * to `conf` goes through a draft, which copies it).
 */
export function sharedConfFor(world: World, ns: Netns): Readonly<Record<string, string>> {
  const sysctl = peek(peek(ns).sysctl);
  const defaults = peek(peek(world).sysctlDefaults);
  if (!Object.isFrozen(sysctl) || !Object.isFrozen(defaults)) return confFor(world, ns, 'new');
  const hit = newConfMemo.get(sysctl);
  if (hit !== undefined && hit.defaults === defaults) return hit.conf;
  const conf = Object.freeze(confFor({ sysctlDefaults: defaults } as World, { sysctl } as Netns, 'new'));
  newConfMemo.set(sysctl, { defaults, conf });
  return conf;
}

/** The sysctl record of a new namespace, shared per world.sysctlDefaults object (see newNamespaceShared). */
const sysctlMemo = new WeakMap<object, Readonly<Record<string, string>>>();

function pickConf(sysctl: Readonly<Record<string, string>>, dev: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pfx = `net.ipv4.conf.${dev}.`;
  for (const [k, v] of Object.entries(sysctl)) if (k.startsWith(pfx)) out[k.slice(pfx.length)] = v;
  return out;
}

function newSysctl(world: World): Record<string, string> {
  const sysctl: Record<string, string> = { ...KERNEL_PROFILE, ...world.sysctlDefaults };
  for (const which of ['all', 'default'] as const) {
    for (const [k, v] of Object.entries(confFor(world, undefined, which))) sysctl[`net.ipv4.conf.${which}.${k}`] = v;
  }
  return sysctl;
}

/**
 * newNamespace() for the ops that insert the namespace into a World and never touch it
 * outside a draft (`ip netns add`, the initial namespace): what every new namespace holds
 * identically is shared and frozen (issue #7: the ~40-key sysctl record alone was ~1.6 KB per
 * pod, a dictionary-mode object; the empty routes/neighbour/conntrack/listener lists and
 * peerIds; lo's conf). The first write to any of them copies it, as for every World value.
 */
export function newNamespaceShared(world: World, name: NsName): Netns {
  const defaults = peek(world.sysctlDefaults);
  const sysctl = sharedBy(sysctlMemo, defaults, () => newSysctl({ sysctlDefaults: defaults } as World));
  return namespaceOf(name, sysctl, () => EMPTY_LIST, EMPTY_RECORD, (ns) => sharedConfFor(world, ns));
}

/**
 * A namespace as `ip netns add` (or unshare --net) creates it: only `lo`, DOWN. Every part is
 * a fresh mutable object (src/import builds on it in place); see newNamespaceShared.
 */
export function newNamespace(world: World, name: NsName): Netns {
  return namespaceOf(name, newSysctl(world), () => [], {}, (ns) => confFor(world, ns, 'new'));
}

/** The new namespace's parts: shared and frozen, or fresh (see the two callers). */
function namespaceOf(
  name: NsName,
  sysctl: Netns['sysctl'],
  list: () => readonly never[],
  peerIds: Netns['peerIds'],
  loConf: (ns: Netns) => LoopbackLink['conf'],
): Netns {
  const ns: Netns = {
    name,
    links: {},
    nextIfindex: 2,
    routes: list(),
    neigh: list(),
    sysctl,
    netfilter: EMPTY_NETFILTER,
    conntrack: list(),
    peerIds,
    listeners: list(),
  };
  const lo: LoopbackLink = {
    kind: 'loopback',
    ifindex: 1,
    name: 'lo',
    mtu: 65536,
    mac: ZERO_MAC,
    adminUp: false,
    txqlen: 1000,
    promisc: false,
    addrs: list(),
    conf: loConf(ns),
  };
  return { ...ns, links: { 1: lo } };
}

export interface WorldOptions {
  readonly seed?: number;
  readonly sysctlDefaults?: Readonly<Record<string, string>>;
}

/** An empty world: just the initial namespace, its lo DOWN. */
export function createWorld(opts: WorldOptions = {}): World {
  // Records keyed by user-chosen names have no prototype, so a namespace or
  // file called `constructor` or `__proto__` is just a name (immer keeps the
  // null prototype on copies).
  const base: World = {
    ns: Object.create(null) as World['ns'],
    nsOrder: [],
    seed: opts.seed ?? 1,
    macCounter: 0,
    clockMs: 0,
    files: Object.create(null) as World['files'],
    sysctlDefaults: opts.sysctlDefaults ?? {},
  };
  return produce(base, (d) => {
    d.ns[ROOT_NS] = newNamespaceShared(base, ROOT_NS) as never;
  });
}

/**
 * What the conformance harness starts from on the kernel: a fresh network
 * namespace whose lo has been set up (`ip link set lo up`).
 */
export function freshMachine(seed = 1, sysctlDefaults?: Readonly<Record<string, string>>): World {
  const w = createWorld({ seed, ...(sysctlDefaults ? { sysctlDefaults } : {}) });
  const r = setLinkUp(w, ROOT_NS, 1, true);
  if (!r.ok) throw new Error(`internal: cannot bring lo up: ${r.error}`);
  return r.world;
}

/** `ip netns add NAME` */
export function netnsAdd(world: World, name: NsName): OpResult {
  if (world.ns[name] !== undefined) return err(`Cannot create namespace file "/var/run/netns/${name}": File exists`);
  return okw(
    produce(world, (d) => {
      d.ns[name] = newNamespaceShared(world, name) as never;
      d.nsOrder.push(name);
    }),
  );
}

/**
 * `ip netns del NAME`: the namespace goes, and with it its links; each veth
 * whose peer lived elsewhere disappears too (the kernel destroys both ends).
 */
export function netnsDel(world: World, name: NsName): OpResult {
  const ns = world.ns[name];
  if (name === ROOT_NS || ns === undefined) {
    return err(`Cannot remove namespace file "/var/run/netns/${name}": No such file or directory`);
  }
  return okw(
    produce(world, (d) => {
      for (const link of Object.values(ns.links)) {
        if (link.kind === 'veth') {
          const peerNs = d.ns[link.peer.ns];
          if (peerNs && link.peer.ns !== name) removeLinkDraft(peerNs as unknown as Netns & { links: Record<number, unknown> }, link.peer.ifindex);
        }
      }
      delete d.ns[name];
      d.nsOrder = d.nsOrder.filter((n) => n !== name);
      for (const other of Object.values(d.ns)) delete (other.peerIds as Record<string, number>)[name];
    }),
  );
}

/** Remove a link and everything hanging off it inside a draft namespace. */
export function removeLinkDraft(ns: { links: Record<number, unknown>; routes: readonly unknown[]; neigh: readonly unknown[] }, ifindex: number): void {
  const d = ns as unknown as {
    links: Record<number, { master?: number; brport?: unknown; kind: string; fdb?: { ifindex: number }[] }>;
    routes: { dev?: number }[];
    neigh: { ifindex: number }[];
  };
  delete d.links[ifindex];
  d.routes = d.routes.filter((r) => r.dev !== ifindex);
  d.neigh = d.neigh.filter((n) => n.ifindex !== ifindex);
  for (const l of Object.values(d.links)) {
    if (l.master === ifindex) {
      delete l.master;
      delete l.brport;
    }
    if (l.fdb) l.fdb = l.fdb.filter((e) => e.ifindex !== ifindex);
  }
}
