import { describe, expect, it } from 'vitest';
import { calico, flannelVxlan, journalScript, ping, reconcile, weave } from '../../src/cluster/index.js';
import { applyK8s } from '../../src/k8s/apply.js';
import { k8sState, podStatusOf } from '../../src/k8s/on-cluster.js';
import { compilePolicyAgent, podChain, policyChain } from '../../src/policy/compile.js';
import { policyAllows } from '../../src/policy/semantics.js';
import { twinVerdict } from '../../src/policy/matrix.js';
import { parseIp4 } from '../../src/model/addr.js';
import { probe } from '../../src/sim/send.js';
import { runScript } from '../../src/shell/interp.js';
import { disagreements, matrix, withPolicies, xyzCluster } from './helpers.js';

const ALLOW_B = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: serve-80-tcp}]}]
`;

function connect(c: ReturnType<typeof xyzCluster>, from: string, to: string, port: number) {
  const r = probe(c.world, { from: from.replace('/', '-'), to: parseIp4(c.pods[to.replace('/', '-')]!.ip!)!, proto: 'tcp', dport: port });
  return { r, v: twinVerdict(r.traces[0], to.replace('/', '-')) };
}

describe('the policy agent on a cluster', () => {
  const c = withPolicies(ALLOW_B);

  it('a denied trace names the pod, the direction and the policy; an allowed one names the rule', () => {
    const denied = connect(c, 'y/b', 'x/a', 80);
    expect(denied.v.allowed).toBe(false);
    expect(denied.v.deniedBy).toBe('x/a reject ingress: no rule of x/a-from-b allows it');
    expect(denied.r.traces[0]!.disposition).toBe('rejected');
    // kube-router rejects with icmp-port-unreachable: the client sees "connection refused".
    expect(denied.r.outcome.kind).toBe('icmp_error');
    const allowed = connect(c, 'x/b', 'x/a', 80);
    expect(allowed.v.allowed).toBe(true);
    expect(allowed.v.allowedBy).toEqual(['x/a-from-b ingress[0] pods']);
    const wrongPort = connect(c, 'x/b', 'x/a', 81);
    expect(wrongPort.v.deniedBy).toBe('x/a reject ingress: no rule of x/a-from-b allows it');
  });

  it('the semantics explain the same verdicts', () => {
    const s = k8sState(c);
    const st = podStatusOf(c);
    expect(policyAllows(s.api, st, { pod: 'y/b' }, { pod: 'x/a' }, 'TCP', 80).reason).toBe('ingress of x/a denied: isolated by x/a-from-b and no rule allows it');
    expect(policyAllows(s.api, st, { pod: 'x/b' }, { pod: 'x/a' }, 'TCP', 80).ingress.allowedBy).toBe('x/a-from-b ingress[0]');
    expect(policyAllows(s.api, st, { pod: 'x/a' }, { pod: 'x/a' }, 'TCP', 81).allowed).toBe(true);
    expect(policyAllows(s.api, st, { ip: '203.0.113.10' }, { pod: 'x/a' }, 'TCP', 80).allowed).toBe(false);
  });

  it('ICMP echo requests pass every policy (kube-router\'s common chain)', () => {
    expect(ping(c, 'y-b', 'x-a').verdict).toBe('ok');
  });

  it('writes kube-router\'s chains: pod firewall, policy chains, top-level jumps first', () => {
    const node = c.pods['x-a']!.node;
    const out = runScript(`ip netns exec ${node} iptables -S FORWARD\nip netns exec ${node} iptables -S ${podChain('x', 'a')}\n`, { world: c.world }).output;
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^-A FORWARD -m comment --comment "kube-router netpol - [A-Z2-7]{16}" -j KUBE-ROUTER-FORWARD$/);
    expect(out).toContain(`-A ${podChain('x', 'a')} -d ${c.pods['x-a']!.ip}/32 -m comment --comment "x/a-from-b policy ingress" -j ${policyChain('x', 'a-from-b', 'ingress')}`);
    expect(out).toContain(`-A ${podChain('x', 'a')} -s ${c.pods['x-a']!.ip}/32 -m comment --comment "default egress" -j KUBE-NWPLCY-DEFAULT`);
    expect(c.events).toEqual([]);
  });

  it('a node whose agent lags does not enforce a new policy yet', () => {
    const node = c.pods['x-c']!.node;
    const deny = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-c, namespace: x}\nspec: {podSelector: {matchLabels: {pod: c}}, policyTypes: [Ingress]}\n`;
    const lag = applyK8s(c, deny, { reconcile: { skip: [`kube-router@${node}`] } });
    expect(connect(lag, 'y/a', 'x/c', 80).v.allowed).toBe(true);
    const synced = reconcile(lag);
    expect(connect(synced, 'y/a', 'x/c', 80).v.deniedBy).toBe('x/c reject ingress: no rule of x/deny-c allows it');
  });

  it('compiles ipsets into one rule per address, and except into a sub-chain', () => {
    const d = withPolicies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.96.0.0/12, 10.244.5.0/24]}}]
`);
    const node = d.pods['x-a']!.node;
    const sync = compilePolicyAgent(k8sState(d).api, podStatusOf(d), node, { serviceCidr: '10.96.0.0/12' });
    const chain = policyChain('x', 'from-y', 'ingress');
    const marks = sync.restore.split('\n').filter((l) => l.startsWith(`-A ${chain} `) && l.includes('ingress[0] pods') && l.includes('-j MARK'));
    expect(marks.map((l) => /-s (\S+)/.exec(l)![1])).toEqual(['y/a', 'y/b', 'y/c'].map((p) => `${d.pods[p.replace('/', '-')]!.ip}/32`));
    const sub = sync.restore.split('\n').filter((l) => l.includes('ingress[1] cidr except 10.'));
    expect(sub.filter((l) => l.endsWith('-j RETURN')).map((l) => /-s (\S+)/.exec(l)![1])).toEqual(['10.96.0.0/12', '10.244.5.0/24']);
    expect(sub.filter((l) => l.startsWith(`-A ${chain} `))).toHaveLength(1);
  });

  it('the journal replays: the agents wrote only lines the twin shell runs', () => {
    const text = journalScript(c);
    expect(text).toContain('ip netns exec node1 iptables-restore -w --noflush < node1-kube-router.rules');
    const r = runScript(text, {});
    expect(r.unsupported).toEqual([]);
    expect(runScript('ip netns exec node1 iptables-save -t filter\n', { world: r.world }).output).toBe(runScript('ip netns exec node1 iptables-save -t filter\n', { world: c.world }).output);
  });
});

describe('other pod networks', () => {
  for (const [name, design] of [['flannel VXLAN', flannelVxlan()], ['Calico', calico()], ['Weave (bridged same-node traffic)', weave()]] as const) {
    it(`enforces the same truth table on ${name}`, () => {
      const c = withPolicies(ALLOW_B, xyzCluster(design));
      const m = matrix(c, [{ protocol: 'TCP', port: 80 }]);
      expect(disagreements(m, (from, to) => to !== 'x/a' || from === 'x/b')).toEqual([]);
    });
  }
});
