/**
 * Churn: what happens to a running cluster - pods added and deleted,
 * container restarts, sandboxes re-created, nodes rebooting, leaving and
 * joining, several ADDs at once on one node, ADDs that fail.
 *
 * A churn action is abstract (`{op, a, b}`): it names its target by number,
 * and is interpreted against the state at that point (`a` modulo the pods or
 * nodes that qualify). Any sequence is therefore valid, and fast-check can
 * shrink a failing sequence by dropping actions without making it invalid.
 */
import fc from 'fast-check';

export const CHURN_OPS = ['add', 'delete', 'restart', 'recreate', 'reboot', 'leave', 'join', 'concurrent', 'failedAdd'] as const;
export type ChurnOp = (typeof CHURN_OPS)[number];

export interface ChurnAction {
  readonly op: ChurnOp;
  /** Picks the target (modulo the candidates). */
  readonly a: number;
  /** A second choice (a container, how many concurrent ADDs...). */
  readonly b: number;
}

/** Relative weights of the ops in generated churn (pods come and go most). */
export const DEFAULT_CHURN_WEIGHTS: Readonly<Record<ChurnOp, number>> = {
  add: 4,
  delete: 3,
  restart: 1,
  recreate: 2,
  reboot: 1,
  leave: 1,
  join: 1,
  concurrent: 1,
  failedAdd: 1,
};

/** One churn action; `weights` leaves ops out with 0. */
export function churnActionArb(weights: Partial<Record<ChurnOp, number>> = {}): fc.Arbitrary<ChurnAction> {
  const w = { ...DEFAULT_CHURN_WEIGHTS, ...weights };
  const ops = CHURN_OPS.filter((o) => w[o] > 0).map((o) => ({ arbitrary: fc.constant(o), weight: w[o] }));
  return fc.record({ op: fc.oneof(...ops), a: fc.nat(1023), b: fc.nat(1023) });
}

/** A churn sequence of 1..maxLength actions. */
export function churnArb(o: { readonly maxLength?: number; readonly weights?: Partial<Record<ChurnOp, number>> } = {}): fc.Arbitrary<ChurnAction[]> {
  return fc.array(churnActionArb(o.weights), { minLength: 1, maxLength: o.maxLength ?? 8 });
}

/** One line per action, for messages and reproducers. */
export function describeAction(a: ChurnAction): string {
  return `${a.op}(${a.a},${a.b})`;
}

/**
 * After fast-check's shrinking (which keeps an array's tail), drop single
 * actions greedily, last first, while the sequence still fails: a 1-minimal
 * sequence (removing any one action makes it pass).
 */
export function minimizeChurn(actions: readonly ChurnAction[], fails: (a: readonly ChurnAction[]) => boolean): { actions: ChurnAction[]; tries: number } {
  let cur = [...actions];
  let tries = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = cur.length - 1; i >= 0 && cur.length > 1; i--) {
      const cand = [...cur.slice(0, i), ...cur.slice(i + 1)];
      tries++;
      if (fails(cand)) {
        cur = cand;
        changed = true;
      }
    }
  }
  return { actions: cur, tries };
}
