/**
 * Running shell lines against the cluster's world, as an actor would type
 * them, and keeping the journal.
 *
 * Every change the cluster machinery or a design makes goes through here: a
 * line of the twin shell (src/shell, run by runScript on the cluster's world).
 * A line the real tool rejects fails here too, with the tool's message, and
 * the actor decides what to do (flannel logs "Error adding route" and carries
 * on, for example): the failure is kept in the journal and as an event.
 * A line the twin does not model is a bug of the design: it throws.
 */
import { runScript } from '../shell/interp.js';
import type { Cluster, ClusterEvent, JournalEntry } from './types.js';

export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

export interface LineResult {
  readonly cluster: Cluster;
  readonly status: number;
  readonly output: string;
}

/** Run one line (a here-document line carries its body and terminator) as `who`. */
export function runLine(c: Cluster, who: string, line: string): LineResult {
  const r = runScript(line.endsWith('\n') ? line : line + '\n', { world: c.world });
  if (r.unsupported.length > 0) throw new ClusterError(`${who}: the twin does not model: ${r.unsupported.join('; ')} (in: ${line})`);
  const status = r.sections.length > 0 ? (r.sections[r.sections.length - 1] as { status?: number }).status ?? r.exitCode : r.exitCode;
  const entry: JournalEntry = { who, line, status, output: r.output };
  const events: ClusterEvent[] = status !== 0 ? [{ who, message: `${line.split('\n')[0]}: ${r.output.trim() || `exit status ${status}`}` }] : [];
  return {
    cluster: { ...c, world: r.world, journal: [...c.journal, entry], events: events.length ? [...c.events, ...events] : c.events },
    status,
    output: r.output,
  };
}

/** Run lines in order as `who`, each whatever the previous one returned (like `set +e`). */
export function runLines(c: Cluster, who: string, lines: readonly string[]): Cluster {
  let cur = c;
  for (const l of lines) cur = runLine(cur, who, l).cluster;
  return cur;
}

/** Run lines, stopping at the first failure (an agent returning its error). */
export function runUntilError(c: Cluster, who: string, lines: readonly string[]): { cluster: Cluster; failed?: string } {
  let cur = c;
  for (const l of lines) {
    const r = runLine(cur, who, l);
    cur = r.cluster;
    if (r.status !== 0) return { cluster: cur, failed: l };
  }
  return { cluster: cur };
}

/** Record an event without running anything (an agent's log line). */
export function logEvent(c: Cluster, who: string, message: string): Cluster {
  return { ...c, events: [...c.events, { who, message }] };
}

/** A here-document line writing `path` (cwd-relative, so the kernel sandbox's private cwd holds it). */
export function writeFileLine(path: string, content: string): string {
  const body = content.endsWith('\n') ? content : content + '\n';
  return `cat > ${path} <<'EOF'\n${body}EOF`;
}
