import { describe, expect, it } from 'vitest';
import { freshMachine } from '../../../src/sim/ops/netns.js';
import { runPlugin } from '../../../src/cni-emulator/skel.js';
import { hostLocal } from '../../../src/cni-emulator/ipam/host-local.js';
import type { World } from '../../../src/model/world.js';

const conf = '{"cniVersion":"1.0.0","name":"n","ipam":{"type":"host-local","subnet":"10.31.0.0/29"}}';
const env = (cmd: string, id: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: '/x', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' });

function add(w: World, id: string, c = conf): { world: World; ip?: string; out: string } {
  const r = runPlugin(hostLocal, w, '/', env('ADD', id), c);
  const m = /"address": "([^"]+)"/.exec(r.stdout);
  return { world: r.world, out: r.stdout, ...(m ? { ip: m[1]! } : {}) };
}

describe('host-local allocation', () => {
  it('stores "<id>\\r\\n<ifname>" per IP, the last reserved IP and an empty lock', () => {
    const { world } = add(freshMachine(1), 'c1');
    expect(world.files['/var/lib/cni/networks/n/10.31.0.2']).toBe('c1\r\neth0');
    expect(world.files['/var/lib/cni/networks/n/last_reserved_ip.0']).toBe('10.31.0.2');
    expect(world.files['/var/lib/cni/networks/n/lock']).toBe('');
  });
  it('allocates round robin: a released address is not reused before the range wraps', () => {
    let w = freshMachine(1);
    const ips: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      const r = add(w, id);
      w = r.world;
      ips.push(r.ip!);
    }
    w = runPlugin(hostLocal, w, '/', env('DEL', 'b'), conf).world;
    const d = add(w, 'd');
    expect([...ips, d.ip]).toEqual(['10.31.0.2/29', '10.31.0.3/29', '10.31.0.4/29', '10.31.0.5/29']);
    w = d.world;
    for (const id of ['e']) w = add(w, id).world; // .6, the end of the range
    expect(add(w, 'f').ip).toBe('10.31.0.3/29'); // wrapped: the gateway .1 is skipped, .2 taken
  });
  it('reports exhaustion with the range set as start-end', () => {
    let w = freshMachine(1);
    for (const id of ['a', 'b', 'c', 'd', 'e']) w = add(w, id).world;
    expect(JSON.parse(add(w, 'f').out).msg).toBe('failed to allocate for range 0: no IP addresses available in range set: 10.31.0.1-10.31.0.6');
  });
  it('refuses a second address for the same container and ifname', () => {
    const w = add(freshMachine(1), 'a').world;
    expect(JSON.parse(add(w, 'a').out).msg).toBe('failed to allocate for range 0: 10.31.0.2 has been allocated to a, duplicate allocation is not allowed');
  });
});
