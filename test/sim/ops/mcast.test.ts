import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { solicitedNode } from '../../../src/sim/ops/mcast.js';
import type { Mac } from '../../../src/model/addr.js';

const run = (s: string) => runScript('ip netns add n\n' + s).output;

// Orders recorded with `bridge fdb show dev X` on Linux 6.18 (IPv6 enabled).
describe('device multicast lists (settleLinks)', () => {
  it('follows up, carrier and down transitions in the kernel order', () => {
    const out = run(
      'ip -n n link add va address 02:00:00:00:51:0a type veth peer name vb address 02:00:00:00:51:0b\n' +
        'bridge -n n fdb show dev va\n' +
        'ip -n n link set va up\nbridge -n n fdb show dev va\necho --\n' +
        'ip -n n link set vb up\nbridge -n n fdb show dev va\necho --\n' +
        'ip -n n link set vb down\nbridge -n n fdb show dev va\necho --\n' +
        'ip -n n link set va down\nbridge -n n fdb show dev va\necho --\n' +
        'ip -n n link set va up\nip -n n link set vb up\nbridge -n n fdb show dev va\necho --\n' +
        'ip -n n link set va address 02:00:00:00:51:aa\nbridge -n n fdb show dev va\n',
    );
    expect(out).toBe(
      '33:33:00:00:00:01 self permanent\n' +
        '33:33:00:00:00:01 self permanent\n01:00:5e:00:00:01 self permanent\n--\n' +
        '33:33:00:00:00:01 self permanent\n01:00:5e:00:00:01 self permanent\n33:33:ff:00:51:0a self permanent\n--\n' +
        '33:33:00:00:00:01 self permanent\n01:00:5e:00:00:01 self permanent\n33:33:ff:00:51:0a self permanent\n--\n' +
        '--\n' +
        '01:00:5e:00:00:01 self permanent\n33:33:00:00:00:01 self permanent\n33:33:ff:00:51:0a self permanent\n--\n' +
        '01:00:5e:00:00:01 self permanent\n33:33:00:00:00:01 self permanent\n33:33:ff:00:51:0a self permanent\n',
    );
  });

  it('a bridge joins the router-discovery groups when it opens; a down bridge keeps only ff02::1 if it never had a link-local', () => {
    const out = run(
      'ip -n n link add br0 address 02:00:00:00:51:b0 type bridge\n' +
        'ip -n n link set br0 up\nbridge -n n fdb show dev br0\necho --\n' +
        'ip -n n link set br0 down\nbridge -n n fdb show dev br0\n',
    );
    expect(out).toBe(
      '33:33:00:00:00:01 self permanent\n01:00:5e:00:00:6a self permanent\n33:33:00:00:00:6a self permanent\n01:00:5e:00:00:01 self permanent\n' +
        '02:00:00:00:51:b0 master br0 permanent\n--\n' +
        '33:33:00:00:00:01 self permanent\n02:00:00:00:51:b0 master br0 permanent\n',
    );
  });

  it('disable_ipv6 keeps the link-local group away', () => {
    const out = run(
      'ip netns exec n sysctl -q -w net.ipv6.conf.all.disable_ipv6=1\n' +
        'ip -n n link add va address 02:00:00:00:51:0a type veth peer name vb address 02:00:00:00:51:0b\n' +
        'ip -n n link set va up\nip -n n link set vb up\nbridge -n n fdb show dev va\n',
    );
    expect(out).toBe('33:33:00:00:00:01 self permanent\n01:00:5e:00:00:01 self permanent\n');
  });

  it('learns a neighbour MAC one second after its link-local appears (DAD/MLD chatter)', () => {
    const setup =
      'ip -n n link add br0 address 02:00:00:00:51:b0 type bridge\n' +
      'ip -n n link add p0 address 02:00:00:00:51:01 type veth peer name e0 address 02:00:00:00:51:02\n' +
      'ip -n n link set p0 master br0\nip -n n link set br0 up\nip -n n link set p0 up\nip -n n link set e0 up\n';
    expect(run(setup + 'bridge -n n fdb show dynamic\n')).toBe('');
    expect(run(setup + 'sleep 1\nbridge -n n fdb show dynamic\n')).toBe('02:00:00:00:51:02 dev p0 master br0 \n');
  });

  it('derives the solicited-node group from the last three bytes', () => {
    expect(solicitedNode('02:00:00:ab:cd:ef' as Mac)).toBe('33:33:ff:ab:cd:ef');
  });
});

// Counters recorded on Linux 6.18 (conformance 407-bridge-igmp-report).
describe("a snooping bridge's IGMPv3 reports (224.0.0.106)", () => {
  const counts = (out: string) => [...out.matchAll(/^ +(\d+) +(\d+) /gm)].map((m) => `${m[1]}/${m[2]}`);

  it('sends two 40-byte reports through OUTPUT when it comes up, none for a port that comes up later; mcast_snooping 0 sends none', () => {
    const out = run(
      'ip netns exec n iptables -A OUTPUT -p igmp\n' +
        'ip -n n link add br0 type bridge\nip -n n link add br1 type bridge mcast_snooping 0\n' +
        'ip -n n link add p0 type veth peer name e0\nip -n n link set p0 master br0\nip -n n link set e0 up\n' +
        'ip -n n link set br1 up\nip -n n link set br0 up\nip netns exec n iptables -L OUTPUT -n -v -x\n' +
        'sleep 2\nip netns exec n iptables -L OUTPUT -n -v -x\n' +
        'ip -n n link set p0 up\nsleep 2\nip netns exec n iptables -L OUTPUT -n -v -x\n',
    );
    expect(counts(out)).toEqual(['0/0', '2/80', '2/80']);
  });

  it('floods them to the ports forwarding at the time: a VXLAN port encapsulates them, the far end learns the MAC', () => {
    const script =
      'ip netns add m\n' +
      'ip link add ua netns n type veth peer name ub netns m\n' +
      'ip -n n addr add 10.47.0.1/24 dev ua\nip -n m addr add 10.47.0.2/24 dev ub\nip -n n link set ua up\nip -n m link set ub up\n' +
      'ip netns exec n iptables -A OUTPUT -p udp --dport 4789\n' +
      'ip -n n link add br0 address 02:00:00:00:47:01 type bridge\n' +
      'ip -n n link add vx0 type vxlan id 7 dstport 4789 local 10.47.0.1 dev ua\nip -n n link set vx0 master br0\n' +
      'bridge -n n fdb append 00:00:00:00:00:00 dev vx0 dst 10.47.0.2\n' +
      'ip -n m link add vx0 type vxlan id 7 dstport 4789 local 10.47.0.2 dev ub\nip -n m link set vx0 up\n' +
      'ip -n n link set vx0 up\nip -n n link set br0 up\n';
    const first = run(script + 'bridge -n m fdb show dev vx0\nip netns exec n iptables -L OUTPUT -n -v -x\n');
    expect(first).toContain('02:00:00:00:47:01 dst 10.47.0.1 self \n');
    expect(counts(first)).toEqual(['1/90']);
    expect(counts(run(script + 'sleep 1\nip netns exec n iptables -L OUTPUT -n -v -x\n'))).toEqual(['2/180']);
  });
});
