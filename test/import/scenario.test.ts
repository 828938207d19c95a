/**
 * An imported twin is a scenario (spec.import, issue #10). The fixture
 * examples/import/ was recorded on the real kernel by examples/import/record.sh:
 * a node running the reference bridge plugin (bridge + host-local, ipMasq)
 * for three pods, its bundle (node1.bundle), the kernel's answers to five
 * pings and the counters they moved (kernel.txt). objects.yaml names the pods.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/conformance/normalise.js';
import { importBundles } from '../../src/import/build.js';
import { importForScenario, importScenarioYaml } from '../../src/import/scenario.js';
import { importedTarget } from '../../src/import/verify-target.js';
import { loadScenario, Runner, runScenario, type Scenario } from '../../src/scenarios/index.js';
import { runScript } from '../../src/shell/interp.js';
import { scenarioStates } from '../../src/verify/scenario.js';
import { verify } from '../../src/verify/verify.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { failed, IMPORT_DIR, kernelSections, loadIn, readFixture, readIn } from './helpers.js';

const DIR = IMPORT_DIR;
const read = readFixture;
const EXAMPLE = 'bridge-node.yaml';

const load = (text: string, file = join(DIR, EXAMPLE)): Scenario => loadIn(text, file);

function issues(text: string): string[] {
  const r = loadScenario(text, { file: 'x.yaml', readFile: readIn(DIR) });
  return r.ok ? [] : r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`);
}

function verifyFinal(s: Scenario, egress?: 'masquerade' | 'preserve'): { report: VerifyReport; egress: string | undefined } {
  let out: { report: VerifyReport; egress: string | undefined } | undefined;
  const r = scenarioStates(s, (st) => void (out = { report: verify(st.target), egress: st.target.egress }), egress ? { egress } : {});
  expect(r.invalid).toEqual([]);
  return out!;
}

const header = `apiVersion: podnet.dev/v1alpha1
kind: Scenario
metadata: { name: t }
spec:
  import: { bundles: [node1.bundle], kube: objects.yaml }
`;

describe('the kernel-recorded bridge node (examples/import)', () => {
  const kernel = kernelSections(read('kernel.txt'));

  it('imports with no assumption that may change what packets do, and every other one says why', () => {
    const { report } = importBundles([{ text: read('node1.bundle'), origin: 'node1.bundle' }], { kube: read('objects.yaml') });
    expect(report.problems).toEqual([]);
    expect(report.assumptions.filter((a) => a.severity === 'warn')).toEqual([]);
    // The only ones: built-in chains with [0:0] policy counters (made by iptables -A), each with its reason.
    for (const a of report.assumptions) expect(a.text).toMatch(/policy counters \[0:0\] .* taken as not counting \(chains made by iptables -A\)/);
    expect(report.kube?.pods.map((p) => `${p.name} ${p.twinNs}`)).toEqual([
      'frontend cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31',
      'backend cni-a1f2e3d4-5b6c-4d7e-8f90-1a2b3c4d5e6f',
      'db cni-0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f',
    ]);
  });

  it('the twin answers the kernel\'s pings and counters as the kernel did', () => {
    expect(kernel.map((k) => k.cmd.split(' ').slice(-4).join(' '))).toContain('-t nat -L POSTROUTING -v -n -x'.split(' ').slice(-4).join(' '));
    let { world } = importBundles([{ text: read('node1.bundle') }]);
    for (const k of kernel) {
      const r = runScript(k.cmd + '\n', { world });
      world = r.world;
      expect(normalise(r.output.replace(/\n$/, '')), k.cmd).toBe(normalise(k.out));
    }
  });

  it('the kernel showed: pod to pod keeps its source, pod to outside is masqueraded to the node', () => {
    const out = (cmdEnd: string): string => kernel.find((k) => k.cmd.endsWith(cmdEnd))!.out;
    // backend counted frontend's own address; the server counted the node's address twice, the pod network never.
    expect(out('iptables -L INPUT -v -n -x').split('\n')[2]).toMatch(/^ +1 +84 .* 10\.40\.0\.2 /);
    const server = kernel.find((k) => k.cmd.startsWith('ip netns exec outside iptables'))!.out.split('\n');
    expect(server[2]).toMatch(/^ +2 +168 .* 192\.168\.40\.1 /);
    expect(server[3]).toMatch(/^ +0 +0 .* 10\.40\.0\.0\/24 /);
  });

  it('examples/import/bridge-node.yaml runs: every expectation holds, pods named from the kube objects', () => {
    const s = load(read(EXAMPLE));
    expect(s.nodes.map((n) => n.name)).toEqual(['node1']);
    expect(s.pods.map((p) => `${p.name}/${p.containers.map((c) => c.name).join(',')}`).sort()).toEqual(['backend/api', 'db/postgres', 'frontend/web']);
    expect(s.machines.map((m) => m.name)).toEqual(['outside']);
    const r = runScenario(s);
    expect(failed(r)).toEqual([]);
    expect(r.steps.flatMap((x) => x.checks).length).toBeGreaterThan(20);
    expect(r.pods['frontend']).toMatchObject({ ns: 'cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31', ip: '10.40.0.2' });
    // The build is the import: its log names the bundle and every assumption.
    expect(r.steps[0]!.log.join('\n')).toContain('imported node node1 from node1.bundle');
    expect(r.steps[0]!.log.join('\n')).toContain('import assumptions: 0 that may change what packets do, 3 that cannot');
  });

  it('podnet verify on it reports what the kernel showed: pod to pod and node to pod without NAT, egress masqueraded', () => {
    const v = verifyFinal(load(read(EXAMPLE)));
    // ipMasq: true in the node's CNI configuration: egress must be translated, and is.
    expect(v.egress).toBe('masquerade');
    expect(v.report.violations).toEqual([]);
    expect(v.report.ok).toBe(true);
    // The same state, asked to preserve pod sources outside: the kernel masqueraded, so that is a violation.
    const p = verifyFinal(load(read(EXAMPLE)), 'preserve');
    expect(p.report.ok).toBe(false);
    expect(p.report.violations.map((x) => x.kind)).toContain('egress-nat');
    expect(p.report.violations.map((x) => x.message).join('\n')).toMatch(/pod\/(frontend|backend|db)/);
  });

  it('a step that breaks the masquerade on the imported node is caught by verify and by the expectations', () => {
    const broken = read(EXAMPLE).replace('  steps:\n', '  steps:\n    - fault: { ruleInsert: "-t nat -I POSTROUTING -j ACCEPT", on: node/node1 }\n');
    const s = load(broken);
    expect(failed(runScenario(s)).some((f) => /source seen/.test(f))).toBe(true);
    const v = verifyFinal(s);
    expect(v.report.ok).toBe(false);
    expect(v.report.violations.map((x) => x.kind).some((k) => k.startsWith('egress'))).toBe(true);
  });

  it('the imported state is shared data no run changes: a second run counts from the bundle again', () => {
    const s = load(read(EXAMPLE));
    const before = JSON.stringify(s.imported!.world);
    expect(failed(runScenario(s))).toEqual([]);
    expect(JSON.stringify(s.imported!.world)).toBe(before);
    // The same bundles load to the same import (kept), and its counters start where the kernel's did.
    const again = load(read(EXAMPLE));
    expect(again.imported).toBe(s.imported);
    expect(failed(runScenario(again))).toEqual([]);
  });

  it('traces and ad hoc probes speak in pod names', () => {
    const runner = new Runner(load(read(EXAMPLE)));
    runner.run(0);
    const st = runner.adhoc('ping', 'pod/db', 'pod/frontend');
    if (typeof st === 'string') throw new Error(st);
    expect(st.probe!.outcome).toMatch(/echo reply from 10\.40\.0\.2/);
    expect(runner.places()['cni-0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f']).toEqual({ kind: 'pod', name: 'db' });
    expect(runner.places()['node1']).toEqual({ kind: 'node', name: 'node1' });
  });
});

describe('spec.import in the loader', () => {
  it('without kube objects, pods are named after their namespaces', () => {
    const s = load(header.replace(', kube: objects.yaml', '') + '  steps:\n    - ping: { from: pod/cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31, to: node/node1 }\n      expect: { outcome: reply }\n');
    expect(s.pods.map((p) => p.name).sort()).toEqual(['cni-0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f', 'cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31', 'cni-a1f2e3d4-5b6c-4d7e-8f90-1a2b3c4d5e6f']);
    expect(failed(runScenario(s))).toEqual([]);
  });

  it('a missing bundle, a file that is not a bundle, and a misspelt pod are reported where they are written', () => {
    expect(issues(header.replace('[node1.bundle]', '[node9.bundle]'))).toEqual(['5:23: spec.import.bundles[0]: cannot read the bundle "node9.bundle"']);
    expect(issues(header.replace('[node1.bundle]', '[objects.yaml]'))[0]).toMatch(/^5:23: .*"objects.yaml" is not a podnet bundle/);
    expect(issues(header + '  steps:\n    - ping: { from: pod/frontnd, to: pod/backend }\n').join('\n')).toBe('7:21: spec.steps[0].ping.from: no pod "frontnd" (did you mean "pod/frontend"?)');
  });

  it('refuses a declared topology next to it, and steps that need the pods\' runtime', () => {
    const bad = issues(header + '  nodes: [{ name: n1 }]\n  steps:\n    - sandbox: { delete: pod/frontend }\n');
    expect(bad.join('\n')).toContain('spec.nodes: a scenario with spec.import gets its topology from the imported nodes');
    expect(bad.join('\n')).toContain('sandbox steps need the pods\' runtime');
  });

  it('podnet import -o twin.yaml writes a scenario that loads and verifies like the example', () => {
    const { world, report } = importBundles([{ text: read('node1.bundle') }], { kube: read('objects.yaml') });
    const yaml = importScenarioYaml({ name: 'imported-node1', file: 'twin.yaml', bundles: ['node1.bundle'], kube: 'objects.yaml', world, report });
    expect(yaml).toContain('  import:\n    bundles: [node1.bundle]\n    kube: objects.yaml\n');
    expect(yaml).toContain('#     pod/frontend 10.40.0.2 (netns cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31) on node/node1');
    const s = load(yaml.replace('  steps: []\n  # for example:\n  #  ', '  steps:\n    ').replace('\n  #    expect', '\n      expect'), join(DIR, 'twin.yaml'));
    expect(s.steps.map((x) => x.kind)).toEqual(['ping']);
    expect(failed(runScenario(s))).toEqual([]);
    expect(verifyFinal(s).report.ok).toBe(true);
  });

  it('two pods of one name in different namespaces: verify, the scenario and its header name them alike', () => {
    // db moves to namespace shop and takes the name backend (which default/backend has).
    const kube = read('objects.yaml').replace('      name: db\n      namespace: default\n', '      name: backend\n      namespace: shop\n');
    expect(kube).not.toBe(read('objects.yaml'));
    const t = importForScenario([{ text: read('node1.bundle') }], { kube });
    const names = t.pods.map((p) => p.name);
    // In the bundle's namespace order: shop/backend (db's netns) comes first and keeps the name.
    expect(names).toEqual(['backend', 'default-backend', 'frontend']);
    const { world, report } = importBundles([{ text: read('node1.bundle') }], { kube });
    const target = importedTarget(world, report);
    expect(target.pods.map((p) => p.ref)).toEqual(names.map((n) => `pod/${n}`));
    expect(target.kubeOf.get('pod/backend')?.namespace).toBe('shop');
    expect(target.kubeOf.get('pod/default-backend')?.namespace).toBe('default');
    const header = importScenarioYaml({ name: 'x', bundles: ['node1.bundle'], kube: 'objects.yaml', world, report });
    expect(header).toContain(`#     pod/default-backend ${target.kubeOf.get('pod/default-backend')?.ip} (netns`);
  });

  it('one bundle imported for a scenario keeps the lab: the node is a namespace named after it', () => {
    const t = importForScenario([{ text: read('node1.bundle') }], { kube: read('objects.yaml') });
    expect(t.world.ns['node1']).toBeDefined();
    expect(Object.values(t.world.ns['/']!.links).map((l) => l.name)).toEqual(['lo']);
    expect(t.nodes).toEqual([{ name: 'node1', ip: '192.168.40.1', podCIDR: '10.40.0.0/24' }]);
    expect(t.unnamed).toEqual([]);
    // Fidelity was checked in that layout too: no difference from the bundle.
    expect(t.report.assumptions.filter((a) => a.area === 'fidelity')).toEqual([]);
  });
});
