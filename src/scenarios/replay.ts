/**
 * A scenario run as one twin-shell script: every command the build and the
 * steps ran, in order, written as they would be typed from the lab namespace
 * (`podnet show FILE --script`; `podnet sh` replays it). Lines that ran
 * inside a namespace (a machine's `setup:`, `sh: {on: ...}`, a CNI plugin
 * written as a script) get `ip netns exec NS` in front, and a script
 * plugin's environment becomes shell variables set first.
 *
 * What a script cannot replay: probes (ping/tcp/udp steps are comments) and
 * the containers' listening sockets (the twin has them without a process).
 */
import { splitScript } from '../shell/script.js';
import type { StepReport, TranscriptEntry } from './run.js';

const ASSIGNS = /^((?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*)(.*)$/s;

/** One transcript entry as lab-namespace lines. */
export function entryScript(t: TranscriptEntry): string {
  if (t.ns === undefined) return t.script.replace(/\n?$/, '\n');
  // Leading comments say what the lines are (e.g. which plugin script).
  const out: string[] = t.script.split('\n').filter((l, i, all) => l.startsWith('#') && all.slice(0, i).every((x) => x.startsWith('#')));
  for (const [k, v] of Object.entries(t.vars ?? {})) out.push(`${k}=${/^[A-Za-z0-9_./=:,@%+-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`}`);
  const { commands } = splitScript(t.script);
  for (const c of commands) {
    const m = ASSIGNS.exec(c.text.trim())!;
    const [, assigns, rest] = m;
    const line = rest === '' ? c.text.trim() : `${assigns}ip netns exec ${t.ns} ${rest}`;
    if (c.heredoc) out.push(`${line.trimEnd()} <<${c.heredoc.expand ? 'EOF' : "'EOF'"}\n${c.heredoc.body}EOF`);
    else out.push(line);
  }
  return out.join('\n') + '\n';
}

/** The whole run as a script, one comment line per step. */
export function replayScript(steps: readonly StepReport[]): string {
  let s = '';
  let who: string | undefined;
  for (const st of steps) {
    s += `# ${st.index === 0 ? 'build' : `step ${st.index}`}: ${st.title}\n`;
    if (st.probe) s += `#   (a probe: ${st.probe.outcome})\n`;
    for (const t of st.transcript) {
      // spec.cluster: say who typed the following lines (an agent, kubelet, the admin).
      if (t.who !== undefined && t.who !== who) s += `# ${t.who}\n`;
      who = t.who;
      s += entryScript(t);
    }
  }
  return s;
}
