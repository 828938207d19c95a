/**
 * kube-proxy's iptables mode (v1.28, pkg/proxy/iptables/proxier.go
 * syncProxyRules) as text: what one node's kube-proxy writes with
 * `iptables-restore -w 5 -W 100000 --noflush --counters`, and the jump rules
 * it ensures with `iptables -I` beforehand.
 *
 * Per service port with endpoints:
 *   nat KUBE-SERVICES  -d <clusterIP> --dport <port> -> KUBE-SVC-<hash>
 *   nat KUBE-SVC-*     ! -s <clusterCIDR> ... -> KUBE-MARK-MASQ (traffic from outside the pod network)
 *                      one rule per endpoint, `-m statistic --mode random --probability 1/(n-i)`
 *                      on every rule but the last -> KUBE-SEP-<hash>
 *   nat KUBE-SEP-*     -s <endpoint ip> -> KUBE-MARK-MASQ (hairpin: a pod reaching itself)
 *                      DNAT --to-destination <ip:port>
 *   NodePort:          nat KUBE-NODEPORTS --dport <nodePort> -> KUBE-EXT-<hash>
 *                      (masquerade mark, then KUBE-SVC-*); KUBE-SERVICES ends with
 *                      `-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`
 * Without endpoints: filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES REJECT.
 * KUBE-POSTROUTING masquerades what carries mark 0x4000 (and clears it);
 * filter KUBE-FORWARD drops INVALID and accepts marked and established traffic.
 *
 * Twin choices (stated, not hidden):
 * - services are written in the order of their port names (kube-proxy walks
 *   a Go map: random order between syncs);
 * - every sync is a full sync (kube-proxy skips unchanged service chains in
 *   partial syncs: same resulting rules);
 * - ClientIP affinity, externalTrafficPolicy/internalTrafficPolicy Local,
 *   LoadBalancer and externalIPs are refused by the parser (src/k8s/parse.ts).
 */
import { endpointsOf, type ServiceEndpoint } from '../k8s/endpointslices.js';
import type { K8sEndpointSlice, K8sService, ServicePort } from '../k8s/types.js';
import { extChain, isServiceChainName, sepChain, servicePortName, svcChain } from './names.js';

export interface KubeProxyOptions {
  /** --cluster-cidr: the local-traffic detector (`! -s <cidr>` masquerades traffic from outside it). */
  readonly clusterCidr?: string;
  /** --masquerade-all. */
  readonly masqueradeAll?: boolean;
  /** --iptables-localhost-nodeports (default true: route_localnet=1 and the KUBE-FIREWALL rule). */
  readonly localhostNodePorts?: boolean;
  /** --iptables-masquerade-bit (default 14: mark 0x4000). */
  readonly masqueradeBit?: number;
}

export interface ServiceInput {
  readonly service: K8sService;
  readonly slices: readonly K8sEndpointSlice[];
}

/** One service port as compiled: names and backends, for traces and verification. */
export interface CompiledServicePort {
  readonly service: string;
  readonly portName: string;
  /** ServicePortName.String(). */
  readonly servicePortName: string;
  readonly protocol: 'tcp' | 'udp';
  readonly clusterIP: string;
  readonly port: number;
  readonly nodePort?: number;
  readonly svcChain: string;
  readonly extChain?: string;
  readonly endpoints: readonly (ServiceEndpoint & { readonly chain: string })[];
}

export interface KubeProxySync {
  /** The iptables-restore input (filter then nat), as kube-proxy builds it. */
  readonly restore: string;
  readonly servicePorts: readonly CompiledServicePort[];
  /** NAT chains this sync keeps (the rest of the KUBE-SVC/SEP/EXT/... chains are deleted). */
  readonly activeNatChains: readonly string[];
}

/** iptablesJumpChains + iptablesKubeletJumpChains, in the order kube-proxy ensures them. */
export interface JumpRule {
  readonly table: 'filter' | 'nat';
  readonly chain: string;
  readonly from: string;
  /** The rule's arguments after `-I <from>` (as utiliptables passes them). */
  readonly args: readonly string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

export function jumpRules(o: KubeProxyOptions = {}): JumpRule[] {
  const j = (table: 'filter' | 'nat', chain: string, from: string, comment: string, extra: readonly string[] = []): JumpRule => ({
    table,
    chain,
    from,
    args: [...extra, ...(comment ? ['-m', 'comment', '--comment', comment] : []), '-j', chain],
  });
  const rules = [
    j('filter', 'KUBE-EXTERNAL-SERVICES', 'INPUT', 'kubernetes externally-visible service portals', NEW),
    j('filter', 'KUBE-EXTERNAL-SERVICES', 'FORWARD', 'kubernetes externally-visible service portals', NEW),
    j('filter', 'KUBE-NODEPORTS', 'INPUT', 'kubernetes health check service ports'),
    j('filter', 'KUBE-SERVICES', 'FORWARD', 'kubernetes service portals', NEW),
    j('filter', 'KUBE-SERVICES', 'OUTPUT', 'kubernetes service portals', NEW),
    j('filter', 'KUBE-FORWARD', 'FORWARD', 'kubernetes forwarding rules'),
    j('filter', 'KUBE-PROXY-FIREWALL', 'INPUT', 'kubernetes load balancer firewall', NEW),
    j('filter', 'KUBE-PROXY-FIREWALL', 'OUTPUT', 'kubernetes load balancer firewall', NEW),
    j('filter', 'KUBE-PROXY-FIREWALL', 'FORWARD', 'kubernetes load balancer firewall', NEW),
    j('nat', 'KUBE-SERVICES', 'OUTPUT', 'kubernetes service portals'),
    j('nat', 'KUBE-SERVICES', 'PREROUTING', 'kubernetes service portals'),
    j('nat', 'KUBE-POSTROUTING', 'POSTROUTING', 'kubernetes postrouting rules'),
  ];
  void o;
  // kubelet's KUBE-FIREWALL (duplicated by kube-proxy, no comment).
  rules.push(j('filter', 'KUBE-FIREWALL', 'INPUT', ''), j('filter', 'KUBE-FIREWALL', 'OUTPUT', ''));
  return rules;
}

/** `"text"` as kube-proxy writes a comment with spaces into the restore input. */
const q = (s: string): string => `"${s}"`;

/** computeProbability(n): fmt.Sprintf("%0.10f", 1.0/float64(n)). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** The mark as kube-proxy formats it: fmt.Sprintf("%#08x", 1<<bit) = 0x004000. */
function markText(bit: number): string {
  return '0x' + (1 << bit).toString(16).padStart(6, '0');
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * syncProxyRules() for one node. `existingNatChains` are the nat chains on the
 * node now (kube-proxy reads them with iptables-save) so that stale service
 * chains are flushed and deleted.
 */
export function compileKubeProxy(inputs: readonly ServiceInput[], o: KubeProxyOptions = {}, existingNatChains: readonly string[] = []): KubeProxySync {
  const mark = markText(o.masqueradeBit ?? 14);
  const localhostNodePorts = o.localhostNodePorts ?? true;
  const filterChains: string[] = [];
  const filterRules: string[] = [];
  const natChains: string[] = [];
  const natRules: string[] = [];
  const line = (buf: string[], ...args: string[]): void => void buf.push(args.join(' '));
  const chainLine = (name: string): string => `:${name} - [0:0]`;

  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) filterChains.push(chainLine(c));
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) natChains.push(chainLine(c));

  line(natRules, '-A', 'KUBE-POSTROUTING', '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  line(natRules, '-A', 'KUBE-POSTROUTING', '-j', 'MARK', '--xor-mark', mark);
  line(natRules, '-A', 'KUBE-POSTROUTING', '-m', 'comment', '--comment', q('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully');
  line(natRules, '-A', 'KUBE-MARK-MASQ', '-j', 'MARK', '--or-mark', mark);
  if (localhostNodePorts) {
    filterChains.push(chainLine('KUBE-FIREWALL'));
    line(filterRules, '-A', 'KUBE-FIREWALL', '-m', 'comment', '--comment', q('block incoming localnet connections'), '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP');
  }

  const active = new Set<string>();
  const compiled: CompiledServicePort[] = [];
  const ports: { svc: K8sService; sp: ServicePort; spn: string; slices: readonly K8sEndpointSlice[] }[] = [];
  for (const i of inputs) {
    if (!i.service.clusterIP || i.service.clusterIP === 'None') continue;
    for (const sp of i.service.ports) ports.push({ svc: i.service, sp, spn: servicePortName(i.service.metadata.namespace, i.service.metadata.name, sp.name), slices: i.slices });
  }
  ports.sort((a, b) => byName({ name: a.spn + '/' + a.sp.protocol }, { name: b.spn + '/' + b.sp.protocol }));

  for (const { svc, sp, spn, slices } of ports) {
    if (sp.protocol === 'SCTP') continue;
    const protocol = sp.protocol === 'UDP' ? 'udp' : 'tcp';
    const eps = endpointsOf(slices, sp);
    const hasEndpoints = eps.length > 0;
    const svcC = svcChain(spn, protocol);
    const extC = extChain(spn, protocol);
    const clusterIP = svc.clusterIP!;
    const nodePort = svc.type === 'NodePort' ? sp.nodePort : undefined;
    const epChains = eps.map((e) => ({ ...e, chain: sepChain(spn, protocol, e.endpoint) }));
    if (hasEndpoints) {
      active.add(svcC);
      for (const e of epChains) active.add(e.chain);
    }
    const usesExt = hasEndpoints && nodePort !== undefined;
    if (usesExt) active.add(extC);

    // Capture the clusterIP.
    if (hasEndpoints) {
      line(natRules, '-A', 'KUBE-SERVICES', '-m', 'comment', '--comment', q(`${spn} cluster IP`), '-m', protocol, '-p', protocol, '-d', clusterIP, '--dport', String(sp.port), '-j', svcC);
    } else {
      line(filterRules, '-A', 'KUBE-SERVICES', '-m', 'comment', '--comment', q(`${spn} has no endpoints`), '-m', protocol, '-p', protocol, '-d', clusterIP, '--dport', String(sp.port), '-j', 'REJECT');
    }
    // Capture nodeports.
    if (nodePort !== undefined) {
      if (hasEndpoints) line(natRules, '-A', 'KUBE-NODEPORTS', '-m', 'comment', '--comment', spn, '-m', protocol, '-p', protocol, '--dport', String(nodePort), '-j', extC);
      else line(filterRules, '-A', 'KUBE-EXTERNAL-SERVICES', '-m', 'comment', '--comment', q(`${spn} has no endpoints`), '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', protocol, '-p', protocol, '--dport', String(nodePort), '-j', 'REJECT');
    }
    // Internal traffic handling: masquerade what does not come from the pod network.
    if (hasEndpoints) {
      const args = ['-m', 'comment', '--comment', q(`${spn} cluster IP`), '-m', protocol, '-p', protocol, '-d', clusterIP, '--dport', String(sp.port)];
      if (o.masqueradeAll) line(natRules, '-A', svcC, ...args, '-j', 'KUBE-MARK-MASQ');
      else if (o.clusterCidr) line(natRules, '-A', svcC, ...args, '!', '-s', o.clusterCidr, '-j', 'KUBE-MARK-MASQ');
    }
    // External traffic (NodePort): mark for masquerade, then the cluster policy chain.
    if (usesExt) {
      natChains.push(chainLine(extC));
      line(natRules, '-A', extC, '-m', 'comment', '--comment', q(`masquerade traffic for ${spn} external destinations`), '-j', 'KUBE-MARK-MASQ');
      line(natRules, '-A', extC, '-j', svcC);
    }
    if (hasEndpoints) {
      natChains.push(chainLine(svcC));
      // writeServiceToEndpointRules: 1/(n-i) on each rule but the last, so each endpoint gets 1/n.
      epChains.forEach((e, i) => {
        const stat = i < epChains.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(epChains.length - i)] : [];
        line(natRules, '-A', svcC, '-m', 'comment', '--comment', q(`${spn} -> ${e.endpoint}`), ...stat, '-j', e.chain);
      });
      for (const e of epChains) {
        natChains.push(chainLine(e.chain));
        line(natRules, '-A', e.chain, '-m', 'comment', '--comment', spn, '-s', e.ip, '-j', 'KUBE-MARK-MASQ');
        line(natRules, '-A', e.chain, '-m', 'comment', '--comment', spn, '-m', protocol, '-p', protocol, '-j', 'DNAT', '--to-destination', e.endpoint);
      }
    }
    compiled.push({
      service: `${svc.metadata.namespace}/${svc.metadata.name}`,
      portName: sp.name,
      servicePortName: spn,
      protocol,
      clusterIP,
      port: sp.port,
      ...(nodePort !== undefined ? { nodePort } : {}),
      svcChain: svcC,
      ...(usesExt ? { extChain: extC } : {}),
      endpoints: epChains,
    });
  }

  // Delete chains no longer in use (a chain line flushes it, then -X).
  for (const ch of existingNatChains) {
    if (active.has(ch) || !isServiceChainName(ch)) continue;
    natChains.push(chainLine(ch));
    line(natRules, '-X', ch);
  }
  // The tail call to the nodeports chain: after every other service portal rule.
  line(natRules, '-A', 'KUBE-SERVICES', '-m', 'comment', '--comment', q('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', ...(localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8']), '-j', 'KUBE-NODEPORTS');
  line(filterRules, '-A', 'KUBE-FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  line(filterRules, '-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', q('kubernetes forwarding rules'), '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT');
  line(filterRules, '-A', 'KUBE-FORWARD', '-m', 'comment', '--comment', q('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');

  const restore = ['*filter', ...filterChains, ...filterRules, 'COMMIT', '*nat', ...natChains, ...natRules, 'COMMIT'].join('\n') + '\n';
  return { restore, servicePorts: compiled, activeNatChains: [...active].sort() };
}
