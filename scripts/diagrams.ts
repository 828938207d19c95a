/**
 * `npm run diagrams [-- --check]`: draw every example (the world after the
 * step of its first probe, with that probe's path numbered over it) into
 * docs/diagrams/NAME.svg, and write examples/README.md, the gallery that
 * embeds them. --check writes nothing and fails when a file is out of date
 * (test/diagram/docs.test.ts runs the same comparison).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exampleGallery } from '../src/diagram/gallery.js';

const root = join(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const outDir = join(root, 'docs', 'diagrams');
if (!check) mkdirSync(outDir, { recursive: true });
const files = [
  ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).sort(),
  ...readdirSync(join(root, 'examples', 'shell')).filter((f) => f.endsWith('.sh')).sort().map((f) => `shell/${f}`),
];
const { svgs, readme } = await exampleGallery(
  files.map((f) => ({ file: f, text: readFileSync(join(root, 'examples', f), 'utf8') })),
  (p) => {
    try {
      return readFileSync(join(root, 'examples', p), 'utf8');
    } catch {
      return undefined;
    }
  },
);
let stale = 0;
const put = (path: string, text: string): void => {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === text) return;
  stale++;
  if (check) console.log(`out of date: ${path}`);
  else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
};
for (const [name, svg] of Object.entries(svgs)) put(join(outDir, `${name}.svg`), svg);
put(join(root, 'examples', 'README.md'), readme);
if (check && stale) {
  console.log('run `npm run diagrams` to regenerate');
  process.exitCode = 1;
}
