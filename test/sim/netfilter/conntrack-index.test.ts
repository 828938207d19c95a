/**
 * A committed conntrack table keeps the index its writes built, or (when
 * committed without one) is scanned for its first lookups and indexed once
 * asked repeatedly (src/sim/netfilter/conntrack.ts lookupIndex): the
 * answers are the same either way.
 */
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { parseIp4, type Ip4 } from '../../../src/model/addr.js';
import type { ConntrackTuple } from '../../../src/model/netfilter.js';
import { ctConfirm, ctExpire, ctFind, ctNew, ctPeek, invertTuple } from '../../../src/sim/netfilter/conntrack.js';
import { freshMachine } from '../../../src/sim/ops/netns.js';
import { echoRequest, PROTO_ICMP } from '../../../src/sim/packet.js';

const ip = (s: string) => parseIp4(s) as Ip4;
const tuple = (id: number): ConntrackTuple => ({ proto: PROTO_ICMP, src: ip('10.0.0.1'), dst: ip('10.0.0.2'), sport: id, dport: 8 });
const pkt = (id: number) => echoRequest({ src: ip('10.0.0.1'), dst: ip('10.0.0.2'), id, seq: 1, payload: 56, ttl: 64 });

describe('conntrack lookups on a large committed table', () => {
  // 30 flows (ids 100..129) started a second apart: even ids confirmed, odd ones not.
  const ns = produce(freshMachine(1).ns['/']!, (d) => {
    for (let i = 0; i < 30; i++) {
      const e = ctNew(d, tuple(100 + i), pkt(100 + i), i * 1000);
      if (i % 2 === 0) ctConfirm(e);
    }
  });

  it('answers the same on every ask, scanned first and indexed later', () => {
    expect(Object.isFrozen(ns.conntrack)).toBe(true);
    const ask = () =>
      Array.from({ length: 32 }, (_, k) => {
        const id = 99 + k; // 99 and 130: no such flow
        return [
          ctFind(ns, tuple(id))?.dir ?? '-',
          ctFind(ns, invertTuple(tuple(id)))?.dir ?? '-',
          ctFind(ns, tuple(id), true)?.dir ?? '-',
          ctPeek(ns, tuple(id))?.expiresMs ?? '-',
        ].join(' ');
      });
    const first = ask();
    expect(first[1]).toBe('orig reply orig 30000'); // id 100: confirmed, 30 s ICMP timeout from 0
    expect(first[2]).toBe('- - orig 31000'); // id 101: unconfirmed
    expect(first[0]).toBe('- - - -');
    expect(first[31]).toBe('- - - -');
    for (let n = 0; n < 6; n++) expect(ask()).toEqual(first);
  });

  it('expires by the earliest timeout, before and after indexing', () => {
    for (let n = 0; n < 6; n++) {
      expect(produce(ns, (d) => ctExpire(d, 29_999)).conntrack.length).toBe(30);
      expect(produce(ns, (d) => ctExpire(d, 30_000)).conntrack.length).toBe(29);
      expect(produce(ns, (d) => ctExpire(d, 59_000)).conntrack.length).toBe(0);
    }
  });
});
