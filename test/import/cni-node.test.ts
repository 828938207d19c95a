/**
 * The "real node" of issue #10: conformance/scripts/401-cni-bridge-pods.sh
 * runs the reference bridge CNI plugin (with host-local) for three pods on the
 * kernel, with ipMasq and a server outside; scripts/import-record.ts collected
 * it (conformance/import/401-cni-bridge-pods.*). The import must explain
 * everything (no warn assumption, no fidelity difference), keep the CNI files
 * where plugins look for them, and `verify` must report the NAT and the
 * reachability the kernel showed: pods reach each other and the outside
 * server, and their traffic leaves masqueraded to the node's address (the
 * server's counting rule saw 192.168.40.1, never 10.40.0.0/16).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBundles } from '../../src/import/build.js';
import { importedTarget } from '../../src/import/verify-target.js';
import { runScript } from '../../src/shell/interp.js';
import { verify } from '../../src/verify/verify.js';

const path = join(import.meta.dirname, '..', '..', 'conformance', 'import', '401-cni-bridge-pods.bundle');

describe.runIf(existsSync(path))('a node running the bridge CNI plugin with three pods', () => {
  const { world, report } = importBundles([{ text: existsSync(path) ? readFileSync(path, 'utf8') : '', origin: '401.bundle' }]);

  it('imports with no unexplained assumption', () => {
    expect(report.problems).toEqual([]);
    expect(report.assumptions.filter((a) => a.severity === 'warn').map((a) => `${a.ns} ${a.area}: ${a.text}`)).toEqual([]);
  });

  it('keeps the CNI configuration and the host-local store where the plugins look', () => {
    expect(JSON.parse(world.files['/etc/cni/net.d/10-mynet.conf']!)).toMatchObject({ name: 'mynet', type: 'bridge', ipMasq: true });
    // host-local writes "ID\r\nIFNAME" (Go's LineBreak).
    expect(world.files['/var/lib/cni/networks/mynet/10.40.0.4']).toBe('c3\r\neth0');
    expect(world.files['/var/lib/cni/networks/mynet/last_reserved_ip.0']).toBe('10.40.0.4');
  });

  it('verify: the pods reach each other and the server, masqueraded to the node', () => {
    const t = importedTarget(world, report);
    expect(t.nodes.map((n) => `${n.ref} ${n.podCidrs.map((p) => `${p.addr >>> 24}.x/${p.len}`).join()}`)).toEqual(['node/401-cni-bridge-pods 10.x/16']);
    expect(t.pods.map((p) => p.ref).sort()).toEqual(['pod/pod1', 'pod/pod2', 'pod/pod3']);
    expect(t.outside.map((o) => o.ref)).toEqual(['machine/outside']);
    expect(t.egress).toBe('masquerade');
    const v = verify(t);
    expect(v.violations.map((x) => x.message)).toEqual([]);
    // The same world judged against "pods keep their address outside": the twin sees the masquerade.
    const preserve = verify(importedTarget(world, report, { egress: 'preserve' }));
    expect(preserve.violations.map((x) => x.kind)).toContain('egress-nat');
  });

  it('the twin continues where the node left off: a fourth pod gets the next address from the store', () => {
    const r = runScript(
      [
        'ip netns add pod4',
        'CNI_COMMAND=ADD CNI_CONTAINERID=c4 CNI_NETNS=/var/run/netns/pod4 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge < /etc/cni/net.d/10-mynet.conf',
        'ip -n pod4 -4 -br addr show eth0',
        'ip netns exec pod4 ping -c 1 10.40.0.2',
        '',
      ].join('\n'),
      { world },
    );
    expect(r.output).toContain('eth0@if');
    expect(r.output).toMatch(/eth0@ifN?\d*\s+UP\s+10\.40\.0\.5\/16 \n/);
    expect(r.output).toContain('1 packets transmitted, 1 received');
  });
});
