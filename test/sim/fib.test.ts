import { describe, expect, it } from 'vitest';
import { parseIp4, type Ip4 } from '../../src/model/addr.js';
import { ROOT_NS, type World } from '../../src/model/world.js';
import { runScript } from '../../src/shell/interp.js';
import { fibLookup, routeOutput, selectSource, tableExists } from '../../src/sim/fib.js';

const ip = (s: string): Ip4 => parseIp4(s)!;

/** A namespace built with the twin shell (the same commands the kernel goldens use). */
function world(lines: string[]): World {
  const r = runScript(lines.join('\n') + '\n');
  expect(r.unsupported).toEqual([]);
  return r.world;
}

const base = [
  'ip link add va type veth peer name vb',
  'ip link set va up',
  'ip link set vb up',
  'ip addr add 10.0.0.1/24 dev va',
  'ip addr add 10.0.1.1/24 dev vb',
];

describe('fibLookup', () => {
  it('takes the longest prefix, then the lowest metric', () => {
    const w = world([
      ...base,
      'ip route add default via 10.0.0.100',
      'ip route add 20.0.0.0/8 via 10.0.0.8',
      'ip route add 20.1.0.0/16 via 10.0.0.16',
      'ip route add 20.1.2.3/32 via 10.0.1.32',
      'ip route add 30.0.0.0/8 via 10.0.0.30 metric 100',
      'ip route add 30.0.0.0/8 via 10.0.1.30 metric 50',
    ]);
    const ns = w.ns[ROOT_NS]!;
    expect(fibLookup(ns, ip('20.9.9.9')).route?.gateway).toBe(ip('10.0.0.8'));
    expect(fibLookup(ns, ip('20.1.9.9')).route?.gateway).toBe(ip('10.0.0.16'));
    expect(fibLookup(ns, ip('20.1.2.3')).route?.gateway).toBe(ip('10.0.1.32'));
    expect(fibLookup(ns, ip('21.0.0.1')).route?.gateway).toBe(ip('10.0.0.100'));
    expect(fibLookup(ns, ip('30.1.1.1')).route?.gateway).toBe(ip('10.0.1.30'));
  });
  it('ends at an error route, skips throw to no_route, honours oif by backtracking', () => {
    const w = world([...base, 'ip route add 20.0.0.0/8 via 10.0.0.8', 'ip route add blackhole 20.1.0.0/16', 'ip route add throw 20.2.0.0/16']);
    const ns = w.ns[ROOT_NS]!;
    const bh = fibLookup(ns, ip('20.1.1.1'));
    expect(bh.error).toBe('blackhole');
    expect(bh.route?.type).toBe('blackhole');
    expect(fibLookup(ns, ip('20.2.1.1')).error).toBe('no_route');
    // 10.0.0.0/24 is on va: with oif vb the /24 is skipped and nothing else matches.
    const vb = Object.values(ns.links).find((l) => l.name === 'vb')!.ifindex;
    expect(fibLookup(ns, ip('10.0.0.7'), { oif: vb }).error).toBe('no_route');
  });
  it('local routes (local table, merged trie) win for own addresses', () => {
    const ns = world(base).ns[ROOT_NS]!;
    const r = fibLookup(ns, ip('10.0.0.1'));
    expect(r.route?.type).toBe('local');
    expect(r.route?.table).toBe(255);
  });
  it('ignores tables other than local/main/default and tracks which tables exist', () => {
    const w = world([...base, 'ip route add 50.0.0.0/8 via 10.0.0.2 table 100']);
    const ns = w.ns[ROOT_NS]!;
    expect(fibLookup(ns, ip('50.1.1.1')).error).toBe('no_route');
    expect(tableExists(ns, 100)).toBe(true);
    expect(tableExists(ns, 200)).toBe(false);
  });
});

describe('source selection', () => {
  it('prefers the primary address whose subnet holds the gateway (inet_select_addr)', () => {
    const w = world([
      'ip link add va type veth peer name vb',
      'ip link set va up',
      'ip link set vb up',
      'ip addr add 10.17.0.1/24 dev va',
      'ip addr add 10.17.1.1/24 dev va',
      'ip addr add 10.17.0.2/24 dev va',
      'ip route add 40.0.0.0/8 via 10.17.1.254',
      'ip route add 44.0.0.0/8 dev vb',
    ]);
    const ns = w.ns[ROOT_NS]!;
    const r40 = routeOutput(ns, ip('40.1.1.1'));
    expect(r40.ok && r40.src).toBe(ip('10.17.1.1'));
    // vb has no address: any device's first primary with a scope wider than link.
    const r44 = routeOutput(ns, ip('44.1.1.1'));
    expect(r44.ok && r44.src).toBe(ip('10.17.0.1'));
    const va = Object.values(ns.links).find((l) => l.name === 'va')!.ifindex;
    expect(selectSource(ns, va, 0, 0)).toBe(ip('10.17.0.1'));
  });
});

describe('routeOutput', () => {
  it('maps FIB errors to the errno a sender sees', () => {
    const w = world([...base, 'ip route add unreachable 60.0.0.0/8', 'ip route add prohibit 61.0.0.0/8']);
    const ns = w.ns[ROOT_NS]!;
    expect(routeOutput(ns, ip('60.1.1.1'))).toMatchObject({ ok: false, errno: 'EHOSTUNREACH' });
    expect(routeOutput(ns, ip('61.1.1.1'))).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(routeOutput(ns, ip('8.8.8.8'))).toMatchObject({ ok: false, errno: 'ENETUNREACH' });
    expect(routeOutput(ns, ip('10.0.0.7'), { src: ip('10.9.9.9') })).toMatchObject({ ok: false, errno: 'ENETUNREACH' });
  });
  it('sends local destinations through lo with the destination as source', () => {
    const ns = world(base).ns[ROOT_NS]!;
    expect(routeOutput(ns, ip('10.0.0.1'))).toMatchObject({ ok: true, type: 'local', dev: 1, src: ip('10.0.0.1') });
    expect(routeOutput(ns, ip('10.0.0.255'))).toMatchObject({ ok: true, type: 'broadcast', src: ip('10.0.0.1') });
  });
});
