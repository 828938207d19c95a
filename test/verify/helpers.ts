import { readFileSync } from 'node:fs';
import { loadScenario, type Scenario } from '../../src/scenarios/index.js';
import { scenarioStates } from '../../src/verify/scenario.js';
import { verify } from '../../src/verify/verify.js';
import type { VerifyReport, VerifyTarget } from '../../src/verify/types.js';

export const ROOT = new URL('../../', import.meta.url);

export function load(file: string): { scenario: Scenario; text: string } {
  const text = readFileSync(new URL(file, ROOT), 'utf8');
  const r = loadScenario(text, { file });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
  return { scenario: r.scenario, text };
}

/** The target after step `until` (default: the last). */
export function targetOf(file: string, until?: number): VerifyTarget {
  let t: VerifyTarget | undefined;
  const r = scenarioStates(load(file).scenario, (st) => {
    t = st.target;
  }, until !== undefined ? { until } : {});
  if (r.invalid.length) throw new Error(r.invalid.join('\n'));
  return t!;
}

export function verifyFile(file: string, until?: number): VerifyReport {
  return verify(targetOf(file, until));
}

export function kinds(r: VerifyReport): string[] {
  return [...new Set(r.violations.map((v) => v.kind))].sort();
}
