/**
 * Cilium (cilium/cilium: the cilium-agent DaemonSet, its CNI plugin, the eBPF
 * datapath), at the level a trace can explain.
 *
 * Devices as on a real node: the `cilium_host`/`cilium_net` veth pair (the
 * router address, from the node's podCIDR, on cilium_host as /32), one
 * `lxc<hash>` veth per pod (no address on the host side), and in tunnel mode
 * `cilium_vxlan` (UDP 8472). Pods: eth0 with a /32, `<router ip> dev eth0
 * scope link` and `default via <router ip> dev eth0 mtu <MTU - overhead>`.
 *
 * The abstraction. Cilium forwards with eBPF programs, not with the routing
 * table: bpf_lxc on each lxc device answers the pod's ARP for the router with
 * the lxc MAC (an ARP responder) and looks the destination up in its endpoint
 * and tunnel maps; bpf_overlay/bpf_host encapsulate with the remote node as
 * tunnel endpoint (the VNI carries the source security identity). The twin
 * has no eBPF, so each decision is expressed with the kernel construct that
 * makes the same forwarding choice, and the trace names that construct:
 *   ARP responder          -> proxy_arp=1 on lxc*
 *   endpoint map           -> `<pod ip> dev lxc* scope link` per pod
 *   tunnel map             -> per remote node: `<podCIDR> via <remote router ip>
 *                             dev cilium_vxlan onlink`, a permanent neighbour
 *                             (remote router ip -> remote cilium_vxlan MAC) and a
 *                             permanent FDB entry (MAC -> remote node), flannel's
 *                             triplet; one VNI (2) instead of per-identity VNIs
 *   native routing         -> autoDirectNodeRoutes: `<podCIDR> via <node> dev eth0`
 * So `ip route` on a twin node lists routes a Cilium node does not have (Cilium's
 * own table sends remote podCIDRs `via <router ip> dev cilium_host`), while the
 * TTLs (bpf decrements like a router: 63 same node, 62 across), addresses and
 * NAT are Cilium's. Policy, services (kube-proxy replacement) and BPF
 * masquerading are not modelled.
 *
 * Masquerading (iptables mode, enable-bpf-masquerade=false): nat chain
 * CILIUM_POST_nat fed from POSTROUTING:
 *   -s <node podCIDR> ! -d <native-routing/cluster CIDR> ! -o cilium_+ -j MASQUERADE
 */
import { sha256Hex } from '../../model/hash.js';
import { networkAddr, nthAddr } from '../cidr.js';
import { clusterCidr, designState, withDesignState, withPod } from '../cluster.js';
import { ClusterError, runLines } from '../exec.js';
import type { AgentItem, AgentPlan, Cluster, Design, PodState } from '../types.js';
import { agentMac, uplinkMtu } from './common.js';

export interface CiliumOptions {
  /** routingMode: tunnel (VXLAN, default) or native (autoDirectNodeRoutes). */
  readonly routing?: 'tunnel' | 'native';
  /** tunnelProtocol: geneve is not supported (no geneve module on the recording kernel). */
  readonly tunnelProtocol?: 'vxlan' | 'geneve';
}

interface CiliumState {
  readonly vtep: Readonly<Record<string, string>>;
  readonly used: Readonly<Record<string, string>>;
}

const KEY = 'cilium';
const EMPTY: CiliumState = { vtep: {}, used: {} };
const DEV = 'cilium_vxlan';

function st(c: Cluster): CiliumState {
  return designState<CiliumState>(c, KEY, EMPTY);
}

/** The router address cilium-agent takes from the node's podCIDR (the twin: its .1). */
export function ciliumRouterIp(c: Cluster, node: string): string {
  const p = c.nodes[node]?.podCidr;
  if (!p) throw new ClusterError(`node ${node} has no podCIDR`);
  return nthAddr(p, 1);
}

/** The CNI's host veth name: lxc + the first 11 hex digits of sha256(container id). */
export function lxcName(containerId: string): string {
  return 'lxc' + sha256Hex(containerId).slice(0, 11);
}

export function cilium(o: CiliumOptions = {}): Design {
  const routing = o.routing ?? 'tunnel';
  if (o.tunnelProtocol === 'geneve') throw new ClusterError('Cilium Geneve tunnels are not supported: the recording kernel has no geneve module ("Error: Unknown device type."); use vxlan');
  const tunnel = routing === 'tunnel';
  const routeMtu = (c: Cluster, node: string): number => uplinkMtu(c, node) - (tunnel ? 50 : 0);

  function peerItems(c: Cluster, node: string): AgentItem[] {
    const out: AgentItem[] = [];
    for (const peer of c.nodeOrder) {
      const p = c.nodes[peer]!;
      if (peer === node || !p.podCidr) continue;
      if (!tunnel) {
        out.push({ key: `node/${peer}`, add: [`ip -n ${node} route replace ${p.podCidr} via ${p.ip} dev eth0`], del: [`ip -n ${node} route del ${p.podCidr} via ${p.ip} dev eth0`] });
        continue;
      }
      const mac = st(c).vtep[peer];
      if (!mac) continue;
      const rip = ciliumRouterIp(c, peer);
      const src = ciliumRouterIp(c, node);
      out.push({
        key: `node/${peer}`,
        add: [
          `ip -n ${node} neigh replace ${rip} lladdr ${mac} dev ${DEV} nud permanent`,
          `bridge -n ${node} fdb replace ${mac} dev ${DEV} dst ${p.ip} self permanent`,
          `ip -n ${node} route replace ${p.podCidr} via ${rip} dev ${DEV} src ${src} onlink`,
        ],
        del: [
          `ip -n ${node} neigh del ${rip} dev ${DEV}`,
          `bridge -n ${node} fdb del ${mac} dev ${DEV} dst ${p.ip} self`,
          `ip -n ${node} route del ${p.podCidr} via ${rip} dev ${DEV} src ${src} onlink`,
        ],
      });
    }
    return out;
  }

  function allocate(c: Cluster, node: string, owner: string): { cluster: Cluster; ip: string } {
    const s = st(c);
    const cidr = c.nodes[node]!.podCidr!;
    for (let i = 2; i < 255; i++) {
      const ip = nthAddr(cidr, i);
      if (!s.used[ip]) return { cluster: withDesignState(c, KEY, { ...s, used: { ...s.used, [ip]: owner } }), ip };
    }
    throw new ClusterError(`cilium ipam: ${cidr} is full`);
  }

  return {
    name: `cilium-${routing}`,
    usesPodCidr: true,
    podMtu: routeMtu,
    installNode(c, node) {
      const n = c.nodes[node]!;
      if (!n.podCidr) return c;
      let cur = c;
      const rip = ciliumRouterIp(c, node);
      const x = `ip netns exec ${node} iptables -t nat`;
      const lines = [
        `ip -n ${node} link add cilium_host type veth peer name cilium_net`,
        `ip -n ${node} link set cilium_net up`,
        `ip -n ${node} link set cilium_host up`,
        `ip -n ${node} addr add ${rip}/32 dev cilium_host`,
        `ip netns exec ${node} sysctl -qw net.ipv4.conf.cilium_host.forwarding=1`,
      ];
      if (tunnel) {
        const m = agentMac(cur, 0xc1);
        cur = withDesignState(m.cluster, KEY, { ...st(m.cluster), vtep: { ...st(m.cluster).vtep, [node]: m.mac } });
        lines.push(`ip -n ${node} link add ${DEV} address ${m.mac} type vxlan id 2 local ${n.ip} dev eth0 dstport 8472 nolearning`, `ip -n ${node} link set ${DEV} up`);
      }
      lines.push(
        `${x} -N CILIUM_POST_nat`,
        `${x} -A POSTROUTING -m comment --comment "cilium-feeder: CILIUM_POST_nat" -j CILIUM_POST_nat`,
        `${x} -A CILIUM_POST_nat -s ${networkAddr(n.podCidr)}/${n.podCidr.split('/')[1]} ! -d ${clusterCidr(c)} ! -o cilium_+ -m comment --comment "cilium masquerade non-cluster" -j MASQUERADE`,
      );
      return runLines(cur, `cilium-agent@${node}`, lines);
    },
    plans(c): AgentPlan[] {
      return c.nodeOrder.filter((n) => c.nodes[n]!.podCidr).map((node) => ({ who: `cilium-agent@${node}`, ns: node, items: peerItems(c, node) }));
    },
    addPod(c: Cluster, pod: PodState) {
      const a = allocate(c, pod.node, pod.name);
      let cur = a.cluster;
      const host = lxcName(pod.containerId);
      const rip = ciliumRouterIp(cur, pod.node);
      const n = pod.node;
      const p = pod.ns;
      cur = runLines(cur, `cilium-cni@${n}`, [
        `ip -n ${n} link add ${host} type veth peer name eth0 netns ${p}`,
        `ip netns exec ${n} sysctl -qw net.ipv4.conf.${host}.proxy_arp=1`,
        `ip -n ${n} link set ${host} up`,
        `ip -n ${p} link set eth0 up`,
        `ip -n ${p} addr add ${a.ip}/32 dev eth0`,
        `ip -n ${p} route add ${rip} dev eth0 scope link`,
        `ip -n ${p} route add default via ${rip} dev eth0 mtu ${routeMtu(cur, n)}`,
        `ip -n ${n} route add ${a.ip} dev ${host} scope link`,
      ]);
      return withPod(cur, { ...pod, ip: a.ip, hostIf: host });
    },
    deletePod(c: Cluster, pod: PodState) {
      const cur = runLines(c, `cilium-cni@${pod.node}`, [`ip -n ${pod.node} link del ${lxcName(pod.containerId)}`]);
      const s = st(cur);
      return withDesignState(cur, KEY, { ...s, used: Object.fromEntries(Object.entries(s.used).filter(([, o]) => o !== pod.name)) });
    },
  };
}
