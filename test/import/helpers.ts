/**
 * Shared by the tests of imported twins as scenarios (scenario.test.ts,
 * two-node.test.ts): the kernel-recorded fixtures in examples/import.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadScenario, type RunReport, type Scenario } from '../../src/scenarios/index.js';

export const IMPORT_DIR = join(import.meta.dirname, '..', '..', 'examples', 'import');

/** A fixture of examples/import. */
export const readFixture = (f: string): string => readFileSync(join(IMPORT_DIR, f), 'utf8');

/** A reader for the scenario loader: files relative to `dir`, undefined when missing. */
export const readIn =
  (dir: string) =>
  (p: string): string | undefined => {
    try {
      return readFileSync(resolve(dir, p), 'utf8');
    } catch {
      return undefined;
    }
  };

/** Load a scenario as if it were the file `file` (its bundles resolved next to it); throws on issues. */
export function loadIn(text: string, file: string): Scenario {
  const r = loadScenario(text, { file, readFile: readIn(dirname(file)) });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
  return r.scenario;
}

/** A run's invalid steps and failed checks, one line each. */
export function failed(r: RunReport): string[] {
  return [...r.invalid.map((i) => i.message), ...r.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `step ${s.index} ${c.what}: expected ${c.expected}, got ${c.actual}`))];
}

/** A kernel recording (kernel.txt, two-node-kernel.txt): `$ command` lines, each followed by what it printed. */
export function kernelSections(text: string): { cmd: string; out: string }[] {
  const out: { cmd: string; out: string }[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) out.push({ cmd: line.slice(2), out: '' });
    else if (out.length) out[out.length - 1]!.out += line + '\n';
  }
  return out.map((s) => ({ cmd: s.cmd, out: s.out.replace(/\n$/, '') }));
}
