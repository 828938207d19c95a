/**
 * The neighbour (ARP) table from the command line: `ip neigh add/replace/
 * change/del/flush` (neigh_add/neigh_delete in net/core/neighbour.c). Entries
 * learnt by ARP are written by the datapath; proxy entries (pneigh) are kept
 * in the same list with `proxy: true`.
 */
import { produce } from 'immer';
import { BROADCAST_MAC, type Ip4, type Mac } from '../../model/addr.js';
import { addrType } from '../fib.js';
import { TABLE_LOCAL, type Neigh, type NeighState, type NsName, type World } from '../../model/world.js';
import { err, okw, type OpResult } from './netns.js';

export const NEIGH_EXISTS = 'RTNETLINK answers: File exists';
export const NEIGH_NOENT = 'RTNETLINK answers: No such file or directory';

export interface NeighSpec {
  readonly ifindex: number;
  readonly dst: Ip4;
  readonly lladdr?: Mac;
  readonly state: NeighState;
  readonly proxy: boolean;
  readonly router: boolean;
}

/** add = CREATE|EXCL, replace = CREATE|REPLACE, change = REPLACE. */
export interface NeighFlags {
  readonly create: boolean;
  readonly excl: boolean;
}

/** `ip neigh add|replace|change`. */
export function neighAdd(world: World, nsName: NsName, s: NeighSpec, f: NeighFlags): OpResult {
  const ns = world.ns[nsName];
  if (!ns || !ns.links[s.ifindex]) return err('RTNETLINK answers: No such device');
  const i = ns.neigh.findIndex((n) => n.proxy === s.proxy && n.ifindex === s.ifindex && n.dst === s.dst);
  if (s.proxy) {
    // pneigh_lookup(..., creat=1): an existing proxy entry is simply kept.
    if (i >= 0) return okw(world);
    if (!f.create) return err(NEIGH_NOENT);
    return okw(
      produce(world, (d) => {
        d.ns[nsName]!.neigh.push({ ifindex: s.ifindex, dst: s.dst, state: 'NONE', proxy: true, router: false, updatedMs: world.clockMs } as never);
      }),
    );
  }
  if (i >= 0 && f.excl) return err(NEIGH_EXISTS);
  if (i < 0 && !f.create) return err(NEIGH_NOENT);
  const old = i >= 0 ? ns.neigh[i] : undefined;
  // Without lladdr the entry keeps what arp_constructor() gave it: the device broadcast
  // address for a broadcast-type destination (also when the namespace has no local
  // table yet: inet_addr_type() then says RTN_BROADCAST), else nothing valid.
  let lladdr = s.lladdr ?? old?.lladdr;
  if (lladdr === undefined) {
    const noLocalTable = !ns.routes.some((r) => r.table === TABLE_LOCAL);
    if (noLocalTable || addrType(ns, s.dst) === 'broadcast') lladdr = BROADCAST_MAC;
  }
  // __neigh_update(): a NUD_VALID state (PERMANENT, NOARP, REACHABLE, STALE,
  // DELAY, PROBE) needs an address, given or already known; NOARP is no
  // exception (kernel: `ip neigh add 10.130.9.99 dev v130u nud noarp` ->
  // "Error: No link layer address given.").
  if (lladdr === undefined && s.state !== 'NONE' && s.state !== 'INCOMPLETE' && s.state !== 'FAILED') {
    return err('Error: No link layer address given.');
  }
  const entry: Neigh = {
    ifindex: s.ifindex,
    dst: s.dst,
    ...(lladdr !== undefined ? { lladdr } : {}),
    state: s.state,
    proxy: false,
    router: s.router,
    updatedMs: world.clockMs,
  };
  return okw(
    produce(world, (d) => {
      const list = d.ns[nsName]!.neigh;
      if (i >= 0) list[i] = entry as never;
      else list.push(entry as never);
    }),
  );
}

/** `ip neigh del ADDR dev X [proxy]`. */
export function neighDel(world: World, nsName: NsName, ifindex: number, dst: Ip4, proxy: boolean): OpResult {
  const ns = world.ns[nsName];
  if (!ns) return err(NEIGH_NOENT);
  const i = ns.neigh.findIndex((n) => n.proxy === proxy && n.ifindex === ifindex && n.dst === dst);
  if (i < 0) return err(NEIGH_NOENT);
  return okw(
    produce(world, (d) => {
      d.ns[nsName]!.neigh.splice(i, 1);
    }),
  );
}

/** `ip neigh flush ...`: delete the (non-proxy) entries the predicate selects. */
export function neighFlush(world: World, nsName: NsName, pred: (n: Neigh) => boolean): OpResult {
  const ns = world.ns[nsName];
  if (!ns) return err(NEIGH_NOENT);
  if (!ns.neigh.some((n) => !n.proxy && pred(n))) return okw(world);
  return okw(
    produce(world, (d) => {
      const dns = d.ns[nsName]!;
      dns.neigh = dns.neigh.filter((n) => n.proxy || !pred(n as Neigh));
    }),
  );
}

/**
 * pneigh_hash(): the bucket (0..15) of a proxy entry; `ip neigh show proxy`
 * dumps buckets in order, newest entry first within a bucket.
 */
export function pneighBucket(dst: Ip4): number {
  const n = dst >>> 0;
  // The key is read as a little-endian u32 of the network-order bytes.
  let h = (((n & 0xff) << 24) | ((n >>> 8) & 0xff) << 16 | ((n >>> 16) & 0xff) << 8 | (n >>> 24)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = (h ^ (h >>> 8)) >>> 0;
  h = (h ^ (h >>> 4)) >>> 0;
  return h & 0xf;
}
