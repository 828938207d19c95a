import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';

const root = join(import.meta.dirname, '..', '..');
const bundle = join(root, 'conformance', 'import', '106-two-bridges-router.bundle');

async function cli(args: string[], files: Record<string, string> = {}): Promise<{ code: number; out: string; err: string; written: Record<string, string> }> {
  let out = '';
  let err = '';
  const written: Record<string, string> = {};
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: (p) => {
      if (p === 0) return files['<stdin>'];
      if (p in written) return written[p];
      if (p in files) return files[p];
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
  return { code, out, err, written };
}

describe('podnet collect', () => {
  it('prints the collector script', async () => {
    const r = await cli(['collect']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(root, 'src', 'collect', 'podnet-collect.sh'), 'utf8'));
  });
});

describe('podnet import', () => {
  it('prints the report, writes a snapshot that podnet sh --world starts from', async () => {
    const r = await cli(['import', bundle, '-o', 'twin.json']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('node 106-two-bridges-router (');
    expect(r.out).toContain('  netns n106r -> twin netns n106r\n');
    expect(r.out).toContain('assumptions: 0 that may change what packets do');
    expect(r.out).toContain('twin snapshot written to twin.json (podnet sh --world twin.json)\n');
    const files = { 'twin.json': r.written['twin.json']!, 'p.sh': 'ip netns exec n106h1 ping -c 1 10.106.2.13\nip -n n106r route\n' };
    const sh = await cli(['sh', '--world', 'twin.json', 'p.sh'], files);
    expect(sh.code).toBe(0);
    expect(sh.out).toContain('64 bytes from 10.106.2.13: icmp_seq=1 ttl=63');
    expect(sh.out).toContain('10.106.1.0/24 dev eth0 proto kernel scope link src 10.106.1.1 \n');
  });

  it('--json prints the report as JSON; --strict exits 1 on a warn assumption', async () => {
    const j = await cli(['import', bundle, '--json']);
    expect(JSON.parse(j.out).nodes[0].namespaces).toHaveLength(7);
    const edited = readFileSync(bundle, 'utf8').replace('[{"priority":0,"src":"all","table":"local"}', '[{"priority":0,"src":"all","table":"local"},{"priority":5,"src":"all","table":"7"}');
    const s = await cli(['import', 'x.bundle', '--strict'], { 'x.bundle': edited });
    expect(s.code).toBe(1);
    expect(s.out).toContain('[warn] 106-two-bridges-router: initial namespace (rule): policy routing rule {"priority":5,"src":"all","table":"7"} is not modelled');
  });

  it('unreadable input exits 2', async () => {
    expect((await cli(['import', '/nonexistent.bundle'])).code).toBe(2);
    const r = await cli(['import', 'x'], { x: 'hello\n' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a podnet bundle');
    const w = await cli(['sh', '--world', 'x', 'x'], { x: '{}' });
    expect(w.code).toBe(2);
    expect(w.err).toBe('podnet: x: not a podnet twin snapshot (expected "podnet": "twin-snapshot")\n');
  });
});
