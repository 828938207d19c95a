/**
 * A JUnit XML report (the format CI systems read): one test suite per
 * scenario file, one test case per step, a failure per failed expectation,
 * an error for an invalid file.
 */
import { formatIssue, type Issue, type RunReport } from '../scenarios/index.js';

export interface JunitInput {
  readonly file: string;
  readonly issues: readonly Issue[];
  readonly report?: RunReport;
}

function esc(s: string): string {
  // XML 1.0 forbids most control characters even escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(results: readonly JunitInput[]): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  for (const r of results) {
    const cases: string[] = [];
    let f = 0;
    let e = 0;
    if (r.issues.length > 0) {
      e = 1;
      cases.push(`    <testcase classname="${esc(r.file)}" name="load">\n      <error message="invalid scenario">${esc(r.issues.map(formatIssue).join('\n'))}</error>\n    </testcase>`);
    } else if (r.report) {
      const name = r.report.scenario.name;
      for (const s of r.report.steps) {
        const bad = s.checks.filter((c) => !c.pass);
        const label = s.index === 0 ? 'build' : `step ${s.index}${s.name ? ` (${s.name})` : ''}: ${s.title}`;
        if (bad.length === 0) cases.push(`    <testcase classname="${esc(name)}" name="${esc(label)}"/>`);
        else {
          f++;
          const text = bad.map((c) => `${r.file}:${c.pos.line}:${c.pos.col}: ${c.what}: expected ${c.expected}, got ${c.actual}`).join('\n');
          cases.push(`    <testcase classname="${esc(name)}" name="${esc(label)}">\n      <failure message="${esc(bad[0]!.what)}">${esc(text)}</failure>\n    </testcase>`);
        }
      }
    }
    total += cases.length;
    failures += f;
    errors += e;
    suites.push(`  <testsuite name="${esc(r.file)}" tests="${cases.length}" failures="${f}" errors="${e}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="podnet" tests="${total}" failures="${failures}" errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`;
}
