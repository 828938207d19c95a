import { describe, expect, it } from 'vitest';
import { produce, type Draft } from 'immer';
import { runScript } from '../../../src/shell/interp.js';
import { linkByName } from '../../../src/model/queries.js';
import type { VxlanLink, World } from '../../../src/model/world.js';
import { parseIp4, type Ip4, type Mac } from '../../../src/model/addr.js';
import { vxlanLiveFdb, vxlanRemotes, vxlanSnoopDraft } from '../../../src/sim/ops/vxlan.js';

const ip = (s: string) => parseIp4(s) as Ip4;

function world(): World {
  const r = runScript(
    'ip netns add n\nip -n n link add u0 type veth peer name u1\n' +
      'ip -n n link add vx0 type vxlan id 42 dstport 4789 remote 10.0.0.2 dev u0\n' +
      'bridge -n n fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.3\n' +
      'bridge -n n fdb add 02:00:00:00:00:aa dev vx0 dst 10.0.0.4\n',
  );
  expect(r.output).toBe('');
  return r.world;
}
const vx = (w: World) => linkByName(w.ns['n']!, 'vx0') as VxlanLink;

describe('vxlan fdb', () => {
  it('creates the default entry from `remote` (via dev) and sizes the MTU for the underlay', () => {
    const w = world();
    expect(vx(w).mtu).toBe(1450);
    expect(vx(w).fdb.map((e) => [e.mac, e.dst, e.via !== undefined])).toEqual([
      ['02:00:00:00:00:aa', ip('10.0.0.4'), false],
      ['00:00:00:00:00:00', ip('10.0.0.2'), true],
      ['00:00:00:00:00:00', ip('10.0.0.3'), false],
    ]);
  });

  it('sends known MACs to their remote and everything else to every default remote', () => {
    const v = vx(world());
    expect(vxlanRemotes(v, '02:00:00:00:00:aa' as Mac, 0).map((e) => e.dst)).toEqual([ip('10.0.0.4')]);
    expect(vxlanRemotes(v, 'ff:ff:ff:ff:ff:ff' as Mac, 0).map((e) => e.dst)).toEqual([ip('10.0.0.2'), ip('10.0.0.3')]);
    expect(vxlanRemotes(v, '02:00:00:00:00:bb' as Mac, 0).map((e) => e.dst)).toEqual([ip('10.0.0.2'), ip('10.0.0.3')]);
  });

  it('learns, moves and ages remotes; a static entry is never migrated (the packet is dropped)', () => {
    const w = world();
    const acts: string[] = [];
    const w2 = produce(w, (d) => {
      const dv = Object.values(d.ns['n']!.links).find((l) => l.name === 'vx0') as Draft<VxlanLink>;
      acts.push(vxlanSnoopDraft(dv, '02:00:00:00:00:cc' as Mac, ip('10.0.0.5'), 0));
      acts.push(vxlanSnoopDraft(dv, '02:00:00:00:00:cc' as Mac, ip('10.0.0.6'), 1000));
      acts.push(vxlanSnoopDraft(dv, '02:00:00:00:00:aa' as Mac, ip('10.0.0.7'), 1000));
    });
    expect(acts).toEqual(['learned', 'moved', 'drop']);
    const v = vx(w2);
    expect(v.fdb[0]).toMatchObject({ mac: '02:00:00:00:00:cc', dst: ip('10.0.0.6'), state: 'dynamic' });
    expect(vxlanLiveFdb(v, 1000 + 299_999).length).toBe(4);
    expect(vxlanLiveFdb(v, 1000 + 300_000).length).toBe(3);
  });
});
