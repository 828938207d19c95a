/**
 * The datapath engine on small veth topologies. Expected behaviour checked on
 * the kernel (6.x) with the same topologies in a throwaway namespace.
 */
import { describe, expect, it } from 'vitest';
import { formatIp4 } from '../../../src/model/addr.js';
import { probe, sendPacket } from '../../../src/sim/send.js';
import { echoRequest } from '../../../src/sim/packet.js';
import { ip, pair, router3, Topo } from './topo.js';

const neighOf = (t: Topo, ns: string, dst: string) => t.world.ns[ns]!.neigh.find((n) => n.dst === ip(dst));

describe('two namespaces on a veth pair', () => {
  it('answers a ping and leaves REACHABLE on the pinger, DELAY on the target', () => {
    const t = pair();
    const r = probe(t.world, { from: 'a', to: ip('10.0.0.2'), proto: 'icmp' });
    expect(r.outcome.kind).toBe('reply');
    if (r.outcome.kind === 'reply') expect(r.outcome.pkt.ttl).toBe(64);
    t.world = r.world;
    expect(neighOf(t, 'a', '10.0.0.2')?.state).toBe('REACHABLE');
    expect(neighOf(t, 'b', '10.0.0.1')?.state).toBe('DELAY');
    expect(neighOf(t, 'a', '10.0.0.2')?.lladdr).toBe(t.link('b', 'vb').mac);
    // Request and reply are two walks, both delivered.
    expect(r.traces.map((x) => x.disposition)).toEqual(['delivered', 'delivered']);
  });

  it('reports an unanswered ARP to the local sender through lo, 3 s later', () => {
    const t = pair();
    const r = probe(t.world, { from: 'a', to: ip('10.0.0.9'), proto: 'icmp' });
    expect(r.traces[0]!.disposition).toBe('neighbor_unreachable');
    expect(r.outcome.kind).toBe('icmp_error');
    if (r.outcome.kind === 'icmp_error') {
      expect(formatIp4(r.outcome.from)).toBe('10.0.0.1');
      expect([r.outcome.type, r.outcome.code]).toEqual([3, 1]);
      expect(r.outcome.atMs).toBe(3000);
    }
  });

  it('drops a packet whose source is one of the receiver own addresses (martian)', () => {
    const t = pair();
    // The receiver refuses even the ARP request from a martian source: resolve first.
    t.world = probe(t.world, { from: 'a', to: ip('10.0.0.2'), proto: 'icmp' }).world;
    t.addr('b', 'lo', '10.0.0.1/32');
    const r = probe(t.world, { from: 'a', to: ip('10.0.0.2'), proto: 'icmp', seq: 2 });
    expect(r.outcome.kind).toBe('timeout');
    expect(r.traces[0]!.disposition).toBe('martian');
    // Unresolved, the ARP request itself is ignored: the sender's resolution fails.
    const t2 = pair().addr('b', 'lo', '10.0.0.1/32');
    const r2 = probe(t2.world, { from: 'a', to: ip('10.0.0.2'), proto: 'icmp' });
    expect(r2.traces[0]!.disposition).toBe('neighbor_unreachable');
  });

  it('fails sendmsg with ENOBUFS when the peer MTU is too small', () => {
    const t = pair();
    // Resolve the neighbour first so the big packet is transmitted synchronously.
    t.world = probe(t.world, { from: 'a', to: ip('10.0.0.2'), proto: 'icmp' }).world;
    t.world = { ...t.world, ns: { ...t.world.ns, b: { ...t.world.ns['b']!, links: { ...t.world.ns['b']!.links, [t.link('b', 'vb').ifindex]: { ...t.link('b', 'vb'), mtu: 1000 } } } } };
    const r = sendPacket(t.world, 'a', echoRequest({ src: 0 as never, dst: ip('10.0.0.2'), id: 1, seq: 2, payload: 1200, ttl: 64 }), { pmtudisc: 'do' });
    expect(r.localError?.errno).toBe('ENOBUFS');
    expect(r.trace.disposition).toBe('frag_needed');
  });
});

describe('a router between two namespaces', () => {
  it('forwards with TTL 63 and answers TTL 1 with time exceeded from its ingress address', () => {
    const t = router3();
    const ok = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(ok.outcome.kind === 'reply' && ok.outcome.pkt.ttl).toBe(63);
    const r = probe(ok.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp', ttl: 1 });
    expect(r.outcome.kind).toBe('icmp_error');
    if (r.outcome.kind === 'icmp_error') {
      expect(formatIp4(r.outcome.from)).toBe('10.0.1.1');
      expect(r.outcome.type).toBe(11);
    }
    expect(r.traces[0]!.disposition).toBe('ttl_exceeded');
  });

  it('drops silently when forwarding is off', () => {
    const t = router3(false);
    const r = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(r.outcome.kind).toBe('timeout');
    expect(r.traces[0]!.disposition).toBe('forwarding_disabled');
  });

  it('answers missing, unreachable and prohibit routes; blackhole is silent', () => {
    const t = router3()
      .route('r', '10.0.5.0/24', { type: 'unreachable' })
      .route('r', '10.0.6.0/24', { type: 'prohibit' })
      .route('r', '10.0.4.0/24', { type: 'blackhole' });
    const codes: Record<string, number | string> = {};
    let w = t.world;
    for (const [dst, clock] of [
      ['10.0.3.9', 0],
      ['10.0.5.1', 10000],
      ['10.0.6.1', 20000],
      ['10.0.4.1', 30000],
    ] as const) {
      const r = probe(w, { from: 'a', to: ip(dst), proto: 'icmp', now: clock });
      w = r.world;
      codes[dst] = r.outcome.kind === 'icmp_error' ? `${formatIp4(r.outcome.from)} ${r.outcome.type}/${r.outcome.code}` : r.outcome.kind;
    }
    expect(codes).toEqual({
      '10.0.3.9': '10.0.1.1 3/0',
      '10.0.5.1': '10.0.1.1 3/1',
      '10.0.6.1': '10.0.1.1 3/13',
      '10.0.4.1': 'timeout',
    });
  });

  it('reports host unreachable when the next hop does not answer ARP', () => {
    const t = router3();
    const r = probe(t.world, { from: 'a', to: ip('10.0.2.9'), proto: 'icmp' });
    expect(r.outcome.kind === 'icmp_error' && [formatIp4(r.outcome.from), r.outcome.code, r.outcome.atMs]).toEqual(['10.0.1.1', 1, 3000]);
    // The error walk ran at +3 s, when the entry had turned FAILED.
    expect(r.world.ns['r']!.neigh.find((n) => n.dst === ip('10.0.2.9'))?.state).toBe('FAILED');
  });

  it('sends frag needed for DF packets over the next MTU, then the sender knows the path MTU', () => {
    const t = router3();
    t.world = { ...t.world, ns: { ...t.world.ns, r: { ...t.world.ns['r']!, links: { ...t.world.ns['r']!.links, [t.link('r', 'rb').ifindex]: { ...t.link('r', 'rb'), mtu: 1400 } } } } };
    const r = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp', payload: 1472, pmtudisc: 'do' });
    expect(r.outcome.kind === 'icmp_error' && [r.outcome.code, r.outcome.mtu]).toEqual([4, 1400]);
    const again = probe(r.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp', payload: 1472, pmtudisc: 'do', seq: 2 });
    expect(again.outcome).toEqual({ kind: 'local_error', errno: 'EMSGSIZE', mtu: 1400 });
  });

  it('rate-limits ICMP errors per destination (burst of 6, then 1 per second)', () => {
    const t = router3();
    let w = t.world;
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = probe(w, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp', ttl: 1, seq: i + 1, now: i * 10 });
      w = r.world;
      kinds.push(r.outcome.kind);
    }
    expect(kinds.filter((k) => k === 'icmp_error')).toHaveLength(6);
  });

  it('drops with strict rp_filter when the route back leaves by another device', () => {
    const t = router3();
    // Resolve ARP first: rp_filter also applies to ARP requests (arp_process routes them).
    t.world = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' }).world;
    t.veth('r', 'rx', 'b', 'bx').addr('r', 'rx', '10.0.9.1/24').route('r', '10.0.1.2/32', { via: '10.0.9.2' });
    t.sysctl('r', 'net.ipv4.conf.all.rp_filter', '1');
    const r = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(r.traces[0]!.disposition).toBe('rp_filter');
    // Loose mode accepts it (a route back exists).
    t.sysctl('r', 'net.ipv4.conf.all.rp_filter', '2');
    const r2 = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(r2.traces[0]!.disposition).toBe('delivered');
  });

  it('answers proxy ARP only for targets routed out of another interface', () => {
    const t = new Topo().netns('a', 'r', 'b');
    t.veth('a', 'va', 'r', 'ra').veth('b', 'vb', 'r', 'rb');
    t.addr('a', 'va', '10.0.0.2/16').addr('r', 'ra', '10.0.1.1/24').addr('r', 'rb', '10.0.2.1/24').addr('b', 'vb', '10.0.2.2/24');
    t.route('b', 'default', { via: '10.0.2.1' }).route('r', '10.0.0.0/16', { dev: 'ra' });
    t.sysctl('r', 'net.ipv4.ip_forward', '1');
    const before = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(before.outcome.kind).toBe('icmp_error'); // nobody answers ARP: own host unreachable
    t.sysctl('r', 'net.ipv4.conf.ra.proxy_arp', '1');
    const r = probe(t.world, { from: 'a', to: ip('10.0.2.2'), proto: 'icmp' });
    expect(r.outcome.kind).toBe('reply');
    expect(r.world.ns['a']!.neigh.find((n) => n.dst === ip('10.0.2.2'))?.lladdr).toBe(t.link('r', 'ra').mac);
  });
});
