import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

describe('runScript', () => {
  it('keeps output per section and $? across lines', () => {
    const r = runScript('ip netns add a\nip netns add a\necho rc=$?\n');
    expect(r.sections.map((s) => [s.line, s.output])).toEqual([
      [1, ''],
      [2, 'Cannot create namespace file "/run/netns/a": File exists\n'],
      [3, 'rc=1\n'],
    ]);
    expect(r.exitCode).toBe(0);
  });
  it('names an unsupported command with its line and exits 2, then carries on', () => {
    const r = runScript('tcpdump -i any\necho after\n');
    expect(r.output).toBe("podnet: line 1: unsupported: command 'tcpdump'\nafter\n");
    expect(r.exitCode).toBe(2);
  });
  it('routes stderr with 2>/dev/null and writes files with here-documents', () => {
    const r = runScript("ip netns del nope 2>/dev/null\necho $?\ncat > /tmp/f <<'EOF'\nhello\nEOF\ncat /tmp/f\n");
    expect(r.output).toBe('1\nhello\n');
  });
  it('ip netns exec reports a missing namespace like iproute2', () => {
    const r = runScript('ip netns exec zz ip link\necho rc=$?\n');
    expect(r.output).toBe('Cannot open network namespace "zz": No such file or directory\nrc=255\n');
  });
});
