/**
 * The emulated CNI world, as a library (pure functions over a World):
 *
 *  Container runtime (containerd's CRI + go-cni + libcni, or kubelet's kubenet)
 *    addNode, podCIDRForNode, runPodSandbox, stopPodSandbox, removePodSandbox,
 *    recreatePodSandbox, addContainer, crashContainer, restartContainer,
 *    rebootNode, restartPodsAfterReboot, listSandboxes, getSandbox,
 *    sandboxNetns, getNode, kubenetConfigs.
 *    Every call returns { world, ok, value?, error?, calls } where `calls` are
 *    the libcni operations made, each with the plugin invocations it ran.
 *
 *  libcni (the runtime's CNI library, v1.2.x semantics)
 *    loadConfList / loadConf / confListFromBytes / confFromBytes (configs in
 *    world.files), addNetworkList, delNetworkList, checkNetworkList,
 *    gcNetworkList, getStatusNetworkList, validateNetworkList,
 *    getVersionInfo, getCachedAttachments, getNetworkListCachedResult,
 *    addNetwork / delNetwork (single configs), printLibcniResult.
 *
 *  Leaks
 *    liveLeakReport(world): CNI state no known sandbox owns (after a missed DEL)
 *    diffLeakReport(before, after, namespaces): what ADD + DEL left,
 *      documented (the real plugins' known leftovers, with the reason) or unexpected.
 *
 *  Plugins as processes
 *    runPlugin(pluginTable()[name], world, ns, env, stdin): what the binary
 *    /usr/lib/cni/NAME prints and does.
 *
 * Stable API: names exported here keep their meaning; new options are added
 * as optional fields.
 */
export {
  addContainer,
  addNode,
  crashContainer,
  DEFAULT_BIN_DIR,
  DEFAULT_CONF_DIR,
  getNode,
  getSandbox,
  kubenetConfigs,
  listSandboxes,
  podCIDRForNode,
  rebootNode,
  recreatePodSandbox,
  removePodSandbox,
  restartContainer,
  restartPodsAfterReboot,
  runPodSandbox,
  sandboxNetns,
  stopPodSandbox,
  type CniCall,
  type CriOutcome,
  type NodeSpec,
  type PodSandboxConfig,
} from './cri.js';
export type { CriContainer, CriNode, CriPortMapping, CriState, NodeNetwork, PodSandbox, SandboxNetwork } from '../model/cri.js';
export {
  confFromBytes,
  confListFromBytes,
  confListFromConf,
  injectConf,
  LibcniError,
  loadConf,
  loadConfList,
  NoConfigsFoundError,
  NotFoundError,
  type NetworkConfig,
  type NetworkConfigList,
} from './runtime/conf.js';
export {
  addNetwork,
  addNetworkList,
  cacheFileBytes,
  checkNetworkList,
  delNetwork,
  delNetworkList,
  gcNetworkList,
  getCachedAttachments,
  getNetworkListCachedResult,
  getStatusNetworkList,
  getVersionInfo,
  validateNetworkList,
  type CniRuntime,
  type GCAttachment,
  type NetworkAttachment,
  type PluginErrorInfo,
  type PluginInvocation,
  type RuntimeConf,
  type RuntimeOutcome,
} from './runtime/libcni.js';
export { printLibcniResult } from './runtime/result.js';
export { cnitoolContainerID } from './runtime/cnitool.js';
export { diffLeakReport, liveLeakReport, type LeakItem, type LeakKind } from './leaks.js';
export { runPlugin, type PluginDef, type PluginOutcome } from './skel.js';
export { pluginTable, PLUGIN_DIRS, REAL_PLUGIN_NAMES } from './registry.js';
export { printResult, type Result, type Result100, type Result040, type Result020 } from './types.js';
