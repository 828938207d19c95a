import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { runScript } from '../../src/shell/interp.js';

interface Run {
  code: number;
  out: string;
  err: string;
  files: Record<string, string>;
}

/** Run the CLI in-process on a fake filesystem (real files are read through). */
async function cli(args: string[], files: Record<string, string> = {}, color = false): Promise<Run> {
  let out = '';
  let err = '';
  const written: Record<string, string> = {};
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readFile: (p) => {
      if (p === 0) return files['<stdin>'];
      if (p in files) return files[p];
      const rel = Object.keys(files).find((k) => p.endsWith('/' + k));
      if (rel) return files[rel];
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, t) => {
      written[p] = t;
    },
    color,
  };
  const code = await main(args, io, '9.9.9');
  return { code, out, err, files: written };
}

const GOOD = 'examples/05-graphic4-switch.yaml';
const good = readFileSync(GOOD, 'utf8');
const failing = good.replace('        ttl: 62\n', '        ttl: 60\n');

describe('podnet run', () => {
  it('exits 0 when every expectation holds', async () => {
    const r = await cli(['run', GOOD]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS examples\/05-graphic4-switch\.yaml  graphic4-switch: .* \(4 steps, 12 checks\)\n\n1 scenario: 1 passed, 0 failed\n$/);
    expect(r.err).toBe('');
  });
  it('exits 1 when one fails, naming file:line:col, expected and actual', async () => {
    const r = await cli(['run', 'f.yaml', GOOD], { 'f.yaml': failing });
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL f.yaml  graphic4-switch');
    expect(r.out).toContain('    FAIL f.yaml:69:9: step 1 (cross-node-ping): TTL at the destination: expected 60, got 62\n');
    expect(r.out).toContain('2 scenarios: 1 passed, 1 failed');
  });
  it('exits 2 on invalid input with file:line:col messages on stderr and no stack trace', async () => {
    const cases: Record<string, string> = {
      'yaml.yaml': 'spec: [\n',
      'types.yaml': good.replace('podCIDR: 10.244.1.0/24', 'podCIDR: [1]'),
      'unknown.yaml': good.replace('  pods:\n', '  pod:\n'),
      'dangling.yaml': good.replace('ping: { from: pod/frontend', 'ping: { from: pod/frontnd'),
    };
    for (const [f, text] of Object.entries(cases)) {
      const r = await cli(['run', f], { [f]: text });
      expect(r.code, f).toBe(2);
      expect(r.err, f).toMatch(new RegExp(`^${f.replace('.', '\\.')}:\\d+:\\d+: `));
      expect(r.err, f).not.toMatch(/\n\s+at /);
    }
    expect((await cli(['run', 'unknown.yaml'], { 'unknown.yaml': cases['unknown.yaml']! })).err).toContain('unknown key "pod" in spec (did you mean "pods"?)');
    const missing = await cli(['run', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('nope.yaml:1:1: cannot read the file\n');
  });
  it('--json gives every step and check', async () => {
    const r = await cli(['run', '--json', 'f.yaml'], { 'f.yaml': failing });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { file: string; passed: boolean; steps: { checks: { what: string; pass: boolean; line: number }[] }[] }[];
    expect(j[0]!.file).toBe('f.yaml');
    expect(j[0]!.passed).toBe(false);
    expect(j[0]!.steps[1]!.checks.find((c) => !c.pass)).toMatchObject({ what: 'TTL at the destination', line: 69 });
  });
  it('--junit writes a JUnit report', async () => {
    const r = await cli(['run', '--junit', 'out.xml', 'f.yaml', 'bad.yaml'], { 'f.yaml': failing, 'bad.yaml': 'x: [' });
    expect(r.code).toBe(2);
    const xml = r.files['out.xml']!;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="podnet" tests="6" failures="1" errors="1">/);
    expect(xml).toContain('<failure message="TTL at the destination">f.yaml:69:9: TTL at the destination: expected 60, got 62</failure>');
    expect(xml).toContain('<error message="invalid scenario">bad.yaml:1:');
  });
  it('colours only when asked (a TTY)', async () => {
    expect((await cli(['run', GOOD])).out).not.toContain('\x1b[');
    expect((await cli(['run', GOOD], {}, true)).out).toContain('\x1b[32mPASS\x1b[39m');
  });
  it('-v shows the runtime log, the commands and every check', async () => {
    const r = await cli(['run', '-v', GOOD]);
    expect(r.out).toContain('libcni AddNetworkList "podnet" (ifname eth0): ADD bridge on node node-a');
    expect(r.out).toContain('[node/node-a] $ ip route');
    expect(r.out).toContain('    ok   examples/05-graphic4-switch.yaml:70:9: step 1 (cross-node-ping): source seen at the destination: expected pod/frontend (10.244.1.2)');
  });
});

describe('podnet trace / explain / show', () => {
  it('trace prints the hop-by-hop traces of a probe', async () => {
    const r = await cli(['trace', GOOD, '--from', 'pod/frontend', '--to', 'pod/backend', '--tcp', '8080', '--at', '0']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('# tcp pod/frontend -> pod/backend (10.244.2.2), right after the build');
    // containerd names the pod's namespace cni-<uuid>.
    expect(r.out).toMatch(/\ntrace: TCP SYN 40005 > 8080 0\.0\.0\.0 -> 10\.244\.2\.2 ttl 64 len 60 DF from netns cni-[0-9a-f-]{36}\n/);
    expect(r.out).toMatch(/outcome: connected \(SYN-ACK from 10\.244\.2\.2\)\n$/);
  });
  it('explain narrates the cross-node walk', async () => {
    const r = await cli(['explain', GOOD, '--from', 'pod/frontend', '--to', 'pod/backend', '--no-arp']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1. Pod frontend sends a packet to 10.244.2.2. Its routing table says `default via 10.244.1.1 dev eth0`: it goes to the gateway 10.244.1.1 out of eth0, with source address 10.244.1.2.\n');
    expect(r.out).toMatch(/\d+\. The packet leaves frontend's eth0 and crosses the veth pair to veth[0-9a-f]{8} on node node-a\.\n/);
    expect(r.out).toMatch(/\d+\. Bridge cni0 looks up [0-9a-f:]{17} in its FDB: it is the bridge's own MAC, so the frame goes up to node-a's IP stack \(cni0 is the gateway\)\.\n/);
    expect(r.out).toContain('10.244.2.2 is not node-a\'s own address. The route `10.244.2.0/24 via 192.168.0.11 dev eth0` says: forward it to 192.168.0.11.');
    expect(r.out).toContain('=> delivered in pod backend: echo request delivered to pod backend, which replies.\n');
    expect(r.out).toMatch(/What the sender saw: echo reply from 10\.244\.2\.2 ttl 62\.\n$/);
  });
  it('explain --json gives the sentences per walk', async () => {
    const r = await cli(['explain', GOOD, '--from', 'pod/frontend', '--to', 'pod/backend', '--json']);
    const j = JSON.parse(r.out) as { walks: { title: string; lines: string[] }[] };
    expect(j.walks).toHaveLength(2);
    expect(j.walks[1]!.title).toMatch(/^ICMP echo reply: .* from pod backend$/);
  });
  it('rejects unknown names and bad options with exit 2', async () => {
    const a = await cli(['trace', GOOD, '--from', 'pod/nope', '--to', 'pod/backend']);
    expect(a.code).toBe(2);
    expect(a.err).toBe('podnet: "pod/nope": no pod named nope (pods: frontend, backend)\n');
    const b = await cli(['trace', GOOD, '--from', 'pod/frontend', '--to', 'pod/backend', '--at', '99']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('podnet: --at 99: no such step (steps 1-4, or a name: cross-node-ping, cross-node-tcp, closed-port, routes-on-node-a; 0 = right after the build)');
    const c = await cli(['trace', GOOD, '--to', 'pod/backend']);
    expect(c.code).toBe(2);
    expect(c.err).toContain("required option '--from <ref>' not specified");
    expect((await cli(['trace', GOOD, '--from', 'pod/frontend', '--to', 'pod/backend', '--tcp', 'http'])).code).toBe(2);
  });
  it('show runs a command on a node at a step', async () => {
    const r = await cli(['show', GOOD, '--at', '0', '--on', 'node/node-a', '--', 'ip', 'route']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n10.244.2.0/24 via 192.168.0.11 dev eth0 \n192.168.0.0/24 dev eth0 proto kernel scope link src 192.168.0.10 \n');
    const s = await cli(['show', GOOD]);
    expect(s.out).toContain('  pod/backend on node-b: 10.244.2.2, running: api\n');
    expect(s.out).toContain('  1. cross-node-ping: ping pod/frontend -> pod/backend\n');
  });
  it('show --script also replays lines run inside namespaces (setup blocks, sh on, script plugins)', async () => {
    for (const [file, at, check] of [
      ['examples/01-docker-bridge.yaml', '2', 'ip netns exec docker-host iptables -t nat -S POSTROUTING\nip -n web -br addr show eth0\n'],
      ['examples/08-cni-script-plugin.yaml', '0', 'ip -n node-a route\nip -n frontend route\n'],
    ] as const) {
      const script = (await cli(['show', file, '--at', at, '--script'])).out;
      const replay = runScript(script + check);
      expect(replay.exitCode, file).toBe(0);
      const checks = check.trim().split('\n');
      const replayed = replay.sections.slice(-checks.length).map((x) => x.output);
      const direct = await Promise.all(checks.map(async (l) => (await cli(['show', file, '--at', at, '--', ...l.split(' ')])).out));
      expect(replayed, file).toEqual(direct);
      expect(direct.join('').length, file).toBeGreaterThan(20);
    }
  });
  it('show --script prints a script that podnet sh replays to the same state', async () => {
    const r = await cli(['show', GOOD, '--at', '0', '--script']);
    const replay = runScript(r.out + 'ip -n node-a route\n');
    expect(replay.output.endsWith('10.244.2.0/24 via 192.168.0.11 dev eth0 \n192.168.0.0/24 dev eth0 proto kernel scope link src 192.168.0.10 \n')).toBe(true);
  });
});

describe('podnet (general)', () => {
  it('--help lists the commands with examples; --version', async () => {
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['sh', 'run', 'trace', 'explain', 'show', 'schema']) expect(h.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(h.out).toContain('Examples:\n  $ podnet run examples/*.yaml');
    expect((await cli(['run', '--help'])).out).toContain('$ podnet run --junit report.xml examples/*.yaml');
    expect((await cli(['--version'])).out).toBe('9.9.9\n');
  });
  it('an unknown command or option is a usage error (exit 2)', async () => {
    const r = await cli(['runn']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: unknown command 'runn'");
    expect((await cli(['run', '--jsno', GOOD])).code).toBe(2);
  });
  it('sh still runs scripts as before (output, exit code, --trace, --json)', async () => {
    const script = readFileSync('examples/shell/two-namespaces.sh', 'utf8');
    const expected = runScript(script);
    const r = await cli(['sh', 'examples/shell/two-namespaces.sh']);
    expect(r.out).toBe(expected.output);
    expect(r.code).toBe(expected.exitCode);
    const stdin = await cli(['sh'], { '<stdin>': 'ip link add v0 type veth peer name v1\nip -br link\n' });
    expect(stdin.out).toMatch(/^lo +UNKNOWN/);
    const t = await cli(['sh', '--trace'], { '<stdin>': 'ip netns add a\nip -n a link set lo up\nip netns exec a ping -c 1 127.0.0.1\n' });
    expect(t.out).toContain('trace: ICMP echo request');
    const j = JSON.parse((await cli(['sh', '--json'], { '<stdin>': 'false\n' })).out) as { exitCode: number };
    expect(j.exitCode).toBe(1);
  });
  it('schema prints the generated reference, or a JSON Schema', async () => {
    expect((await cli(['schema'])).out).toContain('### step: ping');
    const js = JSON.parse((await cli(['schema', '--json'])).out) as { properties: Record<string, unknown> };
    expect(Object.keys(js.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });
});

describe('spec.cluster scenarios on the command line', () => {
  const FILE = 'examples/13-plugin-daemonset.yaml';
  it('run -v shows who typed each line of the design, a here-document as one command', async () => {
    const r = await cli(['run', '-v', FILE]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('      [flanneld@node4] $ ip -n node4 link add flannel.1 address 02:00:00:f1:00:04 mtu 1450 type vxlan id 1 local 192.168.0.14 dev eth0 dstport 8472 nolearning\n');
    expect(r.out).toContain("      [flanneld@node4] $ cat > node4-subnet.env <<'EOF'\n                       FLANNEL_NETWORK=10.244.0.0/16\n");
    expect(r.out).toContain('      [flanneld@node1] $ ip -n node1 route replace 10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink\n');
  });
  it('show lists the cluster\'s nodes and Pending pods', async () => {
    const r = await cli(['show', FILE, '--at', 'node4-joins']);
    expect(r.out).toContain('cluster: flannel-vxlan on a switch underlay\n  node/node1: eth0 192.168.0.11/24, podCIDR 10.244.0.0/24\n');
    expect(r.out).toContain('  pod/cache on node4: Pending (node node4 is NotReady), running: nothing\n');
    const before = await cli(['show', FILE, '--at', '0']);
    expect(before.out).toContain('  node/node4: not in the cluster\n');
  });
  it('show --script replays on the twin to the same routes', async () => {
    const script = (await cli(['show', FILE, '--script'])).out;
    expect(script).toContain('# flanneld@node1\n');
    const replayed = runScript(script + 'ip -n node1 route\n', { seed: 1 });
    expect(replayed.unsupported).toEqual([]);
    const direct = await cli(['show', FILE, '--on', 'node/node1', '--', 'ip', 'route']);
    expect(replayed.output.endsWith(direct.out)).toBe(true);
  });
});
