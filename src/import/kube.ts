/**
 * Kubernetes objects (`kubectl get nodes,pods,services,endpointslices,
 * networkpolicies -A -o yaml`) mapped onto an imported world: filled in below.
 */
import type { Assumption, World } from '../model/world.js';

export interface KubeMapping {
  readonly pods: readonly { readonly name: string; readonly namespace: string; readonly node?: string; readonly ip?: string; readonly twinNs?: string }[];
}

export function applyKube(world: World, text: string, nodes: readonly { readonly name: string }[]): { world: World; mapping: KubeMapping; assumptions: Assumption[] } {
  void text;
  void nodes;
  return { world, mapping: { pods: [] }, assumptions: [] };
}
