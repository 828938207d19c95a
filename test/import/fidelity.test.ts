/**
 * The fidelity check (src/import/fidelity.ts) notices when the twin does not
 * show what the bundle listed. Here: the route exceptions of
 * `ip route show cache` (a learnt path MTU in 30-pmtu, a redirect in
 * 126-one-armed-router), which the import proof's probes compare with their
 * seconds normalised away.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/model/world.js';
import { parseBundle } from '../../src/import/bundle.js';
import { importBundles } from '../../src/import/build.js';
import { checkFidelity } from '../../src/import/fidelity.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'import');

function load(name: string, ns: string): { world: World; check: (w: World) => string[] } {
  const text = readFileSync(join(dir, `${name}.bundle`), 'utf8');
  const { world } = importBundles([{ text, origin: `${name}.bundle` }]);
  const b = parseBundle(text).netns.find((n) => n.name === ns)!;
  return { world, check: (w) => checkFidelity(w, ns, b, new Set()).map((n) => n.text) };
}

describe('fidelity of route exceptions', () => {
  it('a learnt path MTU: the seconds left and the mtu as the node listed them', () => {
    const { world, check } = load('30-pmtu', 'n30c');
    expect(check(world)).toEqual([]);
    const later = produce(world, (d) => {
      d.ns['n30c']!.pmtu = d.ns['n30c']!.pmtu!.map((e) => ({ ...e, expiresMs: e.expiresMs - 10_000 }));
    });
    expect(check(later)).toEqual(['route exception for 10.30.2.2: ip route get shows expires: node 594, twin 584']);
    const gone = produce(world, (d) => {
      delete d.ns['n30c']!.pmtu;
    });
    expect(check(gone)).toEqual(['route exception for 10.30.2.2: ip route get shows expires: node 594, twin (none); metrics: node [{"mtu":1400}], twin (none)']);
  });
  it('a redirect: the new gateway and the flag', () => {
    const { world, check } = load('126-one-armed-router', 'n126h2');
    expect(check(world)).toEqual([]);
    const gone = produce(world, (d) => {
      delete d.ns['n126h2']!.redirects;
    });
    expect(check(gone)).toEqual(['route exception for 10.126.1.2: ip route get shows gateway: node "10.126.1.2", twin "10.126.2.1"; cache[0]: node "redirected", twin (none); expires: node 296, twin (none)']);
  });
});
