import { describe, expect, it } from 'vitest';
import { parseK8s } from '../../src/k8s/parse.js';
import { matches, selectorText } from '../../src/k8s/selectors.js';
import { applyObjects, deleteObject, emptyK8s, K8sError } from '../../src/k8s/store.js';
import { endpointsOf, serviceSlices } from '../../src/k8s/endpointslices.js';
import type { K8sNetworkPolicy, K8sService } from '../../src/k8s/types.js';

describe('parseK8s', () => {
  it('reads kubectl get -o yaml output (kind: List), ignoring kinds the network does not use', () => {
    const r = parseK8s(`apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: shop, labels: {app: web}, managedFields: [{manager: kubectl}]}
  spec: {nodeName: node1, containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
  status: {podIP: 10.1.2.3, phase: Running}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
kind: List
metadata: {resourceVersion: ""}
`);
    expect(r.errors).toEqual([]);
    expect(r.ignored).toEqual(['Deployment shop/web']);
    expect(r.objects).toEqual([{ kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, nodeName: 'node1', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }]);
  });

  it('defaults policyTypes as the API server does', () => {
    const r = parseK8s(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a}
spec: {podSelector: {}, egress: [{}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b}
spec: {podSelector: {}, egress: []}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c}
spec: {podSelector: {}, policyTypes: [Egress]}
`);
    expect(r.errors).toEqual([]);
    expect((r.objects as K8sNetworkPolicy[]).map((p) => p.policyTypes)).toEqual([['Ingress', 'Egress'], ['Ingress'], ['Egress']]);
    expect((r.objects[0] as K8sNetworkPolicy).egress).toEqual([{ peers: [], ports: [] }]);
  });

  it('sets the kubernetes.io/metadata.name label on namespaces', () => {
    const r = parseK8s('apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {team: a}}\n');
    expect(r.objects[0]!.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/metadata.name': 'x' });
  });

  it('reports invalid policies with the API server\'s reasons', () => {
    const r = parseK8s(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}, podSelector: {}}, {}]
    ports: [{port: http, endPort: 90}, {port: 90, endPort: 80}]
`, 'bad.yaml');
    expect(r.errors).toEqual([
      'bad.yaml: NetworkPolicy x/bad: spec.ingress[0].from[0]: may not specify more than 1 peer type (ipBlock with a selector)',
      'bad.yaml: NetworkPolicy x/bad: spec.ingress[0].from[0].ipBlock.except: "192.168.0.0/16" must be a strict subset of 10.0.0.0/8',
      'bad.yaml: NetworkPolicy x/bad: spec.ingress[0].from[1]: must specify a peer',
      'bad.yaml: NetworkPolicy x/bad: spec.ingress[0].ports[0].endPort: may not be specified when port is non-numeric',
      'bad.yaml: NetworkPolicy x/bad: spec.ingress[0].ports[1].endPort: must be greater than or equal to port',
    ]);
  });

  it('never throws on broken YAML', () => {
    expect(parseK8s('kind: [\n').errors[0]).toMatch(/^<input>: YAML: /);
    expect(parseK8s('- 1\n- 2\n').errors).toEqual(['<input>: a document is not a Kubernetes object']);
    expect(parseK8s('').objects).toEqual([]);
  });
});

describe('selectors', () => {
  const sel = (matchLabels: Record<string, string>, matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[] = []) => ({ matchLabels, matchExpressions });
  it('implement the four operators', () => {
    const l = { app: 'web', tier: 'front' };
    expect(matches(sel({}), l)).toBe(true);
    expect(matches(sel({ app: 'web' }), l)).toBe(true);
    expect(matches(sel({ app: 'db' }), l)).toBe(false);
    expect(matches(sel({}, [{ key: 'tier', operator: 'In', values: ['front', 'back'] }]), l)).toBe(true);
    expect(matches(sel({}, [{ key: 'env', operator: 'NotIn', values: ['prod'] }]), l)).toBe(true);
    expect(matches(sel({}, [{ key: 'tier', operator: 'NotIn', values: ['front'] }]), l)).toBe(false);
    expect(matches(sel({}, [{ key: 'env', operator: 'Exists', values: [] }]), l)).toBe(false);
    expect(matches(sel({}, [{ key: 'env', operator: 'DoesNotExist', values: [] }]), l)).toBe(true);
    expect(selectorText(sel({ b: '2', a: '1' }, [{ key: 'x', operator: 'In', values: ['q', 'p'] }, { key: 'y', operator: 'DoesNotExist', values: [] }]))).toBe('a=1,b=2,x in (p,q),!y');
  });
});

describe('store and EndpointSlices', () => {
  const objs = parseK8s(`apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a, labels: {app: web}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: b, labels: {app: web}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 9090}]}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: c, labels: {app: web}}}
- {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}, {name: raw, port: 81, targetPort: 7000}]}}
- {apiVersion: v1, kind: Service, metadata: {name: other, namespace: ns2}, spec: {ports: [{port: 5432}]}}
`).objects;
  const s = applyObjects(emptyK8s(), objs);

  it('allocates ClusterIPs and nodePorts, and creates missing namespaces (noted)', () => {
    expect(s.services['default/web']!.clusterIP).toBe('10.96.0.10');
    expect(s.services['ns2/other']!.clusterIP).toBe('10.96.0.11');
    expect(s.services['default/web']!.ports.map((p) => p.nodePort)).toEqual([30000, 30001]);
    expect(s.notes).toEqual(['namespace ns2 created for Service ns2/other (the API server would refuse it: namespaces "ns2" not found)']);
    // Re-applying keeps the allocations.
    const again = applyObjects(s, objs);
    expect(again.services['default/web']!.clusterIP).toBe('10.96.0.10');
    expect(again.services['default/web']!.ports.map((p) => p.nodePort)).toEqual([30000, 30001]);
  });

  it('refuses a clusterIP outside the range or taken', () => {
    const svc = (name: string, ip: string) => parseK8s(`apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {clusterIP: ${ip}, ports: [{port: 1}]}\n`).objects;
    expect(() => applyObjects(s, svc('x', '10.200.0.1'))).toThrow(new K8sError('Service default/x: spec.clusterIP 10.200.0.1 is not in the service CIDR 10.96.0.0/12'));
    expect(() => applyObjects(s, svc('x', '10.96.0.10'))).toThrow('is already allocated to default/web');
  });

  it('derives slices grouped by port mapping, resolving named target ports per pod', () => {
    const ips: Record<string, string> = { 'default/a': '10.244.0.5', 'default/b': '10.244.1.5', 'default/c': '10.244.0.6' };
    const slices = serviceSlices(s, s.services['default/web']!, (k) => ({ ip: ips[k], node: 'n' }));
    expect(slices.map((x) => [x.metadata.name, x.ports.map((p) => `${p.name}:${p.port}`), x.endpoints.map((e) => e.targetRef)])).toEqual([
      ['web-1', ['http:8080', 'raw:7000'], ['default/a']],
      ['web-2', ['http:9090', 'raw:7000'], ['default/b']],
      ['web-3', ['raw:7000'], ['default/c']],
    ]);
    const web = s.services['default/web'] as K8sService;
    expect(endpointsOf(slices, web.ports[0]!).map((e) => e.endpoint)).toEqual(['10.244.0.5:8080', '10.244.1.5:9090']);
    expect(endpointsOf(slices, web.ports[1]!).map((e) => e.endpoint)).toEqual(['10.244.0.5:7000', '10.244.0.6:7000', '10.244.1.5:7000']);
  });

  it('deletes objects, and refuses to delete a namespace that is not empty', () => {
    expect(Object.keys(deleteObject(s, 'Pod', 'default/a').pods)).toEqual(['default/b', 'default/c']);
    expect(() => deleteObject(s, 'Pod', 'default/zz')).toThrow('Pod default/zz not found');
    expect(() => deleteObject(s, 'Namespace', 'ns2')).toThrow('namespace ns2 still has objects');
  });
});
