/**
 * iptables counters of walks: added up in a CounterLog and applied when the
 * walk builds its world (engine.ts finalWorld), instead of written through
 * the namespace's immer draft at every count. The world after each walk must
 * be the one the per-count draft gave (counterCheck.viaDraft runs the old
 * way), and the counts must be the kernel's (one per rule matched, per
 * traversal: a chain traversed twice in one walk counts twice).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Counters } from '../../../src/model/netfilter.js';
import type { World } from '../../../src/model/world.js';
import { runScript } from '../../../src/shell/interp.js';
import { counterCheck, walk } from '../../../src/sim/datapath/engine.js';
import { probe, probePacket, type ProbeSpec } from '../../../src/sim/send.js';
import { ip } from './topo.js';

// a (10.0.0.1) -- r (10.0.0.2 | 10.0.1.1) -- b (10.0.1.2), with rules in every
// namespace: count-only rules, a user chain jumped to from two hooks, base
// chains with stats (-P), REJECT in FORWARD (ICMP errors from r's OUTPUT), an
// nth statistic match (its own count is still written through the draft).
const SETUP = `ip netns add a
ip netns add r
ip netns add b
ip link add va netns a type veth peer name ra netns r
ip link add vb netns b type veth peer name rb netns r
ip -n a addr add 10.0.0.1/24 dev va
ip -n r addr add 10.0.0.2/24 dev ra
ip -n r addr add 10.0.1.1/24 dev rb
ip -n b addr add 10.0.1.2/24 dev vb
ip -n a link set lo up
ip -n r link set lo up
ip -n b link set lo up
ip -n a link set va up
ip -n r link set ra up
ip -n r link set rb up
ip -n b link set vb up
ip -n a route add default via 10.0.0.2
ip -n b route add default via 10.0.1.1
ip netns exec r sysctl -q -w net.ipv4.ip_forward=1
ip netns exec a iptables -N CNT
ip netns exec a iptables -A CNT -p icmp
ip netns exec a iptables -A CNT -p tcp -j RETURN
ip netns exec a iptables -A INPUT -j CNT
ip netns exec a iptables -A OUTPUT -j CNT
ip netns exec a iptables -P INPUT ACCEPT
ip netns exec a iptables -P OUTPUT ACCEPT
ip netns exec a iptables -t mangle -A OUTPUT -p icmp
ip netns exec r iptables -P FORWARD ACCEPT
ip netns exec r iptables -A FORWARD -p tcp -j ACCEPT
ip netns exec r iptables -A FORWARD -p udp --dport 9 -j REJECT
ip netns exec r iptables -A FORWARD -p icmp
ip netns exec r iptables -A FORWARD -p icmp -j ACCEPT
ip netns exec r iptables -A OUTPUT -p icmp
ip netns exec r iptables -t raw -A PREROUTING -p icmp
ip netns exec r iptables -t mangle -A FORWARD -m statistic --mode nth --every 3 --packet 0
ip netns exec r iptables -t nat -A POSTROUTING -o rb -j MASQUERADE
ip netns exec b iptables -A INPUT -p icmp --icmp-type echo-request
ip netns exec b iptables -A INPUT -p udp -j REJECT
`;

const setupWorld = (): World => runScript(SETUP).world;

/** Counters of a chain's rules, and its own (policy) counters. */
function counters(w: World, ns: string, table: 'filter' | 'nat' | 'raw' | 'mangle', chain: string): { rules: Counters[]; policy?: Counters } {
  const ch = w.ns[ns]!.netfilter.tables[table]!.chains.find((c) => c.name === chain)!;
  return { rules: ch.rules.map((r) => r.counters), ...(ch.counters ? { policy: ch.counters } : {}) };
}

const PROBES: readonly ProbeSpec[] = [
  // The first crosses r with empty neighbour tables: queued for ARP in a and r, then sent.
  { from: 'a', to: ip('10.0.1.2'), proto: 'icmp', seq: 1 },
  { from: 'a', to: ip('10.0.1.2'), proto: 'icmp', seq: 2, payload: 200 },
  // Loopback: OUTPUT and INPUT of a in one walk, CNT traversed twice.
  { from: 'a', to: ip('127.0.0.1'), proto: 'icmp', seq: 3 },
  { from: 'a', to: ip('10.0.0.1'), proto: 'icmp', seq: 4 },
  // REJECT in r's FORWARD: an ICMP error from r (r's OUTPUT), NATed by nothing, back to a.
  { from: 'a', to: ip('10.0.1.2'), proto: 'udp', dport: 9 },
  // REJECT in b's INPUT: port unreachable from b, through r (FORWARD, raw PREROUTING) to a.
  { from: 'a', to: ip('10.0.1.2'), proto: 'udp', dport: 53 },
  // TTL 1: time exceeded from r.
  { from: 'a', to: ip('10.0.1.2'), proto: 'icmp', seq: 5, ttl: 1 },
  { from: 'a', to: ip('10.0.1.2'), proto: 'tcp', dport: 80, tcpFlags: 'SYN' },
  { from: 'b', to: ip('10.0.0.1'), proto: 'icmp', seq: 6 },
  { from: 'r', to: ip('10.0.0.1'), proto: 'icmp', seq: 7 },
];

/** Run the probes one after another (each from the world the previous left), returning every world. */
function runProbes(viaDraft: boolean): World[] {
  counterCheck.viaDraft = viaDraft;
  try {
    let w = setupWorld();
    const worlds: World[] = [];
    for (const [i, p] of PROBES.entries()) {
      w = probe(w, { ...p, now: w.clockMs + 1000 * (i + 1) }).world;
      worlds.push(w);
    }
    return worlds;
  } finally {
    counterCheck.viaDraft = false;
  }
}

afterEach(() => {
  counterCheck.viaDraft = false;
});

describe('walk counters through a CounterLog', () => {
  it('leave the same world as counting through the draft, after every exchange', () => {
    const logged = runProbes(false);
    const drafted = runProbes(true);
    expect(logged).toHaveLength(PROBES.length);
    for (let i = 0; i < logged.length; i++) {
      expect(logged[i]).toStrictEqual(drafted[i]);
      // Key order too (what the formatters iterate).
      expect(JSON.stringify(logged[i])).toBe(JSON.stringify(drafted[i]));
    }
    // The comparison compares something: the probes counted.
    const last = logged[logged.length - 1]!;
    expect(counters(last, 'r', 'filter', 'FORWARD').rules.every((c) => c.pkts > 0)).toBe(true);
    const nth = last.ns['r']!.netfilter.tables.mangle!.chains.find((c) => c.name === 'FORWARD')!.rules[0]!;
    expect(nth.counters.pkts).toBeGreaterThan(0);
    expect(nth.spec.matches[0]).toMatchObject({ kind: 'statistic', mode: 'nth' });
    expect((nth.spec.matches[0] as { count: number }).count).not.toBe(0);
  });

  it('count each rule once per traversal: twice for a user chain jumped to from OUTPUT and INPUT over lo', () => {
    const w0 = setupWorld();
    const r = probe(w0, { from: 'a', to: ip('127.0.0.1'), proto: 'icmp' });
    const len = r.sent.len;
    // Two walks (request, reply), each through OUTPUT and INPUT of a: CNT four times.
    expect(r.traces).toHaveLength(2);
    expect(counters(r.world, 'a', 'filter', 'CNT').rules).toEqual([{ pkts: 4, bytes: 4 * len }, { pkts: 0, bytes: 0 }]);
    expect(counters(r.world, 'a', 'filter', 'INPUT')).toEqual({ rules: [{ pkts: 2, bytes: 2 * len }], policy: { pkts: 2, bytes: 2 * len } });
    expect(counters(r.world, 'a', 'filter', 'OUTPUT')).toEqual({ rules: [{ pkts: 2, bytes: 2 * len }], policy: { pkts: 2, bytes: 2 * len } });
    expect(counters(r.world, 'a', 'mangle', 'OUTPUT').rules).toEqual([{ pkts: 2, bytes: 2 * len }]);
  });

  it('count a packet queued for ARP once, and the ICMP error of a REJECT in the rejecting namespace', () => {
    let w = setupWorld();
    const echo = probe(w, { from: 'a', to: ip('10.0.1.2'), proto: 'icmp' });
    expect(echo.outcome.kind).toBe('reply');
    const len = echo.sent.len;
    w = echo.world;
    // Request and reply each forwarded once by r (the request after waiting for ARP on rb).
    expect(counters(w, 'r', 'filter', 'FORWARD')).toEqual({
      rules: [{ pkts: 0, bytes: 0 }, { pkts: 0, bytes: 0 }, { pkts: 2, bytes: 2 * len }, { pkts: 2, bytes: 2 * len }],
      policy: { pkts: 0, bytes: 0 },
    });
    expect(counters(w, 'b', 'filter', 'INPUT').rules[0]).toEqual({ pkts: 1, bytes: len });
    const udp = probe(w, { from: 'a', to: ip('10.0.1.2'), proto: 'udp', dport: 9, now: w.clockMs + 1000 });
    expect(udp.outcome).toMatchObject({ kind: 'icmp_error', from: ip('10.0.0.2') });
    const f = counters(udp.world, 'r', 'filter', 'FORWARD').rules;
    expect(f[1]).toEqual({ pkts: 1, bytes: udp.sent.len });
    // The port unreachable leaves r through OUTPUT: quoting the datagram, 20 + 8 + its IP header and 8 bytes.
    expect(counters(udp.world, 'r', 'filter', 'OUTPUT').rules[0]).toEqual({ pkts: 1, bytes: 20 + 8 + 28 });
  });

  it('a discarded walk changes no counter and gives the same world back', () => {
    const w0 = setupWorld();
    const pkt = probePacket(w0, { from: 'a', to: ip('127.0.0.1'), proto: 'icmp' });
    const kept = walk(w0, { kind: 'output', ns: 'a', pkt });
    expect(counters(kept.world, 'a', 'filter', 'CNT').rules[0]!.pkts).toBe(2);
    const gone = walk(w0, { kind: 'output', ns: 'a', pkt }, { discard: true });
    expect(gone.world).toBe(w0);
    expect(counters(w0, 'a', 'filter', 'CNT').rules[0]).toEqual({ pkts: 0, bytes: 0 });
    // The trace is the same either way.
    expect(gone.trace).toEqual(kept.trace);
  });

  it('print the same iptables-save -c and iptables -L -v -x after pings through the shell', () => {
    const script =
      SETUP +
      `ip netns exec a ping -c 2 -W 1 10.0.1.2
ip netns exec a ping -c 1 -W 1 127.0.0.1
ip netns exec a ping -c 1 -W 1 -t 1 10.0.1.2
ip netns exec r iptables-save -c
ip netns exec a iptables-save -c
ip netns exec b iptables -L -v -x -n
ip netns exec r iptables -t raw -L -v -x -n
`;
    const logged = runScript(script).output;
    counterCheck.viaDraft = true;
    const drafted = runScript(script).output;
    counterCheck.viaDraft = false;
    expect(logged).toBe(drafted);
    expect(logged).toMatch(/\[4:336\] -A FORWARD -p icmp -j ACCEPT/);
    expect(logged).toMatch(/\[10:868\] -A CNT -p icmp/);
  });
});
