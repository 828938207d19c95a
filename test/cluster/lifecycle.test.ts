/** The podCIDR allocator, BGP propagation and node/pod lifecycle. */
import { describe, expect, it } from 'vitest';
import { addNode, addPod, allocateNext, buildCluster, deletePod, flannelVxlan, newAllocator, occupy, ping, rebootNode, reconcile, release, removeNode, journalScript } from '../../src/cluster/index.js';
import { peerings, propagate, type Speaker } from '../../src/cluster/designs/bgp.js';

describe('podCIDR allocator (cidr_set.go)', () => {
  it('allocates in order and continues after the last one handed out', () => {
    let s = newAllocator('10.244.0.0/16', 24);
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = allocateNext(s)!;
      got.push(r.cidr);
      s = r.state;
    }
    expect(got).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    s = release(s, '10.244.0.0/24');
    expect(allocateNext(s)!.cidr).toBe('10.244.3.0/24');
  });
  it('wraps around to a released subnet when the range is exhausted', () => {
    let s = newAllocator('10.0.0.0/30', 31);
    s = allocateNext(s)!.state;
    s = allocateNext(s)!.state;
    expect(allocateNext(s)).toBeUndefined();
    s = release(s, '10.0.0.0/31');
    expect(allocateNext(s)!.cidr).toBe('10.0.0.0/31');
  });
  it('occupies hand-set CIDRs', () => {
    const s = occupy(newAllocator('10.244.0.0/16', 24), '10.244.0.0/24');
    expect(allocateNext(s)!.cidr).toBe('10.244.1.0/24');
  });
});

describe('BGP propagation', () => {
  const sp = (name: string, reflector = false): Speaker => ({ name, ip: name, reflector, originates: [`${name}/26`] });
  it('full mesh: everyone learns everyone directly; no re-advertising', () => {
    const s = [sp('a'), sp('b'), sp('c')];
    const sessions = peerings(s, { mesh: true, extra: [] }).map(([a, b]) => ({ a, b, established: !(a === 'a' && b === 'b') }));
    const rib = propagate(s, sessions);
    expect(rib.get('a')!.map((r) => r.origin)).toEqual(['c']);
    expect(rib.get('c')!.map((r) => r.origin).sort()).toEqual(['a', 'b']);
  });
  it('a reflector passes client routes to the other clients', () => {
    const s = [sp('rr', true), sp('b'), sp('c')];
    const pairs = peerings(s, { mesh: false, extra: [] });
    expect(pairs).toEqual([['rr', 'b'], ['rr', 'c']]);
    const rib = propagate(s, pairs.map(([a, b]) => ({ a, b, established: true })));
    expect(rib.get('b')!.map((r) => r.origin).sort()).toEqual(['c', 'rr']);
  });
});

describe('lifecycle', () => {
  it('a leaving node is withdrawn by the others at reconcile, and its podCIDR released', () => {
    let c = buildCluster({ nodes: ['node1', 'node2', 'node3'], design: flannelVxlan() });
    c = removeNode(c, 'node2');
    expect(c.cidr.used).not.toContain(1);
    c = reconcile(c);
    expect(c.journal.map((e) => e.line)).toContain('ip -n node1 route del 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');
    c = addNode(c, 'node4');
    expect(c.nodes['node4']!.podCidr).toBe('10.244.3.0/24');
  });
  it('a reboot changes flannel\'s VTEP MAC: peers are stale until they reconcile', () => {
    let c = buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() });
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = addPod(c, { name: 'b1', node: 'node2' });
    expect(ping(c, 'a1', 'b1').verdict).toBe('ok');
    c = rebootNode(c, 'node2');
    // host-local's store is on disk: the re-created pod gets the next address.
    expect(c.pods['b1']!.ip).toBe('10.244.1.3');
    c = reconcile(c, { only: ['node2'] });
    expect(ping(c, 'a1', 'b1').verdict).not.toBe('ok');
    c = reconcile(c);
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('deleting a pod runs CNI DEL and frees its address', () => {
    let c = buildCluster({ nodes: ['node1'], design: flannelVxlan() });
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = deletePod(c, 'a1');
    expect(c.pods['a1']).toBeUndefined();
    expect(c.world.ns['a1']).toBeUndefined();
    c = addPod(c, { name: 'a2', node: 'node1' });
    expect(c.pods['a2']!.ip).toBe('10.244.0.3');
  });
  it('the journal replays to the same world', () => {
    const c = buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() });
    expect(journalScript(c).split('\n')[0]).toBe('ip netns add underlay');
    expect(c.journal.every((e) => e.status === 0)).toBe(true);
  });
});
