/**
 * Performance helper: read an immer draft's current value without drafting
 * what is read. Reading a draft through its proxy makes a child draft of
 * every object touched (a proxy, later finalized); a walk reads far more
 * (iptables rules, conntrack entries) than it writes, so readers peek and
 * only the writes go through the draft.
 *
 * The value returned must not be mutated (it is the base or immer's working
 * copy); its children may themselves be drafts, hence `peek` at each level.
 */
import { isDraft } from 'immer';

/** immer's per-draft state (Symbol.for('immer-state'), stable since immer 7). */
const DRAFT_STATE = Symbol.for('immer-state');

export function peek<T>(x: T): T {
  if (x === null || typeof x !== 'object' || !isDraft(x)) return x;
  const st = (x as unknown as Record<symbol, { copy_: T | null; base_: T }>)[DRAFT_STATE]!;
  return st.copy_ ?? st.base_;
}
