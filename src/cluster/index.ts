/**
 * podnet's cluster model (issue #4): nodes on an underlay, a podCIDR
 * allocator, and pod-network designs that program every node as the real
 * project does. See docs/designs.md.
 *
 *   import { buildCluster, addPod, ping, flannelVxlan } from 'podnet/cluster';
 *   let c = buildCluster({ nodes: ['node1', 'node2', 'node3'], design: flannelVxlan() });
 *   c = addPod(c, { name: 'a1', node: 'node1' });
 *   c = addPod(c, { name: 'b1', node: 'node2' });
 *   ping(c, 'a1', 'b1');   // { verdict: 'ok', replyTtl: 62, ... }
 */
export type * from './types.js';
export {
  buildCluster,
  addNode,
  removeNode,
  rebootNode,
  setAgentRunning,
  addPod,
  deletePod,
  reconcile,
  podAddress,
  clusterCidr,
  underlayOf,
  DEFAULT_CLUSTER_CIDR,
  type ReconcileOptions,
} from './cluster.js';
export { ping, resolve, type PathCheck, type PingOptions, type Verdict } from './check.js';
export { ClusterError, runLine, runLines, logEvent } from './exec.js';
export { newAllocator, allocateNext, occupy, release, subnetAt } from './cidr.js';
export { UNDERLAY_NS, ROUTER_NS, OUTSIDE_NS, OUTSIDE_IP, segments } from './underlay.js';
export { journalScript } from './script.js';
export { staticRoutes, type StaticRoutesOptions } from './designs/static-routes.js';
export { kubenet, type KubenetOptions } from './designs/kubenet.js';
export { flannel, flannelVxlan, flannelHostGw, type FlannelOptions } from './designs/flannel.js';
export { calico, caliName, bgpSessionDown, bgpSessionUp, calicoBlocks, type CalicoOptions, type CalicoEncapsulation } from './designs/calico.js';
export { missingVxlanFdb, deleteRoute } from './faults.js';
export { weave, weaveSpace, weaveBridgeIp, weaveVethName, type WeaveOptions } from './designs/weave.js';
export { cilium, ciliumRouterIp, lxcName, type CiliumOptions } from './designs/cilium.js';
