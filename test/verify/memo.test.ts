/**
 * Re-verification with a probe memo (src/verify/flow.ts) must say exactly
 * what a verification from scratch says: the memo reuses a probe while what
 * it depended on is unchanged, where a namespace its walks only flooded with
 * ARP requests depends on a reduced view of it (the ARP path's reads). This
 * property drives clusters of every design through churn and through edits
 * that change what a flooded node answers (an address of another node, proxy
 * ARP, arp_ignore, routes, a device going down) and compares, after every
 * step, the memo's report with a fresh one.
 *
 * 100 runs by default (each step verifies twice, without sharing: a few
 * seconds per run on a 2-core machine); FC_RUNS and FC_SEED as elsewhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyClusterChurn, buildSpecCluster, churnActionArb, clusterSpecArb, type ChurnAction } from '../../src/testing/index.js';
import { addPod, buildCluster, flannelHostGw, reconcile, type Cluster } from '../../src/cluster/index.js';
import { runLines } from '../../src/cluster/exec.js';
import { clusterTarget } from '../../src/verify/cluster.js';
import { verify } from '../../src/verify/verify.js';
import { ProbeMemo, type VerifyReport } from '../../src/verify/types.js';

const SEED = Number(process.env['FC_SEED'] ?? 20261126);
const RUNS = Math.min(Number(process.env['FC_RUNS'] ?? 100), 100);

/** Edits of a node that change what it does with an ARP request flooded to it. */
const ARP_EDITS = ['steal', 'steal-eth0', 'proxy', 'ignore', 'route', 'down', 'lo-addr'] as const;
type Edit = {
  readonly edit: (typeof ARP_EDITS)[number];
  readonly node: number;
  readonly other: number;
};
type Step = { readonly churn: ChurnAction } | Edit;

function applyEdit(c: Cluster, e: Edit): Cluster {
  const names = c.nodeOrder;
  if (names.length === 0) return c;
  const at = e.node % names.length;
  const n = c.nodes[names[at]!]!;
  // Another node than n whenever there is one.
  const o = c.nodes[names[names.length > 1 ? (at + 1 + (e.other % (names.length - 1))) % names.length : at]!]!;
  const x = (line: string): Cluster => runLines(c, 'admin', [`ip netns exec ${n.ns} ${line}`]);
  switch (e.edit) {
    case 'steal': // answers ARP for another node's address (arp_ignore=0: any local address)
      return o === n ? c : x(`ip addr add ${o.ip}/32 dev lo`);
    case 'steal-eth0': // the same on the device the requests come in on
      return o === n ? c : x(`ip addr add ${o.ip}/32 dev eth0`);
    case 'proxy': // proxy ARP for another node's address, routed out of another device than the request came in on
      return o === n ? c : runLines(c, 'admin', [`ip netns exec ${n.ns} sysctl -w net.ipv4.conf.all.proxy_arp=1`, `ip netns exec ${n.ns} ip route add ${o.ip}/32 dev lo`]);
    case 'ignore':
      return x('sysctl -w net.ipv4.conf.all.arp_ignore=8');
    case 'route':
      return o === n ? c : x(`ip route add blackhole ${o.ip}/32`);
    case 'down':
      return x('ip link set eth0 down');
    case 'lo-addr':
      return x('ip addr add 10.99.0.1/32 dev lo');
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: churnActionArb().map((churn): Step => ({ churn })), weight: 1 },
  {
    arbitrary: fc.record({
      edit: fc.constantFrom(...ARP_EDITS),
      node: fc.nat(7),
      other: fc.nat(7),
    }),
    weight: 2,
  },
);

const summary = (r: VerifyReport) => ({
  ok: r.ok,
  violations: r.violations.map((v) => `${v.kind}: ${v.message}`).sort(),
  notes: [...r.notes].sort(),
});

describe('re-verification with the memo equals verification from scratch', () => {
  it("a node that starts answering ARP for another node's address (its own, or proxy ARP), where it was only flooded before", () => {
    let base = buildCluster({
      nodes: ['node1', 'node2', 'node3'],
      design: flannelHostGw(),
    });
    base = reconcile(
      addPod(addPod(base, { name: 'p1', node: 'node1' }), {
        name: 'p2',
        node: 'node3',
      }),
    );
    let differing = 0;
    for (const edit of ['steal', 'steal-eth0', 'proxy'] as const)
      for (let n = 0; n < 3; n++) {
        for (let o = 0; o < 3; o++) {
          if (n === o) continue;
          const memo = new ProbeMemo();
          const first = verify(clusterTarget(base), { memo, mtu: false });
          const c = applyEdit(base, {
            edit,
            node: n,
            other: (o - n - 1 + 3) % 3,
          });
          const withMemo = verify(clusterTarget(c), { memo, mtu: false });
          const fresh = verify(clusterTarget(c), { mtu: false });
          expect(summary(withMemo), `${edit}: node${n + 1} answers for node${o + 1}'s address`).toEqual(summary(fresh));
          if (JSON.stringify(summary(fresh)) !== JSON.stringify(summary(first))) differing++;
          // Some probes were reused (those that never flooded the changed node's ARP path), not all.
          expect(withMemo.stats.memoHits).toBeGreaterThan(0);
          expect(withMemo.stats.probes).toBeGreaterThan(0);
        }
      }
    // The edit matters: in some of the eighteen the node answers first and the report changes.
    expect(differing).toBeGreaterThan(0);
  });

  it('under churn and edits of what flooded nodes answer, every design', () => {
    let hits = 0;
    let partialReuse = 0;
    fc.assert(
      fc.property(clusterSpecArb({ maxNodes: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 4 }), (spec, steps) => {
        const b = buildSpecCluster(spec);
        let c = reconcile(
          addPod(addPod(b, { name: 'p1', node: b.nodeOrder[0]! }), {
            name: 'p2',
            node: b.nodeOrder[b.nodeOrder.length - 1]!,
          }),
        );
        const memo = new ProbeMemo();
        verify(clusterTarget(c), { memo, mtu: false });
        for (const s of steps) {
          c = 'churn' in s ? applyClusterChurn(c, s.churn).cluster : applyEdit(c, s);
          const before = memo.hits;
          const withMemo = verify(clusterTarget(c), { memo, mtu: false });
          const fresh = verify(clusterTarget(c), { mtu: false });
          expect(summary(withMemo), `${spec.designName} after ${JSON.stringify(s)}`).toEqual(summary(fresh));
          hits += memo.hits - before;
          if (memo.hits > before && withMemo.stats.probes > 0) partialReuse++;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The property is about reuse being right: it must have reused probes, also next to re-run ones.
    expect(hits).toBeGreaterThan(0);
    expect(partialReuse).toBeGreaterThan(0);
  }, 600_000);
});
