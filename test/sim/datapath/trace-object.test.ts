/**
 * The trace object a walk returns (src/sim/datapath/engine.ts makeTrace): its
 * lazy `hops` and `reason` are getters shared by every trace, its state an own
 * non-enumerable slot - so no per-walk closure hangs off a property accessor
 * (measured: that kept each walk's hops, steps and packets alive through the
 * young-generation collections, see docs/performance.md, fourth round).
 */
import { describe, expect, it } from 'vitest';
import { walk } from '../../../src/sim/datapath/engine.js';
import { echoRequest } from '../../../src/sim/packet.js';
import { ip, router3 } from './topo.js';

const ping = (src: string, dst: string) => echoRequest({ src: ip(src), dst: ip(dst), id: 1, seq: 1, payload: 56, ttl: 64 });

describe('trace objects', () => {
  it('share their getters, hide their state, and read as plain data', () => {
    const t = router3();
    const a = walk(t.world, { kind: 'output', ns: 'a', pkt: ping('10.0.1.2', '10.0.2.2') }).trace;
    const b = walk(t.world, { kind: 'output', ns: 'a', pkt: ping('10.0.1.2', '10.0.9.9') }).trace;
    for (const k of ['hops', 'reason'] as const) {
      const da = Object.getOwnPropertyDescriptor(a, k)!;
      const db = Object.getOwnPropertyDescriptor(b, k)!;
      expect(da.enumerable).toBe(true);
      expect(typeof da.get).toBe('function');
      expect(da.get).toBe(db.get);
    }
    expect(Object.keys(a)).toEqual(['title', 'hops', 'disposition', 'endedIn', 'reason']);
    expect(Object.getOwnPropertySymbols(a).every((s) => !Object.prototype.propertyIsEnumerable.call(a, s))).toBe(true);
    expect(a.disposition).toBe('delivered');
    expect(b.disposition).not.toBe('delivered');
    expect(a.reason).not.toBe(b.reason);
    expect(a.hops).toBe(a.hops);
    expect(JSON.parse(JSON.stringify({ ...b }))).toEqual(JSON.parse(JSON.stringify(b)));
  });
});
