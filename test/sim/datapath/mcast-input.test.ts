/**
 * Multicast input (ip_route_input_rcu): a group the device did not join is
 * dropped after PREROUTING, with no INPUT and no ICMP error. Checked on the
 * kernel with bridges' IGMPv3 reports (conformance 407-bridge-igmp-report).
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../../src/shell/interp.js';
import { sendPacket } from '../../../src/sim/send.js';
import { IGMP_ALL_HOSTS, IGMPV3_ALL_MCR } from '../../../src/sim/datapath/mcast-input.js';
import type { Ip4 } from '../../../src/model/addr.js';
import type { Ipv4Packet } from '../../../src/sim/packet.js';
import { Unsupported } from '../../../src/shell/types.js';

const SETUP = `ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a link set va up
ip -n b link set vb up
ip -n a addr add 10.0.0.1/24 dev va
ip -n b addr add 10.0.0.2/24 dev vb
ip netns exec b iptables -t raw -A PREROUTING -p igmp
ip netns exec b iptables -A INPUT -p igmp
ip netns exec b iptables -A INPUT -p icmp
`;

const igmp = (dst: Ip4): Ipv4Packet => ({ src: 0 as Ip4, dst, proto: 2, ttl: 1, len: 40, df: true, tos: 0xc0, id: 0, mark: 0 });

describe('multicast input', () => {
  it('drops a packet for a group the device did not join after PREROUTING, silently', () => {
    const w0 = runScript(SETUP).world;
    const va = Object.values(w0.ns['a']!.links).find((l) => l.name === 'va')!;
    const r = sendPacket(w0, 'a', igmp(IGMPV3_ALL_MCR), { oif: va.ifindex });
    expect(r.spawned).toEqual([]);
    expect(r.trace.hops.at(-1)!.steps.at(-1)!.action).toContain('not a member of 224.0.0.22');
    const out = runScript('ip netns exec b iptables -t raw -L PREROUTING -n -v -x\nip netns exec b iptables -L INPUT -n -v -x\n', { world: r.world }).output;
    expect(out).toContain('       1       40            2    --  *      *       0.0.0.0/0            0.0.0.0/0           \n');
    expect(out).toContain('       0        0            2    --  *      *       0.0.0.0/0            0.0.0.0/0           \n');
    expect(out).toContain('       0        0            1    --  *      *       0.0.0.0/0            0.0.0.0/0           \n');
  });

  it('does not model delivery to a group member yet', () => {
    const w0 = runScript(SETUP).world;
    const va = Object.values(w0.ns['a']!.links).find((l) => l.name === 'va')!;
    expect(() => sendPacket(w0, 'a', igmp(IGMP_ALL_HOSTS), { oif: va.ifindex })).toThrow(Unsupported);
  });
});
