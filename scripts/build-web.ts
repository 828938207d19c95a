/**
 * `npm run build:web`: build the page (src/web) into dist/web with Vite and
 * fail if any module of ours in the bundle uses a Node-only module or global
 * (the core must run in a browser). `podnet serve` builds the same way on
 * demand; test/web/browser.test.ts checks the same in CI.
 */
import { buildWeb, DEFAULT_OUT_DIR, nodeOnlyUses } from '../src/web/build.js';

const out = process.argv[2] ?? DEFAULT_OUT_DIR;
const b = await buildWeb(out);
const problems = [...b.externalised, ...(await nodeOnlyUses(b.ownModules))];
if (problems.length) {
  console.error(`Node-only code in the browser bundle:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log(`built ${out}: ${b.ownModules.length} modules of ours, none Node-only`);
}
