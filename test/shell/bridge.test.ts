import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/shell/interp.js';

const run = (s: string) => runScript('ip netns add n\nip netns exec n sysctl -q -w net.ipv6.conf.all.disable_ipv6=1\n' + s).output;

const setup =
  'ip -n n link add br0 address 02:00:00:00:00:bb type bridge\n' +
  'ip -n n link add v1 address 02:00:00:00:00:01 type veth peer name v1p\n' +
  'ip -n n link set v1 master br0\n';

// Expected texts recorded with iproute2 6.1 on Linux 6.18.
describe('bridge fdb', () => {
  it('adds master entries (permanent by default, static), refuses dynamic on a disabled port and duplicates, replaces in place', () => {
    const out = run(
      setup +
        'bridge -n n fdb add 02:00:00:00:00:aa dev v1 master\n' +
        'bridge -n n fdb add 02:00:00:00:00:ab dev v1 master static\n' +
        'bridge -n n fdb add 02:00:00:00:00:ac dev v1 master dynamic\n' +
        'bridge -n n fdb add 02:00:00:00:00:ad dev v1\n' +
        'bridge -n n fdb add 02:00:00:00:00:ae dev v1 self static\n' +
        'bridge -n n fdb add 02:00:00:00:00:aa dev v1 master\necho rc=$?\n' +
        'bridge -n n fdb replace 02:00:00:00:00:aa dev v1 master static\n' +
        'bridge -n n fdb append 02:00:00:00:00:af dev v1 master\n' +
        'bridge -n n fdb show dev v1\n' +
        'bridge -n n -j fdb show dev v1\n',
    );
    expect(out).toBe(
      'RTNETLINK answers: Operation not permitted\n' +
        'RTNETLINK answers: Invalid argument\n' +
        'RTNETLINK answers: File exists\nrc=255\n' +
        '02:00:00:00:00:af master br0 permanent\n' +
        '02:00:00:00:00:ab master br0 static\n' +
        '02:00:00:00:00:aa master br0 static\n' +
        '02:00:00:00:00:01 master br0 permanent\n' +
        '02:00:00:00:00:ad self permanent\n' +
        '33:33:00:00:00:01 self permanent\n' +
        '[{"mac":"02:00:00:00:00:af","flags":[],"master":"br0","state":"permanent"},{"mac":"02:00:00:00:00:ab","flags":[],"master":"br0","state":"static"},{"mac":"02:00:00:00:00:aa","flags":[],"master":"br0","state":"static"},{"mac":"02:00:00:00:00:01","flags":[],"master":"br0","state":"permanent"},{"mac":"02:00:00:00:00:ad","flags":["self"],"state":"permanent"},{"mac":"33:33:00:00:00:01","flags":["self"],"state":"permanent"}]\n',
    );
  });

  it('prints the bridge own entries and its address lists; the bridge itself takes self entries', () => {
    const out = run(
      setup +
        'ip -n n link set br0 up\n' +
        'bridge -n n fdb add 02:00:00:00:00:b0 dev br0\n' +
        'bridge -n n fdb add 02:00:00:00:00:b1 dev br0 master\necho rc=$?\n' +
        'bridge -n n fdb show br br0\n',
    );
    expect(out).toBe(
      'RTNETLINK answers: Operation not supported\nrc=255\n' +
        '33:33:00:00:00:01 dev br0 self permanent\n' +
        '01:00:5e:00:00:6a dev br0 self permanent\n' +
        '33:33:00:00:00:6a dev br0 self permanent\n' +
        '01:00:5e:00:00:01 dev br0 self permanent\n' +
        '02:00:00:00:00:b0 dev br0 master br0 permanent\n' +
        '02:00:00:00:00:bb dev br0 master br0 permanent\n' +
        '02:00:00:00:00:01 dev v1 master br0 permanent\n' +
        '33:33:00:00:00:01 dev v1 self permanent\n',
    );
  });

  it('reports argument errors like iproute2', () => {
    const out = run(
      setup +
        'bridge -n n fdb add 02:00:00:00:00:b3\necho rc=$?\n' +
        'bridge -n n fdb add 02:00:00:00:00:b3 dev nope\necho rc=$?\n' +
        'bridge -n n fdb add zz dev v1\necho rc=$?\n' +
        'bridge -n n fdb show br nope\necho rc=$?\n' +
        'bridge -n n fdb show br v1\necho rc=$?\n' +
        'bridge -n n fdb del 02:00:00:00:00:ab dev v1 master\necho rc=$?\n' +
        'bridge -n n fdb foo\necho rc=$?\n' +
        'bridge -n n foo\necho rc=$?\n' +
        'bridge -n nope fdb show\necho rc=$?\n',
    );
    expect(out).toBe(
      'Device and address are required arguments.\nrc=255\n' +
        'Cannot find device "nope"\nrc=255\n' +
        'Invalid mac address zz\nrc=255\n' +
        'Cannot find bridge device "nope"\nrc=255\n' +
        'rc=0\n' +
        'RTNETLINK answers: No such file or directory\nrc=255\n' +
        'Command "foo" is unknown, try "bridge fdb help".\nrc=255\n' +
        'Object "foo" is unknown, try "bridge help".\nrc=255\n' +
        'Cannot open network namespace "nope": No such file or directory\nrc=255\n',
    );
  });
});

describe('bridge link', () => {
  it('shows ports with their state, -d and -j, and changes port flags', () => {
    const out = run(
      setup +
        'bridge -n n link show\n' +
        'bridge -n n link set dev v1 learning off hairpin on flood off cost 10 priority 5\n' +
        'bridge -n n -d link show\n' +
        'bridge -n n -j -d link show\n' +
        'bridge -n n link set dev v1p learning off\necho rc=$?\n' +
        'bridge -n n link set dev v1 learning maybe\necho rc=$?\n',
    );
    expect(out.replace(/^\d+:/gm, 'N:').replace(/"ifindex":\d+/, '"ifindex":N')).toBe(
      'N: v1@v1p: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2 \n' +
        'N: v1@v1p: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled priority 5 cost 10 \n' +
        '    hairpin on guard off root_block off fastleave off learning off flood off mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n' +
        '[{"ifindex":N,"link":"v1p","ifname":"v1","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"master":"br0","state":"disabled","priority":5,"cost":10,"hairpin":true,"guard":false,"root_block":false,"fastleave":false,"learning":false,"flood":false,"mcast_flood":true,"bcast_flood":true,"mcast_router":1,"mcast_to_unicast":false,"neigh_suppress":false,"vlan_tunnel":false,"isolated":false,"locked":false}]\n' +
        'RTNETLINK answers: Operation not supported\nrc=255\n' +
        'Error: argument of "learning" must be one of "off", "on", not "maybe"\nrc=234\n',
    );
  });

  it('prints M-DOWN for a peer elsewhere only when its ifindex names a down device here', () => {
    // Kernel 6.1 / iproute2 6.1: ll_index_to_flags() is ~0 on a cache miss.
    const base =
      'ip netns add h\nip netns add p\n' +
      'ip -n p link add x1 type veth peer name x2\nip -n p link add x3 type veth peer name x4\n' +
      'ip -n h link add br0 type bridge\nip -n h link set br0 up\n' +
      'ip -n h link add vA type veth peer name eth0 netns p\n' +
      'ip -n h link set vA master br0 up\nip -n p link set eth0 up\n';
    expect(run(base + 'bridge -n h link show\n')).toBe(
      '3: vA@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n',
    );
    const more = 'ip -n h link add d1 type veth peer name d2\nip -n h link add d3 type bridge\nip -n h link set br0 down\n';
    expect(run(base + more + 'bridge -n h link show\n')).toBe(
      '3: vA@d3: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2 \n',
    );
  });
});

// fdb_add_entry() on Linux 6.18 (conformance/scripts/258-bridge-fdb-add-forms.sh).
describe('bridge fdb add ... dynamic', () => {
  const up = setup + 'ip -n n link set br0 up\nip -n n link set v1 up\nip -n n link set v1p up\n';

  it('is accepted on a forwarding port and printed without a state; EPERM on a disabled one, before EEXIST', () => {
    const out = run(
      setup +
        'bridge -n n fdb add 02:00:00:00:00:aa dev v1 master static\n' +
        'bridge -n n fdb add 02:00:00:00:00:aa dev v1 master dynamic\n' +
        'ip -n n link set br0 up\nip -n n link set v1 up\nip -n n link set v1p up\n' +
        'bridge -n n fdb add 02:00:00:00:00:ac dev v1 master dynamic\necho rc=$?\n' +
        'bridge -n n fdb add 02:00:00:00:00:aa dev v1 master dynamic\n' +
        'bridge -n n fdb replace 02:00:00:00:00:01 dev v1 master dynamic\n' +
        'bridge -n n fdb show br br0 dynamic\n' +
        'bridge -n n -j fdb show dev v1 state static\n',
    );
    expect(out).toBe(
      'RTNETLINK answers: Operation not permitted\n' +
        'rc=0\n' +
        'RTNETLINK answers: File exists\n' +
        '02:00:00:00:00:ac dev v1 master br0 \n' +
        '02:00:00:00:00:aa dev v1 master br0 static\n' +
        '02:00:00:00:00:01 dev v1 master br0 \n' +
        '[{"mac":"02:00:00:00:00:aa","flags":[],"master":"br0","state":"static"}]\n',
    );
  });

  it('master self: keeps the bridge entry when the veth refuses its own (EINVAL); the bridge itself needs permanent', () => {
    const out = run(
      up +
        'bridge -n n fdb add 02:00:00:00:00:a9 dev v1 master self dynamic\n' +
        'bridge -n n fdb add 02:00:00:00:00:c6 dev br0 static\n' +
        'bridge -n n fdb add 02:00:00:00:00:c3 dev br0 master dynamic\n' +
        'bridge -n n fdb show br br0 dynamic\n',
    );
    expect(out).toBe(
      'RTNETLINK answers: Invalid argument\n' +
        'RTNETLINK answers: Invalid argument\n' +
        'RTNETLINK answers: Operation not supported\n' +
        '02:00:00:00:00:a9 dev v1 master br0 \n',
    );
  });

  it('a port leaving forwarding loses its dynamic entries, static ones stay (br_fdb_delete_by_port)', () => {
    const out = run(
      up +
        'bridge -n n fdb add 02:00:00:00:00:e1 dev v1 master dynamic\n' +
        'bridge -n n fdb add 02:00:00:00:00:e2 dev v1 master static\n' +
        'ip -n n link set v1p down\n' +
        'ip -n n link set v1p up\n' +
        'bridge -n n fdb show br br0 dynamic\n',
    );
    expect(out).toBe('02:00:00:00:00:e2 dev v1 master br0 static\n');
  });
});

// fdb->used vs fdb->updated: values observed on Linux 6.18 (conformance/golden/259-bridge-fdb-used.out).
describe('bridge -s fdb show: used/updated', () => {
  const topo =
    'ip netns add a\nip netns add b\n' +
    // No IPv6: its ND/MLD frames would refresh the entries too.
    'ip netns exec a sysctl -q -w net.ipv6.conf.default.disable_ipv6=1\n' +
    'ip netns exec b sysctl -q -w net.ipv6.conf.default.disable_ipv6=1\n' +
    'ip -n n link add br0 address 02:00:00:00:00:bb type bridge\n' +
    'ip -n n link add pa type veth peer name eth0 netns a address 02:00:00:00:00:0a\n' +
    'ip -n n link add pb type veth peer name eth0 netns b address 02:00:00:00:00:0b\n' +
    'ip -n n link set pa master br0\nip -n n link set pb master br0\n' +
    'ip -n n link set br0 up\nip -n n link set pa up\nip -n n link set pb up\n' +
    'ip -n a link set eth0 up\nip -n b link set eth0 up\n' +
    'ip -n n addr add 10.0.0.254/24 dev br0\n' +
    'ip -n a addr add 10.0.0.1/24 dev eth0\nip -n b addr add 10.0.0.2/24 dev eth0\n' +
    'ip -n a neigh replace 10.0.0.2 lladdr 02:00:00:00:00:0b nud permanent dev eth0\n' +
    'ip -n a neigh replace 10.0.0.9 lladdr 02:00:00:00:00:0b nud permanent dev eth0\n' +
    'ip -n b neigh replace 10.0.0.1 lladdr 02:00:00:00:00:0a nud permanent dev eth0\n' +
    'ip -n n neigh replace 10.0.0.9 lladdr 02:00:00:00:00:0b nud permanent dev br0\n' +
    'ip netns exec a ping -c 1 -W 1 10.0.0.2 >/dev/null\n' +
    'sleep 2\n';

  it('a frame forwarded to an entry moves its `used`, a frame learned from one its `updated`; br_dev_xmit moves neither', () => {
    const out = run(
      topo +
        // One way only: 10.0.0.9 has b's MAC but is nobody's address (b drops it silently).
        'ip netns exec a ping -c 1 -W 1 10.0.0.9 >/dev/null\n' +
        'bridge -n n -s fdb show br br0 dynamic\n' +
        'bridge -n n -j -s fdb show br br0 dynamic\n' +
        'ip netns exec n ping -c 1 -W 1 10.0.0.9 >/dev/null\n' +
        'bridge -n n -s fdb show br br0 dynamic\n',
    );
    expect(out).toBe(
      '02:00:00:00:00:0a dev pa used 3/1 master br0 \n' +
        '02:00:00:00:00:0b dev pb used 1/3 master br0 \n' +
        '[{"mac":"02:00:00:00:00:0a","ifname":"pa","used":3,"updated":1,"flags":[],"master":"br0","state":""},{"mac":"02:00:00:00:00:0b","ifname":"pb","used":1,"updated":3,"flags":[],"master":"br0","state":""}]\n' +
        '02:00:00:00:00:0a dev pa used 4/2 master br0 \n' +
        '02:00:00:00:00:0b dev pb used 2/4 master br0 \n',
    );
  });

  it('VXLAN: transmit moves `used` of the entry found (own MAC or the all-zero default), replace only `updated`', () => {
    const out = run(
      topo +
        'ip -n n link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.254 nolearning\n' +
        'bridge -n n fdb append 00:00:00:00:00:00 dev vx0 dst 10.1.0.2\n' +
        'bridge -n n fdb add 02:00:00:00:00:05 dev vx0 dst 10.1.0.5\n' +
        'ip -n n addr add 10.9.0.1/24 dev vx0\nip -n n link set vx0 up\n' +
        'ip -n n neigh replace 10.0.0.2 lladdr 02:00:00:00:00:0b nud permanent dev br0\n' +
        'ip -n n route add 10.1.0.0/24 via 10.0.0.2\n' +
        'ip -n n neigh replace 10.9.0.5 lladdr 02:00:00:00:00:05 nud permanent dev vx0\n' +
        'ip -n n neigh replace 10.9.0.6 lladdr 02:00:00:00:00:06 nud permanent dev vx0\n' +
        'sleep 2\n' +
        'ip netns exec n ping -c 1 -W 1 10.9.0.5 >/dev/null\n' +
        'bridge -n n -s fdb show dev vx0\n' +
        'ip netns exec n ping -c 1 -W 1 10.9.0.6 >/dev/null\n' +
        'bridge -n n fdb replace 02:00:00:00:00:05 dev vx0 dst 10.1.0.7\n' +
        'bridge -n n -s fdb show dev vx0\n',
    );
    expect(out).toBe(
      '02:00:00:00:00:05 dst 10.1.0.5 used 1/3 self permanent\n' +
        '00:00:00:00:00:00 dst 10.1.0.2 used 3/3 self permanent\n' +
        '02:00:00:00:00:05 dst 10.1.0.7 used 2/0 self permanent\n' +
        '00:00:00:00:00:00 dst 10.1.0.2 used 1/4 self permanent\n',
    );
  });
});
