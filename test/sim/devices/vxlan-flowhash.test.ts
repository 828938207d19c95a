/**
 * flowHash (src/sim/devices/vxlan.ts) feeds FNV-1a piece by piece; it must
 * equal FNV-1a of the joined text it stands for, since the hash picks the
 * outer UDP source port the traces print.
 */
import { describe, expect, it } from 'vitest';
import type { Mac } from '../../../src/model/addr.js';
import { flowHash } from '../../../src/sim/devices/vxlan.js';
import type { Frame } from '../../../src/sim/packet.js';

/** The definition: FNV-1a over `lo|hi|proto|loPort|hiPort` (`arp|lo|hi`), the lower address (then port) first. */
function reference(f: Frame): number {
  let parts: (string | number)[];
  if (f.type === 'ipv4') {
    const s = [f.ip.src as number, f.ip.ports?.sport ?? 0] as const;
    const d = [f.ip.dst as number, f.ip.ports?.dport ?? 0] as const;
    const [x, y] = s[0] < d[0] || (s[0] === d[0] && s[1] <= d[1]) ? [s, d] : [d, s];
    parts = [x[0], y[0], f.ip.proto, x[1], y[1]];
  } else {
    const [x, y] = f.arp.senderIp <= f.arp.targetIp ? [f.arp.senderIp, f.arp.targetIp] : [f.arp.targetIp, f.arp.senderIp];
    parts = ['arp', x, y];
  }
  let h = 0x811c9dc5;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

describe('flowHash', () => {
  it('equals FNV-1a of the joined flow text', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const m = '02:00:00:00:00:01' as Mac;
    for (let i = 0; i < 5000; i++) {
      const k = i % 4;
      const a = k === 0 && i % 8 === 0 ? 7 : rnd();
      const b = k === 0 && i % 8 === 0 ? 7 : rnd();
      const f: Frame =
        k === 3
          ? { src: m, dst: m, type: 'arp', arp: { op: 'request', senderMac: m, senderIp: a as never, targetMac: m, targetIp: b as never } }
          : {
              src: m,
              dst: m,
              type: 'ipv4',
              ip: {
                src: a as never,
                dst: b as never,
                proto: [1, 6, 17][k]!,
                ttl: 64,
                len: 84,
                df: false,
                tos: 0,
                id: 0,
                mark: 0,
                ...(k > 0 ? { ports: { sport: rnd() % 65536, dport: i % 3 ? rnd() % 65536 : 0 } } : {}),
              } as never,
            };
      expect(flowHash(f)).toBe(reference(f));
    }
  });
});
