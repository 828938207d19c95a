/**
 * The upstream NetworkPolicy test layout (test/e2e/network/netpol and
 * cyclonus): namespaces x, y, z (label ns=<name>), pods a, b, c in each
 * (label pod=<name>), every container port named serve-<port>-<proto>,
 * spread over three nodes so that same-node and cross-node pairs occur.
 */
import { buildCluster, staticRoutes, type Cluster, type Design } from '../../src/cluster/index.js';
import { applyK8s, deleteK8s } from '../../src/k8s/apply.js';
import { policyMatrix, type PolicyMatrix, type MatrixPort } from '../../src/policy/matrix.js';

export const NAMESPACES = ['x', 'y', 'z'];
export const PODS = ['a', 'b', 'c'];
export const ALL = NAMESPACES.flatMap((n) => PODS.map((p) => `${n}/${p}`));

export function layoutYaml(): string {
  const docs: string[] = [];
  for (const ns of NAMESPACES) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels: {ns: ${ns}}`);
  NAMESPACES.forEach((ns, i) => {
    PODS.forEach((p, j) => {
      const node = `node${((i + j) % 3) + 1}`;
      docs.push(`apiVersion: v1
kind: Pod
metadata: {name: ${p}, namespace: ${ns}, labels: {pod: ${p}}}
spec:
  nodeName: ${node}
  containers:
  - name: cont-80-tcp
    ports: [{name: serve-80-tcp, containerPort: 80, protocol: TCP}, {name: serve-80-udp, containerPort: 80, protocol: UDP}]
  - name: cont-81-tcp
    ports: [{name: serve-81-tcp, containerPort: 81, protocol: TCP}, {name: serve-81-udp, containerPort: 81, protocol: UDP}]`);
    });
  });
  return docs.join('\n---\n') + '\n';
}

let base: Cluster | undefined;

/** The x/y/z cluster without policies (built once, reused: clusters are immutable). */
export function xyzCluster(design: Design = staticRoutes()): Cluster {
  if (base && design.name === base.spec.design.name) return base;
  const c = applyK8s(buildCluster({ nodes: ['node1', 'node2', 'node3'], design }), layoutYaml());
  if (design.name === 'static-routes') base = c;
  return c;
}

export function withPolicies(yaml: string, c: Cluster = xyzCluster()): Cluster {
  return applyK8s(c, yaml);
}

export { deleteK8s };

export type Expect = (from: string, to: string, port: MatrixPort) => boolean;

/** Cells where the expectation, the semantics or the twin disagree, as readable lines. */
export function disagreements(m: PolicyMatrix, expect: Expect): string[] {
  const out: string[] = [];
  for (const cell of m.cells) {
    const want = cell.from === cell.to ? true : expect(cell.from, cell.to, { protocol: cell.protocol, port: cell.port });
    if (cell.expected.allowed !== want) out.push(`semantics ${cell.from} -> ${cell.to} ${cell.protocol}/${cell.port}: ${cell.expected.allowed} (want ${want}): ${cell.expected.reason}`);
    if (cell.twin.allowed !== want) out.push(`twin ${cell.from} -> ${cell.to} ${cell.protocol}/${cell.port}: ${cell.twin.allowed} (want ${want}): ${cell.twin.reason}`);
  }
  return out;
}

export function matrix(c: Cluster, ports: readonly MatrixPort[] = [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }]): PolicyMatrix {
  return policyMatrix(c, ports);
}

export const ns = (pod: string): string => pod.split('/')[0]!;
export const name = (pod: string): string => pod.split('/')[1]!;
