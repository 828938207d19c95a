/**
 * The plugins' view of the twin's filesystem (`world.files`, path -> content).
 * Directories are implicit: a directory exists while a file lives under it.
 */
import type { World } from '../model/world.js';

/** Go's filepath.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = out.join('/');
  return rooted ? '/' + s : s === '' ? '.' : s;
}

/** Go's filepath.Join. */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

/** Files under `dir` (recursively), in the lexical order filepath.Walk visits a flat directory. */
export function walkFiles(world: World, dir: string): string[] {
  const pfx = dir === '/' ? '/' : dir + '/';
  return Object.keys(world.files)
    .filter((k) => k.startsWith(pfx))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function withFile(world: World, path: string, content: string): World {
  return { ...world, files: Object.assign(Object.create(null) as Record<string, string>, world.files, { [path]: content }) };
}

export function withoutFile(world: World, path: string): World {
  const files = Object.assign(Object.create(null) as Record<string, string>, world.files);
  delete files[path];
  return { ...world, files };
}

/** Go's strings.TrimSpace (ASCII and Unicode white space). */
export function goTrimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
}
