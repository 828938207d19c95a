/**
 * Kernel conformance scripts for Services and NetworkPolicy
 * (conformance/scripts/403-4xx): a cluster built by src/cluster with
 * Kubernetes objects applied (src/k8s/apply.ts), its journal (everything the
 * admin, kubelet, kube-proxy and the policy agent ran: their iptables-restore
 * files included), then checks: listeners, connections that must succeed or
 * be refused, rules and counters. The recorder runs each script on the real
 * kernel; the twin runs the same script; the suite compares them section by
 * section. test/k8s/conformance-scripts.test.ts keeps the committed scripts
 * equal to what these builders produce (PODNET_UPDATE=1 rewrites them).
 *
 * Only outputs that do not depend on kube-proxy's random backend choice are
 * printed: connections succeed whichever backend is drawn (every backend
 * listens), and per-backend counters are not shown.
 */
import { buildCluster } from '../cluster/cluster.js';
import { staticRoutes } from '../cluster/designs/static-routes.js';
import { flannelVxlan } from '../cluster/designs/flannel.js';
import { journalScript } from '../cluster/script.js';
import { OUTSIDE_NS } from '../cluster/underlay.js';
import type { Cluster, Design } from '../cluster/types.js';
import { svcChain } from '../kube-proxy/names.js';
import { podChain, policyChain } from '../policy/compile.js';
import { applyK8s } from './apply.js';
import { k8sState } from './on-cluster.js';

export interface K8sConformanceCase {
  readonly file: string;
  readonly about: readonly string[];
  build(): string;
}

function cluster(design: Design, yaml: string): Cluster {
  return applyK8s(buildCluster({ nodes: ['node1', 'node2'], design }), yaml);
}

function ipOf(c: Cluster, podKey: string): string {
  const sb = k8sState(c).sandbox[podKey];
  const ip = sb ? c.pods[sb]?.ip : undefined;
  if (!ip) throw new Error(`pod ${podKey} has no address`);
  return ip;
}

const sb = (podKey: string): string => (podKey.startsWith('default/') ? podKey.slice(8) : podKey.replace('/', '-'));
const listen = (podKey: string, port: number): string => `ip netns exec ${sb(podKey)} nc -l -p ${port} -k &`;
/** A connection attempt and its status. */
const connect = (from: string, ip: string, port: number): string[] => [`ip netns exec ${from} nc -z -v -w 1 ${ip} ${port}`, 'echo rc=$?'];

const SERVICES_YAML = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: client, labels: {app: client}}
  spec: {nodeName: node1}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, labels: {app: web}}
  spec: {nodeName: node1, containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-2, labels: {app: web}}
  spec: {nodeName: node2, containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: db, labels: {app: db}}
  spec: {nodeName: node2, containers: [{name: db, ports: [{name: pg, containerPort: 5432}]}]}
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec:
    type: NodePort
    selector: {app: web}
    ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]
- apiVersion: v1
  kind: Service
  metadata: {name: db}
  spec:
    selector: {app: db}
    ports: [{port: 5432}]
- apiVersion: v1
  kind: Service
  metadata: {name: empty}
  spec:
    selector: {app: nothing}
    ports: [{name: http, port: 80}]
`;

const POLICY_YAML = `apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: y, labels: {ns: y}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec: {nodeName: node1, containers: [{name: c, ports: [{name: serve-80-tcp, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec: {nodeName: node2}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: y, labels: {pod: a}}
spec: {nodeName: node1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: y, labels: {pod: b}}
spec: {nodeName: node2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: serve-80-tcp}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-egress, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: y}}}]
  - to: [{podSelector: {matchLabels: {pod: a}}}]
    ports: [{port: 80}]
`;

function policyBlockYaml(exceptIp: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-cidr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: 10.244.0.0/16, except: [${exceptIp}/32]}}]
    ports: [{port: 80, endPort: 81}]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: 81}]
`;
}

function render(c: Cluster, checks: readonly string[]): string {
  return journalScript(c) + checks.join('\n') + '\n';
}

export const K8S_CONFORMANCE_CASES: readonly K8sConformanceCase[] = [
  {
    file: '403-k8s-services',
    about: [
      'kube-proxy (iptables mode, v1.28 rules) on a two-node cluster (static',
      'routes): ClusterIP and NodePort services as kube-proxy writes them with',
      'iptables-restore --noflush, a service with one endpoint and one without.',
      'Tests: pod, node and outside clients reach every service (every backend',
      'listens, so the random choice does not matter), the reply is un-NATed;',
      'the no-endpoint service is rejected for the node and (kube-router\'s',
      'FORWARD jump is first) leaves by the default route for a pod;',
      'iptables-save of the nat table and counters of the chains that do not',
      'depend on the random draw.',
    ],
    build: () => {
      const c = cluster(staticRoutes(), SERVICES_YAML);
      const s = k8sState(c).api;
      const web = s.services['default/web']!.clusterIP!;
      const db = s.services['default/db']!.clusterIP!;
      const empty = s.services['default/empty']!.clusterIP!;
      const n1 = c.nodes['node1']!.ip;
      const n2 = c.nodes['node2']!.ip;
      return render(c, [
        listen('default/web-1', 8080),
        listen('default/web-2', 8080),
        listen('default/db', 5432),
        'sleep 1',
        ...connect('client', web, 80),
        ...connect('client', db, 5432),
        ...connect('node2', web, 80),
        ...connect('node1', db, 5432),
        ...connect(OUTSIDE_NS, n1, 30080),
        ...connect(OUTSIDE_NS, n2, 30080),
        ...connect('node1', empty, 80),
        ...connect('client', web, 81),
        `ip netns exec node1 iptables -t nat -L KUBE-SERVICES -n -v -x`,
        `ip netns exec node1 iptables -t nat -L KUBE-NODEPORTS -n -v -x`,
        `ip netns exec node1 iptables -t nat -S ${svcChain('default/db', 'tcp')}`,
        `ip netns exec node1 iptables -t nat -L ${svcChain('default/db', 'tcp')} -n -v -x`,
        `ip netns exec node1 iptables -L KUBE-SERVICES -n -v -x`,
        `ip netns exec node1 iptables -S INPUT`,
        `ip netns exec node1 iptables -S FORWARD`,
        `ip netns exec node2 iptables-save -t nat`,
        `ip -n node1 route get ${web}`,
      ]);
    },
  },
  {
    file: '404-k8s-network-policy',
    about: [
      'NetworkPolicy enforced by the kube-router-style agent (src/policy) on a',
      'two-node cluster: x/a (node1) accepts only x/b on its named port',
      'serve-80-tcp; x/b (node2) may only send to namespace y and to pod a on',
      'port 80. Tests: allowed and refused connections across nodes and on the',
      'same bridge (br_netfilter, physdev), the REJECT (icmp-port-unreachable)',
      'naming the pod and its policies, ICMP always allowed, the agent\'s',
      'chains and their counters.',
    ],
    build: () => {
      const c = cluster(staticRoutes(), POLICY_YAML);
      const a = ipOf(c, 'x/a');
      const b = ipOf(c, 'x/b');
      const ya = ipOf(c, 'y/a');
      const yb = ipOf(c, 'y/b');
      const fw = podChain('x', 'a');
      return render(c, [
        ...['x/a', 'x/b', 'y/a', 'y/b'].flatMap((p) => [listen(p, 80), listen(p, 81)]),
        'sleep 1',
        ...connect('x-b', a, 80),
        ...connect('x-b', a, 81),
        ...connect('y-b', a, 80),
        ...connect('y-a', a, 80),
        ...connect('x-b', ya, 81),
        ...connect('x-b', yb, 80),
        ...connect('y-a', b, 81),
        ...connect('x-a', b, 80),
        `ip netns exec y-a ping -c 1 -W 1 ${a}`,
        `ip netns exec node1 iptables -S KUBE-ROUTER-FORWARD`,
        `ip netns exec node1 iptables -S ${fw}`,
        `ip netns exec node1 iptables -L ${fw} -n -v -x`,
        `ip netns exec node1 iptables -L ${policyChain('x', 'a-from-b', 'ingress')} -n -v -x`,
        `ip netns exec node2 iptables -S ${policyChain('x', 'b-egress', 'egress')}`,
        `ip netns exec node2 iptables -L ${podChain('x', 'b')} -n -v -x`,
        `ip netns exec node1 iptables -S INPUT`,
        `ip netns exec node1 iptables -S FORWARD`,
      ]);
    },
  },
  {
    file: '405-k8s-policy-ipblock',
    about: [
      'ipBlock with except (a sub-chain RETURNs the excepted address before the',
      'allow mark: the twin has no ipset), an endPort range, and an egress rule',
      'with namespace and pod selectors, over flannel VXLAN. x/a accepts TCP',
      '80-81 from the pod network except y/a, and may only send to y/b:81.',
    ],
    build: () => {
      let c = cluster(flannelVxlan(), POLICY_YAML.split('---\napiVersion: networking.k8s.io/v1')[0]!);
      const ya = ipOf(c, 'y/a');
      c = applyK8s(c, policyBlockYaml(ya));
      const a = ipOf(c, 'x/a');
      const b = ipOf(c, 'x/b');
      const yb = ipOf(c, 'y/b');
      return render(c, [
        ...['x/a', 'x/b', 'y/a', 'y/b'].flatMap((p) => [listen(p, 80), listen(p, 81), listen(p, 82)]),
        'sleep 1',
        ...connect('x-b', a, 80),
        ...connect('x-b', a, 81),
        ...connect('x-b', a, 82),
        ...connect('y-a', a, 80),
        ...connect('y-b', a, 81),
        ...connect('x-a', yb, 81),
        ...connect('x-a', yb, 80),
        ...connect('x-a', b, 81),
        `ip netns exec node1 iptables -S ${policyChain('x', 'a-from-cidr', 'ingress')}`,
        `ip netns exec node1 iptables -L ${policyChain('x', 'a-from-cidr', 'ingress')} -n -v -x`,
        `ip netns exec node1 iptables -S ${policyChain('x', 'a-from-cidr', 'egress')}`,
      ]);
    },
  },
];

export function renderK8sConformance(k: K8sConformanceCase): string {
  const head = [`# ${k.file}: generated by src/k8s/conformance.ts (do not edit by hand).`, ...k.about.map((l) => `# ${l}`)];
  return head.join('\n') + '\n' + k.build();
}
