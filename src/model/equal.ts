/**
 * Equality of world data by content: the world is plain immutable data
 * (records, arrays, numbers, strings), so two objects that are not the same
 * object can still hold the same state (a namespace re-made equal, as after a
 * restart that got the same address). Shared sub-objects compare by identity
 * first, so comparing two versions of a namespace costs only the parts that
 * were copied. Key order counts (it is printing order for records), and
 * anything that is not a plain record or array (Map, Set, class instances) is
 * equal only to itself: an answer of "different" is always safe for callers
 * that use this to reuse earlier results.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa = Object.getPrototypeOf(a) as unknown;
  const pb = Object.getPrototypeOf(b) as unknown;
  if ((pa !== Object.prototype && pa !== null) || (pb !== Object.prototype && pb !== null)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
