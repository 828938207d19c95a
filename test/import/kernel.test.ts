/**
 * The import proof (issue #10), twin side: for every topology recorded by
 * scripts/import-record.ts (conformance/import/NAME.*), the bundle the
 * collector wrote on the real kernel is imported, and
 *  - the import reports no `fidelity` difference: the twin lists every
 *    namespace (links, addresses, routes, neighbours, FDBs, iptables,
 *    sysctls) as the kernel did;
 *  - every probe (route get, ping, iptables counters afterwards) prints what
 *    the kernel printed (both normalised by normaliseProbe: a route
 *    exception's seconds left count down on the kernel after the collection;
 *    the fidelity check compares the twin's with the bundle's).
 * Known differences are listed in conformance/import/known-gaps.txt
 * (`NAME:LINE` for a probe, `NAME:fidelity` for the listing check); they run
 * as expected failures, so the list can only shrink.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGolden } from '../../src/conformance/normalise.js';
import { importBundles } from '../../src/import/build.js';
import { normaliseProbe } from '../../src/import/probes.js';
import { runScript } from '../../src/shell/interp.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'import');
const names = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.bundle'))
      .map((f) => f.replace(/\.bundle$/, ''))
      .sort()
  : [];
const gapsFile = join(dir, 'known-gaps.txt');
const gaps = new Set(
  existsSync(gapsFile)
    ? readFileSync(gapsFile, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*$/, '').trim())
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]!)
    : [],
);

describe('import of kernel bundles (collect -> import -> probe)', () => {
  it('has recorded topologies', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names) {
    describe(name, () => {
      const bundle = readFileSync(join(dir, `${name}.bundle`), 'utf8');
      const { world, report } = importBundles([{ text: bundle, origin: `${name}.bundle` }]);
      const fid = `${name}:fidelity`;
      (gaps.has(fid) ? it.fails : it)(`${fid}: the twin lists every namespace as the kernel did`, () => {
        expect(report.problems).toEqual([]);
        expect(report.assumptions.filter((a) => a.area === 'fidelity').map((a) => `${a.ns}${a.dev ? ` ${a.dev}` : ''}: ${a.text}`)).toEqual([]);
      });
      const probesPath = join(dir, `${name}.probes.sh`);
      const outPath = join(dir, `${name}.out`);
      if (!existsSync(probesPath) || !existsSync(outPath)) return;
      const golden = readFileSync(outPath, 'utf8');
      if (golden === '') return;
      const run = runScript(readFileSync(probesPath, 'utf8'), { world });
      const byLine = new Map(run.sections.map((s) => [s.line, s.output]));
      for (const g of parseGolden(golden)) {
        if (g.unstable) continue;
        const id = `${name}:${g.line}`;
        (gaps.has(id) ? it.fails : it)(`${id} $ ${g.command}`, () => {
          expect(normaliseProbe(byLine.get(g.line) ?? '')).toBe(g.output);
        });
      }
    });
  }
});
