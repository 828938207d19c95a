/**
 * Issue #7, memory per pod: what every namespace or pod holds identically is
 * one frozen object, shared (src/model/shared.ts and the ops that create the
 * values). Sharing must never be visible: a write to one namespace copies the
 * shared value first, and what the twin prints is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { addPod, buildCluster, flannelHostGw } from '../../../src/cluster/index.js';
import type { Link, VethLink } from '../../../src/model/world.js';

describe('values shared between namespaces', () => {
  it('ip netns add + ip link set lo up: one sysctl record, one lo, one set of lo routes, one empty list of each kind', () => {
    const r = runScript('ip netns add a\nip netns add b\nip -n a link set lo up\nip -n b link set lo up\n');
    const a = r.world.ns['a']!;
    const b = r.world.ns['b']!;
    expect(a.sysctl).toBe(b.sysctl);
    expect(a.links[1]).toBe(b.links[1]);
    expect(a.routes).toHaveLength(3);
    a.routes.forEach((x, i) => expect(x).toBe(b.routes[i]));
    expect(a.conntrack).toBe(b.conntrack);
    expect(a.listeners).toBe(b.listeners);
    expect(Object.isFrozen(a.sysctl) && Object.isFrozen(a.links[1]) && Object.isFrozen(a.routes[0]!.dst)).toBe(true);
  });

  it('a write to one namespace leaves the other as it was (sysctl, lo address, routes)', () => {
    const r = runScript(
      [
        'ip netns add a',
        'ip netns add b',
        'ip -n a link set lo up',
        'ip -n b link set lo up',
        'ip netns exec a sysctl -qw net.ipv4.ip_forward=1',
        'ip -n a addr add 127.0.0.2/8 dev lo',
        'ip -n a route add 10.9.0.0/16 dev lo',
        'ip netns exec b sysctl net.ipv4.ip_forward',
        'ip -n b addr show dev lo',
        'ip -n b route show table all',
        'ip -n a -4 addr show dev lo',
      ].join('\n') + '\n',
    );
    expect(r.world.ns['b']!.sysctl['net.ipv4.ip_forward']).toBe('0');
    expect(r.world.ns['a']!.sysctl['net.ipv4.ip_forward']).toBe('1');
    expect(r.output).toContain('net.ipv4.ip_forward = 0');
    expect(r.output).not.toContain('10.9.0.0');
    expect(r.world.ns['b']!.links[1]!.addrs.map((x) => x.local)).toEqual([0x7f000001]);
    expect(r.world.ns['a']!.links[1]!.addrs.map((x) => x.local)).toEqual([0x7f000001, 0x7f000002]);
    expect(r.world.ns['b']!.routes).toHaveLength(3);
    expect(r.output).toContain('inet 127.0.0.2/8 scope host secondary lo');
  });

  it('pods of one node built through the emulated CNI share their eth0 conf, the plugin routes and the netnsid record', () => {
    let c = buildCluster({ nodes: ['node0', 'node1'], design: flannelHostGw() });
    for (const p of ['a', 'b', 'c']) c = addPod(c, { name: p, node: 'node0' });
    const w = c.world;
    const [a, b] = [w.ns['a']!, w.ns['b']!];
    const ethA = a.links[2] as VethLink;
    const ethB = b.links[2] as VethLink;
    expect(ethA.conf['arp_notify']).toBe('1');
    expect(ethA.conf).toBe(ethB.conf);
    expect(ethA.confSet).toBe(ethB.confSet);
    expect(a.peerIds).toBe(b.peerIds);
    expect(a.peerIds).toEqual({ node0: 0 });
    const via = (ns: typeof a) => ns.routes.filter((r) => r.gateway !== undefined);
    expect(via(a)).toHaveLength(2);
    via(a).forEach((r, i) => expect(r).toBe(via(b)[i]));
    // The node's record grows by one id per pod, keys in the order they were given.
    expect(JSON.stringify(w.ns['node0']!.peerIds)).toBe('{"underlay":0,"a":1,"b":2,"c":3}');
    const hosts = Object.values(w.ns['node0']!.links).filter((l): l is VethLink & Link => l.kind === 'veth' && l.peer.ns !== 'underlay');
    expect(hosts).toHaveLength(3);
    expect(hosts[0]!.conf).toBe(hosts[1]!.conf);
    expect(hosts[0]!.addrs).toBe(hosts[1]!.addrs);
  });
});
