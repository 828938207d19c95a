import { describe, expect, it } from 'vitest';
import { freshMachine, netnsAdd } from '../../../src/sim/ops/netns.js';
import type { World } from '../../../src/model/world.js';
import { GoMap } from '../../../src/cni-emulator/gojson.js';
import {
  addNetworkList,
  cacheFileBytes,
  checkNetworkList,
  confListFromBytes,
  delNetworkList,
  gcNetworkList,
  getCachedAttachments,
  getStatusNetworkList,
  getVersionInfo,
  validateNetworkList,
  type CniRuntime,
  type RuntimeConf,
} from '../../../src/cni-emulator/index.js';

function world(...ns: string[]): World {
  let w = freshMachine(5);
  for (const n of ns) w = (netnsAdd(w, n) as { world: World }).world;
  return w;
}

const rt: CniRuntime = { ns: 'node', path: ['/opt/cni/bin'] };
const rc = (id: string, netns: string, extra: Partial<RuntimeConf> = {}): RuntimeConf => ({ containerID: id, netNS: `/var/run/netns/${netns}`, ifName: 'eth0', ...extra });
const L = (o: object): ReturnType<typeof confListFromBytes> => confListFromBytes(JSON.stringify(o));
const bridgeList = (version = '1.0.0', extra: object = {}) =>
  L({ cniVersion: version, name: 'net', ...extra, plugins: [{ type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', subnet: '10.50.0.0/24' } }] });

describe('libcni result cache', () => {
  it('writes cniCacheV1 with the struct field order, base64 config, args and capability args (keys sorted), no newline', () => {
    const list = bridgeList();
    const a = addNetworkList(world('node', 'p1'), rt, list, rc('c1', 'p1', { args: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']], capabilityArgs: { portMappings: [], mac: '02:00:00:00:00:09', aaa: new GoMap({ z: 1, a: 2 }) } }));
    expect(a.ok).toBe(true);
    const text = a.world.files['/var/lib/cni/results/net-c1-eth0']!;
    expect(text.endsWith('}')).toBe(true);
    const keys = [...text.matchAll(/^\{"kind"|,"(containerId|config|ifName|networkName|netns|cniArgs|capabilityArgs|result)":/g)].map((m) => m[1] ?? 'kind');
    expect(keys).toEqual(['kind', 'containerId', 'config', 'ifName', 'networkName', 'netns', 'cniArgs', 'capabilityArgs', 'result']);
    expect(text).toContain(`"config":"${Buffer.from(list.bytes).toString('base64')}"`);
    expect(text).toContain('"cniArgs":[["IgnoreUnknown","1"],["K8S_POD_NAME","web"]]');
    expect(text).toContain('"capabilityArgs":{"aaa":{"a":2,"z":1},"mac":"02:00:00:00:00:09","portMappings":[]}');
    // The 1.0.0 result as libcni 1.2 marshals it: sorted keys, no empty dns.
    expect(text).toMatch(/"result":\{"cniVersion":"1\.0\.0","interfaces":\[\{"mac":"[0-9a-f:]{17}","name":"cni0"\},.*"ips":\[\{"address":"10\.50\.0\.2\/24","gateway":"10\.50\.0\.1","interface":2\}\]\}\}$/);
  });

  it('omits netns, cniArgs and capabilityArgs when empty', () => {
    const r = { kind: '100' as const, cniVersion: '1.0.0', dns: {} };
    expect(cacheFileBytes(r, '{}', 'n', { containerID: 'c', netNS: '', ifName: 'eth0' })).toBe(
      '{"kind":"cniCacheV1","containerId":"c","config":"e30=","ifName":"eth0","networkName":"n","result":{"cniVersion":"1.0.0"}}',
    );
  });

  it('DEL passes the cached result (>= 0.4.0), none below; an unreadable cache is dropped and DEL goes on', () => {
    const list = bridgeList();
    const a = addNetworkList(world('node', 'p1'), rt, list, rc('c1', 'p1'));
    const d = delNetworkList(a.world, rt, list, rc('c1', 'p1'));
    expect(d.invocations[0]!.stdin).toContain('"prevResult":{"cniVersion":"1.0.0"');
    expect(d.world.files['/var/lib/cni/results/net-c1-eth0']).toBeUndefined();

    const old = bridgeList('0.3.1');
    const a2 = addNetworkList(world('node', 'p1'), rt, old, rc('c1', 'p1'));
    const d2 = delNetworkList(a2.world, rt, old, rc('c1', 'p1'));
    expect(d2.invocations[0]!.stdin).not.toContain('prevResult');

    const corrupt: World = { ...a.world, files: { ...a.world.files, '/var/lib/cni/results/net-c1-eth0': '{corrupt' } };
    const c = checkNetworkList(corrupt, rt, list, rc('c1', 'p1'));
    expect(c.error).toBe(`failed to get network "net" cached result: decoding version from network config: invalid character 'c' looking for beginning of object key string`);
    const d3 = delNetworkList(corrupt, rt, list, rc('c1', 'p1'));
    expect(d3.ok).toBe(true);
    expect(d3.invocations[0]!.stdin).not.toContain('prevResult');
    expect(d3.world.files['/var/lib/cni/networks/net/10.50.0.2']).toBeUndefined();
  });
});

describe('libcni CHECK, GC, STATUS, versions', () => {
  it('refuses CHECK below 0.4.0 and skips it with disableCheck', () => {
    const w = world('node', 'p1');
    expect(checkNetworkList(w, rt, bridgeList('0.3.1'), rc('c1', 'p1')).error).toBe('configuration version "0.3.1" does not support the CHECK command');
    const off = checkNetworkList(w, rt, bridgeList('1.0.0', { disableCheck: true }), rc('c1', 'p1'));
    expect(off.ok).toBe(true);
    expect(off.invocations).toEqual([]);
  });

  it('GC deletes the cached attachments not in the valid set; GC itself only for 1.1.0 (the 1.1.1 plugins refuse it)', () => {
    const list = bridgeList();
    let w = world('node', 'p1', 'p2');
    w = addNetworkList(w, rt, list, rc('c1', 'p1')).world;
    w = addNetworkList(w, rt, list, rc('c2', 'p2')).world;
    expect(getCachedAttachments(w, rt).map((a) => a.containerID)).toEqual(['c1', 'c2']);
    const gc = gcNetworkList(w, rt, list, { validAttachments: [{ containerID: 'c2', ifName: 'eth0' }] });
    expect(gc.ok).toBe(true);
    expect(gc.invocations.map((i) => `${i.command} ${i.containerID}`)).toEqual(['DEL c1']);
    expect(getCachedAttachments(gc.world, rt).map((a) => a.containerID)).toEqual(['c2']);
    expect(gc.world.ns['p1']!.links[2]).toBeUndefined();

    const l110 = L({ cniVersion: '1.1.0', name: 'net', plugins: [{ type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', subnet: '10.50.0.0/24' } }] });
    const gc2 = gcNetworkList(gc.world, rt, l110, { validAttachments: [] });
    // The cached attachment is DELed with the 1.1.0 list: the plugin refuses the version.
    expect(gc2.error).toBe(
      'failed to delete stale attachment c2 eth0: plugin type="bridge" failed (delete): incompatible CNI versions; config is "1.1.0", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]\n' +
        'failed to GC plugin bridge: missing containerID',
    );
    const gcStdin = gc2.invocations.find((i) => i.command === 'GC')!.stdin;
    expect(gcStdin).toContain('"cni.dev/attachments":[]');
    expect(gcStdin).toContain('"cni.dev/valid-attachments":[]');
    expect(getStatusNetworkList(w, rt, list).invocations).toEqual([]);
    expect(getStatusNetworkList(w, rt, l110).error).toBe('missing containerID');
  });

  it('asks plugins for their versions and validates a list against them', () => {
    const w = world('node');
    expect(getVersionInfo(w, rt, 'ptp').value).toEqual(['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0']);
    const l = L({ cniVersion: '1.1.0', name: 'x', plugins: [{ type: 'bridge', capabilities: { mac: true } }, { type: 'portmap', capabilities: { portMappings: true } }] });
    expect(validateNetworkList(w, rt, l).error).toBe('[plugin bridge does not support config version "1.1.0" plugin portmap does not support config version "1.1.0"]');
    const ok = L({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: 'bridge', capabilities: { mac: true } }, { type: 'portmap', capabilities: { portMappings: true, x: false } }] });
    expect(validateNetworkList(w, rt, ok).value).toEqual(['mac', 'portMappings']);
    expect(validateNetworkList(w, { ...rt, path: ['/nowhere'] }, ok).error).toBe('[failed to find plugin "bridge" in path [/nowhere] failed to find plugin "portmap" in path [/nowhere]]');
  });

  it('passes only the capabilities a plugin enables, under runtimeConfig', () => {
    const l = L({ cniVersion: '1.0.0', name: 'net', plugins: [{ type: 'bridge', bridge: 'cni0', capabilities: { mac: true, ips: false }, ipam: { type: 'host-local', subnet: '10.50.0.0/24' } }] });
    const a = addNetworkList(world('node', 'p1'), rt, l, rc('c1', 'p1', { capabilityArgs: { mac: '02:00:00:00:00:42', ips: ['10.50.0.9/24'], portMappings: [] } }));
    expect(a.invocations[0]!.stdin).toContain('"runtimeConfig":{"mac":"02:00:00:00:00:42"}');
    expect(a.world.ns['p1']!.links[2]!.mac).toBe('02:00:00:00:00:42');
  });
});
