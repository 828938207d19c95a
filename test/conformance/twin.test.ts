/**
 * The kernel conformance suite, twin side: every section of every script in
 * conformance/scripts must print what the real kernel printed (the golden).
 *
 * Sections listed in conformance/known-gaps.txt are the twin's documented
 * gaps: they run as `it.fails`, so the list can only shrink - a gap that starts
 * agreeing with the kernel fails the run until it is removed from the list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareScript } from '../../src/conformance/compare.js';

const root = join(import.meta.dirname, '..', '..', 'conformance');
const scripts = readdirSync(join(root, 'scripts'))
  .filter((f) => f.endsWith('.sh') && existsSync(join(root, 'golden', f.replace(/\.sh$/, '.out'))))
  .sort();

const gapsFile = join(root, 'known-gaps.txt');
const gaps = new Set(
  existsSync(gapsFile)
    ? readFileSync(gapsFile, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*$/, '').trim())
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]!)
    : [],
);

describe('kernel conformance (twin vs recorded kernel output)', () => {
  it('has scripts with goldens', () => {
    expect(scripts.length).toBeGreaterThan(0);
  });
  for (const file of scripts) {
    describe(file, () => {
      const script = readFileSync(join(root, 'scripts', file), 'utf8');
      const golden = readFileSync(join(root, 'golden', file.replace(/\.sh$/, '.out')), 'utf8');
      const result = compareScript(script, golden);
      for (const s of result.sections) {
        if (s.unstable) continue;
        const id = `${file}:${s.line}`;
        const test = gaps.has(id) ? it.fails : it;
        test(`${id} $ ${s.command}`, () => {
          expect(s.actual).toBe(s.expected);
        });
      }
    });
  }
});
