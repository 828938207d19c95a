import { describe, expect, it } from 'vitest';
import { hasCarrier, isSecondary, linkByName, operState } from '../../src/model/queries.js';
import { runScript } from '../../src/shell/interp.js';

describe('carrier and operstate', () => {
  it('no carrier: LOWERLAYERDOWN only if the device at index iflink here has no carrier either (kernel 6.18)', () => {
    // Router r: v117rc (ifindex 2, up, carrier) and v117rs (3), whose peer in
    // s has ifindex 2. The peer goes down: index 2 in r is v117rc, which has
    // carrier, so v117rs is DOWN (the kernel printed `state DOWN`).
    const s =
      'ip netns add c\nip netns add r\nip netns add s\nip link add v117c netns c type veth peer name v117rc netns r\n' +
      'ip link add v117s netns s type veth peer name v117rs netns r\nip -n c link set v117c up\nip -n r link set v117rc up\n' +
      'ip -n r link set v117rs up\nip -n s link set v117s up\nip -n s link set v117s down\n';
    const w = runScript(s).world;
    expect(operState(w, 'r', linkByName(w.ns['r']!, 'v117rs')!)).toBe('DOWN');
    // With c's end down too, index 2 (v117rc) has lost its carrier: LOWERLAYERDOWN.
    const w2 = runScript(s + 'ip -n c link set v117c down\nip -n s link set v117s up\nip -n s link set v117s down\n').world;
    expect(operState(w2, 'r', linkByName(w2.ns['r']!, 'v117rs')!)).toBe('LOWERLAYERDOWN');
  });
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
