/**
 * The CLI's window on the outside world, passed in so commands can be tested
 * without spawning a process: output streams, files, whether stdout is a
 * terminal (colour only then).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** A file's text, or undefined if it cannot be read. Path 0 = standard input. */
  readonly readFile: (path: string | 0) => string | undefined;
  readonly writeFile: (path: string, text: string) => void;
  /** Colour escapes on stdout (a TTY and no NO_COLOR). */
  readonly color: boolean;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, t) => writeFileSync(p, t),
    color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb',
  };
}

/** Minimal ANSI styling, disabled when colour is off. */
export function styler(on: boolean): { green: (s: string) => string; red: (s: string) => string; dim: (s: string) => string; bold: (s: string) => string; yellow: (s: string) => string } {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22), yellow: wrap(33, 39) };
}
