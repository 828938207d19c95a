/**
 * The twin shell never crashes, whatever it is fed: fast-check throws
 * >= 10,000 generated lines at it (plausible commands with mutated arguments,
 * and plain garbage). Every rejection is exactly one line naming the script
 * line it came from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

const names = fc.constantFrom('a', 'b', 'r1', 'br0', 'veth0', 'veth1', 'eth0', 'lo', 'vx0', 'nope');
const addrs = fc.constantFrom('10.0.0.1', '10.0.0.2/24', '10.0.1.0/24', '192.168.1.1', '0.0.0.0/0', 'default', '300.1.1.1', '10.0.0.1/33', '1.2.3', '');
const words = fc.constantFrom(
  'add', 'del', 'show', 'list', 'set', 'up', 'down', 'dev', 'via', 'type', 'veth', 'bridge', 'vxlan',
  'peer', 'name', 'netns', 'master', 'nomaster', 'table', 'metric', 'src', 'onlink', 'scope', 'link',
  'proto', 'blackhole', 'unreachable', 'prohibit', 'local', 'get', 'flush', 'replace', 'lladdr',
  'nud', 'permanent', 'proxy', 'id', 'dstport', 'remote', 'fdb', 'append', 'self', 'mtu', '-j', '-br', '-d',
  '-A', '-I', '-D', '-N', '-X', '-F', '-P', '-S', '-L', '-n', '-v', '-x', '-t', 'nat', 'filter', '-s', '-d',
  '-i', '-o', '-p', 'tcp', 'udp', 'icmp', '--dport', '80', '-j', 'ACCEPT', 'DROP', 'MASQUERADE', 'DNAT',
  '--to-destination', '-m', 'comment', '--comment', 'x', '!', '-c', '1', '-W', '-w', '-q', '-z', '-l',
  '-e', '1500', '42', '4789', 'INPUT', 'FORWARD', 'POSTROUTING', '""', "'a b'", '$?', '\\', '"',
);
const arg = fc.oneof(names, addrs, words, fc.string({ maxLength: 6 }));
const programs = fc.constantFrom(
  'ip', 'ip -n a', 'ip -j', 'ip netns exec a', 'bridge', 'bridge -j', 'sysctl', 'sysctl -w', 'iptables',
  'iptables -t nat', 'iptables-save', 'iptables-save -c', 'ping', 'traceroute -n', 'nc', 'echo', 'sleep', 'cat',
);
const plausible = fc.tuple(programs, fc.array(arg, { maxLength: 9 })).map(([p, a]) => [p, ...a].join(' '));
const setup = fc.constantFrom(
  'ip netns add a',
  'ip link add veth0 type veth peer name veth1',
  'ip link set veth1 netns a',
  'ip addr add 10.0.0.1/24 dev veth0',
  'ip link set veth0 up',
  'ip -n a addr add 10.0.0.2/24 dev veth1',
  'ip -n a link set veth1 up',
  'ip link add br0 type bridge',
  'iptables -A FORWARD -j ACCEPT',
  'sysctl -w net.ipv4.ip_forward=1',
);
const garbage = fc.string({ maxLength: 40 });
const line = fc.oneof({ weight: 6, arbitrary: plausible }, { weight: 2, arbitrary: setup }, { weight: 1, arbitrary: garbage });

const UNSUPPORTED = /^podnet: line (\d+): unsupported: \S.*$/;

describe('twin shell fuzzing', () => {
  it('never throws, and each rejection is one line naming its script line (>= 10,000 lines)', () => {
    let lines = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (scriptLines) => {
        const text = scriptLines.join('\n') + '\n';
        lines += scriptLines.length;
        const res = runScript(text);
        for (const s of res.sections) {
          const rejections = s.output.split('\n').filter((l) => l.startsWith('podnet: '));
          expect(rejections.length).toBeLessThanOrEqual(1);
          for (const r of rejections) {
            const m = UNSUPPORTED.exec(r);
            expect(m, r).not.toBeNull();
            expect(Number(m![1])).toBe(s.line);
          }
        }
        expect([0, 1, 2, 127, 255].includes(res.exitCode) || res.exitCode > 0).toBe(true);
        if (res.unsupported.length > 0) expect(res.exitCode).toBe(2);
      }),
      { numRuns: 2500, seed: 20261125 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  });
});
