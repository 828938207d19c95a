/**
 * A NetworkPolicy agent in the style of kube-router's network policy
 * controller (pkg/controllers/netpol, iptables mode): per node, every local
 * pod gets a firewall chain, every policy that selects a local pod gets
 * chains of allow rules, and the verdict travels in the packet mark.
 *
 *   filter INPUT/FORWARD/OUTPUT  -> KUBE-ROUTER-INPUT/FORWARD/OUTPUT (inserted first)
 *   KUBE-ROUTER-FORWARD    -d <pod> -> KUBE-POD-FW-<hash>   ("ns/pod in"; also the bridged form)
 *                          -s <pod> -> KUBE-POD-FW-<hash>   ("ns/pod out")
 *                          mark 0x20000 -> ACCEPT             (passed every pod's checks)
 *   KUBE-POD-FW-*          -> KUBE-NWPLCY-COMMON (INVALID drop, ESTABLISHED accept, ICMP accept)
 *                          from the local node -> ACCEPT
 *                          not isolated: -> KUBE-NWPLCY-DEFAULT (marks 0x10000)
 *                          isolated: -> the policies' chains (an allow rule marks 0x10000)
 *                          unmarked -> REJECT, named after the pod, direction and policies
 *                          clear 0x10000, set 0x20000
 *   KUBE-NWPLCY-*          one allow rule pair per (peer, port): MARK then RETURN,
 *                          commented "<ns>/<policy> <ingress|egress>[<rule>] <pods|any|cidr>"
 *
 * So a trace through the node names the rule that allowed (the MARK rule's
 * comment) or the pod, direction and policies that denied (the REJECT's).
 *
 * Differences from kube-router, by design (the twin has no ipset):
 * - ipsets are expanded into rules: a source/destination set becomes one
 *   rule per address (`-s 10.244.1.3/32`); an ipBlock with `except` becomes a
 *   sub-chain that RETURNs for the excepted CIDRs before marking;
 * - a policy has one chain per direction (kube-router has one per policy and
 *   tells the directions apart by the target-pod ipset);
 * - the REJECT rule is split per direction so its comment can name the
 *   isolating policies (kube-router: "ns/pod reject");
 * - chain names do not change between syncs (kube-router hashes in a sync
 *   version: the twin's is empty); NFLOG logging of drops is not written
 *   (NFLOG and `limit` are not modelled);
 * - everything is written by one `iptables-restore --noflush` of kube-router's
 *   own chains (kube-router restores the whole filter table it read back).
 * Like kube-router: ICMP echo-request, destination-unreachable and
 * time-exceeded are always accepted (KUBE-NWPLCY-COMMON), and so is traffic
 * from the pod's own node; replies pass as ESTABLISHED.
 */
import { hash16 } from '../kube-proxy/names.js';
import type { PodStatusOf } from '../k8s/endpointslices.js';
import { matches } from '../k8s/selectors.js';
import { sorted, type K8sState } from '../k8s/store.js';
import type { K8sNetworkPolicy, K8sPod, PolicyPeer, PolicyPort, PolicyRule } from '../k8s/types.js';
import { keyOf } from '../k8s/types.js';

export const MARK_ALLOWED = '0x10000/0x10000';
export const MARK_OK = '0x20000/0x20000';

export const TOP_CHAINS = { INPUT: 'KUBE-ROUTER-INPUT', FORWARD: 'KUBE-ROUTER-FORWARD', OUTPUT: 'KUBE-ROUTER-OUTPUT' } as const;
export const DEFAULT_CHAIN = 'KUBE-NWPLCY-DEFAULT';
export const COMMON_CHAIN = 'KUBE-NWPLCY-COMMON';

export interface PolicyAgentOptions {
  /** kube-apiserver --service-cluster-ip-range (traffic to it is returned early in KUBE-ROUTER-INPUT). */
  readonly serviceCidr: string;
  /** --service-node-port-range. */
  readonly nodePortRange?: string;
}

/** podFirewallChainName(namespace, name, version) with an empty version. */
export function podChain(namespace: string, name: string): string {
  return `KUBE-POD-FW-${hash16(namespace + name)}`;
}

/** The twin's per-direction policy chain (kube-router: one per policy, networkPolicyChainName). */
export function policyChain(namespace: string, name: string, dir: 'ingress' | 'egress'): string {
  return `KUBE-NWPLCY-${hash16(namespace + name + dir + 'IPv4')}`;
}

function ipBlockChain(namespace: string, name: string, dir: 'ingress' | 'egress', rule: number, peer: number): string {
  return `KUBE-NWPLCY-${hash16(`${namespace}${name}${dir}${rule}.${peer}ipblock`)}`;
}

/** kube-router's rule identity: the comment gets " - " + base32(sha256(chain + args))[:16]. */
export function ruleUuid(chain: string, args: readonly string[]): string {
  return hash16(chain + args.join(''));
}

/** Does the policy select this pod (same namespace, podSelector matches)? */
export function selectsPod(p: K8sNetworkPolicy, pod: K8sPod): boolean {
  return p.metadata.namespace === pod.metadata.namespace && matches(p.podSelector, pod.metadata.labels);
}

/** The pods a peer stands for (podSelector and/or namespaceSelector), by key order. */
export function peerPods(s: K8sState, policy: K8sNetworkPolicy, peer: PolicyPeer): K8sPod[] {
  if (peer.ipBlock) return [];
  return sorted(s.pods).filter((pod) => {
    if (peer.namespaceSelector) {
      const ns = s.namespaces[pod.metadata.namespace];
      if (!ns || !matches(peer.namespaceSelector, ns.metadata.labels)) return false;
    } else if (pod.metadata.namespace !== policy.metadata.namespace) return false;
    return !peer.podSelector || matches(peer.podSelector, pod.metadata.labels);
  });
}

/** A policy port resolved for one pod: protocol and port range (named ports by the pod's containers). */
export function resolvePolicyPort(pp: PolicyPort, pod: K8sPod | undefined): { proto: string; lo?: number; hi?: number } | undefined {
  const proto = pp.protocol.toLowerCase();
  if (pp.port === undefined) return { proto };
  if (typeof pp.port === 'number') return { proto, lo: pp.port, hi: pp.endPort ?? pp.port };
  const cp = pod?.ports.find((p) => p.name === pp.port && p.protocol === pp.protocol);
  return cp ? { proto, lo: cp.containerPort, hi: cp.containerPort } : undefined;
}

const q = (s: string): string => `"${s}"`;

function portArgs(r: { proto: string; lo?: number; hi?: number }): string[] {
  if (r.lo === undefined) return ['-p', r.proto];
  return ['-p', r.proto, '-m', r.proto, '--dport', r.lo === r.hi ? String(r.lo) : `${r.lo}:${r.hi}`];
}

export interface CompiledPod {
  readonly pod: string;
  readonly ip: string;
  readonly chain: string;
  /** Policies isolating the pod per direction (empty: not isolated). */
  readonly ingressPolicies: readonly string[];
  readonly egressPolicies: readonly string[];
}

export interface PolicyAgentSync {
  /** `iptables-restore --noflush` input: kube-router's chains on this node. */
  readonly restore: string;
  readonly pods: readonly CompiledPod[];
  readonly activeChains: readonly string[];
}

/** The rules of one policy direction for the local pods it selects. */
function directionRules(
  s: K8sState,
  status: PodStatusOf,
  policy: K8sNetworkPolicy,
  dir: 'ingress' | 'egress',
  targets: readonly { pod: K8sPod; ip: string }[],
  chains: string[],
  rules: string[],
): void {
  const ns = policy.metadata.namespace;
  const name = policy.metadata.name;
  const chain = policyChain(ns, name, dir);
  chains.push(chain);
  const list: readonly PolicyRule[] = dir === 'ingress' ? policy.ingress : policy.egress;
  // The peer side: -s for ingress (the source), -d for egress (the destination).
  const peerFlag = dir === 'ingress' ? '-s' : '-d';
  const targetFlag = dir === 'ingress' ? '-d' : '-s';
  const allow = (args: readonly string[], comment: string): void => {
    const base = ['-m', 'comment', '--comment', q(comment), ...args];
    rules.push(['-A', chain, ...base, '-j', 'MARK', '--set-xmark', MARK_ALLOWED].join(' '));
    rules.push(['-A', chain, ...base, '-m', 'mark', '--mark', MARK_ALLOWED, '-j', 'RETURN'].join(' '));
  };
  list.forEach((rule, ri) => {
    const tag = (kind: string): string => `${ns}/${name} ${dir}[${ri}] ${kind}`;
    const numeric = rule.ports.filter((p) => typeof p.port !== 'string');
    const namedPorts = rule.ports.filter((p) => typeof p.port === 'string');
    // Numeric ports (or none: every port) match the same way whoever the pods are.
    const numericArgs: string[][] = rule.ports.length === 0 ? [[]] : numeric.map((pp) => portArgs(resolvePolicyPort(pp, undefined)!));
    // Named ports resolve per pod: ingress by the target's containers (so the rule names the target),
    // egress by the destination's (so the rule names the destination pod).
    const ingressNamed = (): string[][] =>
      dir === 'ingress' ? namedPorts.flatMap((pp) => targets.flatMap((t) => { const r = resolvePolicyPort(pp, t.pod); return r ? [[targetFlag, `${t.ip}/32`, ...portArgs(r)]] : []; })) : [];
    const egressNamedTo = (pod: K8sPod, ip: string): string[][] =>
      namedPorts.flatMap((pp) => { const r = resolvePolicyPort(pp, pod); return r ? [['-d', `${ip}/32`, ...portArgs(r)]] : []; });
    const podsWithIps = (): { pod: K8sPod; ip: string }[] =>
      sorted(s.pods).flatMap((pod) => { const ip = status(keyOf(pod))?.ip; return ip ? [{ pod, ip }] : []; });

    if (rule.peers.length === 0) {
      for (const a of numericArgs) allow(a, tag('any'));
      for (const a of ingressNamed()) allow(a, tag('any'));
      // Any destination with a named port: the pods that have that port (kube-router's named-port set).
      if (dir === 'egress') for (const { pod, ip } of podsWithIps()) for (const a of egressNamedTo(pod, ip)) allow(a, tag('any'));
      return;
    }
    rule.peers.forEach((peer, pi) => {
      if (peer.ipBlock) {
        const { cidr, except } = peer.ipBlock;
        const blockArgs = [...numericArgs.map((a) => [peerFlag, cidr, ...a]), ...ingressNamed().map((a) => [peerFlag, cidr, ...a])];
        if (except.length === 0) for (const a of blockArgs) allow(a, tag('cidr'));
        else if (blockArgs.length > 0) {
          const sub = ipBlockChain(ns, name, dir, ri, pi);
          chains.push(sub);
          for (const e of except) rules.push(['-A', sub, '-m', 'comment', '--comment', q(`${tag('cidr')} except ${e}`), peerFlag, e, '-j', 'RETURN'].join(' '));
          for (const a of blockArgs) {
            rules.push(['-A', sub, '-m', 'comment', '--comment', q(tag('cidr')), ...a, '-j', 'MARK', '--set-xmark', MARK_ALLOWED].join(' '));
            rules.push(['-A', chain, '-m', 'comment', '--comment', q(`${tag('cidr')} except ${except.join(',')}`), ...a, '-j', sub].join(' '));
            rules.push(['-A', chain, '-m', 'comment', '--comment', q(tag('cidr')), ...a, '-m', 'mark', '--mark', MARK_ALLOWED, '-j', 'RETURN'].join(' '));
          }
        }
        // Egress named ports to a block: the pods inside it (and not excepted) that have the port.
        if (dir === 'egress') {
          for (const { pod, ip } of podsWithIps()) {
            if (!inCidr(ip, cidr) || except.some((e) => inCidr(ip, e))) continue;
            for (const a of egressNamedTo(pod, ip)) allow(a, tag('cidr'));
          }
        }
        return;
      }
      for (const { pod, ip } of peerPods(s, policy, peer).flatMap((pod) => { const ip = status(keyOf(pod))?.ip; return ip ? [{ pod, ip }] : []; })) {
        const peerArgs = [peerFlag, `${ip}/32`];
        for (const a of numericArgs) allow([...peerArgs, ...a], tag('pods'));
        for (const a of ingressNamed()) allow([...peerArgs, ...a], tag('pods'));
        if (dir === 'egress') for (const a of egressNamedTo(pod, ip)) allow(a, tag('pods'));
      }
    });
  });
}

export function ipToNum(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(ipToNum(ip) / size) === Math.floor(ipToNum(net!) / size);
}

/**
 * The agent's sync on `node`: chains for its pods and for the policies that
 * select them. `existingChains` are the filter chains on the node now (stale
 * KUBE-POD-FW/KUBE-NWPLCY chains are flushed and deleted).
 */
export function compilePolicyAgent(s: K8sState, status: PodStatusOf, node: string, o: PolicyAgentOptions, existingChains: readonly string[] = []): PolicyAgentSync {
  const chains: string[] = [TOP_CHAINS.INPUT, TOP_CHAINS.FORWARD, TOP_CHAINS.OUTPUT, DEFAULT_CHAIN, COMMON_CHAIN];
  const rules: string[] = [];
  const add = (...a: string[]): void => void rules.push(a.join(' '));
  const npr = o.nodePortRange ?? '30000:32767';
  // ensureTopLevelChains' positioned rules of KUBE-ROUTER-INPUT (rewritten whole: the twin restores the chain).
  const positioned = (args: string[]): string[] => {
    const i = args.indexOf('--comment');
    const out = [...args];
    out[i + 1] = q(`${args[i + 1]} - ${ruleUuid(TOP_CHAINS.INPUT, args)}`);
    return out;
  };
  add('-A', TOP_CHAINS.INPUT, ...positioned(['-m', 'comment', '--comment', 'allow traffic to primary/secondary cluster IP range', '-d', o.serviceCidr, '-j', 'RETURN']));
  for (const p of ['TCP', 'UDP']) {
    add('-A', TOP_CHAINS.INPUT, ...positioned(['-p', p.toLowerCase(), '-m', 'comment', '--comment', `allow LOCAL ${p} traffic to node ports`, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'multiport', '--dports', npr, '-j', 'RETURN']));
  }
  add('-A', DEFAULT_CHAIN, '-j', 'MARK', '-m', 'comment', '--comment', q('rule to mark traffic matching a network policy'), '--set-xmark', MARK_ALLOWED);
  add('-A', COMMON_CHAIN, '-m', 'comment', '--comment', q('rule to drop invalid state for pod'), '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  add('-A', COMMON_CHAIN, '-m', 'comment', '--comment', q('rule for stateful firewall for pod'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
  for (const [t, c] of [
    ['echo-request', 'allow icmp echo requests'],
    ['destination-unreachable', 'allow icmp destination unreachable messages'],
    ['time-exceeded', 'allow icmp time exceeded messages'],
  ] as const) {
    add('-A', COMMON_CHAIN, '-m', 'comment', '--comment', q(c), '-p', 'icmp', '--icmp-type', t, '-j', 'ACCEPT');
  }

  const policies = sorted(s.policies);
  const local = sorted(s.pods)
    .map((pod) => ({ pod, st: status(keyOf(pod)) }))
    .filter((x) => x.st?.node === node && x.st.ip)
    .map((x) => ({ pod: x.pod, ip: x.st!.ip! }));

  // Policy chains: for each policy selecting a local pod, per direction it isolates.
  for (const p of policies) {
    const targets = local.filter((t) => selectsPod(p, t.pod));
    if (targets.length === 0) continue;
    if (p.policyTypes.includes('Ingress')) directionRules(s, status, p, 'ingress', targets, chains, rules);
    if (p.policyTypes.includes('Egress')) directionRules(s, status, p, 'egress', targets, chains, rules);
  }

  const compiledPods: CompiledPod[] = [];
  for (const { pod, ip } of local) {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name;
    const chain = podChain(ns, name);
    chains.push(chain);
    const mine = policies.filter((p) => selectsPod(p, pod));
    const ing = mine.filter((p) => p.policyTypes.includes('Ingress'));
    const egr = mine.filter((p) => p.policyTypes.includes('Egress'));
    const ip32 = `${ip}/32`;
    add('-A', chain, '-m', 'comment', '--comment', q('common netpol rules'), '-j', COMMON_CHAIN);
    add('-A', chain, '-m', 'comment', '--comment', q('from local node'), '-m', 'addrtype', '--src-type', 'LOCAL', '-d', ip32, '-j', 'ACCEPT');
    if (egr.length === 0) add('-A', chain, '-s', ip32, '-m', 'comment', '--comment', q('default egress'), '-j', DEFAULT_CHAIN);
    if (ing.length === 0) add('-A', chain, '-d', ip32, '-m', 'comment', '--comment', q('default ingress'), '-j', DEFAULT_CHAIN);
    for (const p of ing) add('-A', chain, '-d', ip32, '-m', 'comment', '--comment', q(`${keyOf(p)} policy ingress`), '-j', policyChain(p.metadata.namespace, p.metadata.name, 'ingress'));
    for (const p of egr) add('-A', chain, '-s', ip32, '-m', 'comment', '--comment', q(`${keyOf(p)} policy egress`), '-j', policyChain(p.metadata.namespace, p.metadata.name, 'egress'));
    const names = (ps: readonly K8sNetworkPolicy[]): string => ps.map((p) => p.metadata.name).join(',');
    if (ing.length > 0) add('-A', chain, '-d', ip32, '-m', 'comment', '--comment', q(`${ns}/${name} reject ingress: no rule of ${ns}/${names(ing)} allows it`), '-m', 'mark', '!', '--mark', MARK_ALLOWED, '-j', 'REJECT');
    if (egr.length > 0) add('-A', chain, '-s', ip32, '-m', 'comment', '--comment', q(`${ns}/${name} reject egress: no rule of ${ns}/${names(egr)} allows it`), '-m', 'mark', '!', '--mark', MARK_ALLOWED, '-j', 'REJECT');
    add('-A', chain, '-j', 'MARK', '--set-mark', '0/0x10000');
    add('-A', chain, '-m', 'comment', '--comment', q('set netpol-ok mark'), '-j', 'MARK', '--set-mark', MARK_OK);
    compiledPods.push({ pod: keyOf(pod), ip, chain, ingressPolicies: ing.map(keyOf), egressPolicies: egr.map(keyOf) });
  }
  // Intercepts in the top-level chains: traffic to the pod (routed, locally sent, bridged), then from it.
  for (const { pod, ip } of local) {
    const chain = podChain(pod.metadata.namespace, pod.metadata.name);
    const inC = q(`${keyOf(pod)} in`);
    add('-A', TOP_CHAINS.FORWARD, '-m', 'comment', '--comment', inC, '-d', `${ip}/32`, '-j', chain);
    add('-A', TOP_CHAINS.OUTPUT, '-m', 'comment', '--comment', inC, '-d', `${ip}/32`, '-j', chain);
    add('-A', TOP_CHAINS.FORWARD, '-m', 'physdev', '--physdev-is-bridged', '-m', 'comment', '--comment', inC, '-d', `${ip}/32`, '-j', chain);
  }
  for (const { pod, ip } of local) {
    const chain = podChain(pod.metadata.namespace, pod.metadata.name);
    const outC = q(`${keyOf(pod)} out`);
    for (const top of [TOP_CHAINS.INPUT, TOP_CHAINS.FORWARD, TOP_CHAINS.OUTPUT]) add('-A', top, '-m', 'comment', '--comment', outC, '-s', `${ip}/32`, '-j', chain);
    add('-A', TOP_CHAINS.FORWARD, '-m', 'physdev', '--physdev-is-bridged', '-m', 'comment', '--comment', outC, '-s', `${ip}/32`, '-j', chain);
  }
  for (const top of [TOP_CHAINS.INPUT, TOP_CHAINS.FORWARD, TOP_CHAINS.OUTPUT]) {
    add('-A', top, '-m', 'comment', '--comment', q('rule to explicitly ACCEPT traffic that comply to network policies'), '-m', 'mark', '--mark', MARK_OK, '-j', 'ACCEPT');
  }
  // Stale chains: flush (chain line) and delete.
  const active = new Set(chains);
  const stale = existingChains.filter((c) => !active.has(c) && (c.startsWith('KUBE-POD-FW-') || c.startsWith('KUBE-NWPLCY-')));
  for (const c of stale) rules.push(`-X ${c}`);
  const restore = ['*filter', ...chains.map((c) => `:${c} - [0:0]`), ...stale.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT'].join('\n') + '\n';
  return { restore, pods: compiledPods, activeChains: chains };
}
