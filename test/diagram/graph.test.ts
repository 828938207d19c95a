import { describe, expect, it } from 'vitest';
import { buildGraph, devKey, edgeKey, elementId, nsKey, overlayPath, shellPlacement, toDot, toMermaid, traceOverlay } from '../../src/diagram/index.js';
import { runScript } from '../../src/shell/interp.js';

/** Two namespaces on a bridge in the host, addresses on both pods and the bridge. */
const LAB = `ip netns add a
ip netns add b
ip link add br0 type bridge
ip addr add 10.0.0.1/24 dev br0
ip link set br0 up
ip link add va type veth peer name eth0 netns a
ip link add vb type veth peer name eth0 netns b
ip link set va master br0 up
ip link set vb master br0 up
ip -n a addr add 10.0.0.2/24 dev eth0
ip -n b addr add 10.0.0.3/24 dev eth0
ip -n a link set eth0 up
ip -n b link set eth0 up
ip -n a link set lo up
`;

describe('the graph of a world', () => {
  const w = runScript(LAB).world;
  const g = buildGraph(w, { placement: shellPlacement(w) });

  it('has one frame per namespace, its devices inside, lo left out', () => {
    expect(g.children().sort()).toEqual([nsKey('/'), nsKey('a'), nsKey('b')].sort());
    const names = (ns: string) => g.children(nsKey(ns)).map((k) => (g.node(k) as { name: string }).name);
    expect(names('/')).toEqual(['br0', 'va', 'vb']);
    expect(names('a')).toEqual(['eth0']);
    const eth0 = g.node(devKey('a', 2));
    expect(eth0).toMatchObject({ type: 'dev', kind: 'veth', name: 'eth0', addrs: ['10.0.0.2/24'], up: true });
    expect(g.node(devKey('/', 2))).toMatchObject({ kind: 'bridge', detail: 'bridge, 2 ports', addrs: ['10.0.0.1/24'] });
  });

  it('links each veth pair once and each port to its bridge', () => {
    const edges = g.edges().map((e) => `${e.v} ${g.edge(e).kind} ${e.w}`).sort();
    // Pod ends first (a netns sits above the host), the host ends second.
    expect(edges).toEqual([
      `${devKey('/', 3)} port ${devKey('/', 2)}`,
      `${devKey('/', 4)} port ${devKey('/', 2)}`,
      `${devKey('a', 2)} veth ${devKey('/', 3)}`,
      `${devKey('b', 2)} veth ${devKey('/', 4)}`,
    ].sort());
  });

  it('writes DOT with stable ids and classes, and Mermaid with subgraphs', () => {
    const dot = toDot({ graph: g });
    expect(dot).toContain(`subgraph "cluster_ns:a" {`);
    expect(dot).toContain(`id="${elementId(nsKey('a'))}", class="ns netns", label="netns a"`);
    expect(dot).toContain(`"dev:a:2" [id="dev_3aa_3a2", class="dev veth", label="eth0\\n10.0.0.2/24"`);
    expect(dot).toContain(`"dev:a:2" -> "dev:/:3" [id="${elementId(edgeKey('dev:a:2', 'dev:/:3', 'veth'))}", class="link veth"`);
    const mm = toMermaid({ graph: g });
    expect(mm.split('\n')[0]).toBe('flowchart TB');
    expect(mm).toContain('subgraph ns_3aa["netns a"]');
    expect(mm).toContain('dev_3aa_3a2["eth0<br/>10.0.0.2/24"]');
    expect(mm).toContain('dev_3a_2f_3a2[["br0<br/>(bridge, 2 ports)<br/>10.0.0.1/24"]]');
    expect(mm).toContain('dev_3aa_3a2 === dev_3a_2f_3a3');
  });

  it('elementId keeps letters, digits and dashes and escapes the rest', () => {
    expect(elementId('dev:node-a:3')).toBe('dev_3anode-a_3a3');
    expect(elementId('ns:/')).toBe('ns_3a_2f');
    expect(elementId('a b"<é')).toBe('a_20b_22_3c_e9');
  });
});

describe('a trace over the graph', () => {
  const r = runScript(LAB + 'ip netns exec a ping -c 1 -W 1 10.0.0.3\n');
  const w = r.world;
  const g = buildGraph(w, { placement: shellPlacement(w) });
  const request = r.traces.find((t) => t.trace.title.startsWith('ICMP echo request'))!.trace;
  const o = traceOverlay(w, g, request);

  it('numbers the namespaces the packet crossed, ARP side trips left out', () => {
    expect(overlayPath(o)).toEqual(['a', '/', 'b']);
    expect(o.hops.map((h) => h.n)).toEqual([1, 2, 3]);
    expect(o.disposition).toBe('delivered');
  });

  it('lights the devices and the links it used', () => {
    const [h1, h2, h3] = o.hops;
    expect(h1!.nodes).toEqual([nsKey('a'), devKey('a', 2)]);
    expect(h1!.edges).toEqual([edgeKey(devKey('a', 2), devKey('/', 3), 'veth')]);
    expect([...h2!.nodes].sort()).toEqual([nsKey('/'), devKey('/', 2), devKey('/', 3), devKey('/', 4)].sort());
    expect([...h2!.edges].sort()).toEqual(
      [edgeKey(devKey('/', 3), devKey('/', 2), 'port'), edgeKey(devKey('/', 4), devKey('/', 2), 'port'), edgeKey(devKey('b', 2), devKey('/', 4), 'veth')].sort(),
    );
    expect(h3!.nodes).toEqual([nsKey('b'), devKey('b', 2)]);
    expect(h3!.edges).toEqual([]);
  });

  it('draws the hop numbers in DOT and Mermaid', () => {
    const dot = toDot({ graph: g, overlay: o });
    expect(dot).toContain('class="ns netns hop hop-1", label="hop 1: netns a"');
    expect(dot).toContain('class="ns host hop hop-2", label="hop 2: host (initial netns)"');
    expect(dot).toMatch(/class="link veth hop hop-1", label="hop 1"/);
    const mm = toMermaid({ graph: g, overlay: o });
    expect(mm).toContain('subgraph ns_3aa["hop 1: netns a"]');
    expect(mm).toContain('dev_3aa_3a2 ===|"hop 1"| dev_3a_2f_3a3');
    expect(mm).toMatch(/linkStyle \d+ stroke:#d32f2f/);
  });
});
