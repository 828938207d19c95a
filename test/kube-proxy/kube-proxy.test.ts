import { describe, expect, it } from 'vitest';
import { buildCluster, staticRoutes, flannelVxlan, type Cluster } from '../../src/cluster/index.js';
import { applyK8s, deleteK8s } from '../../src/k8s/apply.js';
import { parseK8s } from '../../src/k8s/parse.js';
import { compileKubeProxy, probability } from '../../src/kube-proxy/compile.js';
import { base32, sepChain, servicePortName, svcChain } from '../../src/kube-proxy/names.js';
import { dnatTarget, serviceReachability, traceService } from '../../src/kube-proxy/verify.js';
import type { K8sService } from '../../src/k8s/types.js';
import { runScript } from '../../src/shell/interp.js';
import { formatTrace } from '../../src/sim/format-trace.js';
import { probe } from '../../src/sim/send.js';
import { parseIp4 } from '../../src/model/addr.js';

const APP = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: client, labels: {app: client}}
  spec: {nodeName: node1}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, labels: {app: web}}
  spec: {nodeName: node1, containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-2, labels: {app: web}}
  spec: {nodeName: node2, containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    type: NodePort
    selector: {app: web}
    ports: [{name: http, port: 80, targetPort: http}]
`;

function cluster(design = staticRoutes()): Cluster {
  return applyK8s(buildCluster({ nodes: ['node1', 'node2'], design }), APP);
}

describe('chain names', () => {
  it('match the names real clusters show', () => {
    expect(svcChain('kube-system/kube-dns:dns', 'udp')).toBe('KUBE-SVC-TCOU7JCQXEZGVUNU');
    expect(svcChain('kube-system/kube-dns:dns-tcp', 'tcp')).toBe('KUBE-SVC-ERIFXISQEP7F7OF4');
    expect(svcChain('default/kubernetes:https', 'tcp')).toBe('KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(servicePortName('default', 'web', '')).toBe('default/web');
    expect(sepChain('default/web:http', 'tcp', '10.244.0.3:8080')).toMatch(/^KUBE-SEP-[A-Z2-7]{16}$/);
  });
  it('base32 is RFC 4648 with padding', () => {
    expect(base32(new TextEncoder().encode('foobar'))).toBe('MZXW6YTBOI======');
    expect(base32(new TextEncoder().encode('f'))).toBe('MY======');
  });
  it('probabilities are 1/n with ten decimals, as kube-proxy formats them', () => {
    expect([2, 3, 4, 7].map(probability)).toEqual(['0.5000000000', '0.3333333333', '0.2500000000', '0.1428571429']);
  });
});

describe('compileKubeProxy', () => {
  const svc: K8sService = {
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: {} },
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
  };
  const slice = (ips: string[]) => ({
    kind: 'EndpointSlice' as const,
    metadata: { name: 'web-1', namespace: 'default', labels: {} },
    serviceName: 'web',
    ports: [{ name: 'http', protocol: 'TCP' as const, port: 8080 }],
    endpoints: ips.map((ip) => ({ addresses: [ip], ready: true })),
  });

  it('writes the SVC chain with statistic rules, endpoints sorted as strings', () => {
    const r = compileKubeProxy([{ service: svc, slices: [slice(['10.244.1.2', '10.244.0.10', '10.244.0.3'])] }], { clusterCidr: '10.244.0.0/16' });
    const svcC = svcChain('default/web:http', 'tcp');
    const lines = r.restore.split('\n').filter((l) => l.startsWith(`-A ${svcC}`));
    expect(lines).toEqual([
      `-A ${svcC} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
      `-A ${svcC} -m comment --comment "default/web:http -> 10.244.0.10:8080" -m statistic --mode random --probability 0.3333333333 -j ${sepChain('default/web:http', 'tcp', '10.244.0.10:8080')}`,
      `-A ${svcC} -m comment --comment "default/web:http -> 10.244.0.3:8080" -m statistic --mode random --probability 0.5000000000 -j ${sepChain('default/web:http', 'tcp', '10.244.0.3:8080')}`,
      `-A ${svcC} -m comment --comment "default/web:http -> 10.244.1.2:8080" -j ${sepChain('default/web:http', 'tcp', '10.244.1.2:8080')}`,
    ]);
    expect(r.restore).toContain(`-A ${sepChain('default/web:http', 'tcp', '10.244.1.2:8080')} -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.2:8080`);
    expect(r.restore.startsWith('*filter\n:KUBE-SERVICES - [0:0]\n')).toBe(true);
  });

  it('rejects traffic to a service without endpoints in the filter table', () => {
    const r = compileKubeProxy([{ service: svc, slices: [] }]);
    expect(r.restore).toContain('-A KUBE-SERVICES -m comment --comment "default/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT');
    expect(r.restore).not.toContain('KUBE-SVC-');
  });

  it('deletes stale service chains it finds on the node', () => {
    const r = compileKubeProxy([], {}, ['KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA', 'KUBE-SEP-BBBBBBBBBBBBBBBB', 'FLANNEL-POSTRTG']);
    expect(r.restore).toContain(':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n');
    expect(r.restore).toContain('-X KUBE-SVC-AAAAAAAAAAAAAAAA\n-X KUBE-SEP-BBBBBBBBBBBBBBBB\n');
    expect(r.restore).not.toContain('FLANNEL-POSTRTG');
  });
});

describe('kube-proxy on a cluster', () => {
  const c = cluster();

  it('programs every node without a failed line, and iptables-save shows the rules as on a real node', () => {
    expect(c.events).toEqual([]);
    const out = runScript('ip netns exec node1 iptables-save -t nat\n', { world: c.world }).output;
    const svcC = svcChain('default/web:http', 'tcp');
    expect(out).toContain(`-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j ${svcC}`);
    expect(out).toContain(`-A ${svcC} -m comment --comment "default/web:http -> 10.244.0.3:8080" -m statistic --mode random --probability 0.50000000000 -j `);
    expect(out).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
    expect(out).toContain('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
    // iptables-save quotes every comment (kube-proxy wrote this one without quotes).
    expect(out).toContain('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport 30000 -j KUBE-EXT-');
  });

  it('a trace through the Service shows the DNAT to the chosen backend and the reply un-NATed', () => {
    const r = traceService(c, 'client', 'default/web');
    const req = r.traces[0]!;
    const text = formatTrace(req);
    expect(text).toMatch(/statistic random probability 0\.50000000000: (not )?matched \(the twin draws from a hash of the flow instead of at random: an assumption\)/);
    const to = dnatTarget(req);
    expect(['10.244.0.3:8080', '10.244.1.2:8080']).toContain(to);
    expect(req.hops.flatMap((h) => h.steps).some((s) => s.kind === 'nat' && s.after?.dst === to!.split(':')[0] && s.after?.dport === 8080)).toBe(true);
    // The answer: a reset from the backend (nothing listens), translated back to the ClusterIP.
    expect(r.outcome.kind).toBe('reset');
    if (r.outcome.kind === 'reset') expect(`${r.outcome.pkt.src}`).not.toBe('');
    const reply = r.traces[r.traces.length - 1]!;
    const nat = reply.hops.flatMap((h) => h.steps).find((s) => s.kind === 'nat' && s.action.startsWith('source NAT'));
    expect(nat?.after?.src).toBe('10.96.0.10');
    expect(nat?.after?.sport).toBe(80);
  });

  it('the same flow always takes the same backend; other flows spread over both', () => {
    const pick = (sport: number): string | undefined => dnatTarget(probe(c.world, { from: 'client', to: parseIp4('10.96.0.10')!, proto: 'tcp', dport: 80, sport }).traces[0]!);
    expect(pick(40001)).toBe(pick(40001));
    const seen = new Set(Array.from({ length: 16 }, (_, i) => pick(41000 + i)));
    expect([...seen].sort()).toEqual(['10.244.0.3:8080', '10.244.1.2:8080']);
  });

  it('every backend is reachable from a pod, a node and outside (NodePort), with the answer un-NATed', () => {
    for (const [from, o] of [['client', {}], ['node2', {}], ['outside', { nodePort: 'node1' }], ['outside', { nodePort: 'node2' }]] as const) {
      const checks = serviceReachability(c, from, 'default/web', o);
      expect(checks.map((x) => x.endpoint)).toEqual(['10.244.0.3:8080', '10.244.1.2:8080']);
      expect(checks.filter((x) => !x.ok).map((x) => `${from}: ${x.reason}`)).toEqual([]);
    }
  });

  it('works over an overlay too (flannel VXLAN)', () => {
    const f = cluster(flannelVxlan());
    expect(f.events).toEqual([]);
    const checks = serviceReachability(f, 'client', 'default/web');
    expect(checks.every((x) => x.ok)).toBe(true);
  });

  it('a service whose pods are gone rejects (filter KUBE-SERVICES), and the stale chains are deleted', () => {
    let d = deleteK8s(c, 'Pod', 'default/web-1');
    d = deleteK8s(d, 'Pod', 'default/web-2');
    const checks = serviceReachability(d, 'node1', 'default/web');
    expect(checks).toHaveLength(1);
    expect(checks[0]!.disposition).toBe('rejected');
    expect(checks[0]!.reason).toContain('default/web:http has no endpoints');
    // From a pod, kube-router's FORWARD jump (inserted first) accepts the packet before
    // kube-proxy's REJECT: it follows the default route and dies at the router.
    const fromPod = serviceReachability(d, 'client', 'default/web')[0]!;
    expect(fromPod.disposition).toBe('no_route');
    expect(fromPod.endedIn).toBe('router');
    const nat = d.world.ns['node1']!.netfilter.tables.nat!;
    expect(nat.chains.some((ch) => ch.name.startsWith('KUBE-SVC-') || ch.name.startsWith('KUBE-SEP-'))).toBe(false);
  });

  it('a lagging kube-proxy keeps sending to a deleted backend', () => {
    const d = deleteK8s(c, 'Pod', 'default/web-2', { reconcile: { skip: ['kube-proxy@node1'] } });
    const checks = serviceReachability(d, 'client', 'default/web');
    // kube-proxy@node1 still has both endpoints; the one on node2 is gone.
    expect(checks.map((x) => [x.endpoint, x.ok])).toEqual([['10.244.0.3:8080', true], ['10.244.1.2:8080', false]]);
    expect(checks[1]!.reason).toBe('10.244.1.2:8080 is programmed on node1 but is no endpoint of the service any more (kube-proxy there has not synced)');
    expect(serviceReachability(d, 'node2', 'default/web').map((x) => x.endpoint)).toEqual(['10.244.0.3:8080']);
  });
});

describe('parse', () => {
  it('refuses what kube-proxy emulation does not model', () => {
    const r = parseK8s('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, sessionAffinity: ClientIP, ports: [{port: 80}]}\n', 's.yaml');
    expect(r.errors).toEqual([
      's.yaml: Service s: spec.type: LoadBalancer services are not modelled (ClusterIP and NodePort are)',
      's.yaml: Service s: spec.sessionAffinity: ClientIP needs the iptables `recent` match, which the twin does not model',
    ]);
  });
});
