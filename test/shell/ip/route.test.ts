import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';

const pre =
  'ip netns add n\nip -n n link set lo up\nip -n n link add a type veth peer name b\nip -n n link set a up\nip -n n link set b up\n' +
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
    const o = out('ip -n n route add 50.0.0.0/8 via 10.14.0.2\nip -n n link set b down\nip -n n route show\nip -n n link set a down\nip -n n route show table local dev a\n');
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
});
