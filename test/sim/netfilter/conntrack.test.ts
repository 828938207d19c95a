/**
 * The conntrack table's lookups on a small table (scanned: fewer than 16
 * entries), committed and changed in the current draft
 * (src/sim/netfilter/conntrack.ts; the index: conntrack-hash.test.ts).
 */
import { produce } from "immer";
import { describe, expect, it } from "vitest";
import { parseIp4, type Ip4 } from "../../../src/model/addr.js";
import type { ConntrackTuple } from "../../../src/model/netfilter.js";
import {
  ctConfirm,
  ctExpire,
  ctFind,
  ctNew,
  ctPeek,
  invertTuple,
} from "../../../src/sim/netfilter/conntrack.js";
import { freshMachine } from "../../../src/sim/ops/netns.js";
import { echoRequest, PROTO_ICMP } from "../../../src/sim/packet.js";

const ip = (s: string) => parseIp4(s) as Ip4;
const tuple = (id: number): ConntrackTuple => ({
  proto: PROTO_ICMP,
  src: ip("10.0.0.1"),
  dst: ip("10.0.0.2"),
  sport: id,
  dport: 8,
});
const pkt = (id: number) =>
  echoRequest({
    src: ip("10.0.0.1"),
    dst: ip("10.0.0.2"),
    id,
    seq: 1,
    payload: 56,
    ttl: 64,
  });

describe("conntrack table lookups", () => {
  const ns0 = freshMachine(1).ns["/"]!;
  // One confirmed flow (id 7) and one unconfirmed (id 9), committed (frozen).
  const ns1 = produce(ns0, (d) => {
    ctConfirm(ctNew(d, tuple(7), pkt(7), 0));
    ctNew(d, tuple(9), pkt(9), 0);
  });

  it("finds a committed flow by either tuple, and an unconfirmed one only when asked", () => {
    expect(Object.isFrozen(ns1.conntrack)).toBe(true);
    expect(ctFind(ns1, tuple(7))?.dir).toBe("orig");
    expect(ctFind(ns1, invertTuple(tuple(7)))?.dir).toBe("reply");
    expect(ctFind(ns1, tuple(9))).toBeUndefined();
    expect(ctFind(ns1, tuple(9), true)?.dir).toBe("orig");
    expect(ctFind(ns1, tuple(8))).toBeUndefined();
    expect(ctPeek(ns1, tuple(9))?.confirmed).toBe(false);
  });

  it("expires entries whose timeout passed (30 s for ICMP), and not before", () => {
    expect(produce(ns1, (d) => ctExpire(d, 29_999)).conntrack.length).toBe(2);
    expect(produce(ns1, (d) => ctExpire(d, 30_000)).conntrack.length).toBe(0);
  });

  it("sees an entry added after the table was replaced in the same draft (expired, looked up, then a new flow)", () => {
    const ns2 = produce(ns1, (d) => {
      ctExpire(d, 60_000); // a new, not yet frozen array
      expect(ctFind(d, tuple(11))).toBeUndefined();
      ctNew(d, tuple(11), pkt(11), 60_000); // pushed into that array in place
      expect(ctPeek(d, tuple(11))).toBeDefined();
      expect(ctFind(d, tuple(11), true)?.dir).toBe("orig");
    });
    expect(ns2.conntrack.map((e) => e.orig.sport)).toEqual([11]);
  });
});
