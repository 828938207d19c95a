import { describe, expect, it } from 'vitest';
import { freshMachine } from '../../src/sim/ops/netns.js';
import type { World } from '../../src/model/world.js';
import { runScript } from '../../src/shell/interp.js';
import * as cri from '../../src/cni-emulator/index.js';

const CONF = JSON.stringify({
  cniVersion: '1.0.0',
  name: 'mynet',
  plugins: [
    { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});

function node(conf = CONF): World {
  const r = cri.addNode(freshMachine(11), { name: 'node1', podCIDR: '10.244.1.0/24' });
  expect(r.ok).toBe(true);
  return { ...r.world, files: { ...r.world.files, '/nodes/node1/etc/cni/net.d/10-mynet.conflist': conf } };
}

function ok<T>(o: cri.CriOutcome<T>): { world: World; value: T } {
  if (!o.ok) throw new Error(o.error);
  return { world: o.world, value: o.value as T };
}

const sh = (w: World, text: string): string => runScript(text, { world: w }).output;

describe('RunPodSandbox (containerd + go-cni)', () => {
  it('creates cni-<uuid>, runs loopback then the network with the CRI CNI_ARGS and capability args', () => {
    const r = cri.runPodSandbox(node(), 'node1', { name: 'web', namespace: 'prod', uid: 'u-1', portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 9000 }], annotations: { team: 'a' } });
    const { world, value: s } = ok(r);
    expect(s.netns).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.id).toMatch(/^[0-9a-f]{64}$/);
    expect(s.ips).toEqual(['10.244.1.2']);
    expect(r.calls.map((c) => `${c.op} ${c.network} ${c.ifName}`)).toEqual(['ADD cni-loopback lo', 'ADD mynet eth0']);
    const bridgeCall = r.calls[1]!.invocations[0]!;
    expect(bridgeCall.cniArgs).toBe(`IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=${s.id};K8S_POD_UID=u-1`);
    // portmap gets the mappings (hostPort > 0 only) as go-cni's struct (Go field names).
    expect(r.calls[1]!.invocations[1]!.stdin).toContain('"runtimeConfig":{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}');
    const cache = world.files[`/nodes/node1/var/lib/cni/results/mynet-${s.id}-eth0`]!;
    expect(cache).toContain('"capabilityArgs":{"io.kubernetes.cri.pod-annotations":{"team":"a"},"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}');
    expect(world.files[`/nodes/node1/var/lib/cni/results/cni-loopback-${s.id}-lo`]).toContain('"result":{"cniVersion":"0.3.1"');
    expect(sh(world, `ip netns exec ${s.netns} ip -4 addr show lo`)).toContain('inet 127.0.0.1/8 scope host lo');
    expect(sh(world, 'ip netns exec node1 iptables -t nat -S CNI-HOSTPORT-DNAT')).toContain('--dports 8080');
  });

  it('shares one network namespace between the containers of a pod; a crash and restart make no CNI call and keep the IP', () => {
    let { world, value: s } = ok(cri.runPodSandbox(node(), 'node1', { name: 'web' }));
    world = ok(cri.addContainer(world, s.id, 'app')).world;
    world = ok(cri.addContainer(world, s.id, 'sidecar')).world;
    expect(cri.sandboxNetns(world, s.id)).toBe(s.netns);
    // The sidecar's listener on localhost is the app's localhost.
    const out = runScript(`ip netns exec ${s.netns} nc -l -p 9000 &\nsleep 1\nip netns exec ${s.netns} nc -z -v -w 1 127.0.0.1 9000`, { world });
    expect(out.sections[2]!.output).toBe('Connection to 127.0.0.1 9000 port [tcp/*] succeeded!\n');
    const crash = cri.crashContainer(world, s.id, 'app');
    expect(crash.calls).toEqual([]);
    const restart = cri.restartContainer(crash.world, s.id, 'app');
    expect(restart.calls).toEqual([]);
    expect(restart.value!.restartCount).toBe(1);
    expect(cri.getSandbox(restart.world, s.id)!.ips).toEqual(s.ips);
    expect(sh(restart.world, `ip -n ${s.netns} -br addr show eth0`)).toContain('10.244.1.2/24');
  });

  it('stops (DEL, netns removed; again with an empty netns) and removes; recreation gets a new id and a new ADD', () => {
    let { world, value: s } = ok(cri.runPodSandbox(node(), 'node1', { name: 'web' }));
    const stop = cri.stopPodSandbox(world, s.id);
    expect(stop.calls.map((c) => `${c.op} ${c.network} ${c.netns}`)).toEqual([`DEL cni-loopback ${s.netnsPath}`, `DEL mynet ${s.netnsPath}`]);
    expect(stop.world.ns[s.netns!]).toBeUndefined();
    expect(stop.world.files['/nodes/node1/var/lib/cni/networks/mynet/10.244.1.2']).toBeUndefined();
    const again = cri.stopPodSandbox(stop.world, s.id);
    expect(again.ok).toBe(true);
    expect(again.calls.map((c) => `${c.op} ${c.netns}`)).toEqual(['DEL ', 'DEL ']);
    world = ok(cri.removePodSandbox(again.world, s.id)).world;
    expect(cri.listSandboxes(world)).toEqual([]);

    const r2 = ok(cri.runPodSandbox(world, 'node1', { name: 'db' }));
    const re = cri.recreatePodSandbox(r2.world, r2.value.id);
    expect(re.ok).toBe(true);
    expect(re.value!.id).not.toBe(r2.value.id);
    expect(re.value!.attempt).toBe(1);
    // host-local's cursor moves on: the new sandbox gets the next address.
    expect(re.value!.ips).toEqual(['10.244.1.4']);
    expect(cri.listSandboxes(re.world).map((x) => x.id)).toEqual([re.value!.id]);
  });

  it('after a failed ADD runs the DELs itself and keeps nothing', () => {
    const tiny = CONF.replace('{"subnet":"10.244.1.0/24"}', '{"subnet":"10.244.1.0/24","rangeStart":"10.244.1.2","rangeEnd":"10.244.1.3"}');
    let world = node(tiny);
    world = ok(cri.runPodSandbox(world, 'node1', { name: 'a' })).world;
    world = ok(cri.runPodSandbox(world, 'node1', { name: 'b' })).world;
    const before = world;
    const r = cri.runPodSandbox(world, 'node1', { name: 'c' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^failed to setup network for sandbox "[0-9a-f]{64}": plugin type="bridge" failed \(add\): failed to allocate for range 0: no IP addresses available in range set: 10\.244\.1\.2-10\.244\.1\.3$/);
    expect(r.calls.map((c) => `${c.op} ${c.network} ${c.ok}`)).toEqual(['ADD cni-loopback true', 'ADD mynet false', 'DEL cni-loopback true', 'DEL mynet true']);
    expect(cri.listSandboxes(r.world).length).toBe(2);
    expect(Object.keys(r.world.ns).filter((n) => n.startsWith('cni-')).length).toBe(2);
    expect(cri.liveLeakReport(r.world)).toEqual([]);
    expect(Object.keys(r.world.files).filter((f) => f.includes('/results/')).sort()).toEqual(Object.keys(before.files).filter((f) => f.includes('/results/')).sort());
  });

  it('reboot: namespaces gone, DEL with an empty netns still releases IPAM; lost runtime records leave visible leaks', () => {
    let world = node();
    for (const n of ['a', 'b']) world = ok(cri.runPodSandbox(world, 'node1', { name: n })).world;
    const rb = ok(cri.rebootNode(world, 'node1')).world;
    expect(Object.keys(rb.ns).filter((n) => n.startsWith('cni-'))).toEqual([]);
    expect(cri.listSandboxes(rb).map((s) => s.state)).toEqual(['SANDBOX_NOTREADY', 'SANDBOX_NOTREADY']);
    expect(sh(rb, 'ip -n node1 link show cni0')).toBe('Device "cni0" does not exist.\n');
    const back = cri.restartPodsAfterReboot(rb, 'node1');
    expect(back.ok).toBe(true);
    expect(back.calls.filter((c) => c.op === 'DEL').every((c) => c.netns === '' && c.ok)).toBe(true);
    expect(back.value!.map((s) => s.ips[0])).toEqual(['10.244.1.4', '10.244.1.5']);
    expect(cri.liveLeakReport(back.world)).toEqual([]);

    const lost = ok(cri.rebootNode(world, 'node1', { runtimeStateLost: true })).world;
    const leaks = cri.liveLeakReport(lost);
    expect(leaks.filter((l) => l.kind === 'ipam').map((l) => l.what)).toEqual([
      '/var/lib/cni/networks/mynet/10.244.1.2: 10.244.1.2 reserved in network mynet',
      '/var/lib/cni/networks/mynet/10.244.1.3: 10.244.1.3 reserved in network mynet',
    ]);
    expect(leaks.filter((l) => l.kind === 'cache').length).toBe(4);
  });

  it('kubenet: loopback + cbr0 on the node podCIDR, no CNI_ARGS, 0.1.0 results, its masquerade rule', () => {
    const n = cri.addNode(freshMachine(3), { name: 'k1', podCIDR: '10.245.3.0/24', network: { kind: 'kubenet', mtu: 1460 } });
    const { world, value: s } = ok(cri.runPodSandbox(n.world, 'k1', { name: 'web' }));
    expect(s.ips).toEqual(['10.245.3.2']);
    expect(sh(world, 'ip -n k1 -br addr show cbr0')).toMatch(/^cbr0 +UP +10\.245\.3\.1\/24/);
    expect(sh(world, 'ip netns exec k1 iptables -t nat -S POSTROUTING')).toContain(
      '-A POSTROUTING ! -d 10.0.0.0/8 -m comment --comment "kubenet: SNAT for outbound traffic from cluster" -m addrtype ! --dst-type LOCAL -j MASQUERADE',
    );
    expect(world.files[`/nodes/k1/var/lib/cni/cache/results/kubenet-${s.id}-eth0`]).toContain('"result":{"cniVersion":"0.1.0","dns":{},"ip4":{"gateway":"10.245.3.1","ip":"10.245.3.2/24"');
    const stop = cri.stopPodSandbox(world, s.id);
    expect(stop.calls.map((c) => `${c.op} ${c.network}`)).toEqual(['DEL kubenet']);
  });

  it('hands out node podCIDRs like kube-controller-manager', () => {
    expect(cri.podCIDRForNode('10.244.0.0/16', 0)).toBe('10.244.0.0/24');
    expect(cri.podCIDRForNode('10.244.0.0/16', 3)).toBe('10.244.3.0/24');
    expect(cri.podCIDRForNode('10.0.0.0/8', 1, 20)).toBe('10.0.16.0/20');
    expect(() => cri.podCIDRForNode('10.244.0.0/24', 1)).toThrow('no remaining CIDRs');
  });

  it('reloads the config at teardown: with the network renamed, DEL fails (the old masquerade chain is not the new one) and the IP stays reserved', () => {
    let { world, value: s } = ok(cri.runPodSandbox(node(), 'node1', { name: 'web' }));
    world = { ...world, files: { ...world.files, '/nodes/node1/etc/cni/net.d/10-mynet.conflist': CONF.replace('"mynet"', '"othernet"') } };
    const stop = cri.stopPodSandbox(world, s.id);
    expect(stop.ok).toBe(false);
    expect(stop.error).toMatch(/^failed to destroy network for sandbox "[0-9a-f]{64}": plugin type="bridge" failed \(delete\): running \[\/usr\/sbin\/iptables -t nat -D POSTROUTING -s 10\.244\.1\.2 -j CNI-[0-9a-f]{24} .*exit status 2: iptables v1\.8\.9 \(nf_tables\): Chain 'CNI-[0-9a-f]{24}' does not exist\n/);
    expect(stop.world.files['/nodes/node1/var/lib/cni/networks/mynet/10.244.1.2']).toContain(s.id);
  });
});
