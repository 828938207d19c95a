import { createDraft, finishDraft, isDraft } from 'immer';
import { describe, expect, it } from 'vitest';
import { peek } from '../../src/sim/peek.js';

describe('peek', () => {
  it('returns plain values unchanged', () => {
    const o = { a: 1 };
    expect(peek(o)).toBe(o);
    expect(peek(3)).toBe(3);
    expect(peek(undefined)).toBe(undefined);
  });

  it('reads a draft without drafting what it reads, and sees earlier writes', () => {
    const base = { list: [{ k: 1 }, { k: 2 }], n: 0 };
    const d = createDraft(base);
    // Untouched: the base itself, whose children are not drafts.
    expect(peek(d)).toBe(base);
    d.n = 5;
    const cur = peek(d);
    expect(cur.n).toBe(5);
    expect(isDraft(cur.list)).toBe(false);
    expect(peek(cur.list)[1]!.k).toBe(2);
    // A child written through the draft is seen through peek at each level.
    d.list[0]!.k = 9;
    expect(peek(peek(peek(d).list)[0]!).k).toBe(9);
    const out = finishDraft(d);
    expect(out.list[0]!.k).toBe(9);
    expect(out.list[1]).toBe(base.list[1]);
  });
});
