/** `ping` in the twin shell; expected text taken from iputils 20221126 on the kernel. */
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

/** Output of the last script line. */
function last(script: string): string {
  const res = runScript(SETUP + script);
  expect(res.unsupported).toEqual([]);
  return res.sections[res.sections.length - 1]!.output;
}

const norm = (s: string) => s.replace(/time=\d+\.\d+ ms/g, 'time=T ms').replace(/time \d+ms/, 'time Tms').replace(/= [\d./]+ ms/, '= T ms');

describe('ping', () => {
  it('prints replies, statistics and the rtt line', () => {
    expect(norm(last('ip netns exec a ping -c 2 -i 0.2 10.0.2.2\n'))).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n' +
        '64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=T ms\n' +
        '64 bytes from 10.0.2.2: icmp_seq=2 ttl=63 time=T ms\n\n' +
        '--- 10.0.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time Tms\n' +
        'rtt min/avg/max/mdev = T ms\n',
    );
  });

  it('reports time exceeded from the router and counts errors', () => {
    expect(norm(last('ip netns exec a ping -c 1 -t 1 10.0.2.2\n'))).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n' +
        'From 10.0.1.1 icmp_seq=1 Time to live exceeded\n\n' +
        '--- 10.0.2.2 ping statistics ---\n' +
        '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time Tms\n\n',
    );
  });

  it('prints all host-unreachable errors together with the pipe size', () => {
    const out = norm(last('ip netns exec a ping -c 5 -i 0.5 10.0.2.9\n'));
    expect(out).toContain('From 10.0.1.1 icmp_seq=5 Destination Host Unreachable\n');
    expect(out).toContain('5 packets transmitted, 0 received, +5 errors, 100% packet loss, time Tms\npipe 5\n');
  });

  it('has no time below 16 data bytes', () => {
    expect(norm(last('ip netns exec a ping -c 1 -s 8 10.0.1.1\n'))).toBe(
      'PING 10.0.1.1 (10.0.1.1) 8(36) bytes of data.\n16 bytes from 10.0.1.1: icmp_seq=1 ttl=64\n\n' +
        '--- 10.0.1.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time Tms\n\n',
    );
  });

  it('prints the source in the header for -I', () => {
    expect(last('ip netns exec a ping -c 1 -I va 10.0.1.1\n')).toMatch(/^PING 10.0.1.1 \(10.0.1.1\) from 10.0.1.2 va: 56\(84\) bytes of data\.\n/);
    expect(last('ip netns exec a ping -c 1 -I 10.0.1.2 10.0.1.1\n')).toMatch(/^PING 10.0.1.1 \(10.0.1.1\) from 10.0.1.2 : 56\(84\)/);
  });

  it('reports local errors and their exit codes', () => {
    const res = runScript(
      SETUP +
        'ip netns exec b ip route del default\nip netns exec b ping -c 1 10.9.9.9\necho rc=$?\n' +
        'ip netns exec a ping -c 1 -s 1500 -M do 10.0.1.1\necho rc=$?\nip netns exec a ping\necho rc=$?\n',
    );
    expect(res.output).toContain('ping: connect: Network is unreachable\nrc=2\n');
    expect(res.output).toContain('ping: local error: message too long, mtu=1500\n');
    expect(res.output).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss');
    expect(res.output).toContain('ping: usage error: Destination address required\nrc=1\n');
  });

  it('advances the clock by the interval between probes', () => {
    const before = runScript(SETUP).world.clockMs;
    const res = runScript(SETUP + 'ip netns exec a ping -c 3 -i 0.2 10.0.1.1\n');
    expect(res.world.clockMs - before).toBeGreaterThanOrEqual(400);
  });

  // Kernel output (406-iptables-reject-output): the REJECT's error is read before sendmsg's EPERM is reported.
  it('an OUTPUT REJECT: the error from our own address, then "sendmsg: Operation not permitted"; -q prints neither', () => {
    const rej = 'ip netns exec a iptables -A OUTPUT -d 10.0.2.2 -j REJECT --reject-with icmp-host-prohibited\n';
    expect(norm(last(rej + 'ip netns exec a ping -c 2 -W 1 10.0.2.2\n'))).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n' +
        'From 10.0.1.2 icmp_seq=1 Destination Host Prohibited\nping: sendmsg: Operation not permitted\n' +
        'From 10.0.1.2 icmp_seq=2 Destination Host Prohibited\nping: sendmsg: Operation not permitted\n\n' +
        '--- 10.0.2.2 ping statistics ---\n2 packets transmitted, 0 received, +2 errors, 100% packet loss, time Tms\n\n',
    );
    expect(norm(last(rej + 'ip netns exec a ping -q -c 1 -W 1 10.0.2.2\n'))).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n\n' +
        '--- 10.0.2.2 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time Tms\n\n',
    );
  });

  it('an OUTPUT REJECT that rejects its own error too, or a DROP: the probe is just lost', () => {
    const lost = 'PING 10.0.1.2 (10.0.1.2) 56(84) bytes of data.\n\n--- 10.0.1.2 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time Tms\n\n';
    expect(norm(last('ip netns exec a iptables -A OUTPUT -d 10.0.1.2 -j REJECT\nip netns exec a ping -c 1 -W 1 10.0.1.2\n'))).toBe(lost);
    expect(norm(last('ip netns exec a iptables -A OUTPUT -d 10.0.1.2 -j DROP\nip netns exec a ping -c 1 -W 1 10.0.1.2\n'))).toBe(lost);
  });
});
