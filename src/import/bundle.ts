/**
 * The bundle `podnet collect` writes (src/collect/podnet-collect.sh), parsed.
 * Format (docs/import.md):
 *
 *   @@podnet bundle 1
 *   @@podnet node NAME
 *   @@podnet cmd LABEL            one section per command: LABEL is the command
 *   <stdout, verbatim>             as typed in the initial namespace
 *   <one extra newline>
 *   @@podnet status RC
 *   @@podnet stderr LINE           (0 or more)
 *   @@podnet netns NAME            the following cmd sections ran in NAME ("/" = initial)
 *   @@podnet file PATH             a file's content, closed like a cmd section
 *   @@podnet cmd LABEL (after)     a node-wide listing taken at the end
 *   @@podnet end                   the collector finished
 *
 * Pure: text in, data out. Problems are collected, never thrown.
 */

export const BUNDLE_MARK = '@@podnet ';

export interface BundleSection {
  /** The command as typed (`ip -j -d link show`) or the file path. */
  readonly label: string;
  /** stdout (or the file content) exactly as written. */
  readonly body: string;
  readonly status: number;
  readonly stderr: string;
  /** 1-based line of the section header in the bundle. */
  readonly line: number;
}

export interface BundleNetns {
  /** "/" for the namespace the collector ran in; else an `ip netns` name. */
  readonly name: string;
  readonly cmds: Readonly<Record<string, BundleSection>>;
}

export interface Bundle {
  readonly version: number;
  /** The node name (`--name`, else `uname -n` on the node). */
  readonly node: string;
  /** Sections before the first `netns` line (uname -r, ip -V, ip netns list...). */
  readonly meta: Readonly<Record<string, BundleSection>>;
  readonly netns: readonly BundleNetns[];
  readonly files: Readonly<Record<string, BundleSection>>;
  /** `@@podnet end` was seen: the collector was not interrupted. */
  readonly complete: boolean;
  readonly problems: readonly string[];
}

export function isBundle(text: string): boolean {
  return text.startsWith(`${BUNDLE_MARK}bundle `);
}

export function parseBundle(text: string): Bundle {
  const problems: string[] = [];
  const lines = text.split('\n');
  let version = 0;
  let node = '';
  const meta: Record<string, BundleSection> = Object.create(null) as Record<string, BundleSection>;
  const files: Record<string, BundleSection> = Object.create(null) as Record<string, BundleSection>;
  const netns: { name: string; cmds: Record<string, BundleSection> }[] = [];
  let complete = false;
  let cur: { name: string; cmds: Record<string, BundleSection> } | undefined;
  let i = 0;
  if (!isBundle(text)) problems.push('line 1: not a podnet bundle (expected "@@podnet bundle N")');
  while (i < lines.length) {
    const line = lines[i]!;
    const lineNo = i + 1;
    i++;
    if (!line.startsWith(BUNDLE_MARK)) {
      if (line !== '' || i < lines.length) problems.push(`line ${lineNo}: text outside a section`);
      continue;
    }
    const rest = line.slice(BUNDLE_MARK.length);
    const sp = rest.indexOf(' ');
    const kw = sp < 0 ? rest : rest.slice(0, sp);
    const arg = sp < 0 ? '' : rest.slice(sp + 1);
    if (kw === 'bundle') version = Number(arg);
    else if (kw === 'node') node = arg;
    else if (kw === 'end') complete = true;
    else if (kw === 'netns') {
      cur = { name: arg, cmds: Object.create(null) as Record<string, BundleSection> };
      netns.push(cur);
    } else if (kw === 'cmd' || kw === 'file') {
      // The body runs to the next "@@podnet status" line; its last newline is the collector's.
      const start = i;
      while (i < lines.length && !lines[i]!.startsWith(`${BUNDLE_MARK}status `)) i++;
      if (i >= lines.length) {
        problems.push(`line ${lineNo}: section "${arg}" has no status line (bundle cut short?)`);
        break;
      }
      // The text between the header and the status line is the body plus the collector's newline:
      // its lines joined with "\n" are exactly the body.
      const bodyLines = lines.slice(start, i);
      if (bodyLines.length === 0) problems.push(`line ${lineNo}: section "${arg}" lacks the collector's final newline`);
      const body = bodyLines.join('\n');
      const status = Number(lines[i]!.slice(`${BUNDLE_MARK}status `.length));
      i++;
      const err: string[] = [];
      while (i < lines.length && lines[i]!.startsWith(`${BUNDLE_MARK}stderr `)) {
        err.push(lines[i]!.slice(`${BUNDLE_MARK}stderr `.length));
        i++;
      }
      const sec: BundleSection = { label: arg, body, status, stderr: err.length ? err.join('\n') + '\n' : '', line: lineNo };
      if (kw === 'file') files[arg] = sec;
      else if (cur && !arg.endsWith(' (after)')) cur.cmds[arg] = sec;
      else meta[arg] = sec;
    } else problems.push(`line ${lineNo}: unknown section "${kw}"`);
  }
  if (version !== 1 && isBundle(text)) problems.push(`bundle version ${version} is not supported (this podnet reads version 1)`);
  if (!complete) problems.push('the bundle has no "@@podnet end" line: the collector did not finish');
  return { version, node, meta, netns, files, complete, problems };
}

/** Parse a section body as JSON (`ip -j` output); undefined when missing, failed or not JSON. */
export function sectionJson<T = unknown>(ns: BundleNetns | undefined, label: string): T | undefined {
  const s = ns?.cmds[label];
  if (!s || s.status !== 0) return undefined;
  const t = s.body.trim();
  if (t === '') return undefined;
  try {
    return JSON.parse(t) as T;
  } catch {
    return undefined;
  }
}

/** A bundle back as text (the collector's format): parseBundle(formatBundle(b)) equals b but for line numbers. */
export function formatBundle(b: Pick<Bundle, 'version' | 'node' | 'meta' | 'netns' | 'files' | 'complete'>): string {
  const sec = (kw: 'cmd' | 'file', s: BundleSection): string => {
    let out = `${BUNDLE_MARK}${kw} ${s.label}\n${s.body}\n${BUNDLE_MARK}status ${s.status}\n`;
    if (s.stderr !== '') for (const l of s.stderr.replace(/\n$/, '').split('\n')) out += `${BUNDLE_MARK}stderr ${l}\n`;
    return out;
  };
  let out = `${BUNDLE_MARK}bundle ${b.version}\n${BUNDLE_MARK}node ${b.node}\n`;
  const after = (s: BundleSection): boolean => s.label.endsWith(' (after)');
  for (const s of Object.values(b.meta)) if (!after(s)) out += sec('cmd', s);
  for (const n of b.netns) {
    out += `${BUNDLE_MARK}netns ${n.name}\n`;
    for (const s of Object.values(n.cmds)) out += sec('cmd', s);
  }
  for (const s of Object.values(b.files)) out += sec('file', s);
  for (const s of Object.values(b.meta)) if (after(s)) out += sec('cmd', s);
  if (b.complete) out += `${BUNDLE_MARK}end\n`;
  return out;
}
