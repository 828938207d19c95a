/**
 * The known-bad designs in examples/verify/ each fail `verify` with the right
 * named reason and a witness that shows it; the good examples pass; `diff`
 * lists exactly the flows that change between the host-gw and VXLAN versions
 * of one cluster behind a router that drops private addresses.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenarios/index.js';
import { diffScenarios, formatDiff } from '../../src/verify/diff.js';
import { formatReport } from '../../src/verify/format.js';
import { kinds, load, verifyFile } from './helpers.js';

describe('known-bad designs fail verify with the right reason', () => {
  it('every example under examples/verify passes `podnet run` (its steps show the failure)', () => {
    for (const f of readdirSync(new URL('../../examples/verify/', import.meta.url)).filter((x) => x.endsWith('.yaml'))) {
      const rep = runScenario(load(`examples/verify/${f}`).scenario);
      const bad = rep.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `${f} step ${s.index}: ${c.what}: expected ${c.expected}, got ${c.actual}`));
      expect(bad, f).toEqual([]);
    }
  });

  it('ipMasq on a per-node subnet: pod-to-pod-nat, decided by the bridge plugin MASQUERADE rule on the sender node', () => {
    const r = verifyFile('examples/verify/bad-ipmasq.yaml');
    const v = r.violations.find((x) => x.kind === 'pod-to-pod-nat' && x.witness.from === 'pod/frontend')!;
    expect(v).toBeDefined();
    expect(v.witness.to).toBe('pod/backend');
    expect(v.message).toContain('pod/backend sees 192.168.0.10 -> 10.244.2.2 instead of 10.244.1.2 -> 10.244.2.2');
    expect(v.witness.decidedBy?.where).toBe('node/node-a');
    expect(v.witness.decidedBy?.entry).toMatch(/^-A CNI-[0-9a-f]+ ! -d 224\.0\.0\.0\/4 .*-j MASQUERADE$/);
    // The walk is the witness: it reached backend, translated on node-a.
    const t = v.witness.traces![0]!;
    expect(t.disposition).toBe('delivered');
    expect(t.hops.some((h) => h.ns === 'node-a' && h.steps.some((s) => s.kind === 'nat'))).toBe(true);
  });

  it('a router without pod routes: pod-to-pod-unreachable, no_route in the router', () => {
    const r = verifyFile('examples/verify/bad-router-without-pod-routes.yaml');
    expect(kinds(r)).toContain('pod-to-pod-unreachable');
    const v = r.violations.find((x) => x.kind === 'pod-to-pod-unreachable' && x.witness.from === 'pod/frontend')!;
    expect(v.witness.outcome).toBe('no_route in machine/router: no route to 10.244.2.2');
    expect(v.witness.decidedBy).toEqual({ where: 'machine/router', entry: 'route lookup for 10.244.2.2: no route to 10.244.2.2' });
    expect(v.witness.traces![0]!.endedIn).toBe('router');
  });

  it('overlay MTU mismatch: mtu-mismatch, statically (flannel.1 + 50 > the uplink) and on the datapath (a full-size DF packet dies)', () => {
    const r = verifyFile('examples/verify/bad-overlay-mtu.yaml');
    expect(kinds(r)).toEqual(['mtu-mismatch']);
    expect(r.violations.map((v) => v.message)).toContain(
      'node/node-a:flannel.1 has MTU 1450, so its packets are 1500 bytes on the wire, but the remote VTEP 192.168.0.11 (node/node-b:eth0) has MTU 1400',
    );
    const flow = r.violations.find((v) => v.witness.from === 'pod/a1')!;
    expect(flow.message).toContain('a 1450-byte packet');
    expect(flow.witness.traces![0]!.disposition).toBe('frag_needed');
    expect(flow.data).toMatchObject({ from: 'pod/a1', dst: '10.244.2.2', size: '1422' });
  });

  it('host-local leak after a reboot (runtime state lost): ipam-leak of the old address', () => {
    const r = verifyFile('examples/verify/bad-host-local-leak.yaml');
    expect(kinds(r)).toEqual(['ipam-leak']);
    expect(r.violations[0]!.data).toMatchObject({ ip: '10.244.1.2', network: 'podnet', path: '/nodes/node-a/var/lib/cni/networks/podnet/10.244.1.2' });
    // Before the reboot the same design is fine.
    expect(verifyFile('examples/verify/bad-host-local-leak.yaml', 1).ok).toBe(true);
  });

  it('duplicate podCIDRs: overlapping-pod-cidrs and duplicate-pod-ip', () => {
    const r = verifyFile('examples/verify/bad-duplicate-podcidrs.yaml');
    expect(kinds(r)).toEqual(expect.arrayContaining(['duplicate-pod-ip', 'overlapping-pod-cidrs']));
    expect(r.violations.find((v) => v.kind === 'duplicate-pod-ip')!.message).toBe('pod/frontend and pod/backend both have 10.244.1.2');
    expect(r.violations.find((v) => v.kind === 'overlapping-pod-cidrs')!.data).toEqual({ a: 'node/node-a', b: 'node/node-b' });
  });

  it('a missing route on one node: only the flows through that gap fail, decided on node-c', () => {
    const r = verifyFile('examples/verify/bad-missing-route.yaml');
    const unreachable = r.violations.filter((v) => v.kind === 'pod-to-pod-unreachable');
    expect(unreachable.map((v) => `${v.witness.from} -> ${v.witness.to}`)).toEqual(['pod/c1 -> pod/b1']);
    expect(unreachable[0]!.witness.decidedBy).toEqual({ where: 'node/node-c', entry: 'route lookup for 10.244.2.2: no route to 10.244.2.2' });
    const lost = r.violations.filter((v) => v.kind === 'pod-to-pod-reply-lost');
    expect(lost.map((v) => `${v.witness.from} -> ${v.witness.to}`)).toEqual(['pod/b1 -> pod/c1']);
    // a1 <-> b1 and a1 <-> c1 are fine: no violation names the pair.
    const pairs = r.violations.filter((v) => v.kind.startsWith('pod-to-pod')).map((v) => `${v.witness.from}>${v.witness.to}`);
    for (const ok of ['pod/a1>pod/b1', 'pod/b1>pod/a1', 'pod/a1>pod/c1', 'pod/c1>pod/a1']) expect(pairs).not.toContain(ok);
  });

  it('the report prints the class, the witness pair, the deciding entry and the walk', () => {
    const text = formatReport(verifyFile('examples/verify/bad-router-without-pod-routes.yaml'));
    expect(text).toContain('pod-to-pod-unreachable: pod/frontend -> pod/backend (10.244.2.2): no_route in machine/router\n');
    expect(text).toContain('    class: pod/frontend -> pod/backend\n');
    expect(text).toContain('    witness: pod/frontend (10.244.1.2) -> pod/backend (10.244.2.2): no_route in machine/router: no route to 10.244.2.2\n');
    expect(text).toContain('    decided by: machine/router: route lookup for 10.244.2.2: no route to 10.244.2.2\n');
    expect(text).toContain('        => no_route in machine/router: no route to 10.244.2.2\n');
  });
});

describe('good examples pass verify', () => {
  // The state each example is verified in: its end, but for examples whose last steps break the
  // network on purpose (06: the router forgets a route), the state before that.
  const AT: Record<string, number> = { '06-graphic4-router.yaml': 3 };
  // Teaching examples that show a broken design on purpose: verify must name it.
  const BAD: Record<string, string[]> = { '18-overlay-mtu-mismatch.yaml': ['mtu-mismatch'] };
  const files = readdirSync(new URL('../../examples/', import.meta.url)).filter((f) => f.endsWith('.yaml')).sort();
  for (const f of files) {
    it(`${f}`, () => {
      const r = verifyFile(`examples/${f}`, AT[f]);
      if (BAD[f]) expect(kinds(r)).toEqual(BAD[f]);
      else expect(r.violations.map((v) => `${v.kind}: ${v.message}`)).toEqual([]);
    });
  }

  it('the good versions under examples/verify pass too', () => {
    for (const f of ['diff-vxlan.yaml', 'fuzz-leaky-plugin.yaml']) expect(verifyFile(`examples/verify/${f}`).violations, f).toEqual([]);
  });

  it('a network policy drop is a note, not a violation (unless strict)', () => {
    const r = verifyFile('examples/12-network-policy.yaml');
    expect(r.ok).toBe(true);
    expect(r.notes.some((n) => n.includes('-A POLICY-backend -j DROP'))).toBe(true);
  });
});

describe('podnet diff', () => {
  it('lists exactly the flows that change between host-gw and VXLAN behind a router that drops private addresses', () => {
    const d = diffScenarios(load('examples/verify/diff-host-gw.yaml').scenario, load('examples/verify/diff-vxlan.yaml').scenario);
    expect(d.invalid).toEqual([]);
    expect(d.compared).toBe(24);
    const got = d.changed.map((c) => `${c.kind} ${c.from} -> ${c.to}: ${c.a.verdict} => ${c.b.verdict}`).sort();
    expect(got).toEqual(
      [
        'pod-to-pod pod/a1 -> pod/c1: null_routed in machine/internet => ok',
        'pod-to-pod pod/b1 -> pod/c1: null_routed in machine/internet => ok',
        'pod-to-pod pod/c1 -> pod/a1: null_routed in machine/internet => ok',
        'pod-to-pod pod/c1 -> pod/b1: null_routed in machine/internet => ok',
        'node-to-pod node/node-a -> pod/c1: null_routed in machine/internet => ok',
        'node-to-pod node/node-b -> pod/c1: null_routed in machine/internet => ok',
        'node-to-pod node/node-c -> pod/a1: null_routed in machine/internet => ok',
        'node-to-pod node/node-c -> pod/b1: null_routed in machine/internet => ok',
        'pod-to-node pod/a1 -> node/node-c: reply lost: null_routed in machine/internet => ok',
        'pod-to-node pod/b1 -> node/node-c: reply lost: null_routed in machine/internet => ok',
        'pod-to-node pod/c1 -> node/node-a: reply lost: null_routed in machine/internet => ok',
        'pod-to-node pod/c1 -> node/node-b: reply lost: null_routed in machine/internet => ok',
      ].sort(),
    );
    // Both walks are there: the host-gw one ends at the internet router, the VXLAN one in c1.
    const c = d.changed.find((x) => x.kind === 'pod-to-pod' && x.from === 'pod/a1')!;
    expect(c.a.traces[0]!.endedIn).toBe('internet');
    expect(c.b.traces[0]!.hops.some((h) => h.steps.some((s) => s.kind === 'encap'))).toBe(true);
    const text = formatDiff(d, { a: 'A', b: 'B' });
    expect(text).toContain('24 flow classes compared, 12 changed\n');
    expect(text).toContain('pod-to-pod pod/a1 -> pod/c1 (1 source pod x 1 destination pod)\n  - null_routed in machine/internet   (10.244.1.2 -> 10.244.3.2)\n  + ok   (10.244.1.2 -> 10.244.3.2)\n');
  });

  it('a scenario against itself: nothing changes', () => {
    const s = load('examples/verify/diff-host-gw.yaml').scenario;
    const d = diffScenarios(s, s);
    expect(d.changed).toEqual([]);
    expect(d.compared).toBe(24);
  });
});
