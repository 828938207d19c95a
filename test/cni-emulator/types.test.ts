import { describe, expect, it } from 'vitest';
import { convertResult, printResultAs, type Result100 } from '../../src/cni-emulator/types.js';

const r100: Result100 = {
  kind: '100',
  cniVersion: '1.0.0',
  interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/var/run/netns/p' }],
  ips: [{ interface: 0, address: { ip: '10.1.0.2', prefixLen: 24, family: 4 }, gateway: '10.1.0.1' }],
  routes: [{ dst: { ip: '0.0.0.0', prefixLen: 0, family: 4 } }],
  dns: {},
};

describe('result conversion (libcni convert)', () => {
  it('adds ips[].version first in 0.3.x/0.4.0 results', () => {
    expect(printResultAs(r100, '0.3.1')).toContain('"version": "4",\n            "interface": 0,');
  });
  it('folds the first v4 address and v4 routes into ip4 for 0.2.0', () => {
    expect(printResultAs(r100, '0.2.0')).toBe(
      '{\n    "cniVersion": "0.2.0",\n    "ip4": {\n        "ip": "10.1.0.2/24",\n        "gateway": "10.1.0.1",\n        "routes": [\n            {\n                "dst": "0.0.0.0/0"\n            }\n        ]\n    },\n    "dns": {}\n}',
    );
  });
  it('returns a result unconverted when its label already is the wanted version (the loopback quirk)', () => {
    const labelled = { ...r100, cniVersion: '0.3.1' };
    const out = printResultAs(labelled, '0.3.1');
    expect(out).not.toContain('"version"');
  });
  it('refuses 0.2.0 without any address', () => {
    expect(convertResult({ kind: '100', cniVersion: '1.0.0', dns: {} }, '0.2.0')).toBe('cannot convert: no valid IP addresses');
  });
});
