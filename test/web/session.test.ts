/** The page's logic without the DOM: load, validate, probe, terminal, diagram. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elementId, nsKey, overlayPath } from '../../src/diagram/index.js';
import { Session } from '../../src/web/session.js';

const EX = (f: string) => readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8');

describe('Session on a scenario', () => {
  const s = new Session({ file: '05-graphic4-switch.yaml', kind: 'scenario', text: EX('05-graphic4-switch.yaml') });

  it('loads, lists steps and the references to probe from', () => {
    expect(s.issues).toEqual([]);
    expect(s.steps()[0]).toEqual({ index: 0, label: '0: right after the build' });
    expect(s.steps().length).toBe(s.scenario!.steps.length + 1);
    expect(s.refs().senders).toEqual(expect.arrayContaining(['pod/frontend', 'pod/backend', 'node/node-a', 'node/node-b']));
  });

  it('traces a probe across nodes and draws its walk', () => {
    const r = s.probe('pod/frontend', 'pod/backend');
    expect(r.error).toBeUndefined();
    expect(r.walks[0]!.label).toMatch(/^1\. ICMP echo request .* from pod frontend$/);
    const d = s.diagram(r.walks[0]!.trace);
    const frontendNs = s.report!.pods['frontend']!.ns;
    expect(overlayPath(d.overlay!)).toEqual([frontendNs, 'node-a', 'lan', 'node-b', s.report!.pods['backend']!.ns]);
    const hops = s.hops(r.walks[0]!.trace, d);
    // Every trace hop is listed; the packet's own carry their number, ARP side trips none.
    expect(hops.length).toBe(r.walks[0]!.trace.hops.length);
    expect(hops.filter((h) => h.n !== undefined).map((h) => h.n)).toEqual([1, 2, 3, 4, 5]);
    expect(hops[0]!.place).toBe('pod frontend');
    expect(hops[1]!.steps.some((x) => x.entry === '10.244.2.0/24 via 192.168.0.11 dev eth0')).toBe(true);
  });

  it('reports a bad reference as the scenario engine words it', () => {
    expect(s.probe('pod/nope', 'pod/backend').error).toBe('"pod/nope": no pod named nope (pods: frontend, backend)');
  });

  it('runs terminal lines on the current world and the diagram follows', () => {
    const before = s.diagram().graph.nodeCount();
    const r = s.shell('ip netns add extra');
    expect(r.status).toBe(0);
    expect(s.edited).toBe(true);
    const g = s.diagram().graph;
    expect(g.hasNode(nsKey('extra'))).toBe(true);
    expect(g.nodeCount()).toBe(before + 1); // its frame: lo alone is not drawn
    // Commands print what the real tools print, on the scenario's world.
    expect(s.shell('ip -n node-a route show 10.244.2.0/24').output).toBe('10.244.2.0/24 via 192.168.0.11 dev eth0 \n');
    const bad = s.shell('ip link add x type nope');
    expect(bad.status).not.toBe(0);
    s.rebuild();
    expect(s.edited).toBe(false);
    expect(s.diagram().graph.hasNode(nsKey('extra'))).toBe(false);
  });

  it('a probe after a terminal change sees the change', () => {
    s.shell('ip -n node-a route del 10.244.2.0/24');
    const r = s.probe('pod/frontend', 'pod/backend');
    expect(r.step!.probe!.request!.disposition).not.toBe('delivered');
    s.rebuild();
  });

  it('validates edited text with positions, and adopts only valid text', () => {
    const text = EX('05-graphic4-switch.yaml').replace('node: node-b', 'node: node-z');
    const issues = s.validate(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.pos.line).toBeGreaterThan(1);
    expect(issues.map((i) => i.message).join('\n')).toContain('node-z');
    expect(s.setText(text).length).toBeGreaterThan(0);
    // The world stays the last valid one.
    expect(s.scenario!.pods.every((p) => p.node !== 'node-z')).toBe(true);
  });

  it('element ids match the keys the page looks for', () => {
    expect(elementId(nsKey('node-a'))).toBe('ns_3anode-a');
  });
});

describe('Session on a script', () => {
  it('builds the world the script leaves and offers no scenario probes', () => {
    const s = new Session({ file: 'lab.sh', kind: 'script', text: 'ip netns add a\nip netns add b\nip link add va netns a type veth peer name vb netns b\n' });
    expect(s.refs().senders).toEqual([]);
    expect(s.probe('pod/a', 'pod/b').error).toMatch(/need a scenario/);
    const g = s.diagram().graph;
    expect(g.hasNode(nsKey('a'))).toBe(true);
    expect(g.edges().map((e) => g.edge(e).kind)).toEqual(['veth']);
    // Pings from the terminal come back as walks to step through.
    s.shell('ip -n a addr add 10.0.0.1/24 dev va');
    s.shell('ip -n b addr add 10.0.0.2/24 dev vb');
    s.shell('ip -n a link set va up');
    s.shell('ip -n b link set vb up');
    const r = s.shell('ip netns exec a ping -c 1 -W 1 10.0.0.2');
    expect(r.output).toContain('1 packets transmitted, 1 received');
    expect(r.walks.map((w) => w.label)).toEqual([expect.stringMatching(/^1\. ICMP echo request .* from netns a$/), expect.stringMatching(/^2\. ICMP echo reply/)]);
    expect(overlayPath(s.diagram(r.walks[0]!.trace).overlay!)).toEqual(['a', 'b']);
  });

  it('an empty machine still shows its host', () => {
    const s = new Session({ file: 'lab', kind: 'script', text: '' });
    expect(s.diagram().graph.children()).toEqual([nsKey('/')]);
  });
});
