/**
 * `spec.cluster`: a scenario whose nodes, underlay and pod network are built
 * by a design of src/cluster (docs/designs.md) instead of being declared by
 * hand. This file maps the declaration onto src/cluster:
 *
 * - the design and its options -> a Design (`flannel-vxlan` -> flannelVxlan());
 * - the cluster block -> a ClusterSpec (underlay, CIDRs, MTU, nodes);
 * - the names the rest of the scenario uses -> plain declarations, so that
 *   references (`node/node1`, `machine/router`, `network/underlay`), probes,
 *   expectations and every consumer of a Scenario (verify, diagrams, the web
 *   page) work as with hand-written topologies: network `underlay` (the
 *   switch namespace, one bridge per segment), machine `router` (the nodes'
 *   gateway, forwarding), machine `outside` (a server beyond the router), and
 *   one node per cluster node with its eth0 address and podCIDR.
 *
 * Addresses and podCIDRs are planned here the way src/cluster hands them out
 * (nodes take .11, .12... of their segment; kube-controller-manager's range
 * allocator in join order, following the scenario's join and leave steps), so
 * the declarations are known before the run. The runner refreshes them from
 * the real cluster as it runs (a node that leaves and joins again).
 */
import { allocateNext, newAllocator, nthAddr, occupy, prefixLen, release } from '../cluster/cidr.js';
import { calico } from '../cluster/designs/calico.js';
import { cilium } from '../cluster/designs/cilium.js';
import { flannel } from '../cluster/designs/flannel.js';
import { kubenet } from '../cluster/designs/kubenet.js';
import { staticRoutes } from '../cluster/designs/static-routes.js';
import { weave } from '../cluster/designs/weave.js';
import { NODE_HOST_BASE, OUTSIDE_IP, OUTSIDE_NS, ROUTER_NS, segmentGateway, segments, UNDERLAY_NS } from '../cluster/underlay.js';
import type { ClusterSpec, Design, NodeSpec, UnderlaySpec } from '../cluster/types.js';
import type { ClusterNodeT, ClusterT, DesignName, MachineT, NetworkT, NodeT } from './schema.js';

/** Names src/cluster gives its own namespaces: no node or pod may take them. */
export const CLUSTER_RESERVED = [UNDERLAY_NS, ROUTER_NS, OUTSIDE_NS] as const;

/** Designs whose nodes get node.spec.podCIDR (the others have their own IPAM). */
export const USES_POD_CIDR: Readonly<Record<DesignName, boolean>> = {
  'static-routes': true,
  'flannel-host-gw': true,
  'flannel-vxlan': true,
  kubenet: true,
  'calico-bgp': false,
  'calico-vxlan': false,
  weave: false,
  cilium: true,
};

/** The Design object for a declaration (options already checked by the loader). */
export function designOf(c: ClusterT): Design {
  const o = c.options;
  switch (c.design) {
    case 'static-routes':
      return staticRoutes({ ...(o.via ? { via: o.via } : {}), ...(o.routerRoutes !== undefined ? { routerRoutes: o.routerRoutes } : {}) });
    case 'flannel-host-gw':
      return flannel({ backend: 'host-gw', ...(o.mtuOverride !== undefined ? { mtuOverride: o.mtuOverride } : {}) });
    case 'flannel-vxlan':
      return flannel({
        backend: 'vxlan',
        ...(o.directRouting !== undefined ? { directRouting: o.directRouting } : {}),
        ...(o.vni !== undefined ? { vni: o.vni } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.mtuOverride !== undefined ? { mtuOverride: o.mtuOverride } : {}),
      });
    case 'kubenet':
      return kubenet(o.nonMasqueradeCIDR !== undefined ? { nonMasqueradeCidr: o.nonMasqueradeCIDR } : {});
    case 'calico-bgp':
    case 'calico-vxlan':
      return calico({
        encapsulation: c.design === 'calico-bgp' ? 'none' : o.crossSubnet ? 'vxlan-crosssubnet' : 'vxlan',
        ...(o.routeReflectors ? { routeReflectors: o.routeReflectors } : {}),
        ...(o.peerWithRouter !== undefined ? { peerWithRouter: o.peerWithRouter } : {}),
        ...(o.natOutgoing !== undefined ? { natOutgoing: o.natOutgoing } : {}),
        ...(o.blockSize !== undefined ? { blockSize: o.blockSize } : {}),
      });
    case 'weave':
      return weave({ ...(o.range !== undefined ? { range: o.range } : {}), ...(o.mtu !== undefined ? { mtu: o.mtu } : {}) });
    case 'cilium':
      return cilium(o.routing ? { routing: o.routing } : {});
  }
}

export function underlaySpecOf(c: Pick<ClusterT, 'underlay' | 'subnets'>): UnderlaySpec {
  switch (c.underlay) {
    case 'switch':
      return { kind: 'switch', ...(c.subnets?.[0] !== undefined ? { cidr: c.subnets[0] } : {}) };
    case 'routed':
      return { kind: 'routed', ...(c.subnets ? { subnets: c.subnets } : {}) };
    case 'public':
      return { kind: 'public', ...(c.subnets ? { subnets: c.subnets } : {}) };
  }
}

/** What src/cluster's addNode takes for a declared node. */
export function nodeSpecOf(n: ClusterNodeT): NodeSpec {
  return {
    name: n.name,
    ...(n.segment !== undefined ? { segment: n.segment } : {}),
    ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
    ...(n.podCIDR !== undefined ? { podCidr: n.podCIDR } : {}),
    ...(n.agentRunning ? {} : { agent: false }),
  };
}

/** The ClusterSpec of the build: the nodes that are up from the start. */
export function clusterSpecOf(c: ClusterT, seed: number): ClusterSpec {
  return {
    nodes: c.nodes.filter((n) => n.joined).map(nodeSpecOf),
    underlay: underlaySpecOf(c),
    ...(c.clusterCIDR !== undefined ? { clusterCidr: c.clusterCIDR } : {}),
    ...(c.nodeCIDRMaskSize !== undefined ? { nodeCidrMaskSize: c.nodeCIDRMaskSize } : {}),
    ...(c.mtu !== undefined ? { mtu: c.mtu } : {}),
    design: designOf(c),
    seed,
    outside: c.outside,
  };
}

/** A node as planned: where it is and what it gets. */
export interface PlannedNode {
  readonly name: string;
  readonly ip: string;
  readonly prefixLen: number;
  readonly segment: number;
  readonly podCIDR?: string;
}

/**
 * Where each node will be: the initial nodes join in order at the build, then
 * `joins` and `leaves` (node names, in step order) as the steps do them. The
 * first placement of each node is kept.
 */
export function planNodes(c: ClusterT, events: readonly { readonly op: 'join' | 'leave'; readonly node: string }[]): Map<string, PlannedNode> {
  const segs = segments(underlaySpecOf(c));
  let alloc = newAllocator(c.clusterCIDR ?? '10.244.0.0/16', c.nodeCIDRMaskSize ?? 24);
  const usesPodCidr = USES_POD_CIDR[c.design];
  const up = new Map<string, PlannedNode>();
  const first = new Map<string, PlannedNode>();
  const decl = new Map(c.nodes.map((n) => [n.name, n]));
  const join = (name: string): void => {
    const n = decl.get(name);
    if (!n || up.has(name)) return;
    const segment = n.segment ?? up.size % segs.length;
    const cidr = segs[segment];
    if (cidr === undefined) return;
    const taken = new Set([...up.values()].map((x) => x.ip));
    let ip = '';
    for (let h = NODE_HOST_BASE; h < 100000; h++) {
      ip = nthAddr(cidr, h);
      if (!taken.has(ip)) break;
    }
    let podCIDR: string | undefined;
    if (usesPodCidr) {
      if (n.podCIDR !== undefined) {
        podCIDR = n.podCIDR;
        alloc = occupy(alloc, n.podCIDR);
      } else {
        const r = allocateNext(alloc);
        if (r) {
          podCIDR = r.cidr;
          alloc = r.state;
        }
      }
    }
    const p: PlannedNode = { name, ip, prefixLen: prefixLen(cidr), segment, ...(podCIDR !== undefined ? { podCIDR } : {}) };
    up.set(name, p);
    if (!first.has(name)) first.set(name, p);
  };
  for (const n of c.nodes) if (n.joined) join(n.name);
  for (const e of events) {
    if (e.op === 'join') join(e.node);
    else {
      const p = up.get(e.node);
      if (!p) continue;
      up.delete(e.node);
      if (p.podCIDR) alloc = release(alloc, p.podCIDR);
    }
  }
  return first;
}

/** The interface name of the router on segment i (src/cluster/underlay.ts). */
export const routerSegmentIf = (i: number): string => `seg${i}`;

/** The plain declarations standing for the cluster's machines (see the file header). */
export function clusterDeclarations(
  c: ClusterT,
  planned: ReadonlyMap<string, PlannedNode>,
): { readonly networks: NetworkT[]; readonly machines: MachineT[]; readonly nodes: NodeT[] } {
  const u = underlaySpecOf(c);
  const segs = segments(u);
  const networks: NetworkT[] = [{ name: UNDERLAY_NS, description: `the underlay (${c.underlay}): ${segs.map((s, i) => `br${i} ${s}`).join(', ')}` }];
  const host = { routes: [], sysctls: {}, iptables: [] };
  const machines: MachineT[] = [
    {
      name: ROUTER_NS,
      interfaces: segs.map((s, i) => ({ name: routerSegmentIf(i), network: UNDERLAY_NS, address: `${segmentGateway(u, i)}/${prefixLen(s)}` })),
      forwarding: true,
      ...host,
    },
  ];
  // outside hangs off the router by its own cable (not on the underlay): no switch interface.
  if (c.outside) machines.push({ name: OUTSIDE_NS, interfaces: [], forwarding: false, ...host, routes: [] });
  const nodes: NodeT[] = c.nodes.map((n) => nodeDeclaration(n, planned.get(n.name), c.mtu));
  return { networks, machines, nodes };
}

export function nodeDeclaration(n: ClusterNodeT, p: { readonly ip: string; readonly prefixLen: number; readonly podCIDR?: string } | undefined, clusterMtu: number | undefined): NodeT {
  const mtu = n.mtu ?? clusterMtu;
  return {
    name: n.name,
    interfaces: p ? [{ name: 'eth0', network: UNDERLAY_NS, address: `${p.ip}/${p.prefixLen}`, ...(mtu !== undefined ? { mtu } : {}) }] : [],
    routes: [],
    forwarding: true,
    sysctls: {},
    iptables: [],
    ...(p?.podCIDR !== undefined ? { podCIDR: p.podCIDR } : {}),
    joined: n.joined,
  };
}

export { OUTSIDE_IP };
