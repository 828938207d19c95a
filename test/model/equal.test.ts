import { describe, expect, it } from 'vitest';
import { sameData } from '../../src/model/equal.js';
import { runScript } from '../../src/shell/interp.js';

describe('sameData: world data equal by content', () => {
  it('plain records and arrays by content, key order counted', () => {
    expect(sameData({ a: 1, b: [1, 'x', { c: null }] }, { a: 1, b: [1, 'x', { c: null }] })).toBe(true);
    expect(sameData({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameData([1, 2], [1, 2, 3])).toBe(false);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData(NaN, NaN)).toBe(true);
    expect(sameData(0, -0)).toBe(false);
  });

  it('anything but plain data is equal only to itself', () => {
    expect(sameData(new Map(), new Map())).toBe(false);
    const m = new Map();
    expect(sameData({ m }, { m })).toBe(true);
  });

  it('two namespaces configured alike by separate scripts are equal; one more route is not', () => {
    const script = 'ip netns add a\nip -n a link set lo up\nip -n a link add v0 type veth peer name v1\nip -n a addr add 10.0.0.1/24 dev v0\nip -n a link set v0 up\n';
    const w1 = runScript(script).world;
    const w2 = runScript(script).world;
    expect(w1.ns['a']).not.toBe(w2.ns['a']);
    expect(sameData(w1.ns['a'], w2.ns['a'])).toBe(true);
    const w3 = runScript(script + 'ip -n a route add 10.9.0.0/16 via 10.0.0.2\n').world;
    expect(sameData(w1.ns['a'], w3.ns['a'])).toBe(false);
  });
});
