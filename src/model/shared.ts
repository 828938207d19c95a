/**
 * Shared immutable values for the parts of a World that most namespaces and
 * links hold identically (issue #7, memory per pod). A World is immutable
 * (immer freezes what a `produce` returns; a write drafts a copy), so one
 * frozen object can stand for every empty list or default record: the ops
 * that create a namespace or a device start from these instead of a new `[]`
 * or `{}` each, and the first write replaces them with the namespace's own
 * copy, as for any other value.
 *
 * Only the ops' own creation paths use them (netnsAdd, createWorld, new
 * links): code that builds a namespace and then mutates it in place
 * (src/import) keeps calling newNamespace(), which returns fresh objects.
 */

/** One frozen empty list for every empty `routes`, `neigh`, `addrs`, ... */
export const EMPTY_LIST: readonly never[] = Object.freeze([]) as readonly never[];

/** One frozen empty record (`peerIds` of a namespace no device links yet). */
export const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A frozen copy of `obj` shared by every caller that asks with the same
 * `key` object (an immutable record, e.g. the world's sysctl defaults), as
 * long as `key` is alive. `make` runs once per key. Keys that are not frozen
 * (an immer draft's working copy, a record still being built) are never
 * memoised: their content can still change.
 */
export function sharedBy<K extends object, V extends object>(memo: WeakMap<K, V>, key: K, make: () => V): V {
  if (!Object.isFrozen(key)) return make();
  let v = memo.get(key);
  if (v === undefined) {
    v = Object.freeze(make());
    memo.set(key, v);
  }
  return v;
}

/** Content-interned records and lists (see internRecord); cleared when INTERN_MAX is reached. */
const interned = new Map<string, object>();
const INTERN_MAX = 1024;

function intern<T extends object>(key: string, value: T): T {
  const hit = interned.get(key);
  if (hit !== undefined) return hit as T;
  if (interned.size >= INTERN_MAX) interned.clear();
  interned.set(key, Object.freeze(value));
  return value;
}

/**
 * One frozen record per content (keys in order, string values): a device's `conf` after a
 * `sysctl -w net.ipv4.conf.eth0.arp_notify=1` is the same record in every pod a CNI plugin
 * configured (issue #7). The content includes the key order, so printers that walk the
 * record see what they saw before.
 */
export function internRecord<T extends Readonly<Record<string, string | number>>>(rec: T): T {
  return intern(`r${JSON.stringify(rec)}`, rec);
}

/** One frozen list per content (e.g. a device's `confSet`); see internRecord. */
export function internStrings<T extends string>(list: readonly T[]): readonly T[] {
  return intern(`l${JSON.stringify(list)}`, list);
}

/**
 * One frozen route per content (`ip route add default via 10.244.1.1 dev eth0` made by a CNI
 * plugin is the same route in every pod of a node; issue #7). The content includes the key
 * order; `dst` is frozen with it.
 */
export function internRoute<T extends { readonly dst: object }>(r: T): T {
  const key = `t${JSON.stringify(r)}`;
  const hit = interned.get(key);
  if (hit !== undefined) return hit as T;
  Object.freeze(r.dst);
  return intern(key, r);
}

/** Interned prefixes by addr * 64 + len; see sharedPrefix. */
const prefixes = new Map<number, { readonly addr: number; readonly len: number }>();
const PREFIXES_MAX = 4096;

/**
 * One frozen `{ addr, len }` per prefix (a route's `dst`): the kernel routes of the pods of a
 * node name the same subnet and broadcast address (issue #7). At most PREFIXES_MAX are kept.
 */
export function sharedPrefix<A extends number>(addr: A, len: number): { readonly addr: A; readonly len: number } {
  const k = addr * 64 + len;
  let p = prefixes.get(k);
  if (p === undefined) {
    if (prefixes.size >= PREFIXES_MAX) prefixes.clear();
    p = Object.freeze({ addr, len });
    prefixes.set(k, p);
  }
  return p as { readonly addr: A; readonly len: number };
}
