/**
 * verify() on src/cluster designs and their failure modes (docs/designs.md),
 * the probe memo (re-verification after a pod change reuses unchanged
 * paths), equivalence classes, and the static checks on crafted worlds.
 */
import { describe, expect, it } from 'vitest';
import { addNode, addPod, buildCluster, calico, flannelVxlan, missingVxlanFdb, reconcile, setAgentRunning, staticRoutes } from '../../src/cluster/index.js';
import { runLines } from '../../src/cluster/exec.js';
import { clusterTarget, verifyCluster } from '../../src/verify/cluster.js';
import { podClasses } from '../../src/verify/classes.js';
import { verify } from '../../src/verify/verify.js';
import { ProbeMemo } from '../../src/verify/types.js';
import { kinds, load, targetOf } from './helpers.js';
import { scenarioStates } from '../../src/verify/scenario.js';

const two = (c: ReturnType<typeof buildCluster>) => reconcile(addPod(addPod(c, { name: 'a1', node: 'node1' }), { name: 'b1', node: 'node2' }));

describe('verify on src/cluster designs', () => {
  it('flannel VXLAN and Calico BGP keep the contract (egress masqueraded by the node)', () => {
    for (const design of [flannelVxlan(), calico()]) {
      const r = verifyCluster(two(buildCluster({ nodes: ['node1', 'node2'], design })));
      expect(r.violations.map((v) => `${v.kind}: ${v.message}`), design.name).toEqual([]);
      expect(r.stats.podClasses).toBe(2);
    }
  });

  it('a missing VXLAN FDB entry: node1 pods cannot reach node2 pods, decided on node1', () => {
    const c = missingVxlanFdb(two(buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() })), 'node1', 'node2');
    const r = verifyCluster(c);
    const v = r.violations.find((x) => x.kind === 'pod-to-pod-unreachable')!;
    expect(v.witness.from).toBe('pod/a1');
    expect(v.witness.to).toBe('pod/b1');
    expect(v.witness.decidedBy?.where).toBe('node/node1');
  });

  it('a router without pod routes (static routes via the router): unreachable at the router', () => {
    const c = two(buildCluster({ nodes: ['node1', 'node2'], underlay: { kind: 'routed' }, design: staticRoutes({ via: 'router', routerRoutes: false }) }));
    const r = verifyCluster(c);
    expect(kinds(r)).toContain('pod-to-pod-unreachable');
    expect(r.violations.find((v) => v.kind === 'pod-to-pod-unreachable')!.witness.decidedBy?.where).toBe('machine/router');
  });

  it('overlapping podCIDRs set by hand', () => {
    const c = two(buildCluster({ nodes: ['node1', { name: 'node2', podCidr: '10.244.0.0/24' }], design: staticRoutes() }));
    expect(kinds(verifyCluster(c))).toEqual(expect.arrayContaining(['overlapping-pod-cidrs', 'duplicate-pod-ip']));
  });

  it('an overlay with one small uplink: mtu-mismatch, found statically and by a full-size packet', () => {
    const c = two(buildCluster({ nodes: ['node1', { name: 'node2', mtu: 1400 }], design: flannelVxlan() }));
    const r = verifyCluster(c);
    expect(kinds(r)).toEqual(['mtu-mismatch']);
    expect(r.violations.some((v) => v.witness.traces?.[0]?.disposition === 'frag_needed' || v.witness.outcome?.startsWith('frag_needed'))).toBe(true);
  });

  it('an agent that has not programmed a new node: its pods are cut off from the old ones', () => {
    let c = two(buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() }));
    c = addNode(c, 'node3');
    c = reconcile(addPod(c, { name: 'c1', node: 'node3' }), { only: ['node3'] });
    const r = verifyCluster(c);
    const pairs = r.violations.filter((v) => v.kind.startsWith('pod-to-pod')).map((v) => `${v.witness.from}>${v.witness.to}`);
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((p) => p.includes('pod/c1'))).toBe(true);
  });
});

describe('NotReady nodes', () => {
  // kubelet reports a node NotReady (NetworkPluginNotReady) while the design's agent has not
  // installed its CNI configuration: Kubernetes schedules no pod there, so nothing is promised yet.
  const withPending = () => {
    const c = two(buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() }));
    return reconcile(addNode(c, { name: 'node3', agent: false }));
  };

  it('a node whose network plugin has not started is not expected to reach pods: a note, not a violation', () => {
    const c = withPending();
    const t = clusterTarget(c);
    expect(t.nodes.find((n) => n.ref === 'node/node3')!.notReady).toBe('NetworkPluginNotReady: the flannel-vxlan agent has not started on node3');
    const r = verifyCluster(c);
    expect(r.violations.map((v) => `${v.kind}: ${v.message}`)).toEqual([]);
    expect(r.notes).toContain('node/node3 is NotReady (NetworkPluginNotReady: the flannel-vxlan agent has not started on node3): flows from and to it are not checked');
    // Treated as Ready, the same node fails node-to-pod: what verify used to report.
    const asReady = verify({ ...t, nodes: t.nodes.map(({ notReady: _n, ...n }) => n) });
    expect(kinds(asReady)).toContain('node-to-pod-unreachable');
    expect(asReady.violations.every((v) => v.witness.from === 'node/node3' || v.witness.to === 'node/node3')).toBe(true);
  });

  it('its pods (with sandboxes) are left out of the flows, the static checks still see them', () => {
    const t = clusterTarget(withPending());
    const ip = t.pods.find((p) => p.ref === 'pod/b1')!.ip!;
    // Pretend pod b1 runs on the NotReady node: it is no flow endpoint any more.
    const moved = { ...t, pods: t.pods.map((p) => (p.ref === 'pod/b1' ? { ...p, node: 'node/node3' } : p)) };
    const r = verify(moved);
    expect(r.notes).toContain('node/node3 is NotReady (NetworkPluginNotReady: the flannel-vxlan agent has not started on node3): flows from and to it and its 1 pod are not checked');
    expect(r.violations.filter((v) => v.witness.from === 'pod/b1' || v.witness.to === 'pod/b1')).toEqual([]);
    expect(r.stats.podClasses).toBe(1);
    // A second pod with b1's address is still a duplicate, NotReady or not.
    const dup = verify({ ...moved, pods: [...moved.pods, { ref: 'pod/x', node: 'node/node1', ns: 'a1', ip }] });
    expect(kinds(dup)).toContain('duplicate-pod-ip');
  });

  it('once the agent starts the node is Ready and checked like the others', () => {
    const c = reconcile(setAgentRunning(withPending(), 'node3', true));
    expect(clusterTarget(c).nodes.every((n) => n.notReady === undefined)).toBe(true);
    const r = verifyCluster(reconcile(addPod(c, { name: 'c1', node: 'node3' })));
    expect(r.violations).toEqual([]);
    expect(r.notes.filter((n) => n.includes('NotReady'))).toEqual([]);
    expect(r.stats.podClasses).toBe(3);
  });

  it('in a scenario: node4 joined before its flannel DaemonSet pod started is NotReady until the agent starts (examples/13)', () => {
    const { scenario } = load('examples/13-plugin-daemonset.yaml');
    const seen: { title: string; notReady: string[]; kinds: string[]; asReady: string[]; notes: string[] }[] = [];
    scenarioStates(scenario, (st) => {
      const r = verify(st.target, { mtu: false });
      const asReady = verify({ ...st.target, nodes: st.target.nodes.map(({ notReady: _n, ...n }) => n) }, { mtu: false });
      seen.push({ title: st.title, notReady: st.target.nodes.filter((n) => n.notReady).map((n) => n.ref), kinds: kinds(r), asReady: kinds(asReady), notes: r.notes.filter((x) => x.includes('NotReady')) });
    }, { eachStep: true });
    const at = (title: string) => seen.find((x) => x.title === title)!;
    expect(at('node join node/node4').notReady).toEqual(['node/node4']);
    expect(at('node join node/node4').kinds).toEqual([]);
    // What verify said before it knew NotReady: node4 (no flannel.1, no routes) cannot reach the pods.
    expect(at('node join node/node4').asReady).toEqual(['node-to-pod-unreachable']);
    expect(at('node join node/node4').notes).toEqual(['node/node4 is NotReady (NetworkPluginNotReady: the flannel-vxlan agent has not started on node4): flows from and to it are not checked']);
    // Ready once its agent runs; node1's lagging agent is then a real violation, until it syncs.
    expect(at('agent start node/node4').notReady).toEqual([]);
    expect(at('agent start node/node4').kinds).toContain('pod-to-pod-unreachable');
    expect(at('agent sync node/node1').kinds).toEqual([]);
  });

  it('an agent that stops on a Ready node keeps the node Ready: what it fails to program is a violation', () => {
    // node1's flanneld stops before node3's starts: node1 never learns node3's subnet.
    let c = setAgentRunning(withPending(), 'node1', false);
    c = reconcile(addPod(reconcile(setAgentRunning(c, 'node3', true)), { name: 'c1', node: 'node3' }));
    expect(clusterTarget(c).nodes.every((n) => n.notReady === undefined)).toBe(true);
    const pairs = verifyCluster(c).violations.filter((v) => v.kind === 'pod-to-pod-unreachable').map((v) => `${v.witness.from}>${v.witness.to}`);
    expect(pairs).toContain('pod/a1>pod/c1');
  });
});

describe('re-verification with a probe memo', () => {
  it('reuses every probe whose path is unchanged; re-probes what a new pod touches', () => {
    let c = two(buildCluster({ nodes: ['node1', 'node2', 'node3'], design: flannelVxlan() }));
    c = reconcile(addPod(c, { name: 'c1', node: 'node3' }));
    const memo = new ProbeMemo();
    const first = verify(clusterTarget(c), { memo });
    expect(first.ok).toBe(true);
    expect(first.stats.memoHits).toBe(0);
    const again = verify(clusterTarget(c), { memo });
    expect(again.stats.probes).toBe(0);
    expect(again.stats.memoHits).toBe(first.stats.probes);
    // One more pod on node1: node1's namespace changed, so paths through it are probed again; node2 <-> node3 are not.
    const c2 = addPod(c, { name: 'a2', node: 'node1' });
    const third = verify(clusterTarget(c2), { memo });
    expect(third.ok).toBe(true);
    expect(third.stats.memoHits).toBeGreaterThan(0);
    expect(third.stats.probes).toBeLessThan(first.stats.probes);
  });
});

describe('re-verification: a namespace re-made equal in content', () => {
  it('reuses the probes through it (early cutoff); a real change still re-probes', () => {
    const c = two(buildCluster({ nodes: ['node1', 'node2'], design: flannelVxlan() }));
    const memo = new ProbeMemo();
    const first = verify(clusterTarget(c), { memo });
    const t = clusterTarget(c);
    const ns = t.pods[0]!.ns;
    const pns = t.world.ns[ns]!;
    // The pod's namespace as a new object with the same content (every link copied).
    const links = Object.fromEntries(Object.entries(pns.links).map(([k, l]) => [k, { ...l }]));
    const remade = { ...t, world: { ...t.world, ns: { ...t.world.ns, [ns]: { ...pns, links } } } };
    expect(remade.world.ns[ns]).not.toBe(pns);
    const again = verify(remade, { memo });
    expect(again.stats.probes).toBe(0);
    expect(again.stats.memoHits).toBe(first.stats.probes);
    // The same namespace with its MTU changed is probed again.
    const eth0 = Object.entries(pns.links).find(([, l]) => l.name === 'eth0')!;
    const changed = { ...t, world: { ...t.world, ns: { ...t.world.ns, [ns]: { ...pns, links: { ...pns.links, [eth0[0]]: { ...eth0[1], mtu: eth0[1].mtu - 100 } } } } } };
    const third = verify(changed, { memo });
    expect(third.stats.probes).toBeGreaterThan(0);
  });
});

describe('equivalence classes', () => {
  it('pods of one node with the same shape are one class, per-pod rules abstracted (the script plugin example)', () => {
    const t = targetOf('examples/verify/fuzz-leaky-plugin.yaml');
    const cs = podClasses(t);
    expect(cs).toHaveLength(1);
    expect(cs[0]!.members.map((m) => m.ref)).toEqual(['pod/web', 'pod/api', 'pod/db']);
  });

  it('a rule that names one pod alone splits its class', () => {
    let c = reconcile(addPod(addPod(buildCluster({ nodes: ['node1'], design: staticRoutes() }), { name: 'a1', node: 'node1' }), { name: 'a2', node: 'node1' }));
    expect(podClasses(clusterTarget(c))).toHaveLength(1);
    c = runLines(c, 'admin', [`ip netns exec node1 iptables -I FORWARD -s ${c.pods['a2']!.ip}/32 -j DROP`]);
    const cs = podClasses(clusterTarget(c));
    expect(cs.map((k) => k.members.map((m) => m.ref))).toEqual([['pod/a1'], ['pod/a2']]);
    // And the dropped pod's flows are found (a drop by an explicit rule counts under strictPolicy).
    const r = verify(clusterTarget(c), { strictPolicy: true });
    expect(r.violations.some((v) => v.witness.from === 'pod/a2' && v.witness.decidedBy?.entry.includes('-j DROP'))).toBe(true);
    const lax = verify(clusterTarget(c));
    expect(lax.violations.filter((v) => v.witness.from === 'pod/a2' && v.kind === 'pod-to-pod-unreachable')).toEqual([]);
    expect(lax.notes.some((n) => n.includes('-j DROP'))).toBe(true);
  });

  it('a chain policy drop (-P FORWARD DROP) is a violation, not a network policy', () => {
    let c = two(buildCluster({ nodes: ['node1', 'node2'], design: staticRoutes() }));
    c = runLines(c, 'admin', ['ip netns exec node2 iptables -P FORWARD DROP']);
    const r = verifyCluster(c);
    const v = r.violations.find((x) => x.kind === 'pod-to-pod-unreachable' && x.witness.to === 'pod/b1')!;
    expect(v.witness.decidedBy).toEqual({ where: 'node/node2', entry: '-P FORWARD DROP' });
  });
});

describe('static checks', () => {
  it('duplicate MACs in one L2 domain; leftovers of a pod whose DEL did not clean up', () => {
    let c = two(buildCluster({ nodes: ['node1', 'node2'], design: staticRoutes() }));
    const node1 = c.world.ns['node1']!;
    const eth0 = Object.values(node1.links).find((l) => l.name === 'eth0')!;
    c = runLines(c, 'admin', [`ip -n node2 link set eth0 address ${eth0.mac}`]);
    const r = verifyCluster(c, { staticOnly: true });
    const dup = r.violations.find((v) => v.kind === 'duplicate-mac')!;
    expect(dup.message).toBe(`${eth0.mac} is used by node/node1:eth0 and node/node2:eth0 in one L2 domain`);
    // A per-pod rule and a /32 route left behind for an address no pod has.
    c = runLines(c, 'admin', ['ip netns exec node1 iptables -t nat -A POSTROUTING -s 10.244.0.77/32 -j MASQUERADE', 'ip -n node1 route add 10.244.0.78/32 dev eth0']);
    const r2 = verifyCluster(c, { staticOnly: true });
    expect(r2.violations.find((v) => v.kind === 'orphan-chain')!.message).toBe('node/node1: a rule for 10.244.0.77 is left over (no live pod has that address): -A POSTROUTING -s 10.244.0.77/32 -j MASQUERADE');
    expect(r2.violations.find((v) => v.kind === 'orphan-route')!.message).toBe('node/node1 still routes 10.244.0.78 (10.244.0.78 dev eth0), but no live pod has that address');
  });
});
