/**
 * Reading a device's promiscuity back (src/import/netns.ts): the count a
 * bridge port holds is explained by its master; a count held by a master the
 * twin does not model (bond, team, VRF) is kept as uc_promisc.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBundles } from '../../src/import/build.js';
import type { Link } from '../../src/model/world.js';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'conformance', 'import', '105-docker-masq.bundle'), 'utf8');

/** v105c1 (a port of br105 in namespace n105h) in its `ip -j -d link show`, down, its promiscuity and slave kind as given. */
function variant(slaveKind: string, promiscuity: number): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l, i) => l.includes('"ifname":"v105c1"') && lines.slice(0, i).reverse().find((x) => x.startsWith('@@podnet netns'))?.endsWith(' n105h'));
  expect(at).toBeGreaterThan(0);
  const links = JSON.parse(lines[at]!) as Record<string, unknown>[];
  const l = links.find((x) => x['ifname'] === 'v105c1')!;
  l['flags'] = ['BROADCAST', 'MULTICAST'];
  l['operstate'] = 'DOWN';
  l['promiscuity'] = promiscuity;
  (l['linkinfo'] as Record<string, unknown>)['info_slave_kind'] = slaveKind;
  lines[at] = JSON.stringify(links);
  return lines.join('\n');
}

function ucPromisc(bundle: string): boolean | undefined {
  const { world } = importBundles([{ text: bundle }]);
  const l = Object.values(world.ns['n105h']!.links).find((x) => x.name === 'v105c1') as Link & { l2?: { ucPromisc?: boolean } };
  return l.l2?.ucPromisc;
}

describe('promiscuity read back as uc_promisc', () => {
  it('a bridge port: its one count is the bridge\'s', () => {
    expect(ucPromisc(variant('bridge', 1))).toBeUndefined();
    expect(ucPromisc(variant('bridge', 2))).toBe(true);
  });
  it('a slave of a master the twin does not model: its count is kept', () => {
    expect(ucPromisc(variant('bond', 1))).toBe(true);
    expect(ucPromisc(variant('bond', 0))).toBeUndefined();
  });
});
