import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const out = (s: string): string => runScript(s).output;

describe('ip link', () => {
  it('creates a veth pair peer-first and prints both ends as the kernel does', () => {
    const o = out('ip netns add n\nip -n n link add name a type veth peer name b address 02:00:00:00:00:0b\nip -n n link show b\n');
    expect(o).toBe(
      '2: b@a: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n' +
        '    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n',
    );
  });
  it('reports the kernel errors with their exit codes', () => {
    const o = out(
      'ip link add name a type veth peer name b\nip link add name a type veth peer name c\necho rc=$?\nip link show x\necho rc=$?\n' +
        'ip link set dev a mtu 70000\necho rc=$?\nip link set dev a address ff:ff:ff:ff:ff:ff\necho rc=$?\nip link del lo\necho rc=$?\n',
    );
    expect(o).toBe(
      'RTNETLINK answers: File exists\nrc=2\nDevice "x" does not exist.\nrc=1\n' +
        'Error: mtu greater than device maximum.\nrc=2\nRTNETLINK answers: Cannot assign requested address\nrc=2\n' +
        'RTNETLINK answers: Operation not supported\nrc=2\n',
    );
  });
  it('shows link-netns NAME from the root and link-netnsid from a named namespace', () => {
    const r = runScript('ip netns add n\nip link add name a type veth peer name b\nip link set dev b netns n\nip link show a\nip -n n -j link show b\nip netns list\n');
    expect(r.output).toContain('    link/ether ');
    expect(r.output).toMatch(/^3: a@if2: <BROADCAST,MULTICAST> .*\n    link\/ether \S+ brd ff:ff:ff:ff:ff:ff link-netns n\n/);
    expect(r.output).toMatch(/\[\{"ifindex":2,"link_index":3,"ifname":"b",.*"link_netnsid":0\}\]\n/);
    expect(r.output.endsWith('n (id: 0)\n')).toBe(true);
  });
  it('brief form pads name and state', () => {
    const o = out('ip netns add n\nip -n n link add name a address 02:00:00:00:00:0a type veth peer name b\nip -n n link set dev a up\nip -n n -br link show a\n');
    expect(o).toBe('a@b              LOWERLAYERDOWN 02:00:00:00:00:0a <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n');
  });
  it('a device moved to another namespace loses its addresses and its qdisc', () => {
    const o = out('ip netns add n\nip link add name a type veth peer name b\nip link set dev a up\nip addr add 10.0.0.1/24 dev a\nip link set dev a netns n\nip -n n addr show a\n');
    expect(o).toMatch(/^3: a@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link\/ether \S+ brd ff:ff:ff:ff:ff:ff link-netnsid 0\n$/);
  });
  it('a word that is a prefix of "help" where a device name may stand prints the usage (rc 255)', () => {
    const o = out('ip link add h1 type veth peer name h\nip link set h up\necho rc=$?\nip link set dev h up\necho rc=$?\n');
    // kernel: `ip link set h up` -> "Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME ..." (71 lines), rc 255
    expect(o.startsWith('Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME\n')).toBe(true);
    expect(o.endsWith('          xfrm | virt_wifi }\nrc=255\nrc=0\n')).toBe(true);
    expect(o.split('\n').length).toBe(71 + 2 + 1);
  });
  it('-br -j: "link" (same namespace) or "link_index" before the plain ifname', () => {
    const o = out(
      'ip netns add q\nip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b\n' +
        'ip link add qa address 02:00:00:00:00:0c type veth peer name qb netns q\nip -br -j link show\nip -br -j addr show dev qa\n',
    );
    expect(o).toBe(
      '[{"ifname":"lo","operstate":"UNKNOWN","address":"00:00:00:00:00:00","flags":["LOOPBACK","UP","LOWER_UP"]},' +
        '{"link":"va","ifname":"vb","operstate":"DOWN","address":"02:00:00:00:00:0b","flags":["BROADCAST","MULTICAST","M-DOWN"]},' +
        '{"link":"vb","ifname":"va","operstate":"DOWN","address":"02:00:00:00:00:0a","flags":["BROADCAST","MULTICAST","M-DOWN"]},' +
        '{"link_index":2,"ifname":"qa","operstate":"DOWN","address":"02:00:00:00:00:0c","flags":["BROADCAST","MULTICAST"]}]\n' +
        '[{"link_index":2,"ifname":"qa","operstate":"DOWN","addr_info":[]}]\n',
    );
  });
  it('words are iplink_parse() keywords first, by prefix where it uses matches() (kernel outputs)', () => {
    const o = out(
      'ip link add a type veth\necho rc=$?\nip link add t type veth\necho rc=$?\nip link add m type veth\necho rc=$?\n' +
        'ip link add d type veth\necho rc=$?\nip link add l type veth\necho rc=$?\nip link add al type veth\necho rc=$?\n' +
        'ip link add name x type veth peer name a\nip link del a\necho rc=$?\nip link set a up\necho rc=$?\n' +
        'ip link set x a 02:00:00:00:00:01\nip -br link show x\n',
    );
    expect(o).toBe(
      '"type" is invalid lladdr.\nrc=1\n' +
        'Error: argument "type" is wrong: Invalid "txqueuelen" value\n\nrc=255\n' +
        'Error: argument "type" is wrong: Device does not exist\n\nrc=255\n' +
        'Error: argument of "dynamic" must be "on" or "off", not "type"\nrc=1\n' +
        'Cannot find device "type"\nrc=1\n' +
        'Not enough information: "type" argument is required\nrc=1\n' +
        'Command line is not complete. Try option "help"\nrc=255\n' +
        '"up" is invalid lladdr.\nrc=1\n' +
        'x@a              DOWN           02:00:00:00:00:01 <BROADCAST,MULTICAST,M-DOWN> \n',
    );
  });
});
