/**
 * Twin-versus-kernel comparison of one conformance script: run the script in
 * the twin, normalise each section exactly as the kernel recording was, and
 * pair it with the golden section of the same line.
 */
import { runScript } from '../shell/interp.js';
import { normalise, parseGolden } from './normalise.js';

export interface SectionResult {
  readonly line: number;
  readonly command: string;
  readonly expected: string;
  readonly actual: string;
  readonly unstable: boolean;
  readonly ok: boolean;
}

export interface ScriptResult {
  readonly sections: readonly SectionResult[];
  /** Sections compared (unstable ones excluded) and how many agreed. */
  readonly compared: number;
  readonly agreed: number;
}

export function compareScript(script: string, golden: string): ScriptResult {
  const run = runScript(script);
  const twinByLine = new Map(run.sections.map((s) => [s.line, s.output]));
  const sections: SectionResult[] = parseGolden(golden).map((g) => {
    const actual = normalise(twinByLine.get(g.line) ?? '');
    return {
      line: g.line,
      command: g.command,
      expected: g.output,
      actual,
      unstable: g.unstable,
      ok: g.unstable || actual === g.output,
    };
  });
  const compared = sections.filter((s) => !s.unstable);
  return { sections, compared: compared.length, agreed: compared.filter((s) => s.ok).length };
}
