import { describe, expect, it } from 'vitest';
import { parseCommand, splitScript } from '../../src/shell/script.js';

const noVars = (n: string) => (n === '?' ? '3' : n === 'X' ? 'ex' : '');

describe('splitScript', () => {
  it('skips comments and blank lines, keeps line numbers', () => {
    const { commands } = splitScript('# c\n\nip link\n  # x\necho hi\n');
    expect(commands.map((c) => [c.line, c.text])).toEqual([
      [3, 'ip link'],
      [5, 'echo hi'],
    ]);
  });
  it('attaches here-documents to their command', () => {
    const { commands } = splitScript("cat > f <<'EOF'\na $X\nEOF\necho done\n");
    expect(commands[0]!.heredoc).toEqual({ body: 'a $X\n', expand: false });
    expect(commands[0]!.text.trim()).toBe('cat > f');
    expect(commands[1]!.line).toBe(4);
  });
  it('joins continuation lines', () => {
    const { commands } = splitScript('ip link add a \\\n  type veth\necho x\n');
    expect(commands[0]!.text).toBe('ip link add a   type veth');
    expect(commands[1]!.line).toBe(3);
  });
  it('reports an unterminated here-document', () => {
    expect(splitScript('cat <<EOF\nabc\n').problems[0]!.line).toBe(1);
  });
});

describe('parseCommand', () => {
  it('expands $? and variables, handles quotes', () => {
    const c = parseCommand(`echo rc=$? "a $X" 'b $X' c\\ d`, noVars);
    expect(c.argv).toEqual(['echo', 'rc=3', 'a ex', 'b $X', 'c d']);
  });
  it('splits env prefixes and redirections', () => {
    const c = parseCommand('A=b C=d cmd x < in.json 2>&1 >/dev/null', noVars);
    expect(c.assigns).toEqual([
      { name: 'A', value: 'b' },
      { name: 'C', value: 'd' },
    ]);
    expect(c.argv).toEqual(['cmd', 'x']);
    expect(c.redirects).toEqual([
      { kind: 'in', path: 'in.json' },
      { kind: 'dup', fd: 2, to: 1 },
      { kind: 'out', fd: 1, path: '/dev/null', append: false },
    ]);
  });
  it('marks a trailing & as background and rejects pipes', () => {
    expect(parseCommand('nc -l -p 80 &', noVars).background).toBe(true);
    expect(() => parseCommand('a | b', noVars)).toThrow(/not supported/);
    expect(() => parseCommand('a && b', noVars)).toThrow(/not supported/);
    expect(() => parseCommand('echo $(x)', noVars)).toThrow(/not supported/);
  });
});
