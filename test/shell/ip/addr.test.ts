import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const pre = 'ip netns add n\nip -n n link add name a address 02:00:00:00:00:0a type veth peer name b\nip -n n link set dev a up\nip -n n link set dev b up\n';
const out = (s: string): string => runScript(pre + s).output;

describe('ip addr', () => {
  it('prints secondaries after primaries, with labels, and their routes use the primary as src', () => {
    const o = out(
      'ip -n n addr add 10.7.0.1/24 dev a\nip -n n addr add 10.7.0.2/24 dev a label a:1\nip -n n addr add 10.7.1.1/24 dev a\n' +
        'ip -n n -4 addr show dev a\nip -n n route show table local dev a\n',
    );
    expect(o).toBe(
      '3: a@b: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n' +
        '    inet 10.7.0.1/24 scope global a\n       valid_lft forever preferred_lft forever\n' +
        '    inet 10.7.1.1/24 scope global a\n       valid_lft forever preferred_lft forever\n' +
        '    inet 10.7.0.2/24 scope global secondary a:1\n       valid_lft forever preferred_lft forever\n' +
        'local 10.7.0.1 proto kernel scope host src 10.7.0.1 \n' +
        'local 10.7.0.2 proto kernel scope host src 10.7.0.1 \n' +
        'broadcast 10.7.0.255 proto kernel scope link src 10.7.0.1 \n' +
        'local 10.7.1.1 proto kernel scope host src 10.7.1.1 \n' +
        'broadcast 10.7.1.255 proto kernel scope link src 10.7.1.1 \n',
    );
  });
  it('promotes a secondary only with promote_secondaries', () => {
    const s = 'ip -n n addr add 10.7.0.1/24 dev a\nip -n n addr add 10.7.0.2/24 dev a\nip -n n addr del 10.7.0.1/24 dev a\nip -n n route show dev a\n';
    expect(out(s)).toBe('');
    const w = runScript(pre).world;
    const promoted = { ...w, ns: { ...w.ns, n: { ...w.ns['n']!, sysctl: { ...w.ns['n']!.sysctl, 'net.ipv4.conf.all.promote_secondaries': '1' } } } };
    expect(runScript(s, { world: promoted }).output).toBe('10.7.0.0/24 proto kernel scope link src 10.7.0.2 \n');
  });
  it('errors: duplicate, missing address, bad prefix, wildcard deletion warning', () => {
    const o = out(
      'ip -n n addr add 10.0.0.1/24 dev a\nip -n n addr add 10.0.0.1/24 dev a\necho rc=$?\nip -n n addr del 10.0.0.9/24 dev a\necho rc=$?\n' +
        'ip -n n addr add 300.1.1.1/24 dev a\necho rc=$?\nip -n n addr del 10.0.0.1 dev a\n',
    );
    expect(o).toBe(
      'Error: ipv4: Address already assigned.\nrc=2\nError: ipv4: Address not found.\nrc=2\n' +
        'Error: any valid prefix is expected rather than "300.1.1.1/24".\nrc=1\n' +
        'Warning: Executing wildcard deletion to stay compatible with old scripts.\n' +
        '         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n' +
        '         This special behaviour is likely to disappear in further releases,\n' +
        '         fix your scripts!\n',
    );
  });
  it('peer addresses and JSON', () => {
    const o = out('ip -n n addr add 10.8.3.1 peer 10.8.3.2 dev a\nip -n n -j -4 addr show dev a\nip -n n route show\n');
    expect(o).toBe(
      '[{"ifindex":3,"link":"b","ifname":"a","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,' +
        '"addr_info":[{"family":"inet","local":"10.8.3.1","address":"10.8.3.2","prefixlen":32,"scope":"global","label":"a","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n' +
        '10.8.3.2 dev a proto kernel scope link src 10.8.3.1 \n',
    );
  });
  it('lo shows ::1 while up', () => {
    expect(runScript('ip -br addr show lo\n').output).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 \n');
  });
  it('-j -4 keeps link_netnsid; -br -j prints link-locals as inet_ntop does (fe80::ff:fe00:a, not fe80::0:ff:...)', () => {
    const o = runScript(
      'ip netns add m\nip link add x netns m address 02:00:00:00:00:0a type veth peer name y address 02:00:00:00:00:0b\n' +
        'ip link set y up\nip -n m link set x up\nip addr add 10.9.0.1/24 dev y\nip -j -4 addr show dev y\nip -br -j addr show dev y\n',
    ).output;
    expect(o).toBe(
      '[{"ifindex":2,"link_index":2,"ifname":"y","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP",' +
        '"group":"default","txqlen":1000,"link_netnsid":0,"addr_info":[{"family":"inet","local":"10.9.0.1","prefixlen":24,"scope":"global","label":"y",' +
        '"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n' +
        '[{"link_index":2,"ifname":"y","operstate":"UP","addr_info":[{"local":"10.9.0.1","prefixlen":24},{"local":"fe80::ff:fe00:b","prefixlen":64}]}]\n',
    );
  });
  it('-o: one line per address, "IFINDEX: NAME" prefix, inner newlines as backslashes (kernel output)', () => {
    const o = runScript(
      'ip netns add q\nip link add name va type veth peer name vb netns q\nip link add br0 address 02:00:00:00:00:01 type bridge\n' +
        'ip link set dev va master br0\nip addr add 10.0.0.1/24 dev va\nip addr add 10.0.0.2/24 dev va\nip -o -4 addr show\nip -o link show br0\n',
    ).output;
    expect(o).toBe(
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n' +
        '2: va    inet 10.0.0.1/24 scope global va\\       valid_lft forever preferred_lft forever\n' +
        '2: va    inet 10.0.0.2/24 scope global secondary va\\       valid_lft forever preferred_lft forever\n' +
        '3: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n',
    );
  });
  it('-4 text: the first line only, ending with the peer namespace (kernel, 6.18)', () => {
    const o = runScript('ip netns add pa\nip link add x netns pa type veth peer name y\nip addr add 10.9.0.1/24 dev y\nip -4 addr show dev y\nip -n pa -4 addr show\n').output;
    expect(o).toBe(
      '2: y@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000 link-netns pa\n' +
        '    inet 10.9.0.1/24 scope global y\n       valid_lft forever preferred_lft forever\n',
    );
  });
});
