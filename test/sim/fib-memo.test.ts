/**
 * The per-index destination memo of the FIB lookup (src/sim/fib.ts triePath):
 * lookups answered from the memo, and after it was cleared for being full,
 * equal the lookups of an index that never saw those destinations.
 */
import { describe, expect, it } from 'vitest';
import { parseIp4, type Ip4 } from '../../src/model/addr.js';
import { ROOT_NS, type Netns } from '../../src/model/world.js';
import { linkByName } from '../../src/model/queries.js';
import { runScript } from '../../src/shell/interp.js';
import { addrType, fibLookup } from '../../src/sim/fib.js';

const ip = (s: string): Ip4 => parseIp4(s)!;

function ns(): Netns {
  const r = runScript(
    [
      'ip link add va type veth peer name vb',
      'ip link set va up',
      'ip link set vb up',
      'ip addr add 10.0.0.1/24 dev va',
      'ip addr add 10.0.1.1/24 dev vb',
      'ip route add default via 10.0.0.100',
      'ip route add 20.0.0.0/8 via 10.0.0.8',
      'ip route add 20.1.0.0/16 via 10.0.1.16',
      'ip route add 20.1.2.3/32 via 10.0.1.32',
      'ip route add unreachable 30.0.0.0/8',
      'ip route add blackhole 30.1.0.0/16',
      'ip route add prohibit 30.1.2.0/24',
      'ip route add 40.0.0.0/8 dev va scope link',
    ].join('\n') + '\n',
  );
  expect(r.unsupported).toEqual([]);
  return r.world.ns[ROOT_NS]!;
}

/** What the lookups return, by value (the chosen route's fields, or the error). */
function answer(n: Netns, dst: Ip4, tos = 0): unknown {
  const r = fibLookup(n, dst, { tos });
  const o = fibLookup(n, dst, { oif: 3 });
  const s = fibLookup(n, dst, { scope: 253 });
  const key = (x: ReturnType<typeof fibLookup>) => (x.route ? `${x.error ?? 'ok'} ${JSON.stringify(x.route)}` : x.error);
  return [key(r), key(o), key(s), addrType(n, dst)];
}

describe('FIB destination memo', () => {
  // 1,500 destinations: the memo (512 per index) fills and is cleared twice.
  const dsts: Ip4[] = [];
  for (let i = 0; i < 1500; i++) {
    const net = [10, 20, 30, 40, 127, 50][i % 6]!;
    dsts.push((((net << 24) | ((i * 2654435761) & 0xffffff)) >>> 0) as Ip4);
  }
  dsts.push(ip('20.1.2.3'), ip('30.1.2.9'), ip('30.1.9.9'), ip('10.0.0.1'), ip('10.0.0.255'), ip('127.0.0.1'));

  it('answers every destination as an index that never saw it, also after the memo was cleared', () => {
    const a = ns();
    const first = dsts.map((d) => answer(a, d));
    const again = dsts.map((d) => answer(a, d)); // from the memo (or refilled after clearing)
    // A fresh routes array: a new index with an empty memo.
    const fresh = { ...a, routes: [...a.routes] };
    const ref = dsts.map((d) => answer(fresh, d));
    expect(again).toEqual(first);
    expect(first).toEqual(ref);
    expect(first.filter((x) => (x as string[])[0]!.startsWith('ok')).length).toBeGreaterThan(500);
    expect(first.some((x) => (x as string[])[0]!.startsWith('unreachable'))).toBe(true);
    expect(first.some((x) => (x as string[])[0]!.startsWith('prohibit'))).toBe(true);
  });

  it('a memoised path still honours oif, tos and scope per lookup', () => {
    const a = ns();
    expect(fibLookup(a, ip('40.1.1.1')).route?.dev).toBeDefined();
    // The same destination again, now with a scope no route of its path has: the default route is global.
    expect(fibLookup(a, ip('40.1.1.1'), { scope: 254 }).error).toBe('no_route');
    expect(fibLookup(a, ip('20.1.2.3')).route?.gateway).toBe(ip('10.0.1.32'));
    const va = linkByName(a, 'va')!.ifindex;
    expect(fibLookup(a, ip('20.1.2.3'), { oif: va }).route?.gateway).toBe(ip('10.0.0.8'));
    expect(fibLookup(a, ip('20.1.2.3')).route?.gateway).toBe(ip('10.0.1.32'));
  });
});
