/**
 * The committed Services/NetworkPolicy conformance scripts
 * (conformance/scripts/403-405) are exactly what src/k8s/conformance.ts builds,
 * so kube-proxy and the policy agent cannot silently drift from what the
 * kernel recorded. PODNET_UPDATE=1 rewrites them (then re-record the goldens:
 * `npm run conformance:record -- 403-k8s-services ...`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { K8S_CONFORMANCE_CASES, renderK8sConformance } from '../../src/k8s/conformance.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'scripts');

describe('Services and NetworkPolicy conformance scripts', () => {
  for (const k of K8S_CONFORMANCE_CASES) {
    it(`${k.file}.sh is what the agents build`, () => {
      const path = join(dir, `${k.file}.sh`);
      const text = renderK8sConformance(k);
      if (process.env['PODNET_UPDATE'] === '1') writeFileSync(path, text);
      expect(existsSync(path)).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }
});
