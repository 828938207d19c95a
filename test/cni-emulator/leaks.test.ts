import { describe, expect, it } from 'vitest';
import { freshMachine, netnsAdd } from '../../src/sim/ops/netns.js';
import type { World } from '../../src/model/world.js';
import { addNetworkList, confListFromBytes, delNetworkList, diffLeakReport, type CniRuntime } from '../../src/cni-emulator/index.js';

const rt: CniRuntime = { ns: 'node', path: ['/usr/lib/cni'] };

function world(): World {
  let w = freshMachine(2);
  for (const n of ['node', 'p1']) w = (netnsAdd(w, n) as { world: World }).world;
  return w;
}

describe('diffLeakReport', () => {
  const list = confListFromBytes(
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'n',
      plugins: [
        { type: 'bridge', isGateway: true, ipMasq: true, ipam: { type: 'host-local', subnet: '10.70.0.0/24' } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }),
  );
  const caps = { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }] };

  it('names the real plugins leftovers after ADD + DEL and nothing else', () => {
    const before = world();
    const add = addNetworkList(before, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0', capabilityArgs: caps });
    const del = delNetworkList(add.world, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0', capabilityArgs: caps });
    const r = diffLeakReport(before, del.world, ['node', 'p1']);
    expect(r.unexpected).toEqual([]);
    const reasons = new Set(r.documented.map((d) => d.reason));
    expect([...reasons].some((x) => x!.startsWith('the bridge plugin never deletes its bridge'))).toBe(true);
    expect([...reasons].some((x) => x!.startsWith("portmap's shared chains"))).toBe(true);
    expect([...reasons].some((x) => x!.startsWith('host-local keeps'))).toBe(true);
    expect(r.documented.find((d) => d.what === '+ link cni0 bridge up')).toBeDefined();
  });

  it('reports a DEL without the capability args (portmap cannot find its rules) as unexpected leftovers', () => {
    const before = world();
    const add = addNetworkList(before, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0', capabilityArgs: caps });
    const del = delNetworkList(add.world, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0' });
    const r = diffLeakReport(before, del.world, ['node', 'p1']);
    expect(r.unexpected.map((u) => u.what).filter((w) => w.includes('CNI-DN-'))).toEqual([
      expect.stringMatching(/^\+ iptables :CNI-DN-[0-9a-f]{21} - \[0:0\]$/),
      expect.stringMatching(/^\+ iptables -A CNI-DN-[0-9a-f]{21} -s 10\.70\.0\.0\/24 -p tcp -m tcp --dport 80 -j CNI-HOSTPORT-SETMARK$/),
      expect.stringMatching(/^\+ iptables -A CNI-DN-/),
      expect.stringMatching(/^\+ iptables -A CNI-DN-/),
      expect.stringMatching(/^\+ iptables -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"n\\" id: \\"c\\"" -m multiport --dports 80 -j CNI-DN-/),
    ]);
  });
});
