/**
 * The device handlers record their trace steps lazily (a function, formatted
 * only if the trace is read; DpEnv.step, src/sim/datapath/engine.ts StepRec):
 * driven here through a recording DpEnv, the recorded steps are functions that
 * give the text the eager handlers gave.
 */
import { describe, expect, it } from 'vitest';
import type { Mac } from '../../../src/model/addr.js';
import { parseIp4 } from '../../../src/model/addr.js';
import { linkByName } from '../../../src/model/queries.js';
import type { BridgeLink, Netns, VethLink, World } from '../../../src/model/world.js';
import { runScript } from '../../../src/shell/interp.js';
import { bridgeHandler } from '../../../src/sim/devices/bridge.js';
import type { DpEnv } from '../../../src/sim/devices/types.js';
import { vethHandler } from '../../../src/sim/devices/veth.js';
import { echoRequest, type Frame } from '../../../src/sim/packet.js';
import type { Step } from '../../../src/sim/trace.js';

// Host n: bridge br0 with port pa, the veth to pod a (eth0, 10.0.0.1).
const SETUP = [
  'ip netns add n',
  'ip netns add a',
  'ip -n n link add br0 address 02:00:00:00:00:b0 type bridge',
  'ip -n n link add pa address 02:00:00:00:01:00 type veth peer name eth0 netns a address 02:00:00:00:02:00',
  'ip -n n link set pa master br0',
  'ip -n n link set pa up',
  'ip -n a link set eth0 up',
  'ip -n a addr add 10.0.0.1/24 dev eth0',
  'ip -n n link set br0 up',
].join('\n');

/** A DpEnv over a fixed world that records what the handler does (no draft: nothing is learned here). */
function recorder(world: World) {
  const steps: (Step | (() => Step))[] = [];
  const sent: string[] = [];
  const env: DpEnv = {
    world,
    ns: () => {
      throw new Error('not written in these tests');
    },
    cur: (name) => world.ns[name] as Netns,
    now: world.clockMs,
    step: (s) => steps.push(s),
    receive: (ns, ifindex) => sent.push(`rx ${ns}/${ifindex}`),
    transmit: (ns, ifindex) => sent.push(`tx ${ns}/${ifindex}`),
    ipOutput: () => undefined,
    stackReceive: () => undefined,
    drop: (d, why) => sent.push(`drop ${d}: ${why}`),
    xmitDropped: () => undefined,
    brNetfilter: (_ns, _hook, f) => f,
  };
  return { env, steps, sent };
}

const ipFrame = (src: string, dst: string, dstMac: Mac): Frame => ({
  src: '02:00:00:00:02:00' as Mac,
  dst: dstMac,
  type: 'ipv4',
  ip: echoRequest({ src: parseIp4(src)!, dst: parseIp4(dst)!, id: 1, seq: 1, payload: 56, ttl: 64 }),
});

describe('device handlers record lazy steps', () => {
  const w = runScript(SETUP + '\n').world;
  const pa = linkByName(w.ns['n']!, 'pa') as VethLink;
  const br = linkByName(w.ns['n']!, 'br0') as BridgeLink;

  it('veth: the transmit step is a function giving the crossing text', () => {
    const r = recorder(w);
    vethHandler.xmit(r.env, 'n', pa, ipFrame('10.0.0.9', '10.0.0.1', '02:00:00:00:02:00' as Mac));
    expect(r.steps.length).toBe(1);
    expect(typeof r.steps[0]).toBe('function');
    expect((r.steps[0] as () => Step)()).toEqual({ kind: 'transmit', action: 'pa -> peer eth0 in netns a (10.0.0.9 -> 10.0.0.1)' });
    expect(r.sent).toEqual([`rx a/${pa.peer.ifindex}`]);
  });

  it('bridge: a frame sent to one of its own addresses is not sent, an unknown unicast floods; both lazily', () => {
    const known = recorder(w);
    // pa's own MAC is a permanent (local) entry of br0: sent out of br0 it is one of the bridge's own addresses.
    bridgeHandler.xmit(known.env, 'n', br, ipFrame('10.0.0.9', '10.0.0.1', pa.mac));
    expect(known.steps.every((s) => typeof s === 'function')).toBe(true);
    expect(known.steps.map((s) => (s as () => Step)().action)).toEqual([`br0: ${pa.mac} is one of the bridge's own addresses: not sent`]);

    const unknown = recorder(w);
    bridgeHandler.xmit(unknown.env, 'n', br, ipFrame('10.0.0.9', '10.0.0.1', '02:00:00:00:02:00' as Mac));
    expect(unknown.steps.every((s) => typeof s === 'function')).toBe(true);
    expect(unknown.steps.map((s) => (s as () => Step)().action)).toEqual(['br0: 02:00:00:00:02:00 unknown: flooded to 1 port(s)']);
    expect(unknown.sent).toEqual([`tx n/${pa.ifindex}`]);
  });

  it('bridge: a port that is not forwarding is reported lazily with its state', () => {
    const down = runScript('ip -n n link set br0 down\n', { world: w }).world;
    const r = recorder(down);
    const f = ipFrame('10.0.0.1', '10.0.0.9', '02:00:00:00:00:b0' as Mac);
    bridgeHandler.portRx!(r.env, 'n', linkByName(down.ns['n']!, 'br0') as BridgeLink, linkByName(down.ns['n']!, 'pa')!, f);
    expect(r.steps.length).toBe(1);
    expect(typeof r.steps[0]).toBe('function');
    expect((r.steps[0] as () => Step)().action).toBe('br0: port pa is disabled: frame dropped');
    expect(r.sent).toEqual(['drop link_down: bridge port pa is not forwarding (is br0 up?)']);
  });
});
