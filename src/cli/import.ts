/**
 * `podnet collect` and `podnet import`: a twin of a live cluster (issue #10).
 *
 *   podnet collect > podnet-collect.sh             the collector (POSIX sh), to run on a node
 *   podnet collect | ssh node1 sudo sh -s -- --name node1 > node1.bundle
 *   podnet import node1.bundle node2.bundle --kube objects.yaml -o twin.json
 *   podnet sh --world twin.json probes.sh         any script, starting from the imported nodes
 *
 * File reading and writing are the only I/O; the import itself is
 * src/import (pure).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { World } from '../model/world.js';
import { importBundles } from '../import/build.js';
import { crossedAssumptions, formatAssumption, formatReport } from '../import/assumptions.js';
import type { Trace } from '../sim/trace.js';
import { readSnapshot, writeSnapshot } from '../import/snapshot.js';
import { podOfNs } from '../import/kube.js';
import { asName, importedTarget } from '../import/verify-target.js';
import { importScenarioYaml } from '../import/scenario.js';
import { verify } from '../verify/verify.js';
import { formatReport as formatVerifyReport, summary } from '../verify/format.js';
import type { EgressIntent } from '../verify/types.js';
import type { Io } from './io.js';

/** The collector's text: next to the sources, or (from a build under dist/) in the package's src/. */
export function collectorScript(): string | undefined {
  for (const rel of ['../collect/podnet-collect.sh', '../../../src/collect/podnet-collect.sh']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return undefined;
}

/** `--world SNAPSHOT` of `podnet sh` (and of other commands that adopt it): the world, or undefined after printing why not. */
export function loadWorldOption(io: Io, path: string): World | undefined {
  const text = io.readFile(path);
  if (text === undefined) {
    io.err(`podnet: cannot read ${path}\n`);
    return undefined;
  }
  const r = readSnapshot(text);
  if (!r.ok) {
    io.err(`podnet: ${path}: ${r.error}\n`);
    return undefined;
  }
  return r.snapshot.world;
}

interface ImportOpts {
  verify?: boolean;
  egress?: string;
  out?: string;
  kube?: string;
  json?: boolean;
  strict?: boolean;
  fidelity: boolean;
  seed: string;
}

export function registerImportCommands(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('collect')
    .description('Print the collector: a POSIX sh script that, run as root on a real node, writes one bundle of its networking (read-only on the node) for `podnet import`.')
    .addHelpText(
      'after',
      `
The script lists, for the node's initial namespace and every \`ip netns\` namespace:
ip -j -d link/addr/route (table all)/neigh/rule, bridge -j fdb/link/vlan,
iptables-save -c, ip6tables-save -c, the relevant sysctls, ip netns list-id;
then /etc/cni/net.d/* and /var/lib/cni (the host-local store). See docs/import.md.

Examples:
  $ podnet collect > podnet-collect.sh && scp podnet-collect.sh node1:
  $ ssh node1 sudo sh podnet-collect.sh --name node1 > node1.bundle
  $ podnet collect | ssh node1 sudo sh -s -- --name node1 > node1.bundle`,
    )
    .action(() => {
      const text = collectorScript();
      if (text === undefined) {
        io.err('podnet: the collector script (src/collect/podnet-collect.sh) is missing from this installation\n');
        setCode(2);
        return;
      }
      io.out(text);
    });

  program
    .command('import')
    .description('Build a twin of real nodes from their bundles (`podnet collect`), report every assumption it had to make, and write it as a twin snapshot other commands start from.')
    .argument('<bundles...>', 'bundle files written by the collector, one per node')
    .option('-o, --out <file>', 'write the twin: FILE.yaml a scenario starting from the bundles (podnet run/trace/verify/diff/diagram FILE.yaml), else a twin snapshot (JSON) for podnet sh --world FILE')
    .option('--kube <file>', 'output of `kubectl get nodes,pods,services,endpointslices,networkpolicies -A -o yaml`: pod and node names, labels, podCIDRs')
    .option('--json', 'print the import report as JSON')
    .option('--strict', 'exit 1 when an assumption may change what packets do')
    .option('--no-fidelity', 'skip comparing the twin\'s listings with the bundle\'s')
    .option('--seed <n>', 'seed for the MACs of namespaces the import adds', '1')
    .option('--verify', 'then check the Kubernetes network contract on the twin (pod to pod, node to pod, egress NAT), as podnet verify does')
    .option('--egress <intent>', 'with --verify: how pod traffic should leave the cluster: masquerade, preserve or any (default: masquerade when the CNI config has ipMasq)')
    .addHelpText(
      'after',
      `
Exit codes: 0 imported (1 with --strict and a "warn" assumption, or with --verify and a
violation), 2 unreadable input.

Examples:
  $ podnet import node1.bundle -o twin.json
  $ podnet import node1.bundle --kube objects.yaml -o twin.yaml && podnet verify twin.yaml
  $ podnet import node1.bundle node2.bundle --kube objects.yaml -o cluster.json
  $ podnet import node1.bundle --verify
  $ podnet sh --world twin.json --trace probes.sh`,
    )
    .action((files: string[], o: ImportOpts) => {
      const inputs: { text: string; origin: string }[] = [];
      for (const f of files) {
        const text = io.readFile(f);
        if (text === undefined) {
          io.err(`podnet: cannot read ${f}\n`);
          setCode(2);
          return;
        }
        inputs.push({ text, origin: f });
      }
      let kube: string | undefined;
      if (o.kube !== undefined) {
        kube = io.readFile(o.kube);
        if (kube === undefined) {
          io.err(`podnet: cannot read ${o.kube}\n`);
          setCode(2);
          return;
        }
      }
      const { world, report } = importBundles(inputs, { seed: Number(o.seed), fidelity: o.fidelity, ...(kube !== undefined ? { kube } : {}) });
      if (report.problems.some((p) => /not a podnet bundle/.test(p))) {
        for (const p of report.problems) io.err(`podnet: ${p}\n`);
        setCode(2);
        return;
      }
      if (o.json) io.out(JSON.stringify(report, null, 2) + '\n');
      else io.out(formatReport(report));
      if (o.out !== undefined && /\.ya?ml$/i.test(o.out)) {
        // A scenario (spec.import) naming the bundles as the scenario file sees them: run, trace, verify, diff, diagram take it.
        const rel = (f: string): string => relative(dirname(resolve(o.out!)), resolve(f)).split(sep).join('/') || '.';
        const name = asName(`imported-${report.nodes.map((n) => n.name).join('-')}`);
        io.writeFile(o.out, importScenarioYaml({ name, file: o.out, bundles: files.map(rel), ...(o.kube !== undefined ? { kube: rel(o.kube) } : {}), world, report }));
        if (!o.json) io.out(`scenario written to ${o.out} (podnet run ${o.out}; podnet verify ${o.out})\n`);
      } else if (o.out !== undefined) {
        io.writeFile(o.out, writeSnapshot(world, report));
        if (!o.json) io.out(`twin snapshot written to ${o.out} (podnet sh --world ${o.out})\n`);
      }
      let code = o.strict && report.assumptions.some((a) => a.severity === 'warn') ? 1 : 0;
      if (o.verify) {
        if (o.egress !== undefined && o.egress !== 'masquerade' && o.egress !== 'preserve' && o.egress !== 'any') {
          io.err('podnet: --egress must be masquerade, preserve or any\n');
          setCode(2);
          return;
        }
        const target = importedTarget(world, report, o.egress !== undefined ? { egress: o.egress as EgressIntent } : {});
        const v = verify(target);
        io.out(`verify (${target.nodes.length} node${target.nodes.length === 1 ? '' : 's'}, ${target.pods.length} pod${target.pods.length === 1 ? '' : 's'}, ${target.outside.length} outside, egress ${target.egress}): ${summary(v)}\n`);
        io.out(formatVerifyReport(v, { label: target.label }));
        if (!v.ok) code = 1;
      }
      setCode(code);
    });
}


/**
 * What to add under a trace of an imported world: which pod each namespace it
 * crossed is (from `--kube`), and the import assumptions it crosses. Nothing
 * for worlds not imported.
 */
export function crossedAssumptionLines(world: World, t: Trace): string {
  return traceNotes(world, t, (ns) => podOfNs(world, ns));
}

/**
 * Under a trace of a scenario that starts from imported nodes (spec.import):
 * the scenario's name of every namespace it crossed (`(netns cni-1234 is
 * pod/frontend)`) and the import's `warn` assumptions on its way.
 */
export function importedScenarioTraceLines(world: World, places: Readonly<Record<string, { kind: string; name: string }>>, t: Trace): string {
  return traceNotes(world, t, (ns) => {
    const p = places[ns];
    return p && p.kind !== 'lab' && p.name !== ns ? `${p.kind}/${p.name}` : undefined;
  });
}

/** `(netns X is NAME)` once per namespace the trace crossed that has a name, then the assumptions it crossed. */
function traceNotes(world: World, t: Trace, nameOf: (ns: string) => string | undefined): string {
  let out = '';
  const seen = new Set<string>();
  for (const h of t.hops) {
    if (seen.has(h.ns)) continue;
    seen.add(h.ns);
    const name = nameOf(h.ns);
    if (name !== undefined) out += `  (netns ${h.ns} is ${name})\n`;
  }
  for (const a of crossedAssumptions(world, t)) out += `  ! assumption ${formatAssumption(a)}\n`;
  return out;
}
