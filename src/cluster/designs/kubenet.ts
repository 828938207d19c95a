/**
 * kubenet (kubelet's built-in network plugin, pkg/kubelet/dockershim/network/
 * kubenet/kubenet_linux.go), as it programs a node:
 *
 * - kubelet sets net.bridge.bridge-nf-call-iptables=1 and appends its one NAT
 *   rule (ensureMasqRule, `--non-masquerade-cidr`, default 10.0.0.0/8):
 *     -A POSTROUTING -m comment --comment "kubenet: SNAT for outbound traffic from cluster"
 *        -m addrtype ! --dst-type LOCAL ! -d 10.0.0.0/8 -j MASQUERADE
 * - pods: the CNI bridge plugin with NET_CONFIG_TEMPLATE (name "kubenet", bridge
 *   cbr0, mtu = the smallest MTU of the node's up interfaces, isGateway,
 *   ipMasq false, hairpinMode false under the default --hairpin-mode
 *   promiscuous-bridge, host-local over node.spec.podCIDR with the bridge at
 *   .1, route 0.0.0.0/0); then cbr0 is put in promiscuous mode.
 * - nothing programs other nodes' podCIDRs on the node: the cloud provider's
 *   route controller creates one cloud route per node (podCIDR -> node). The
 *   cloud's router is the `router` namespace; on a public underlay there is no
 *   cloud to program, and the controller reports it.
 *
 * Not modelled: the ebtables dedup rules (KUBE-DEDUP) of promiscuous-bridge
 * mode, the template's `::/0` route (the twin is IPv4 only), hostports and
 * traffic shaping.
 */
import { nthAddr } from '../cidr.js';
import { logEvent, runLines } from '../exec.js';
import { ROUTER_NS } from '../underlay.js';
import { underlayOf } from '../cluster.js';
import type { AgentPlan, Cluster, Design, PodState } from '../types.js';
import { bridgePluginAdd, bridgePluginDel, cniConfLine, ipamDataDir, uplinkMtu } from './common.js';

export interface KubenetOptions {
  /** kubelet --non-masquerade-cidr (default 10.0.0.0/8). */
  readonly nonMasqueradeCidr?: string;
}

const CONF = 'kubenet';

export function kubenetConf(c: Cluster, node: string): unknown {
  const n = c.nodes[node]!;
  return {
    cniVersion: '0.1.0',
    name: 'kubenet',
    type: 'bridge',
    bridge: 'cbr0',
    mtu: uplinkMtu(c, node),
    addIf: 'eth0',
    isGateway: true,
    ipMasq: false,
    hairpinMode: false,
    ipam: {
      type: 'host-local',
      dataDir: ipamDataDir(node),
      ranges: [[{ subnet: n.podCidr, gateway: nthAddr(n.podCidr!, 1) }]],
      routes: [{ dst: '0.0.0.0/0' }],
    },
  };
}

export function kubenet(o: KubenetOptions = {}): Design {
  const nonMasq = o.nonMasqueradeCidr ?? '10.0.0.0/8';
  return {
    name: 'kubenet',
    usesPodCidr: true,
    podMtu: (c, node) => uplinkMtu(c, node),
    installNode(c, node) {
      const n = c.nodes[node]!;
      if (!n.podCidr) return c;
      if (underlayOf(c).kind === 'public') c = logEvent(c, 'route-controller', `node ${node}: no cloud route for ${n.podCidr}: the nodes are on a public network`);
      return runLines(c, `kubelet@${node}`, [
        `ip netns exec ${node} sysctl -qw net.bridge.bridge-nf-call-iptables=1`,
        `ip netns exec ${node} iptables -t nat -A POSTROUTING -m comment --comment "kubenet: SNAT for outbound traffic from cluster" -m addrtype ! --dst-type LOCAL ! -d ${nonMasq} -j MASQUERADE`,
        cniConfLine(node, CONF, kubenetConf(c, node)),
      ]);
    },
    plans(c): AgentPlan[] {
      if (underlayOf(c).kind === 'public') return [];
      return [
        {
          who: 'route-controller@router',
          ns: ROUTER_NS,
          items: c.nodeOrder
            .filter((n) => c.nodes[n]!.podCidr)
            .map((n) => {
              const node = c.nodes[n]!;
              return {
                key: `route/${n}`,
                add: [`ip -n ${ROUTER_NS} route add ${node.podCidr} via ${node.ip}`],
                del: [`ip -n ${ROUTER_NS} route del ${node.podCidr} via ${node.ip}`],
              };
            }),
        },
      ];
    },
    addPod(c: Cluster, pod: PodState) {
      let cur = bridgePluginAdd(c, pod, CONF);
      cur = runLines(cur, `kubelet@${pod.node}`, [`ip -n ${pod.node} link set cbr0 promisc on`]);
      return cur;
    },
    deletePod: (c: Cluster, pod: PodState) => bridgePluginDel(c, pod, CONF),
  };
}
