import { describe, expect, it } from 'vitest';
import { freshMachine, netnsAdd } from '../../src/sim/ops/netns.js';
import type { World } from '../../src/model/world.js';
import { sysctlWrite } from '../../src/sim/ops/sysctl.js';
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
    // bridge's ip_forward=1 flips conf.all.accept_redirects to 0 as on the kernel
    // (`sysctl -w net.ipv4.ip_forward=1` in a fresh netns: all.accept_redirects 1 -> 0,
    // every device's forwarding 0 -> 1, per-device accept_redirects unchanged).
    const redirects = r.documented.filter((d) => d.what.includes('.all.accept_redirects'));
    expect(redirects.map((d) => `${d.where}: ${d.what}`).sort()).toEqual([
      'node: + sysctl net.ipv4.conf.all.accept_redirects=0',
      'node: - sysctl net.ipv4.conf.all.accept_redirects=1',
    ]);
    expect(redirects[0]!.reason).toMatch(/^setting net\.ipv4\.ip_forward=1 .* also sets net\.ipv4\.conf\.all\.accept_redirects=0/);
    expect(r.documented.find((d) => d.what === '+ sysctl net.ipv4.conf.lo.forwarding=1' && d.where === 'node')).toBeDefined();
  });

  const set = (w: World, ns: string, key: string, v: string): World => {
    const r = sysctlWrite(w, ns, key, v);
    if (!r.ok) throw new Error(`sysctl -w ${key}=${v}: ${r.errno}`);
    return r.world;
  };

  it('with ip_forward already 1 the ADD changes no accept_redirects, and a later change of it is unexpected', () => {
    // Writing the value ip_forward already has does nothing (devinet_sysctl_forward()).
    const fwd = set(world(), 'node', 'net.ipv4.ip_forward', '1');
    const reset = set(fwd, 'node', 'net.ipv4.conf.all.accept_redirects', '1');
    const add = addNetworkList(reset, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0', capabilityArgs: caps });
    const del = delNetworkList(add.world, rt, list, { containerID: 'c', netNS: '/var/run/netns/p1', ifName: 'eth0', capabilityArgs: caps });
    const r = diffLeakReport(reset, del.world, ['node', 'p1']);
    expect(r.unexpected).toEqual([]);
    expect([...r.documented, ...r.unexpected].filter((d) => /\.all\.accept_redirects|ip_forward|\.(all|lo)\.forwarding/.test(d.what))).toEqual([]);
    // Not caused by an ip_forward write: reported, not excused.
    const r2 = diffLeakReport(reset, set(del.world, 'node', 'net.ipv4.conf.all.accept_redirects', '0'), ['node', 'p1']);
    expect(r2.unexpected.map((u) => u.what).sort()).toEqual([
      '+ sysctl net.ipv4.conf.all.accept_redirects=0',
      '- sysctl net.ipv4.conf.all.accept_redirects=1',
    ]);
  });

  it('excuses only the side effects of ip_forward 0 -> 1, in the namespace where it happened', () => {
    const before = world();
    const r = diffLeakReport(before, set(before, 'p1', 'net.ipv4.ip_forward', '1'), ['node', 'p1']);
    expect(r.unexpected).toEqual([]);
    expect(r.documented.map((d) => `${d.where}: ${d.what}`).sort()).toEqual([
      'p1: + sysctl net.ipv4.conf.all.accept_redirects=0',
      'p1: + sysctl net.ipv4.conf.all.forwarding=1',
      'p1: + sysctl net.ipv4.conf.default.forwarding=1',
      'p1: + sysctl net.ipv4.conf.lo.forwarding=1',
      'p1: + sysctl net.ipv4.ip_forward=1',
      'p1: - sysctl net.ipv4.conf.all.accept_redirects=1',
      'p1: - sysctl net.ipv4.conf.all.forwarding=0',
      'p1: - sysctl net.ipv4.conf.default.forwarding=0',
      'p1: - sysctl net.ipv4.conf.lo.forwarding=0',
      'p1: - sysctl net.ipv4.ip_forward=0',
    ]);
    // Forwarding turned off, or accept_redirects turned off in a namespace whose ip_forward did not change: unexpected.
    const off = set(set(before, 'node', 'net.ipv4.ip_forward', '1'), 'p1', 'net.ipv4.conf.all.accept_redirects', '0');
    expect(diffLeakReport(set(before, 'node', 'net.ipv4.ip_forward', '1'), set(off, 'node', 'net.ipv4.ip_forward', '0'), ['node', 'p1']).unexpected.map((u) => `${u.where}: ${u.what}`)).toContain(
      'node: + sysctl net.ipv4.ip_forward=0',
    );
    expect(diffLeakReport(before, off, ['node', 'p1']).unexpected.map((u) => `${u.where}: ${u.what}`).sort()).toEqual([
      'p1: + sysctl net.ipv4.conf.all.accept_redirects=0',
      'p1: - sysctl net.ipv4.conf.all.accept_redirects=1',
    ]);
    // A per-device accept_redirects change is not among them (the kernel leaves those alone).
    const dev = set(set(before, 'node', 'net.ipv4.ip_forward', '1'), 'node', 'net.ipv4.conf.lo.accept_redirects', '0');
    expect(diffLeakReport(before, dev, ['node']).unexpected.map((u) => u.what).sort()).toEqual([
      '+ sysctl net.ipv4.conf.lo.accept_redirects=0',
      '- sysctl net.ipv4.conf.lo.accept_redirects=1',
    ]);
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
