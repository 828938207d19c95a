/**
 * CounterLog: a walk's counter increments, applied in one pass to the
 * finished namespace (copying only the touched path, as an immer draft would).
 */
import { describe, expect, it } from 'vitest';
import type { Netns } from '../../../src/model/world.js';
import { runScript } from '../../../src/shell/interp.js';
import { CounterLog } from '../../../src/sim/netfilter/index.js';

const SETUP = `ip netns add a
ip netns exec a iptables -A INPUT -p icmp
ip netns exec a iptables -A INPUT -p tcp -j ACCEPT
ip netns exec a iptables -N USER
ip netns exec a iptables -A USER -j RETURN
ip netns exec a iptables -A OUTPUT -j USER
ip netns exec a iptables -P OUTPUT ACCEPT
ip netns exec a iptables -t mangle -A PREROUTING -j ACCEPT
`;

const nsA = (): Netns => runScript(SETUP).world.ns['a']!;
const filter = (ns: Netns) => ns.netfilter.tables.filter!;
const chainIx = (ns: Netns, name: string) => filter(ns).chains.findIndex((c) => c.name === name);

describe('CounterLog', () => {
  it('adds every increment to its rule and policy, keeping the rest', () => {
    const ns = nsA();
    const input = chainIx(ns, 'INPUT');
    const output = chainIx(ns, 'OUTPUT');
    const log = new CounterLog();
    log.rule('filter', input, 0, 84);
    log.rule('filter', input, 0, 100);
    log.rule('filter', input, 1, 60);
    log.policy('filter', output, 84);
    const out = log.applyTo(ns);
    const f = filter(out);
    expect(f.chains[input]!.rules.map((r) => r.counters)).toEqual([
      { pkts: 2, bytes: 184 },
      { pkts: 1, bytes: 60 },
    ]);
    expect(f.chains[output]!.counters).toEqual({ pkts: 1, bytes: 84 });
    // OUTPUT's rule was not counted: unchanged.
    expect(f.chains[output]!.rules[0]!.counters).toEqual({ pkts: 0, bytes: 0 });
    // The input namespace is a value: not changed.
    expect(filter(ns).chains[input]!.rules[0]!.counters).toEqual({ pkts: 0, bytes: 0 });
  });

  it('copies only the touched path (untouched tables, chains, rules and records are shared)', () => {
    const ns = nsA();
    const input = chainIx(ns, 'INPUT');
    const log = new CounterLog();
    log.rule('filter', input, 1, 60);
    const out = log.applyTo(ns);
    expect(out).not.toBe(ns);
    expect(out.links).toBe(ns.links);
    expect(out.neigh).toBe(ns.neigh);
    expect(out.netfilter.tables.mangle).toBe(ns.netfilter.tables.mangle);
    const [before, after] = [filter(ns), filter(out)];
    for (let i = 0; i < before.chains.length; i++) if (i !== input) expect(after.chains[i]).toBe(before.chains[i]);
    expect(after.chains[input]!.rules[0]).toBe(before.chains[input]!.rules[0]);
    expect(after.chains[input]!.rules[1]!.spec).toBe(before.chains[input]!.rules[1]!.spec);
  });

  it('keeps key order and freezes what it builds (as immer finishes a draft)', () => {
    const ns = nsA();
    const output = chainIx(ns, 'OUTPUT');
    const log = new CounterLog();
    log.rule('filter', output, 0, 84);
    log.policy('filter', output, 84);
    const out = log.applyTo(ns);
    expect(Object.keys(out)).toEqual(Object.keys(ns));
    expect(Object.keys(out.netfilter)).toEqual(Object.keys(ns.netfilter));
    const [c0, c1] = [filter(ns).chains[output]!, filter(out).chains[output]!];
    expect(Object.keys(c1)).toEqual(Object.keys(c0));
    expect(Object.keys(c1.rules[0]!)).toEqual(Object.keys(c0.rules[0]!));
    for (const o of [out, out.netfilter, out.netfilter.tables, filter(out), filter(out).chains, c1, c1.rules, c1.rules[0]!, c1.rules[0]!.counters, c1.counters!]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
  });

  it('an empty log gives the namespace back', () => {
    const ns = nsA();
    const log = new CounterLog();
    expect(log.empty).toBe(true);
    expect(log.applyTo(ns)).toBe(ns);
  });

  it('refuses policy counts for a chain without stats (a caller bug, not silently dropped)', () => {
    const ns = nsA();
    const log = new CounterLog();
    // INPUT was created by -A: no base-chain stats until -P or -Z.
    log.policy('filter', chainIx(ns, 'INPUT'), 84);
    expect(() => log.applyTo(ns)).toThrow(/policy counters/);
  });
});
