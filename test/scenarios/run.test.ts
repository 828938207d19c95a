import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, Runner, type RunReport, type Scenario } from '../../src/scenarios/index.js';
import { CNI_BRIDGE, oneNode } from './helpers.js';

function load(text: string): Scenario {
  const r = loadScenario(text, { file: 't.yaml' });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
  return r.scenario;
}

function run(text: string): RunReport {
  return runScenario(load(text));
}

/** "what: expected X, got Y" for every failed check. */
function failures(r: RunReport): string[] {
  return r.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `step ${s.index} ${c.what}: expected ${c.expected}, got ${c.actual}`));
}

const TWO_NODES = (steps: string, extraNode = ''): string => `apiVersion: podnet.dev/v1alpha1
kind: Scenario
metadata: { name: t }
spec:
  networks: [{ name: lan }]${CNI_BRIDGE}
  nodes:
    - name: node-a
      podCIDR: 10.244.1.0/24
      forwarding: true
      interfaces: [{ name: eth0, network: lan, address: 192.168.0.10/24 }]
    - name: node-b
      podCIDR: 10.244.2.0/24
      forwarding: true
      interfaces: [{ name: eth0, network: lan, address: 192.168.0.11/24 }]
${extraNode}  pods:
    - { name: frontend, node: node-a, containers: [{ name: web }] }
    - { name: backend, node: node-b, containers: [{ name: api, ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: UDP }] }] }
  steps:
${steps}`;

const HAND_ROUTES = `    - sh: |
        ip -n node-a route add 10.244.2.0/24 via 192.168.0.11
        ip -n node-b route add 10.244.1.0/24 via 192.168.0.10
`;

describe('runScenario: probes and expectations', () => {
  it('passes when the expectations hold and reports each check', () => {
    const r = run(oneNode('    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { outcome: reply, ttl: 64, natFree: true, endedIn: pod/backend, sourceSeen: pod/frontend }\n'));
    expect(r.passed).toBe(true);
    expect(r.steps[1]!.checks.map((c) => c.what)).toEqual(['outcome', 'ended in', 'TTL at the destination', 'source seen at the destination', 'NAT-free']);
    expect(r.steps[1]!.probe!.outcome).toBe('echo reply from 10.244.1.3 ttl 64');
    expect(r.pods).toMatchObject({ frontend: { ip: '10.244.1.2', running: ['web'] }, backend: { ip: '10.244.1.3', running: ['api', 'side'] } });
    // The emulated containerd runs the sandboxes: namespaces named cni-<uuid>.
    expect(r.pods.frontend!.ns).toMatch(/^cni-[0-9a-f-]{36}$/);
    expect(r.places[r.pods.backend!.ns]).toEqual({ kind: 'pod', name: 'backend' });
  });
  it('fails with what was expected and what happened, at the expectation key', () => {
    const r = run(oneNode('    - tcp: { from: pod/frontend, to: pod/backend, port: 9999 }\n      expect:\n        outcome: reply\n        disposition: delivered\n'));
    expect(r.passed).toBe(false);
    expect(failures(r)).toEqual([
      'step 1 outcome: expected reply, got reset',
      `step 1 disposition: expected delivered, got port_unreachable (nothing listens on TCP port 9999 in netns ${r.pods.backend!.ns} (connection refused))`,
    ]);
    expect(r.steps[1]!.checks[0]!.pos).toEqual({ line: 32, col: 9 });
  });
  it('needs hand-written routes across nodes; traceroute names every hop', () => {
    const before = run(TWO_NODES('    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { outcome: reply }\n'));
    // node-a has no route to 10.244.2.0/24: its cni0 address answers net unreachable.
    expect(failures(before)).toEqual(['step 1 outcome: expected reply, got icmp_error']);
    const r = run(
      TWO_NODES(
        HAND_ROUTES +
          '    - traceroute: { from: pod/frontend, to: pod/backend }\n      expect: { hops: [node/node-a, node/node-b, pod/backend], reached: true }\n' +
          '    - udp: { from: pod/frontend, to: pod/backend, port: 53 }\n      expect: { outcome: timeout, disposition: delivered, path: [node/node-a:cni0, network/lan, node/node-b:eth0] }\n' +
          '    - udp: { from: pod/frontend, to: pod/backend, port: 54 }\n      expect: { outcome: icmp_error, disposition: port_unreachable }\n',
      ),
    );
    expect(failures(r)).toEqual([]);
    expect(r.steps[2]!.probe!.hops).toEqual(['node/node-a', 'node/node-b', 'pod/backend']);
  });
  it('checks the path in order, and what it must avoid', () => {
    const r = run(
      TWO_NODES(
        HAND_ROUTES + '    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { path: [node/node-b, node/node-a], pathLacks: [network/lan] }\n',
      ),
    );
    expect(failures(r)).toEqual([
      'step 2 path: expected node/node-b -> node/node-a, got pod/frontend -> node/node-a -> network/lan -> node/node-b -> pod/backend (no node/node-a after that point)',
      'step 2 path lacks: expected network/lan, got went through network/lan',
    ]);
  });
  it('counts the packets a rule matched during the probe only', () => {
    const r = run(
      TWO_NODES(
        HAND_ROUTES +
          '    - sh: ip netns exec node-b iptables -A FORWARD -d 10.244.2.0/24 -p icmp -j ACCEPT\n' +
          '    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { counters: [{ on: node/node-b, chain: FORWARD, rule: "-p icmp -j ACCEPT", packets: 1 }] }\n' +
          '    - ping: { from: pod/frontend, to: pod/backend, count: 2 }\n      expect: { counters: [{ on: node/node-b, chain: FORWARD, rule: "-p icmp -j ACCEPT", packets: 1 }, { on: node/node-b, chain: FORWARD, rule: "-j NOPE", packets: 0 }] }\n',
      ),
    );
    expect(failures(r)).toEqual([
      'step 4 counter filter FORWARD "-p icmp -j ACCEPT" on node/node-b: expected 1 packet(s), got 2 packet(s)',
      'step 4 counter filter FORWARD "-j NOPE" on node/node-b: expected 0 packet(s), got no such rule',
    ]);
  });
  it('sees the source NAT made on the way', () => {
    const r = run(
      TWO_NODES(
        HAND_ROUTES +
          '    - sh: ip netns exec node-b iptables -t nat -A PREROUTING -d 10.244.2.2 -j DNAT --to-destination 10.244.2.2\n' +
          '    - ping: { from: node/node-a, to: pod/backend }\n      expect: { sourceSeen: node/node-a, natFree: true }\n',
      ),
    );
    expect(failures(r)).toEqual([]);
  });
});

describe('runScenario: steps', () => {
  it('a sh step fails when a command fails, unless expect.exitCode says so', () => {
    const r = run(oneNode('    - sh: ip route add 10.9.0.0/16 via 10.99.0.1\n    - sh: { on: node/node-a, run: ip link show nope }\n      expect: { exitCode: 1, output: "Device \\"nope\\" does not exist.\\n" }\n'));
    expect(failures(r)).toEqual(['step 1 commands succeed: expected exit code 0 (say expect.exitCode if a failure is intended), got exit code 2: Error: Nexthop has invalid gateway.']);
  });
  it('a container crash keeps the namespace and the IP; the pause container takes both with it', () => {
    const r = run(
      oneNode(
        [
          '    - container: { crash: pod/backend/api }',
          '      expect: { running: [side], podIP: unchanged, namespace: kept }',
          '    - tcp: { from: pod/frontend, to: pod/backend, port: 8080 }',
          '      expect: { outcome: reset }',
          '    - container: { restart: pod/backend/api }',
          '      expect: { running: [api, side], logContains: [restartCount 1] }',
          '    - container: { crash: pod/backend/pause }',
          '      expect: { podIP: changed, namespace: recreated, running: [api, side] }',
          '    - tcp: { from: pod/frontend, to: pod/backend, port: 8080 }',
          '      expect: { outcome: reply }',
          '',
        ].join('\n'),
      ),
    );
    expect(failures(r)).toEqual([]);
    expect(r.pods.backend!.ip).toBe('10.244.1.4');
  });
  it('deleting a sandbox runs CNI DEL and frees the address; creating it again gets it back', () => {
    const r = run(
      oneNode(
        [
          '    - sandbox: { delete: pod/backend }',
          '      expect: { running: [], logContains: [DelNetworkList] }',
          '    - sh: cat /var/lib/cni/networks/podnet/10.244.1.3',
          '      expect: { exitCode: 1 }',
          '    - sandbox: { create: pod/backend }',
          // host-local hands out the next address after the last one it reserved.
          '      expect: { running: [api, side], logContains: [pod backend got 10.244.1.4/24] }',
          '    - sandbox: { create: pod/backend }',
          '',
        ].join('\n'),
      ),
    );
    expect(failures(r)).toEqual(['step 4 create sandbox: expected pod backend has no sandbox yet, got it already has one']);
  });
  it('a reboot loses what steps added (routes) but keeps what is declared', () => {
    const r = run(
      TWO_NODES(
        HAND_ROUTES +
          '    - node: { reboot: node/node-a }\n' +
          '    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { outcome: icmp_error, disposition: no_route, endedIn: node/node-a }\n' +
          '    - sh: { on: node/node-a, run: ip -br addr show eth0 }\n      expect: { outputContains: [192.168.0.10/24] }\n',
      ),
    );
    expect(failures(r)).toEqual([]);
    // host-local's files survive the reboot (they are on disk): the new sandbox gets the next address.
    expect(r.pods.frontend!.ip).toBe('10.244.1.3');
  });
  it('a node that leaves takes its pods; a late node joins with its pods', () => {
    const late = '    - name: node-c\n      joined: false\n      podCIDR: 10.244.3.0/24\n      interfaces: [{ name: eth0, network: lan, address: 192.168.0.12/24 }]\n';
    const text = TWO_NODES(
      '    - node: { leave: node/node-b }\n' +
        '    - ping: { from: pod/frontend, to: pod/backend }\n' +
        '    - node: { join: node/node-c }\n' +
        '    - ping: { from: node/node-a, to: pod/late }\n      expect: { outcome: local_error }\n' +
        '    - ping: { from: node/node-a, to: node/node-c }\n      expect: { outcome: reply }\n',
      late,
    ).replace('  steps:', '    - { name: late, node: node-c, containers: [{ name: x }] }\n  steps:');
    const r = run(text);
    expect(failures(r)).toEqual(['step 2 destination: expected pod/backend has an address, got pod backend has no address (no sandbox)']);
    expect(r.pods.late!.ip).toBe('10.244.3.2');
  });
  it('faults: link down, ARP flush, peer down, rule insert', () => {
    const r = run(
      TWO_NODES(
        HAND_ROUTES +
          '    - fault: { linkDown: node/node-b:eth0 }\n' +
          '    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { outcome: icmp_error, disposition: neighbor_unreachable }\n' +
          '    - fault: { linkUp: node/node-b:eth0 }\n' +
          '    - fault: { arpFlush: node/node-a }\n' +
          '    - sh: { on: node/node-a, run: ip neigh show dev eth0 }\n      expect: { outputLacks: [192.168.0.11] }\n' +
          '    - fault: { peerDown: node/node-b }\n' +
          '    - ping: { from: node/node-a, to: node/node-b }\n      expect: { outcome: icmp_error, disposition: neighbor_unreachable }\n' +
          '    - fault: { peerUp: node/node-b }\n' +
          '    - fault: { ruleInsert: "-I FORWARD -p tcp --dport 8080 -j REJECT", on: node/node-a }\n' +
          '    - tcp: { from: pod/frontend, to: pod/backend, port: 8080 }\n      expect: { outcome: icmp_error, endedIn: node/node-a }\n' +
          '    - fault: { routeDelete: 10.244.2.0/24, on: node/node-a }\n' +
          '    - ping: { from: pod/frontend, to: pod/backend }\n      expect: { outcome: icmp_error, disposition: no_route }\n',
      ),
    );
    expect(failures(r)).toEqual([]);
  });
  it('hostNetwork pods live in their node\'s namespace and answer on its address', () => {
    const text = oneNode('    - tcp: { from: pod/frontend, to: pod/agent, port: 9100 }\n      expect: { outcome: reply, endedIn: node/node-a }\n').replace(
      '  steps:',
      '    - { name: agent, node: node-a, network: host, containers: [{ name: exporter, ports: [{ containerPort: 9100 }] }] }\n  steps:',
    );
    const r = run(text);
    expect(failures(r)).toEqual([]);
    expect(r.pods.agent).toEqual({ ns: 'node-a', ip: '10.244.1.1', running: ['exporter'] });
  });
  it('a declaration the twin rejects is invalid input, pointed at', () => {
    const r = run(TWO_NODES('    - sh: ip route\n').replace('      forwarding: true\n      interfaces: [{ name: eth0, network: lan, address: 192.168.0.11/24 }]', '      forwarding: true\n      routes: ["10.9.0.0/16 via 10.99.0.1"]\n      interfaces: [{ name: eth0, network: lan, address: 192.168.0.11/24 }]'));
    expect(r.invalid.map((i) => `${i.pos.line}:${i.pos.col}: ${i.message}`)).toEqual(['24:16: node node-b: `ip -n node-b route add 10.9.0.0/16 via 10.99.0.1` failed: Error: Nexthop has invalid gateway.']);
    expect(r.passed).toBe(false);
    expect(r.steps).toHaveLength(1);
  });
  it('runs up to a step, then ad-hoc probes and commands (podnet trace/show)', () => {
    const runner = new Runner(load(TWO_NODES(HAND_ROUTES)));
    runner.run(0);
    const p = runner.adhoc('ping', 'pod/frontend', 'pod/backend');
    expect(typeof p !== 'string' && p.probe!.outcome).toBe('ICMP destination unreachable code 0 from 10.244.1.1');
    expect(runner.adhoc('ping', 'pod/nope', 'pod/backend')).toBe('"pod/nope": no pod named nope (pods: frontend, backend)');
    expect(runner.adhoc('tcp', 'pod/frontend', 'pod/backend')).toBe('tcp needs a port (--port N)');
    expect(runner.shell('node/node-a', 'ip route show 10.244.1.0/24')).toEqual({ output: '10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n', status: 0 });
    expect(runner.shell('network/lan', 'ip route')).toBe('"network/lan": expected pod/NAME, node/NAME or machine/NAME');
  });
});
