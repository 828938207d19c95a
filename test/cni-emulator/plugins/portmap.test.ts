import { describe, expect, it } from 'vitest';
import { dnatChainName } from '../../../src/cni-emulator/plugins/portmap.js';

describe('portmap chain names', () => {
  it('are CNI-DN- + sha512(name + id), 28 characters (from the kernel recording of the real plugin)', () => {
    // conformance/golden: network "pmnet", container "cnitool-3813f9445af48799b274".
    expect(dnatChainName('pmnet', 'cnitool-3813f9445af48799b274')).toBe('CNI-DN-52772ad38abf237c3e913');
    expect(dnatChainName('pmnet', 'cnitool-3813f9445af48799b274').length).toBe(28);
    expect(dnatChainName('pmnet', 'c', 'SN-')).toMatch(/^CNI-SN-[0-9a-f]{21}$/);
  });
});
