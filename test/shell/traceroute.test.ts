/** `traceroute` in the twin shell; expected text from traceroute 2.1.2 on the kernel. */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

const SETUP = `ip netns add a
ip netns add r
ip netns add b
ip -n a link set lo up
ip -n r link set lo up
ip -n b link set lo up
ip link add va netns a type veth peer name ra netns r
ip link add vb netns b type veth peer name rb netns r
ip -n a link set va up
ip -n r link set ra up
ip -n r link set rb up
ip -n b link set vb up
ip -n a addr add 10.0.1.2/24 dev va
ip -n r addr add 10.0.1.1/24 dev ra
ip -n r addr add 10.0.2.1/24 dev rb
ip -n b addr add 10.0.2.2/24 dev vb
ip -n a route add default via 10.0.1.1
ip -n b route add default via 10.0.2.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
`;

const norm = (s: string) => s.replace(/\d+\.\d+ ms/g, 'T ms');

function run(script: string) {
  const res = runScript(SETUP + script);
  expect(res.unsupported).toEqual([]);
  return res;
}

describe('traceroute', () => {
  it('lists each hop and stops at the destination', () => {
    const res = run('ip netns exec a traceroute -n 10.0.2.2\n');
    expect(norm(res.sections[res.sections.length - 1]!.output)).toBe(
      'traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets\n' + ' 1  10.0.1.1  T ms  T ms  T ms\n' + ' 2  10.0.2.2  T ms  T ms  T ms\n',
    );
  });

  it('shows the destination rate-limiting a second trace right after the first', () => {
    const res = run('ip netns exec a traceroute -n 10.0.2.2\nip netns exec a traceroute 10.0.2.2\n');
    expect(norm(res.sections[res.sections.length - 1]!.output)).toBe(
      'traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets\n' +
        ' 1  10.0.1.1 (10.0.1.1)  T ms  T ms  T ms\n 2  * * *\n 3  * * *\n 4  * * *\n 5  * * *\n' +
        ' 6  * 10.0.2.2 (10.0.2.2)  T ms  T ms\n',
    );
  });

  it('annotates unreachable routes and stops there', () => {
    const res = run('ip -n r route add unreachable 10.0.5.0/24\nip netns exec a traceroute -n -q 2 -m 3 10.0.5.1\n');
    expect(norm(res.sections[res.sections.length - 1]!.output)).toBe(
      'traceroute to 10.0.5.1 (10.0.5.1), 3 hops max, 60 byte packets\n 1  10.0.1.1  T ms !H  T ms !H\n',
    );
  });

  it('prints the errors traceroute prints', () => {
    const res = run(
      'ip netns exec a traceroute -Z 1.2.3.4\necho rc=$?\nip netns exec a traceroute -q 11 1.2.3.4\nip netns exec a traceroute -n 10.0.2.2 abc\n' +
        'ip netns exec b ip route del default\nip netns exec b traceroute -n 10.9.9.9\necho rc=$?\n',
    );
    expect(res.output).toContain("Bad option `-Z' (argc 1)\nrc=2\n");
    expect(res.output).toContain('no more than 10 probes per hop\n');
    expect(res.output).toContain('Cannot handle "packetlen" cmdline arg `abc\' on position 2 (argc 3)\n');
    expect(res.output).toContain('traceroute to 10.9.9.9 (10.9.9.9), 30 hops max, 60 byte packets\nconnect: Network is unreachable\nrc=1\n');
  });

  // Kernel output (406-iptables-reject-output): do_send() treats EPERM as fatal.
  it('stops with "send: Operation not permitted" when an OUTPUT rule drops or rejects a probe', () => {
    for (const target of ['REJECT', 'DROP']) {
      const res = run(`ip netns exec a iptables -A OUTPUT -d 10.0.2.2 -j ${target}\nip netns exec a traceroute -n -w 1 -q 1 10.0.2.2\necho rc=$?\n`);
      expect(res.output).toBe('traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets\nsend: Operation not permitted\nrc=1\n');
    }
  });
});
