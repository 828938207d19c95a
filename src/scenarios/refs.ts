/**
 * References by name: how a scenario points at things without writing an IP
 * address. `pod/frontend`, `pod/frontend/web` (a container), `node/node-a`,
 * `machine/router`, `network/lan`, each optionally with `:IFNAME` for one of
 * its devices (`node/node-a:eth0`).
 */

export type RefKind = 'pod' | 'node' | 'machine' | 'network';

export interface ParsedRef {
  readonly kind: RefKind;
  readonly name: string;
  /** Only for pods: `pod/NAME/CONTAINER`. */
  readonly container?: string;
  /** `:IFNAME` suffix. */
  readonly dev?: string;
}

const REF_RE = /^(pod|node|machine|network)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\/([a-z0-9]([-a-z0-9]*[a-z0-9])?))?(?::([A-Za-z0-9_.-]{1,15}))?$/;

export function parseRef(text: string): ParsedRef | undefined {
  const m = REF_RE.exec(text);
  if (!m) return undefined;
  const kind = m[1] as RefKind;
  if (m[4] !== undefined && kind !== 'pod') return undefined;
  return { kind, name: m[2]!, ...(m[4] !== undefined ? { container: m[4] } : {}), ...(m[6] !== undefined ? { dev: m[6] } : {}) };
}

export function formatRef(r: ParsedRef): string {
  return `${r.kind}/${r.name}${r.container !== undefined ? `/${r.container}` : ''}${r.dev !== undefined ? `:${r.dev}` : ''}`;
}

/** Strict dotted quad (no leading zeros beyond a single 0). */
export function isIpv4(text: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text);
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest candidate, if close enough to be a likely misspelling. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}
