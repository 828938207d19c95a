/**
 * Faithful or loud: what the twin does not model is listed (never dropped
 * silently), and traces that cross it say so. The kernel bundle of
 * 106-two-bridges-router gets a few things the twin lacks injected into its
 * router namespace n106r.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBundles } from '../../src/import/build.js';
import { crossedAssumptions } from '../../src/import/assumptions.js';
import { formatBundle, parseBundle, type Bundle, type BundleSection } from '../../src/import/bundle.js';
import { readSnapshot, writeSnapshot } from '../../src/import/snapshot.js';
import { runScript } from '../../src/shell/interp.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'import');
const base = parseBundle(readFileSync(join(dir, '106-two-bridges-router.bundle'), 'utf8'));

function edit(b: Bundle, ns: string, label: string, f: (body: string) => string): Bundle {
  return {
    ...b,
    netns: b.netns.map((n) => (n.name !== ns ? n : { ...n, cmds: { ...n.cmds, [label]: { ...(n.cmds[label] as BundleSection), body: f(n.cmds[label]!.body) } } })),
  };
}
const json = (f: (v: Record<string, unknown>[]) => unknown) => (body: string) => JSON.stringify(f(JSON.parse(body) as Record<string, unknown>[])) + '\n';

let b = base;
b = edit(b, 'n106r', 'ip -j -4 rule show', json((v) => [v[0], { priority: 100, src: '10.106.1.0/24', table: '100' }, ...v.slice(1)]));
b = edit(b, 'n106r', 'iptables-save -c', () =>
  ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '[0:0] -A FORWARD -m recent --set --name x --mask 255.255.255.255 --rsource -j DROP', '[3:252] -A FORWARD -p icmp -j ACCEPT', 'COMMIT', ''].join('\n'),
);
b = edit(b, 'n106r', 'ip -j -d addr show', json((v) => v.map((l) => (l['ifname'] === 'eth0' ? { ...l, addr_info: [...(l['addr_info'] as unknown[]), { family: 'inet6', local: '2001:db8::1', prefixlen: 64, scope: 'global' }] } : l))));
b = edit(b, 'n106r', 'ip -j -d link show', json((v) => [...v, { ifindex: 9, ifname: 'dummy0', flags: ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1500, qdisc: 'noqueue', operstate: 'UNKNOWN', linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'ether', address: '02:00:00:00:99:01', broadcast: 'ff:ff:ff:ff:ff:ff', linkinfo: { info_kind: 'dummy' } }]));
b = edit(b, 'n106r', 'ip -j -d -4 route show table all', json((v) => [...v, { type: 'unicast', dst: '10.200.0.0/16', nexthops: [{ gateway: '10.106.1.11', dev: 'eth0' }, { gateway: '10.106.2.13', dev: 'eth1' }], table: 'main', protocol: 'static', scope: 'global', flags: [] }]));
const { world, report } = importBundles([{ text: formatBundle(b), origin: 'edited.bundle' }]);
const of = (area: string) => report.assumptions.filter((a) => a.area === area && a.ns === 'n106r' && a.severity === 'warn').map((a) => a.text);

describe('assumptions', () => {
  it('lists a policy routing rule', () => {
    expect(of('rule')).toEqual(['policy routing rule {"priority":100,"src":"10.106.1.0/24","table":"100"} is not modelled: the twin looks up tables local, main, default only']);
  });
  it('lists the iptables rule it could not load and keeps the others', () => {
    expect(of('netfilter')).toEqual(['rule not loaded (iptables match -m recent is not modelled): [0:0] -A FORWARD -m recent --set --name x --mask 255.255.255.255 --rsource -j DROP']);
    expect(runScript('ip netns exec n106r iptables-save -c\n', { world }).output).toContain('[3:252] -A FORWARD -p icmp -j ACCEPT\n');
  });
  it('lists IPv6 addresses, stand-in devices and multipath routes', () => {
    expect(of('ipv6')).toEqual(['IPv6 address 2001:db8::1/64 not modelled (the twin is IPv4 only)']);
    expect(report.assumptions.filter((a) => a.area === 'underlay').map((a) => `${a.dev}: ${a.text}`)).toEqual(['dummy0: dummy device: not modelled, stands in as a veth to namespace underlay (not attached to any segment)']);
    expect(of('route')).toEqual([expect.stringMatching(/^route \{"type":"unicast","dst":"10.200.0.0\/16".* not imported: multipath routes are not modelled$/)]);
  });
  it('every assumption is in the world, and a trace through n106r lists the ones it crossed', () => {
    expect(world.assumptions).toEqual(report.assumptions);
    const r = runScript('ip netns exec n106h1 ping -c 1 10.106.2.13\n', { world });
    expect(r.output).toContain('1 received');
    const crossed = crossedAssumptions(world, r.traces[0]!.trace).map((a) => a.area);
    expect(report.assumptions.filter((a) => a.area === 'fidelity').map((a) => a.text)).toEqual([]);
    expect(crossed).toEqual(['rule', 'netfilter']);
    // The multipath route (10.200.0.0/16) is crossed only by packets to it.
    const r2 = runScript('ip netns exec n106h1 ping -c 1 -W 1 10.200.0.1\n', { world });
    expect(crossedAssumptions(world, r2.traces[0]!.trace).map((a) => a.area).sort()).toEqual(['netfilter', 'route', 'rule']);
    expect(report.assumptions.filter((a) => a.area === 'fidelity')).toEqual([]);
  });
  it('a snapshot keeps the world and its assumptions', () => {
    const s = readSnapshot(writeSnapshot(world, report));
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.snapshot.world.assumptions).toEqual(world.assumptions);
    const again = runScript('ip -n n106h1 route\nip netns list\n', { world: s.snapshot.world }).output;
    expect(again).toBe(runScript('ip -n n106h1 route\nip netns list\n', { world }).output);
    expect(readSnapshot('{"podnet":"other"}')).toEqual({ ok: false, error: 'not a podnet twin snapshot (expected "podnet": "twin-snapshot")' });
  });
});
