/**
 * Scenario loader: text -> validated Scenario, or every problem at once as
 * `file:line:col: message` issues pointing at the offending key or value
 * (positions from the yaml library's source ranges). Pure: files the
 * scenario refers to (CNI configs) are read through the `readFile` callback.
 *
 * Three passes, all reported together:
 *  1. YAML syntax (the yaml library's errors: bad indentation, duplicate keys...)
 *  2. the schema (zod, strict objects: unknown keys are errors, with a
 *     "did you mean" suggestion); each step by the schema of its action
 *  3. meaning: names that must exist (pod/frontend, node/node-a, networks),
 *     unique names, CNI plugins the twin can run.
 * Never throws on any input (fuzzed in test/scenarios/fuzz.test.ts).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document as YamlDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { pluginTable } from '../cni-emulator/registry.js';
import { Document, DESIGN_OPTION_OWNERS, STEP_KIND_NAMES, stepSchema, type DocumentT, type NodeT, type StepKind } from './schema.js';
import { CLUSTER_RESERVED, clusterDeclarations, planNodes } from './cluster.js';
import { segments } from '../cluster/underlay.js';
import { overlaps } from '../cluster/cidr.js';
import { isIpv4, parseRef, suggest, type ParsedRef, type RefKind } from './refs.js';
import type { CniNetwork, Issue, Pos, Scenario, Step } from './types.js';
import { importForScenario, type ImportedTwin } from '../import/scenario.js';
import type { MachineT, NetworkT, PodT } from './schema.js';
import { IMPORT_STEP_KINDS } from './schema.js';

export interface LoadOptions {
  /** Name of the file in messages. */
  readonly file?: string;
  /** Read a file the scenario refers to, relative to the scenario; undefined if missing. */
  readonly readFile?: (path: string) => string | undefined;
}

export type LoadResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly issues: readonly Issue[] };

type Path = readonly (string | number)[];

/** Largest document the loader accepts (a scenario is a page or two). */
const MAX_BYTES = 1_000_000;

export function loadScenario(text: string, opts: LoadOptions = {}): LoadResult {
  const file = opts.file ?? '<scenario>';
  try {
    return load(text, file, opts);
  } catch (e) {
    // Defensive: the loader must never crash; an internal error is still reported as an issue.
    return { ok: false, issues: [{ file, pos: { line: 1, col: 1 }, message: `internal error while loading: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function load(text: string, file: string, opts: LoadOptions): LoadResult {
  if (text.length > MAX_BYTES) return { ok: false, issues: [{ file, pos: { line: 1, col: 1 }, message: `file too large (${text.length} bytes; at most ${MAX_BYTES})` }] };
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): Pos => {
    const p = lc.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({ file, pos: at(e.pos[0]), message: yamlMessage(e.message) }));
    return { ok: false, issues: dedupe(issues) };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, issues: [{ file, pos: { line: 1, col: 1 }, message: `YAML: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const locate = new Locator(doc, at);
  const issues: Issue[] = [];
  const report = (path: Path, message: string, where: 'key' | 'value' = 'value'): void => {
    issues.push({ file, pos: locate.pos(path, where), message });
  };

  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    report([], `a scenario is a YAML mapping with apiVersion: ${'podnet.dev/v1alpha1'}, kind: Scenario, metadata and spec`);
    return { ok: false, issues };
  }

  // Pass 2: the schema. Steps are checked separately (each by its action's schema).
  const parsed = Document.safeParse(data);
  if (!parsed.success) for (const is of parsed.error.issues) zodIssue(report, Document, data, [], is);
  const rawSteps = getIn(data, ['spec', 'steps']);
  const steps: Step[] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((raw, i) => {
      const s = checkStep(raw, ['spec', 'steps', i], report, i + 1, locate);
      if (s) steps.push(s);
    });
  }

  // spec.import: the bundles are read (through readFile) and imported before the names are checked.
  const imported = loadImport(data as Record<string, unknown>, report, opts);

  // Pass 3: meaning (on the raw data, defensively, so that it runs even when pass 2 failed somewhere).
  const cni = checkMeaning(data as Record<string, unknown>, report, opts, file, imported);

  if (issues.length > 0 || !parsed.success) return { ok: false, issues: sortIssues(dedupe(issues)) };
  const d: DocumentT = parsed.data;
  // spec.cluster: plain declarations stand for the cluster's machines (src/scenarios/cluster.ts).
  const cl = d.spec.cluster;
  const decl = cl
    ? clusterDeclarations(
        cl,
        planNodes(
          cl,
          steps.flatMap((st) => {
            if (st.kind !== 'node') return [];
            const a = st.action;
            const op = a.join !== undefined ? 'join' : a.leave !== undefined ? 'leave' : undefined;
            const ref = parseRef(a.join ?? a.leave ?? '');
            return op && ref ? [{ op, node: ref.name } as const] : [];
          }),
        ),
      )
    : undefined;
  const idecls = imported ? importedDecls(imported) : undefined;
  return {
    ok: true,
    scenario: {
      file,
      name: d.metadata.name,
      ...(d.metadata.title !== undefined ? { title: d.metadata.title } : {}),
      ...(d.metadata.description !== undefined ? { description: d.metadata.description } : {}),
      concepts: d.metadata.concepts ?? [],
      seed: d.spec.seed,
      networks: idecls ? idecls.networks : decl ? decl.networks : d.spec.networks,
      machines: idecls ? idecls.machines : decl ? decl.machines : d.spec.machines,
      nodes: idecls ? idecls.nodes : decl ? decl.nodes : d.spec.nodes,
      ...(cl ? { cluster: cl } : {}),
      ...(imported ? { imported } : {}),
      pods: idecls ? idecls.pods : d.spec.pods,
      plugins: d.spec.plugins,
      cni,
      steps,
      positions: locate.all(),
    },
  };
}

function yamlMessage(m: string): string {
  // prettyErrors is off; keep the first line only (the library appends context otherwise).
  const first = m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return `YAML: ${first}`;
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.pos.line}:${i.pos.col}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function sortIssues(issues: Issue[]): Issue[] {
  return [...issues].sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
}

// ---------------------------------------------------------------------------
// Positions

/** Finds the YAML node of a data path and its source position. */
class Locator {
  constructor(
    private readonly doc: YamlDocument,
    private readonly at: (offset: number) => Pos,
  ) {}

  /** Position of the value at `path` (or of its key: where: 'key'), else of the nearest existing ancestor. */
  pos(path: Path, where: 'key' | 'value'): Pos {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    let lastGood: unknown = node;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
        lastGood = pair.value ?? pair.key;
        if (pair.value === null || pair.value === undefined) {
          node = undefined;
          lastGood = pair.key;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        node = item;
        lastGood = item;
      } else break;
    }
    const target = where === 'key' && keyNode ? keyNode : lastGood;
    const range = (target as YamlNode | undefined)?.range;
    return range ? this.at(range[0]) : { line: 1, col: 1 };
  }

  /** Every path's position (map entries: the key's position; list items: the item's). */
  all(): Record<string, Pos> {
    const out: Record<string, Pos> = Object.create(null) as Record<string, Pos>;
    const visit = (node: unknown, path: string[], depth: number): void => {
      if (depth > 64) return;
      if (isMap(node)) {
        for (const p of node.items) {
          if (!isPair(p)) continue;
          const k = keyText(p.key);
          if (k === undefined) continue;
          const kp = [...path, k];
          const r = (p.key as YamlNode | null)?.range;
          if (r) out[kp.join('.')] = this.at(r[0]);
          visit(p.value, kp, depth + 1);
        }
      } else if (isSeq(node)) {
        node.items.forEach((it, i) => {
          const ip = [...path, String(i)];
          const r = (it as YamlNode | null)?.range;
          if (r) out[ip.join('.')] = this.at(r[0]);
          visit(it, ip, depth + 1);
        });
      }
    };
    const r = (this.doc.contents as YamlNode | null)?.range;
    if (r) out[''] = this.at(r[0]);
    visit(this.doc.contents, [], 0);
    return out;
  }
}

function keyText(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  return undefined;
}

function getIn(data: unknown, path: Path): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function pathText(path: Path): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? 'the document' : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)})`;
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  return typeof v;
}

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

type Reporter = (path: Path, message: string, where?: 'key' | 'value') => void;

/** The keys an object schema at `path` accepts (for suggestions). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  let s: unknown = schema;
  const unwrap = (x: unknown): unknown => {
    for (let i = 0; i < 10; i++) {
      const def = (x as { _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown } } })._zod?.def;
      if (!def) return x;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault' || def.type === 'readonly') x = def.innerType;
      else if (def.type === 'pipe') x = def.in;
      else return x;
    }
    return x;
  };
  for (const seg of path) {
    s = unwrap(s);
    const def = (s as { _zod?: { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown } } })._zod?.def;
    if (!def) return [];
    if (def.type === 'object' && def.shape) s = def.shape[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    if (s === undefined) return [];
  }
  s = unwrap(s);
  const def = (s as { _zod?: { def?: { type?: string; shape?: Record<string, unknown> } } })._zod?.def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Turn one zod issue into our message at the right position. */
function zodIssue(report: Reporter, schema: z.ZodType, data: unknown, prefix: Path, is: z.core.$ZodIssue): void {
  const rel = is.path as (string | number)[];
  const path = [...prefix, ...rel];
  const value = getIn(data, rel);
  const where = pathText(path);
  switch (is.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, rel);
      for (const k of is.keys) {
        const s = suggest(k, known);
        report([...path, k], `unknown key "${k}" in ${where}${s ? ` (did you mean "${s}"?)` : known.length ? ` (expected one of: ${known.join(', ')})` : ''}`, 'key');
      }
      return;
    }
    case 'invalid_type': {
      if (value === undefined) {
        const key = path[path.length - 1];
        report(path.slice(0, -1), `missing required key "${String(key)}" in ${pathText(path.slice(0, -1))}`, 'key');
        return;
      }
      const exp = EXPECTED_NAMES[is.expected] ?? is.expected;
      report(path, `${where}: expected ${exp}, got ${typeName(value)}`);
      return;
    }
    case 'invalid_value': {
      const values = is.values.map((v) => String(v));
      const s = typeof value === 'string' ? suggest(value, values) : undefined;
      report(path, `${where}: must be ${values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(', ')}`}, got ${typeName(value)}${s ? ` (did you mean "${s}"?)` : ''}`);
      return;
    }
    case 'invalid_union':
      report(path, `${where}: expected a string or a number, got ${typeName(value)}`);
      return;
    default:
      report(path, `${where}: ${is.message}`);
  }
}

// ---------------------------------------------------------------------------
// Steps

function checkStep(raw: unknown, path: Path, report: Reporter, index: number, locate: Locator): Step | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    report(path, `${pathText(path)}: a step is a mapping with one action key (${STEP_KIND_NAMES.join(', ')}), got ${typeName(raw)}`);
    return undefined;
  }
  const obj = { ...(raw as Record<string, unknown>) };
  const kinds = Object.keys(obj).filter((k): k is StepKind => (STEP_KIND_NAMES as string[]).includes(k));
  if (kinds.length === 0) {
    const allowed = ['name', 'expect', ...STEP_KIND_NAMES];
    const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) {
      for (const k of unknown) {
        const s = suggest(k, STEP_KIND_NAMES);
        report([...path, k], `unknown key "${k}" in ${pathText(path)}${s ? ` (did you mean "${s}"?)` : ` (a step's action is one of: ${STEP_KIND_NAMES.join(', ')})`}`, 'key');
      }
    } else report(path, `${pathText(path)}: a step needs an action: one of ${STEP_KIND_NAMES.join(', ')}`);
    return undefined;
  }
  if (kinds.length > 1) {
    for (const k of kinds.slice(1)) report([...path, k], `${pathText(path)}: a step has exactly one action, but this one has "${kinds[0]}" and "${k}" (make it a separate step)`, 'key');
    return undefined;
  }
  const kind = kinds[0]!;
  // `sh: "lines"` is short for `sh: {run: "lines"}`.
  if (kind === 'sh' && typeof obj.sh === 'string') obj.sh = { run: obj.sh };
  const schema = stepSchema(kind);
  const r = schema.safeParse(obj);
  if (!r.success) {
    for (const is of r.error.issues) zodIssue(report, schema, obj, path, is);
    return undefined;
  }
  const d = r.data as Record<string, unknown>;
  return {
    kind,
    index,
    ...(typeof d.name === 'string' ? { name: d.name } : {}),
    pos: locate.pos([...path, kind], 'key'),
    action: d[kind],
    ...(d.expect !== undefined ? { expect: d.expect } : {}),
  } as Step;
}

// ---------------------------------------------------------------------------
// Meaning

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asObj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface Names {
  readonly networks: Set<string>;
  readonly machines: Set<string>;
  readonly nodes: Set<string>;
  readonly pods: Map<string, { containers: Set<string>; network: string; node: string | undefined }>;
  /** Node names declared with joined: false. */
  readonly lateNodes: Set<string>;
  readonly hostsWithInterfaces: Set<string>;
  /** spec.cluster's design, when the scenario has one. */
  cluster?: { readonly design: string; readonly peerWithRouter: boolean };
  /** spec.import: the names are the imported namespaces' ('unread': a file could not be read, the names are unknown). */
  imported?: 'read' | 'unread';
}

/**
 * spec.import: read the bundles and the kube objects (paths relative to the
 * scenario, through `readFile`) and import them (src/import/scenario.ts).
 * Undefined when there is no spec.import or a file is missing.
 */
function loadImport(data: Record<string, unknown>, report: Reporter, opts: LoadOptions): ImportedTwin | undefined {
  const spec = asObj(data.spec);
  const imp = asObj(spec?.import);
  if (!spec || !imp) return undefined;
  const base: Path = ['spec', 'import'];
  const read = (path: Path, name: string, what: string): string | undefined => {
    const t = opts.readFile?.(name);
    if (t === undefined) report(path, `${pathText(path)}: cannot read ${what} "${name}"${opts.readFile ? '' : ' (no files can be read here)'}`);
    return t;
  };
  const bundles: { text: string; origin: string }[] = [];
  let missing = false;
  asArray(imp.bundles).forEach((b, i) => {
    if (typeof b !== 'string' || b === '') return;
    const text = read([...base, 'bundles', i], b, 'the bundle');
    if (text === undefined) missing = true;
    else if (!text.startsWith('@@podnet bundle ')) {
      report([...base, 'bundles', i], `${pathText([...base, 'bundles', i])}: "${b}" is not a podnet bundle (the collector's output starts with "@@podnet bundle 1")`);
      missing = true;
    } else bundles.push({ text, origin: b });
  });
  const kubeName = str(imp.kube);
  const kube = kubeName !== undefined && kubeName !== '' ? read([...base, 'kube'], kubeName, 'the Kubernetes objects') : undefined;
  if (missing || bundles.length === 0 || (kubeName !== undefined && kube === undefined)) return undefined;
  const seed = typeof spec.seed === 'number' && Number.isInteger(spec.seed) && spec.seed >= 0 ? spec.seed : 1;
  const twin = importForScenario(bundles, { seed, ...(kube !== undefined ? { kube } : {}) });
  for (const p of twin.report.problems) report(base, `${pathText(base)}: ${p}`);
  return twin;
}

const declsCache = new WeakMap<ImportedTwin, { networks: NetworkT[]; machines: MachineT[]; nodes: NodeT[]; pods: PodT[] }>();

/** The imported namespaces as the plain declarations the runner and the reports know (nothing is built from them). */
function importedDecls(t: ImportedTwin): { networks: NetworkT[]; machines: MachineT[]; nodes: NodeT[]; pods: PodT[] } {
  const hit = declsCache.get(t);
  if (hit) return hit;
  const host = (name: string): MachineT => ({ name, interfaces: [], routes: [], forwarding: t.world.ns[name]?.sysctl['net.ipv4.ip_forward'] === '1', sysctls: {}, iptables: [] });
  const out = {
    networks: t.networks.map((name) => ({ name })),
    machines: t.machines.map((m) => host(m.name)),
    nodes: t.nodes.map((n) => ({ ...host(n.name), ...(n.podCIDR !== undefined ? { podCIDR: n.podCIDR } : {}), joined: true })),
    pods: t.pods.map(
      (p): PodT => ({
        name: p.name,
        node: p.node,
        network: p.hostNetwork ? 'host' : 'cni',
        containers: p.containers.map((c) => ({ name: c.name, ports: c.ports.map((x) => ({ containerPort: x.containerPort, protocol: x.protocol })) })),
        start: true,
        cniArgs: {},
      }),
    ),
  };
  declsCache.set(t, out);
  return out;
}

/** spec.import: no declared topology next to it; its namespaces' names; only the steps that need no runtime. */
function checkImport(spec: Record<string, unknown>, imported: ImportedTwin | undefined, names: Names, claim: (name: unknown, path: Path, what: string) => boolean, report: Reporter): void {
  for (const k of ['networks', 'machines', 'nodes', 'cni', 'plugins', 'cluster', 'pods']) {
    const v = spec[k];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) report(['spec', k], `spec.${k}: a scenario with spec.import gets its ${k === 'pods' ? 'pods from the imported nodes (and their names from spec.import.kube)' : 'topology from the imported nodes'}; remove spec.${k}`, 'key');
  }
  asArray(spec.steps).forEach((st, i) => {
    const o = asObj(st);
    const kind = o ? STEP_KIND_NAMES.find((k) => k in o) : undefined;
    if (kind !== undefined && !(IMPORT_STEP_KINDS as readonly string[]).includes(kind)) {
      report(['spec', 'steps', i, kind], `${pathText(['spec', 'steps', i])}: ${kind} steps need the pods' runtime, which an imported node does not bring; a scenario with spec.import takes ${IMPORT_STEP_KINDS.join(', ')} steps`, 'key');
    }
  });
  names.imported = imported ? 'read' : 'unread';
  if (!imported) return;
  const at: Path = ['spec', 'import'];
  const d = importedDecls(imported);
  for (const n of d.networks) if (claim(n.name, at, 'network')) names.networks.add(n.name);
  for (const n of d.nodes) if (claim(n.name, at, 'node')) names.nodes.add(n.name);
  for (const m of d.machines) if (claim(m.name, at, 'machine')) names.machines.add(m.name);
  for (const p of d.pods) if (claim(p.name, at, 'pod')) names.pods.set(p.name, { containers: new Set(p.containers.map((c) => c.name)), network: p.network, node: p.node });
}

function checkMeaning(data: Record<string, unknown>, report: Reporter, opts: LoadOptions, file: string, imported?: ImportedTwin): Record<string, CniNetwork> {
  const spec = asObj(data.spec);
  if (!spec) return {};
  const names: Names = { networks: new Set(), machines: new Set(), nodes: new Set(), pods: new Map(), lateNodes: new Set(), hostsWithInterfaces: new Set() };
  const taken = new Map<string, string>();
  const claim = (name: unknown, path: Path, what: string): boolean => {
    if (typeof name !== 'string') return false;
    const prev = taken.get(name);
    if (prev !== undefined) {
      report([...path, 'name'], `${pathText(path)}: the name "${name}" is already used by ${prev} (networks, machines, nodes and pods each get a network namespace of their name, so names are unique across them)`);
      return false;
    }
    taken.set(name, `${what} ${name}`);
    return true;
  };
  asArray(spec.networks).forEach((n, i) => {
    const name = asObj(n)?.name;
    if (claim(name, ['spec', 'networks', i], 'network')) names.networks.add(name as string);
  });
  const cluster = asObj(spec.cluster);
  if (asObj(spec.import)) checkImport(spec, imported, names, claim, report);
  else if (cluster) checkCluster(spec, cluster, names, claim, report);
  for (const [section, set] of [
    ['machines', names.machines],
    ['nodes', names.nodes],
  ] as const) {
    asArray(spec[section]).forEach((m, i) => {
      const o = asObj(m);
      const name = o?.name;
      if (claim(name, ['spec', section, i], section === 'nodes' ? 'node' : 'machine')) {
        set.add(name as string);
        if (section === 'nodes' && o?.joined === false) names.lateNodes.add(name as string);
      }
      const ifnames = new Set<string>();
      asArray(o?.interfaces).forEach((itf, j) => {
        const io = asObj(itf);
        const p: Path = ['spec', section, i, 'interfaces', j];
        const ifn = str(io?.name);
        if (ifn !== undefined) {
          if (ifnames.has(ifn)) report([...p, 'name'], `${pathText(p)}: interface "${ifn}" is declared twice on ${String(name)}`);
          if (ifn === 'lo') report([...p, 'name'], `${pathText(p)}: "lo" is the loopback every namespace has`);
          ifnames.add(ifn);
        }
        const net = str(io?.network);
        if (net !== undefined && !asArray(spec.networks).some((n) => asObj(n)?.name === net)) {
          const s = suggest(net, asArray(spec.networks).map((n) => String(asObj(n)?.name)));
          report([...p, 'network'], `${pathText([...p, 'network'])}: no network "${net}" in spec.networks${s ? ` (did you mean "${s}"?)` : ''}`);
        }
        if (typeof name === 'string') names.hostsWithInterfaces.add(name);
      });
    });
  }

  // CNI configurations per node.
  const scriptPlugins = new Set(asArray(spec.plugins).map((p) => str(asObj(p)?.name)).filter((x): x is string => x !== undefined));
  const clusterCni = asObj(spec.cni) ? resolveCni(asObj(spec.cni)!, ['spec', 'cni'], report, opts, scriptPlugins) : undefined;
  const cniByNode: Record<string, CniNetwork> = Object.create(null) as Record<string, CniNetwork>;
  // Nodes whose configuration exists but has a problem already reported (no second message per pod).
  const brokenCni = new Set<string>();
  asArray(spec.nodes).forEach((n, i) => {
    const o = asObj(n);
    const name = str(o?.name);
    if (!o || name === undefined) return;
    const own = asObj(o.cni) ? resolveCni(asObj(o.cni)!, ['spec', 'nodes', i, 'cni'], report, opts, scriptPlugins) : undefined;
    const base = own ?? clusterCni;
    if (!base) {
      if (asObj(o.cni) || asObj(spec.cni)) brokenCni.add(name);
      return;
    }
    const filled = fillTemplate(base.conf, { node: name, podCIDR: str(o.podCIDR) });
    if (typeof filled === 'string') {
      report(['spec', 'nodes', i, own ? 'cni' : 'name'], `${pathText(['spec', 'nodes', i])}: the CNI configuration ${base.origin} uses {{${filled}}} but node ${name} has no ${filled}`);
      brokenCni.add(name);
      return;
    }
    cniByNode[name] = { ...(filled as CniNetworkBody), origin: base.origin };
  });

  asArray(spec.pods).forEach((p, i) => {
    const o = asObj(p);
    const path: Path = ['spec', 'pods', i];
    const name = o?.name;
    const ok = claim(name, path, 'pod');
    const node = str(o?.node);
    const network = str(o?.network) ?? 'cni';
    if (node !== undefined) {
      if (!names.nodes.has(node) && !names.machines.has(node)) {
        const s = suggest(node, [...names.nodes, ...names.machines]);
        report([...path, 'node'], `${pathText([...path, 'node'])}: no node or machine "${node}"${s ? ` (did you mean "${s}"?)` : ''}`);
      } else if (names.cluster) {
        if (network === 'none') report([...path, 'network'], `${pathText([...path, 'network'])}: in a spec.cluster scenario pods use the design's network (cni) or the node's (host)`);
      } else if (network === 'cni' && !cniByNode[node] && !brokenCni.has(node)) {
        report(
          [...path, 'network'],
          `${pathText(path)}: pod ${String(name)} uses network cni but ${names.nodes.has(node) ? `node ${node} has no CNI configuration (set spec.cni or the node's cni)` : `${node} is a machine, not a node`}; use network: none and wire it with steps`,
        );
      }
    }
    if (names.cluster && asObj(o?.cniArgs) && Object.keys(asObj(o?.cniArgs)!).length > 0) report([...path, 'cniArgs'], `${pathText([...path, 'cniArgs'])}: in a spec.cluster scenario the design's CNI plugin wires the pods; it takes no CNI_ARGS`, 'key');
    if (names.cluster && typeof name === 'string' && (CLUSTER_RESERVED as readonly string[]).includes(name)) report([...path, 'name'], `${pathText([...path, 'name'])}: "${name}" is the name of one of the cluster's own machines (${CLUSTER_RESERVED.join(', ')})`);
    const containers = new Set<string>();
    asArray(o?.containers).forEach((c, j) => {
      const cn = str(asObj(c)?.name);
      if (cn === undefined) return;
      if (cn === 'pause') report([...path, 'containers', j, 'name'], `${pathText([...path, 'containers', j, 'name'])}: "pause" is the pod's sandbox container; the runtime adds it`);
      else if (containers.has(cn)) report([...path, 'containers', j, 'name'], `${pathText([...path, 'containers', j, 'name'])}: container "${cn}" is declared twice in pod ${String(name)}`);
      containers.add(cn);
    });
    if (ok) names.pods.set(name as string, { containers, network, node });
  });

  // Steps: every reference must name something of the right kind.
  const stepNames = new Set<string>();
  asArray(spec.steps).forEach((s, i) => {
    const o = asObj(s);
    if (!o) return;
    const path: Path = ['spec', 'steps', i];
    const sn = str(o.name);
    if (sn !== undefined) {
      if (stepNames.has(sn)) report([...path, 'name'], `${pathText(path)}: another step is already named "${sn}"`);
      if (/^\d+$/.test(sn)) report([...path, 'name'], `${pathText(path)}: a step name cannot be a number (--at N means the N-th step)`);
      stepNames.add(sn);
    }
    checkStepRefs(o, path, names, report);
  });
  void file;
  return cniByNode;
}

const CIDR_TEXT = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/**
 * spec.cluster: the design builds the nodes, the underlay and the pod network,
 * so the hand-written topology keys must be empty; the options must belong to
 * the design; the cluster's names (nodes, and its own machines router and
 * outside, network underlay) are claimed for references.
 */
function checkCluster(
  spec: Record<string, unknown>,
  cl: Record<string, unknown>,
  names: Names,
  claim: (name: unknown, path: Path, what: string) => boolean,
  report: Reporter,
): void {
  const base: Path = ['spec', 'cluster'];
  for (const k of ['networks', 'machines', 'nodes', 'cni', 'plugins']) {
    const v = spec[k];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) report(['spec', k], `spec.${k}: a scenario with spec.cluster gets its ${k === 'cni' || k === 'plugins' ? 'CNI configuration from the design' : 'nodes, underlay and router from the cluster'}; remove spec.${k}`, 'key');
  }
  const design = str(cl.design);
  const opts = asObj(cl.options) ?? {};
  names.cluster = { design: design ?? '', peerWithRouter: opts.peerWithRouter === true };
  if (design !== undefined) {
    for (const k of Object.keys(opts)) {
      const owners = DESIGN_OPTION_OWNERS[k];
      if (owners && !owners.includes(design as never)) report([...base, 'options', k], `${pathText([...base, 'options', k])}: an option of ${owners.join(' and ')}, not of ${design}`, 'key');
    }
  }
  // The underlay.
  const kind = str(cl.underlay) ?? 'switch';
  const subnets = asArray(cl.subnets).filter((x): x is string => typeof x === 'string' && CIDR_TEXT.test(x));
  if (kind === 'switch' && subnets.length > 1) report([...base, 'subnets'], `${pathText([...base, 'subnets'])}: a switch underlay is one segment: give one subnet`);
  subnets.forEach((sn, i) => {
    if (Number(sn.split('/')[1]) > 28) report([...base, 'subnets', i], `${pathText([...base, 'subnets', i])}: too small for the router (.1) and nodes (.11 upwards): at most /28`);
    subnets.slice(0, i).forEach((o) => {
      if (overlaps(o, sn)) report([...base, 'subnets', i], `${pathText([...base, 'subnets', i])}: overlaps ${o}`);
    });
  });
  let nsegs = subnets.length;
  if (nsegs === 0) {
    try {
      nsegs = segments(kind === 'routed' || kind === 'public' ? { kind } : { kind: 'switch' }).length;
    } catch {
      nsegs = 1;
    }
  }
  const ccidr = str(cl.clusterCIDR);
  const mask = cl.nodeCIDRMaskSize;
  if (typeof mask === 'number') {
    const plen = Number((ccidr !== undefined && CIDR_TEXT.test(ccidr) ? ccidr : '10.244.0.0/16').split('/')[1]);
    if (mask < plen) report([...base, 'nodeCIDRMaskSize'], `${pathText([...base, 'nodeCIDRMaskSize'])}: ${mask} is shorter than the cluster CIDR's /${plen}`);
  }
  // Nodes, and the cluster's own machines and network.
  const nodeNames: string[] = [];
  asArray(cl.nodes).forEach((n, i) => {
    const o = asObj(n);
    const path: Path = [...base, 'nodes', i];
    const name = o?.name;
    if (typeof name === 'string' && (CLUSTER_RESERVED as readonly string[]).includes(name)) {
      report([...path, 'name'], `${pathText([...path, 'name'])}: "${name}" is the name of one of the cluster's own machines (${CLUSTER_RESERVED.join(', ')})`);
      return;
    }
    if (claim(name, path, 'node')) {
      names.nodes.add(name as string);
      names.hostsWithInterfaces.add(name as string);
      nodeNames.push(name as string);
      if (o?.joined === false) names.lateNodes.add(name as string);
    }
    const seg = o?.segment;
    if (typeof seg === 'number' && seg >= nsegs) report([...path, 'segment'], `${pathText([...path, 'segment'])}: the ${kind} underlay has ${nsegs} segment${nsegs === 1 ? '' : 's'} (0${nsegs > 1 ? `..${nsegs - 1}` : ''})`);
  });
  const rrs = asArray(opts.routeReflectors);
  rrs.forEach((r, i) => {
    if (typeof r === 'string' && !nodeNames.includes(r)) {
      const s = suggest(r, nodeNames);
      report([...base, 'options', 'routeReflectors', i], `${pathText([...base, 'options', 'routeReflectors', i])}: no cluster node "${r}"${s ? ` (did you mean "${s}"?)` : ''}`);
    }
  });
  names.networks.add('underlay');
  names.machines.add('router');
  names.hostsWithInterfaces.add('router');
  if (cl.outside !== false) {
    names.machines.add('outside');
    names.hostsWithInterfaces.add('outside');
  }
}

type RefRule = {
  readonly kinds: readonly RefKind[];
  /** container: allowed (pod/NAME/CONTAINER), required, or not allowed. */
  readonly container?: 'allowed' | 'required';
  readonly dev?: 'allowed' | 'required';
  readonly ip?: boolean;
  readonly localhost?: boolean;
  readonly star?: boolean;
};

const HOST_OR_POD: RefRule = { kinds: ['node', 'machine', 'pod'] };
const SENDER: RefRule = { kinds: ['pod', 'node', 'machine'], container: 'allowed' };
const TARGET: RefRule = { kinds: ['pod', 'node', 'machine'], ip: true, localhost: true };
const PLACE: RefRule = { kinds: ['pod', 'node', 'machine', 'network'], dev: 'allowed' };

function checkRef(value: unknown, rule: RefRule, path: Path, names: Names, report: Reporter): ParsedRef | undefined {
  if (typeof value !== 'string') return undefined;
  const where = pathText(path);
  if (rule.ip && isIpv4(value)) return undefined;
  if (rule.localhost && value === 'localhost') return undefined;
  if (rule.star && value === '*') return undefined;
  const r = parseRef(value);
  const forms = rule.kinds.map((k) => `${k}/NAME${k === 'pod' && rule.container === 'required' ? '/CONTAINER' : ''}${rule.dev === 'required' ? ':IFNAME' : ''}`).join(', ');
  const extra = [rule.ip ? 'an IPv4 address' : '', rule.localhost ? 'localhost' : '', rule.star ? '"*"' : ''].filter(Boolean);
  if (!r) {
    report(path, `${where}: "${value}" is not a reference (expected ${[forms, ...extra].join(', ')})`);
    return undefined;
  }
  if (!rule.kinds.includes(r.kind)) {
    report(path, `${where}: expected ${[forms, ...extra].join(', ')}, got a ${r.kind} reference "${value}"`);
    return undefined;
  }
  // spec.import whose files could not be read: its names are unknown, and that problem is reported already.
  if (names.imported === 'unread') return r;
  const known: Record<RefKind, () => string[]> = {
    pod: () => [...names.pods.keys()],
    node: () => [...names.nodes],
    machine: () => [...names.machines],
    network: () => [...names.networks],
  };
  const list = known[r.kind]();
  if (!list.includes(r.name)) {
    const s = suggest(r.name, list);
    report(path, `${where}: no ${r.kind} "${r.name}"${s ? ` (did you mean "${r.kind}/${s}"?)` : list.length ? ` (${r.kind}s: ${list.join(', ')})` : ` (the scenario declares no ${r.kind}s)`}`);
    return undefined;
  }
  if (r.container !== undefined) {
    if (!rule.container) {
      report(path, `${where}: a container is not allowed here ("${value}"); use pod/${r.name}`);
      return undefined;
    }
    const pod = names.pods.get(r.name)!;
    if (r.container !== 'pause' && !pod.containers.has(r.container)) {
      const s = suggest(r.container, [...pod.containers]);
      report(path, `${where}: pod ${r.name} has no container "${r.container}"${s ? ` (did you mean "pod/${r.name}/${s}"?)` : ` (containers: ${[...pod.containers].join(', ')})`}`);
      return undefined;
    }
  } else if (rule.container === 'required') {
    report(path, `${where}: name a container: pod/${r.name}/CONTAINER`);
    return undefined;
  }
  if (r.dev !== undefined && !rule.dev) {
    report(path, `${where}: an interface is not allowed here ("${value}")`);
    return undefined;
  }
  if (r.dev === undefined && rule.dev === 'required') {
    report(path, `${where}: name the interface too, e.g. ${r.kind}/${r.name}:eth0`);
    return undefined;
  }
  return r;
}

function checkStepRefs(o: Record<string, unknown>, path: Path, names: Names, report: Reporter): void {
  const kind = STEP_KIND_NAMES.find((k) => k in o);
  if (!kind) return;
  const a = kind === 'sh' && typeof o.sh === 'string' ? {} : asObj(o[kind]);
  if (!a) return;
  const ap: Path = [...path, kind];
  const ref = (key: string, rule: RefRule): ParsedRef | undefined => (key in a ? checkRef(a[key], rule, [...ap, key], names, report) : undefined);
  switch (kind) {
    case 'sh':
      ref('on', HOST_OR_POD);
      break;
    case 'cni':
      if (names.cluster) report([...ap], `${pathText(ap)}: in a spec.cluster scenario the kubelet runs the design's CNI plugin; use sandbox: {create: ...} or {delete: ...}`, 'key');
      for (const k of ['add', 'del', 'check']) {
        const r = ref(k, { kinds: ['pod'] });
        if (r && names.pods.get(r.name)?.network !== 'cni') report([...ap, k], `${pathText([...ap, k])}: pod ${r.name} does not use CNI (network: ${names.pods.get(r.name)?.network})`);
      }
      break;
    case 'sandbox':
      for (const k of ['create', 'delete']) ref(k, { kinds: ['pod'] });
      break;
    case 'container':
      for (const k of ['crash', 'restart', 'stop', 'start']) ref(k, { kinds: ['pod'], container: 'required' });
      break;
    case 'node':
      for (const k of ['reboot', 'leave', 'join']) {
        const r = ref(k, { kinds: ['node'] });
        if (r && k === 'join' && !names.lateNodes.has(r.name)) report([...ap, k], `${pathText([...ap, k])}: node ${r.name} is up from the start; declare it with joined: false to join it later`);
      }
      if (names.cluster && 'runtimeState' in a) report([...ap, 'runtimeState'], `${pathText([...ap, 'runtimeState'])}: not for spec.cluster scenarios (the kubelet re-creates the pods of a rebooted node)`, 'key');
      break;
    case 'agent': {
      if (!names.cluster) {
        report(ap, `${pathText(ap)}: agent steps are for scenarios with spec.cluster (a design's agents)`, 'key');
        break;
      }
      for (const k of ['start', 'stop']) ref(k, { kinds: ['node'] });
      for (const k of ['lag', 'sync']) {
        const r = ref(k, { kinds: ['node', 'machine'] });
        if (r?.kind === 'machine' && r.name !== 'router') report([...ap, k], `${pathText([...ap, k])}: only machine/router runs an agent (a controller programming the router)`);
      }
      break;
    }
    case 'fault': {
      ref('linkDown', { ...HOST_OR_POD, dev: 'required' });
      ref('linkUp', { ...HOST_OR_POD, dev: 'required' });
      ref('arpFlush', HOST_OR_POD);
      for (const k of ['peerDown', 'peerUp']) {
        const r = ref(k, { kinds: ['node', 'machine'] });
        if (r && !names.hostsWithInterfaces.has(r.name)) report([...ap, k], `${pathText([...ap, k])}: ${r.kind} ${r.name} is not cabled to any network`);
      }
      for (const k of ['bgpDown', 'bgpUp']) {
        if (!(k in a)) continue;
        if (names.cluster?.design !== 'calico-bgp') {
          report([...ap, k], `${pathText([...ap, k])}: BGP sessions exist with spec.cluster design calico-bgp${names.cluster ? ` (this cluster is ${names.cluster.design})` : ''}`, 'key');
          continue;
        }
        const refs = asArray(a[k]).map((v, i) => checkRef(v, { kinds: ['node', 'machine'] }, [...ap, k, i], names, report));
        refs.forEach((r, i) => {
          if (r?.kind === 'machine' && (r.name !== 'router' || !names.cluster!.peerWithRouter)) report([...ap, k, i], `${pathText([...ap, k, i])}: the BGP speakers are the nodes${names.cluster!.peerWithRouter ? ' and machine/router' : ' (and machine/router with options.peerWithRouter)'}`);
        });
        if (refs.length === 2 && refs[0] && refs[1] && refs[0].name === refs[1].name) report([...ap, k], `${pathText([...ap, k])}: a session is between two different peers`);
      }
      ref('on', HOST_OR_POD);
      for (const k of ['routeDelete', 'ruleInsert']) {
        if (k in a && !('on' in a)) report([...ap, k], `${pathText([...ap, k])}: say where with on: (e.g. on: node/NAME)`, 'key');
      }
      if ('on' in a && !('routeDelete' in a) && !('ruleInsert' in a)) report([...ap, 'on'], `${pathText([...ap, 'on'])}: on: is only for routeDelete and ruleInsert`, 'key');
      break;
    }
    case 'ping':
    case 'tcp':
    case 'udp':
    case 'traceroute':
      ref('from', SENDER);
      ref('to', TARGET);
      break;
  }
  const ex = asObj(o.expect);
  if (!ex) return;
  const ep: Path = [...path, 'expect'];
  asArray(ex.outputMatches).forEach((re, i) => {
    if (typeof re !== 'string') return;
    try {
      new RegExp(re, 'm');
    } catch (e) {
      report([...ep, 'outputMatches', i], `${pathText([...ep, 'outputMatches', i])}: not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const eref = (key: string, rule: RefRule): void => {
    if (key in ex) checkRef(ex[key], rule, [...ep, key], names, report);
  };
  eref('endedIn', { kinds: ['pod', 'node', 'machine', 'network'] });
  eref('sourceSeen', { kinds: ['pod', 'node', 'machine'], ip: true });
  for (const k of ['path', 'pathLacks']) asArray(ex[k]).forEach((v, i) => checkRef(v, PLACE, [...ep, k, i], names, report));
  asArray(ex.hops).forEach((v, i) => checkRef(v, { kinds: ['pod', 'node', 'machine'], ip: true, star: true }, [...ep, 'hops', i], names, report));
  asArray(ex.counters).forEach((c, i) => {
    const co = asObj(c);
    if (co && 'on' in co) checkRef(co.on, HOST_OR_POD, [...ep, 'counters', i, 'on'], names, report);
  });
  if (Array.isArray(ex.running)) {
    const podRef = kind === 'container' || kind === 'sandbox' || kind === 'cni' ? Object.values(a).find((v) => typeof v === 'string') : undefined;
    const pr = typeof podRef === 'string' ? parseRef(podRef) : undefined;
    const pod = pr ? names.pods.get(pr.name) : undefined;
    if (pod) {
      ex.running.forEach((c, i) => {
        if (typeof c === 'string' && c !== 'pause' && !pod.containers.has(c)) report([...ep, 'running', i], `${pathText([...ep, 'running', i])}: pod ${pr!.name} has no container "${c}"`);
      });
    }
  }
}

// ---------------------------------------------------------------------------
// CNI configurations

interface CniNetworkBody {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly Readonly<Record<string, unknown>>[];
}

function resolveCni(
  o: Record<string, unknown>,
  path: Path,
  report: Reporter,
  opts: LoadOptions,
  scriptPlugins: ReadonlySet<string>,
): { conf: CniNetworkBody; origin: string } | undefined {
  const hasInline = 'conflist' in o;
  const hasFile = 'file' in o;
  if (hasInline === hasFile) {
    report(path, `${pathText(path)}: give exactly one of conflist (inline) or file`);
    return undefined;
  }
  let raw: unknown;
  let origin: string;
  let at: Path;
  if (hasFile) {
    const f = o.file;
    if (typeof f !== 'string') return undefined;
    at = [...path, 'file'];
    origin = f;
    const text = opts.readFile?.(f);
    if (text === undefined) {
      report(at, `${pathText(at)}: cannot read "${f}"`);
      return undefined;
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      report(at, `${pathText(at)}: "${f}" is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  } else {
    raw = o.conflist;
    at = [...path, 'conflist'];
    origin = pathText(path);
    if (asObj(raw) === undefined) return undefined; // the schema reported it
  }
  const c = asObj(raw);
  if (!c) {
    report(at, `${pathText(at)}: a CNI configuration is a JSON object`);
    return undefined;
  }
  const problems: { msg: string; sub?: Path }[] = [];
  const problem = (msg: string, sub?: Path): void => {
    problems.push({ msg, ...(sub && !hasFile ? { sub } : {}) });
  };
  const version = str(c.cniVersion);
  const name = str(c.name);
  if (version === undefined) problem('missing string "cniVersion"');
  if (name === undefined) problem('missing string "name"');
  let plugins: Record<string, unknown>[] = [];
  if ('plugins' in c) {
    if (!Array.isArray(c.plugins) || c.plugins.length === 0) problem('"plugins" must be a non-empty list', ['plugins']);
    else plugins = c.plugins.map((p) => asObj(p) ?? {});
  } else if ('type' in c) {
    // A single network configuration (.conf): libcni's ConfListFromConf.
    const { cniVersion: _v, name: _n, ...rest } = c;
    void _v;
    void _n;
    plugins = [rest];
  } else problem('neither "plugins" (a .conflist) nor "type" (a .conf)');
  const emulated = Object.keys(pluginTable());
  plugins.forEach((p, i) => {
    const t = str(p.type);
    const list = 'plugins' in c;
    const where = list ? `plugins[${i}]` : 'the configuration';
    const sub: Path = list ? ['plugins', i] : [];
    if (t === undefined) problem(`${where} has no string "type"`, sub);
    else if (!emulated.includes(t) && !scriptPlugins.has(t)) {
      const s = suggest(t, [...emulated, ...scriptPlugins]);
      problem(`${where}: plugin type "${t}" is not emulated by podnet${s ? ` (did you mean "${s}"?)` : ''} (emulated: ${[...emulated, ...scriptPlugins].join(', ')})`, [...sub, 'type']);
    }
    const ipam = asObj(p.ipam);
    const it = ipam ? str(ipam.type) : undefined;
    if (ipam && it !== undefined && !emulated.includes(it) && !scriptPlugins.has(it)) problem(`${where}: IPAM type "${it}" is not emulated by podnet (emulated: ${emulated.join(', ')})`, [...sub, 'ipam', 'type']);
  });
  for (const p of problems) report(p.sub ? [...at, ...p.sub] : at, `${pathText(at)}: ${p.msg}`);
  if (problems.length > 0 || version === undefined || name === undefined) return undefined;
  return { conf: { cniVersion: version, name, plugins }, origin };
}

/** Replace {{podCIDR}} and {{node}} in every string; returns the missing variable's name on failure. */
function fillTemplate(conf: CniNetworkBody, vars: { node: string; podCIDR: string | undefined }): CniNetworkBody | string {
  let missing: string | undefined;
  const fill = (v: unknown, depth: number): unknown => {
    if (depth > 50) return v;
    if (typeof v === 'string') {
      return v.replace(/\{\{\s*(podCIDR|node)\s*\}\}/g, (_, k: string) => {
        const val = k === 'node' ? vars.node : vars.podCIDR;
        if (val === undefined) {
          missing = k;
          return '';
        }
        return val;
      });
    }
    if (Array.isArray(v)) return v.map((x) => fill(x, depth + 1));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, depth + 1)]));
    return v;
  };
  const out = fill(conf, 0) as CniNetworkBody;
  return missing ?? out;
}

export type { NodeT };
