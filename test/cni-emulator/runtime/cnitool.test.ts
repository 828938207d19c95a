import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { normalise } from '../../../src/conformance/normalise.js';
import { cnitoolContainerID, parseCniArgs } from '../../../src/cni-emulator/runtime/cnitool.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('cnitool in the twin shell', () => {
  it('derives the container id from sha512 of the netns path, as cnitool does', () => {
    // Ids the real cnitool used (fixtures/cnitool-runtime.real.out).
    expect(cnitoolContainerID('/var/run/netns/p1')).toBe('cnitool-3813f9445af48799b274');
    expect(cnitoolContainerID('/var/run/netns/p2')).toBe('cnitool-a3fce4ae9aa87f8827b4');
  });

  it('parses CNI_ARGS strictly: one "=" per pair, both sides non-empty', () => {
    expect(parseCniArgs('IgnoreUnknown=1;K8S_POD_NAME=web')).toEqual([
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAME', 'web'],
    ]);
    expect(parseCniArgs('A')).toBe('invalid CNI_ARGS pair "A"');
    expect(parseCniArgs('A=b;')).toBe('invalid CNI_ARGS pair ""');
  });

  it('prints usage with fewer than 3 arguments (exit 1) and ignores an unknown subcommand (exit 0)', () => {
    const r = runScript('cnitool add\necho rc=$?\ncnitool frob n /var/run/netns/x\necho rc=$?');
    expect(r.output).toBe(
      'cnitool: Add, check, remove, gc or status network interfaces from a network namespace\n' +
        '  cnitool add    <net> <netns>\n  cnitool check  <net> <netns>\n  cnitool del    <net> <netns>\n' +
        '  cnitool gc     <net> <netns>\n  cnitool status <net> <netns>\nrc=1\nno net configurations found in /etc/cni/net.d\nrc=1\n',
    );
  });

  it('matches the real cnitool + plugins 1.1.1 over a whole session (results, cache bytes, CHECK failures, errors)', () => {
    // The script was run on the kernel with the cnitool of libcni 1.2 and
    // Debian's plugins; its output (normalised) is the fixture.
    const r = runScript(fixture('cnitool-runtime.sh'));
    expect(r.unsupported).toEqual([]);
    const twin = normalise(r.output).split('\n');
    const real = fixture('cnitool-runtime.real.out').split('\n');
    for (let i = 0; i < Math.max(twin.length, real.length); i++) expect(`${i + 1}: ${twin[i]}`).toBe(`${i + 1}: ${real[i]}`);
  });
});
