/**
 * flannel (flannel-io/flannel, kube-subnet-mgr: each node's lease is its
 * node.spec.podCIDR), with the vxlan and host-gw backends, as flanneld and the
 * flannel CNI plugin program a node.
 *
 * Every node (flanneld at start):
 * - /run/flannel/subnet.env (FLANNEL_NETWORK, FLANNEL_SUBNET = the lease's .1,
 *   FLANNEL_MTU, FLANNEL_IPMASQ=true); the flannel CNI plugin turns it into a
 *   bridge-plugin delegate: name cbr0, bridge cni0, isGateway, ipMasq false
 *   (flanneld masquerades), mtu FLANNEL_MTU, hairpinMode and isDefaultGateway
 *   (kube-flannel.yml's delegate), host-local over the lease, route to the
 *   flannel network (the default route also exists: isDefaultGateway).
 * - iptables (pkg/trafficmngr/iptables): nat chain FLANNEL-POSTRTG hooked from
 *   POSTROUTING: RETURN for kube-proxy-marked packets (0x4000/0x4000), for
 *   pod-subnet <-> cluster and for cluster -> pod subnet traffic from outside;
 *   MASQUERADE --random-fully cluster -> non-multicast, and outside ->
 *   cluster. filter chain FLANNEL-FWD hooked from FORWARD: ACCEPT from/to the
 *   cluster CIDR. All with the comment "flanneld masq" / "flanneld forward".
 * - vxlan backend (pkg/backend/vxlan): flannel.<VNI> (VNI 1), a MAC flannel
 *   picks itself (mac.NewHardwareAddr), local = the node's address, dev =
 *   the uplink, the kernel's default port 8472, nolearning, MTU = uplink - 50,
 *   address = the lease's network address /32 (so no broadcast
 *   route; it is the source of host-to-pod traffic), up.
 *
 * Per remote lease (the reconcile loop, handleSubnetEvents), in flannel's order:
 * - vxlan: permanent ARP entry (remote .0 -> remote VTEP MAC), permanent FDB
 *   entry (VTEP MAC -> remote node address, self), then the route
 *   `<lease> via <lease .0> dev flannel.1 onlink` (RouteReplace). Removal runs
 *   the three deletions.
 *   DirectRouting: a remote on the node's own subnet gets `<lease> via <node ip>`
 *   instead (ip.DirectRouting: the route to the peer has no gateway).
 * - host-gw: `<lease> via <node ip> dev eth0` (RouteReplace); across a router the
 *   kernel refuses it ("Nexthop has invalid gateway") and flanneld logs it.
 */
import { nthAddr, networkAddr, contains, prefixLen } from '../cidr.js';
import { designState, withDesignState, clusterCidr, underlayOf } from '../cluster.js';
import { runLines, writeFileLine } from '../exec.js';
import { segments } from '../underlay.js';
import type { AgentItem, AgentPlan, Cluster, Design, PodState } from '../types.js';
import { agentMac, bridgePluginAdd, bridgePluginDel, cniConfLine, ipamDataDir, uplinkMtu } from './common.js';

export interface FlannelOptions {
  readonly backend?: 'vxlan' | 'host-gw';
  /** vxlan backend: DirectRouting (route directly to peers on the same subnet). */
  readonly directRouting?: boolean;
  /** vxlan backend: VNI (default 1). */
  readonly vni?: number;
  /** vxlan backend: Port (0 = the kernel's default, 8472). */
  readonly port?: number;
  /** --iface-mtu style override of the MTU flanneld computes (a misconfiguration knob). */
  readonly mtuOverride?: number;
}

const CONF = 'cbr0';
const STATE = 'flannel.vtep';
const VXLAN_OVERHEAD = 50;

type VtepMacs = Readonly<Record<string, string>>;

export function flannel(o: FlannelOptions = {}): Design {
  const backend = o.backend ?? 'vxlan';
  const vni = o.vni ?? 1;
  const dev = `flannel.${vni}`;
  const port = o.port && o.port !== 0 ? o.port : 8472;
  const mtuOf = (c: Cluster, node: string): number => o.mtuOverride ?? (backend === 'vxlan' ? uplinkMtu(c, node) - VXLAN_OVERHEAD : uplinkMtu(c, node));
  const who = (node: string): string => `flanneld@${node}`;

  function delegateConf(c: Cluster, node: string): unknown {
    const n = c.nodes[node]!;
    return {
      cniVersion: '0.3.1',
      name: 'cbr0',
      type: 'bridge',
      hairpinMode: true,
      isDefaultGateway: true,
      ipMasq: false,
      mtu: mtuOf(c, node),
      isGateway: true,
      ipam: { type: 'host-local', dataDir: ipamDataDir(node), ranges: [[{ subnet: n.podCidr }]], routes: [{ dst: clusterCidr(c) }] },
    };
  }

  function iptablesLines(c: Cluster, node: string): string[] {
    const pod = c.nodes[node]!.podCidr!;
    const net = clusterCidr(c);
    const x = `ip netns exec ${node} iptables`;
    const m = '-m comment --comment "flanneld masq"';
    const f = '-m comment --comment "flanneld forward"';
    return [
      `${x} -t nat -N FLANNEL-POSTRTG`,
      `${x} -t nat -A POSTROUTING ${m} -j FLANNEL-POSTRTG`,
      `${x} -t nat -A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${m} -j RETURN`,
      `${x} -t nat -A FLANNEL-POSTRTG -s ${pod} -d ${net} ${m} -j RETURN`,
      `${x} -t nat -A FLANNEL-POSTRTG -s ${net} -d ${pod} ${m} -j RETURN`,
      `${x} -t nat -A FLANNEL-POSTRTG ! -s ${net} -d ${pod} ${m} -j RETURN`,
      `${x} -t nat -A FLANNEL-POSTRTG -s ${net} ! -d 224.0.0.0/4 ${m} -j MASQUERADE --random-fully`,
      `${x} -t nat -A FLANNEL-POSTRTG ! -s ${net} -d ${net} ${m} -j MASQUERADE --random-fully`,
      `${x} -t filter -N FLANNEL-FWD`,
      `${x} -t filter -A FORWARD ${f} -j FLANNEL-FWD`,
      `${x} -t filter -A FLANNEL-FWD -s ${net} ${f} -j ACCEPT`,
      `${x} -t filter -A FLANNEL-FWD -d ${net} ${f} -j ACCEPT`,
    ];
  }

  /** Is `peerIp` on one of this node's connected subnets (ip.DirectRouting)? */
  function sameSubnet(c: Cluster, node: string, peerIp: string): boolean {
    const n = c.nodes[node]!;
    const seg = segments(underlayOf(c))[n.segment]!;
    return contains(`${networkAddr(`${n.ip}/${n.prefixLen}`)}/${prefixLen(seg)}`, peerIp);
  }

  function leaseItem(c: Cluster, node: string, peer: string): AgentItem {
    const p = c.nodes[peer]!;
    const lease = p.podCidr!;
    if (backend === 'host-gw' || (o.directRouting && sameSubnet(c, node, p.ip))) {
      const viaDev = backend === 'host-gw' ? ' dev eth0' : '';
      return {
        key: `lease/${peer}`,
        add: [`ip -n ${node} route replace ${lease} via ${p.ip}${viaDev}`],
        del: [`ip -n ${node} route del ${lease} via ${p.ip}${viaDev}`],
      };
    }
    const mac = designState<VtepMacs>(c, STATE, {})[peer];
    const gw = networkAddr(lease);
    return {
      key: `lease/${peer}`,
      add: [
        `ip -n ${node} neigh replace ${gw} lladdr ${mac} dev ${dev} nud permanent`,
        `bridge -n ${node} fdb replace ${mac} dev ${dev} dst ${p.ip} self permanent`,
        `ip -n ${node} route replace ${lease} via ${gw} dev ${dev} onlink`,
      ],
      del: [
        `ip -n ${node} neigh del ${gw} dev ${dev}`,
        `bridge -n ${node} fdb del ${mac} dev ${dev} dst ${p.ip} self`,
        `ip -n ${node} route del ${lease} via ${gw} dev ${dev} onlink`,
      ],
    };
  }

  return {
    name: backend === 'vxlan' ? (o.directRouting ? 'flannel-vxlan-directrouting' : 'flannel-vxlan') : 'flannel-host-gw',
    usesPodCidr: true,
    podMtu: mtuOf,
    installNode(c, node) {
      const n = c.nodes[node]!;
      if (!n.podCidr) return c;
      const lines: string[] = [
        writeFileLine(
          `${node}-subnet.env`,
          `FLANNEL_NETWORK=${clusterCidr(c)}\nFLANNEL_SUBNET=${nthAddr(n.podCidr, 1)}/${prefixLen(n.podCidr)}\nFLANNEL_MTU=${mtuOf(c, node)}\nFLANNEL_IPMASQ=true\n`,
        ),
      ];
      let cur = c;
      if (backend === 'vxlan') {
        const m = agentMac(cur, 0xf1);
        cur = withDesignState(m.cluster, STATE, { ...designState<VtepMacs>(m.cluster, STATE, {}), [node]: m.mac });
        lines.push(
          `ip -n ${node} link add ${dev} address ${m.mac} mtu ${mtuOf(c, node)} type vxlan id ${vni} local ${n.ip} dev eth0 dstport ${port} nolearning`,
          `ip -n ${node} addr add ${networkAddr(n.podCidr)}/32 dev ${dev}`,
          `ip -n ${node} link set ${dev} up`,
        );
      }
      lines.push(...iptablesLines(c, node), cniConfLine(node, CONF, delegateConf(c, node)));
      return runLines(cur, who(node), lines);
    },
    plans(c): AgentPlan[] {
      return c.nodeOrder
        .filter((node) => c.nodes[node]!.podCidr)
        .map((node) => ({
          who: who(node),
          ns: node,
          items: c.nodeOrder.filter((p) => p !== node && c.nodes[p]!.podCidr).map((p) => leaseItem(c, node, p)),
        }));
    },
    addPod: (c: Cluster, pod: PodState) => bridgePluginAdd(c, pod, CONF),
    deletePod: (c: Cluster, pod: PodState) => bridgePluginDel(c, pod, CONF),
  };
}

export const flannelVxlan = (o: Omit<FlannelOptions, 'backend'> = {}): Design => flannel({ ...o, backend: 'vxlan' });
export const flannelHostGw = (): Design => flannel({ backend: 'host-gw' });
