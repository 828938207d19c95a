/**
 * `podnet policy matrix FILE [--port P]`: the pod x pod (x port) truth table
 * of the NetworkPolicies in FILE (kubectl YAML: Namespaces, Pods,
 * NetworkPolicies, Services...), cyclonus-style. The cluster is built by
 * src/cluster (nodes from the Node objects and the pods' spec.nodeName, else
 * `--nodes`), the objects applied (src/k8s), and every connection traced
 * through the nodes' iptables as the policy agent programmed them; each cell
 * is compared with the NetworkPolicy semantics.
 *
 * Exit codes: 0 the twin agrees with the semantics everywhere, 1 some cell
 * differs, 2 invalid input.
 */
import type { Command } from 'commander';
import type { Cluster } from '../cluster/types.js';
import { verifyCluster } from '../policy/verify.js';
import { buildCluster, calico, cilium, flannelHostGw, flannelVxlan, kubenet, staticRoutes, weave, type Design } from '../cluster/index.js';
import { applyK8s, kubernetes } from '../k8s/apply.js';
import { parseK8s } from '../k8s/parse.js';
import type { Protocol } from '../k8s/types.js';
import { DEFAULT_MATRIX_PORTS, formatMatrix, matrixJson, policyMatrix, type MatrixPort } from '../policy/matrix.js';
import type { Io } from './io.js';

const DESIGNS: Readonly<Record<string, () => Design>> = {
  'static-routes': () => staticRoutes(),
  'flannel-vxlan': () => flannelVxlan(),
  'flannel-host-gw': () => flannelHostGw(),
  kubenet: () => kubenet(),
  calico: () => calico(),
  'calico-vxlan': () => calico({ encapsulation: 'vxlan' }),
  weave: () => weave(),
  cilium: () => cilium(),
};

/** `80`, `tcp/80`, `UDP/53`, comma separated. */
export function parsePorts(text: string): MatrixPort[] {
  return text.split(',').map((item) => {
    const m = /^(?:(tcp|udp)\/)?(\d{1,5})$/i.exec(item.trim());
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new Error(`--port: "${item}" is not a port (P or PROTO/P, PROTO tcp or udp)`);
    return { protocol: (m[1]?.toUpperCase() ?? 'TCP') as Protocol, port };
  });
}

interface Opts {
  port?: string;
  json?: boolean;
  design: string;
  nodes: string;
  seed: string;
}

export function registerPolicyCommands(program: Command, io: Io, setCode: (c: number) => void): void {
  const policy = program.command('policy').description('NetworkPolicy: what the policies of a set of Kubernetes objects allow, traced through a twin cluster.');
  policy
    .command('matrix')
    .description('The pod x pod (x port) reachability table of the NetworkPolicies in FILE (kubectl YAML), cyclonus-style: what the twin delivers, checked against the NetworkPolicy semantics.')
    .argument('<file>', 'Kubernetes objects (kubectl YAML: documents or kind: List); - for standard input')
    .option('--port <ports>', 'ports to probe: P or PROTO/P, comma separated (default 80,81 TCP)')
    .option('--json', 'print the matrix as JSON')
    .option('--design <name>', `pod network design: ${Object.keys(DESIGNS).join(', ')}`, 'static-routes')
    .option('--nodes <n>', 'number of nodes when the objects name none', '2')
    .option('--seed <n>', 'seed for MACs and random names', '1')
    .addHelpText(
      'after',
      `
Cells: . allowed, X denied, ! the twin differs from the NetworkPolicy semantics.
Denied cells list the rule that rejected the connection (the pod, the direction
and the policies that isolate it).

Examples:
  $ podnet policy matrix examples/k8s/policies.yaml
  $ podnet policy matrix examples/k8s/policies.yaml --port 80,udp/53 --json`,
    )
    .action((file: string, o: Opts) => {
      const built = buildFromFile(io, file, o, setCode);
      if (!built) return;
      try {
        const m = policyMatrix(built.cluster, built.ports);
        if (o.json) io.out(JSON.stringify(matrixJson(m), null, 2) + '\n');
        else {
          if (built.ignored.length > 0) io.out(`ignored (not networking objects): ${built.ignored.join(', ')}\n`);
          io.out(formatMatrix(m));
        }
        setCode(m.agree ? 0 : 1);
      } catch (e) {
        io.err(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
        setCode(2);
      }
    });

  commonOptions(
    policy
      .command('verify')
      .description(
        'Check the cluster of FILE: every connection is delivered exactly when the NetworkPolicies allow it (probed on the given ports and every port a policy names), and every Service backend is reached through its ClusterIP, answer un-NATed, exactly when the policies allow the client to reach it.',
      )
      .argument('<file>', 'Kubernetes objects (kubectl YAML); - for standard input'),
  ).action((file: string, o: Opts) => {
    const built = buildFromFile(io, file, o, setCode);
    if (!built) return;
    try {
      const v = verifyCluster(built.cluster, built.ports);
      if (o.json) {
        io.out(JSON.stringify({ ok: v.ok, policy: matrixJson(v.matrix), services: v.services }, null, 2) + '\n');
      } else {
        const bad = v.matrix.cells.filter((x) => !x.agree);
        io.out(
          `policy: ${v.matrix.cells.length} connections (${v.matrix.pods.length} pods x ${v.matrix.ports.map((p) => `${p.protocol}/${p.port}`).join(', ')}): ${bad.length === 0 ? 'delivered exactly when the policies allow them' : `${bad.length} differ from the NetworkPolicy semantics`}\n`,
        );
        for (const b of bad)
          io.out(
            `  ${b.from} -> ${b.to} ${b.protocol}/${b.port}: policies ${b.expected.allowed ? 'allow' : 'deny'} (${b.expected.reason}); the twin ${b.twin.allowed ? 'delivered it' : `did not: ${b.twin.reason}`}\n`,
          );
        const sv = v.services.filter((x) => x.endpoint !== '');
        const sbad = v.services.filter((x) => !x.agree);
        io.out(
          `services: ${sv.length} backend checks from ${new Set(v.services.map((x) => x.from)).size} pods: ${sbad.length === 0 ? 'every backend reached exactly when the policies allow it' : `${sbad.length} differ`}\n`,
        );
        for (const b of sbad) io.out(`  ${b.from} -> ${b.servicePort} (${b.dialled}) backend ${b.endpoint}: policies ${b.expected ? 'allow' : 'deny'}; ${b.reason}\n`);
        for (const e of v.services.filter((x) => x.endpoint === '')) io.out(`  ${e.servicePort}: ${e.reason}\n`);
      }
      setCode(v.ok ? 0 : 1);
    } catch (e) {
      io.err(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
      setCode(2);
    }
  });
}

interface Built {
  readonly cluster: Cluster;
  readonly ports: readonly MatrixPort[];
  readonly ignored: readonly string[];
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option('--port <ports>', 'ports to probe: P or PROTO/P, comma separated (default 80,81 TCP)')
    .option('--json', 'print the result as JSON')
    .option('--design <name>', `pod network design: ${Object.keys(DESIGNS).join(', ')}`, 'static-routes')
    .option('--nodes <n>', 'number of nodes when the objects name none', '2')
    .option('--seed <n>', 'seed for MACs and random names', '1');
}

/** Read FILE, build the cluster and apply the objects; on bad input print why, set exit 2, return undefined. */
function buildFromFile(io: Io, file: string, o: Opts, setCode: (c: number) => void): Built | undefined {
  const text = io.readFile(file === '-' ? 0 : file);
  if (text === undefined) {
    io.err(`podnet: cannot read ${file}\n`);
    setCode(2);
    return undefined;
  }
  let ports: readonly MatrixPort[] = DEFAULT_MATRIX_PORTS;
  try {
    if (o.port !== undefined) ports = parsePorts(o.port);
  } catch (e) {
    io.err(`podnet: ${(e as Error).message}\n`);
    setCode(2);
    return undefined;
  }
  const mk = DESIGNS[o.design];
  if (!mk) {
    io.err(`podnet: --design: unknown design "${o.design}" (${Object.keys(DESIGNS).join(', ')})\n`);
    setCode(2);
    return undefined;
  }
  const parsed = parseK8s(text, file === '-' ? '<stdin>' : file);
  if (parsed.errors.length > 0) {
    io.err(parsed.errors.map((e) => `${e}\n`).join(''));
    setCode(2);
    return undefined;
  }
  const named: string[] = [];
  for (const obj of parsed.objects) {
    const n = obj.kind === 'Node' ? obj.metadata.name : obj.kind === 'Pod' ? obj.nodeName : undefined;
    if (n !== undefined && !named.includes(n)) named.push(n);
  }
  const count = Number(o.nodes);
  if (named.length === 0 && (!Number.isInteger(count) || count < 1 || count > 50)) {
    io.err(`podnet: --nodes: "${o.nodes}" is not a number of nodes (1-50)\n`);
    setCode(2);
    return undefined;
  }
  const bad = named.find((n) => !/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(n));
  if (bad !== undefined) {
    io.err(`podnet: node ${bad}: the twin's node names are at most 15 lower-case letters, digits and "-" (they name interfaces)\n`);
    setCode(2);
    return undefined;
  }
  const nodes = named.length > 0 ? named : Array.from({ length: count }, (_, i) => `node${i + 1}`);
  try {
    let c = buildCluster({
      nodes,
      design: kubernetes(mk()),
      seed: Number(o.seed) || 1,
    });
    c = applyK8s(c, parsed.objects);
    return { cluster: c, ports, ignored: parsed.ignored };
  } catch (e) {
    io.err(`podnet: ${e instanceof Error ? e.message : String(e)}\n`);
    setCode(2);
    return undefined;
  }
}
