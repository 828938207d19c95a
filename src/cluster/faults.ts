/**
 * Misconfigurations and failures, applied the way they happen on real nodes
 * (a line someone typed, an agent that did not run). Each is documented in
 * docs/designs.md with the verdict `ping` (src/cluster/check.ts) gives and the
 * trace disposition that names it:
 *
 * - host-gw / static routes across a router without pod routes: `no_route` at
 *   the router (Destination Net Unreachable).
 * - a public underlay: pod destinations are `null_routed` by the internet.
 * - an overlay with a wrong MTU (NodeSpec.mtu smaller on one node than the
 *   overlay assumed): large packets die at that node's uplink, `frag_needed`.
 * - a missing VXLAN FDB entry (`missingVxlanFdb`): the VXLAN device has no
 *   remote for the VTEP MAC, `no_route` at the sending node.
 * - a BGP session down (Calico, `bgpSessionDown`): the peer's routes are
 *   withdrawn, `no_route` (or the default route's fate).
 * - an agent that has not yet programmed a new node (`reconcile(c, { only })`).
 * - overlapping podCIDRs (NodeSpec.podCidr): `misdelivered`.
 */
import { designState } from './cluster.js';
import { ClusterError, runLines } from './exec.js';
import type { Cluster } from './types.js';

/**
 * Someone deleted the permanent FDB entry for `peer`'s VTEP on `node` (flannel
 * programs it once per lease event and never re-checks, so it stays missing).
 */
export function missingVxlanFdb(c: Cluster, node: string, peer: string, dev = 'flannel.1'): Cluster {
  const mac = designState<Record<string, string>>(c, 'flannel.vtep', {})[peer];
  const p = c.nodes[peer];
  if (!mac || !p) throw new ClusterError(`no VTEP known for ${peer}`);
  return runLines(c, 'admin', [`bridge -n ${node} fdb del ${mac} dev ${dev} dst ${p.ip} self`]);
}

/** Delete a route by hand on a node or the router (e.g. the router's pod routes). */
export function deleteRoute(c: Cluster, ns: string, route: string): Cluster {
  return runLines(c, 'admin', [`ip -n ${ns} route del ${route}`]);
}
