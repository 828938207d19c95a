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
