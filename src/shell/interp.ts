/**
 * The twin shell interpreter: runs a script of Linux commands against a twin
 * machine and produces what bash would print, with stderr merged into stdout
 * in order (the conformance harness runs the kernel side with `exec 2>&1`).
 *
 * Output is kept per top-level command ("section", keyed by its line number),
 * the unit the conformance suite compares with the kernel's recording.
 */
import { ROOT_NS, type NsName, type World } from '../model/world.js';
import { freshMachine } from '../sim/ops/netns.js';
import type { Trace } from '../sim/trace.js';
import { expandHeredoc, parseCommand, ShellSyntaxError, splitScript } from './script.js';
import { lookupCommand } from './commands.js';
import { Unsupported, type CmdResult, type OutChunk } from './types.js';

export interface Section {
  readonly line: number;
  readonly command: string;
  readonly output: string;
  /** Exit status of this command ($? after it; 2 for an unsupported line). */
  readonly status: number;
}

export interface RunOptions {
  /** Start from this world instead of a fresh machine. */
  readonly world?: World;
  /** Seed for a fresh machine's deterministic choices. */
  readonly seed?: number;
  /** Environment variables visible to `$VAR`. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The namespace the script's commands run in (default the initial one), as
   * if the whole script ran under `ip netns exec NS` (scenario steps run "on" a node).
   */
  readonly ns?: NsName;
}

export interface RunResult {
  readonly world: World;
  /** All output, stderr merged into stdout in order. */
  readonly output: string;
  readonly sections: readonly Section[];
  /** 0, or the status of the last command; 2 if any line was unsupported. */
  readonly exitCode: number;
  /** One line per unsupported construct ("line N: ..."). */
  readonly unsupported: readonly string[];
  readonly traces: readonly { readonly line: number; readonly trace: Trace }[];
}

/** Run a whole script. Never throws for bad input: problems become output lines. */
export function runScript(text: string, opts: RunOptions = {}): RunResult {
  let world = opts.world ?? freshMachine(opts.seed ?? 1);
  const vars: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, opts.env ?? {});
  let status = 0;
  const sections: Section[] = [];
  const unsupported: string[] = [];
  const traces: { line: number; trace: Trace }[] = [];
  const { commands, problems } = splitScript(text);
  for (const p of problems) unsupported.push(`line ${p.line}: ${p.message}`);
  const getVar = (name: string): string => (name === '?' ? String(status) : (vars[name] ?? ''));

  for (const cmd of commands) {
    let out = '';
    try {
      const parsed = parseCommand(cmd.text, getVar);
      if (parsed.argv.length === 0) {
        for (const a of parsed.assigns) vars[a.name] = a.value;
        status = 0;
        sections.push({ line: cmd.line, command: cmd.text, output: '', status: 0 });
        continue;
      }
      let stdin: string | undefined;
      if (cmd.heredoc) stdin = cmd.heredoc.expand ? expandHeredoc(cmd.heredoc.body, getVar) : cmd.heredoc.body;
      for (const r of parsed.redirects) {
        if (r.kind !== 'in') continue;
        const content = world.files[r.path];
        if (content === undefined) throw new RedirectError(`bash: line ${cmd.line}: ${r.path}: No such file or directory`);
        stdin = content;
      }
      const env: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, vars);
      for (const a of parsed.assigns) env[a.name] = a.value;
      const res = execArgv(world, opts.ns ?? ROOT_NS, parsed.argv, {
        env,
        stdin,
        line: cmd.line,
        background: parsed.background,
      });
      world = res.world;
      if (res.traces) for (const t of res.traces) traces.push({ line: cmd.line, trace: t });
      // Apply output redirections in order, like bash.
      const routed = applyRedirects(world, res.out, parsed.redirects);
      world = routed.world;
      out = routed.text;
      status = parsed.background ? 0 : res.status;
    } catch (e) {
      if (e instanceof Unsupported) {
        const msg = `podnet: line ${cmd.line}: unsupported: ${e.message}`;
        unsupported.push(`line ${cmd.line}: ${e.message}`);
        out += msg + '\n';
        status = 2;
      } else if (e instanceof ShellSyntaxError) {
        const msg = `podnet: line ${cmd.line}: unsupported: ${e.message}`;
        unsupported.push(`line ${cmd.line}: ${e.message}`);
        out += msg + '\n';
        status = 2;
      } else if (e instanceof RedirectError) {
        out += e.message + '\n';
        status = 1;
      } else {
        throw e;
      }
    }
    sections.push({ line: cmd.line, command: cmd.text, output: out, status });
  }
  const output = sections.map((s) => s.output).join('');
  return {
    world,
    output,
    sections,
    exitCode: unsupported.length > 0 ? 2 : status,
    unsupported,
    traces,
  };
}

class RedirectError extends Error {}

interface ExecOpts {
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string | undefined;
  readonly line: number;
  readonly background: boolean;
}

/** Run one command (argv) in a namespace. Used by the interpreter and by `ip netns exec`. */
export function execArgv(world: World, ns: NsName, argv: readonly string[], o: ExecOpts): CmdResult {
  const name = argv[0]!;
  const fn = lookupCommand(name);
  if (!fn) {
    if (name.includes('/')) {
      return { world, out: [{ fd: 2, text: `bash: line ${o.line}: ${name}: No such file or directory\n` }], status: 127 };
    }
    throw new Unsupported(`command '${name}'`);
  }
  return fn({
    world,
    ns,
    argv,
    env: o.env,
    ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
    line: o.line,
    background: o.background,
    exec: (w, n, a) => execArgv(w, n, a, o),
  });
}

function applyRedirects(
  world: World,
  out: readonly OutChunk[],
  redirects: readonly import('./script.js').Redirect[],
): { world: World; text: string } {
  // Where each fd goes: 'tty' (the merged output), 'null', or a file path.
  const dest: Record<1 | 2, string> = { 1: 'tty', 2: 'tty' };
  for (const r of redirects) {
    if (r.kind === 'out') dest[r.fd] = r.path === '/dev/null' ? 'null' : `file:${r.path}:${r.append ? 'a' : 'w'}`;
    else if (r.kind === 'dup') dest[r.fd] = dest[r.to];
  }
  let text = '';
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const d of Object.values(dest)) {
    if (d.startsWith('file:')) {
      const [, path, mode] = /^file:(.*):([aw])$/.exec(d)!;
      files[path!] = mode === 'a' ? (world.files[path!] ?? '') : '';
    }
  }
  for (const c of out) {
    const d = dest[c.fd];
    if (d === 'tty') text += c.text;
    else if (d.startsWith('file:')) {
      const path = /^file:(.*):[aw]$/.exec(d)![1]!;
      files[path] = (files[path] ?? '') + c.text;
    }
  }
  if (Object.keys(files).length > 0) world = { ...world, files: Object.assign(Object.create(null) as Record<string, string>, world.files, files) };
  return { world, text };
}
