/**
 * `podnet verify`, `podnet fuzz`, `podnet diff` through main(): output,
 * exit codes (0 holds / 1 violated / 2 invalid), --json, --junit, --each-step.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { loadScenario, runScenario } from '../../src/scenarios/index.js';

interface Run {
  code: number;
  out: string;
  err: string;
  files: Record<string, string>;
}

async function cli(args: string[], files: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const written: Record<string, string> = {};
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readFile: (p) => {
      if (p === 0) return undefined;
      if (p in files) return files[p];
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, t) => {
      written[p] = t;
    },
    color: false,
  };
  const code = await main(args, io, '9.9.9');
  return { code, out, err, files: written };
}

describe('podnet verify', () => {
  it('exits 0 on a design that keeps the contract', async () => {
    const r = await cli(['verify', 'examples/05-graphic4-switch.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS examples\/05-graphic4-switch\.yaml after step 4 \(sh on node\/node-a: ip route\): ok \(2 pods in 2 classes, 2 nodes, \d+ probes, \d+ ms\)\n$/);
  });

  it('exits 1 and prints the violation with its witness', async () => {
    const r = await cli(['verify', 'examples/verify/bad-router-without-pod-routes.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL examples/verify/bad-router-without-pod-routes.yaml after step 1');
    expect(r.out).toContain('  pod-to-pod-unreachable: pod/frontend -> pod/backend (10.244.2.2): no_route in machine/router\n');
    expect(r.out).toContain('    decided by: machine/router: route lookup for 10.244.2.2: no route to 10.244.2.2\n');
    expect(r.out).toMatch(/\n {8}machine\/router \(in eth0\)\n/);
  });

  it('--each-step verifies after the build and every step; --at one state', async () => {
    const r = await cli(['verify', '--each-step', '--no-traces', 'examples/verify/bad-host-local-leak.yaml']);
    expect(r.code).toBe(1);
    const heads = r.out.split('\n').filter((l) => /^(PASS|FAIL) /.test(l)).map((l) => l.replace(/ \(\d+ pods?\b.*$/, ''));
    expect(heads).toEqual([
      'PASS examples/verify/bad-host-local-leak.yaml after the build: ok',
      'PASS examples/verify/bad-host-local-leak.yaml after step 1 (sh: cat /nodes/node-a/var/lib/cni/networks/podnet/10.244.1.2): ok',
      'FAIL examples/verify/bad-host-local-leak.yaml after step 2 (node reboot node/node-a): 1 violation: 1 ipam-leak',
      'FAIL examples/verify/bad-host-local-leak.yaml after step 3 (ping node/node-a -> pod/web): 1 violation: 1 ipam-leak',
      'FAIL examples/verify/bad-host-local-leak.yaml after step 4 (sh: cat /nodes/node-a/var/lib/cni/networks/podnet/10.244.1.2): 1 violation: 1 ipam-leak',
    ]);
    const at = await cli(['verify', '--at', 'reserved', 'examples/verify/bad-host-local-leak.yaml']);
    expect(at.code).toBe(0);
    expect(at.out).toContain('after step 1 (sh: cat');
  });

  it('--json and --junit for CI', async () => {
    const r = await cli(['verify', '--json', '--junit', 'out.xml', 'examples/verify/bad-ipmasq.yaml', 'examples/05-graphic4-switch.yaml']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { file: string; states: { ok: boolean; violations: { kind: string; witness: { decidedBy?: { entry: string } } }[] }[] }[];
    expect(j.map((f) => f.states.map((s) => s.ok))).toEqual([[false], [true]]);
    const nat = j[0]!.states[0]!.violations.find((v) => v.kind === 'pod-to-pod-nat')!;
    expect(nat.witness.decidedBy!.entry).toMatch(/-j MASQUERADE$/);
    const xml = r.files['out.xml']!;
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="podnet verify">\n/);
    expect(xml).toContain('<testsuite name="examples/verify/bad-ipmasq.yaml" tests="1" failures="1" errors="0">');
    expect(xml).toContain('<testsuite name="examples/05-graphic4-switch.yaml" tests="1" failures="0" errors="0">');
    expect(xml).toMatch(/<failure message="\d+ violations?: [^"]*pod-to-pod-nat/);
  });

  it('exits 2 on an invalid file or option', async () => {
    expect((await cli(['verify', 'nope.yaml'])).code).toBe(2);
    const bad = await cli(['verify', '--only', 'bogus', 'examples/05-graphic4-switch.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--only: unknown check bogus');
  });

  it('--only restricts the checks', async () => {
    const r = await cli(['verify', '--only', 'ipam-leak,duplicate-pod-ip', 'examples/verify/bad-ipmasq.yaml']);
    expect(r.code).toBe(0);
  });
});

describe('podnet diff', () => {
  it('lists the changed flows with both verdicts; exit 1 when something changed, 0 when not', async () => {
    const r = await cli(['diff', '--no-traces', 'examples/verify/diff-host-gw.yaml', 'examples/verify/diff-vxlan.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('24 flow classes compared, 12 changed\n');
    expect(r.out).toContain('\npod-to-node pod/c1 -> node/node-a (1 source pod)\n  - reply lost: null_routed in machine/internet   (10.244.3.2 -> 198.51.100.10)\n  + ok   (10.244.3.2 -> 198.51.100.10)\n');
    const same = await cli(['diff', 'examples/05-graphic4-switch.yaml', 'examples/05-graphic4-switch.yaml']);
    expect(same.code).toBe(0);
    expect(same.out).toContain(' 0 changed\n');
  });
});

describe('podnet fuzz', () => {
  it('finds the planted bug, prints the seed and the shrunk churn, writes a reproducer podnet run fails on', async () => {
    const r = await cli(['fuzz', 'examples/verify/fuzz-leaky-plugin.yaml', '--seed', '3', '-o', 'repro.yaml', '--junit', 'fuzz.xml']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^podnet fuzz examples\/verify\/fuzz-leaky-plugin\.yaml --runs 50 --seed 3\nFAIL in run \d+ \(of up to 50\): 1 violation: 1 orphan-chain\nshrunk to 1 step/);
    expect(r.out).toContain('reproducer written to repro.yaml (checked: podnet run repro.yaml fails on its last step)');
    const repro = r.files['repro.yaml']!;
    const loaded = loadScenario(repro, { file: 'repro.yaml' });
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(runScenario(loaded.scenario).passed).toBe(false);
    const run = await cli(['run', 'repro.yaml'], { 'repro.yaml': repro });
    expect(run.code).toBe(1);
    expect(r.files['fuzz.xml']).toContain('<failure message="1 violation: 1 orphan-chain">seed 3');
  });
});
