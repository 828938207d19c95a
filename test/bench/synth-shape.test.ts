/**
 * bench/synth.ts builds a pod's objects as the ops do when the emulated CNI
 * runtime adds a pod (issue #7: the memory per pod the bench reports must be
 * that of a world the twin shell or the CNI emulator would build). Compared
 * with a flannel cluster built through src/cluster: the same keys in the same
 * order on every per-pod object, the same routes, the same sharing.
 */
import { describe, expect, it } from 'vitest';
import { buildSynthetic } from '../../bench/synth.js';
import { addPod, buildCluster, flannelHostGw } from '../../src/cluster/index.js';
import type { BridgeLink, Netns, VethLink, World } from '../../src/model/world.js';

/** Keys in order, recursively for objects (values left out: addresses, MACs and names differ). */
function shape(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(shape);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shape(v)]));
  return typeof x;
}

function hostEnd(w: World, node: string, pod: string): VethLink {
  return Object.values(w.ns[node]!.links).find((l): l is VethLink => l.kind === 'veth' && l.peer.ns === pod)!;
}

// The cluster network's prefix length differs (the synthetic cluster's is 10.0.0.0/8, flannel's 10.244.0.0/16).
const plen = (r: Netns['routes'][number]) => (r.gateway !== undefined && r.dst.len > 0 ? 'cluster' : r.dst.len);
const routeShape = (ns: Netns) => ns.routes.map((r) => `${r.table} ${r.type} /${plen(r)} ${r.proto} ${r.scope} dev ${r.dev}${r.prefsrc !== undefined ? ' src' : ''}${r.gateway !== undefined ? ' via' : ''}`);

describe('synthetic pods are built as the ops build them', () => {
  let c = buildCluster({ nodes: ['node0', 'node1'], design: flannelHostGw() });
  c = addPod(c, { name: 'a', node: 'node0' });
  c = addPod(c, { name: 'b', node: 'node0' });
  const real = c.world;
  const synth = buildSynthetic({ nodes: 2, podsPerNode: 2, design: 'host-gw' }).world;

  it('pod namespace: links, addresses, link-layer state, routes, netnsids', () => {
    const r = real.ns['b']!;
    const s = synth.ns['p0-1']!;
    expect(Object.keys(s)).toEqual(Object.keys(r));
    expect(shape(s.links)).toEqual(shape(r.links));
    expect(routeShape(s)).toEqual(routeShape(r));
    expect(Object.keys(s.peerIds)).toHaveLength(1);
    expect(s.links[2]!.conf).toEqual(r.links[2]!.conf);
    // What the ops share between the pods of a node, the synthetic cluster shares too.
    const s2 = synth.ns['p0-0']!;
    expect(s.links[1]).toBe(s2.links[1]);
    expect(s.links[2]!.conf).toBe(s2.links[2]!.conf);
    expect(s.peerIds).toBe(s2.peerIds);
    expect(s.routes.at(-1)).toBe(s2.routes.at(-1));
  });

  it('host side: the veth end (bridge port, link-layer state) and its local FDB entry in cni0', () => {
    const r = hostEnd(real, 'node0', 'b');
    const s = hostEnd(synth, 'node0', 'p0-1');
    // The ops' port is still `disabled` at clock 0 (the synthetic cluster is in steady state):
    // values differ, keys do not.
    expect(shape(s)).toEqual(shape(r));
    const cni0 = (w: World) => Object.values(w.ns['node0']!.links).find((l): l is BridgeLink => l.kind === 'bridge')!;
    const local = (w: World, e: VethLink) => cni0(w).fdb.filter((f) => f.ifindex === e.ifindex && f.local === true);
    expect(local(real, r).map(shape)).toEqual(local(synth, s).map(shape));
    expect(Object.keys(synth.ns['node0']!.peerIds)).toEqual(['underlay', 'p0-0', 'p0-1']);
  });
});
