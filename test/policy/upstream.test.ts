/**
 * The upstream NetworkPolicy semantics (the cases of the Kubernetes e2e suite
 * test/e2e/network/netpol/network_policy.go and of cyclonus), each as its
 * policy YAML and a hand-written truth table. Each case checks both the
 * semantics oracle (src/policy/semantics.ts) and the twin: connections traced
 * through the nodes' iptables as the policy agent programmed them.
 */
import { describe, expect, it } from 'vitest';
import { deleteK8s, disagreements, matrix, name, ns, withPolicies, xyzCluster, type Expect } from './helpers.js';

const NP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n';

interface Case {
  readonly title: string;
  readonly yaml: string;
  readonly expect: Expect;
  readonly ports?: readonly { protocol: 'TCP' | 'UDP'; port: number }[];
}

const isolatedIngress = (target: (p: string) => boolean, allowed: Expect): Expect => (from, to, port) => (target(to) ? allowed(from, to, port) : true);

const CASES: readonly Case[] = [
  {
    title: "should support a 'default-deny-ingress' policy",
    yaml: `${NP}metadata: {name: deny-ingress, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`,
    expect: (_f, to) => ns(to) !== 'x',
  },
  {
    title: "should support a 'default-deny-all' policy",
    yaml: `${NP}metadata: {name: deny-all, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n`,
    expect: (from, to) => ns(to) !== 'x' && ns(from) !== 'x',
  },
  {
    title: 'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    yaml: `${NP}metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => from === 'x/b'),
  },
  {
    title: 'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    yaml: `${NP}metadata: {name: allow-client-a-via-ns-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => ns(from) === 'y'),
  },
  {
    title: 'should enforce policy based on PodSelector with MatchExpressions',
    yaml: `${NP}metadata: {name: allow-ns-x-pod-b-via-match-expressions, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => from === 'x/b'),
  },
  {
    title: 'should enforce policy based on NamespaceSelector with MatchExpressions',
    yaml: `${NP}metadata: {name: allow-ns-y-via-match-expressions, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x, z]}]}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => ns(from) === 'y'),
  },
  {
    title: 'should enforce policy based on PodSelector or NamespaceSelector',
    yaml: `${NP}metadata: {name: allow-ns-y-or-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    - podSelector: {matchLabels: {pod: b}}
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => ns(from) === 'y' || from === 'x/b'),
  },
  {
    title: 'should enforce policy based on PodSelector and NamespaceSelector',
    yaml: `${NP}metadata: {name: allow-ns-y-and-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: b}}
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => from === 'y/b'),
  },
  {
    title: 'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    yaml: `${NP}metadata: {name: allow-y-z-pods-a-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}
      podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => ns(from) !== 'x' && name(from) !== 'c'),
  },
  {
    title: 'should enforce policy based on any PodSelectors (an empty podSelector in a peer: every pod of the namespace)',
    yaml: `${NP}metadata: {name: allow-x-pods, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => ns(from) === 'x'),
  },
  {
    title: 'an empty namespaceSelector selects every namespace',
    yaml: `${NP}metadata: {name: allow-all-ns-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from) => name(from) === 'b'),
  },
  {
    title: 'should enforce policy based on Ports',
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }],
    yaml: `${NP}metadata: {name: allow-ingress-on-port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 81}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from, _to, port) => ns(from) === 'y' && port.port === 81),
  },
  {
    title: 'should allow ingress access on one named port',
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }],
    yaml: `${NP}metadata: {name: allow-all-ingress-on-named-port, namespace: x}
spec:
  podSelector: {}
  ingress: [{ports: [{port: serve-81-tcp}]}]
`,
    expect: isolatedIngress((p) => ns(p) === 'x', (_f, _t, port) => port.port === 81),
  },
  {
    title: 'should enforce multiple, stacked policies with overlapping podSelectors (policies add up)',
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }],
    yaml: `${NP}metadata: {name: allow-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 80}]}]
---
${NP}metadata: {name: allow-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: z}}}], ports: [{port: 81}]}]
`,
    expect: isolatedIngress((p) => p === 'x/a', (from, _to, port) => (ns(from) === 'y' && port.port === 80) || (ns(from) === 'z' && port.port === 81)),
  },
  {
    title: 'should enforce ingress policy allowing any port traffic to a server on a specific protocol (TCP only: UDP stays denied)',
    yaml: `${NP}metadata: {name: allow-tcp, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{protocol: TCP}]}]
`,
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 80 }],
    expect: isolatedIngress((p) => p === 'x/a', (_f, _t, port) => port.protocol === 'TCP'),
  },
  {
    title: 'should not allow access by TCP when a policy specifies only UDP',
    yaml: `${NP}metadata: {name: allow-only-udp-ingress-on-port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 81, protocol: UDP}]}]
`,
    ports: [{ protocol: 'TCP', port: 81 }, { protocol: 'UDP', port: 81 }],
    expect: isolatedIngress((p) => p === 'x/a', (_f, _t, port) => port.protocol === 'UDP'),
  },
  {
    title: 'should support denying of egress traffic on the client side (even if the server explicitly allows it)',
    yaml: `${NP}metadata: {name: deny-egress-from-x-a, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}
---
${NP}metadata: {name: allow-all-to-y, namespace: y}
spec: {podSelector: {}, ingress: [{}]}
`,
    expect: (from) => from !== 'x/a',
  },
  {
    title: 'should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    yaml: `${NP}metadata: {name: allow-to-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: b}}}]}]
`,
    expect: (from, to) => from !== 'x/a' || to === 'y/b',
  },
  {
    title: 'should allow egress access on one named port (the destination pod resolves it)',
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }],
    yaml: `${NP}metadata: {name: allow-egress-on-named-port, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{ports: [{port: serve-80-tcp}]}]
`,
    expect: (from, _to, port) => from !== 'x/a' || port.port === 80,
  },
  {
    title: 'should enforce egress policy allowing traffic to a port range (endPort)',
    yaml: `${NP}metadata: {name: allow-egress-80-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 80, endPort: 81}]}]
`,
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81 }, { protocol: 'TCP', port: 82 }],
    expect: (from, _to, port) => from !== 'x/a' || port.port <= 81,
  },
  {
    title: 'egress rules without policyTypes isolate ingress too (policyTypes default to [Ingress, Egress])',
    yaml: `${NP}metadata: {name: egress-to-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
`,
    expect: (from, to) => to !== 'x/a' && (from !== 'x/a' || ns(to) === 'y'),
  },
  {
    title: 'should work with Ingress, Egress specified together',
    yaml: `${NP}metadata: {name: ingress-from-y-egress-to-z, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
  egress: [{to: [{namespaceSelector: {matchLabels: {ns: z}}}]}]
`,
    expect: (from, to) => (to === 'x/a' ? ns(from) === 'y' : true) && (from === 'x/a' ? ns(to) === 'z' : true),
  },
  {
    title: 'policyTypes default: Egress only when spec.egress has rules (an egress-less policy does not isolate egress)',
    yaml: `${NP}metadata: {name: ingress-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
`,
    expect: (from, to) => (to === 'x/a' ? from === 'x/b' : true),
  },
  {
    title: 'an ingress rule with neither from nor ports allows everything (allow-all)',
    yaml: `${NP}metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
${NP}metadata: {name: allow-all, namespace: x}
spec: {podSelector: {}, ingress: [{}]}
`,
    expect: () => true,
  },
];

describe('upstream NetworkPolicy cases (semantics and twin)', () => {
  for (const k of CASES) {
    it(k.title, () => {
      const c = withPolicies(k.yaml);
      expect(c.events).toEqual([]);
      // TCP/81 only in the cases about ports (halves the run time).
      const m = matrix(c, k.ports ?? [{ protocol: 'TCP', port: 80 }]);
      expect(disagreements(m, k.expect)).toEqual([]);
    });
  }

  it('should enforce ingress policy allowing traffic from pods in an ipBlock except one (pods by address)', () => {
    const base = xyzCluster();
    const ipOf = (p: string): string => base.pods[p.replace('/', '-')]!.ip!;
    // Allow the whole pod network except y/b's address.
    const yaml = `${NP}metadata: {name: allow-cidr-except-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16, except: [${ipOf('y/b')}/32]}}]}]
`;
    const m = matrix(withPolicies(yaml, base), [{ protocol: 'TCP', port: 80 }]);
    expect(disagreements(m, isolatedIngress((p) => p === 'x/a', (from) => from !== 'y/b'))).toEqual([]);
    const denied = m.cells.find((c) => c.from === 'y/b' && c.to === 'x/a')!;
    expect(denied.twin.deniedBy).toBe('x/a reject ingress: no rule of x/allow-cidr-except-y-b allows it');
  });

  it('should enforce except clause while egress access to server in CIDR block', () => {
    const base = xyzCluster();
    const ipOf = (p: string): string => base.pods[p.replace('/', '-')]!.ip!;
    const yaml = `${NP}metadata: {name: deny-client-a-via-except-cidr-egress-rule, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16, except: [${ipOf('x/b')}/32, ${ipOf('z/c')}/32]}}]}]
`;
    const m = matrix(withPolicies(yaml, base), [{ protocol: 'TCP', port: 80 }]);
    expect(disagreements(m, (from, to) => from !== 'x/a' || (to !== 'x/b' && to !== 'z/c'))).toEqual([]);
  });

  it('should stop enforcing policies after they are deleted', () => {
    let c = withPolicies(CASES[0]!.yaml);
    expect(disagreements(matrix(c, [{ protocol: 'TCP', port: 80 }]), CASES[0]!.expect)).toEqual([]);
    c = deleteK8s(c, 'NetworkPolicy', 'x/deny-ingress');
    expect(disagreements(matrix(c, [{ protocol: 'TCP', port: 80 }]), () => true)).toEqual([]);
    // The agent deleted the policy's chains (kube-router's stale chain cleanup).
    expect(c.journal.some((e) => e.who === 'kube-router@node1' && e.line.includes('-X KUBE-NWPLCY-'))).toBe(true);
    const filter = c.world.ns['node1']!.netfilter.tables.filter!;
    expect(filter.chains.filter((ch) => ch.name.startsWith('KUBE-NWPLCY-')).map((ch) => ch.name).sort()).toEqual(['KUBE-NWPLCY-COMMON', 'KUBE-NWPLCY-DEFAULT']);
  });

  it('should enforce updated policy (a new pod matching a selector is allowed once the agents sync)', () => {
    const c = withPolicies(CASES[2]!.yaml);
    const c2 = withPolicies(`apiVersion: v1\nkind: Pod\nmetadata: {name: b2, namespace: x, labels: {pod: b}}\nspec: {nodeName: node3}\n`, c);
    const m = matrix(c2, [{ protocol: 'TCP', port: 80 }]);
    expect(disagreements(m, isolatedIngress((p) => p === 'x/a', (from) => from === 'x/b' || from === 'x/b2'))).toEqual([]);
  });
});
