import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import { parsePorts } from '../../src/cli/policy.js';
import type { Io } from '../../src/cli/io.js';

function run(argv: string[], files: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: (p) => (p === 0 ? undefined : files[p] ?? (p.startsWith('examples/') ? readFileSync(p, 'utf8') : undefined)),
    writeFile: () => {},
    color: false,
  };
  return main(argv, io, '0.0.0').then((code) => ({ code, out, err }));
}

describe('podnet policy matrix', () => {
  it('prints the truth table of the example, with the denials named, and agrees with the semantics (exit 0)', async () => {
    const r = await run(['policy', 'matrix', 'examples/k8s/policies.yaml', '--port', '8080']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`+----------+----------+---------+-------+-------+
| TCP/8080 | x/client | x/other | x/web | y/api |
+----------+----------+---------+-------+-------+
| x/client | .        | X       | .     | .     |
| x/other  | .        | .       | X     | .     |
| x/web    | .        | .       | .     | .     |
| y/api    | .        | .       | X     | .     |
+----------+----------+---------+-------+-------+
`);
    expect(r.out).toContain('  y/api -> x/web TCP/8080: x/web reject ingress: no rule of x/web-from-client allows it\n');
  });

  it('--json gives every cell with the semantics and the twin', async () => {
    const r = await run(['policy', 'matrix', 'examples/k8s/policies.yaml', '--port', 'tcp/8080', '--json', '--design', 'flannel-vxlan']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { agree: boolean; cells: { from: string; to: string; twin: boolean; expected: boolean; allowedBy?: string[]; deniedBy?: string }[] };
    expect(j.agree).toBe(true);
    expect(j.cells).toHaveLength(16);
    expect(j.cells.find((c) => c.from === 'x/client' && c.to === 'x/web')).toMatchObject({ twin: true, expected: true, allowedBy: ['x/client-egress egress[0] pods', 'x/web-from-client ingress[0] pods'] });
  });

  it('rejects bad input with exit 2', async () => {
    expect((await run(['policy', 'matrix', 'nope.yaml'])).err).toBe('podnet: cannot read nope.yaml\n');
    const bad = await run(['policy', 'matrix', 'p.yaml'], { 'p.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 1}]}\n' });
    expect(bad).toEqual({ code: 2, out: '', err: 'p.yaml: Service s: spec.type: LoadBalancer services are not modelled (ClusterIP and NodePort are)\n' });
    expect((await run(['policy', 'matrix', 'examples/k8s/policies.yaml', '--port', 'sctp/1'])).code).toBe(2);
  });

  it('parses ports', () => {
    expect(parsePorts('80,udp/53,TCP/8080')).toEqual([{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8080 }]);
    expect(() => parsePorts('0')).toThrow('--port: "0" is not a port');
  });
});

describe('podnet policy verify', () => {
  const yaml = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: client, labels: {app: client}}, spec: {nodeName: node1}}
- {apiVersion: v1, kind: Pod, metadata: {name: intruder, labels: {app: intruder}}, spec: {nodeName: node2}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-1, labels: {app: web}}, spec: {nodeName: node1}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-2, labels: {app: web}}, spec: {nodeName: node2}}
- {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web-from-client}
  spec:
    podSelector: {matchLabels: {app: web}}
    ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
`;
  it('checks policy <=> delivered and every Service backend; a pod reaching itself through its Service needs hairpin mode', async () => {
    const r = await run(['policy', 'verify', 'a.yaml'], { 'a.yaml': yaml });
    expect(r.out.split('\n')[0]).toBe('policy: 48 connections (4 pods x TCP/80, TCP/81, TCP/8080): delivered exactly when the policies allow them');
    expect(r.out).toContain('services: 8 backend checks from 4 pods: 2 differ\n');
    // The bridge plugin of the static-routes design has no hairpinMode: web-1 cannot reach itself via the Service.
    expect(r.out).toMatch(/ {2}default\/web-1 -> default\/web \(10\.96\.0\.10:80\) backend 10\.244\.0\.3:8080: policies allow; the request ended exits_network in node1: .* where the frame came from\n/);
    expect(r.code).toBe(1);
    // flannel's bridge delegate sets hairpinMode: everything agrees.
    const f = await run(['policy', 'verify', 'a.yaml', '--design', 'flannel-vxlan', '--json'], { 'a.yaml': yaml });
    const j = JSON.parse(f.out) as { ok: boolean; services: { from: string; endpoint: string; expected: boolean; reached: boolean }[] };
    expect(j.ok).toBe(true);
    expect(j.services.filter((s) => s.from === 'default/intruder').map((s) => [s.expected, s.reached])).toEqual([[false, false], [false, false]]);
    expect(f.code).toBe(0);
  });
});
