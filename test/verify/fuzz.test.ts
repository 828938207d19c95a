/**
 * `podnet fuzz`: it finds the planted bug of examples/verify/fuzz-leaky-plugin.yaml
 * within its default run count, shrinks it, and writes a reproducer that
 * `podnet run` fails on by itself (at the step that states the invariant);
 * churn plans are always scenarios the loader accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../src/scenarios/index.js';
import { DEFAULT_FUZZ_RUNS, fuzzScenario, planChurn, planYaml, witnessStep } from '../../src/verify/fuzz.js';
import { churnArb } from '../../src/testing/churn.js';
import { scenarioStates } from '../../src/verify/scenario.js';
import { verify } from '../../src/verify/verify.js';
import { load } from './helpers.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261125);

describe('podnet fuzz', () => {
  it(`finds the planted bug (DEL forgets the pod's rule) within the default ${DEFAULT_FUZZ_RUNS} runs and writes a reproducer`, () => {
    const { scenario, text } = load('examples/verify/fuzz-leaky-plugin.yaml');
    console.log(`[fuzz] fuzz-leaky-plugin: seed ${SEED}`);
    const r = fuzzScenario(scenario, text, { seed: SEED });
    expect(r.invalid).toBeUndefined();
    const f = r.failure!;
    expect(f).toBeDefined();
    expect(f.run).toBeLessThanOrEqual(DEFAULT_FUZZ_RUNS);
    expect(f.report.violations.map((v) => v.kind)).toContain('orphan-chain');
    // Shrunk: one pod deletion is all it takes.
    expect(f.steps).toHaveLength(1);
    expect(f.steps[0]).toMatch(/^delete pod (web|api|db)$/);
    expect(f.confirmed).toBe(true);
    // The reproducer stands alone: `podnet run` fails on it, at its last step, and only there.
    const loaded = loadScenario(f.yaml, { file: 'repro.yaml' });
    if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
    const rep = runScenario(loaded.scenario);
    expect(rep.passed).toBe(false);
    const failing = rep.steps.filter((s) => s.checks.some((c) => !c.pass));
    expect(failing.map((s) => s.name)).toEqual(['verify-orphan-chain']);
    expect(f.yaml).toContain(`# Reproducer written by: podnet fuzz examples/verify/fuzz-leaky-plugin.yaml --seed ${SEED}`);
    // And verify explains it on the reproducer's final state.
    let kinds: string[] = [];
    scenarioStates(loaded.scenario, (st) => {
      kinds = verify(st.target).violations.map((v) => v.kind);
    });
    expect(kinds).toContain('orphan-chain');
  });

  it('the same design with DEL fixed survives the same fuzzing', () => {
    const { text } = load('examples/verify/fuzz-leaky-plugin.yaml');
    const fixed = text.replace('        ip link del veth-$ARG_K8S_POD_NAME\n', '        ip link del veth-$ARG_K8S_POD_NAME\n        iptables -t nat -D POSTROUTING -s $ARG_IP/32 ! -d 10.244.0.0/16 -j MASQUERADE\n');
    expect(fixed).not.toBe(text);
    const loaded = loadScenario(fixed, { file: 'fixed.yaml' });
    if (!loaded.ok) throw new Error('invalid');
    const r = fuzzScenario(loaded.scenario, fixed, { seed: SEED, runs: 6 });
    expect(r.failure?.report.violations.map((v) => `${v.kind}: ${v.message}`) ?? []).toEqual([]);
    expect(r.runs).toBe(6);
    expect(r.stepsRun).toBeGreaterThan(0);
  });

  it('every churn plan is a scenario the loader accepts (property)', () => {
    const sources = ['examples/05-graphic4-switch.yaml', 'examples/verify/fuzz-leaky-plugin.yaml', 'examples/03-pause-container.yaml', 'examples/15-compare-calico.yaml', 'examples/13-plugin-daemonset.yaml'].map(load);
    const runs = Number(process.env['FC_RUNS'] ?? 1000);
    console.log(`[fuzz] plans are valid scenarios: seed ${SEED}, ${runs} runs`);
    fc.assert(
      fc.property(fc.constantFrom(...sources), churnArb({ maxLength: 10 }), ({ scenario, text }, churn) => {
        const plan = planChurn(scenario, churn);
        const yaml = planYaml(text, plan);
        const r = loadScenario(yaml, { file: scenario.file });
        if (!r.ok) throw new Error(r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
        expect(r.scenario.steps).toHaveLength(plan.steps.length);
        expect(r.scenario.pods.length).toBe(scenario.pods.length + plan.newPods.length);
      }),
      { numRuns: runs, seed: SEED },
    );
  });

  it('a witness step exists for every violation kind fuzz can produce', () => {
    const flow = { kind: 'pod-to-pod-nat' as const, message: '', witness: { from: 'pod/a', to: 'pod/b', src: '10.0.0.2' } };
    expect(witnessStep(flow)).toEqual({ name: 'verify-pod-to-pod-nat', ping: { from: 'pod/a', to: 'pod/b' }, expect: { outcome: 'reply', endedIn: 'pod/b', natFree: true, sourceSeen: '10.0.0.2' } });
    expect(witnessStep({ kind: 'ipam-leak', message: '', witness: {}, data: { path: '/nodes/n/var/lib/cni/networks/x/10.0.0.9' } })).toEqual({
      name: 'verify-ipam-leak',
      sh: { run: 'cat /nodes/n/var/lib/cni/networks/x/10.0.0.9' },
      expect: { exitCode: 1 },
    });
    expect(witnessStep({ kind: 'orphan-veth', message: '', witness: {}, data: { on: 'node/n', dev: 'veth1' } })).toMatchObject({ sh: { on: 'node/n', run: 'ip link show dev veth1' }, expect: { exitCode: 1 } });
    expect(witnessStep({ kind: 'orphan-route', message: '', witness: {}, data: { on: 'node/n', ip: '10.0.0.9' } })).toMatchObject({ sh: { on: 'node/n', run: 'ip route show 10.0.0.9' }, expect: { output: '' } });
    expect(witnessStep({ kind: 'mtu-mismatch', message: '', witness: {}, data: { from: 'pod/a', dst: '10.0.0.3', size: '1422', to: 'pod/b' } })).toMatchObject({ sh: { on: 'pod/a', run: 'ping -c 1 -W 1 -M do -s 1422 10.0.0.3' }, expect: { exitCode: 0 } });
    expect(witnessStep({ kind: 'duplicate-pod-ip', message: '', witness: {}, data: { a: 'pod/a', b: 'pod/b', ip: '10.0.0.2' } })).toMatchObject({ ping: { from: 'pod/a', to: 'pod/b' }, expect: { endedIn: 'pod/b' } });
  });
});
