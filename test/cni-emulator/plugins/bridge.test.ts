import { describe, expect, it } from 'vitest';
import { formatChainName, formatComment, loadBridgeConf } from '../../../src/cni-emulator/plugins/bridge.js';
import { seededVethName } from '../../../src/cni-emulator/plugins/veth.js';
import { runScript } from '../../../src/shell/interp.js';

describe('bridge plugin helpers', () => {
  it('names the masquerade chain CNI- + sha512(name+id) cut to 28 (as the kernel recording shows)', () => {
    // From conformance/golden/310-cni-bridge.out: network "mynet", container "c1".
    expect(formatChainName('mynet', 'c1')).toBe('CNI-f0bca4ac77cde1bf2f3da5df');
    expect(formatComment('mynet', 'c1')).toBe('name: "mynet" id: "c1"');
  });
  it('defaults the bridge to cni0 unless the key is present', () => {
    expect(loadBridgeConf('{"name":"n"}', '').bridge).toBe('cni0');
    expect(loadBridgeConf('{"name":"n","Bridge":"br9"}', '').bridge).toBe('br9');
    expect(loadBridgeConf('{"name":"n","bridge":null}', '').bridge).toBe('cni0');
  });
  it('takes the MAC from runtimeConfig over args.cni over CNI_ARGS', () => {
    expect(loadBridgeConf('{"name":"n","args":{"cni":{"mac":"02:00:00:00:00:02"}}}', 'MAC=02:00:00:00:00:01').mac).toBe('02:00:00:00:00:02');
    expect(loadBridgeConf('{"name":"n","runtimeConfig":{"mac":"02:00:00:00:00:03"},"args":{"cni":{"mac":"x"}}}', '').mac).toBe('02:00:00:00:00:03');
  });
  it('draws veth names veth + 8 hex, reproducibly', () => {
    expect(seededVethName(1, 0, 0)).toMatch(/^veth[0-9a-f]{8}$/);
    expect(seededVethName(1, 0, 0)).toBe(seededVethName(1, 0, 0));
    expect(seededVethName(1, 0, 0)).not.toBe(seededVethName(1, 2, 0));
  });
});

describe('bridge plugin in the twin shell', () => {
  const script = [
    'ip netns add node1',
    'ip netns add p1',
    "cat > br.json <<'EOF'",
    '{"cniVersion":"1.0.0","name":"tiny","type":"bridge","ipam":{"type":"host-local","subnet":"10.9.0.0/30"}}',
    'EOF',
    'CNI_COMMAND=ADD CNI_CONTAINERID=a CNI_NETNS=/var/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json',
    'ip netns add p2',
    'CNI_COMMAND=ADD CNI_CONTAINERID=b CNI_NETNS=/var/run/netns/p2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni ip netns exec node1 /usr/lib/cni/bridge < br.json',
    'ip -n p2 link show eth0',
  ].join('\n');
  it('leaves the container veth behind (down) when IPAM fails, as 1.1.1 does', () => {
    const r = runScript(script);
    const out = r.sections.map((s) => s.output);
    expect(out[5]).toContain('"msg": "failed to allocate for range 0: no IP addresses available in range set: 10.9.0.1-10.9.0.2"');
    expect(out[6]).toMatch(/^2: eth0@if\d+: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN/);
  });
});
