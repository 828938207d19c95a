import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBundle, parseBundle, sectionJson } from '../../src/import/bundle.js';

const collector = join(import.meta.dirname, '..', '..', 'src', 'collect', 'podnet-collect.sh');

describe('bundle format', () => {
  it('keeps bodies byte for byte, with or without a final newline, and stderr apart', () => {
    const text = [
      '@@podnet bundle 1',
      '@@podnet node n1',
      '@@podnet cmd uname -r',
      '6.18.44',
      '',
      '@@podnet status 0',
      '@@podnet netns /',
      '@@podnet cmd ip -j -d link show',
      '[]',
      '',
      '@@podnet status 0',
      '@@podnet cmd iptables-save -c',
      '',
      '@@podnet status 1',
      '@@podnet stderr iptables-save: permission denied',
      '@@podnet file /etc/cni/net.d/10-a.conf',
      '{"a":1}',
      '@@podnet status 0',
      '@@podnet end',
      '',
    ].join('\n');
    const b = parseBundle(text);
    expect(b.problems).toEqual([]);
    expect(b.node).toBe('n1');
    expect(b.meta['uname -r']!.body).toBe('6.18.44\n');
    expect(b.netns[0]!.cmds['ip -j -d link show']!.body).toBe('[]\n');
    expect(b.netns[0]!.cmds['iptables-save -c']).toMatchObject({ body: '', status: 1, stderr: 'iptables-save: permission denied\n' });
    expect(b.files['/etc/cni/net.d/10-a.conf']!.body).toBe('{"a":1}');
    expect(sectionJson(b.netns[0], 'ip -j -d link show')).toEqual([]);
    expect(formatBundle(b)).toBe(text);
  });

  it('says when a bundle was cut short or is not a bundle', () => {
    expect(parseBundle('@@podnet bundle 1\n@@podnet netns /\n@@podnet cmd ip -j -d link show\n[{"ifindex":1').problems).toEqual([
      'line 3: section "ip -j -d link show" has no status line (bundle cut short?)',
      'the bundle has no "@@podnet end" line: the collector did not finish',
    ]);
    expect(parseBundle('hello\n').problems[0]).toBe('line 1: not a podnet bundle (expected "@@podnet bundle N")');
  });

  it('the recorded kernel bundles parse without problems and round-trip', () => {
    const t = readFileSync(join(import.meta.dirname, '..', '..', 'conformance', 'import', '106-two-bridges-router.bundle'), 'utf8');
    const b = parseBundle(t);
    expect(b.problems).toEqual([]);
    expect(b.netns.map((n) => n.name)).toEqual(['/', 'n106h3', 'n106h2', 'n106h1', 'n106r', 'n106sb', 'n106sa']);
    expect(formatBundle(b)).toBe(t);
  });
});

describe('the collector script', () => {
  it('is POSIX sh (dash parses it) and documents its options', () => {
    execFileSync('dash', ['-n', collector]);
    const text = readFileSync(collector, 'utf8');
    for (const o of ['--no-netns', '--netns NAME', '--cni-conf-dir DIR', '--cni-state-dir DIR', '--name NAME']) expect(text).toContain(o);
    // No bashisms: arrays, [[ ]], `local`, `function`, $'...' strings, `source`.
    expect(text).not.toMatch(/\[\[|^\s*local\s|^\s*function\s|\$'|^\s*source\s|\w+=\(/m);
  });

  it('only lists and reads: no command that changes the node', () => {
    const code = readFileSync(collector, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    expect(code).not.toMatch(/\b(ip(\s+\$n)?\s+(-\S+\s+)*(link|addr|route|neigh|rule)\s+(add|del|set|change|replace|flush))|iptables\s+-[AIDFXPNZ]|sysctl\s+-w|\brm\s|\bmkdir\s|\btouch\s|>\s*\/(?!dev\/null)/);
  });
});
