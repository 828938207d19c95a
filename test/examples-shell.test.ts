/**
 * The shell examples (examples/shell/*.sh) are lessons and kernel conformance
 * scripts at once: each must run in the twin without an unsupported line and
 * print, section by section, what the real kernel printed when
 * `npm run conformance:record -- --suite examples/shell` recorded it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareScript } from '../src/conformance/compare.js';
import { runScript } from '../src/shell/interp.js';

const dir = join(import.meta.dirname, '..', 'examples', 'shell');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.sh')).sort();

describe('examples/shell', () => {
  it('has examples', () => expect(scripts.length).toBeGreaterThan(0));
  for (const f of scripts) {
    const text = readFileSync(join(dir, f), 'utf8');
    it(`${f} opens with a picture of its topology and runs without unsupported lines`, () => {
      expect(text.split('\n').slice(0, 6).join('\n')).toMatch(/^#.*(\+-|=|--)/m);
      expect(runScript(text).unsupported).toEqual([]);
    });
    it(`${f} prints what the kernel printed`, () => {
      const r = compareScript(text, readFileSync(join(dir, 'golden', f.replace(/\.sh$/, '.out')), 'utf8'));
      const bad = r.sections.filter((s) => !s.ok).map((s) => `${s.line} $ ${s.command}\n--- kernel\n${s.expected}+++ twin\n${s.actual}`);
      expect(bad).toEqual([]);
      expect(r.compared).toBeGreaterThan(5);
    });
  }
});
