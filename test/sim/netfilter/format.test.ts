/**
 * Number formatting of `iptables -L -v` (xtables_print_num), checked on the
 * kernel: 50000 packets of 21430000 bytes list as "50000   21M" and, in the
 * policy line, "50000 packets, 21M bytes"; with -x the exact numbers.
 */
import { describe, expect, it } from 'vitest';
import { printNum, saveString } from '../../../src/sim/netfilter/format.js';

const f = { numeric: false, verbose: true, exact: false, lineNumbers: false };

describe('printNum', () => {
  it('keeps up to 99999 as is, then K/M/G in 4 columns', () => {
    expect(printNum(50000, f)).toBe('50000 ');
    expect(printNum(21430000, f)).toBe('  21M ');
    expect(printNum(100000, f)).toBe(' 100K ');
    expect(printNum(21430000, f, true)).toBe('21M ');
    expect(printNum(21430000, { ...f, exact: true })).toBe('21430000 ');
    expect(printNum(0, { ...f, exact: true })).toBe('       0 ');
  });
});

describe('saveString (xtables_save_string)', () => {
  it('quotes anything beyond [-_0-9a-zA-Z] and escapes quotes and backslashes', () => {
    expect(saveString('hello')).toBe(' hello');
    expect(saveString('a.b')).toBe(' "a.b"');
    expect(saveString(`it's a \\ "x"`)).toBe(` "it\\'s a \\\\ \\"x\\""`);
    expect(saveString('')).toBe(' ""');
  });
});
