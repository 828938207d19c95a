/** Render a trace as text a student can follow. */
import type { Trace } from './trace.js';

export function formatTrace(t: Trace): string {
  const lines = [`trace: ${t.title}`];
  t.hops.forEach((h, i) => {
    const where = h.ns === '/' ? 'host' : `netns ${h.ns}`;
    const devs = [h.inDev ? `in ${h.inDev}` : '', h.outDev ? `out ${h.outDev}` : ''].filter(Boolean).join(', ');
    lines.push(`  hop ${i + 1}: ${where}${devs ? ` (${devs})` : ''}`);
    for (const s of h.steps) {
      lines.push(`    - ${s.kind}: ${s.action}${s.entry ? `  [${s.entry}]` : ''}`);
    }
  });
  lines.push(`  => ${t.disposition} in ${t.endedIn === '/' ? 'host' : `netns ${t.endedIn}`}: ${t.reason}`);
  return lines.join('\n') + '\n';
}
