import { describe, expect, it } from 'vitest';
import { narrate, placeLabel } from '../../src/scenarios/index.js';
import type { Trace } from '../../src/sim/trace.js';

const places = {
  '/': { kind: 'lab', name: 'lab' },
  frontend: { kind: 'pod', name: 'frontend' },
  'node-a': { kind: 'node', name: 'node-a' },
  lan: { kind: 'network', name: 'lan' },
} as const;

const trace: Trace = {
  title: 'ICMP echo request',
  hops: [
    {
      ns: 'frontend',
      outDev: 'eth0',
      steps: [
        { kind: 'output', action: 'route lookup: 10.244.2.2 via 10.244.1.1 dev eth0, source 10.244.1.2', entry: 'default via 10.244.1.1 dev eth0' },
        { kind: 'neighbour', action: 'neighbour 10.244.1.1 dev eth0 unknown: packet queued, ARP request sent' },
        { kind: 'arp', action: 'ARP who-has 10.244.1.1 tell 10.244.1.2 sent on eth0' },
        { kind: 'transmit', action: 'eth0 -> peer veth1 in netns node-a' },
      ],
    },
    {
      ns: 'node-a',
      inDev: 'veth1',
      steps: [
        { kind: 'bridge', action: 'cni0: learned 02:00:00:00:00:01 on veth1' },
        { kind: 'arp', action: 'ARP reply 10.244.1.1 is-at 02:00:00:00:00:02 sent on cni0' },
      ],
    },
    {
      ns: 'node-a',
      inDev: 'veth1',
      outDev: 'eth0',
      steps: [
        { kind: 'bridge', action: 'cni0: 02:00:00:00:00:02 is local: up the stack of cni0' },
        { kind: 'receive', action: 'received ICMP echo request id 1 seq 1 10.244.1.2 -> 10.244.2.2 ttl 64 len 84 DF on cni0' },
        { kind: 'route', action: '10.244.2.2 is not local: forward via 192.168.0.11', entry: '10.244.2.0/24 via 192.168.0.11 dev eth0' },
        { kind: 'forward', action: 'forwarding: TTL 64 -> 63' },
        {
          kind: 'nat',
          action: 'source NAT (POSTROUTING)',
          before: { src: '10.244.1.2', dst: '10.244.2.2', proto: 'icmp', ttl: 63, len: 84 },
          after: { src: '192.168.0.10', dst: '10.244.2.2', proto: 'icmp', ttl: 63, len: 84 },
        },
        {
          kind: 'nat',
          action: 'after POSTROUTING: ...',
          before: { src: '10.244.1.2', dst: '10.244.2.2', proto: 'icmp', ttl: 63, len: 84 },
          after: { src: '192.168.0.10', dst: '10.244.2.2', proto: 'icmp', ttl: 63, len: 84 },
        },
        { kind: 'transmit', action: 'eth0 -> peer node-a in netns lan (192.168.0.10 -> 10.244.2.2)' },
        { kind: 'mtu', action: 'something new the narrator does not know' },
      ],
    },
  ],
  disposition: 'exits_network',
  endedIn: 'lan',
  reason: 'the packet left the modelled network',
};

describe('narrate', () => {
  it('tells each step as a sentence naming the place, the device and the deciding entry', () => {
    expect(narrate(trace, places)).toEqual([
      '1. Pod frontend sends a packet to 10.244.2.2. Its routing table says `default via 10.244.1.1 dev eth0`: it goes to the gateway 10.244.1.1 out of eth0, with source address 10.244.1.2.',
      '2. Pod frontend does not know the MAC address of 10.244.1.1 yet: it parks the packet and broadcasts an ARP request on eth0.',
      '3. Pod frontend broadcasts on eth0: "who has 10.244.1.1? tell 10.244.1.2".',
      "4. The frame leaves frontend's eth0 and crosses the veth pair to veth1 on node node-a.",
      '    5. Bridge cni0 on node-a learns that MAC 02:00:00:00:00:01 is behind port veth1 (a new FDB entry).',
      '    6. 10.244.1.1 is node-a\'s address on cni0: it answers "10.244.1.1 is at 02:00:00:00:00:02".',
      "7. Bridge cni0 looks up 02:00:00:00:00:02 in its FDB: it is the bridge's own MAC, so the frame goes up to node-a's IP stack (cni0 is the gateway).",
      "8. Node node-a's IP stack receives it on cni0: 10.244.1.2 -> 10.244.2.2, TTL 64.",
      "9. 10.244.2.2 is not node-a's own address. The route `10.244.2.0/24 via 192.168.0.11 dev eth0` says: forward it to 192.168.0.11.",
      '10. Node node-a forwards it (ip_forward=1) and decrements the TTL from 64 to 63.',
      '11. NAT on node-a: the packet 10.244.1.2 -> 10.244.2.2 now reads 192.168.0.10 -> 10.244.2.2.',
      '12. The packet leaves node node-a through eth0 and goes down the cable to port node-a of switch lan.',
      '13. Node node-a: something new the narrator does not know.',
      '=> left the modelled network from switch lan: the packet left the modelled network.',
    ]);
  });
  it('can leave the ARP side trips out', () => {
    const lines = narrate(trace, places, { hideArp: true });
    expect(lines.some((l) => l.startsWith('    '))).toBe(false);
    expect(lines).toHaveLength(12);
  });
  it('names places by what they are', () => {
    expect([placeLabel(places, 'frontend'), placeLabel(places, 'lan'), placeLabel(places, '/'), placeLabel(places, 'other')]).toEqual(['pod frontend', 'switch lan', 'the lab host', 'netns other']);
  });
});
