/**
 * The journal as a shell script: every line the admin, kubelet and the agents
 * ran, in order, which the real kernel runs to build the same node state (the
 * designs' kernel conformance scripts are made of it).
 */
import type { Cluster } from './types.js';

export function journalScript(c: Cluster, o: { readonly comments?: boolean } = {}): string {
  const out: string[] = [];
  let who = '';
  for (const e of c.journal) {
    if (o.comments && e.who !== who) {
      out.push(`# ${e.who}`);
      who = e.who;
    }
    out.push(e.line);
  }
  return out.join('\n') + '\n';
}
