/**
 * The examples' pages embed their generated diagrams: examples/README.md
 * shows docs/diagrams/NAME.svg for every example, and both are what
 * `npm run diagrams` generates from the examples as they are now.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleGallery } from '../../src/diagram/gallery.js';

const ROOT = new URL('../../', import.meta.url);
const read = (p: string): string | undefined => (existsSync(new URL(p, ROOT)) ? readFileSync(new URL(p, ROOT), 'utf8') : undefined);
const FILES = [
  ...readdirSync(new URL('examples/', ROOT)).filter((f) => f.endsWith('.yaml')).sort(),
  ...readdirSync(new URL('examples/shell/', ROOT)).filter((f) => f.endsWith('.sh')).sort().map((f) => `shell/${f}`),
];

describe('example diagrams', () => {
  it('are generated, embedded and up to date (else run `npm run diagrams`)', async () => {
    const g = await exampleGallery(
      FILES.map((file) => ({ file, text: read(`examples/${file}`)! })),
      (p) => read(`examples/${p}`),
    );
    const readme = read('examples/README.md');
    expect(readme, 'examples/README.md is what `npm run diagrams` writes').toBe(g.readme);
    for (const e of g.entries) {
      expect(readme).toContain(`![${e.name}](../docs/diagrams/${e.name}.svg)`);
      expect(read(`docs/diagrams/${e.name}.svg`), `docs/diagrams/${e.name}.svg is up to date`).toBe(g.svgs[e.name]);
    }
    // The tutorial shows the picture of each stop it walks through.
    const tutorial = read('docs/tutorial.md')!;
    for (const name of ['01-docker-bridge', '05-graphic4-switch', '07-public-network-overlay']) expect(tutorial).toContain(`](diagrams/${name}.svg)`);
  });
});
