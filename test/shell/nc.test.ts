/** `nc` (netcat-openbsd) in the twin shell; messages as the real tool prints them. */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

const SETUP = `ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a link set lo up
ip -n b link set lo up
ip -n a link set va up
ip -n b link set vb up
ip -n a addr add 10.0.0.1/24 dev va
ip -n b addr add 10.0.0.2/24 dev vb
`;

function run(script: string) {
  const res = runScript(SETUP + script);
  expect(res.unsupported).toEqual([]);
  return res;
}

describe('nc', () => {
  it('connects to a listener once (nc -l exits after a connection), then is refused', () => {
    const res = run('ip netns exec b nc -l -p 8080 &\nip netns exec a nc -z -v -w 1 10.0.0.2 8080\necho rc=$?\nip netns exec a nc -z -v -w 1 10.0.0.2 8080\necho rc=$?\n');
    expect(res.output).toBe(
      'Connection to 10.0.0.2 8080 port [tcp/http-alt] succeeded!\nrc=0\n' + 'nc: connect to 10.0.0.2 port 8080 (tcp) failed: Connection refused\nrc=1\n',
    );
  });

  it('times out toward a host that does not answer ARP, and reports no route', () => {
    const res = run('ip netns exec a nc -z -v -w 1 10.0.0.9 80\nip netns exec a nc -z -v -w 1 10.99.0.9 80\n');
    expect(res.output).toBe(
      'nc: connect to 10.0.0.9 port 80 (tcp) timed out: Operation now in progress\n' + 'nc: connect to 10.99.0.9 port 80 (tcp) failed: Network is unreachable\n',
    );
  });

  it('scans a range with a listener that keeps listening (-k)', () => {
    const res = run('ip netns exec b nc -l -k -p 80 &\nip netns exec a nc -zv 10.0.0.2 79-81\necho rc=$?\n');
    expect(res.output).toBe(
      'nc: connect to 10.0.0.2 port 79 (tcp) failed: Connection refused\n' +
        'Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n' +
        'nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused\nrc=0\n',
    );
  });

  it('UDP -z fails silently on an ICMP port unreachable; data reaches a listener', () => {
    const res = run(
      "ip netns exec a nc -z -v -u -w 1 10.0.0.2 5354\necho rc=$?\nip netns exec b nc -l -p 9000 &\ncat > m.txt <<'EOF'\nhello\nEOF\nip netns exec a nc -w 1 10.0.0.2 9000 < m.txt\necho rc=$?\n",
    );
    expect(res.output).toBe('rc=1\nhello\nrc=0\n');
  });

  it('prints usage and argument errors', () => {
    const res = run('ip netns exec a nc -zv 10.0.0.2\nip netns exec a nc -zv 10.0.0.2 abc\nip netns exec a nc -zv nosuch 80\n');
    expect(res.output).toBe(
      'nc: missing port number\nnc: port number invalid: abc\nnc: getaddrinfo for host "nosuch" port 80: Temporary failure in name resolution\n',
    );
  });

  // Kernel output (406-iptables-reject-output): tcp_connect ignores the SYN's EPERM; the REJECT's answer decides.
  it('an OUTPUT REJECT fails connect with the errno of its ICMP error (or its RST); an OUTPUT DROP times out', () => {
    const res = run(
      'ip netns exec a iptables -A OUTPUT -p tcp --dport 81 -j REJECT\n' +
        'ip netns exec a iptables -A OUTPUT -p tcp --dport 82 -j REJECT --reject-with icmp-net-unreachable\n' +
        'ip netns exec a iptables -A OUTPUT -p tcp --dport 83 -j REJECT --reject-with tcp-reset\n' +
        'ip netns exec a iptables -A OUTPUT -p tcp --dport 84 -j DROP\n' +
        'ip netns exec a iptables -A OUTPUT -p udp --dport 53 -j REJECT\n' +
        'ip netns exec a nc -z -v -w 1 10.0.0.2 81\nip netns exec a nc -z -v -w 1 10.0.0.2 82\n' +
        'ip netns exec a nc -z -v -w 1 10.0.0.2 83\nip netns exec a nc -z -v -w 1 10.0.0.2 84\n' +
        'ip netns exec a nc -u -z -v -w 1 10.0.0.2 53\necho rc=$?\n',
    );
    expect(res.output).toBe(
      'nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused\n' +
        'nc: connect to 10.0.0.2 port 82 (tcp) failed: Network is unreachable\n' +
        'nc: connect to 10.0.0.2 port 83 (tcp) failed: Connection refused\n' +
        'nc: connect to 10.0.0.2 port 84 (tcp) timed out: Operation now in progress\n' +
        'rc=1\n',
    );
  });
});
