/**
 * The podnet CLI entry point: the only layer that touches the filesystem, the
 * process and the console. The commands live in src/cli/app.ts.
 */
import { readFileSync } from 'node:fs';
import { main } from './app.js';
import { processIo } from './io.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// `podnet explain ... | head`: a closed pipe ends the output quietly, like other tools.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2), processIo(), version).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
