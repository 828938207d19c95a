/**
 * The NetworkPolicy agent (src/policy/compile.ts) as an agent of a
 * src/cluster Cluster: one per node, `kube-router@node1`.
 *
 * At start (item `setup`), as kube-router's ensureTopLevelChains does with
 * go-iptables (`--wait` last): the chains KUBE-ROUTER-INPUT/FORWARD/OUTPUT and
 * the jumps to them, inserted first in INPUT, FORWARD and OUTPUT.
 * Every sync (item `sync`): its chains in one `iptables-restore --noflush`
 * from a file (`<node>-kube-router.rules`).
 */
import { writeFileLine } from '../cluster/exec.js';
import type { AgentItem, AgentPlan, Cluster } from '../cluster/types.js';
import { k8sState, podStatusOf } from '../k8s/on-cluster.js';
import { shellWord } from '../kube-proxy/agent.js';
import { compilePolicyAgent, ruleUuid, TOP_CHAINS, type PolicyAgentSync } from './compile.js';

function filterChainsOn(c: Cluster, node: string): string[] {
  const t = c.world.ns[node]?.netfilter.tables.filter;
  return t ? t.chains.filter((ch) => ch.policy === undefined).map((ch) => ch.name) : [];
}

/** What the agent on `node` would write now (undefined: the agent does not run in this cluster). */
export function policyAgentSync(c: Cluster, node: string): PolicyAgentSync | undefined {
  const s = k8sState(c);
  if (!s.policyAgent) return undefined;
  return compilePolicyAgent(s.api, podStatusOf(c), node, { serviceCidr: s.api.serviceCidr }, filterChainsOn(c, node));
}

function setupItem(node: string): AgentItem {
  const ns = `ip netns exec ${node}`;
  const add: string[] = [];
  const del: string[] = [];
  for (const [builtin, custom] of Object.entries(TOP_CHAINS)) {
    add.push(`${ns} iptables -t filter -N ${custom} --wait`);
    const args = ['-m', 'comment', '--comment', 'kube-router netpol', '-j', custom];
    const uuid = ruleUuid(builtin, args);
    const spec = ['-m', 'comment', '--comment', `kube-router netpol - ${uuid}`, '-j', custom].map(shellWord).join(' ');
    add.push(`${ns} iptables -t filter -I ${builtin} 1 ${spec} --wait`);
    del.unshift(`${ns} iptables -t filter -D ${builtin} ${spec} --wait`);
  }
  return { key: 'setup', add, del };
}

export function policyAgentPlans(c: Cluster): AgentPlan[] {
  if (!k8sState(c).policyAgent) return [];
  return c.nodeOrder.map((node) => {
    const sync = policyAgentSync(c, node)!;
    const file = `${node}-kube-router.rules`;
    return {
      who: `kube-router@${node}`,
      ns: node,
      items: [setupItem(node), { key: 'sync', add: [writeFileLine(file, sync.restore), `ip netns exec ${node} iptables-restore -w --noflush < ${file}`], del: [] }],
    };
  });
}
