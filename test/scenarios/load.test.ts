import { describe, expect, it } from 'vitest';
import { formatIssue, loadScenario } from '../../src/scenarios/index.js';
import { oneNode } from './helpers.js';

function problems(text: string, readFile?: (p: string) => string | undefined): string[] {
  const r = loadScenario(text, { file: 'f.yaml', ...(readFile ? { readFile } : {}) });
  if (r.ok) return [];
  return r.issues.map(formatIssue);
}

describe('loadScenario: valid documents', () => {
  it('fills defaults and types the steps', () => {
    const r = loadScenario(oneNode('    - ping: { from: pod/frontend, to: pod/backend }\n    - sh: ip route\n'), { file: 'f.yaml' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.scenario;
    expect(s.seed).toBe(1);
    expect(s.pods[0]!.network).toBe('cni');
    expect(s.pods[1]!.containers[0]!.ports[0]).toEqual({ containerPort: 8080, protocol: 'TCP' });
    expect(s.steps.map((x) => x.kind)).toEqual(['ping', 'sh']);
    expect(s.steps[0]!.pos).toEqual({ line: 30, col: 7 });
    // `sh: STRING` is short for {run: STRING}.
    expect(s.steps[1]!.action).toEqual({ run: 'ip route' });
  });
  it('fills {{podCIDR}} into the CNI configuration per node', () => {
    const r = loadScenario(oneNode('    - sh: ip route\n'));
    expect(r.ok && (r.scenario.cni['node-a']!.plugins[0]!.ipam as { subnet: string }).subnet).toBe('10.244.1.0/24');
  });
  it('reads a CNI configuration file through the callback, relative names as given', () => {
    const doc = oneNode('    - sh: ip route\n').replace(/  cni:\n    conflist:[\s\S]*?routes: \[\{ dst: 0.0.0.0\/0 \}\] \}\n/, '  cni: { file: net.conflist }\n');
    const conf = JSON.stringify({ cniVersion: '0.4.0', name: 'filenet', plugins: [{ type: 'bridge', bridge: 'br9', ipam: { type: 'host-local', subnet: '{{podCIDR}}' } }] });
    const r = loadScenario(doc, { readFile: (p) => (p === 'net.conflist' ? conf : undefined) });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.cni['node-a']).toMatchObject({ name: 'filenet', cniVersion: '0.4.0', origin: 'net.conflist' });
    expect(problems(doc, () => undefined)).toEqual(['f.yaml:6:16: spec.cni.file: cannot read "net.conflist"']);
    expect(problems(doc, () => '{nope')[0]).toMatch(/^f\.yaml:6:16: spec\.cni\.file: "net\.conflist" is not valid JSON/);
  });
  it('accepts a single .conf (type at the top) as a one-plugin list', () => {
    const doc = oneNode('    - sh: ip route\n').replace(/    conflist:\n      cniVersion: 1.0.0\n      name: podnet\n      plugins:\n        - type: bridge\n          bridge: cni0\n          isGateway: true\n          ipam/, '    conflist:\n      cniVersion: 1.0.0\n      name: podnet\n      type: bridge\n      bridge: cni0\n      ipam');
    const r = loadScenario(doc);
    expect(r.ok && r.scenario.cni['node-a']!.plugins.map((p) => p.type)).toEqual(['bridge']);
  });
});

describe('loadScenario: errors as file:line:col', () => {
  it('reports YAML syntax errors with their position', () => {
    expect(problems('a: [1, 2\nb: 1\n')).toEqual(['f.yaml:2:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(problems('a: 1\na: 2\n')).toEqual(['f.yaml:2:1: YAML: Map keys must be unique']);
  });
  it('reports a document that is not a mapping', () => {
    expect(problems('- 1\n')[0]).toMatch(/^f\.yaml:1:1: a scenario is a YAML mapping/);
    expect(problems('')[0]).toMatch(/^f\.yaml:1:1: a scenario is a YAML mapping/);
  });
  it('points at an unknown key and suggests the right one', () => {
    const doc = oneNode('    - ping: { from: pod/frontend, to: pod/backend }\n').replace('      containers: [{ name: web }]', '      contaners: [{ name: web }]');
    expect(problems(doc)).toEqual([
      'f.yaml:20:7: missing required key "containers" in spec.pods[0]',
      'f.yaml:22:7: unknown key "contaners" in spec.pods[0] (did you mean "containers"?)',
    ]);
  });
  it('lists every problem at once, in source order', () => {
    const doc = oneNode(
      ['    - pnig: { from: pod/frontend, to: pod/backend }', '    - ping: { from: pod/frontnd, to: pod/backend, count: "3" }', '      expect: { disposition: deliverd, hops: [] }', ''].join('\n'),
    )
      .replace('kind: Scenario', 'kind: Scenaro')
      .replace('podCIDR: 10.244.1.0/24', 'podCIDR: 10.244.1.0/33');
    expect(problems(doc)).toEqual([
      'f.yaml:2:7: kind: must be "Scenario", got a string ("Scenaro") (did you mean "Scenario"?)',
      'f.yaml:18:16: spec.nodes[0].podCIDR: must be an IPv4 address with a prefix length, e.g. 10.244.1.0/24',
      'f.yaml:30:7: unknown key "pnig" in spec.steps[0] (did you mean "ping"?)',
      'f.yaml:31:21: spec.steps[1].ping.from: no pod "frontnd" (did you mean "pod/frontend"?)',
      'f.yaml:31:58: spec.steps[1].ping.count: expected a number, got a string ("3")',
      'f.yaml:32:30: spec.steps[1].expect.disposition: must be one of delivered, exits_network, no_route, null_routed, unreachable, prohibited, neighbor_unreachable, denied_in, denied_out, ttl_exceeded, loop, forwarding_disabled, rp_filter, frag_needed, link_down, martian, port_unreachable, rejected, got a string ("deliverd") (did you mean "delivered"?)',
      'f.yaml:32:40: unknown key "hops" in spec.steps[1].expect (expected one of: outcome, disposition, endedIn, ttl, sourceSeen, natFree, path, pathLacks, counters)',
    ]);
  });
  it('rejects dangling names of every kind', () => {
    const doc = oneNode(
      [
        '    - sh: { on: node/node-z, run: ip route }',
        '    - container: { crash: pod/backend/apy }',
        '    - tcp: { from: pod/frontend, to: machine/router, port: 80 }',
        '      expect: { endedIn: network/lan, path: [pod/nobody] }',
        '    - node: { reboot: pod/frontend }',
        '',
      ].join('\n'),
    ).replace('      node: node-a\n      containers: [{ name: web }]', '      node: node-q\n      containers: [{ name: web }]');
    expect(problems(doc)).toEqual([
      'f.yaml:21:13: spec.pods[0].node: no node or machine "node-q" (did you mean "node-a"?)',
      'f.yaml:30:17: spec.steps[0].sh.on: no node "node-z" (did you mean "node/node-a"?)',
      'f.yaml:31:27: spec.steps[1].container.crash: pod backend has no container "apy" (did you mean "pod/backend/api"?)',
      'f.yaml:32:38: spec.steps[2].tcp.to: no machine "router" (the scenario declares no machines)',
      'f.yaml:33:26: spec.steps[2].expect.endedIn: no network "lan" (the scenario declares no networks)',
      'f.yaml:33:46: spec.steps[2].expect.path[0]: no pod "nobody" (pods: frontend, backend)',
      'f.yaml:34:23: spec.steps[3].node.reboot: expected node/NAME, got a pod reference "pod/frontend"',
    ]);
  });
  it('rejects a step with two actions, or none', () => {
    expect(problems(oneNode('    - sh: ip route\n      ping: { from: pod/frontend, to: pod/backend }\n    - name: x\n'))).toEqual([
      'f.yaml:31:7: spec.steps[0]: a step has exactly one action, but this one has "sh" and "ping" (make it a separate step)',
      'f.yaml:32:7: spec.steps[1]: a step needs an action: one of sh, cni, sandbox, container, node, agent, fault, ping, tcp, udp, traceroute',
    ]);
  });
  it('rejects expectations that do not fit the action', () => {
    expect(problems(oneNode('    - sh: ip route\n      expect: { ttl: 64 }\n'))).toEqual([
      'f.yaml:31:17: unknown key "ttl" in spec.steps[0].expect (expected one of: exitCode, output, outputContains, outputLacks, outputMatches)',
    ]);
  });
  it('rejects duplicate names across namespaces, and a pod using CNI on a node without a configuration', () => {
    const doc = oneNode('    - sh: ip route\n').replace(/  cni:\n[\s\S]*?routes: \[\{ dst: 0.0.0.0\/0 \}\] \}\n/, '').replace('    - name: backend', '    - name: node-a');
    const p = problems(doc);
    expect(p).toContain('f.yaml:11:7: spec.pods[0]: pod frontend uses network cni but node node-a has no CNI configuration (set spec.cni or the node\'s cni); use network: none and wire it with steps');
    expect(p).toContain('f.yaml:14:13: spec.pods[1]: the name "node-a" is already used by node node-a (networks, machines, nodes and pods each get a network namespace of their name, so names are unique across them)');
  });
  it('rejects CNI plugins the twin does not emulate', () => {
    const doc = oneNode('    - sh: ip route\n').replace('- type: bridge', '- type: flannel');
    expect(problems(doc)[0]).toMatch(/^f\.yaml:11:17: spec\.cni\.conflist: plugins\[0\]: plugin type "flannel" is not emulated by podnet \(emulated: /);
  });
  it('rejects a template variable the node cannot fill', () => {
    expect(problems(oneNode('    - sh: ip route\n').replace('      podCIDR: 10.244.1.0/24\n', ''))).toEqual([
      'f.yaml:17:13: spec.nodes[0]: the CNI configuration spec.cni uses {{podCIDR}} but node node-a has no podCIDR',
    ]);
  });
  it('rejects a bad regular expression', () => {
    expect(problems(oneNode('    - sh: ip route\n      expect: { outputMatches: ["(a"] }\n'))[0]).toMatch(/^f\.yaml:31:33: spec\.steps\[0\]\.expect\.outputMatches\[0\]: not a valid regular expression/);
  });
  it('never throws on hostile YAML (alias bombs, odd tags, huge input)', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    expect(problems(bomb).length).toBeGreaterThan(0);
    expect(problems('!!binary aGVsbG8=\n').length).toBeGreaterThan(0);
    expect(problems('x'.repeat(1_000_001))[0]).toMatch(/file too large/);
  });
});
