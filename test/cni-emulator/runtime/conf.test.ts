import { describe, expect, it } from 'vitest';
import { createWorld } from '../../../src/sim/ops/netns.js';
import type { World } from '../../../src/model/world.js';
import { confFiles, confFromBytes, confListFromBytes, injectConf, LibcniError, loadConfList } from '../../../src/cni-emulator/runtime/conf.js';

const withFiles = (files: Record<string, string>): World => {
  const w = createWorld();
  return { ...w, files: Object.assign(Object.create(null) as Record<string, string>, files) };
};

const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof LibcniError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('libcni config loading (libcni/conf.go v1.2.3)', () => {
  it('takes the first .conflist by file name whose name matches, then up-converts a .conf', () => {
    const w = withFiles({
      '/etc/cni/net.d/20-b.conflist': '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"ptp"}]}',
      '/etc/cni/net.d/10-a.conflist': '{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}',
      '/etc/cni/net.d/05-c.conf': '{"cniVersion":"0.4.0","name":"single","type":"bridge","bridge":"cni2","ipam":{"type":"host-local","subnet":"10.24.0.0/16"}}\n',
      '/etc/cni/net.d/sub/00.conflist': '{"name":"n","plugins":[{"type":"x"}]}',
    });
    expect(confFiles(w, '/etc/cni/net.d', ['.conflist'])).toEqual(['/etc/cni/net.d/10-a.conflist', '/etc/cni/net.d/20-b.conflist']);
    expect(loadConfList(w, '/etc/cni/net.d', 'n').plugins[0]!.network.type).toBe('bridge');
    const single = loadConfList(w, '/etc/cni/net.d', 'single');
    expect(single.cniVersion).toBe('0.4.0');
    // ConfListFromConf re-marshals through a map: sorted keys, compact (the
    // cache's "config" of a .conf network holds exactly these bytes, as the
    // real runtime wrote them).
    expect(single.bytes).toBe('{"cniVersion":"0.4.0","name":"single","plugins":[{"bridge":"cni2","cniVersion":"0.4.0","ipam":{"subnet":"10.24.0.0/16","type":"host-local"},"name":"single","type":"bridge"}]}');
  });

  it("reports libcni's errors, as cnitool prints them", () => {
    expect(err(() => loadConfList(withFiles({}), '/tmp/cnirt-F/nonexist', 'brnet'))).toBe('no net configurations found in /tmp/cnirt-F/nonexist');
    const w = withFiles({ '/etc/cni/net.d/a.conflist': '{"name":"x","plugins":[{"type":"bridge"}]}' });
    expect(err(() => loadConfList(w, '/etc/cni/net.d', 'nonet'))).toBe('no net configuration with name "nonet" in /etc/cni/net.d');
    expect(err(() => confListFromBytes('{"name":1}'))).toBe('error parsing configuration list: invalid name type float64');
    expect(err(() => confListFromBytes('{"name":"x"}'))).toBe("error parsing configuration list: no 'plugins' key");
    expect(err(() => confListFromBytes('{"name":"x","plugins":[]}'))).toBe('error parsing configuration list: no plugins in list');
    expect(err(() => confListFromBytes('{"name":"x","plugins":[{"name":"y"}]}'))).toBe("failed to parse plugin config 0: error parsing configuration: missing 'type'");
    expect(err(() => confListFromBytes('{"name":"x","disableCheck":"maybe","plugins":[{"type":"a"}]}'))).toBe('error parsing configuration list: invalid value "maybe" for disableCheck');
    expect(err(() => confListFromBytes('[1]'))).toBe('error parsing configuration list: json: cannot unmarshal array into Go value of type map[string]interface {}');
    expect(err(() => confFromBytes('{"type":"bridge","name":5}'))).toBe('error parsing configuration: json: cannot unmarshal number into Go struct field NetConf.name of type string');
  });

  it('negotiates cniVersions: the highest not above 1.1.0', () => {
    expect(confListFromBytes('{"name":"x","cniVersions":["0.4.0","1.0.0","2.0.0"],"plugins":[{"type":"a"}]}').cniVersion).toBe('1.0.0');
    expect(confListFromBytes('{"name":"x","cniVersion":"0.3.1","cniVersions":["0.4.0"],"plugins":[{"type":"a"}]}').cniVersion).toBe('0.4.0');
    expect(confListFromBytes('{"name":"x","disableCheck":"True","plugins":[{"type":"a"}]}').disableCheck).toBe(true);
  });

  it('InjectConf re-marshals with sorted keys, Go float formatting and HTML escaping', () => {
    const c = confFromBytes('{"type":"bridge","name":"n","mtu":1500.0,"z":"<&>","a":1e21}');
    expect(injectConf(c, { cniVersion: '1.0.0' }).bytes).toBe('{"a":1e+21,"cniVersion":"1.0.0","mtu":1500,"name":"n","type":"bridge","z":"\\u003c\\u0026\\u003e"}');
  });
});
