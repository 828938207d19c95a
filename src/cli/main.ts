/**
 * The podnet CLI: the only layer that touches the filesystem, the process and
 * the console.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runScript } from '../shell/interp.js';
import { formatTrace } from '../sim/format-trace.js';

const program = new Command();
program
  .name('podnet')
  .description('A digital twin of Kubernetes pod networking, checked against the real Linux kernel.')
  .version(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string);

program
  .command('sh')
  .description('Run a script of Linux commands (ip, bridge, sysctl, iptables, ping, traceroute, nc) against a fresh twin machine and print what the real tools print.')
  .argument('[file]', 'script file (default: standard input)')
  .option('--trace', "also print each probe's hop-by-hop trace")
  .option('--seed <n>', 'seed for MACs and random names', '1')
  .addHelpText(
    'after',
    `
Examples:
  $ podnet sh examples/shell/two-namespaces.sh
  $ echo 'ip -j route show' | podnet sh
  $ podnet sh --trace examples/shell/router.sh`,
  )
  .action((file: string | undefined, opts: { trace?: boolean; seed: string }) => {
    const text = readFileSync(file ?? 0, 'utf8');
    const res = runScript(text, { seed: Number(opts.seed) });
    if (!opts.trace) process.stdout.write(res.output);
    else {
      const byLine = new Map<number, string[]>();
      for (const t of res.traces) {
        const list = byLine.get(t.line) ?? [];
        list.push(formatTrace(t.trace));
        byLine.set(t.line, list);
      }
      for (const s of res.sections) {
        process.stdout.write(s.output);
        for (const t of byLine.get(s.line) ?? []) process.stdout.write(t);
      }
    }
    process.exitCode = res.exitCode;
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
