/**
 * The bridge-based designs on 3 nodes: pod-to-pod (same node, across),
 * node-to-pod and pod-to-outside with the kernel's TTLs (the same TTLs the
 * kernel recorded in conformance 350-356), no NAT between pods, and each
 * documented failure mode's verdict.
 */
import { describe, expect, it } from 'vitest';
import { addNode, addPod, buildCluster, reconcile, ping, flannelVxlan, flannelHostGw, staticRoutes, kubenet, type Cluster, type Design } from '../../src/cluster/index.js';
import { missingVxlanFdb } from '../../src/cluster/faults.js';

function threeNodes(design: Design, extra: Partial<Parameters<typeof buildCluster>[0]> = {}): Cluster {
  let c = buildCluster({ nodes: ['node1', 'node2', 'node3'], design, ...extra });
  c = addPod(c, { name: 'a1', node: 'node1' });
  c = addPod(c, { name: 'a2', node: 'node1' });
  c = addPod(c, { name: 'b1', node: 'node2' });
  c = addPod(c, { name: 'c1', node: 'node3' });
  return c;
}

describe.each([
  ['static routes on a switch', staticRoutes(), 62],
  ['flannel host-gw', flannelHostGw(), 62],
  ['flannel vxlan', flannelVxlan(), 62],
  // kubenet: cloud routes on the router, so pod traffic across nodes crosses it.
  ['kubenet', kubenet(), 61],
])('%s', (_name, design, acrossTtl) => {
  const c = threeNodes(design);
  it('gives pods addresses from their node podCIDR', () => {
    expect(c.pods['a1']!.ip).toBe('10.244.0.2');
    expect(c.pods['a2']!.ip).toBe('10.244.0.3');
    expect(c.pods['b1']!.ip).toBe('10.244.1.2');
    expect(c.pods['c1']!.ip).toBe('10.244.2.2');
  });
  it('pod to pod on the same node: bridged, ttl 64, no NAT', () => {
    const r = ping(c, 'a1', 'a2');
    expect(r.verdict).toBe('ok');
    expect(r.replyTtl).toBe(64);
    expect(r.sourceSeen).toBe('10.244.0.2');
  });
  it('pod to pod across nodes keeps the pod source', () => {
    const r = ping(c, 'a1', 'b1');
    expect(r.verdict).toBe('ok');
    expect(r.replyTtl).toBe(acrossTtl);
    expect(r.sourceSeen).toBe('10.244.0.2');
  });
  it('pod to outside is masqueraded to the node address (reply ttl 62: router, node)', () => {
    const r = ping(c, 'a1', 'outside');
    expect(r.verdict).toBe('ok');
    expect(r.sourceSeen).toBe('192.168.0.11');
    expect(r.replyTtl).toBe(62);
  });
  it('node to pod works', () => {
    expect(ping(c, 'node1', 'c1').verdict).toBe('ok');
  });
});

describe('flannel vxlan specifics', () => {
  const c = threeNodes(flannelVxlan());
  it('node to remote pod leaves from the flannel.1 address, ttl 63', () => {
    const r = ping(c, 'node1', 'b1');
    expect(r.verdict).toBe('ok');
    expect(r.sourceSeen).toBe('10.244.0.0');
    expect(r.replyTtl).toBe(63);
  });
  it('a DF packet bigger than the overlay MTU is refused locally by the pod (MTU 1450)', () => {
    expect(ping(c, 'a1', 'b1', { size: 1422, df: true }).verdict).toBe('ok');
    expect(ping(c, 'a1', 'b1', { size: 1423, df: true }).verdict).toBe('local_error');
  });
  it('programs neighbour, FDB and onlink route per remote lease', () => {
    const lines = c.journal.filter((e) => e.who === 'flanneld@node1').map((e) => e.line);
    expect(lines).toContain('ip -n node1 neigh replace 10.244.1.0 lladdr 02:00:00:f1:00:02 dev flannel.1 nud permanent');
    expect(lines).toContain('bridge -n node1 fdb replace 02:00:00:f1:00:02 dev flannel.1 dst 192.168.0.12 self permanent');
    expect(lines).toContain('ip -n node1 route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');
  });
});

describe('failure modes', () => {
  it('host-gw across a router: the kernel refuses the route, traffic dies at the router', () => {
    const c = threeNodes(flannelHostGw(), { underlay: { kind: 'routed' } });
    expect(c.events.some((e) => e.who === 'flanneld@node1' && e.message.includes('Nexthop has invalid gateway'))).toBe(true);
    const r = ping(c, 'a1', 'b1');
    expect(r.verdict).toBe('no_route');
    expect(r.endedIn).toBe('router');
    // node3 shares node1's segment: that lease works.
    expect(ping(c, 'a1', 'c1').verdict).toBe('ok');
  });
  it('static routes across a router without pod routes: no_route at the router', () => {
    const c = threeNodes(staticRoutes({ via: 'router', routerRoutes: false }), { underlay: { kind: 'routed' } });
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'no_route', endedIn: 'router' });
  });
  it('a public underlay null-routes pod addresses; VXLAN crosses it', () => {
    const s = threeNodes(staticRoutes({ via: 'router' }), { underlay: { kind: 'public' } });
    expect(ping(s, 'a1', 'b1')).toMatchObject({ verdict: 'null_routed', endedIn: 'router' });
    const v = threeNodes(flannelVxlan(), { underlay: { kind: 'public' } });
    expect(ping(v, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('a node whose uplink MTU is smaller than the overlay assumed drops big packets', () => {
    let c = buildCluster({ nodes: ['node1', 'node2', { name: 'node3', mtu: 1400 }], design: flannelVxlan() });
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = addPod(c, { name: 'c1', node: 'node3' });
    expect(ping(c, 'a1', 'c1', { size: 1300 }).verdict).toBe('ok');
    const r = ping(c, 'a1', 'c1', { size: 1400 });
    expect(r.verdict).toBe('frag_needed');
    expect(r.reason).toContain("eth0's MTU 1400");
  });
  it('a missing VXLAN FDB entry: no remote VTEP', () => {
    const c = missingVxlanFdb(threeNodes(flannelVxlan()), 'node1', 'node2');
    const r = ping(c, 'a1', 'b1');
    expect(r.verdict).toBe('no_route');
    expect(r.reason).toContain('flannel.1 has no remote VTEP');
    expect(ping(c, 'a1', 'c1').verdict).toBe('ok');
  });
  it('an agent that has not yet programmed a new node: the reply is lost until it reconciles', () => {
    let c = threeNodes(flannelVxlan());
    c = addNode(c, 'node4');
    c = addPod(c, { name: 'd1', node: 'node4' });
    c = reconcile(c, { only: ['node4'] });
    expect(ping(c, 'd1', 'c1').verdict).toBe('reply_lost');
    c = reconcile(c);
    expect(ping(c, 'd1', 'c1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('overlapping podCIDRs: traffic lands in the wrong pod', () => {
    let c = buildCluster({ nodes: ['node1', { name: 'node2', podCidr: '10.244.0.0/24' }, 'node3'], design: flannelVxlan() });
    expect(c.nodes['node2']!.podCidr).toBe('10.244.0.0/24');
    expect(c.events.some((e) => e.message.includes('overlaps node node1'))).toBe(true);
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = addPod(c, { name: 'b1', node: 'node2' });
    c = addPod(c, { name: 'c1', node: 'node3' });
    expect(c.pods['a1']!.ip).toBe(c.pods['b1']!.ip);
    const r = ping(c, 'c1', 'a1');
    expect(r.verdict).toBe('misdelivered');
  });
});

describe('flannel vxlan DirectRouting', () => {
  it('routes same-subnet leases directly and the others through flannel.1', () => {
    const c = threeNodes(flannelVxlan({ directRouting: true }), { underlay: { kind: 'routed' } });
    const lines = c.journal.filter((e) => e.who === 'flanneld@node1').map((e) => e.line);
    expect(lines).toContain('ip -n node1 route replace 10.244.2.0/24 via 192.168.1.12');
    expect(lines).toContain('ip -n node1 route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink');
    expect(ping(c, 'a1', 'c1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
});
