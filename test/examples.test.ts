/**
 * Every example under examples/*.yaml runs and all its expectations hold
 * (what `npx podnet run examples/*.yaml` checks), and for each one a mutation
 * of one route or rule makes its expectations fail - proof that they test the
 * topology and not nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type RunReport } from '../src/scenarios/index.js';

const DIR = new URL('../examples/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Insert a step at the start of spec.steps. */
const firstStep = (step: string) => ({ find: '  steps:\n', replace: `  steps:\n    - ${step}\n` });

/** One mutation per example: a route or rule removed, changed or added. */
const MUTATIONS: Record<string, { find: string; replace: string; why: string }> = {
  '01-docker-bridge.yaml': { find: '        iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n', replace: '', why: 'no MASQUERADE rule: the server sees 172.17.0.3 and cannot answer' },
  '02-container-mode.yaml': { ...firstStep('fault: { ruleInsert: "-I INPUT -p tcp --dport 8080 -j DROP", on: pod/app }'), why: 'the pod drops TCP 8080' },
  '03-pause-container.yaml': { ...firstStep('fault: { ruleInsert: "-I INPUT -p tcp --dport 80 -j DROP", on: pod/web }'), why: 'the pod drops TCP 80' },
  '04-pods-one-node.yaml': { ...firstStep('fault: { routeDelete: 10.244.1.0/24, on: pod/frontend }'), why: 'frontend loses its route to the pod subnet' },
  '05-graphic4-switch.yaml': { find: 'routes: ["10.244.2.0/24 via 192.168.0.11"]', replace: 'routes: []', why: 'node-a has no route to node-b\'s pod subnet' },
  '06-graphic4-router.yaml': { find: '        - 10.244.2.0/24 via 192.168.2.10\n', replace: '', why: 'the router has no route to node-b\'s pod subnet' },
  '07-public-network-overlay.yaml': { find: '          ip route add 10.244.2.0/24 via 10.255.0.2\n', replace: '', why: 'node-a does not route node-b\'s pod subnet into the tunnel' },
  '08-cni-script-plugin.yaml': { find: '        sysctl -qw net.ipv4.conf.veth-$ARG_K8S_POD_NAME.proxy_arp=1\n', replace: '', why: 'no proxy ARP: nobody answers for the pods\' gateway 169.254.1.1' },
  '09-kubenet.yaml': { find: '        - 10.244.2.0/24 via 10.0.0.11\n', replace: '', why: 'the cloud route to node-b\'s pod CIDR is missing' },
  '10-kubelet-cri-cni.yaml': { ...firstStep('fault: { ruleInsert: "-I OUTPUT -p tcp --dport 80 -j REJECT", on: node/node-a }'), why: 'the node rejects its own connections to port 80' },
  '11-ipmasq-mistake.yaml': { find: '      fault: { ruleInsert: "-t nat -I POSTROUTING -s 10.244.0.0/16 -d 10.244.0.0/16 -j RETURN", on: node/node-a }', replace: '      fault: { ruleInsert: "-t nat -I POSTROUTING -s 10.244.0.0/16 -d 10.96.0.0/12 -j RETURN", on: node/node-a }', why: 'the exemption names the wrong destination' },
  '12-network-policy.yaml': { find: '          iptables -A POLICY-backend -s 10.244.1.2/32 -p tcp --dport 8080 -j ACCEPT\n', replace: '          iptables -A POLICY-backend -s 10.244.1.4/32 -p tcp --dport 8080 -j ACCEPT\n', why: 'the policy admits intruder instead of frontend' },
  // spec.cluster examples: the design programs the routes, so the mutation breaks one of them first.
  '13-plugin-daemonset.yaml': { ...firstStep('fault: { routeDelete: 10.244.1.0/24, on: node/node1 }'), why: "node1 loses flanneld's route to node2's subnet" },
  '14-routing-daemon-bird.yaml': { ...firstStep('fault: { routeDelete: 10.244.0.64/26, on: machine/router }'), why: "the router loses the route BIRD gave it for node2's block" },
  '15-compare-calico.yaml': { ...firstStep('fault: { routeDelete: 10.244.0.64/26, on: node/node1 }'), why: "node1 loses BIRD's route to node2's block" },
  '16-compare-cilium.yaml': { ...firstStep('fault: { routeDelete: 10.244.1.0/24, on: node/node1 }'), why: "node1 loses the tunnel route to node2's podCIDR" },
  '17-compare-weave.yaml': { ...firstStep('fault: { routeDelete: 10.32.0.0/12, on: pod/a1 }'), why: 'a1 loses its on-link route: its packets are routed by node1 (TTL 63)' },
  '18-overlay-mtu-mismatch.yaml': { ...firstStep('fault: { routeDelete: 10.244.1.0/24, on: node/node1 }'), why: 'node1 sends pod packets to the internet unencapsulated, where they are dropped' },
};

function runText(file: string, text: string): RunReport {
  const r = loadScenario(text, { file });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`).join('\n'));
  return runScenario(r.scenario);
}

function failed(r: RunReport): string[] {
  return [
    ...r.invalid.map((i) => `${i.file}:${i.pos.line}:${i.pos.col}: ${i.message}`),
    ...r.steps.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `${r.scenario.file}:${c.pos.line}:${c.pos.col}: step ${s.index} ${c.what}: expected ${c.expected}, got ${c.actual}`)),
  ];
}

describe('examples', () => {
  it('every seed concept example is here', () => {
    expect(FILES).toEqual(Object.keys(MUTATIONS).sort());
  });
  for (const f of FILES) {
    describe(f, () => {
      const text = readFileSync(new URL(f, DIR), 'utf8');
      it('opens with a picture of its topology and says how to run it', () => {
        expect(text.split('\n')[0]).toMatch(/^# /);
        expect(text).toMatch(/^# +[-+|=]{3,}/m);
        expect(text).toMatch(new RegExp(`^# Run it: +npx podnet run (-v )?examples/${f.replace('.', '\\.')}$`, 'm'));
      });
      it('runs, and every expectation holds', () => {
        const r = runText(`examples/${f}`, text);
        expect(failed(r)).toEqual([]);
        expect(r.steps.flatMap((s) => s.checks).length).toBeGreaterThan(3);
      });
      it(`fails when broken: ${MUTATIONS[f]?.why ?? '(no mutation)'}`, () => {
        const m = MUTATIONS[f]!;
        expect(text).toContain(m.find);
        const r = runText(`examples/${f}`, text.replace(m.find, m.replace));
        expect(r.invalid).toEqual([]);
        expect(failed(r).length).toBeGreaterThan(0);
      });
    });
  }
});
