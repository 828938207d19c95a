/**
 * The benchmark's synthetic clusters must be clusters the datapath agrees
 * with: every pod reaches every other pod (both designs), and the
 * verifier finds nothing wrong.
 */
import { describe, expect, it } from 'vitest';
import { buildSynthetic } from '../../bench/synth.js';
import { verifyTarget } from '../../bench/cluster.js';
import { probe } from '../../src/sim/send.js';
import { verify } from '../../src/verify/verify.js';
import { formatIp4 } from '../../src/model/addr.js';

describe('bench synthetic clusters', () => {
  for (const design of ['host-gw', 'vxlan'] as const) {
    it(`${design}: every pod pair exchanges an echo (request and reply), ttl 64 on one node (bridged), 62 across nodes`, () => {
      const c = buildSynthetic({ nodes: 3, podsPerNode: 2, design });
      for (const a of c.pods) {
        for (const b of c.pods) {
          if (a === b) continue;
          const r = probe(c.world, { from: a.name, to: b.ip, proto: 'icmp' });
          expect(r.outcome.kind, `${a.name} -> ${formatIp4(b.ip)}`).toBe('reply');
          if (r.outcome.kind === 'reply') expect(r.outcome.pkt.ttl).toBe(a.node === b.node ? 64 : 62);
        }
      }
    });

    it(`${design}: the verifier finds no violation`, () => {
      const c = buildSynthetic({ nodes: 3, podsPerNode: 2, design });
      const rep = verify(verifyTarget(c), { mtu: false });
      expect(rep.violations.map((v) => v.message)).toEqual([]);
    });
  }

  it('shares one object per remote node between the nodes of a cluster (routes, neighbours)', () => {
    const c = buildSynthetic({ nodes: 4, podsPerNode: 1, design: 'host-gw' });
    const r0 = c.world.ns['node0']!.routes;
    const r1 = c.world.ns['node1']!.routes;
    const to3 = (rs: typeof r0) => rs.find((r) => r.gateway !== undefined && r.dst.len === 24 && (r.dst.addr >>> 8) === (c.pods[3]!.ip >>> 8));
    expect(to3(r0)).toBeDefined();
    expect(to3(r0)).toBe(to3(r1));
  });
});
