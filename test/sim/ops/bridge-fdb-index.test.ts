/**
 * The FDB writers on the forwarding path (src/sim/ops/bridge.ts fdbTouchDraft,
 * fdbLearnDraft) find their entry by the FDB's index instead of scanning the
 * draft, and never write to the world's own entries.
 */
import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import type { Mac } from '../../../src/model/addr.js';
import { linkByName } from '../../../src/model/queries.js';
import type { BridgeLink, FdbEntry, World } from '../../../src/model/world.js';
import { runScript } from '../../../src/shell/interp.js';
import { fdbFind, fdbLearnDraft, fdbTouchDraft } from '../../../src/sim/ops/bridge.js';

const mac = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}` as Mac;

/** A bridge with one port and 40 dynamic entries learned at clock 0 (more than the 16 below which FDBs are scanned). */
function world(): { w: World; br: number; port: number } {
  const r = runScript('ip link add br0 type bridge\nip link add va type veth peer name vb\nip link set va master br0\n');
  expect(r.unsupported).toEqual([]);
  const br = linkByName(r.world.ns['/']!, 'br0')!.ifindex;
  const port = linkByName(r.world.ns['/']!, 'va')!.ifindex;
  const w = produce(r.world, (d) => {
    const b = d.ns['/']!.links[br] as Draft<BridgeLink>;
    for (let i = 0; i < 40; i++) fdbLearnDraft(b, port, mac(i), 0);
  });
  return { w, br, port };
}

const fdbOf = (w: World, br: number) => (w.ns['/']!.links[br] as BridgeLink).fdb;

describe('FDB writers on the forwarding path', () => {
  it('touch the entry of the MAC asked for, and only it', () => {
    const { w, br } = world();
    const before = fdbOf(w, br);
    expect(Object.isFrozen(before)).toBe(true);
    expect(fdbFind(before, mac(7))?.mac).toBe(mac(7));
    const w2 = produce(w, (d) => fdbTouchDraft(d.ns['/']!.links[br] as Draft<BridgeLink>, mac(7), 5000));
    const after = fdbOf(w2, br);
    const changed = after.filter((e, i) => e !== before[i]);
    expect(changed.map((e) => [e.mac, e.usedMs])).toEqual([[mac(7), 5000]]);
    expect(fdbFind(before, mac(7))?.usedMs).toBeUndefined();
  });

  it('after learning a new MAC in the same draft, refresh and touch copies, never the world’s entries', () => {
    const { w, br, port } = world();
    const before = fdbOf(w, br);
    const results: string[] = [];
    const w2 = produce(w, (d) => {
      const b = d.ns['/']!.links[br] as Draft<BridgeLink>;
      results.push(fdbLearnDraft(b, port, mac(100), 7000)); // the FDB is now a new plain array
      fdbTouchDraft(b, mac(3), 7000);
      results.push(fdbLearnDraft(b, port, mac(5), 7000)); // refresh in that array
      fdbTouchDraft(b, mac(100), 7001);
      // Read back in the draft, through the scan (the array is not indexed while mutable).
      expect(fdbFind(b.fdb as FdbEntry[], mac(5))?.updatedMs).toBe(7000);
    });
    expect(results).toEqual(['learned', 'refreshed']);
    const after = fdbOf(w2, br);
    expect(after[0]!.mac).toBe(mac(100));
    expect(fdbFind(after, mac(100))?.usedMs).toBe(7001);
    expect(fdbFind(after, mac(3))?.usedMs).toBe(7000);
    expect(fdbFind(after, mac(5))?.updatedMs).toBe(7000);
    // The world before is untouched (its entries are frozen: a write would have thrown).
    expect(fdbFind(before, mac(3))?.usedMs).toBeUndefined();
    expect(fdbFind(before, mac(5))?.updatedMs).toBe(0);
    expect(after.length).toBe(before.length + 1);
  });

  it('carries an entry drafted earlier in the draft over into the FDB a new MAC makes', () => {
    const { w, br, port } = world();
    const w2 = produce(w, (d) => {
      const b = d.ns['/']!.links[br] as Draft<BridgeLink>;
      fdbTouchDraft(b, mac(9), 8000); // drafts that entry in the draft FDB
      expect(fdbLearnDraft(b, port, mac(101), 8000)).toBe('learned'); // a new array holding that draft
      fdbTouchDraft(b, mac(9), 8001); // written through the carried-over draft
    });
    const after = fdbOf(w2, br);
    expect(Object.isFrozen(after)).toBe(true);
    expect(after.every((e) => Object.isFrozen(e))).toBe(true);
    expect(fdbFind(after, mac(9))?.usedMs).toBe(8001);
    expect(fdbFind(after, mac(101))?.updatedMs).toBe(8000);
    expect(fdbFind(fdbOf(w, br), mac(9))?.usedMs).toBeUndefined();
  });
});
