/**
 * The contract between the twin shell's interpreter and its commands.
 *
 * A command is a pure function from (world, argv, ...) to a new world plus the
 * bytes it wrote on stdout/stderr (kept as ordered chunks so `2>&1` and
 * `2>/dev/null` behave as in bash) and an exit status.
 */
import type { World, NsName } from '../model/world.js';
import type { Trace } from '../sim/trace.js';

export interface OutChunk {
  readonly fd: 1 | 2;
  readonly text: string;
}

export interface CmdContext {
  readonly world: World;
  /** The namespace the command runs in (ROOT_NS unless `ip netns exec`). */
  readonly ns: NsName;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Standard input (from `< file` or a here-document), if any. */
  readonly stdin?: string;
  /** 1-based script line, for messages. */
  readonly line: number;
  readonly background: boolean;
  /** Run another command line (argv) in a namespace, e.g. for `ip netns exec`. */
  readonly exec: (world: World, ns: NsName, argv: readonly string[]) => CmdResult;
}

export interface CmdResult {
  readonly world: World;
  readonly out: readonly OutChunk[];
  readonly status: number;
  /** Traces of the packets this command sent (probes), for `podnet sh --trace`. */
  readonly traces?: readonly Trace[];
}

export type Command = (ctx: CmdContext) => CmdResult;

/**
 * Thrown by a command for a syntax or option the twin does not model. The
 * interpreter prints one line naming the script line and carries on; the
 * script then exits 2. Never used for errors the real tool reports itself.
 */
export class Unsupported extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'Unsupported';
  }
}

export function ok(world: World, stdout = ''): CmdResult {
  return { world, out: stdout === '' ? [] : [{ fd: 1, text: stdout }], status: 0 };
}

export function fail(world: World, stderr: string, status = 1): CmdResult {
  return { world, out: stderr === '' ? [] : [{ fd: 2, text: stderr }], status };
}

/** Concatenate results of several steps of one command (for batch-like output). */
export function withOut(res: CmdResult, more: readonly OutChunk[]): CmdResult {
  return { ...res, out: [...res.out, ...more] };
}
