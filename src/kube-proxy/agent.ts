/**
 * kube-proxy as an agent of a src/cluster Cluster: one per node
 * (`kube-proxy@node1`), typing into the journal what the real one runs.
 *
 * At start (item `setup`): the sysctl for localhost NodePorts, the canary
 * chains its iptables monitor creates, and the jump chains and rules
 * (EnsureChain `iptables -N`, EnsureRule `iptables -I`, as utiliptables
 * calls them, with `-w 5 -W 100000`).
 * Every sync (item `sync`): the whole ruleset as one iptables-restore
 * (`--noflush --counters`); the rules text is written to a file first
 * (`<node>-kube-proxy.rules`: the twin shell has no pipes).
 *
 * Lagging or stopped kube-proxies are the cluster's reconcile options
 * (`reconcile(c, { skip: ['kube-proxy@node2'] })`, setAgentRunning).
 */
import { writeFileLine } from '../cluster/exec.js';
import { clusterCidr } from '../cluster/cluster.js';
import type { AgentItem, AgentPlan, Cluster } from '../cluster/types.js';
import { serviceSlices } from '../k8s/endpointslices.js';
import { k8sState, podStatusOf } from '../k8s/on-cluster.js';
import { sorted } from '../k8s/store.js';
import { compileKubeProxy, jumpRules, type KubeProxyOptions, type KubeProxySync } from './compile.js';

const IPT = 'iptables -w 5 -W 100000';

/** A shell word: quoted when it has blanks or shell characters. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:,=@%+!^-]+$/.test(w) ? w : `"${w.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function kubeProxyOptions(c: Cluster): KubeProxyOptions | undefined {
  const s = k8sState(c);
  if (s.kubeProxy === false) return undefined;
  return { clusterCidr: clusterCidr(c), ...s.kubeProxy };
}

/** The nat chains on a node now (what kube-proxy reads back with iptables-save). */
function natChainsOn(c: Cluster, node: string): string[] {
  const t = c.world.ns[node]?.netfilter.tables.nat;
  return t ? t.chains.filter((ch) => ch.policy === undefined).map((ch) => ch.name) : [];
}

/** What kube-proxy on `node` would write now. */
export function kubeProxySync(c: Cluster, node: string): KubeProxySync | undefined {
  const o = kubeProxyOptions(c);
  if (!o) return undefined;
  const s = k8sState(c);
  const status = podStatusOf(c);
  const inputs = sorted(s.api.services).map((service) => ({ service, slices: serviceSlices(s.api, service, status) }));
  return compileKubeProxy(inputs, o, natChainsOn(c, node));
}

function setupItem(node: string, o: KubeProxyOptions): AgentItem {
  const ns = `ip netns exec ${node}`;
  const add: string[] = [];
  const del: string[] = [];
  if (o.localhostNodePorts ?? true) add.push(`${ns} sysctl -qw net.ipv4.conf.all.route_localnet=1`);
  for (const t of ['mangle', 'nat', 'filter']) add.push(`${ns} ${IPT} -N KUBE-PROXY-CANARY -t ${t}`);
  const made = new Set<string>();
  for (const j of jumpRules(o)) {
    const id = `${j.table}/${j.chain}`;
    if (!made.has(id)) {
      made.add(id);
      add.push(`${ns} ${IPT} -N ${j.chain} -t ${j.table}`);
    }
    const args = j.args.map(shellWord).join(' ');
    add.push(`${ns} ${IPT} -I ${j.from} -t ${j.table} ${args}`);
    del.unshift(`${ns} ${IPT} -D ${j.from} -t ${j.table} ${args}`);
  }
  return { key: 'setup', add, del };
}

/** The kube-proxy agents' plans (one per node). */
export function kubeProxyPlans(c: Cluster): AgentPlan[] {
  const o = kubeProxyOptions(c);
  if (!o) return [];
  return c.nodeOrder.map((node) => {
    const sync = kubeProxySync(c, node)!;
    const file = `${node}-kube-proxy.rules`;
    const items: AgentItem[] = [
      setupItem(node, o),
      { key: 'sync', add: [writeFileLine(file, sync.restore), `ip netns exec ${node} iptables-restore -w 5 -W 100000 --noflush --counters < ${file}`], del: [] },
    ];
    return { who: `kube-proxy@${node}`, ns: node, items };
  });
}
