/**
 * The underlay: what connects the nodes' uplinks, built from plain namespaces.
 *
 *   underlay   one namespace holding a bridge per L2 segment (br0, br1, ...): a
 *              switch has no IP stack of its own, so bridges in one namespace
 *              without addresses are separate L2 segments.
 *   router     the segments' gateway (`.1` of every segment), forwarding, ICMP
 *              redirects off (a one-armed router would otherwise redirect
 *              node-to-node traffic, which cloud routers never do). It also
 *              leads to `outside`.
 *   outside    a server beyond the router (203.0.113.10), default route back
 *              via the router. The router has no route to pod addresses: a pod
 *              packet that leaves un-masqueraded gets no answer.
 *   public     the router null-routes 10/8, 172.16/12 and 192.168/16 (bogon
 *              filtering): a pod address never crosses it.
 *
 * Node uplinks: `eth0` in the node, its peer (named after the node) enslaved to
 * the segment's bridge. Nodes take host numbers .11, .12, ... of their segment.
 */
import { nthAddr, prefixLen } from './cidr.js';
import type { UnderlaySpec } from './types.js';

export const UNDERLAY_NS = 'underlay';
export const ROUTER_NS = 'router';
export const OUTSIDE_NS = 'outside';
export const OUTSIDE_NET = '203.0.113.0/24';
export const OUTSIDE_IP = '203.0.113.10';
/** The first host number of nodes in a segment. */
export const NODE_HOST_BASE = 11;

export const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

export function segments(u: UnderlaySpec): readonly string[] {
  switch (u.kind) {
    case 'switch':
      return [u.cidr ?? '192.168.0.0/24'];
    case 'routed':
      return u.subnets ?? ['192.168.1.0/24', '192.168.2.0/24'];
    case 'public':
      return u.subnets ?? ['198.51.100.0/26', '198.51.100.64/26'];
  }
}

/** The router's address on segment `i`. */
export function segmentGateway(u: UnderlaySpec, i: number): string {
  return nthAddr(segments(u)[i]!, 1);
}

/** Lines building the underlay, the router and (optionally) the outside server. */
export function underlayLines(u: UnderlaySpec, withOutside: boolean): string[] {
  const L: string[] = [];
  L.push(`ip netns add ${UNDERLAY_NS}`, `ip netns add ${ROUTER_NS}`);
  // A switch runs no iptables: keep br_netfilter off in the underlay's namespace.
  L.push(`ip netns exec ${UNDERLAY_NS} sysctl -qw net.bridge.bridge-nf-call-iptables=0`);
  L.push(`ip -n ${ROUTER_NS} link set lo up`);
  L.push(`ip netns exec ${ROUTER_NS} sysctl -qw net.ipv4.ip_forward=1`);
  L.push(`ip netns exec ${ROUTER_NS} sysctl -qw net.ipv4.conf.all.send_redirects=0`);
  L.push(`ip netns exec ${ROUTER_NS} sysctl -qw net.ipv4.conf.default.send_redirects=0`);
  segments(u).forEach((cidr, i) => {
    L.push(`ip -n ${UNDERLAY_NS} link add br${i} type bridge`);
    L.push(`ip -n ${UNDERLAY_NS} link set br${i} up`);
    L.push(`ip link add seg${i} netns ${ROUTER_NS} type veth peer name r${i} netns ${UNDERLAY_NS}`);
    L.push(`ip -n ${UNDERLAY_NS} link set r${i} master br${i} up`);
    L.push(`ip -n ${ROUTER_NS} addr add ${nthAddr(cidr, 1)}/${prefixLen(cidr)} dev seg${i}`);
    L.push(`ip -n ${ROUTER_NS} link set seg${i} up`);
  });
  if (u.kind === 'public') {
    // The "internet" drops what is addressed to private space (bogon filtering by null routes).
    for (const p of RFC1918) L.push(`ip -n ${ROUTER_NS} route add blackhole ${p}`);
  }
  if (withOutside) {
    L.push(`ip netns add ${OUTSIDE_NS}`);
    L.push(`ip -n ${OUTSIDE_NS} link set lo up`);
    L.push(`ip link add ext netns ${ROUTER_NS} type veth peer name eth0 netns ${OUTSIDE_NS}`);
    L.push(`ip -n ${ROUTER_NS} addr add ${nthAddr(OUTSIDE_NET, 1)}/24 dev ext`);
    L.push(`ip -n ${ROUTER_NS} link set ext up`);
    L.push(`ip -n ${OUTSIDE_NS} addr add ${OUTSIDE_IP}/24 dev eth0`);
    L.push(`ip -n ${OUTSIDE_NS} link set eth0 up`);
    L.push(`ip -n ${OUTSIDE_NS} route add default via ${nthAddr(OUTSIDE_NET, 1)}`);
  }
  return L;
}

/**
 * Lines a node's boot runs (its OS network config): the uplink wired to its
 * segment, address, default route, and ip_forward=1 (kubeadm's preflight check
 * requires it).
 */
export function nodeBootLines(node: { name: string; ip: string; prefixLen: number; gateway: string; segment: number; mtu: number }, plugged: boolean, mac?: string): string[] {
  const n = node.name;
  const L: string[] = [`ip netns add ${n}`, `ip -n ${n} link set lo up`];
  if (!plugged) {
    // `mac`: a rebooted machine keeps its NIC's hardware address (the twin's uplink is a new veth).
    L.push(`ip link add eth0${mac ? ` address ${mac}` : ''} netns ${n} type veth peer name ${n} netns ${UNDERLAY_NS}`);
    L.push(`ip -n ${UNDERLAY_NS} link set ${n} master br${node.segment} up`);
  }
  if (node.mtu !== 1500) L.push(`ip -n ${n} link set eth0 mtu ${node.mtu}`);
  L.push(`ip -n ${n} addr add ${node.ip}/${node.prefixLen} dev eth0`);
  L.push(`ip -n ${n} link set eth0 up`);
  L.push(`ip -n ${n} route add default via ${node.gateway}`);
  L.push(`ip netns exec ${n} sysctl -qw net.ipv4.ip_forward=1`);
  return L;
}
