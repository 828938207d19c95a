/**
 * `podnet-collect.sh --proc` on the kernel: a namespace without an `ip netns`
 * name (a process's, as Docker makes them) is collected as pid-PID and its veth
 * is paired with the node's by index. Fixture recorded in a sandbox:
 *   ip netns add named1; unshare --net sleep 30 &   (PID 5)
 *   veth vh <-> named1:eth0, veth vd <-> pid 5:eth0 (10.9.0.1/24 <-> 10.9.0.2/24)
 *   sh podnet-collect.sh --proc --name procnode
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBundles } from '../../src/import/build.js';
import { runScript } from '../../src/shell/interp.js';

const text = readFileSync(join(import.meta.dirname, 'fixtures', 'proc-namespaces.bundle'), 'utf8');

describe('namespaces collected with --proc', () => {
  const { world, report } = importBundles([{ text }]);
  it('pairs the veth into the unnamed namespace without a stand-in', () => {
    expect(report.nodes[0]!.namespaces.map((m) => m.twinNs)).toEqual(['/', 'named1', 'pid-5']);
    expect(report.added).toEqual([]);
    const vd = Object.values(world.ns['/']!.links).find((l) => l.name === 'vd')!;
    expect(vd.kind === 'veth' && vd.peer).toEqual({ ns: 'pid-5', ifindex: 3 });
    expect(report.assumptions.filter((a) => a.ns === 'pid-5').map((a) => a.text)).toEqual([
      'the namespace of process 5 (collected with --proc) has no `ip netns` name on the node; the twin names it pid-5 (so `ip link` shows link-netns pid-5 where the node shows link-netnsid N)',
    ]);
  });
  it('the node reaches the process namespace', () => {
    expect(runScript('ping -c 1 10.9.0.2\n', { world }).output).toContain('1 packets transmitted, 1 received');
  });
});
