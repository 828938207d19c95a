/**
 * The twin's runtime (libcni) against the real plugins run by hand in
 * conformance/scripts/314-cni-chain.sh: the same plugins get the same stdin
 * (name/version injected, sorted keys, prevResult as libcni 1.2 marshals
 * it, runtimeConfig from the capabilities) and print what the kernel
 * recording shows, on ADD and on the reverse DEL.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGolden, normalise, splitScriptCommands } from '../../../src/conformance/normalise.js';
import { runScript } from '../../../src/shell/interp.js';
import { addNetworkList, checkNetworkList, confListFromBytes, delNetworkList, type CniRuntime, type RuntimeConf } from '../../../src/cni-emulator/index.js';

const root = new URL('../../../conformance/', import.meta.url);
const script = readFileSync(new URL('scripts/314-cni-chain.sh', root), 'utf8');
const golden = parseGolden(readFileSync(new URL('golden/314-cni-chain.out', root), 'utf8'));

/** The here-document body written to `file` by the script. */
function fileOf(name: string): string {
  const c = splitScriptCommands(script).find((x) => x.command === `cat > ${name} <<'EOF'`)!;
  return c.source.split('\n').slice(1, -1).join('\n');
}

/** The recorded output of the first command line that runs `plugin` with `cmd` on stdin `file`. */
function recorded(cmd: string, plugin: string, file: string): string {
  const s = golden.find((g) => g.command.startsWith(`CNI_COMMAND=${cmd} `) && g.command.endsWith(`/usr/lib/cni/${plugin} < ${file}`));
  if (!s) throw new Error(`no section for ${cmd} ${plugin} ${file}`);
  return s.output;
}

/** MACs and veth names differ between runs: compare them as placeholders. */
const anon = (s: string): string =>
  normalise(s)
    .replace(/veth[0-9a-f]{8}/g, 'vethXXXXXXXX')
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, 'MAC');

describe('a conflist through the twin runtime = the real plugins called in sequence by hand', () => {
  const setup = runScript('ip netns add n314\nip netns add pa');
  const list = confListFromBytes(
    '{"cniVersion":"1.0.0","name":"chain","plugins":[' +
      '{"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.32.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}},' +
      '{"type":"portmap","capabilities":{"portMappings":true}},' +
      '{"type":"loopback"}]}',
  );
  const rt: CniRuntime = { ns: 'n314', path: ['/usr/lib/cni'] };
  const rc: RuntimeConf = {
    containerID: 'cnitool-3813f9445af48799b274',
    netNS: '/var/run/netns/pa',
    ifName: 'eth0',
    capabilityArgs: { portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }] },
  };
  const add = addNetworkList(setup.world, rt, list, rc);

  it('ADD: each plugin gets the stdin the script gives it and prints what the real one printed', () => {
    expect(add.ok).toBe(true);
    expect(add.invocations.map((i) => `${i.command} ${i.plugin}`)).toEqual(['ADD bridge', 'ADD portmap', 'ADD loopback']);
    const [br, pm, lo] = add.invocations;
    expect(br!.stdin).toBe(fileOf('1-bridge.json'));
    expect(anon(pm!.stdin)).toBe(anon(fileOf('2-portmap.json')));
    expect(anon(lo!.stdin)).toBe(anon(fileOf('3-loopback.json')));
    expect(anon(br!.stdout)).toBe(recorded('ADD', 'bridge', '1-bridge.json'));
    expect(anon(pm!.stdout)).toBe(anon(recorded('ADD', 'portmap', '2-portmap.json')));
    expect(anon(lo!.stdout)).toBe(anon(recorded('ADD', 'loopback', '3-loopback.json')));
  });

  it('the state after ADD is the recorded one', () => {
    const r = runScript('ip netns exec n314 iptables-save -t nat', { world: add.world });
    const g = golden.find((s) => s.command === 'ip netns exec n314 iptables-save -t nat')!;
    expect(normalise(r.output)).toBe(g.output);
  });

  it('CHECK fails like the real chain (portmap also checks ip6tables)', () => {
    const c = checkNetworkList(add.world, rt, list, rc);
    expect(c.error).toMatch(/^could not check ipv6 dnat: chain CNI-DN-[0-9a-f]{21} not found in iptables table nat$/);
    expect(c.pluginError?.code).toBe(999);
  });

  it('DEL: reverse order, every plugin with the cached result as prevResult; state as recorded', () => {
    const del = delNetworkList(add.world, rt, list, rc);
    expect(del.ok).toBe(true);
    expect(del.invocations.map((i) => `${i.command} ${i.plugin}`)).toEqual(['DEL loopback', 'DEL portmap', 'DEL bridge']);
    expect(anon(del.invocations[0]!.stdin)).toBe(anon(fileOf('3-loopback.json')));
    expect(anon(del.invocations[1]!.stdin)).toBe(anon(fileOf('2-portmap.json')));
    expect(anon(del.invocations[2]!.stdin)).toBe(anon(fileOf('1-bridge-del.json')));
    expect(del.world.files['/var/lib/cni/results/chain-cnitool-3813f9445af48799b274-eth0']).toBeUndefined();
    const r = runScript('ip netns exec n314 iptables-save -t nat', { world: del.world });
    const after = golden.filter((s) => s.command === 'ip netns exec n314 iptables-save -t nat')[1]!;
    expect(normalise(r.output)).toBe(after.output);
  });
});
