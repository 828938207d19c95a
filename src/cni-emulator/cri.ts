/**
 * The container runtime's side of pod networking, as a library over the
 * World: what containerd's CRI plugin (1.7/2.0, through go-cni and libcni)
 * or kubelet's kubenet does with CNI when the kubelet asks for pod sandboxes.
 *
 *   addNode            register a Kubernetes node (its namespace, filesystem
 *                      root, CNI dirs, podCIDR, 'cni' or 'kubenet')
 *   runPodSandbox      netns `cni-<uuid>` + pause container + loopback ADD +
 *                      the node network's ADD (ifname eth0), CNI_ARGS
 *                      IgnoreUnknown=1;K8S_POD_NAMESPACE;K8S_POD_NAME;
 *                      K8S_POD_INFRA_CONTAINER_ID;K8S_POD_UID, capability args
 *                      (portMappings, bandwidth, pod annotations). A failed ADD
 *                      is followed by the runtime's DEL of every network and
 *                      the removal of the netns; the sandbox is not kept.
 *   addContainer / crashContainer / restartContainer
 *                      containers share the sandbox's netns (one localhost);
 *                      no CNI call, the IP is kept
 *   stopPodSandbox     DEL of every network (CNI_NETNS '' once the netns is
 *                      gone), then the netns is removed; repeatable
 *   removePodSandbox   stop if still ready, forget the sandbox
 *   recreatePodSandbox stop, run a new sandbox (new id, attempt+1, new ADD),
 *                      remove the old one (kubelet's reaction to a dead sandbox)
 *   rebootNode         every pod netns and the node's kernel state vanish;
 *                      files (/var/lib/cni) and the runtime's records stay
 *                      (sandboxes NOTREADY) unless runtimeStateLost
 *   restartPodsAfterReboot  kubelet's sync after a reboot: stop (DEL with an
 *                      empty netns: IPAM released), new sandbox, remove old
 *
 * The networks DEL uses are reloaded from the node's config directory at
 * teardown time (containerd does not keep the config a pod was set up with).
 * Every function returns the new world (the plugins' side effects stay even
 * on failure), ok/error, and the CNI runtime calls made (with their plugin
 * invocations). Deterministic: ids and netns names come from world.seed.
 *
 * Approximations (not verifiable here without containerd): containerd's own
 * error texts ("failed to setup network for sandbox ..."), the order of
 * CNI_ARGS (containerd iterates a Go map: random) and of the loopback vs
 * eth0 ADD (run in parallel by go-cni; the twin runs loopback first).
 */
import { sha256Hex } from '../model/hash.js';
import { produce } from 'immer';
import type { CriContainer, CriNode, CriPortMapping, CriState, NodeNetwork, PodSandbox, SandboxNetwork } from '../model/cri.js';
import { EMPTY_NETFILTER } from '../model/netfilter.js';
import { ROOT_NS, type Link, type Netns, type NsName, type World } from '../model/world.js';
import { settleLinks } from '../sim/ops/mcast.js';
import { netnsAdd, netnsDel, newNamespace } from '../sim/ops/netns.js';
import { setLinkUp } from '../sim/ops/link-state.js';
import { sysctlWrite } from '../sim/ops/sysctl.js';
import { execArgv } from '../shell/interp.js';
import { Unsupported } from '../shell/types.js';
import { GoMap, type GoJson } from './gojson.js';
import { goParseCIDR } from './goip.js';
import { byteOrder, confFromBytes, confListFromBytes, confListFromConf, LibcniError, LIBCNI_SPEC_VERSION, type NetworkConfig, type NetworkConfigList } from './runtime/conf.js';
import {
  addNetwork,
  addNetworkList,
  delNetwork,
  delNetworkList,
  type CniRuntime,
  type PluginInvocation,
  type RuntimeConf,
  type RuntimeOutcome,
} from './runtime/libcni.js';
import { convertResult, type Result } from './types.js';

// ---------------------------------------------------------------------------
// Public types.

/** One libcni call the runtime made, for logs and tests. */
export interface CniCall {
  readonly op: 'ADD' | 'DEL';
  readonly network: string;
  readonly ifName: string;
  readonly containerID: string;
  readonly netns: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly invocations: readonly PluginInvocation[];
}

export interface CriOutcome<T = void> {
  readonly world: World;
  readonly ok: boolean;
  readonly value?: T;
  /** The runtime's error text. */
  readonly error?: string;
  readonly calls: readonly CniCall[];
}

export interface NodeSpec {
  readonly name: string;
  /** The node's namespace (default: the node's name, created if absent, lo up). ROOT_NS: the twin machine itself. */
  readonly ns?: NsName;
  /** Filesystem root in world.files (default '' for ROOT_NS, '/nodes/NAME' otherwise). */
  readonly root?: string;
  readonly confDir?: string;
  readonly binDirs?: readonly string[];
  readonly cacheDir?: string;
  /** spec.podCIDR (see podCIDRForNode). Required for kubenet. */
  readonly podCIDR?: string;
  /** 'cni' (default) or kubenet with kubelet's options. */
  readonly network?:
    | 'cni'
    | { readonly kind: 'kubenet'; readonly mtu?: number; readonly hairpinMode?: 'hairpin-veth' | 'promiscuous-bridge' | 'none'; readonly nonMasqueradeCIDR?: string };
}

/** What the kubelet puts in a PodSandboxConfig, as far as networking sees it. */
export interface PodSandboxConfig {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly attempt?: number;
  readonly portMappings?: readonly (Partial<CriPortMapping> & { readonly containerPort: number })[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export const DEFAULT_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_BIN_DIR = '/opt/cni/bin';

// ---------------------------------------------------------------------------
// State helpers.

const EMPTY_CRI: CriState = { nodes: {}, sandboxes: {}, sandboxOrder: [], idCounter: 0 };
const criOf = (w: World): CriState => w.cri ?? EMPTY_CRI;

function withCri(w: World, f: (c: CriState) => CriState): World {
  return { ...w, cri: f(criOf(w)) };
}

function putSandbox(w: World, s: PodSandbox): World {
  return withCri(w, (c) => ({
    ...c,
    sandboxes: { ...c.sandboxes, [s.id]: s },
    sandboxOrder: c.sandboxOrder.includes(s.id) ? c.sandboxOrder : [...c.sandboxOrder, s.id],
  }));
}

function dropSandbox(w: World, id: string): World {
  return withCri(w, (c) => {
    const sandboxes = { ...c.sandboxes };
    delete sandboxes[id];
    return { ...c, sandboxes, sandboxOrder: c.sandboxOrder.filter((x) => x !== id) };
  });
}

/** Seeded hex (the runtime's crypto/rand, made reproducible). */
function drawHex(w: World, bytes: number): { world: World; hex: string } {
  const c = criOf(w);
  let hex = '';
  for (let i = 0; hex.length < bytes * 2; i++) hex += sha256Hex(`podnet-cri:${w.seed}:${c.idCounter}:${i}`);
  return { world: withCri(w, (x) => ({ ...x, idCounter: x.idCounter + 1 })), hex: hex.slice(0, bytes * 2) };
}

/** A version-4 UUID from 16 seeded bytes (containerd's netns names: cni-<uuid>). */
function uuidFrom(hex: string): string {
  const b = hex.split('');
  b[12] = '4';
  b[16] = ((parseInt(b[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = b.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const plainExec = (w: World, ns: NsName, argv: readonly string[]) => execArgv(w, ns, argv, { env: {}, stdin: undefined, line: 0, background: false });

function fail<T>(world: World, error: string, calls: readonly CniCall[]): CriOutcome<T> {
  return { world: settleLinks(world), ok: false, error, calls };
}

function done<T>(world: World, value: T, calls: readonly CniCall[]): CriOutcome<T> {
  return { world: settleLinks(world), ok: true, value, calls };
}

// ---------------------------------------------------------------------------
// Nodes.

/** The records of a node, or undefined. */
export const getNode = (w: World, name: string): CriNode | undefined => criOf(w).nodes[name];

/**
 * addNode: register a node. For kubenet this is kubelet's Init: the
 * bridge-nf-call-iptables sysctl and kubenet's masquerade rule
 * (`-A POSTROUTING -m comment --comment "kubenet: SNAT for outbound traffic
 * from cluster" -m addrtype ! --dst-type LOCAL ! -d <non-masquerade CIDR>
 * -j MASQUERADE`).
 */
export function addNode(world: World, spec: NodeSpec): CriOutcome<CriNode> {
  if (criOf(world).nodes[spec.name]) return fail(world, `node ${spec.name} already exists`, []);
  const ns = spec.ns ?? spec.name;
  let w = world;
  if (w.ns[ns] === undefined) {
    const r = netnsAdd(w, ns);
    if (!r.ok) return fail(world, r.error, []);
    const up = setLinkUp(r.world, ns, 1, true);
    if (!up.ok) return fail(world, up.error, []);
    w = up.world;
  }
  let network: NodeNetwork = { kind: 'cni' };
  const n = spec.network;
  if (n && n !== 'cni') {
    if (!spec.podCIDR) return fail(world, 'Kubenet does not have netConfig. This is most likely due to lack of PodCIDR', []);
    network = {
      kind: 'kubenet',
      mtu: n.mtu ?? kubenetMtu(w.ns[ns]!),
      hairpinMode: n.hairpinMode ?? 'hairpin-veth',
      nonMasqueradeCIDR: n.nonMasqueradeCIDR ?? '10.0.0.0/8',
    };
  }
  const node: CriNode = {
    name: spec.name,
    ns,
    root: spec.root ?? (ns === ROOT_NS ? '' : `/nodes/${spec.name}`),
    confDir: spec.confDir ?? DEFAULT_CONF_DIR,
    binDirs: spec.binDirs ?? [DEFAULT_BIN_DIR],
    cacheDir: spec.cacheDir ?? (network.kind === 'kubenet' ? '/var/lib/cni/cache' : '/var/lib/cni'),
    ...(spec.podCIDR ? { podCIDR: spec.podCIDR } : {}),
    network,
    boots: 0,
  };
  w = withCri(w, (c) => ({ ...c, nodes: { ...c.nodes, [node.name]: node } }));
  if (network.kind === 'kubenet') w = kubenetInit(w, node);
  return done(w, node, []);
}

/** findMinMTU: the smallest MTU of the up, non-loopback interfaces; 1460 when there is none. */
function kubenetMtu(ns: Netns): number {
  let mtu = 999999;
  for (const l of Object.values(ns.links)) if (l.adminUp && l.kind !== 'loopback' && l.mtu < mtu) mtu = l.mtu;
  return mtu >= 999999 || mtu < 576 ? 1460 : mtu;
}

function kubenetInit(w: World, node: CriNode): World {
  if (node.network.kind !== 'kubenet') return w;
  // modprobe br-netfilter; sysctl net/bridge/bridge-nf-call-iptables=1 (a failure is only logged).
  const s = sysctlWrite(w, node.ns, 'net.bridge.bridge-nf-call-iptables', '1');
  if (s.ok) w = s.world;
  return ensureKubenetMasq(w, node);
}

/** ensureMasqRule: iptables EnsureRule(Append, nat, POSTROUTING, ...). */
function ensureKubenetMasq(w: World, node: CriNode): World {
  if (node.network.kind !== 'kubenet') return w;
  const cidr = node.network.nonMasqueradeCIDR;
  if (cidr === '0.0.0.0/0' || cidr === '::/0') return w;
  const rule = ['-m', 'comment', '--comment', 'kubenet: SNAT for outbound traffic from cluster', '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '!', '-d', cidr, '-j', 'MASQUERADE'];
  const c = plainExec(w, node.ns, ['iptables', '-t', 'nat', '-C', 'POSTROUTING', ...rule]);
  if (c.status === 0) return c.world;
  return plainExec(c.world, node.ns, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', ...rule]).world;
}

/**
 * kube-controller-manager's range allocator (--cluster-cidr,
 * --node-cidr-mask-size, /24 by default for IPv4): the index-th subnet of
 * that size in the cluster CIDR (nodes get them in order of registration).
 */
export function podCIDRForNode(clusterCIDR: string, index: number, maskSize = 24): string {
  const c = goParseCIDR(clusterCIDR);
  if (!c || c.ip.v !== 4) throw new Error(`invalid IPv4 cluster CIDR ${clusterCIDR}`);
  if (maskSize < c.len || maskSize > 32) throw new Error(`node CIDR mask size ${maskSize} does not fit in ${clusterCIDR}`);
  const count = 2 ** (maskSize - c.len);
  if (index < 0 || index >= count) throw new Error(`CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range`);
  const base = c.ip.a >>> 0;
  const net = (base + index * 2 ** (32 - maskSize)) >>> 0;
  return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.')}/${maskSize}`;
}

// ---------------------------------------------------------------------------
// The node's networks (what go-cni / kubenet would have loaded).

/** A world whose files are those under the node's root, paths relative to it (for reading configs). */
function nodeFiles(w: World, node: CriNode): World {
  if (!node.root) return w;
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  const pfx = node.root.replace(/\/+$/, '');
  for (const [k, v] of Object.entries(w.files)) if (k.startsWith(pfx + '/')) files[k.slice(pfx.length)] = v;
  return { ...w, files };
}

interface Attached {
  readonly kind: 'list' | 'single';
  readonly list?: NetworkConfigList;
  readonly single?: NetworkConfig;
  readonly ifName: string;
  readonly withArgs: boolean;
}

/** go-cni WithLoNetwork: the loopback network containerd adds to every pod. */
const CNI_LOOPBACK = `{
"cniVersion": "0.3.1",
"name": "cni-loopback",
"plugins": [{
  "type": "loopback"
}]
}`;

/** go-cni loadFromConfDir(max 1): the first .conf/.conflist/.json in the directory, sorted by name. */
function loadDefaultNetwork(w: World, node: CriNode): NetworkConfigList {
  const view = nodeFiles(w, node);
  const dir = node.confDir.replace(/\/+$/, '') || '/';
  const pfx = dir === '/' ? '/' : dir + '/';
  const files = Object.keys(view.files)
    .filter((k) => k.startsWith(pfx) && !k.slice(pfx.length).includes('/') && /\.(conf|conflist|json)$/.test(k))
    .sort(byteOrder);
  if (files.length === 0) throw new LibcniError(`no network config found in ${node.confDir}: cni plugin not initialized`);
  const f = files[0]!;
  const bytes = view.files[f]!;
  if (f.endsWith('.conflist')) {
    try {
      return confListFromBytes(bytes);
    } catch (e) {
      if (e instanceof LibcniError) throw new LibcniError(`failed to load CNI config list file ${f}: ${e.message}: invalid cni config`);
      throw e;
    }
  }
  let conf: NetworkConfig;
  try {
    conf = confFromBytes(bytes);
  } catch (e) {
    if (e instanceof LibcniError) throw new LibcniError(`failed to load CNI config file ${f}: ${e.message}: invalid cni config`);
    throw e;
  }
  return confListFromConf(conf);
}

/** kubenet's generated configs (Kubernetes 1.21-1.23 templates). */
export function kubenetConfigs(node: CriNode): { lo: NetworkConfig; net: NetworkConfig } {
  if (node.network.kind !== 'kubenet' || !node.podCIDR) throw new LibcniError('Kubenet does not have netConfig. This is most likely due to lack of PodCIDR');
  const c = goParseCIDR(node.podCIDR);
  if (!c || c.ip.v !== 4) throw new Unsupported(`kubenet podCIDR ${node.podCIDR} (IPv4 only)`);
  const n = c.len === 0 ? 0 : ((c.ip.a >>> 0) & ((0xffffffff << (32 - c.len)) >>> 0)) >>> 0;
  const net = `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}/${c.len}`;
  const json = `{
  "cniVersion": "0.1.0",
  "name": "kubenet",
  "type": "bridge",
  "bridge": "cbr0",
  "mtu": ${node.network.mtu},
  "addIf": "eth0",
  "isGateway": true,
  "ipMasq": false,
  "hairpinMode": ${node.network.hairpinMode === 'hairpin-veth'},
  "ipam": {
    "type": "host-local",
    "ranges": [
[{
"subnet": "${net}"
}]],
    "routes": [{"dst": "0.0.0.0/0"}]
  }
}`;
  const lo = `{
  "cniVersion": "0.1.0",
  "name": "kubenet-loopback",
  "type": "loopback"
}`;
  return { lo: confFromBytes(lo), net: confFromBytes(json) };
}

/** The networks a pod of this node is attached to, in order: loopback first. */
function nodeNetworks(w: World, node: CriNode): Attached[] {
  if (node.network.kind === 'kubenet') {
    const k = kubenetConfigs(node);
    return [
      { kind: 'single', single: k.lo, ifName: 'lo', withArgs: false },
      { kind: 'single', single: k.net, ifName: 'eth0', withArgs: false },
    ];
  }
  return [
    { kind: 'list', list: confListFromBytes(CNI_LOOPBACK), ifName: 'lo', withArgs: true },
    { kind: 'list', list: loadDefaultNetwork(w, node), ifName: 'eth0', withArgs: true },
  ];
}

const attachedName = (a: Attached): string => (a.kind === 'list' ? a.list!.name : a.single!.network.name);

function runtimeFor(node: CriNode): CniRuntime {
  return { ns: node.ns, path: node.binDirs, cacheDir: node.cacheDir, root: node.root, env: {}, exec: plainExec };
}

/** The CNI_ARGS containerd passes (toCNILabels), in a fixed order (containerd's is a Go map's). */
function cniLabels(s: Pick<PodSandbox, 'id' | 'name' | 'namespace' | 'uid'>): [string, string][] {
  return [
    ['IgnoreUnknown', '1'],
    ['K8S_POD_NAMESPACE', s.namespace],
    ['K8S_POD_NAME', s.name],
    ['K8S_POD_INFRA_CONTAINER_ID', s.id],
    ['K8S_POD_UID', s.uid],
  ];
}

/** Kubernetes resource.Quantity as an integer (decimal SI and binary suffixes). */
function quantity(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Math.ceil(Number(m[1]) * mult[m[2] ?? '']!);
}

/**
 * The capability arguments containerd passes: pod annotations
 * ("io.kubernetes.cri.pod-annotations"), portMappings (hostPort > 0 only, as
 * go-cni's PortMapping struct: Go field names), bandwidth (from the
 * kubernetes.io/ingress-bandwidth / egress-bandwidth annotations, bits per
 * second, burst MaxUint32).
 */
function capabilityArgs(s: PodSandbox): Record<string, GoJson> {
  const caps: Record<string, GoJson> = { 'io.kubernetes.cri.pod-annotations': new GoMap({ ...s.annotations }) };
  const pms = s.portMappings.filter((p) => p.hostPort > 0);
  if (pms.length > 0) {
    caps['portMappings'] = pms.map((p) => ({ HostPort: p.hostPort, ContainerPort: p.containerPort, Protocol: p.protocol.toLowerCase(), HostIP: p.hostIP }));
  }
  const ing = s.annotations['kubernetes.io/ingress-bandwidth'];
  const egr = s.annotations['kubernetes.io/egress-bandwidth'];
  if (ing !== undefined || egr !== undefined) {
    const ir = ing !== undefined ? quantity(ing) : undefined;
    const er = egr !== undefined ? quantity(egr) : undefined;
    caps['bandwidth'] = {
      IngressRate: ir ?? 0,
      IngressBurst: ir !== undefined ? 4294967295 : 0,
      EgressRate: er ?? 0,
      EgressBurst: er !== undefined ? 4294967295 : 0,
    };
  }
  return caps;
}

function rcFor(s: PodSandbox, a: Attached, netnsPath: string): RuntimeConf {
  return {
    containerID: s.id,
    netNS: netnsPath,
    ifName: a.ifName,
    ...(a.withArgs ? { args: cniLabels(s), capabilityArgs: capabilityArgs(s) } : {}),
  };
}

function callAdd(w: World, node: CriNode, a: Attached, rc: RuntimeConf): RuntimeOutcome<Result> {
  const rt = runtimeFor(node);
  return a.kind === 'list' ? addNetworkList(w, rt, a.list!, rc) : addNetwork(w, rt, a.single!, rc);
}

function callDel(w: World, node: CriNode, a: Attached, rc: RuntimeConf): RuntimeOutcome<void> {
  const rt = runtimeFor(node);
  return a.kind === 'list' ? delNetworkList(w, rt, a.list!, rc) : delNetwork(w, rt, a.single!, rc);
}

const toCall = (op: 'ADD' | 'DEL', a: Attached, rc: RuntimeConf, o: RuntimeOutcome<unknown>): CniCall => ({
  op,
  network: attachedName(a),
  ifName: a.ifName,
  containerID: rc.containerID,
  netns: rc.netNS,
  ok: o.ok,
  ...(o.error !== undefined ? { error: o.error } : {}),
  invocations: o.invocations,
});

/** The pod IPs from the eth0 result: addresses whose interface is eth0 in a sandbox (IPv4 first). */
function podIPs(r: Result): string[] {
  // A 0.1.0/0.2.0 result (kubenet: cnitypes020.GetResult): ip4, then ip6.
  if (r.kind === '020') return [...(r.ip4 ? [r.ip4.ip.ip] : []), ...(r.ip6 ? [r.ip6.ip.ip] : [])];
  const c = convertResult(r, '1.0.0');
  if (typeof c === 'string' || c.kind !== '100') return [];
  const out: string[] = [];
  for (const ipc of c.ips ?? []) {
    if (ipc.interface === undefined) continue;
    const intf = c.interfaces?.[ipc.interface];
    if (!intf || intf.name !== 'eth0' || !intf.sandbox) continue;
    out.push(ipc.address.ip);
  }
  return [...out.filter((x) => !x.includes(':')), ...out.filter((x) => x.includes(':'))];
}

// ---------------------------------------------------------------------------
// Sandboxes.

export const getSandbox = (w: World, id: string): PodSandbox | undefined => criOf(w).sandboxes[id];

/** Sandboxes (optionally of one node), in creation order. */
export function listSandboxes(w: World, node?: string): PodSandbox[] {
  const c = criOf(w);
  return c.sandboxOrder.map((id) => c.sandboxes[id]!).filter((s) => node === undefined || s.node === node);
}

/** The sandbox's network namespace (where every container of the pod runs), if it exists. */
export function sandboxNetns(w: World, id: string): NsName | undefined {
  const s = getSandbox(w, id);
  return s?.netns !== undefined && w.ns[s.netns] !== undefined ? s.netns : undefined;
}

/**
 * RunPodSandbox: create the netns, the pause container and the pod's network.
 * On failure the runtime tears the network down (DEL of every network, with
 * the netns still there) and removes the netns; nothing is recorded.
 */
export function runPodSandbox(world: World, nodeName: string, config: PodSandboxConfig): CriOutcome<PodSandbox> {
  const node = getNode(world, nodeName);
  if (!node) return fail(world, `node ${nodeName} not found`, []);
  let w = world;
  const idDraw = drawHex(w, 32);
  w = idDraw.world;
  const id = idDraw.hex;
  const nsDraw = drawHex(w, 16);
  w = nsDraw.world;
  const netns = `cni-${uuidFrom(nsDraw.hex)}`;
  const calls: CniCall[] = [];
  let nets: Attached[];
  try {
    nets = nodeNetworks(w, node);
  } catch (e) {
    if (e instanceof LibcniError) return fail(world, `failed to setup network for sandbox ${JSON.stringify(id)}: ${e.message}`, calls);
    throw e;
  }
  const made = netnsAdd(w, netns);
  if (!made.ok) return fail(world, `failed to create network namespace for sandbox ${JSON.stringify(id)}: ${made.error}`, calls);
  w = made.world;
  const sandbox: PodSandbox = {
    id,
    node: nodeName,
    name: config.name,
    namespace: config.namespace ?? 'default',
    uid: config.uid ?? uidFor(nsDraw.hex),
    attempt: config.attempt ?? 0,
    netns,
    netnsPath: `/var/run/netns/${netns}`,
    state: 'SANDBOX_READY',
    ips: [],
    portMappings: (config.portMappings ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort ?? 0, hostIP: p.hostIP ?? '' })),
    annotations: { ...(config.annotations ?? {}) },
    networks: nets.map((a) => ({ network: attachedName(a), ifName: a.ifName })),
    containers: [],
  };
  if (node.network.kind === 'kubenet') {
    if (sandbox.portMappings.some((p) => p.hostPort > 0)) throw new Unsupported('kubenet host ports (kubelet hostport manager)');
    // disableContainerDAD: net.ipv6.conf.default.dad_transmits=0 in the pod (failure only logged).
    const d = sysctlWrite(w, netns, 'net.ipv6.conf.default.dad_transmits', '0');
    if (d.ok) w = d.world;
  }
  let firstError: string | undefined;
  let eth0: Result | undefined;
  for (const a of nets) {
    const rc = rcFor(sandbox, a, sandbox.netnsPath);
    const o = callAdd(w, node, a, rc);
    w = o.world;
    calls.push(toCall('ADD', a, rc, o));
    if (!o.ok) {
      firstError ??= node.network.kind === 'kubenet' ? `Error adding container to network: ${o.error}` : o.error;
      // kubenet stops at the first failure; go-cni ran both in parallel.
      if (node.network.kind === 'kubenet') break;
      continue;
    }
    if (a.ifName === 'eth0') eth0 = o.value;
  }
  let ips: string[] = [];
  if (firstError === undefined && eth0) {
    ips = podIPs(eth0);
    if (node.network.kind === 'kubenet') {
      if (ips.length === 0) firstError = "cni didn't report ipv4 ipv6";
      else if (node.network.hairpinMode === 'promiscuous-bridge') {
        // The bridge goes promiscuous (kubenet also syncs ebtables dedup rules, which the twin does not model).
        const br = Object.values(w.ns[node.ns]!.links).find((l) => l.name === 'cbr0');
        if (br && !br.promisc) w = plainExec(w, node.ns, ['ip', 'link', 'set', 'cbr0', 'promisc', 'on']).world;
      }
    }
  }
  if (firstError !== undefined) {
    // The runtime's cleanup: teardown, then the netns goes.
    const td = teardown(w, node, sandbox, sandbox.netnsPath, nets);
    w = td.world;
    calls.push(...td.calls);
    const rm = netnsDel(w, netns);
    if (rm.ok) w = rm.world;
    const msg = node.network.kind === 'kubenet' ? firstError : `failed to setup network for sandbox ${JSON.stringify(id)}: ${firstError}`;
    return fail(w, msg, calls);
  }
  if (node.network.kind === 'kubenet') w = ensureKubenetMasq(w, node);
  const ready: PodSandbox = { ...sandbox, ips };
  w = putSandbox(w, ready);
  return done(w, ready, calls);
}

function uidFor(hex: string): string {
  return uuidFrom(sha256Hex('uid:' + hex));
}

/**
 * teardownPodNetwork: DEL for each network (go-cni Remove: errors containing
 * "not found", or "no such file or directory" with an empty netns path, are
 * ignored; kubenet: DEL of eth0 only, "no such file or directory" ignored).
 */
function teardown(w: World, node: CriNode, s: PodSandbox, netnsPath: string, nets?: Attached[]): { world: World; calls: CniCall[]; error?: string } {
  const calls: CniCall[] = [];
  let networks: Attached[];
  try {
    networks = nets ?? nodeNetworks(w, node);
  } catch (e) {
    if (e instanceof LibcniError) return { world: w, calls, error: e.message };
    throw e;
  }
  if (node.network.kind === 'kubenet') networks = networks.filter((a) => a.ifName === 'eth0');
  for (const a of networks) {
    const rc = rcFor(s, a, netnsPath);
    const o = callDel(w, node, a, rc);
    w = o.world;
    calls.push(toCall('DEL', a, rc, o));
    if (!o.ok) {
      const e = o.error ?? '';
      if (node.network.kind === 'kubenet') {
        if (!e.includes('no such file or directory')) return { world: w, calls, error: `Error removing container from network: ${e}` };
        continue;
      }
      if ((netnsPath === '' && e.includes('no such file or directory')) || e.includes('not found')) continue;
      return { world: w, calls, error: e };
    }
  }
  return { world: w, calls };
}

/**
 * StopPodSandbox: containers stop, the network is torn down (CNI_NETNS is ''
 * when the namespace is already gone), the netns is removed. Can be repeated
 * (each call runs DEL again, with an empty netns).
 */
export function stopPodSandbox(world: World, id: string): CriOutcome {
  const s = getSandbox(world, id);
  if (!s) return fail(world, `an error occurred when try to find sandbox: not found`, []);
  const node = getNode(world, s.node)!;
  let w = world;
  const stopped: PodSandbox = { ...s, containers: s.containers.map((c) => (c.state === 'CONTAINER_RUNNING' ? { ...c, state: 'CONTAINER_EXITED', exitCode: 137 } : c)) };
  w = putSandbox(w, stopped);
  const alive = s.netns !== undefined && w.ns[s.netns] !== undefined;
  const td = teardown(w, node, stopped, alive ? s.netnsPath : '');
  w = td.world;
  if (td.error !== undefined) return fail(w, `failed to destroy network for sandbox ${JSON.stringify(id)}: ${td.error}`, td.calls);
  if (alive) {
    const rm = netnsDel(w, s.netns!);
    if (rm.ok) w = rm.world;
  }
  w = putSandbox(w, stripNetns({ ...stopped, state: 'SANDBOX_NOTREADY' }));
  if (node.network.kind === 'kubenet') w = ensureKubenetMasq(w, node);
  return done(w, undefined, td.calls);
}

function stripNetns(s: PodSandbox): PodSandbox {
  const { netns: _n, ...rest } = s;
  return rest;
}

/** RemovePodSandbox: a ready sandbox is stopped first; the records go. */
export function removePodSandbox(world: World, id: string): CriOutcome {
  const s = getSandbox(world, id);
  if (!s) return done(world, undefined, []);
  let w = world;
  let calls: readonly CniCall[] = [];
  if (s.state === 'SANDBOX_READY') {
    const st = stopPodSandbox(w, id);
    if (!st.ok) return { ...st, error: `failed to forcibly stop sandbox ${JSON.stringify(id)}: ${st.error}` };
    w = st.world;
    calls = st.calls;
  }
  return done(dropSandbox(w, id), undefined, calls);
}

/**
 * Sandbox recreation (kubelet, when a pod's sandbox died or changed): stop
 * the old one, run a new one for the same pod (new id, attempt + 1, a new
 * ADD: with host-local the IP usually changes), then remove the old one.
 * The pod's containers are recreated in the new sandbox.
 */
export function recreatePodSandbox(world: World, id: string): CriOutcome<PodSandbox> {
  const s = getSandbox(world, id);
  if (!s) return fail(world, `sandbox ${id} not found`, []);
  const calls: CniCall[] = [];
  const st = stopPodSandbox(world, id);
  calls.push(...st.calls);
  if (!st.ok) return { ...st, calls } as CriOutcome<PodSandbox>;
  const run = runPodSandbox(st.world, s.node, {
    name: s.name,
    namespace: s.namespace,
    uid: s.uid,
    attempt: s.attempt + 1,
    portMappings: s.portMappings,
    annotations: s.annotations,
  });
  calls.push(...run.calls);
  if (!run.ok) return { world: run.world, ok: false, error: run.error!, calls };
  let w = run.world;
  let fresh = run.value!;
  for (const c of s.containers) {
    const add = addContainer(w, fresh.id, c.name);
    w = add.world;
  }
  fresh = getSandbox(w, fresh.id)!;
  fresh = { ...fresh, containers: fresh.containers.map((c) => ({ ...c, restartCount: (s.containers.find((o) => o.name === c.name)?.restartCount ?? 0) + 1 })) };
  w = putSandbox(w, fresh);
  const rm = removePodSandbox(w, id);
  calls.push(...rm.calls);
  return done(rm.world, fresh, calls);
}

// ---------------------------------------------------------------------------
// Containers: they join the sandbox's namespace; no CNI calls.

function updateContainer(world: World, id: string, name: string, f: (c: CriContainer | undefined, s: PodSandbox, w: World) => { world: World; c: CriContainer } | string): CriOutcome<CriContainer> {
  const s = getSandbox(world, id);
  if (!s) return fail(world, `sandbox ${id} not found`, []);
  if (s.state !== 'SANDBOX_READY') return fail(world, `sandbox container ${JSON.stringify(id)} is not running`, []);
  const r = f(
    s.containers.find((c) => c.name === name),
    s,
    world,
  );
  if (typeof r === 'string') return fail(world, r, []);
  const others = s.containers.filter((c) => c.name !== name);
  const containers = s.containers.some((c) => c.name === name) ? s.containers.map((c) => (c.name === name ? r.c : c)) : [...others, r.c];
  return done(putSandbox(r.world, { ...s, containers }), r.c, []);
}

/** CreateContainer + StartContainer in the sandbox: the container shares the pod's netns (and its localhost). */
export function addContainer(world: World, sandboxId: string, name: string): CriOutcome<CriContainer> {
  return updateContainer(world, sandboxId, name, (c, _s, w) => {
    if (c) return `container name ${JSON.stringify(name)} is reserved`;
    const d = drawHex(w, 32);
    return { world: d.world, c: { id: d.hex, name, state: 'CONTAINER_RUNNING', restartCount: 0 } };
  });
}

/** The container's process exits (a crash): the pod's network is untouched. */
export function crashContainer(world: World, sandboxId: string, name: string, exitCode = 1): CriOutcome<CriContainer> {
  return updateContainer(world, sandboxId, name, (c, _s, w) => (c ? { world: w, c: { ...c, state: 'CONTAINER_EXITED', exitCode } } : `container ${name} not found`));
}

/** kubelet restarts the container in the same sandbox: no CNI call, same IP. */
export function restartContainer(world: World, sandboxId: string, name: string): CriOutcome<CriContainer> {
  return updateContainer(world, sandboxId, name, (c, _s, w) => {
    if (!c) return `container ${name} not found`;
    const d = drawHex(w, 32);
    const { exitCode: _e, ...rest } = c;
    return { world: d.world, c: { ...rest, id: d.hex, state: 'CONTAINER_RUNNING', restartCount: c.restartCount + 1 } };
  });
}

// ---------------------------------------------------------------------------
// Node reboot.

/**
 * The node reboots: the pods' namespaces are gone, and so is the node's
 * kernel state (links other than lo and its uplinks, addresses, routes,
 * iptables, conntrack, sysctls back to defaults). Files stay (/var/lib/cni:
 * IPAM reservations and the result cache), and so do the runtime's sandbox
 * records (NOTREADY, containers exited) unless runtimeStateLost, in which
 * case nothing will ever DEL them: their IPAM reservations leak.
 *
 * An uplink is a veth whose peer lives outside the node and its pods (the
 * twin's stand-in for a NIC): it stays, down and without addresses.
 */
export function rebootNode(world: World, nodeName: string, opts: { readonly runtimeStateLost?: boolean } = {}): CriOutcome {
  const node = getNode(world, nodeName);
  if (!node) return fail(world, `node ${nodeName} not found`, []);
  let w = world;
  const pods = listSandboxes(w, nodeName);
  const podNs = new Set(pods.map((s) => s.netns).filter((n): n is string => n !== undefined));
  for (const n of podNs) {
    if (w.ns[n] === undefined) continue;
    const r = netnsDel(w, n);
    if (r.ok) w = r.world;
  }
  w = resetNodeKernel(w, node.ns);
  for (const s of pods) {
    if (opts.runtimeStateLost) {
      w = dropSandbox(w, s.id);
      continue;
    }
    w = putSandbox(w, stripNetns({ ...s, state: 'SANDBOX_NOTREADY', containers: s.containers.map((c) => (c.state === 'CONTAINER_RUNNING' ? { ...c, state: 'CONTAINER_EXITED', exitCode: 255 } : c)) }));
  }
  const rebooted: CriNode = { ...node, boots: node.boots + 1 };
  w = withCri(w, (c) => ({ ...c, nodes: { ...c.nodes, [nodeName]: rebooted } }));
  // kubelet starts again: kubenet's Init.
  if (node.network.kind === 'kubenet') w = kubenetInit(w, rebooted);
  return done(w, undefined, []);
}

function resetNodeKernel(w: World, nsName: NsName): World {
  const fresh = newNamespace(w, nsName);
  const uplink = (l: Link): boolean => l.kind === 'veth' && l.peer.ns !== nsName && w.ns[l.peer.ns] !== undefined;
  const reset = produce(w, (d) => {
    const ns = d.ns[nsName]!;
    for (const [idx, l] of Object.entries(ns.links)) {
      if (l.kind === 'loopback') {
        ns.links[Number(idx)] = fresh.links[1] as never;
        continue;
      }
      if (uplink(l as Link)) {
        l.adminUp = false;
        l.addrs = [];
        delete l.master;
        delete l.brport;
        delete l.l2;
        l.promisc = false;
        l.conf = { ...(fresh.links[1]!.conf as Record<string, string>) };
        continue;
      }
      if (l.kind === 'veth') {
        const peer = d.ns[l.peer.ns];
        if (peer && l.peer.ns !== nsName) delete peer.links[l.peer.ifindex];
      }
      delete ns.links[Number(idx)];
    }
    ns.routes = [];
    ns.neigh = [];
    ns.netfilter = EMPTY_NETFILTER as never;
    ns.conntrack = [];
    ns.sysctl = { ...fresh.sysctl };
    ns.listeners = [];
    delete ns.pmtu;
    delete ns.icmpPeers;
    delete ns.fibTables;
  });
  const up = setLinkUp(reset, nsName, 1, true);
  return up.ok ? up.world : reset;
}

/**
 * kubelet after a reboot: every NOTREADY sandbox of the node is stopped (DEL
 * with an empty CNI_NETNS: the plugins release IPAM but cannot clean what was
 * inside the lost namespace), a new sandbox is run for its pod, and the old
 * one is removed.
 */
export function restartPodsAfterReboot(world: World, nodeName: string): CriOutcome<PodSandbox[]> {
  let w = world;
  const calls: CniCall[] = [];
  const fresh: PodSandbox[] = [];
  for (const s of listSandboxes(w, nodeName)) {
    if (s.state !== 'SANDBOX_NOTREADY') continue;
    const r = recreatePodSandbox(w, s.id);
    w = r.world;
    calls.push(...r.calls);
    if (!r.ok) return { world: w, ok: false, error: r.error!, calls };
    fresh.push(r.value!);
  }
  return done(w, fresh, calls);
}

export { LIBCNI_SPEC_VERSION };
export type { CriContainer, CriNode, CriPortMapping, CriState, PodSandbox, SandboxNetwork };
