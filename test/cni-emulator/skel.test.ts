import { describe, expect, it } from 'vitest';
import { freshMachine } from '../../src/sim/ops/netns.js';
import { runPlugin } from '../../src/cni-emulator/skel.js';
import { hostLocal } from '../../src/cni-emulator/ipam/host-local.js';

const w = freshMachine(1);
const conf = '{"cniVersion":"1.0.0","name":"n","ipam":{"type":"host-local","subnet":"10.30.0.0/24"}}';
const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' };

describe('skel (libcni 1.1.x as in the 1.1.1 binaries)', () => {
  it('prints the about text on stderr and exits 0 without CNI_COMMAND', () => {
    const r = runPlugin(hostLocal, w, '/', {}, undefined);
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: 'CNI host-local plugin version unknown\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0\n' });
  });
  it('lists missing variables in declaration order (CNI_NETNS not needed for DEL)', () => {
    const r = runPlugin(hostLocal, w, '/', { CNI_COMMAND: 'DEL' }, conf);
    expect(r.stdout).toBe('{\n    "code": 4,\n    "msg": "required env variables [CNI_CONTAINERID,CNI_IFNAME,CNI_PATH] missing"\n}');
    expect(r.status).toBe(1);
  });
  it('answers VERSION with compact JSON and a newline, ignoring stdin', () => {
    const r = runPlugin(hostLocal, w, '/', { CNI_COMMAND: 'VERSION' }, 'garbage');
    expect(r.stdout).toBe('{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}\n');
  });
  it('rejects an unsupported version with the Go %q lists', () => {
    const r = runPlugin(hostLocal, w, '/', env, conf.replace('1.0.0', '1.1.0'));
    expect(JSON.parse(r.stdout)).toEqual({
      code: 1,
      msg: 'incompatible CNI versions',
      details: 'config is "1.1.0", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]',
    });
  });
  it('validates the container id after the config (code 3 when empty, 4 when invalid)', () => {
    expect(JSON.parse(runPlugin(hostLocal, w, '/', { ...env, CNI_COMMAND: 'FOO', CNI_CONTAINERID: '' }, conf).stdout).code).toBe(3);
    expect(JSON.parse(runPlugin(hostLocal, w, '/', { ...env, CNI_CONTAINERID: 'a/b' }, conf).stdout)).toEqual({
      code: 4,
      msg: 'invalid characters in containerID',
      details: 'a/b',
    });
  });
});
