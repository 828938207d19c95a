/**
 * The twin shell's script language: a small, strict subset of POSIX sh.
 *
 * One command per line; `#` comments; blank lines; `\` line continuations;
 * words with '...' / "..." quoting and backslash escapes; `$?`, `$VAR`,
 * `${VAR}` expansion; env prefixes (`A=b cmd`); redirections `< f`, `> f`,
 * `>> f`, `2>&1`, `2>/dev/null`, `>/dev/null`; here-documents (`<<EOF`,
 * `<<'EOF'`, `<<-EOF`); a trailing `&` runs the command in the background.
 * Anything else (pipes, `;`, `&&`, `||`, `$(...)`, control flow) is rejected
 * with a message naming the line, never silently misread.
 */

export interface ScriptCommand {
  /** 1-based line number where the command starts. */
  readonly line: number;
  /** The raw text of the command line(s), continuations joined. */
  readonly text: string;
  /** Body of a here-document attached to this command, if any. */
  readonly heredoc?: { readonly body: string; readonly expand: boolean };
}

export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

/** Split a script into top-level commands (the unit of output sections). */
export function splitScript(text: string): { commands: ScriptCommand[]; problems: ParseProblem[] } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const commands: ScriptCommand[] = [];
  const problems: ParseProblem[] = [];
  let i = 0;
  while (i < lines.length) {
    const startLine = i + 1;
    let raw = lines[i]!;
    i++;
    // line continuation: a trailing backslash (not inside quotes; good enough for scripts)
    while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i < lines.length) {
      raw = raw.slice(0, -1) + lines[i]!;
      i++;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const hd = findHeredoc(raw);
    if (hd) {
      const bodyLines: string[] = [];
      let closed = false;
      while (i < lines.length) {
        const l = lines[i]!;
        i++;
        const cmp = hd.stripTabs ? l.replace(/^\t+/, '') : l;
        if (cmp === hd.delim) {
          closed = true;
          break;
        }
        bodyLines.push(hd.stripTabs ? l.replace(/^\t+/, '') : l);
      }
      if (!closed) problems.push({ line: startLine, message: `here-document delimited by end-of-file (wanted \`${hd.delim}')` });
      commands.push({
        line: startLine,
        text: raw.slice(0, hd.start) + raw.slice(hd.end),
        heredoc: { body: bodyLines.map((l) => l + '\n').join(''), expand: hd.expand },
      });
      continue;
    }
    commands.push({ line: startLine, text: raw });
  }
  return { commands, problems };
}

function findHeredoc(
  raw: string,
): { start: number; end: number; delim: string; expand: boolean; stripTabs: boolean } | undefined {
  // Only outside quotes.
  let q: string | undefined;
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k]!;
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"') k++;
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      continue;
    }
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '#' && (k === 0 || /\s/.test(raw[k - 1]!))) return undefined;
    if (c === '<' && raw[k + 1] === '<' && raw[k + 2] !== '<') {
      const m = /^<<(-?)\s*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z0-9_]+))/.exec(raw.slice(k));
      if (!m) return undefined;
      const delim = m[2] ?? m[3] ?? m[4]!;
      return { start: k, end: k + m[0].length, delim, expand: m[2] === undefined && m[3] === undefined && !m[0].includes('\\'), stripTabs: m[1] === '-' };
    }
  }
  return undefined;
}

export type Redirect =
  | { readonly kind: 'in'; readonly path: string }
  | { readonly kind: 'out'; readonly fd: 1 | 2; readonly path: string; readonly append: boolean }
  | { readonly kind: 'dup'; readonly fd: 1 | 2; readonly to: 1 | 2 };

export interface SimpleCommand {
  readonly assigns: readonly { readonly name: string; readonly value: string }[];
  readonly argv: readonly string[];
  readonly redirects: readonly Redirect[];
  readonly background: boolean;
}

export class ShellSyntaxError extends Error {}

/**
 * Tokenise one command line into assignments, words and redirections,
 * expanding `$?` and variables from `vars`.
 */
export function parseCommand(text: string, vars: (name: string) => string): SimpleCommand {
  const words: { text: string; quoted: boolean }[] = [];
  const redirects: Redirect[] = [];
  let background = false;
  let k = 0;
  const n = text.length;
  const readWord = (): { text: string; quoted: boolean } => {
    let out = '';
    let quoted = false;
    while (k < n) {
      const c = text[k]!;
      if (/\s/.test(c) || c === '<' || c === '>' || c === '&' || c === '|' || c === ';') break;
      if (c === "'") {
        const e = text.indexOf("'", k + 1);
        if (e < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
        out += text.slice(k + 1, e);
        quoted = true;
        k = e + 1;
        continue;
      }
      if (c === '"') {
        quoted = true;
        k++;
        let closed = false;
        while (k < n) {
          const d = text[k]!;
          if (d === '"') {
            closed = true;
            k++;
            break;
          }
          if (d === '\\' && k + 1 < n && '$`"\\'.includes(text[k + 1]!)) {
            out += text[k + 1];
            k += 2;
            continue;
          }
          if (d === '$') {
            const r = expandAt(text, k, vars);
            out += r.value;
            k = r.next;
            continue;
          }
          if (d === '`') throw new ShellSyntaxError('command substitution is not supported');
          out += d;
          k++;
        }
        if (!closed) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
        continue;
      }
      if (c === '\\') {
        if (k + 1 < n) out += text[k + 1];
        k += 2;
        quoted = true;
        continue;
      }
      if (c === '$') {
        const r = expandAt(text, k, vars);
        out += r.value;
        k = r.next;
        continue;
      }
      if (c === '`') throw new ShellSyntaxError('command substitution is not supported');
      out += c;
      k++;
    }
    return { text: out, quoted };
  };
  while (k < n) {
    const c = text[k]!;
    if (/\s/.test(c)) {
      k++;
      continue;
    }
    if (c === '#' ) break;
    if (c === '|' || c === ';') throw new ShellSyntaxError(`'${text[k + 1] === c ? c + c : c}' is not supported (one command per line)`);
    if (c === '&') {
      if (text[k + 1] === '&') throw new ShellSyntaxError("'&&' is not supported (one command per line)");
      const rest = text.slice(k + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) throw new ShellSyntaxError("'&' is only supported at the end of a line");
      background = true;
      break;
    }
    // redirections, optionally preceded by a file descriptor digit
    const m = /^([12]?)(>>|>&|>|<)/.exec(text.slice(k));
    if (m && (m[1] !== '' || c === '<' || c === '>')) {
      const fd = (m[1] === '2' ? 2 : 1) as 1 | 2;
      k += m[0].length;
      while (k < n && /\s/.test(text[k]!)) k++;
      const target = readWord().text;
      if (target === '') throw new ShellSyntaxError('syntax error near unexpected token `newline\'');
      if (m[2] === '<') redirects.push({ kind: 'in', path: target });
      else if (m[2] === '>&') {
        if (target !== '1' && target !== '2') throw new ShellSyntaxError(`redirection '>&${target}' is not supported`);
        redirects.push({ kind: 'dup', fd, to: Number(target) as 1 | 2 });
      } else redirects.push({ kind: 'out', fd, path: target, append: m[2] === '>>' });
      continue;
    }
    words.push(readWord());
  }
  const assigns: { name: string; value: string }[] = [];
  let w = 0;
  while (w < words.length) {
    const word = words[w]!;
    const am = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word.text);
    if (!am) break;
    assigns.push({ name: am[1]!, value: am[2]! });
    w++;
  }
  return { assigns, argv: words.slice(w).map((x) => x.text), redirects, background };
}

function expandAt(text: string, k: number, vars: (name: string) => string): { value: string; next: number } {
  const rest = text.slice(k + 1);
  if (rest.startsWith('?')) return { value: vars('?'), next: k + 2 };
  if (rest.startsWith('(')) throw new ShellSyntaxError('command substitution $(...) is not supported');
  const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
  if (braced) return { value: vars(braced[1]!), next: k + 1 + braced[0].length };
  const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (plain) return { value: vars(plain[0]), next: k + 1 + plain[0].length };
  return { value: '$', next: k + 1 };
}

/** Expand `$VAR` in a here-document body (unquoted delimiter). */
export function expandHeredoc(body: string, vars: (name: string) => string): string {
  let out = '';
  for (let k = 0; k < body.length; ) {
    const c = body[k]!;
    if (c === '\\' && k + 1 < body.length && '$`\\'.includes(body[k + 1]!)) {
      out += body[k + 1];
      k += 2;
    } else if (c === '$') {
      const r = expandAt(body, k, vars);
      out += r.value;
      k = r.next;
    } else {
      out += c;
      k++;
    }
  }
  return out;
}
