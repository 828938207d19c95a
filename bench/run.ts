/**
 * `npm run bench [-- --size small|full]`: prints each figure with its target and
 * writes bench/results.json. Never asserts times (benchmarks are not tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../src/shell/interp.js';
import { chainScript } from './shell-script.js';

interface Figure {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target: string;
  readonly met: boolean | null;
  readonly note?: string;
}

const size = process.argv.includes('--size') ? process.argv[process.argv.indexOf('--size') + 1] : 'full';
const figures: Figure[] = [];

function timeIt(fn: () => void, reps: number): number {
  fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
}

// --- the twin shell versus the real kernel on the same 200-line script ---
const script = chainScript(200);
const lineCount = script.trimEnd().split('\n').length;
const twinMs = timeIt(() => runScript(script), size === 'small' ? 3 : 10);
figures.push({ name: 'shell_twin_ms', value: round(twinMs), unit: 'ms', target: '-', met: null, note: `${lineCount}-line script` });

let kernelMs: number | null = null;
const canKernel = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'true']).status === 0;
if (canKernel) {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-bench-'));
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  const t0 = process.hrtime.bigint();
  spawnSync(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', 'bash', '-c',
      `mkdir -p /run/netns; mount -t tmpfs tmpfs /run/netns; ip link set lo up; exec >/dev/null 2>&1; source ${file}`],
    { stdio: 'ignore' },
  );
  kernelMs = Number(process.hrtime.bigint() - t0) / 1e6;
  rmSync(dir, { recursive: true, force: true });
}
figures.push({ name: 'shell_kernel_ms', value: kernelMs === null ? null : round(kernelMs), unit: 'ms', target: '-', met: null, note: canKernel ? 'real kernel, unshare sandbox' : 'skipped: needs root and unshare' });
const ratio = kernelMs === null ? null : kernelMs / twinMs;
figures.push({ name: 'shell_vs_kernel_ratio', value: ratio === null ? null : round(ratio), unit: 'x', target: '>= 100', met: ratio === null ? null : ratio >= 100 });

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`podnet bench (size ${size}, node ${process.version})`);
console.log(`${pad('figure', 24)}${pad('value', 14)}${pad('target', 10)}met`);
for (const f of figures) {
  const v = f.value === null ? 'n/a' : `${f.value} ${f.unit}`;
  console.log(`${pad(f.name, 24)}${pad(v, 14)}${pad(f.target, 10)}${f.met === null ? '-' : f.met ? 'met' : 'MISSED'}${f.note ? `  (${f.note})` : ''}`);
}
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ size, node: process.version, figures }, null, 2) + '\n');
