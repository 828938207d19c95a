/**
 * Calico, Weave Net and Cilium on 3 nodes: the TTLs the kernel gives (pinned by
 * conformance 360-367), no NAT between pods, masquerade to outside, and the
 * designs' own behaviour (BGP withdrawal, route reflection, IPAM).
 */
import { describe, expect, it } from 'vitest';
import {
  addPod,
  bgpSessionDown,
  bgpSessionUp,
  buildCluster,
  caliName,
  calico,
  calicoBlocks,
  cilium,
  ping,
  reconcile,
  weave,
  weaveBridgeIp,
  weaveSpace,
  type Cluster,
  type Design,
} from '../../src/cluster/index.js';
import { ClusterError } from '../../src/cluster/exec.js';

function threeNodes(design: Design, extra: Partial<Parameters<typeof buildCluster>[0]> = {}): Cluster {
  let c = buildCluster({ nodes: ['node1', 'node2', 'node3'], design, ...extra });
  c = addPod(c, { name: 'a1', node: 'node1' });
  c = addPod(c, { name: 'a2', node: 'node1' });
  c = addPod(c, { name: 'b1', node: 'node2' });
  c = addPod(c, { name: 'c1', node: 'node3' });
  return reconcile(c);
}

describe.each([
  // design, same-node ttl, across ttl
  ['calico bgp', calico(), 63, 62],
  ['calico vxlan', calico({ encapsulation: 'vxlan' }), 63, 62],
  ['calico route reflector', calico({ routeReflectors: ['node1'] }), 63, 62],
  ['weave', weave(), 64, 64],
  ['cilium tunnel', cilium(), 63, 62],
  ['cilium native', cilium({ routing: 'native' }), 63, 62],
])('%s on 3 nodes', (_n, design, sameTtl, acrossTtl) => {
  const c = threeNodes(design);
  it('pod to pod on the same node', () => {
    expect(ping(c, 'a1', 'a2')).toMatchObject({ verdict: 'ok', replyTtl: sameTtl, sourceSeen: c.pods['a1']!.ip });
  });
  it('pod to pod across nodes, no NAT', () => {
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: acrossTtl, sourceSeen: c.pods['a1']!.ip });
    expect(ping(c, 'c1', 'b1')).toMatchObject({ verdict: 'ok', sourceSeen: c.pods['c1']!.ip });
  });
  it('node to pod', () => {
    expect(ping(c, 'node1', 'c1').verdict).toBe('ok');
  });
  it('pod to outside is masqueraded by the design', () => {
    expect(ping(c, 'a1', 'outside')).toMatchObject({ verdict: 'ok', replyTtl: 62, sourceSeen: '192.168.0.11' });
  });
});

describe('calico', () => {
  it('hands out /26 blocks per node and addresses from .0', () => {
    const c = threeNodes(calico());
    expect(calicoBlocks(c)).toEqual([
      { cidr: '10.244.0.0/26', node: 'node1' },
      { cidr: '10.244.0.64/26', node: 'node2' },
      { cidr: '10.244.0.128/26', node: 'node3' },
    ]);
    expect(c.pods['a1']).toMatchObject({ ip: '10.244.0.0', hostIf: caliName('a1') });
  });
  it('names host veths cali + sha1("default.<pod>")[:11]', () => {
    expect(caliName('a1')).toBe('cali5cce677186e');
  });
  it('installs learned blocks proto bird and its own as blackhole', () => {
    const c = threeNodes(calico());
    const bird = c.journal.filter((e) => e.who === 'bird@node1').map((e) => e.line);
    expect(bird).toContain('ip -n node1 route replace blackhole 10.244.0.0/26 proto bird');
    expect(bird).toContain('ip -n node1 route replace 10.244.0.64/26 via 192.168.0.12 dev eth0 proto bird');
  });
  it('a BGP session down withdraws both sides\' routes; up restores them', () => {
    let c = reconcile(bgpSessionDown(threeNodes(calico()), 'node1', 'node2'));
    expect(c.journal.map((e) => e.line)).toContain('ip -n node1 route del 10.244.0.64/26 via 192.168.0.12 dev eth0 proto bird');
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'no_route', endedIn: 'router' });
    expect(ping(c, 'a1', 'c1').verdict).toBe('ok');
    c = reconcile(bgpSessionUp(c, 'node1', 'node2'));
    expect(ping(c, 'a1', 'b1').verdict).toBe('ok');
  });
  it('with a route reflector, losing the client-reflector session cuts the client off', () => {
    const c = reconcile(bgpSessionDown(threeNodes(calico({ routeReflectors: ['node1'] })), 'node1', 'node2'));
    expect(ping(c, 'c1', 'b1').verdict).toBe('no_route');
  });
  it('a stopped calico-node drops its sessions', () => {
    let c = threeNodes(calico());
    c = { ...c, nodes: { ...c.nodes, node3: { ...c.nodes['node3']!, agentRunning: false } } };
    c = reconcile(c);
    expect(ping(c, 'a1', 'c1').verdict).toBe('no_route');
  });
  it('across a router: routes resolve via the router, which needs to peer (ToR)', () => {
    const plain = threeNodes(calico(), { underlay: { kind: 'routed' } });
    expect(ping(plain, 'a1', 'b1')).toMatchObject({ verdict: 'no_route', endedIn: 'router' });
    expect(ping(plain, 'a1', 'c1').verdict).toBe('ok');
    const tor = threeNodes(calico({ peerWithRouter: true }), { underlay: { kind: 'routed' } });
    expect(ping(tor, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 61 });
  });
  it('VXLAN CrossSubnet tunnels only to the other segment', () => {
    const c = threeNodes(calico({ encapsulation: 'vxlan-crosssubnet' }), { underlay: { kind: 'routed' } });
    const lines = c.journal.filter((e) => e.who === 'felix@node1').map((e) => e.line);
    expect(lines).toContain('ip -n node1 route replace 10.244.0.128/26 via 192.168.1.12 dev eth0 proto 80 onlink');
    expect(lines).toContain('ip -n node1 route replace 10.244.0.64/26 via 10.244.0.64 dev vxlan.calico onlink');
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('IPIP is refused: the recording kernel has no ipip module', () => {
    expect(() => calico({ encapsulation: 'ipip' })).toThrow(ClusterError);
  });
});

describe('weave', () => {
  it('splits the allocation range by donation and exposes the bridge', () => {
    const c = threeNodes(weave());
    expect(weaveSpace(c)).toEqual({ node1: ['10.32.0.0-10.35.255.255'], node2: ['10.40.0.0-10.47.255.255'], node3: ['10.36.0.0-10.39.255.255'] });
    expect(weaveBridgeIp(c, 'node1')).toBe('10.32.0.1');
    expect(weaveBridgeIp(c, 'node2')).toBe('10.40.0.0');
    expect(c.pods['b1']!.ip).toBe('10.40.0.1');
  });
});

describe('cilium', () => {
  it('refuses geneve (no geneve module on the recording kernel)', () => {
    expect(() => cilium({ tunnelProtocol: 'geneve' })).toThrow(ClusterError);
  });
  it('node to remote pod leaves from the router address in tunnel mode', () => {
    const c = threeNodes(cilium());
    expect(ping(c, 'node1', 'b1')).toMatchObject({ verdict: 'ok', sourceSeen: '10.244.0.1', replyTtl: 63 });
  });
});
