/**
 * applyVerdict's REJECT for a host's own packets (OUTPUT). Behaviour checked
 * on the kernel (conformance 406-iptables-reject-output).
 */
import { describe, expect, it } from 'vitest';
import { formatIp4 } from '../../../src/model/addr.js';
import { runScript } from '../../../src/shell/interp.js';
import { probe } from '../../../src/sim/send.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_ANO, ICMP_PORT_UNREACH } from '../../../src/sim/packet.js';
import { ip } from './topo.js';

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

const world = (rules: string) => runScript(SETUP + rules).world;

describe('REJECT in OUTPUT', () => {
  it('fails the send with EPERM and sends the ICMP error to the sender itself, through lo', () => {
    const r = probe(world('ip netns exec a iptables -A OUTPUT -d 10.0.0.2 -j REJECT\n'), { from: 'a', to: ip('10.0.0.2'), proto: 'icmp' });
    expect(r.outcome).toEqual({ kind: 'local_error', errno: 'EPERM' });
    expect(r.traces.map((t) => t.disposition)).toEqual(['rejected', 'delivered']);
    const errs = r.events.filter((e) => e.pkt.icmp?.type === ICMP_DEST_UNREACH);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.ns).toBe('a');
    expect(errs[0]!.inDev).toBe('lo');
    expect(formatIp4(errs[0]!.pkt.src)).toBe('10.0.0.1');
    expect(errs[0]!.pkt.icmp?.code).toBe(ICMP_PORT_UNREACH);
    expect(errs[0]!.pkt.icmp?.quoted?.dst).toBe(ip('10.0.0.2'));
  });

  it('uses the --reject-with code', () => {
    const r = probe(world('ip netns exec a iptables -A OUTPUT -p tcp -j REJECT --reject-with icmp-host-prohibited\n'), {
      from: 'a',
      to: ip('10.0.0.2'),
      proto: 'tcp',
      dport: 80,
    });
    expect(r.events.find((e) => e.pkt.icmp?.type === ICMP_DEST_UNREACH)?.pkt.icmp?.code).toBe(ICMP_HOST_ANO);
  });

  it('reports nothing when the rule rejects the error too (icmp_send never answers an error)', () => {
    const r = probe(world('ip netns exec a iptables -A OUTPUT -d 10.0.0.1 -j REJECT\n'), { from: 'a', to: ip('10.0.0.1'), proto: 'icmp' });
    expect(r.outcome).toEqual({ kind: 'local_error', errno: 'EPERM' });
    expect(r.traces.map((t) => t.disposition)).toEqual(['rejected', 'rejected']);
    expect(r.events).toEqual([]);
  });

  it("sends no error for the ICMP socket's own echo reply (icmp_xmit_lock is held)", () => {
    // Kernel: b pings a, a's OUTPUT rejects the reply; the request and the reply
    // count once each and no error goes through OUTPUT, lo and INPUT.
    const r = probe(world('ip netns exec a iptables -A OUTPUT -d 10.0.0.2 -j REJECT\n'), { from: 'b', to: ip('10.0.0.1'), proto: 'icmp' });
    expect(r.traces.map((t) => t.disposition)).toEqual(['delivered', 'rejected']);
    expect(r.events.filter((e) => e.pkt.icmp?.type === ICMP_DEST_UNREACH)).toEqual([]);
    // Rules count where base-chain policies (made by -A, nft) do not: the
    // error would be one more packet of `-A OUTPUT -p icmp`.
    const rules = 'ip netns exec a iptables -A INPUT -p icmp\nip netns exec a iptables -A OUTPUT -p icmp\nip netns exec a iptables -A OUTPUT -d 10.0.0.2 -j REJECT\n';
    const out = runScript(`${SETUP}${rules}ip netns exec b ping -c 1 -W 1 10.0.0.1\nip netns exec a iptables-save -c\n`).sections.at(-1)!.output;
    expect(out).toContain('[1:84] -A INPUT -p icmp\n[1:84] -A OUTPUT -p icmp\n[1:84] -A OUTPUT -d 10.0.0.2/32 -j REJECT');
  });

  it('tcp-reset: the RST, from the destination, reaches the connecting socket', () => {
    const r = probe(world('ip netns exec a iptables -A OUTPUT -p tcp -d 10.0.0.2 -j REJECT --reject-with tcp-reset\n'), { from: 'a', to: ip('10.0.0.2'), proto: 'tcp', dport: 80 });
    const rst = r.events.find((e) => e.pkt.ports?.flags === 'RSTACK');
    expect(rst?.ns).toBe('a');
    expect(formatIp4(rst!.pkt.src)).toBe('10.0.0.2');
  });
});
