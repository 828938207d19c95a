/**
 * The twin shell in the page: xterm.js shows a prompt, this module edits the
 * line (typing, backspace, left/right, home/end, history with up/down, Ctrl-C,
 * Ctrl-L) and hands each entered line to `run`, which returns what the real
 * tools would print.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

export interface ShellTerminal {
  readonly term: Terminal;
  /** Write text from outside (a notice), then a fresh prompt. */
  notice(text: string): void;
  fit(): void;
}

const PROMPT = '\x1b[1;32mlab\x1b[0m:\x1b[1;34m~\x1b[0m# ';

/** The terminal shows `\n` as a line feed only: move to column 0 too. */
const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

export function mountTerminal(el: HTMLElement, run: (line: string) => string): ShellTerminal {
  const term = new Terminal({
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    fontSize: 13,
    cursorBlink: true,
    convertEol: false,
    scrollback: 5000,
    theme: { background: '#1e1e1e' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  try {
    fit.fit();
  } catch {
    // Not laid out yet (hidden tab): fitted again when shown.
  }
  let line = '';
  let cursor = 0;
  const history: string[] = [];
  let hIndex = 0;

  const redraw = (): void => {
    // Carriage return, prompt, the line, clear to the end, cursor back into place.
    term.write('\r' + PROMPT + line + '\x1b[K' + (line.length > cursor ? `\x1b[${line.length - cursor}D` : ''));
  };
  const prompt = (): void => {
    line = '';
    cursor = 0;
    term.write(PROMPT);
  };
  term.writeln('podnet twin shell: ip, bridge, iptables, sysctl, ping, traceroute, nc. Try: ip netns add a');
  prompt();

  term.onData((data) => {
    // Pasted text may hold several lines: run them one by one.
    const parts = data.split(/(\r\n|\r|\n)/);
    for (const p of parts) {
      if (p === '\r' || p === '\n' || p === '\r\n') {
        term.write('\r\n');
        const cmd = line;
        if (cmd.trim() !== '') {
          history.push(cmd);
          const out = run(cmd);
          if (out) term.write(crlf(out.endsWith('\n') ? out : out + '\n'));
        }
        hIndex = history.length;
        prompt();
        continue;
      }
      handleKeys(p);
    }
  });

  function handleKeys(s: string): void {
    let i = 0;
    while (i < s.length) {
      const rest = s.slice(i);
      const esc = rest.match(/^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/);
      if (esc) {
        const code = esc[1]!;
        if (code === '[A' || code === 'OA') {
          if (hIndex > 0) {
            hIndex--;
            line = history[hIndex]!;
            cursor = line.length;
            redraw();
          }
        } else if (code === '[B' || code === 'OB') {
          if (hIndex < history.length) {
            hIndex++;
            line = history[hIndex] ?? '';
            cursor = line.length;
            redraw();
          }
        } else if (code === '[C' || code === 'OC') {
          if (cursor < line.length) {
            cursor++;
            term.write('\x1b[C');
          }
        } else if (code === '[D' || code === 'OD') {
          if (cursor > 0) {
            cursor--;
            term.write('\x1b[D');
          }
        } else if (code === '[H' || code === 'OH' || code === '[1~') {
          cursor = 0;
          redraw();
        } else if (code === '[F' || code === 'OF' || code === '[4~') {
          cursor = line.length;
          redraw();
        } else if (code === '[3~') {
          if (cursor < line.length) {
            line = line.slice(0, cursor) + line.slice(cursor + 1);
            redraw();
          }
        }
        i += esc[0].length;
        continue;
      }
      const ch = s[i]!;
      i++;
      if (ch === '\x7f' || ch === '\b') {
        if (cursor > 0) {
          line = line.slice(0, cursor - 1) + line.slice(cursor);
          cursor--;
          redraw();
        }
      } else if (ch === '\x03') {
        term.write('^C\r\n');
        prompt();
      } else if (ch === '\x0c') {
        term.clear();
        redraw();
      } else if (ch === '\x01') {
        cursor = 0;
        redraw();
      } else if (ch === '\x05') {
        cursor = line.length;
        redraw();
      } else if (ch === '\x15') {
        line = line.slice(cursor);
        cursor = 0;
        redraw();
      } else if (ch >= ' ' || ch === '\t') {
        const c = ch === '\t' ? ' ' : ch;
        line = line.slice(0, cursor) + c + line.slice(cursor);
        cursor++;
        if (cursor === line.length) term.write(c);
        else redraw();
      }
    }
  }

  return {
    term,
    notice(text: string) {
      term.write('\r\x1b[K' + crlf(text.endsWith('\n') ? text : text + '\n'));
      redraw();
    },
    fit() {
      try {
        fit.fit();
      } catch {
        // ignore: not visible
      }
    },
  };
}
