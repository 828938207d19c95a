/**
 * `podnet import ... -o twin.yaml` writes a scenario (spec.import), and every
 * command that takes a scenario takes it: run, trace, verify, diff, diagram.
 * Files are written to memory only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';

const dir = join(import.meta.dirname, '..', '..', 'examples', 'import');
const written: Record<string, string> = {};

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: (p) => {
      if (typeof p === 'string' && p in written) return written[p];
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, t) => void (written[p] = t),
    color: false,
  };
  const code = await main(args, io, '0.0.0-test');
  return { code, out, err };
}

describe('podnet import -o twin.yaml, then the scenario commands', () => {
  const twin = join(dir, 'twin.yaml');
  const example = join(dir, 'bridge-node.yaml');

  it('import writes a scenario naming the bundle and the kube objects relative to it', async () => {
    const r = await cli(['import', join(dir, 'node1.bundle'), '--kube', join(dir, 'objects.yaml'), '-o', twin]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`scenario written to ${twin} (podnet run ${twin}; podnet verify ${twin})`);
    expect(written[twin]).toContain('  import:\n    bundles: [node1.bundle]\n    kube: objects.yaml\n');
    const run = await cli(['run', twin]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('PASS');
  });

  it('verify reports the kernel\'s NAT: none between pods, masquerade to the outside', async () => {
    const r = await cli(['verify', twin]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS .*twin\.yaml after the build: ok \(3 pods in 3 classes, 1 node, \d+ probes/);
    const p = await cli(['verify', '--egress', 'preserve', example]);
    expect(p.code).toBe(1);
    expect(p.out).toContain('egress-nat');
  });

  it('trace speaks in pod names', async () => {
    const r = await cli(['trace', example, '--from', 'pod/frontend', '--to', 'machine/outside', '--at', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# ping pod/frontend -> machine/outside (192.168.40.2), right after the build\n');
    expect(r.out).toContain('  (netns cni-5d3c0e8e-2b7a-4f4e-9a61-0b8f6c1d2e31 is pod/frontend)\n');
    expect(r.out).toMatch(/nat: after POSTROUTING: ICMP echo request .* 192\.168\.40\.1 -> 192\.168\.40\.2/);
  });

  it('diagram and diff take it', async () => {
    const d = await cli(['diagram', example, '--format', 'mermaid', '--trace', 'pod/db,pod/backend']);
    expect(d.code).toBe(0);
    expect(d.out).toContain('["hop 1: pod db"]');
    expect(d.out).toContain('["hop 3: pod backend"]');
    expect(d.out).toContain('["node node1"]');
    const x = await cli(['diff', twin, example]);
    expect(x.code).toBe(0);
    expect(x.out).toMatch(/\d+ flow classes compared, 0 changed/);
  });

  it('a missing bundle is invalid input (exit 2), reported where the scenario names it', async () => {
    written[join(dir, 'bad.yaml')] = 'apiVersion: podnet.dev/v1alpha1\nkind: Scenario\nmetadata: { name: bad }\nspec:\n  import: { bundles: [nope.bundle] }\n';
    const r = await cli(['run', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.yaml:5:23: spec.import.bundles[0]: cannot read the bundle "nope.bundle"');
  });
});
