/**
 * Additions to src/cluster made for spec.cluster scenarios: a node that joins
 * before its agent (NodeSpec.agent: false), and a reboot that keeps the
 * node's NIC MAC.
 */
import { describe, expect, it } from 'vitest';
import { addNode, addPod, buildCluster, calico, flannelVxlan, ping, rebootNode, reconcile, setAgentRunning } from '../../src/cluster/index.js';
import { probe } from '../../src/sim/send.js';
import { parseIp4 } from '../../src/model/addr.js';

const eth0Mac = (c: ReturnType<typeof buildCluster>, node: string): string | undefined => Object.values(c.world.ns[node]!.links).find((l) => l.name === 'eth0')?.mac;

describe('a node whose agent has not started', () => {
  it('has only its uplink; the other agents program nothing for it until its agent starts and publishes itself', () => {
    let c = buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() });
    c = addNode(c, { name: 'node3', agent: false });
    expect(c.nodes['node3']).toMatchObject({ agentRunning: false, agentPending: true, podCidr: '10.244.2.0/24' });
    const before = c.journal.length;
    c = reconcile(c);
    // No flannel.1 on node3, and no lease item for node3 anywhere (it has no VTEP MAC yet).
    expect(Object.values(c.world.ns['node3']!.links).map((l) => l.name).sort()).toEqual(['eth0', 'lo']);
    expect(c.journal.slice(before).map((e) => e.line)).toEqual([]);
    expect(c.events).toEqual([]);
    c = setAgentRunning(c, 'node3', true);
    expect(c.nodes['node3']!.agentPending).toBeUndefined();
    expect(c.journal.some((e) => e.who === 'flanneld@node3' && e.line.startsWith('ip -n node3 link add flannel.1'))).toBe(true);
    c = reconcile(c);
    expect(c.journal.map((e) => e.line)).toContain('ip -n node1 route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = addPod(c, { name: 'c1', node: 'node3' });
    expect(ping(c, 'a1', 'c1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('Calico: no BGP session with a node whose calico-node never ran', () => {
    let c = buildCluster({ nodes: ['node1', { name: 'node2', agent: false }], design: calico() });
    c = reconcile(c);
    expect(c.journal.filter((e) => e.who.startsWith('bird@')).map((e) => e.line)).toEqual([]);
    c = reconcile(setAgentRunning(c, 'node2', true));
    c = reconcile(addPod(addPod(c, { name: 'a1', node: 'node1' }), { name: 'b1', node: 'node2' }));
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
  });
  it('a reboot before the agent ever ran does not install it', () => {
    let c = buildCluster({ nodes: ['node1', { name: 'node2', agent: false }], design: flannelVxlan() });
    c = rebootNode(c, 'node2');
    expect(Object.values(c.world.ns['node2']!.links).map((l) => l.name).sort()).toEqual(['eth0', 'lo']);
  });
});

describe('a rebooted node', () => {
  it('keeps its NIC MAC, so the neighbours it had stay valid (a real NIC keeps its address)', () => {
    let c = buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() });
    c = addPod(c, { name: 'a1', node: 'node1' });
    c = addPod(c, { name: 'b1', node: 'node2' });
    // Keep the ARP caches this exchange fills (ping() leaves the cluster's world alone).
    const r = probe(c.world, { from: 'a1', to: parseIp4('10.244.1.2')!, proto: 'icmp' });
    expect(r.outcome.kind).toBe('reply');
    c = { ...c, world: r.world };
    const mac = eth0Mac(c, 'node2');
    c = reconcile(rebootNode(c, 'node2'));
    expect(eth0Mac(c, 'node2')).toBe(mac);
    expect(c.journal.map((e) => e.line)).toContain(`ip link add eth0 address ${mac} netns node2 type veth peer name node2 netns underlay`);
    const after = probe(c.world, { from: 'a1', to: parseIp4('10.244.1.3')!, proto: 'icmp' });
    expect(after.outcome.kind).toBe('reply');
  });
});
