import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const out = (s: string): string => runScript(s).output;

describe('ip link', () => {
  it('creates a veth pair peer-first and prints both ends as the kernel does', () => {
    const o = out('ip netns add n\nip -n n link add a type veth peer name b address 02:00:00:00:00:0b\nip -n n link show b\n');
    expect(o).toBe(
      '2: b@a: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n',
    );
  });
  it('reports the kernel errors with their exit codes', () => {
    const o = out(
      'ip link add a type veth peer name b\nip link add a type veth peer name c\necho rc=$?\nip link show x\necho rc=$?\n' +
        'ip link set a mtu 70000\necho rc=$?\nip link set a address ff:ff:ff:ff:ff:ff\necho rc=$?\nip link del lo\necho rc=$?\n',
    );
    expect(o).toBe(
      'RTNETLINK answers: File exists\nrc=2\nDevice "x" does not exist.\nrc=1\n' +
        'Error: mtu greater than device maximum.\nrc=2\nRTNETLINK answers: Cannot assign requested address\nrc=2\n' +
        'RTNETLINK answers: Operation not supported\nrc=2\n',
    );
  });
  it('shows link-netns NAME from the root and link-netnsid from a named namespace', () => {
    const r = runScript('ip netns add n\nip link add a type veth peer name b\nip link set b netns n\nip link show a\nip -n n -j link show b\nip netns list\n');
    expect(r.output).toContain('    link/ether ');
    expect(r.output).toMatch(/^3: a@if2: <BROADCAST,MULTICAST> .*\n    link\/ether \S+ brd ff:ff:ff:ff:ff:ff link-netns n\n/);
    expect(r.output).toMatch(/\[\{"ifindex":2,"link_index":3,"ifname":"b",.*"link_netnsid":0\}\]\n/);
    expect(r.output.endsWith('n (id: 0)\n')).toBe(true);
  });
  it('brief form pads name and state', () => {
    const o = out('ip netns add n\nip -n n link add a address 02:00:00:00:00:0a type veth peer name b\nip -n n link set a up\nip -n n -br link show a\n');
    expect(o).toBe('a@b              LOWERLAYERDOWN 02:00:00:00:00:0a <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n');
  });
  it('a device moved to another namespace loses its addresses and its qdisc', () => {
    const o = out('ip netns add n\nip link add a type veth peer name b\nip link set a up\nip addr add 10.0.0.1/24 dev a\nip link set a netns n\nip -n n addr show a\n');
    expect(o).toMatch(/^3: a@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link\/ether \S+ brd ff:ff:ff:ff:ff:ff link-netnsid 0\n$/);
  });
});
