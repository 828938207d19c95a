import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { linkByName } from '../../../src/model/queries.js';
import type { VxlanLink, World } from '../../../src/model/world.js';
import { flowHash, vxlanSrcPort } from '../../../src/sim/devices/vxlan.js';
import type { Frame } from '../../../src/sim/packet.js';
import type { Mac } from '../../../src/model/addr.js';

// Two hosts h1/h2 joined by an underlay veth; vx0 (vni 47, port 4789) on each.
const SETUP = [
  'ip netns add h1',
  'ip netns add h2',
  'ip netns exec h1 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1',
  'ip netns exec h2 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1',
  'ip link add u1 netns h1 type veth peer name u2 netns h2',
  'ip -n h1 addr add 192.168.47.1/24 dev u1',
  'ip -n h2 addr add 192.168.47.2/24 dev u2',
  'ip -n h1 link set u1 up',
  'ip -n h2 link set u2 up',
  'ip -n h1 link add vx0 address 02:00:00:00:47:01 type vxlan id 47 dstport 4789 dev u1 local 192.168.47.1',
  'ip -n h2 link add vx0 address 02:00:00:00:47:02 type vxlan id 47 dstport 4789 dev u2 local 192.168.47.2',
  'ip -n h1 addr add 10.47.0.1/24 dev vx0',
  'ip -n h2 addr add 10.47.0.2/24 dev vx0',
  'ip -n h1 link set vx0 up',
  'ip -n h2 link set vx0 up',
].join('\n');

function run(extra: string) {
  const r = runScript(SETUP + '\n' + extra);
  expect(r.unsupported).toEqual([]);
  return r;
}

const vx = (w: World, ns: string) => linkByName(w.ns[ns]!, 'vx0') as VxlanLink;

describe('vxlan datapath', () => {
  it('drops a frame with no remote VTEP (no fdb entry)', () => {
    const r = run('ip netns exec h1 ping -c 1 -W 1 10.47.0.2\n');
    expect(r.output).toContain('1 packets transmitted, 0 received');
    const steps = r.traces.flatMap((t) => t.trace.hops.flatMap((h) => h.steps.map((s) => s.action)));
    expect(steps.some((a) => a.includes('vx0: no remote VTEP for ff:ff:ff:ff:ff:ff'))).toBe(true);
  });

  it('encapsulates to the default remotes, decapsulates by VNI and learns the inner source behind the outer one', () => {
    const r = run(
      'bridge -n h1 fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.47.2\n' +
        'bridge -n h2 fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.47.1\n' +
        'ip netns exec h1 ping -c 1 -W 1 10.47.0.2\n' +
        'bridge -n h1 fdb show dev vx0\nbridge -n h2 fdb show dev vx0\n',
    );
    expect(r.output).toContain('64 bytes from 10.47.0.2: icmp_seq=1 ttl=64');
    expect(r.output).toContain(
      '02:00:00:00:47:02 dst 192.168.47.2 self \n00:00:00:00:00:00 dst 192.168.47.2 self permanent\n' +
        '02:00:00:00:47:01 dst 192.168.47.1 self \n00:00:00:00:00:00 dst 192.168.47.1 self permanent\n',
    );
    const steps = r.traces.flatMap((t) => t.trace.hops.flatMap((h) => h.steps.map((s) => s.action)));
    expect(steps.some((a) => /vx0: VXLAN vni 47 to 192\.168\.47\.2:4789 \(udp sport \d+\), 134 bytes outer/.test(a))).toBe(true);
    expect(steps.some((a) => a === 'vx0: VXLAN vni 47 from 192.168.47.1: decapsulated')).toBe(true);
  });

  it('nolearning keeps the fdb static; a VNI mismatch is dropped at the socket', () => {
    const r = run(
      'ip -n h2 link del vx0\n' +
        'ip -n h2 link add vx0 address 02:00:00:00:47:02 type vxlan id 48 dstport 4789 dev u2 nolearning\n' +
        'ip -n h2 link set vx0 up\n' +
        'bridge -n h1 fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.47.2\n' +
        'ip netns exec h1 ping -c 1 -W 1 10.47.0.2\n' +
        'bridge -n h2 fdb show dev vx0\n',
    );
    expect(r.output).toContain('1 packets transmitted, 0 received');
    const steps = r.traces.flatMap((t) => t.trace.hops.flatMap((h) => h.steps.map((s) => s.action)));
    expect(steps.some((a) => a === 'UDP port 4789: no VXLAN device with vni 47: dropped')).toBe(true);
    expect(vx(r.world, 'h2').fdb).toEqual([]);
  });

  it('picks the outer source port in ip_local_port_range from the inner flow', () => {
    const w = run('').world;
    const f: Frame = {
      src: '02:00:00:00:47:01' as Mac,
      dst: 'ff:ff:ff:ff:ff:ff' as Mac,
      type: 'arp',
      arp: { op: 'request', senderMac: '02:00:00:00:47:01' as Mac, senderIp: 1 as never, targetMac: '00:00:00:00:00:00' as Mac, targetIp: 2 as never },
    };
    const p = vxlanSrcPort(w, 'h1', vx(w, 'h1'), f);
    expect(p).toBeGreaterThanOrEqual(32768);
    expect(p).toBeLessThanOrEqual(60999);
    expect(vxlanSrcPort(w, 'h1', vx(w, 'h1'), f)).toBe(p);
    expect(flowHash(f)).toBe(flowHash({ ...f }));
  });

  it('hashes the inner flow symmetrically, without MACs or the ICMP echo id (one outer port per address pair)', () => {
    // Kernel: pings with other ids between the same two addresses, and their echo replies, all
    // leave by one outer source port (the outer flows in conntrack), forwarded or local.
    const ip = (src: number, dst: number, extra: object): Frame =>
      ({
        src: '02:00:00:00:47:01' as Mac,
        dst: '02:00:00:00:47:02' as Mac,
        type: 'ipv4',
        ip: { src, dst, proto: 1, ttl: 64, len: 84, df: true, tos: 0, id: 0, mark: 0, ...extra },
      }) as Frame;
    const req = ip(1, 2, { icmp: { type: 8, code: 0, id: 21, seq: 1 } });
    const reply = { ...ip(2, 1, { icmp: { type: 0, code: 0, id: 21, seq: 1 } }), src: '02:00:00:00:47:02' as Mac, dst: '02:00:00:00:47:01' as Mac } as Frame;
    expect(flowHash(reply)).toBe(flowHash(req));
    expect(flowHash(ip(1, 2, { icmp: { type: 8, code: 0, id: 99, seq: 1 } }))).toBe(flowHash(req));
    expect(flowHash(ip(1, 3, { icmp: { type: 8, code: 0, id: 21, seq: 1 } }))).not.toBe(flowHash(req));
    // TCP/UDP: the ports count, in the same symmetric order.
    const udp = ip(1, 2, { proto: 17, ports: { sport: 40000, dport: 53 } });
    expect(flowHash(ip(2, 1, { proto: 17, ports: { sport: 53, dport: 40000 } }))).toBe(flowHash(udp));
    expect(flowHash(ip(1, 2, { proto: 17, ports: { sport: 40001, dport: 53 } }))).not.toBe(flowHash(udp));
  });
});
