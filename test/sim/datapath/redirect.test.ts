/**
 * ICMP redirects (src/sim/datapath/redirect.ts). Expected strings recorded on
 * Linux 6.18 with iputils 20240905 (the one-armed router of conformance 126,
 * with a `sleep 0.1` after the first ping so the per-peer rate limit lets the
 * second redirect through).
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const SETUP = `ip netns add sw
ip netns add r
ip netns add h1
ip netns add h2
ip -n sw link add br0 type bridge
ip -n sw link set br0 up
ip link add eth0 netns r address 02:00:00:00:26:01 type veth peer name pr netns sw
ip link add eth0 netns h1 address 02:00:00:00:26:11 type veth peer name ph1 netns sw
ip link add eth0 netns h2 address 02:00:00:00:26:12 type veth peer name ph2 netns sw
ip -n sw link set pr master br0 up
ip -n sw link set ph1 master br0 up
ip -n sw link set ph2 master br0 up
ip -n r addr add 10.126.1.1/24 dev eth0
ip -n r addr add 10.126.2.1/24 dev eth0
ip -n h1 addr add 10.126.1.2/24 dev eth0
ip -n h2 addr add 10.126.2.2/24 dev eth0
ip -n r link set eth0 up
ip -n h1 link set eth0 up
ip -n h2 link set eth0 up
ip -n h1 route add default via 10.126.1.1
ip -n h2 route add default via 10.126.2.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
`;

function run(script: string): string[] {
  const res = runScript(SETUP + script);
  expect(res.unsupported).toEqual([]);
  return res.sections.slice(-script.trim().split('\n').length).map((s) => s.output.replace(/time=[\d.]+ ms/g, 'time=T ms').replace(/= [\d./]+ ms/g, '= T ms'));
}

describe('ICMP redirects', () => {
  it('the router redirects h1; h1 first resolves the new gateway, h2 (already knowing h1) takes an exception at once', () => {
    const out = run(`ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip -n h1 route get 10.126.2.2
ip -n h2 route get 10.126.1.2
ip -n h2 -j route get 10.126.1.2
`);
    expect(out[0]).toBe(
      'PING 10.126.2.2 (10.126.2.2) 56(84) bytes of data.\n' +
        'From 10.126.1.1: icmp_seq=1 Redirect Host(New nexthop: 10.126.2.2)\n' +
        '64 bytes from 10.126.2.2: icmp_seq=1 ttl=63 time=T ms\n\n' +
        '--- 10.126.2.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = T ms\n',
    );
    expect(out[1]).toBe('10.126.2.2 via 10.126.1.1 dev eth0 src 10.126.1.2 uid 0 \n    cache \n');
    expect(out[2]).toBe('10.126.1.2 via 10.126.1.2 dev eth0 src 10.126.2.2 uid 0 \n    cache <redirected> expires 299sec \n');
    expect(out[3]).toBe(
      '[{"dst":"10.126.1.2","gateway":"10.126.1.2","dev":"eth0","prefsrc":"10.126.2.2","flags":[],"uid":0,"cache":["redirected"],"expires":299}]\n',
    );
  });

  it('a second redirect, once the rate limit allows it, makes h1 talk to h2 directly', () => {
    const out = run(`ip netns exec h1 ping -c 1 -W 1 10.126.2.2
sleep 0.1
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip -n h1 route get 10.126.2.2
sleep 1
ip -n h1 route get 10.126.2.2
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
`);
    expect(out[2]).toContain('From 10.126.1.1: icmp_seq=1 Redirect Host(New nexthop: 10.126.2.2)\n64 bytes from 10.126.2.2: icmp_seq=1 ttl=64');
    expect(out[3]).toBe('10.126.2.2 via 10.126.2.2 dev eth0 src 10.126.1.2 uid 0 \n    cache <redirected> expires 299sec \n');
    expect(out[5]).toBe('10.126.2.2 via 10.126.2.2 dev eth0 src 10.126.1.2 uid 0 \n    cache <redirected> expires 298sec \n');
    // Direct now: no redirect, the request is not forwarded.
    expect(out[6]).not.toContain('Redirect');
  });

  it('is rate limited per sender: within 40 ms of the first, the second redirect is not sent', () => {
    const out = run(`ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip -n h1 route get 10.126.2.2
`);
    expect(out[1]).not.toContain('Redirect');
    expect(out[2]).toBe('10.126.2.2 via 10.126.1.1 dev eth0 src 10.126.1.2 uid 0 \n    cache \n');
  });

  it('send_redirects=0 on both all and the device stops them; accept_redirects=0 on both makes the host ignore them', () => {
    const quiet = run(`ip netns exec r sysctl -qw net.ipv4.conf.all.send_redirects=0
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip netns exec r sysctl -qw net.ipv4.conf.eth0.send_redirects=0
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
`);
    expect(quiet[1]).toContain('Redirect Host'); // IN_DEV_ORCONF: eth0 still says 1
    const ignored = run(`ip netns exec h2 sysctl -qw net.ipv4.conf.all.accept_redirects=0
ip netns exec h2 sysctl -qw net.ipv4.conf.eth0.accept_redirects=0
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip -n h2 route get 10.126.1.2
`);
    expect(ignored[3]).toBe('10.126.1.2 via 10.126.2.1 dev eth0 src 10.126.2.2 uid 0 \n    cache \n');
  });

  it('send_redirects=0 on both all and the device: no redirect at all', () => {
    const out = run(`ip netns exec r sysctl -qw net.ipv4.conf.all.send_redirects=0
ip netns exec r sysctl -qw net.ipv4.conf.eth0.send_redirects=0
ip netns exec h1 ping -c 1 -W 1 10.126.2.2
ip -n h2 route get 10.126.1.2
`);
    expect(out[2]).not.toContain('Redirect');
    expect(out[3]).toBe('10.126.1.2 via 10.126.2.1 dev eth0 src 10.126.2.2 uid 0 \n    cache \n');
  });
});
