import { describe, expect, it } from 'vitest';
import { hasCarrier, isSecondary, linkByName, operState } from '../../src/model/queries.js';
import { runScript } from '../../src/shell/interp.js';

describe('carrier and operstate', () => {
  it('a veth has carrier only while both ends are up', () => {
    const w1 = runScript('ip netns add a\nip netns add b\nip link add x netns a type veth peer name y netns b\nip -n a link set x up\n').world;
    const x = linkByName(w1.ns['a']!, 'x')!;
    expect(hasCarrier(w1, 'a', x)).toBe(false);
    // both ends have ifindex 2: iflink == ifindex, so DOWN (not LOWERLAYERDOWN)
    expect(operState(w1, 'a', x)).toBe('DOWN');
    const w2 = runScript('ip -n b link set y up\n', { world: w1 }).world;
    expect(hasCarrier(w2, 'a', linkByName(w2.ns['a']!, 'x')!)).toBe(true);
    expect(operState(w2, 'a', linkByName(w2.ns['a']!, 'x')!)).toBe('UP');
  });
  it('the operstate is the one computed at the last carrier loss', () => {
    // created in one namespace (LOWERLAYERDOWN: iflink 2 != 3), the peer then moved away
    const w = runScript('ip netns add x\nip link add va type veth peer name vb\nip link set vb netns x\nip link set va up\n').world;
    const va = linkByName(w.ns['/']!, 'va')!;
    expect(operState(w, '/', va)).toBe('LOWERLAYERDOWN');
    // a carrier loss with no device of index iflink here: DOWN
    const w2 = runScript('ip -n x link set vb up\nip -n x link set vb down\n', { world: w }).world;
    expect(operState(w2, '/', linkByName(w2.ns['/']!, 'va')!)).toBe('DOWN');
  });
});

describe('isSecondary', () => {
  it('is secondary when an earlier address has the same subnet and mask', () => {
    const w = runScript('ip link add va type veth peer name vb\nip addr add 10.0.0.1/24 dev va\nip addr add 10.0.0.2/24 dev va\nip addr add 10.0.0.3/16 dev va\n').world;
    const va = linkByName(w.ns['/']!, 'va')!;
    expect(va.addrs.map((a) => isSecondary(va, a))).toEqual([false, false, true]);
  });
});
