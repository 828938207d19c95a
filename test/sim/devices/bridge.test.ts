import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { walk } from '../../../src/sim/datapath/engine.js';
import { linkByName } from '../../../src/model/queries.js';
import type { BridgeLink, World } from '../../../src/model/world.js';
import type { Mac, Ip4 } from '../../../src/model/addr.js';
import { parseIp4 } from '../../../src/model/addr.js';
import type { Frame } from '../../../src/sim/packet.js';

// Three hosts a/b/c behind ports pa/pb/pc of br0 in namespace n (IPv6 off: no chatter).
const SETUP = [
  'ip netns add n',
  'ip netns exec n sysctl -q -w net.ipv6.conf.all.disable_ipv6=1',
  'ip -n n link add br0 address 02:00:00:00:00:b0 type bridge',
  ...['a', 'b', 'c'].flatMap((h, i) => [
    `ip netns add ${h}`,
    `ip netns exec ${h} sysctl -q -w net.ipv6.conf.default.disable_ipv6=1`,
    `ip -n n link add p${h} address 02:00:00:00:01:0${i} type veth peer name eth0 netns ${h} address 02:00:00:00:02:0${i}`,
    `ip -n n link set p${h} master br0`,
    `ip -n n link set p${h} up`,
    `ip -n ${h} link set eth0 up`,
    `ip -n ${h} addr add 10.0.0.${i + 1}/24 dev eth0`,
  ]),
  'ip -n n link set br0 up',
].join('\n');

function base(): World {
  const r = runScript(SETUP + '\n');
  expect(r.unsupported).toEqual([]);
  return r.world;
}

const ifx = (w: World, ns: string, name: string) => linkByName(w.ns[ns]!, name)!.ifindex;
const fdb = (w: World) => (linkByName(w.ns['n']!, 'br0') as BridgeLink).fdb.filter((e) => e.state === 'dynamic').map((e) => `${e.mac}@${w.ns['n']!.links[e.ifindex]!.name}`);

function arp(src: Mac, dst: Mac, senderIp: string, targetIp: string): Frame {
  return {
    src,
    dst,
    type: 'arp',
    arp: { op: 'request', senderMac: src, senderIp: parseIp4(senderIp) as Ip4, targetMac: '00:00:00:00:00:00' as Mac, targetIp: parseIp4(targetIp) as Ip4 },
  };
}

describe('bridge datapath (br_handle_frame)', () => {
  it('learns the source on the ingress port and floods a broadcast to the other ports', () => {
    const w = base();
    const r = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pa'), frame: arp('02:00:00:00:02:00' as Mac, 'ff:ff:ff:ff:ff:ff' as Mac, '10.0.0.1', '10.0.0.9') });
    expect(fdb(r.world)).toEqual(['02:00:00:00:02:00@pa']);
    const reached = r.trace.hops.map((h) => h.ns).filter((n) => n !== 'n');
    expect(reached.sort()).toEqual(['b', 'c']);
  });

  it('sends a known unicast only to its port and drops one whose destination is behind the ingress port', () => {
    let w = base();
    w = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pb'), frame: arp('02:00:00:00:02:01' as Mac, 'ff:ff:ff:ff:ff:ff' as Mac, '10.0.0.2', '10.0.0.9') }).world;
    const r = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pa'), frame: arp('02:00:00:00:02:00' as Mac, '02:00:00:00:02:01' as Mac, '10.0.0.1', '10.0.0.2') });
    // b answers the request (its reply goes back to a); c never sees the frame.
    expect(r.trace.hops.filter((h) => h.ns !== 'n').map((h) => h.ns)).toEqual(['b', 'a']);
    const hair = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pb'), frame: arp('02:00:00:00:02:05' as Mac, '02:00:00:00:02:01' as Mac, '10.0.0.5', '10.0.0.2') });
    expect(hair.trace.hops.some((h) => h.steps.some((s) => /hairpin off/.test(s.action)))).toBe(true);
    expect(hair.trace.hops.filter((h) => h.ns !== 'n')).toEqual([]);
  });

  it('floods an unknown unicast except to ports with flood off', () => {
    let w = base();
    w = runScript('bridge -n n link set dev pc flood off\n', { world: w }).world;
    const r = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pa'), frame: arp('02:00:00:00:02:00' as Mac, '02:00:00:00:09:09' as Mac, '10.0.0.1', '10.0.0.9') });
    expect(r.trace.hops.filter((h) => h.ns !== 'n').map((h) => h.ns)).toEqual(['b']);
  });

  it('drops frames on a port that is not forwarding (bridge down)', () => {
    let w = base();
    w = runScript('ip -n n link set br0 down\n', { world: w }).world;
    const r = walk(w, { kind: 'rx', ns: 'n', ifindex: ifx(w, 'n', 'pa'), frame: arp('02:00:00:00:02:00' as Mac, 'ff:ff:ff:ff:ff:ff' as Mac, '10.0.0.1', '10.0.0.9') });
    expect(r.trace.disposition).toBe('link_down');
    expect(fdb(r.world)).toEqual([]);
  });

  it('pings across the bridge and learns both hosts (ping through the twin shell)', () => {
    const r = runScript(SETUP + '\nip netns exec a ping -c 1 -W 1 10.0.0.3\nbridge -n n fdb show dynamic\n');
    expect(r.output).toContain('1 packets transmitted, 1 received');
    expect(r.output.endsWith('02:00:00:00:02:00 dev pa master br0 \n02:00:00:00:02:02 dev pc master br0 \n') || r.output.endsWith('02:00:00:00:02:02 dev pc master br0 \n02:00:00:00:02:00 dev pa master br0 \n')).toBe(true);
  });

  it('runs br_netfilter PREROUTING before the own-MAC decision: a DNAT back to the ingress port needs hairpin (conformance 113)', () => {
    // a reaches itself through a port forward on the bridge's address: the frame is for br0's MAC,
    // PREROUTING DNATs it to a, the new destination is behind br0, so it stays bridged to pa.
    const script = [
      'ip -n n addr add 10.0.0.254/24 dev br0',
      'ip netns exec n sysctl -qw net.ipv4.ip_forward=1',
      'ip netns exec n iptables -t nat -A PREROUTING -d 10.0.0.254 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.1:80',
      'ip netns exec n iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -d 10.0.0.0/24 -j MASQUERADE',
      'ip -n a route add default via 10.0.0.254',
      'ip netns exec n ping -c 1 -W 1 10.0.0.1',
      'ip netns exec a nc -l -p 80 -k &',
      'ip netns exec a nc -z -v -w 1 10.0.0.254 8080',
      'bridge -n n link set dev pa hairpin on',
      'ip netns exec a nc -z -v -w 1 10.0.0.254 8080',
    ].join('\n');
    const r = runScript(SETUP + '\n' + script + '\n');
    expect(r.unsupported).toEqual([]);
    const out = r.sections.slice(-3).map((x) => x.output);
    expect(out[0]).toBe('nc: connect to 10.0.0.254 port 8080 (tcp) timed out: Operation now in progress\n');
    expect(out[2]).toBe('Connection to 10.0.0.254 8080 port [tcp/http-alt] succeeded!\n');
  });
});
