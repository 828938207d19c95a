/**
 * The committed cluster conformance scripts (conformance/scripts/35x-*.sh) are
 * exactly what src/cluster/conformance.ts builds from the designs, so a design
 * change cannot silently drift from what the kernel recorded.
 * PODNET_UPDATE=1 rewrites them (then re-record the goldens on the kernel).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CASES, renderConformance } from '../../src/cluster/conformance.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'scripts');

describe('cluster conformance scripts', () => {
  for (const k of CONFORMANCE_CASES) {
    it(`${k.file}.sh is what the design builds`, () => {
      const path = join(dir, `${k.file}.sh`);
      const text = renderConformance(k);
      if (process.env['PODNET_UPDATE'] === '1') writeFileSync(path, text);
      expect(existsSync(path)).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }
});
