/**
 * Namespace lifecycle: the twin machine, `ip netns add/del`, and the loopback
 * every new namespace is born with.
 */
import { produce } from 'immer';
import { ZERO_MAC } from '../../model/addr.js';
import { EMPTY_NETFILTER } from '../../model/netfilter.js';
import { CONF_PROFILE, KERNEL_PROFILE } from '../../model/sysctl-defaults.js';
import { ROOT_NS, type LoopbackLink, type Netns, type NsName, type World } from '../../model/world.js';
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

function pickConf(sysctl: Readonly<Record<string, string>>, dev: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pfx = `net.ipv4.conf.${dev}.`;
  for (const [k, v] of Object.entries(sysctl)) if (k.startsWith(pfx)) out[k.slice(pfx.length)] = v;
  return out;
}

/** A namespace as `ip netns add` (or unshare --net) creates it: only `lo`, DOWN. */
export function newNamespace(world: World, name: NsName): Netns {
  const sysctl: Record<string, string> = { ...KERNEL_PROFILE, ...world.sysctlDefaults };
  for (const which of ['all', 'default'] as const) {
    for (const [k, v] of Object.entries(confFor(world, undefined, which))) sysctl[`net.ipv4.conf.${which}.${k}`] = v;
  }
  const ns: Netns = {
    name,
    links: {},
    nextIfindex: 2,
    routes: [],
    neigh: [],
    sysctl,
    netfilter: EMPTY_NETFILTER,
    conntrack: [],
    peerIds: {},
    listeners: [],
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
    addrs: [],
    conf: confFor(world, ns, 'new'),
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
    d.ns[ROOT_NS] = newNamespace(base, ROOT_NS) as never;
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
      d.ns[name] = newNamespace(world, name) as never;
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
