/**
 * A multi-node imported twin proven on the kernel (issue #10). The fixture
 * examples/import/two-node* was recorded by examples/import/record-two-nodes.sh:
 * two "nodes" (namespaces) on one LAN (macvlans of one device), each running
 * the reference bridge plugin (bridge + host-local, no ipMasq) for its pods and
 * a host-gw route to the other node's pod CIDR; the collector ran once inside
 * each node (two-node-1.bundle, two-node-2.bundle), and the kernel answered
 * pings across the nodes (two-node-kernel.txt). Nothing declares the wiring:
 * the import infers the LAN from the nodes' eth0 addresses.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { normalise } from '../../src/conformance/normalise.js';
import { importBundles } from '../../src/import/build.js';
import { Runner, runScenario, type Scenario } from '../../src/scenarios/index.js';
import { runScript } from '../../src/shell/interp.js';
import { scenarioStates } from '../../src/verify/scenario.js';
import { verify } from '../../src/verify/verify.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { failed, IMPORT_DIR, kernelSections, loadIn, readFixture, readIn } from './helpers.js';

const DIR = IMPORT_DIR;
const EXAMPLE = join(DIR, 'two-node.yaml');
const read = readFixture;
const readAny = readIn(process.cwd());
const WEB = 'cni-41a0c1d2-0e3f-4a5b-8c6d-7e8f90a1b2c3';
const CACHE = 'cni-41b1d2e3-1f40-4b6c-9d7e-8f90a1b2c3d4';
const API = 'cni-41c2e3f4-2051-4c7d-ae8f-90a1b2c3d4e5';

const bundles = (): { text: string; origin: string }[] => [
  { text: read('two-node-1.bundle'), origin: 'two-node-1.bundle' },
  { text: read('two-node-2.bundle'), origin: 'two-node-2.bundle' },
];

const load = (text: string): Scenario => loadIn(text, EXAMPLE);

function verifyFinal(s: Scenario): VerifyReport {
  let out: VerifyReport | undefined;
  const r = scenarioStates(s, (st) => void (out = verify(st.target)));
  expect(r.invalid).toEqual([]);
  return out!;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t), readFile: (p) => (typeof p === 'string' ? readAny(p) : undefined), writeFile: () => undefined, color: false };
  const code = await main(args, io, '0.0.0-test');
  return { code, out };
}

describe('two kernel-recorded nodes imported from one bundle each (examples/import/two-node.yaml)', () => {
  const kernel = kernelSections(read('two-node-kernel.txt'));

  it('infers the LAN from the nodes\' addresses: one bridge for 192.168.41.0/24, the only warnings', () => {
    const { world, report } = importBundles(bundles(), { kube: read('two-node-objects.yaml') });
    expect(report.problems).toEqual([]);
    expect(report.nodes.map((n) => n.namespaces.map((m) => `${m.nodeNs}->${m.twinNs}`))).toEqual([
      ['/->node1', `${WEB}->${WEB}`, `${CACHE}->${CACHE}`],
      ['/->node2', `${API}->${API}`],
    ]);
    expect(report.added.map((a) => a.ns)).toEqual(['underlay']);
    expect(report.assumptions.filter((a) => a.severity === 'warn').map((a) => `${a.node} ${a.dev}: ${a.text}`)).toEqual([
      'node1 eth0: macvlan device: not modelled, stands in as a veth to namespace underlay (joined to every NIC on 192.168.41.0/24 by bridge seg0 in namespace underlay)',
      'node2 eth0: macvlan device: not modelled, stands in as a veth to namespace underlay (joined to every NIC on 192.168.41.0/24 by bridge seg0 in namespace underlay)',
    ]);
    const seg = Object.values(world.ns['underlay']!.links).find((l) => l.name === 'seg0')!;
    expect(Object.values(world.ns['underlay']!.links).filter((l) => l.master === seg.ifindex).map((l) => l.name).sort()).toEqual(['node1-eth0', 'node2-eth0']);
    expect(report.kube?.pods.map((p) => `${p.name} ${p.twinNs}`)).toEqual([`web ${WEB}`, `cache ${CACHE}`, `api ${API}`]);
  });

  it('the twin answers every command of the recording as the kernel did (pings, counters, routes, traceroute)', () => {
    expect(kernel).toHaveLength(10);
    expect(kernel.some((k) => k.cmd.includes('traceroute'))).toBe(true);
    let { world } = importBundles(bundles());
    for (const k of kernel) {
      const r = runScript(k.cmd + '\n', { world });
      world = r.world;
      expect(normalise(r.output.replace(/\n$/, '')), k.cmd).toBe(normalise(k.out));
    }
  });

  it('the kernel showed: across nodes the pod source is kept, two routers on the way', () => {
    const out = (cmdStart: string): string => kernel.find((k) => k.cmd.startsWith(cmdStart))!.out;
    expect(out(`ip netns exec ${WEB} ping -c 1 -W 1 10.41.2.2`)).toContain('ttl=62');
    // api counted web's own address (its request and its reply to api's ping), node1's address once.
    const api = out(`ip netns exec ${API} iptables`).split('\n');
    expect(api[2]).toMatch(/^ +2 +168 .* 10\.41\.1\.2 /);
    expect(api[3]).toMatch(/^ +1 +84 .* 192\.168\.41\.1 /);
    expect(out('ip netns exec node2 iptables').split('\n')[2]).toMatch(/^ +1 +84 .* 10\.41\.1\.3 /);
    expect(out(`ip netns exec ${WEB} traceroute`).split('\n').slice(1).map((l) => l.trim().split(/ +/)[1])).toEqual(['10.41.1.1', '192.168.41.2', '10.41.2.2']);
  });

  it('runs: every expectation holds, nodes and pods named from the kube objects', () => {
    const s = load(read('two-node.yaml'));
    expect(s.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
    expect(s.pods.map((p) => `${p.name}@${p.node}`).sort()).toEqual(['api@node2', 'cache@node1', 'web@node1']);
    const r = runScenario(s);
    expect(failed(r)).toEqual([]);
    expect(r.steps.flatMap((x) => x.checks).length).toBeGreaterThan(25);
    expect(r.pods['api']).toMatchObject({ ns: API, ip: '10.41.2.2' });
    expect(r.steps[0]!.log.join('\n')).toContain('imported node node2 from two-node-2.bundle');
  });

  it('podnet verify: ok, both nodes, every pod pair reachable without NAT', () => {
    const v = verifyFinal(load(read('two-node.yaml')));
    expect(v.violations).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('without node1\'s host-gw route the cross-node expectations and verify fail', () => {
    const broken = read('two-node.yaml').replace('  steps:\n', '  steps:\n    - sh: { on: node/node1, run: "ip route del 10.41.2.0/24" }\n');
    const s = load(broken);
    const f = failed(runScenario(s));
    expect(f.some((x) => /outcome/.test(x))).toBe(true);
    expect(verifyFinal(s).ok).toBe(false);
  });

  it('traces cross the nodes by pod names, through the inferred LAN', async () => {
    const runner = new Runner(load(read('two-node.yaml')));
    runner.run(0);
    const st = runner.adhoc('ping', 'pod/api', 'pod/cache');
    if (typeof st === 'string') throw new Error(st);
    expect(st.probe!.outcome).toMatch(/echo reply from 10\.41\.1\.3/);
    expect(runner.places()[API]).toEqual({ kind: 'pod', name: 'api' });
    expect(runner.places()['node2']).toEqual({ kind: 'node', name: 'node2' });
    const r = await cli(['trace', EXAMPLE, '--from', 'pod/web', '--to', 'pod/api', '--at', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# ping pod/web -> pod/api (10.41.2.2), right after the build\n');
    expect(r.out).toContain(`  (netns ${API} is pod/api)\n`);
    expect(r.out).toMatch(/hop \d+: netns underlay \(in node1-eth0, out node2-eth0\)\n[^]*hop \d+: netns node2 \(in eth0, out cni0\)/);
    expect(r.out).toMatch(/=> delivered in netns cni-41c2e3f4/);
    const v = await cli(['verify', EXAMPLE]);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/PASS .*two-node\.yaml .*: ok \(3 pods in 3 classes, 2 nodes, \d+ probes/);
  });
});
