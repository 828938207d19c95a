import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const pre =
  'ip netns add n\nip -n n link set lo up\nip -n n link add name a type veth peer name b\nip -n n link set dev a up\nip -n n link set dev b up\n' +
  'ip -n n addr add 10.14.0.1/24 dev a\nip -n n addr add 10.14.1.1/24 dev b\n';
const out = (s: string): string => runScript(pre + s).output;

describe('ip route', () => {
  it('prints static routes in dump order with JSON flags', () => {
    const o = out('ip -n n route add 192.168.3.0/24 via 10.14.0.254 metric 50\nip -n n route add default via 10.14.0.254\nip -n n route show\nip -n n -j route show exact 0/0\n');
    expect(o).toBe(
      'default via 10.14.0.254 dev a \n10.14.0.0/24 dev a proto kernel scope link src 10.14.0.1 \n10.14.1.0/24 dev b proto kernel scope link src 10.14.1.1 \n' +
        '192.168.3.0/24 via 10.14.0.254 dev a metric 50 \n' +
        '[{"dst":"default","gateway":"10.14.0.254","dev":"a","flags":[]}]\n',
    );
  });
  it('route errors as the kernel words them', () => {
    const o = out(
      'ip -n n route add 1.0.0.0/8 via 10.20.0.1\necho rc=$?\nip -n n route add 1.0.0.0/8 via 10.14.0.2\nip -n n route add 1.0.0.0/8 via 10.14.0.3\necho rc=$?\n' +
        'ip -n n route del 2.0.0.0/8\necho rc=$?\nip -n n route add 3.0.0.1/8 dev a\necho rc=$?\nip -n n route add blackhole 4.0.0.0/8 dev a\necho rc=$?\n' +
        'ip -n n route show table 7\necho rc=$?\n',
    );
    expect(o).toBe(
      'Error: Nexthop has invalid gateway.\nrc=2\nRTNETLINK answers: File exists\nrc=2\nRTNETLINK answers: No such process\nrc=2\n' +
        'Error: Invalid prefix for given prefix length.\nrc=2\nError: Gateway, device and multipath can not be specified for this route type.\nrc=2\n' +
        'Error: ipv4: FIB table does not exist.\nDump terminated\nrc=2\n',
    );
  });
  it('route get: connected, via gateway, local, broadcast, unreachable, oif', () => {
    const o = out(
      'ip -n n route add 172.20.0.0/16 via 10.14.0.254\nip -n n route get 10.14.0.7\nip -n n route get 172.20.3.4\nip -n n route get 10.14.0.1\n' +
        'ip -n n route get 10.14.0.255\nip -n n route get 8.8.8.8\necho rc=$?\nip -n n route get 172.20.3.4 oif b\nip -n n -j route get 10.14.0.1\n',
    );
    expect(o).toBe(
      '10.14.0.7 dev a src 10.14.0.1 uid 0 \n    cache \n' +
        '172.20.3.4 via 10.14.0.254 dev a src 10.14.0.1 uid 0 \n    cache \n' +
        'local 10.14.0.1 dev lo src 10.14.0.1 uid 0 \n    cache <local> \n' +
        'broadcast 10.14.0.255 dev a src 10.14.0.1 uid 0 \n    cache <local,brd> \n' +
        'RTNETLINK answers: Network is unreachable\nrc=2\n' +
        '172.20.3.4 dev b src 10.14.1.1 uid 0 \n    cache \n' +
        '[{"type":"local","dst":"10.14.0.1","dev":"lo","prefsrc":"10.14.0.1","flags":[],"uid":0,"cache":["local"]}]\n',
    );
  });
  it('link down removes routes through it except host-scope ones; carrier loss shows linkdown', () => {
    const o = out('ip -n n route add 50.0.0.0/8 via 10.14.0.2\nip -n n link set dev b down\nip -n n route show\nip -n n link set dev a down\nip -n n route show table local dev a\n');
    expect(o).toBe(
      '10.14.0.0/24 dev a proto kernel scope link src 10.14.0.1 linkdown \n50.0.0.0/8 via 10.14.0.2 dev a linkdown \n' +
        'local 10.14.0.1 proto kernel scope host src 10.14.0.1 \n',
    );
  });
  it('replace, append and delete follow the alias group', () => {
    const o = out(
      'ip -n n route add 60.0.0.0/8 via 10.14.0.2\nip -n n route append 60.0.0.0/8 via 10.14.1.2\nip -n n route prepend 60.0.0.0/8 via 10.14.0.3\n' +
        'ip -n n route replace 60.0.0.0/8 via 10.14.0.9\nip -n n route show root 60.0.0.0/8\n',
    );
    expect(o).toBe('60.0.0.0/8 via 10.14.0.9 dev a \n60.0.0.0/8 via 10.14.0.2 dev a \n60.0.0.0/8 via 10.14.1.2 dev b \n');
  });
  it('route get iif: the input decision (forwarding, local, redirect, martians, rp_filter, errors)', () => {
    // Expected strings from the kernel (6.18, iproute2 6.1): no src and no uid for input routes.
    const o = out(
      'ip -n n route add 10.2.0.0/24 via 10.14.1.2\nip -n n route add blackhole 10.3.0.0/24\nip -n n route add unreachable 10.4.0.0/24\n' +
        'ip -n n route get 10.2.0.5 from 10.14.0.2 iif a\necho rc=$?\nip netns exec n sysctl -qw net.ipv4.ip_forward=1\n' +
        'ip -n n route get 10.2.0.5 from 10.14.0.2 iif a\nip -n n -j route get 10.2.0.5 from 10.14.0.2 iif a\n' +
        'ip -n n route get 10.14.0.5 from 10.14.0.2 iif a\nip -n n route get 10.14.0.1 from 10.14.0.2 iif a\n' +
        'ip -n n route get 10.14.0.255 from 10.14.0.2 iif a\nip -n n route get 10.3.0.1 from 10.14.0.2 iif a\n' +
        'ip -n n route get 10.4.0.1 from 10.14.0.2 iif a\nip -n n route get 10.9.0.1 from 10.14.0.2 iif a\n' +
        'ip -n n route get 10.2.0.5 iif a\nip -n n route get 10.2.0.5 from 10.14.0.1 iif a\n' +
        'ip netns exec n sysctl -qw net.ipv4.conf.all.rp_filter=1\nip -n n route get 10.2.0.5 from 10.7.0.1 iif a\n' +
        'ip -n n route get 10.2.0.5 from 10.7.0.1 iif nosuch\necho rc=$?\n',
    );
    expect(o).toBe(
      'RTNETLINK answers: No route to host\nrc=2\n' +
        '10.2.0.5 from 10.14.0.2 via 10.14.1.2 dev b \n    cache iif a \n' +
        '[{"dst":"10.2.0.5","from":"10.14.0.2","gateway":"10.14.1.2","dev":"b","flags":[],"cache":[],"iif":"a"}]\n' +
        '10.14.0.5 from 10.14.0.2 dev a \n    cache <redirect> iif a \n' +
        'local 10.14.0.1 from 10.14.0.2 dev lo \n    cache <local> iif a \n' +
        'broadcast 10.14.0.255 from 10.14.0.2 dev lo \n    cache <local,brd> iif a \n' +
        'RTNETLINK answers: Invalid argument\nRTNETLINK answers: No route to host\nRTNETLINK answers: Network is unreachable\n' +
        'RTNETLINK answers: Invalid argument\nRTNETLINK answers: Invalid argument\nRTNETLINK answers: Invalid argument\n' +
        'Cannot find device "nosuch"\nrc=1\n',
    );
  });
  it('route show type FILTER still prints the type; route get of broadcast/multicast has no gateway', () => {
    const o = out(
      'ip -n n route add unreachable 10.4.0.0/24\nip -n n route add blackhole 10.3.0.0/24\nip -n n route add default via 10.14.0.9\n' +
        'ip -n n route show type unreachable\nip -n n -j route show type unreachable\nip -n n route show type unreachable type blackhole\n' +
        'ip -n n route get 255.255.255.255\nip -n n route get 224.0.0.5\nip -n n -j route get 224.0.0.1\n',
    );
    expect(o).toBe(
      'unreachable 10.4.0.0/24 \n[{"type":"unreachable","dst":"10.4.0.0/24","flags":[]}]\nblackhole 10.3.0.0/24 \n' +
        'broadcast 255.255.255.255 dev a src 10.14.0.1 uid 0 \n    cache <local,brd> \n' +
        'multicast 224.0.0.5 dev a src 10.14.0.1 rt_offload_failed uid 0 \n    cache <mc> \n' +
        '[{"type":"multicast","dst":"224.0.0.1","dev":"a","prefsrc":"10.14.0.1","flags":["rt_offload_failed"],"uid":0,"cache":["local","mc"]}]\n',
    );
  });
  it('ip -j -p prints iproute2 pretty JSON', () => {
    const o = out('ip -n n -j -p route get 10.14.0.7\n');
    expect(o).toBe(
      '[ {\n        "dst": "10.14.0.7",\n        "dev": "a",\n        "prefsrc": "10.14.0.1",\n        "flags": [ ],\n        "uid": 0,\n        "cache": [ ]\n    } ]\n',
    );
  });
  it('route get prints the mtu metric and a learnt path MTU (rt_fill_info RTA_METRICS)', () => {
    // Expected strings from the kernel (6.x, iproute2 6.1). A path MTU learnt from "frag needed"
    // replaces the route's mtu and brings the exception's `expires` (the kernel printed 598, 599 or
    // 600 right after learning, from jiffies; the twin's clock stands still at 599).
    const o = runScript(
      [
        'ip netns add a', 'ip netns add r', 'ip netns add b',
        'ip link add va type veth peer name ra netns r', 'ip link set va netns a', 'ip -n r link add rb type veth peer name vb netns b',
        'ip -n a addr add 10.0.1.2/24 dev va', 'ip -n a link set va up', 'ip -n r addr add 10.0.1.1/24 dev ra', 'ip -n r link set ra up',
        'ip -n r addr add 10.0.2.1/24 dev rb', 'ip -n r link set rb up mtu 1400', 'ip -n b addr add 10.0.2.2/24 dev vb', 'ip -n b link set vb up mtu 1400',
        'ip netns exec r sysctl -qw net.ipv4.ip_forward=1', 'ip -n a route add default via 10.0.1.1', 'ip -n b route add default via 10.0.2.1',
        'ip -n a route add 10.0.9.0/24 via 10.0.1.1 mtu 1300', 'ip -n a route add 10.0.7.5 dev va mtu 1280', 'ip -n r route add 10.0.6.0/24 via 10.0.2.2 mtu 1350',
        'ip -n a route get 10.0.9.5', 'ip -n a -j route get 10.0.9.5', 'ip -n a -o route get 10.0.9.5', 'ip -n a route get 10.0.7.5 from 10.0.1.2',
        'ip -n r route get 10.0.6.1 from 10.0.1.2 iif ra', 'ip -n r -j route get 10.0.6.1 from 10.0.1.2 iif ra', 'ip -n r route get 10.0.2.2 from 10.0.1.2 iif ra',
        'ip -n a route get 10.0.2.2', 'ip netns exec a ping -c1 -W1 -M do -s 1472 10.0.2.2 >/dev/null',
        'ip -n a route get 10.0.2.2', 'ip -n a -j route get 10.0.2.2', 'ip -n a route get 10.0.2.2 from 10.0.1.2', 'ip -n a route get 10.0.2.1',
        'ip -n a route get 10.0.1.2',
      ].join('\n') + '\n',
    ).output;
    expect(o).toBe(
      '10.0.9.5 via 10.0.1.1 dev va src 10.0.1.2 uid 0 \n    cache mtu 1300 \n' +
        '[{"dst":"10.0.9.5","gateway":"10.0.1.1","dev":"va","prefsrc":"10.0.1.2","flags":[],"uid":0,"cache":[],"metrics":[{"mtu":1300}]}]\n' +
        '10.0.9.5 via 10.0.1.1 dev va src 10.0.1.2 uid 0 \\    cache mtu 1300 \n' +
        '10.0.7.5 from 10.0.1.2 dev va uid 0 \n    cache mtu 1280 \n' +
        '10.0.6.1 from 10.0.1.2 via 10.0.2.2 dev rb \n    cache mtu 1350 iif ra \n' +
        '[{"dst":"10.0.6.1","from":"10.0.1.2","gateway":"10.0.2.2","dev":"rb","flags":[],"cache":[],"metrics":[{"mtu":1350}],"iif":"ra"}]\n' +
        '10.0.2.2 from 10.0.1.2 dev rb \n    cache iif ra \n' +
        '10.0.2.2 via 10.0.1.1 dev va src 10.0.1.2 uid 0 \n    cache \n' +
        '10.0.2.2 via 10.0.1.1 dev va src 10.0.1.2 uid 0 \n    cache expires 599sec mtu 1400 \n' +
        '[{"dst":"10.0.2.2","gateway":"10.0.1.1","dev":"va","prefsrc":"10.0.1.2","flags":[],"uid":0,"cache":[],"expires":599,"metrics":[{"mtu":1400}]}]\n' +
        '10.0.2.2 from 10.0.1.2 via 10.0.1.1 dev va uid 0 \n    cache expires 599sec mtu 1400 \n' +
        // The exception is per destination: 10.0.2.1 through the same gateway has none; a local one none either.
        '10.0.2.1 via 10.0.1.1 dev va src 10.0.1.2 uid 0 \n    cache \n' +
        'local 10.0.1.2 dev lo src 10.0.1.2 uid 0 \n    cache <local> \n',
    );
  });
});
