/**
 * Verification at scale (issue #6): a 5,000-node / 150,000-pod host-gw
 * cluster (src/verify/fabric-hostgw.ts) verified by equivalence classes
 * (src/verify/fabric.ts), then re-verified after single pod changes.
 * Targets (issue #5): verify <= 5 s, re-verify after one pod change <= 1 ms.
 *
 *   npx tsx bench/verify-scale.ts [nodes] [podsPerNode]
 */
import { CompactHostGw } from '../src/verify/fabric-hostgw.js';
import { FabricVerifier, verifyFabric } from '../src/verify/fabric.js';
import { fabricChanges } from './cluster.js';

const nodes = Number(process.argv[2] ?? 5000);
const perNode = Number(process.argv[3] ?? 30);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

const [fabric, buildMs] = time(() => new CompactHostGw({ nodes, podsPerNode: perNode }));
const [report, verifyMs] = time(() => verifyFabric(fabric));
console.log(`build ${nodes} nodes / ${fabric.podCount} pods: ${buildMs.toFixed(1)} ms`);
console.log(`verify: ${verifyMs.toFixed(1)} ms, ${report.stats.templates} template(s), ${report.stats.walks} walks, ${report.violations.length} violations`);

// Faults: one missing route, one node with ipMasq, a leaked reservation.
const bad = new CompactHostGw({ nodes, podsPerNode: perNode, faults: { missingRoutes: [[17, 4242]], ipMasqNodes: [99], leaks: [[7, 0x0a000800 + 250]] } });
const [badReport, badMs] = time(() => verifyFabric(bad));
const kinds = new Map<string, number>();
for (const v of badReport.violations) kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
console.log(`verify with 3 faults: ${badMs.toFixed(1)} ms, ${badReport.stats.templates} templates, ${badReport.stats.sourceClasses} source classes, ${badReport.stats.walks} walks: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);

// Incremental: delete and re-add pods, one change at a time.
const [inc, incBuild] = time(() => new FabricVerifier(fabric));
console.log(`incremental verifier set up: ${incBuild.toFixed(1)} ms`);
const times = fabricChanges(fabric, inc, 5000);
const us = (q: number): string => (times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000).toFixed(1);
console.log(`re-verify after one pod change (${times.length} changes): p50 ${us(0.5)} us, p99 ${us(0.99)} us, p99.9 ${us(0.999)} us, max ${us(1)} us; violations now: ${inc.report.violations.length}`);
// A leak: delete a pod without releasing its reservation.
const leaky = (17 * 30) + 3;
const t0 = performance.now();
fabric.deletePod(leaky, { leak: true });
const after = inc.podChanged(leaky);
console.log(`a pod deleted without its IPAM release: ${((performance.now() - t0) * 1000).toFixed(1)} us, ${after.map((v) => v.message).join('; ')}`);
