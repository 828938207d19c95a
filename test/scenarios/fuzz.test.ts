/**
 * Fuzzing the loader: >= 10,000 generated documents (mangled examples, valid
 * data with random changes, arbitrary YAML values, random token soup). The
 * loader must never throw, and every document is either valid or comes back
 * with issues that each carry a position inside the text and a message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadScenario } from '../../src/scenarios/index.js';

const EXAMPLES = readdirSync(new URL('../../examples/', import.meta.url))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8'));

function checkLoad(text: string): void {
  const r = loadScenario(text, { file: 'fuzz.yaml', readFile: () => undefined });
  if (r.ok) return;
  expect(r.issues.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const i of r.issues) {
    expect(i.message.length).toBeGreaterThan(0);
    expect(i.message).not.toMatch(/internal error/);
    expect(i.pos.line).toBeGreaterThanOrEqual(1);
    expect(i.pos.line).toBeLessThanOrEqual(lines + 1);
    expect(i.pos.col).toBeGreaterThanOrEqual(1);
  }
}

const TOKENS = ['apiVersion:', 'kind:', 'spec:', 'steps:', 'pods:', 'nodes:', '- ', '  ', '{', '}', '[', ']', ',', ':', '&a', '*a', '!!str', '"', "'", '|', '>', '#', '\n', 'ping', 'pod/x', 'node/y', '10.0.0.1/24', 'null', '~', '0x1F', '1e3', 'true', '? ', '---', '...', '%YAML 1.2', '\t', 'é', '\u0000'];

const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.constantFrom('pod/frontend', 'node/node-a', 'machine/x', 'network/lan', '10.0.0.1', 'localhost', '*', 'delivered', 'TCP'));

/** Replace, delete or add something at a random place of a data tree. */
function mutate(data: unknown, path: readonly number[], value: unknown, op: number): unknown {
  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node !== 'object') return depth === path.length || op === 0 ? value : node;
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    if (entries.length === 0 || depth >= path.length) {
      if (op === 1 && !Array.isArray(node)) return { ...(node as object), [typeof value === 'string' && value !== '' ? value.slice(0, 12) : 'k' + path.length]: value };
      return op === 2 ? value : node;
    }
    const idx = path[depth]! % entries.length;
    if (op === 3 && depth === path.length - 1) {
      const kept = entries.filter((_, i) => i !== idx);
      return Array.isArray(node) ? kept.map(([, v]) => v) : Object.fromEntries(kept);
    }
    const next = entries.map(([k, v], i) => [k, i === idx ? walk(v, depth + 1) : v] as const);
    return Array.isArray(node) ? next.map(([, v]) => v) : Object.fromEntries(next);
  };
  return walk(data, 0);
}

describe('loader fuzzing (no crash on >= 10,000 documents)', () => {
  it('mangled example texts (3,000)', () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLES.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }), (ex, edits) => {
        let t = EXAMPLES[ex]!;
        for (const [pos, op, tok] of edits) {
          const p = pos % (t.length + 1);
          if (op === 0) t = t.slice(0, p) + t.slice(p + 1);
          else if (op === 1) t = t.slice(0, p) + tok + t.slice(p);
          else if (op === 2) {
            const lines = t.split('\n');
            const i = p % lines.length;
            lines.splice(i, 0, lines[(i * 7 + 3) % lines.length]!);
            t = lines.join('\n');
          } else if (op === 3) {
            const lines = t.split('\n');
            const i = p % lines.length;
            lines[i] = ' ' + lines[i];
            t = lines.join('\n');
          } else t = t.slice(0, p);
        }
        checkLoad(t);
      }),
      { numRuns: 3000, seed: 42 },
    );
  }, 300_000);
  it('valid example data with a random change, re-serialised (4,000)', () => {
    const parsed = EXAMPLES.map((t) => (loadScenario(t).ok ? (JSON.parse(JSON.stringify(parse(t))) as unknown) : undefined)).filter((x) => x !== undefined);
    fc.assert(
      fc.property(fc.nat(parsed.length - 1), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), leaf, { maxKeys: 3 })), fc.nat(3), (ex, path, value, op) => {
        checkLoad(stringify(mutate(parsed[ex], path, value, op)));
      }),
      { numRuns: 4000, seed: 7 },
    );
  }, 300_000);
  it('arbitrary YAML values (2,000)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        checkLoad(stringify(v));
        checkLoad(stringify({ apiVersion: 'podnet.dev/v1alpha1', kind: 'Scenario', metadata: { name: 'x' }, spec: v }));
      }),
      { numRuns: 1000, seed: 3 },
    );
  }, 120_000);
  it('token soup (1,000)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (toks) => {
        checkLoad(toks.join(''));
      }),
      { numRuns: 1000, seed: 11 },
    );
  });
});
