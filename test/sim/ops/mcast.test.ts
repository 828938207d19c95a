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
