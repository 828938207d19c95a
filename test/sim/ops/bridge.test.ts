import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import type { BridgeLink, World } from '../../../src/model/world.js';
import { linkByName } from '../../../src/model/queries.js';
import { bridgeCarrier, bridgeIdText, fdbLearnDraft, liveFdb, portState, setMaster } from '../../../src/sim/ops/bridge.js';
import { produce, type Draft } from 'immer';
import type { Mac } from '../../../src/model/addr.js';

const NS = 'n';

function world(script: string): World {
  const r = runScript(`ip netns add ${NS}\n` + script);
  expect(r.unsupported).toEqual([]);
  return r.world;
}

function link(w: World, name: string) {
  return linkByName(w.ns[NS]!, name)!;
}

const setup =
  'ip -n n link add br0 type bridge\n' +
  'ip -n n link add va address 02:00:00:00:00:0b type veth peer name vap\n' +
  'ip -n n link add vb address 02:00:00:00:00:0a type veth peer name vbp\n';

describe('bridge ops (behaviour checked on Linux 6.18)', () => {
  it('a fresh bridge keeps its carrier; the first port event makes it follow the ports', () => {
    let w = world(setup + 'ip -n n link set br0 up\n');
    const br = link(w, 'br0') as BridgeLink;
    expect(bridgeCarrier(w, NS, br)).toBe(true);
    expect(bridgeIdText(br)).toBe('8000.0:0:0:0:0:0');
    const r = setMaster(w, NS, link(w, 'va').ifindex, br.ifindex);
    expect(r.ok).toBe(true);
    w = r.ok ? r.world : w;
    expect(bridgeCarrier(w, NS, link(w, 'br0') as BridgeLink)).toBe(false);
    expect(portState(w, NS, link(w, 'va'))).toBe('disabled');
  });

  it('takes the lowest port MAC, then 00:00:00:00:00:00 when the last port leaves', () => {
    let w = world(setup + 'ip -n n link set va master br0\n');
    expect(link(w, 'br0').mac).toBe('02:00:00:00:00:0b');
    w = runScript('ip -n n link set vb master br0\n', { world: w }).world;
    expect(link(w, 'br0').mac).toBe('02:00:00:00:00:0a');
    expect(bridgeIdText(link(w, 'br0') as BridgeLink)).toBe('8000.2:0:0:0:0:a');
    w = runScript('ip -n n link set vb address 02:00:00:00:00:0c\n', { world: w }).world;
    expect(link(w, 'br0').mac).toBe('02:00:00:00:00:0b');
    w = runScript('ip -n n link set vb nomaster\nip -n n link set va nomaster\n', { world: w }).world;
    expect(link(w, 'br0').mac).toBe('00:00:00:00:00:00');
  });

  it('refuses what the kernel refuses', () => {
    const w = world(setup + 'ip -n n link add br1 type bridge\n');
    const va = link(w, 'va').ifindex;
    const r1 = setMaster(w, NS, va, link(w, 'vb').ifindex);
    expect(r1).toEqual({ ok: false, error: 'RTNETLINK answers: Operation not supported' });
    const r2 = setMaster(w, NS, link(w, 'br1').ifindex, link(w, 'br0').ifindex);
    expect(r2).toEqual({ ok: false, error: 'Error: Can not enslave a bridge to a bridge.' });
    const r3 = setMaster(w, NS, 1, link(w, 'br0').ifindex);
    expect(r3).toEqual({ ok: false, error: 'RTNETLINK answers: Invalid argument' });
  });

  it('learns, refreshes, moves and ages dynamic entries but never touches local ones', () => {
    const w = world(setup + 'ip -n n link set va master br0\nip -n n link set vb master br0\n');
    const brIdx = link(w, 'br0').ifindex;
    const va = link(w, 'va').ifindex;
    const vb = link(w, 'vb').ifindex;
    const results: string[] = [];
    const w2 = produce(w, (d) => {
      const br = d.ns[NS]!.links[brIdx] as Draft<BridgeLink>;
      results.push(fdbLearnDraft(br, va, '02:00:00:00:00:99' as Mac, 0));
      results.push(fdbLearnDraft(br, va, '02:00:00:00:00:99' as Mac, 1000));
      results.push(fdbLearnDraft(br, vb, '02:00:00:00:00:99' as Mac, 2000));
      results.push(fdbLearnDraft(br, vb, '02:00:00:00:00:0b' as Mac, 2000)); // va's own address: local
      results.push(fdbLearnDraft(br, vb, '01:00:5e:00:00:01' as Mac, 2000)); // group: never learned
    });
    expect(results).toEqual(['learned', 'refreshed', 'moved', 'ignored', 'ignored']);
    const br = link(w2, 'br0') as BridgeLink;
    expect(liveFdb(br, 2000 + 299_999).some((e) => e.mac === '02:00:00:00:00:99')).toBe(true);
    expect(liveFdb(br, 2000 + 300_000).some((e) => e.mac === '02:00:00:00:00:99')).toBe(false);
    expect(liveFdb(br, 10_000_000).some((e) => e.mac === '02:00:00:00:00:0b' && e.state === 'permanent')).toBe(true);
  });

  it('follows the smallest port MTU unless the user set one', () => {
    let w = world(setup + 'ip -n n link set va mtu 1400\nip -n n link set va master br0\nip -n n link set vb master br0\n');
    expect(link(w, 'br0').mtu).toBe(1400);
    w = runScript('ip -n n link set va nomaster\n', { world: w }).world;
    expect(link(w, 'br0').mtu).toBe(1500);
    w = runScript('ip -n n link set br0 mtu 1300\nip -n n link set va master br0\n', { world: w }).world;
    expect(link(w, 'br0').mtu).toBe(1300);
  });
});
