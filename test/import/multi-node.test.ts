/**
 * Several nodes: the kernel topology 107-k8s-static-routes (two "nodes" on one
 * switch, pods behind a bridge on each) recorded as one bundle is cut into one
 * bundle per node, as the collector run on each node would have written it:
 * the node's namespace becomes "/", its eth0 looks like a NIC (no link kind,
 * no peer). Importing the two bundles must infer the switch (one segment for
 * 192.168.107.0/24) and answer the kernel's probes between nodes and pods as
 * the kernel did.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise, parseGolden } from '../../src/conformance/normalise.js';
import { importBundles } from '../../src/import/build.js';
import { parseBundle, type Bundle, type BundleSection } from '../../src/import/bundle.js';
import { runScript } from '../../src/shell/interp.js';
import { importedTarget } from '../../src/import/verify-target.js';
import { verify } from '../../src/verify/verify.js';

const dir = join(import.meta.dirname, '..', '..', 'conformance', 'import');
const name = '107-k8s-static-routes';

function section(label: string, s: BundleSection, body = s.body): string {
  return `@@podnet cmd ${label}\n${body}\n@@podnet status ${s.status}\n${s.stderr ? s.stderr.replace(/^/gm, '@@podnet stderr ').replace(/@@podnet stderr $/, '') : ''}`;
}

/** The bundle the collector would have written on node `node` (whose pods are `pods`). */
export function nodeBundle(b: Bundle, node: string, pods: readonly string[], nics: readonly string[]): string {
  let out = `@@podnet bundle 1\n@@podnet node ${node}\n`;
  for (const [label, s] of Object.entries(b.meta)) {
    if (label === 'ip -j netns list') {
      const list = (JSON.parse(s.body) as { name: string }[]).filter((e) => pods.includes(e.name)).map((e) => ({ name: e.name }));
      out += section(label, s, JSON.stringify(list));
    } else out += section(label, s);
  }
  for (const ns of [node, ...pods]) {
    const src = b.netns.find((n) => n.name === ns)!;
    out += `@@podnet netns ${ns === node ? '/' : ns}\n`;
    for (const [label, s] of Object.entries(src.cmds)) {
      let body = s.body;
      if (label === 'ip -j netns list-id') {
        // Seen from a pod, the node's namespace has no `ip netns` name on a real node.
        const ids = (JSON.parse(body) as { nsid: number; name?: string }[]).map((e) => (e.name === node ? { nsid: e.nsid } : e)).filter((e) => e.name === undefined || pods.includes(e.name) || e.name === node);
        body = JSON.stringify(ids);
      }
      if (ns === node && (label === 'ip -j -d link show' || label === 'ip -j -d addr show')) {
        const links = JSON.parse(body) as Record<string, unknown>[];
        for (const l of links) {
          if (!nics.includes(l['ifname'] as string)) continue;
          delete l['linkinfo'];
          delete l['link_index'];
          delete l['link_netnsid'];
        }
        body = JSON.stringify(links);
      }
      out += section(label, s, body);
    }
  }
  return out + '@@podnet end\n';
}

describe('multi-node import (107 cut into two node bundles)', () => {
  const whole = parseBundle(readFileSync(join(dir, `${name}.bundle`), 'utf8'));
  const b1 = nodeBundle(whole, 'n107n1', ['n107p1a', 'n107p1b'], ['eth0']);
  const b2 = nodeBundle(whole, 'n107n2', ['n107p2a'], ['eth0']);
  const { world, report } = importBundles([
    { text: b1, origin: 'node1.bundle' },
    { text: b2, origin: 'node2.bundle' },
  ]);

  it('maps each node to a namespace named after it and keeps the pods\' names', () => {
    expect(report.problems).toEqual([]);
    expect(report.nodes.map((n) => n.namespaces.map((m) => `${m.nodeNs}->${m.twinNs}`))).toEqual([
      ['/->n107n1', 'n107p1a->n107p1a', 'n107p1b->n107p1b'],
      ['/->n107n2', 'n107p2a->n107p2a'],
    ]);
  });

  it('infers the switch: both NICs on one bridge of the underlay, each an explicit assumption', () => {
    expect(report.added.map((a) => a.ns)).toEqual(['underlay']);
    const ul = report.assumptions.filter((a) => a.area === 'underlay');
    expect(ul.map((a) => `${a.ns} ${a.dev}`)).toEqual(['n107n1 eth0', 'n107n2 eth0']);
    expect(ul[0]!.text).toContain('joined to every NIC on 192.168.107.0/24 by bridge seg0');
    const sw = Object.values(world.ns['underlay']!.links);
    const seg = sw.find((l) => l.name === 'seg0')!;
    expect(sw.filter((l) => l.master === seg.ifindex).map((l) => l.name)).toEqual(['n107n1-eth0', 'n107n2-eth0']);
  });

  it('has no fidelity difference besides the stand-in NICs', () => {
    expect(report.assumptions.filter((a) => a.area === 'fidelity').map((a) => `${a.ns}: ${a.text}`)).toEqual([]);
  });

  // The kernel's answers to the probes between the nodes' namespaces (the switch itself had no address).
  const probes = readFileSync(join(dir, `${name}.probes.sh`), 'utf8');
  const run = runScript(probes, { world });
  const byLine = new Map(run.sections.map((s) => [s.line, s.output]));
  for (const g of parseGolden(readFileSync(join(dir, `${name}.out`), 'utf8'))) {
    if (g.unstable || !/ping|route get/.test(g.command)) continue;
    it(`${name}:${g.line} $ ${g.command}`, () => {
      expect(normalise(byLine.get(g.line) ?? '')).toBe(g.output);
    });
  }
});

describe('--kube objects on the two nodes', () => {
  const whole = parseBundle(readFileSync(join(dir, `${name}.bundle`), 'utf8'));
  const kube = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1, labels: {zone: a}}
  spec: {podCIDR: 10.244.1.0/24}
  status: {addresses: [{type: InternalIP, address: 192.168.107.11}]}
- apiVersion: v1
  kind: Node
  metadata: {name: n107n2}
  spec: {podCIDR: 10.244.2.0/24}
  status: {addresses: [{type: InternalIP, address: 192.168.107.12}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: frontend, namespace: shop, labels: {app: frontend}}
  spec: {nodeName: worker-1}
  status: {podIP: 10.244.1.2}
- apiVersion: v1
  kind: Pod
  metadata: {name: backend, namespace: shop, labels: {app: backend}}
  spec: {nodeName: worker-1}
  status: {podIP: 10.244.1.3}
- apiVersion: v1
  kind: Pod
  metadata: {name: db, namespace: shop}
  spec: {nodeName: n107n2}
  status: {podIP: 10.244.2.2}
- apiVersion: v1
  kind: Pod
  metadata: {name: kube-proxy-x, namespace: kube-system}
  spec: {nodeName: n107n2, hostNetwork: true}
  status: {podIP: 192.168.107.12}
- apiVersion: v1
  kind: Service
  metadata: {name: backend, namespace: shop}
  spec: {clusterIP: 10.96.0.10, ports: [{port: 80, protocol: TCP}]}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: {name: backend-abc, namespace: shop, labels: {kubernetes.io/service-name: backend}}
  endpoints: [{addresses: [10.244.1.3]}]
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: deny-all, namespace: shop}
  spec: {podSelector: {}}
`;
  const { world, report } = importBundles(
    [
      { text: nodeBundle(whole, 'n107n1', ['n107p1a', 'n107p1b'], ['eth0']), origin: 'node1.bundle' },
      { text: nodeBundle(whole, 'n107n2', ['n107p2a'], ['eth0']), origin: 'node2.bundle' },
    ],
    { kube },
  );
  it('matches nodes by name or InternalIP and pods by their address', () => {
    const k = report.kube!;
    expect(k.nodes.map((n) => `${n.name}=${n.bundleNode}`)).toEqual(['worker-1=n107n1', 'n107n2=n107n2']);
    expect(k.pods.map((p) => `${p.namespace}/${p.name}=${p.twinNs}`)).toEqual(['shop/frontend=n107p1a', 'shop/backend=n107p1b', 'shop/db=n107p2a', 'kube-system/kube-proxy-x=n107n2']);
    expect(k.services).toEqual([{ name: 'backend', namespace: 'shop', clusterIP: '10.96.0.10', ports: ['80/TCP'], endpoints: ['10.244.1.3'] }]);
    expect(report.assumptions.filter((a) => a.area === 'kube').map((a) => a.text)).toEqual([
      'NetworkPolicy shop/deny-all is not evaluated by the twin: only the iptables rules the CNI made of it (imported from the bundle) apply',
    ]);
  });
  it('records the pods as sandboxes of their nodes (World.cri), so traces can name them', () => {
    const sb = Object.values(world.cri!.sandboxes).map((s) => `${s.node} ${s.namespace}/${s.name} ${s.netns} ${s.ips.join(',')}`);
    expect(sb).toEqual(['worker-1 shop/frontend n107p1a 10.244.1.2', 'worker-1 shop/backend n107p1b 10.244.1.3', 'n107n2 shop/db n107p2a 10.244.2.2']);
    expect(world.cri!.nodes['worker-1']).toMatchObject({ ns: 'n107n1', root: '/nodes/n107n1', podCIDR: '10.244.1.0/24' });
  });
  it('verify: every pod reaches every pod and node (static routes between the nodes), as the kernel showed', () => {
    const t = importedTarget(world, report);
    expect(t.nodes.map((n) => n.ref)).toEqual(['node/worker-1', 'node/n107n2']);
    expect(t.pods.map((p) => `${p.ref} on ${p.node}`)).toEqual(['pod/frontend on node/worker-1', 'pod/backend on node/worker-1', 'pod/db on node/n107n2']);
    const v = verify(t);
    expect(v.violations).toEqual([]);
    expect(v.ok).toBe(true);
  });
});
