/**
 * A validated scenario: the document's data (defaults filled in), its steps
 * typed by action, the CNI configurations resolved per node, and where every
 * part came from in the source text (for `file:line:col` messages at run time).
 */
import type { z } from 'zod';
import type { ClusterT, MachineT, NetworkT, NodeT, PodT, ScriptPluginT, STEP_KINDS, StepKind } from './schema.js';
import type { ImportedTwin } from '../import/scenario.js';

/** 1-based line and column. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** A problem with the input: where, and what. */
export interface Issue {
  readonly file: string;
  readonly pos: Pos;
  readonly message: string;
}

export function formatIssue(i: Issue): string {
  return `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`;
}

export type StepOf<K extends StepKind> = {
  readonly kind: K;
  /** 1-based position in spec.steps. */
  readonly index: number;
  readonly name?: string;
  readonly pos: Pos;
  readonly action: z.output<(typeof STEP_KINDS)[K]['action']>;
  readonly expect?: z.output<(typeof STEP_KINDS)[K]['expect']>;
};

export type Step = { [K in StepKind]: StepOf<K> }[StepKind];

/** One plugin's network configuration as libcni hands it to the plugin (before prevResult). */
export interface CniNetwork {
  readonly cniVersion: string;
  readonly name: string;
  /** Plugin configurations in order (each has a string `type`). */
  readonly plugins: readonly Readonly<Record<string, unknown>>[];
  /** Where it came from, for messages: "spec.cni" or a file path. */
  readonly origin: string;
}

export interface Scenario {
  /** The file name used in messages. */
  readonly file: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly concepts: readonly number[];
  readonly seed: number;
  readonly networks: readonly NetworkT[];
  readonly machines: readonly MachineT[];
  /** With spec.cluster: the declarations src/scenarios/cluster.ts derives from it (network underlay, machines router and outside, the nodes). */
  readonly nodes: readonly NodeT[];
  /** spec.cluster: a cluster built by a pod-network design (the runner builds it with src/cluster). */
  readonly cluster?: ClusterT;
  /**
   * spec.import: the twin of real nodes the scenario starts from (imported by
   * the loader from the bundles its `readFile` gave it); networks, machines,
   * nodes and pods are the names of its namespaces (src/import/scenario.ts).
   */
  readonly imported?: ImportedTwin;
  readonly pods: readonly PodT[];
  readonly plugins: readonly ScriptPluginT[];
  /** The CNI configuration each node uses (templates filled in), by node name. */
  readonly cni: Readonly<Record<string, CniNetwork>>;
  readonly steps: readonly Step[];
  /** Source position of any part, by its path joined with "." (e.g. "spec.nodes.0.routes.1"). */
  readonly positions: Readonly<Record<string, Pos>>;
}

export function posOf(s: Scenario, path: readonly (string | number)[]): Pos {
  for (let n = path.length; n >= 0; n--) {
    const p = s.positions[path.slice(0, n).join('.')];
    if (p) return p;
  }
  return { line: 1, col: 1 };
}
