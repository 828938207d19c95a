/**
 * The seed's hand-built pod network, as an admin types it: each node's pods on
 * a bridge (cni0, the CNI bridge plugin, podCIDR from the node), and static
 * routes to the other nodes' podCIDRs.
 *
 *   via: 'nodes'   every node routes each other node's podCIDR via that node's
 *                  uplink address (`ip route add 10.244.1.0/24 via 192.168.0.12`):
 *                  needs the nodes on one L2 segment.
 *   via: 'router'  the nodes just use their default route; the router has a
 *                  route per podCIDR via the node that owns it. Without those
 *                  (`routerRoutes: false`) pod traffic dies at the router. On a
 *                  public underlay nobody can add them.
 *
 * Egress: the bridge plugin's ipMasq would also masquerade pod-to-pod traffic
 * leaving the node (its chain only spares the node's own subnet), so the admin
 * writes the rule by hand: masquerade what leaves the cluster CIDR.
 */
import { clusterCidr, underlayOf } from '../cluster.js';
import { runLines } from '../exec.js';
import { ROUTER_NS } from '../underlay.js';
import type { AgentPlan, Cluster, Design, PodState } from '../types.js';
import { bridgePluginAdd, bridgePluginDel, cniConfLine, ipamDataDir, uplinkMtu } from './common.js';
import { nthAddr } from '../cidr.js';

export interface StaticRoutesOptions {
  readonly via?: 'nodes' | 'router';
  /** via 'router': the admin added the pod routes on the router (default true). */
  readonly routerRoutes?: boolean;
}

const CONF = 'static';

/** The bridge plugin configuration the admin writes on each node. */
export function staticBridgeConf(c: Cluster, node: string): unknown {
  const n = c.nodes[node]!;
  return {
    cniVersion: '1.0.0',
    name: 'podnet',
    type: 'bridge',
    bridge: 'cni0',
    isDefaultGateway: true,
    ipMasq: false,
    mtu: uplinkMtu(c, node),
    ipam: { type: 'host-local', dataDir: ipamDataDir(node), ranges: [[{ subnet: n.podCidr }]] },
  };
}

export function staticRoutes(o: StaticRoutesOptions = {}): Design {
  const via = o.via ?? 'nodes';
  return {
    name: via === 'nodes' ? 'static-routes' : 'static-routes-router',
    usesPodCidr: true,
    podMtu: (c, node) => uplinkMtu(c, node),
    installNode(c, node) {
      const n = c.nodes[node]!;
      if (!n.podCidr) return c;
      return runLines(c, 'admin', [
        cniConfLine(node, CONF, staticBridgeConf(c, node)),
        `ip netns exec ${node} iptables -t nat -A POSTROUTING -s ${n.podCidr} ! -d ${clusterCidr(c)} -j MASQUERADE`,
      ]);
    },
    plans(c): AgentPlan[] {
      if (via === 'nodes') {
        return c.nodeOrder.map((node) => ({
          who: `admin@${node}`,
          ns: node,
          items: c.nodeOrder
            .filter((o) => o !== node && c.nodes[o]!.podCidr)
            .map((o) => {
              const peer = c.nodes[o]!;
              return {
                key: `route/${o}`,
                add: [`ip -n ${node} route add ${peer.podCidr} via ${peer.ip}`],
                del: [`ip -n ${node} route del ${peer.podCidr} via ${peer.ip}`],
              };
            }),
        }));
      }
      // Nobody can add routes to the internet's routers.
      if (o.routerRoutes === false || underlayOf(c).kind === 'public') return [];
      return [
        {
          who: 'admin@router',
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
    addPod: (c: Cluster, pod: PodState) => bridgePluginAdd(c, pod, CONF),
    deletePod: (c: Cluster, pod: PodState) => bridgePluginDel(c, pod, CONF),
  };
}

/** The gateway address the bridge plugin gives cni0 (the podCIDR's .1). */
export function bridgeGateway(podCidr: string): string {
  return nthAddr(podCidr, 1);
}
