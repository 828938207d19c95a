/**
 * Numeric conntrack keys (src/sim/netfilter/conntrack.ts ctHash) and the
 * table index that writes keep up to date: tuples sharing a hash are told
 * apart by their fields, and every lookup after a write in the same draft
 * (a walk) answers what a scan of the table answers.
 */
import { current, produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import type { ConntrackEntry, ConntrackTuple } from '../../../src/model/netfilter.js';
import type { Netns } from '../../../src/model/world.js';
import {
  ctConfirm,
  ctExpire,
  ctFind,
  ctGet,
  ctHash,
  ctNew,
  ctPeek,
  ctSeen,
  ctSetReply,
  ctTableIndexed,
  invertTuple,
  replyTupleTaken,
  sameTuple,
} from '../../../src/sim/netfilter/conntrack.js';
import { freshMachine } from '../../../src/sim/ops/netns.js';
import { PROTO_UDP, udpPacket, type Ipv4Packet } from '../../../src/sim/packet.js';
import type { Ip4 } from '../../../src/model/addr.js';

const A = 0x0a000001 as Ip4; // 10.0.0.1
const B = 0x0a000002 as Ip4; // 10.0.0.2
const udp = (sport: number, dport: number, src = A, dst = B): ConntrackTuple => ({ proto: PROTO_UDP, src, dst, sport, dport });
const pktOf = (t: ConntrackTuple): Ipv4Packet => udpPacket({ src: t.src as Ip4, dst: t.dst as Ip4, sport: t.sport, dport: t.dport, payload: 0, ttl: 64 });

/** Two different UDP tuples with the same hash, found by search (a 30-bit hash: a pair among ~2^16 tuples). */
function collidingPair(): [ConntrackTuple, ConntrackTuple] {
  const seen = new Map<number, ConntrackTuple>();
  for (let n = 1; n < 1 << 20; n++) {
    const t = udp(n & 0xffff, 1000 + (n >>> 16));
    const h = ctHash(t);
    const o = seen.get(h);
    if (o) return [o, t];
    seen.set(h, t);
  }
  throw new Error('no collision found');
}

const base = freshMachine(1).ns['/']!;

describe('ctHash', () => {
  it('is a small non-negative integer, the same for equal tuples, different when fields swap', () => {
    const t = udp(40000, 53);
    expect(ctHash(t)).toBe(ctHash({ ...t }));
    expect(Number.isInteger(ctHash(t)) && ctHash(t) >= 0 && ctHash(t) < 2 ** 30).toBe(true);
    expect(ctHash(invertTuple(t))).not.toBe(ctHash(t)); // src<->dst and sport<->dport
    expect(ctHash(udp(53, 40000))).not.toBe(ctHash(t)); // ports swapped only
    expect(ctHash({ ...t, proto: 6 })).not.toBe(ctHash(t));
  });

  it('spreads 20,000 flows of one host pair with at most a couple of shared hashes', () => {
    const hs = new Set<number>();
    for (let i = 0; i < 20_000; i++) hs.add(ctHash(udp(1024 + i, 53)));
    expect(20_000 - hs.size).toBeLessThanOrEqual(2);
  });
});

describe('tuples sharing a hash', () => {
  const [t1, t2] = collidingPair();

  it('are different tuples with one hash', () => {
    expect(sameTuple(t1, t2)).toBe(false);
    expect(ctHash(t1)).toBe(ctHash(t2));
    expect(ctHash(invertTuple(t1))).not.toBe(ctHash(t1));
  });

  // 20 filler flows (so the table is indexed), t1 confirmed, t2 not.
  const ns = produce(base, (d) => {
    for (let i = 0; i < 20; i++) ctConfirm(ctNew(d, udp(2000 + i, 9), pktOf(udp(2000 + i, 9)), 0));
    ctConfirm(ctNew(d, t1, pktOf(t1), 1000));
    ctNew(d, t2, pktOf(t2), 2000);
    expect(ctTableIndexed(d)).toBe(true);
  });

  it('are found each as itself, committed and indexed', () => {
    for (let ask = 0; ask < 5; ask++) {
      expect(ctPeek(ns, t1)?.expiresMs).toBe(31_000);
      expect(ctPeek(ns, t2)?.expiresMs).toBe(32_000);
      expect(ctFind(ns, t1)?.dir).toBe('orig');
      expect(ctFind(ns, t2)).toBeUndefined(); // unconfirmed: not found unless asked
      expect(ctFind(ns, t2, true)?.entry.expiresMs).toBe(32_000);
      expect(ctFind(ns, invertTuple(t1))?.dir).toBe('reply');
      expect(ctFind(ns, invertTuple(t2), true)?.dir).toBe('reply');
      expect(replyTupleTaken(ns as Draft<Netns>, invertTuple(t2), t1)).toBe(true);
      expect(replyTupleTaken(ns as Draft<Netns>, invertTuple(t2), t2)).toBe(false);
    }
    expect(ctTableIndexed(ns)).toBe(true);
  });

  it('a new flow replaces the stale unconfirmed entry of its own tuple only, not its hash neighbour', () => {
    const after = produce(ns, (d) => {
      ctNew(d, t2, pktOf(t2), 5000); // t2's stale entry (2000) goes
      ctNew(d, t1, pktOf(t1), 6000); // t1 is confirmed: stays (and a second t1 entry is newest)
      expect(ctPeek(d, t2)?.expiresMs).toBe(35_000);
      expect(ctPeek(d, t1)?.expiresMs).toBe(36_000); // the newest entry of its tuple
      expect(ctFind(d, t1)?.entry.expiresMs).toBe(31_000); // the first confirmed one
    });
    expect(after.conntrack.filter((e) => sameTuple(e.orig, t2)).map((e) => e.expiresMs)).toEqual([35_000]);
    expect(after.conntrack.filter((e) => sameTuple(e.orig, t1)).map((e) => e.expiresMs)).toEqual([31_000, 36_000]);
  });
});

describe('lookups after writes in one walk', () => {
  const ns = produce(base, (d) => {
    for (let i = 0; i < 40; i++) ctConfirm(ctNew(d, udp(3000 + i, 9), pktOf(udp(3000 + i, 9)), 0));
  });

  it('see a new flow, a NAT reply tuple, a confirm and an expiry at once, and the index survives the commit', () => {
    const nat = { ...invertTuple(udp(5000, 53)), dst: 0x0a0000fe as Ip4, dport: 61000 };
    const next = produce(ns, (d) => {
      ctNew(d, udp(5000, 53), pktOf(udp(5000, 53)), 100);
      expect(ctTableIndexed(d)).toBe(true); // the walk's copy of the table has the index
      expect(ctFind(d, udp(5000, 53))).toBeUndefined();
      expect(ctFind(d, udp(5000, 53), true)?.dir).toBe('orig');
      const e = ctGet(d, udp(5000, 53))!;
      ctSetReply(d, e, nat); // MASQUERADE chose a port
      expect(ctFind(d, nat, true)?.dir).toBe('reply');
      expect(ctFind(d, invertTuple(udp(5000, 53)), true)).toBeUndefined(); // the old reply tuple is gone
      expect(replyTupleTaken(d, nat, udp(1, 1))).toBe(true);
      expect(replyTupleTaken(d, nat, udp(5000, 53))).toBe(false);
      ctConfirm(ctGet(d, udp(5000, 53))!);
      expect(ctFind(d, nat)?.dir).toBe('reply');
      expect(ctTableIndexed(d)).toBe(true);
    });
    expect(ctTableIndexed(next)).toBe(true); // committed: the next walk starts indexed
    expect(ctFind(next, nat)?.entry.orig).toEqual(udp(5000, 53));
    const later = produce(next, (d) => {
      ctExpire(d, 30_000); // the 40 flows (30 s) expire; 5000->53 (30.1 s) stays
      expect(d.conntrack.length).toBe(1);
      expect(ctFind(d, nat)?.dir).toBe('reply');
    });
    expect(later.conntrack.length).toBe(1);
  });

  it('expire the oldest flows (a prefix of the table) and still find the rest, by either tuple, across walks', () => {
    // 40 flows a second apart: the first ones expire first.
    let w = produce(base, (d) => {
      for (let i = 0; i < 40; i++) ctConfirm(ctNew(d, udp(8000 + i, 9), pktOf(udp(8000 + i, 9)), i * 1000));
    });
    for (const at of [30_500, 33_000, 40_000]) {
      w = produce(w, (d) => {
        ctExpire(d, at);
        ctNew(d, udp(9000 + at, 9), pktOf(udp(9000 + at, 9)), at); // a write after the expiry, same walk
        for (let i = 0; i < 40; i++) {
          const alive = i * 1000 + 30_000 > at;
          expect([ctFind(d, udp(8000 + i, 9))?.dir, ctFind(d, invertTuple(udp(8000 + i, 9)))?.dir]).toEqual(alive ? ['orig', 'reply'] : [undefined, undefined]);
          expect(replyTupleTaken(d, invertTuple(udp(8000 + i, 9)), udp(1, 1))).toBe(alive);
        }
        expect(ctPeek(d, udp(9000 + at, 9))?.expiresMs).toBe(at + 30_000);
      });
      expect(ctTableIndexed(w)).toBe(true);
    }
    expect(w.conntrack.length).toBe(40 - 11 + 3);
  });

  it('find a flow whose reply tuple is its original tuple (to itself, same port) in the original direction', () => {
    const self = udp(53, 53, A, A);
    const w = produce(ns, (d) => {
      ctConfirm(ctNew(d, self, pktOf(self), 0));
      expect(ctFind(d, self)?.dir).toBe('orig');
    });
    expect(ctFind(w, self)?.dir).toBe('orig');
  });

  it('expire an entry whose timeout shortened in an earlier walk (the index bound follows ctSeen)', () => {
    // A TCP flow established (5 days), then a FIN (120 s): it must expire after 120 s, not 5 days.
    const tcp: ConntrackTuple = { proto: 6, src: A, dst: B, sport: 7000, dport: 80 };
    const syn = (flags: 'SYN' | 'ACK' | 'FIN') => ({ ...pktOf(tcp), proto: 6, ports: { sport: 7000, dport: 80, flags } }) as Ipv4Packet;
    let w = produce(ns, (d) => {
      ctConfirm(ctNew(d, tcp, syn('ACK'), 0)); // picked up mid-stream: ESTABLISHED
      ctExpire(d, 1); // the index bound is exact now: 30 s (the UDP flows)
    });
    w = produce(w, (d) => ctExpire(d, 40_000)); // the UDP flows go
    expect(w.conntrack.length).toBe(1);
    expect(ctTableIndexed(w)).toBe(false); // 1 entry: scanned
    // Many again (expiring at 2,030 s), so that the table is indexed while the flow's timeout shortens.
    w = produce(w, (d) => {
      for (let i = 0; i < 30; i++) ctConfirm(ctNew(d, udp(4000 + i, 9), pktOf(udp(4000 + i, 9)), 2_000_000));
    });
    w = produce(w, (d) => ctSeen(d, ctGet(d, tcp)!, 'orig', syn('FIN'), 1_000_000)); // FIN_WAIT: 120 s from 1,000 s
    expect(ctTableIndexed(w)).toBe(true);
    expect(produce(w, (d) => ctExpire(d, 1_119_999)).conntrack.length).toBe(31);
    const gone = produce(w, (d) => ctExpire(d, 1_120_000));
    expect(gone.conntrack.length).toBe(30);
    expect(gone.conntrack.some((e) => sameTuple(e.orig, tcp))).toBe(false);
  });
});

/**
 * Random writes and lookups (seeded) in drafts over several commits, every
 * answer compared with a scan of the table as it is at that moment.
 */
describe('index and scan agree under random writes', () => {
  const [c1, c2] = collidingPair();
  const pool: ConntrackTuple[] = [c1, c2, invertTuple(c1), invertTuple(c2), udp(53, 53, A, A)];
  for (let i = 0; i < 24; i++) pool.push(udp(6000 + (i % 12), 53 + (i >> 2)));

  // Asked: the pool, its reply tuples, and reply tuples as NAT rewrites them (dport 60000-60003).
  const queries = [...pool, ...pool.map(invertTuple)];
  for (const t of [...queries]) for (let k = 0; k < 4; k++) queries.push({ ...t, dport: 60000 + k });

  function scanFind(es: readonly ConntrackEntry[], t: ConntrackTuple, unconfirmed: boolean): string {
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (!e.confirmed && !unconfirmed) continue;
      if (sameTuple(e.orig, t)) return `${i} orig`;
      if (sameTuple(e.reply, t)) return `${i} reply`;
    }
    return '-';
  }
  function scanPeek(es: readonly ConntrackEntry[], t: ConntrackTuple): string {
    for (let i = es.length - 1; i >= 0; i--) if (sameTuple(es[i]!.orig, t)) return `${es[i]!.expiresMs}`;
    return '-';
  }

  it('over 2,000 operations', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let ns: Netns = base;
    let now = 0;
    let checks = 0;
    let indexed = 0;
    for (let walk = 0; walk < 100; walk++) {
      now += rnd(4000);
      ns = produce(ns, (d) => {
        for (let op = 0; op < 20; op++) {
          const t = pool[rnd(pool.length)]!;
          const k = rnd(6);
          if (k === 0) ctNew(d, t, pktOf(t), now);
          else if (k === 1) {
            const e = ctGet(d, t);
            if (e && rnd(2)) ctConfirm(e);
            else if (e) ctSeen(d, e, 'reply', pktOf(t), now);
          } else if (k === 2) {
            const e = ctGet(d, t);
            if (e) ctSetReply(d, e, { ...e.reply, dport: 60000 + rnd(4) } as ConntrackTuple);
          } else if (k === 3 && rnd(4) === 0) ctExpire(d, now);
          const es = current(d).conntrack;
          const q = queries[rnd(queries.length)]!;
          const idxFind = (u: boolean) => {
            const f = ctFind(d, q, u);
            return f ? `${es.findIndex((e) => sameTuple(e.orig, f.entry.orig) && e.expiresMs === f.entry.expiresMs)} ${f.dir}` : '-';
          };
          expect(idxFind(false)).toBe(scanFind(es, q, false));
          expect(idxFind(true)).toBe(scanFind(es, q, true));
          expect(`${ctPeek(d, q)?.expiresMs ?? '-'}`).toBe(scanPeek(es, q));
          const ex = pool[rnd(pool.length)]!;
          expect(replyTupleTaken(d, q, ex)).toBe(es.some((e) => sameTuple(e.reply, q) && !sameTuple(e.orig, ex)));
          checks++;
          if (ctTableIndexed(d)) indexed++;
        }
      });
    }
    expect(checks).toBe(2000);
    expect(indexed).toBeGreaterThan(1000); // most lookups went through the index
    expect(ns.conntrack.length).toBeGreaterThan(16); // the index was in play
  });
});
