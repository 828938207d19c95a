/**
 * docs/tutorial.md shows commands with their real output: run every
 * `$ npx podnet ...` line of its console blocks and compare (a line "..."
 * stands for any number of lines left out).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';

interface Shown {
  readonly command: string;
  readonly expected: readonly string[];
}

function shownCommands(md: string): Shown[] {
  const out: Shown[] = [];
  const lines = md.split('\n');
  let inBlock = false;
  let cur: { command: string; expected: string[] } | undefined;
  for (const l of lines) {
    if (l === '```console') inBlock = true;
    else if (inBlock && l === '```') {
      inBlock = false;
      if (cur) out.push(cur);
      cur = undefined;
    } else if (inBlock && l.startsWith('$ ')) {
      if (cur) out.push(cur);
      cur = { command: l.slice(2), expected: [] };
    } else if (inBlock && cur) cur.expected.push(l);
  }
  return out;
}

function words(s: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** Do the actual lines match the expected ones, "..." matching any run of lines? */
function matches(exp: readonly string[], act: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === exp.length) r = j === act.length;
    else if (exp[i] === '...') r = go(i + 1, j) || (j < act.length && go(i, j + 1));
    else r = j < act.length && exp[i] === act[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

async function run(command: string): Promise<string> {
  const w = words(command);
  expect(w.slice(0, 2)).toEqual(['npx', 'podnet']);
  let buf = '';
  await main(
    w.slice(2),
    {
      out: (t) => {
        buf += t;
      },
      err: (t) => {
        buf += t;
      },
      readFile: (p) => {
        try {
          return readFileSync(p as string, 'utf8');
        } catch {
          return undefined;
        }
      },
      writeFile: () => undefined,
      color: false,
    },
    '0.1.0',
  );
  return buf;
}

describe('docs/tutorial.md', () => {
  const shown = shownCommands(readFileSync('docs/tutorial.md', 'utf8'));
  it('shows commands', () => {
    expect(shown.length).toBeGreaterThan(15);
  });
  for (const s of shown) {
    it(s.command, async () => {
      const actual = (await run(s.command)).replace(/\n$/, '').split('\n');
      if (!matches(s.expected, actual)) expect(actual.join('\n')).toBe(s.expected.join('\n'));
    });
  }
});
