/**
 * spec.cluster: scenarios whose nodes and pod network are built by a design of
 * src/cluster (src/scenarios/cluster.ts, the cluster half of run.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, Runner, type RunReport, type Scenario } from '../../src/scenarios/index.js';
import { replayScript } from '../../src/scenarios/replay.js';
import { runScript } from '../../src/shell/interp.js';

function load(text: string): Scenario {
  const r = loadScenario(text, { file: 't.yaml' });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
  return r.scenario;
}

function problems(text: string): string[] {
  const r = loadScenario(text, { file: 't.yaml' });
  return r.ok ? [] : r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`);
}

function failures(r: RunReport): string[] {
  return [
    ...r.invalid.map((i) => i.message),
    ...r.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `step ${s.index} ${c.what}: expected ${c.expected}, got ${c.actual}`)),
  ];
}

/** A cluster scenario: `cluster` is the body of spec.cluster (indented 4), `pods` and `steps` list items (indented 4). */
function doc(cluster: string, pods: string, steps: string, extra = ''): string {
  return `apiVersion: podnet.dev/v1alpha1
kind: Scenario
metadata: { name: t }
spec:
${extra}  cluster:
${cluster}  pods:
${pods}  steps:
${steps}`;
}

const THREE = `    design: flannel-vxlan
    nodes: [{ name: node1 }, { name: node2 }, { name: node3 }]
`;
const PODS = `    - { name: a1, node: node1, containers: [{ name: app, ports: [{ containerPort: 80 }] }] }
    - { name: b1, node: node2, containers: [{ name: app }] }
`;

describe('spec.cluster: loading', () => {
  it('stands for the cluster with plain declarations: network underlay, machines router and outside, the nodes with their addresses and podCIDRs', () => {
    const s = load(doc(THREE.replace('{ name: node3 }', '{ name: node3, joined: false }'), PODS, '    - node: { join: node/node3 }\n'));
    expect(s.networks.map((n) => n.name)).toEqual(['underlay']);
    expect(s.machines.map((m) => [m.name, m.forwarding, m.interfaces.map((i) => i.address)])).toEqual([
      ['router', true, ['192.168.0.1/24']],
      ['outside', false, []],
    ]);
    expect(s.nodes.map((n) => [n.name, n.interfaces[0]?.address, n.podCIDR, n.joined])).toEqual([
      ['node1', '192.168.0.11/24', '10.244.0.0/24', true],
      ['node2', '192.168.0.12/24', '10.244.1.0/24', true],
      ['node3', '192.168.0.13/24', '10.244.2.0/24', false],
    ]);
    expect(s.cluster?.design).toBe('flannel-vxlan');
    expect(s.cni).toEqual({});
  });

  it('plans what src/cluster hands out: the run agrees with the declarations (round robin over segments, podCIDRs in join order)', () => {
    const text = doc(
      `    design: cilium
    underlay: routed
    nodes: [{ name: node1 }, { name: node2 }, { name: node3, joined: false }, { name: node4, podCIDR: 10.244.9.0/24 }]
`,
      PODS,
      '    - node: { leave: node/node2 }\n    - node: { join: node/node3 }\n',
    );
    const s = load(text);
    const planned = s.nodes.map((n) => [n.name, n.interfaces[0]?.address, n.podCIDR]);
    expect(planned).toEqual([
      ['node1', '192.168.1.11/24', '10.244.0.0/24'],
      ['node2', '192.168.2.11/24', '10.244.1.0/24'],
      ['node3', '192.168.1.13/24', '10.244.2.0/24'],
      ['node4', '192.168.1.12/24', '10.244.9.0/24'],
    ]);
    const runner = new Runner(s);
    const rep = runner.run(Infinity);
    expect(failures(rep)).toEqual([]);
    // node3 joined after node2 left (round robin by the number of nodes: segment 0; node2's podCIDR is not reused).
    expect(runner.s.nodes.map((n) => [n.name, n.interfaces[0]?.address, n.podCIDR])).toEqual(planned);
  });

  it('rejects hand-written topology next to a cluster, options of another design, unknown reflectors and segments', () => {
    const p = problems(
      doc(
        `    design: flannel-vxlan
    options: { routeReflectors: [node9], directRouting: true }
    nodes: [{ name: node1, segment: 2 }, { name: router }]
`,
        PODS.replace('node: node2', 'node: node1'),
        '    - sh: ip route\n',
        '  networks: [{ name: lan }]\n',
      ),
    );
    expect(p).toEqual([
      '5:3: spec.networks: a scenario with spec.cluster gets its nodes, underlay and router from the cluster; remove spec.networks',
      '8:16: spec.cluster.options.routeReflectors: an option of calico-bgp, not of flannel-vxlan',
      '8:34: spec.cluster.options.routeReflectors[0]: no cluster node "node9" (did you mean "node1"?)',
      '9:37: spec.cluster.nodes[0].segment: the switch underlay has 1 segment (0)',
      '9:50: spec.cluster.nodes[1].name: "router" is the name of one of the cluster\'s own machines (underlay, router, outside)',
    ]);
  });

  it('rejects steps that do not fit: CNI calls, agents and BGP without the design, runtimeState, pods without the design\'s network', () => {
    expect(
      problems(
        doc(
          THREE,
          '    - { name: a1, node: node1, network: none, containers: [{ name: app }] }\n    - { name: b1, node: node2, cniArgs: { IP: 10.244.1.9 }, containers: [{ name: app }] }\n',
          `    - cni: { add: pod/a1 }
    - node: { reboot: node/node1, runtimeState: lost }
    - fault: { bgpDown: [node/node1, node/node2] }
    - agent: { lag: machine/outside }
`,
        ),
      ),
    ).toEqual([
      '9:41: spec.pods[0].network: in a spec.cluster scenario pods use the design\'s network (cni) or the node\'s (host)',
      '10:32: spec.pods[1].cniArgs: in a spec.cluster scenario the design\'s CNI plugin wires the pods; it takes no CNI_ARGS',
      '12:7: spec.steps[0].cni: in a spec.cluster scenario the kubelet runs the design\'s CNI plugin; use sandbox: {create: ...} or {delete: ...}',
      '12:19: spec.steps[0].cni.add: pod a1 does not use CNI (network: none)',
      '13:35: spec.steps[1].node.runtimeState: not for spec.cluster scenarios (the kubelet re-creates the pods of a rebooted node)',
      '14:16: spec.steps[2].fault.bgpDown: BGP sessions exist with spec.cluster design calico-bgp (this cluster is flannel-vxlan)',
      '15:21: spec.steps[3].agent.lag: only machine/router runs an agent (a controller programming the router)',
    ]);
    const hand = `apiVersion: podnet.dev/v1alpha1
kind: Scenario
metadata: { name: t }
spec:
  nodes: [{ name: node-a }]
  steps:
    - agent: { stop: node/node-a }
`;
    expect(problems(hand)).toEqual(['7:7: spec.steps[0].agent: agent steps are for scenarios with spec.cluster (a design\'s agents)']);
    expect(problems(doc(THREE.replace('flannel-vxlan', 'calico-bgp'), PODS, '    - fault: { bgpDown: [node/node1, machine/router] }\n'))).toEqual([
      '12:38: spec.steps[0].fault.bgpDown[1]: the BGP speakers are the nodes (and machine/router with options.peerWithRouter)',
    ]);
  });

  it('documents the cluster in the generated reference', async () => {
    const { markdownReference } = await import('../../src/scenarios/reference.js');
    const md = markdownReference();
    expect(md).toContain('### Cluster\n');
    expect(md).toContain('| `design` | one of `static-routes`, `flannel-host-gw`, `flannel-vxlan`, `kubenet`, `calico-bgp`, `calico-vxlan`, `weave`, `cilium` | yes |');
    expect(md).toContain('### step: agent\n');
  });
});

describe('spec.cluster: running', () => {
  it('builds the cluster with the design, pods on their nodes, probes by name', () => {
    const r = runScenario(
      load(
        doc(
          THREE,
          PODS,
          `    - ping: { from: pod/a1, to: pod/b1 }
      expect: { outcome: reply, ttl: 62, natFree: true, path: [pod/a1, node/node1:flannel.1, network/underlay, node/node2:flannel.1, pod/b1] }
    - tcp: { from: pod/b1, to: pod/a1, port: 80 }
      expect: { outcome: reply }
    - ping: { from: pod/a1, to: machine/outside }
      expect: { outcome: reply, sourceSeen: node/node1 }
    - traceroute: { from: pod/a1, to: pod/b1 }
      expect: { hops: [node/node1, node/node2, pod/b1] }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
    expect(r.steps[0]!.log).toContain('node node1 joined: eth0 192.168.0.11/24, podCIDR 10.244.0.0/24; the flannel-vxlan agent runs there');
    expect(r.steps[0]!.transcript.some((t) => t.who === 'flanneld@node1' && t.script.startsWith('ip -n node1 link add flannel.1'))).toBe(true);
    expect(r.pods['a1']?.ip).toBe('10.244.0.2');
  });

  it('a node whose agent has not started: pods Pending, then the agent installs the design; a lagging agent misses the new node until it syncs', () => {
    const r = runScenario(
      load(
        doc(
          `    design: flannel-vxlan
    nodes: [{ name: node1 }, { name: node2, agentRunning: false }]
`,
          PODS,
          `    - ping: { from: pod/a1, to: node/node2 }
      expect: { outcome: reply }
    - agent: { lag: node/node1 }
    - agent: { start: node/node2 }
      expect: { logContains: ["CNI result: pod b1 got 10.244.1.2"], commandsContain: ["ip -n node2 link add flannel.1"], commandsLack: ["ip -n node1 route"] }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { disposition: no_route, endedIn: machine/router }
    - agent: { sync: node/node1 }
      expect: { commandsContain: ["ip -n node1 route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink"] }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { outcome: reply, ttl: 62 }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
    expect(r.steps[0]!.log.some((l) => l.includes('pod b1 stays Pending') && l.includes('NetworkPluginNotReady'))).toBe(true);
  });

  it('a probe to a Pending pod fails with the reason', () => {
    const r = runScenario(load(doc(`    design: flannel-vxlan\n    nodes: [{ name: node1 }, { name: node2, agentRunning: false }]\n`, PODS, '    - ping: { from: pod/a1, to: pod/b1 }\n')));
    expect(failures(r)).toEqual(['step 1 destination: expected pod/b1 has an address, got pod b1 has no address (Pending: node node2 is NotReady, its network plugin has not started)']);
  });

  it('node leave and reboot go through src/cluster: the others drop the routes, a rebooted node gets its pods back with new sandboxes', () => {
    const r = runScenario(
      load(
        doc(
          THREE,
          PODS + '    - { name: c1, node: node3, containers: [{ name: app }] }\n',
          `    - node: { leave: node/node3 }
      expect: { commandsContain: ["ip -n node1 route del 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink"] }
    - node: { reboot: node/node1 }
      expect: { logContains: ["kubelet on node1: pod a1 gets a new sandbox: 10.244.0.3"] }
    - tcp: { from: pod/b1, to: pod/a1, port: 80 }
      expect: { outcome: reply, natFree: true }
    - sh: { on: node/node1, run: ip route }
      expect: { outputContains: ["10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink"], outputLacks: ["10.244.2.0/24"] }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
  });

  it('sandboxes, the pause container and the underlay cables are the scenario\'s as usual', () => {
    const r = runScenario(
      load(
        doc(
          `    design: calico-bgp
    nodes: [{ name: node1 }, { name: node2 }, { name: node3 }]
`,
          PODS + '    - { name: late, node: node3, start: false, containers: [{ name: app }] }\n',
          `    - sandbox: { create: pod/late }
      expect: { logContains: ["calico-ipam: node node3 claimed block 10.244.0.128/26"], commandsContain: ["ip -n node1 route replace 10.244.0.128/26 via 192.168.0.13 dev eth0 proto bird"] }
    - ping: { from: pod/a1, to: pod/late }
      expect: { outcome: reply, ttl: 62, natFree: true }
    - container: { crash: pod/late/pause }
      expect: { namespace: recreated, running: [app] }
    - fault: { peerDown: node/node2 }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { outcome: icmp_error, disposition: neighbor_unreachable, endedIn: node/node1 }
    - fault: { peerUp: node/node2 }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { outcome: reply }
    - sandbox: { delete: pod/late }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
  });

  it('a controller on the router can lag (kubenet\'s cloud route controller)', () => {
    const r = runScenario(
      load(
        doc(
          `    design: kubenet
    underlay: routed
    nodes: [{ name: node1 }, { name: node2 }, { name: node3, joined: false }]
`,
          PODS + '    - { name: c1, node: node3, containers: [{ name: app }] }\n',
          `    - agent: { lag: machine/router }
    - node: { join: node/node3 }
      expect: { commandsLack: ["ip -n router route"] }
    - ping: { from: pod/a1, to: pod/c1 }
      expect: { disposition: no_route, endedIn: machine/router }
    - agent: { sync: machine/router }
      expect: { commandsContain: ["ip -n router route"] }
    - ping: { from: pod/a1, to: pod/c1 }
      expect: { outcome: reply, natFree: true }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
  });

  it('BGP sessions go down and up (calico-bgp)', () => {
    const r = runScenario(
      load(
        doc(
          `    design: calico-bgp
    nodes: [{ name: node1 }, { name: node2 }]
`,
          PODS,
          `    - fault: { bgpDown: [node/node1, node/node2] }
      expect: { logContains: ["Established -> Idle"], commandsContain: ["ip -n node1 route del 10.244.0.64/26"] }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { disposition: no_route, endedIn: machine/router }
    - fault: { bgpUp: [node/node1, node/node2] }
    - ping: { from: pod/a1, to: pod/b1 }
      expect: { outcome: reply }
`,
        ),
      ),
    );
    expect(failures(r)).toEqual([]);
  });

  it('the build fails as invalid input when src/cluster refuses the cluster', () => {
    const r = runScenario(load(doc(`    design: flannel-vxlan\n    clusterCIDR: 10.244.0.0/24\n    nodeCIDRMaskSize: 24\n    nodes: [{ name: node1 }, { name: node2 }]\n`, PODS, '    - sh: ip route\n')));
    // One /24 in a /24 cluster CIDR: the second node gets no podCIDR and the allocator says so.
    expect(r.steps[0]!.log).toContain('kube-controller-manager: node node2: CIDR allocation failed: the cluster CIDR 10.244.0.0/24 is full');
  });

  it('replays: the run as one script builds the same nodes on a fresh twin', () => {
    const s = load(doc(THREE, PODS, '    - agent: { lag: node/node1 }\n    - node: { reboot: node/node2 }\n'));
    const rep = runScenario(s);
    const script = replayScript(rep.steps);
    expect(script).toContain('# flanneld@node1\ncat > node1-subnet.env');
    const replayed = runScript(script, { seed: s.seed });
    expect(replayed.unsupported).toEqual([]);
    for (const node of ['node1', 'node2', 'node3']) {
      const show = (w: typeof replayed.world): string => runScript(`ip -n ${node} route\nbridge -n ${node} fdb show dev flannel.1\n`, { world: w }).output;
      expect(show(replayed.world)).toBe(show(rep.world));
    }
  });
});

describe('spec.cluster: every design on every underlay', () => {
  // Where each design keeps the network model (docs/designs.md); elsewhere it is a failure mode.
  const WORKS: Record<string, readonly string[]> = {
    'static-routes': ['switch'],
    'flannel-host-gw': ['switch'],
    'flannel-vxlan': ['switch', 'routed', 'public'],
    kubenet: ['switch', 'routed'],
    'calico-bgp': ['switch'],
    'calico-vxlan': ['switch', 'routed', 'public'],
    weave: ['switch'],
    cilium: ['switch', 'routed', 'public'],
  };
  for (const [design, works] of Object.entries(WORKS)) {
    for (const underlay of ['switch', 'routed', 'public']) {
      it(`${design} on ${underlay}: churn runs without a crash${works.includes(underlay) ? ', and pods reach each other without NAT' : ''}`, () => {
        const reach = works.includes(underlay) ? '\n      expect: { outcome: reply, natFree: true }' : '';
        const s = load(
          doc(
            `    design: ${design}
    underlay: ${underlay}
    nodes: [{ name: node1 }, { name: node2 }, { name: node3, joined: false, agentRunning: false }]
`,
            PODS + '    - { name: c1, node: node3, containers: [{ name: app }] }\n',
            `    - ping: { from: pod/a1, to: pod/b1 }${reach}
    - node: { join: node/node3 }
    - agent: { start: node/node3 }
    - ping: { from: pod/c1, to: pod/a1 }${reach}
    - node: { reboot: node/node2 }
    - ping: { from: pod/a1, to: pod/b1 }${reach}
    - agent: { stop: node/node1 }
    - sandbox: { delete: pod/b1 }
    - sandbox: { create: pod/b1 }
    - agent: { start: node/node1 }
    - node: { leave: node/node3 }
    - ping: { from: pod/b1, to: pod/a1 }${reach}
    - ping: { from: pod/a1, to: machine/outside }${reach ? '\n      expect: { outcome: reply, sourceSeen: node/node1 }' : ''}
`,
          ),
        );
        const r = runScenario(s);
        expect(r.invalid).toEqual([]);
        if (reach) expect(failures(r)).toEqual([]);
      });
    }
  }
});

describe('spec.cluster: the Cluster behind the run', () => {
  it('is available to src/cluster and src/verify tools (runner.cluster, with the current world)', async () => {
    const { verifyCluster } = await import('../../src/verify/cluster.js');
    const { ping } = await import('../../src/cluster/check.js');
    const runner = new Runner(load(doc(THREE.replace('flannel-vxlan', 'calico-bgp'), PODS, '    - ping: { from: pod/a1, to: pod/b1 }\n')));
    expect(failures(runner.run(Infinity))).toEqual([]);
    const c = runner.cluster!;
    expect(c.world).toBe(runner.world);
    expect(ping(c, 'a1', 'b1')).toMatchObject({ verdict: 'ok', replyTtl: 62 });
    expect(verifyCluster(c).violations).toEqual([]);
    const hand = new Runner(load(`apiVersion: podnet.dev/v1alpha1\nkind: Scenario\nmetadata: { name: t }\nspec:\n  nodes: [{ name: n }]\n`));
    hand.run(Infinity);
    expect(hand.cluster).toBeUndefined();
  });
});
