/**
 * Synthetic clusters for the benchmark, built straight into a World (no shell
 * lines, no immer): what `npm run bench` measures at 5,000 nodes / 150,000
 * pods, where building through the cluster layer (src/cluster: one twin-shell
 * line per step) is far too slow (see docs/performance.md for its growth).
 *
 * The shapes are those the ops create (checked by tracing every pod pair of
 * small clusters in test/bench/synth.test.ts):
 *   underlay   bridge br0 (ifindex 2) with one port per node (n<i>), FDB
 *              holding every node's eth0 MAC
 *   node<i>    lo, eth0 (veth to the underlay) 172.16.x.y/16, cni0 bridge
 *              10.a.b.1/24 with a port per pod; ip_forward=1
 *              host-gw: `10.a'.b'.0/24 via <node j> dev eth0` for every other node
 *              vxlan (flannel): flannel.1 (VNI 1, dstport 8472, nolearning),
 *              `10.a'.b'.0/24 via 10.a'.b'.0 dev flannel.1 onlink`, a PERMANENT
 *              neighbour and a `self permanent dst <node j>` FDB entry per node
 *   <pod>      lo, eth0 10.a.b.k/24 brd 10.a.b.255, 10.0.0.0/8 and default via 10.a.b.1
 * Neighbour tables are those of a cluster in steady state (every node and
 * pod already resolved, REACHABLE at clock 0), so a trace does not flood ARP
 * across a 5,000-port underlay; so are the FDBs (each pod's MAC learned).
 *
 * Per pod, the objects are those the ops make when the emulated CNI runtime
 * adds a pod (`ip netns add`, `ip link set lo up`, the bridge plugin's veth,
 * `sysctl -w net.ipv4.conf.eth0.arp_notify=1`, address, routes; compared in
 * test/bench/synth.test.ts): the pod's eth0 and its host end carry their
 * link-layer state (`l2`, settled as after `link set up`) and `noCarrierOper`,
 * the host end its bridge port (hairpin, as flannel's bridge plugin sets it)
 * with its local FDB entry in cni0, the pod and its node their netnsids
 * (`peerIds`). What the ops share between namespaces is shared here too, and
 * comes from the ops themselves (a namespace made by netnsAdd and setLinkUp):
 * the up lo with its address and three routes, the sysctl record, the conf
 * records (eth0's with arp_notify interned as sysctl.ts interns it), the
 * plugin's routes (interned by routeInsert), the empty lists. Beyond the ops, the per-node cluster routes, neighbours and FDB
 * entries are one object per remote node shared by all nodes (each node
 * keeps an array of references), and one lo/sysctl/conf serves every node.
 */
import { seededMac, type Ip4, type Mac } from '../src/model/addr.js';
import type {
  BridgeLink,
  FdbEntry,
  Link,
  LoopbackLink,
  Neigh,
  Netns,
  Route,
  VethLink,
  VxlanLink,
  World,
} from '../src/model/world.js';
import { EMPTY_LIST, internRecord, internRoute, internStrings, sharedPrefix } from '../src/model/shared.js';
import { setLinkUp } from '../src/sim/ops/link-state.js';
import { MC_ALL_HOSTS, MC_ALL_NODES, solicitedNode } from '../src/sim/ops/mcast.js';
import { freshMachine, netnsAdd, newNamespace } from '../src/sim/ops/netns.js';

export type Design = 'host-gw' | 'vxlan';

export interface SynthSpec {
  readonly nodes: number;
  readonly podsPerNode: number;
  readonly design: Design;
  readonly seed?: number;
}

export interface SynthPod {
  readonly name: string;
  readonly node: number;
  readonly ip: Ip4;
}

export interface SynthCluster {
  readonly world: World;
  readonly pods: readonly SynthPod[];
  readonly nodeNames: readonly string[];
}

const UNDERLAY = 'underlay';
const NODE_NET = 0xac100000; // 172.16.0.0/16
const POD_NET = 0x0a000000; // 10.0.0.0/8, a /24 per node
const VXLAN_PORT = 8472;

const ip = (n: number): Ip4 => (n >>> 0) as Ip4;
const nodeIp = (i: number): Ip4 => ip(NODE_NET + 10 + i);
const podNet = (i: number): Ip4 => ip(POD_NET + ((i + 1) << 8));

function freezeDeep<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) freezeDeep(v);
  }
  return o;
}

function route(r: Partial<Route> & Pick<Route, 'table' | 'type' | 'dst' | 'scope'>): Route {
  return { tos: 0, proto: 'kernel', metric: 0, onlink: false, ...r };
}

/** A kernel route of an address, built as addrRoutes() (src/sim/ops/link-state.ts) builds it: one literal, same keys, a shared prefix. */
function kernelRoute(dev: number, prefsrc: Ip4, table: number, type: Route['type'], addr: Ip4, len: number, scope: Route['scope']): Route {
  return { tos: 0, proto: 'kernel', metric: 0, onlink: false, dev, prefsrc, table, type, dst: sharedPrefix(addr, len), scope };
}

/** A static route as buildRoute() (src/sim/ops/route.ts) builds it for `ip route add DST via GW dev eth0` (proto boot: the CNI plugin's). */
function viaRoute(addr: Ip4, len: number, gateway: Ip4): Route {
  return { table: 254, type: 'unicast', dst: { addr, len }, tos: 0, scope: 'global', proto: 'boot', metric: 0, onlink: false, dev: 2, gateway };
}

/** A device's link-layer state right after `ip link set X up` at clock 0 (nextL2 in src/sim/ops/mcast.ts). */
function upL2(mac: Mac): NonNullable<Link['l2']> {
  return { up: true, ready: true, mc: [MC_ALL_NODES, MC_ALL_HOSTS, solicitedNode(mac)], ll6: mac, upSinceMs: 0, ll6Ms: 0 };
}

/** The kernel routes of an address (local + broadcast in table local, the connected route in main). */
function addrRoutes(dev: number, local: number, len: number): Route[] {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const net = (local & mask) >>> 0;
  const out = [route({ table: 255, type: 'local', dst: { addr: ip(local), len: 32 }, scope: 'host', dev, prefsrc: ip(local) })];
  if (len < 32) {
    out.push(route({ table: 254, type: 'unicast', dst: { addr: ip(net), len }, scope: 'link', dev, prefsrc: ip(local) }));
    if (len < 31) out.push(route({ table: 255, type: 'broadcast', dst: { addr: ip(net | (~mask >>> 0)), len: 32 }, scope: 'link', dev, prefsrc: ip(local) }));
  }
  return out;
}

export function buildSynthetic(spec: SynthSpec): SynthCluster {
  const base = freshMachine(spec.seed ?? 1);
  let mac = base.macCounter;
  const nextMac = (): Mac => seededMac(base.seed, mac++);

  // Shared pieces (frozen: a namespace never changes them in place). A pod's come from the
  // ops: `ip netns add` then `ip link set lo up` give every namespace the same objects.
  const template = newNamespace(base, 'template');
  const made = netnsAdd(base, 'template');
  const up = made.ok ? setLinkUp(made.world, 'template', 1, true) : made;
  if (!up.ok) throw new Error(`internal: ${up.error}`);
  const podNs = up.world.ns['template']!;
  const podLo = podNs.links[1] as LoopbackLink;
  const podSysctl = podNs.sysctl;
  const podEthConf = internRecord({ ...podLo.conf, arp_notify: '1' });
  const podConfSet = internStrings(['arp_notify']);
  const nodeSysctl = freezeDeep({
    ...template.sysctl,
    'net.ipv4.ip_forward': '1',
    'net.ipv4.conf.all.forwarding': '1',
    'net.ipv4.conf.default.forwarding': '1',
    'net.ipv4.conf.all.accept_redirects': '0',
  });
  const conf = podLo.conf;
  const nodeConf = freezeDeep({ ...conf, forwarding: '1' });
  const lo = podLo;
  const nodeLo: LoopbackLink = freezeDeep({ ...lo, conf: nodeConf });
  const loRoutes = podNs.routes;
  const empty = freezeDeep({ netfilter: { tables: {} }, list: EMPTY_LIST, rec: {} });

  const N = spec.nodes;
  const P = spec.podsPerNode;
  const nodeNames = Array.from({ length: N }, (_, i) => `node${i}`);
  const nodeEthMac = Array.from({ length: N }, () => nextMac());
  const vtepMac = spec.design === 'vxlan' ? Array.from({ length: N }, () => nextMac()) : [];

  // One object per remote node, shared by every node's table.
  const clusterRoutes: Route[] = [];
  const clusterNeigh: Neigh[] = [];
  const clusterFdb: FdbEntry[] = [];
  const underlayNeigh: Neigh[] = [];
  for (let j = 0; j < N; j++) {
    underlayNeigh.push(freezeDeep({ ifindex: 2, dst: nodeIp(j), lladdr: nodeEthMac[j]!, state: 'REACHABLE', proxy: false, router: false, updatedMs: 0 }));
    if (spec.design === 'host-gw') {
      clusterRoutes.push(freezeDeep(route({ table: 254, type: 'unicast', dst: { addr: podNet(j), len: 24 }, scope: 'global', proto: 'static', dev: 2, gateway: nodeIp(j) })));
    } else {
      const vtepIp = podNet(j);
      clusterRoutes.push(freezeDeep(route({ table: 254, type: 'unicast', dst: { addr: podNet(j), len: 24 }, scope: 'global', proto: 'static', dev: 4, gateway: vtepIp, onlink: true })));
      clusterNeigh.push(freezeDeep({ ifindex: 4, dst: vtepIp, lladdr: vtepMac[j]!, state: 'PERMANENT', proxy: false, router: false, updatedMs: 0 }));
      clusterFdb.push(freezeDeep({ mac: vtepMac[j]!, ifindex: 4, state: 'permanent', self: true, dst: nodeIp(j), updatedMs: 0 }));
    }
  }

  const ns: Record<string, Netns> = { ...base.ns };
  const nsOrder: string[] = [...base.nsOrder];
  const pods: SynthPod[] = [];

  // The underlay switch.
  const brMac = nextMac();
  const underlayLinks: Record<number, Link> = { 1: lo };
  const underlayFdb: FdbEntry[] = [{ mac: brMac, ifindex: 2, state: 'permanent', self: false, updatedMs: 0, local: true }];
  for (let i = 0; i < N; i++) {
    const port: VethLink = {
      kind: 'veth',
      ifindex: 3 + i,
      name: `n${i}`,
      mtu: 1500,
      mac: nextMac(),
      adminUp: true,
      txqlen: 1000,
      promisc: false,
      addrs: [],
      conf,
      peer: { ns: nodeNames[i]!, ifindex: 2 },
      master: 2,
      brport: { hairpin: false, learning: true, flood: true, state: 'forwarding', cost: 2, priority: 32, portNo: i + 1 },
      qdisc: 'noqueue',
    };
    underlayLinks[3 + i] = port;
    underlayFdb.push({ mac: nodeEthMac[i]!, ifindex: 3 + i, state: 'dynamic', self: false, updatedMs: 0 });
  }
  underlayLinks[2] = bridge(2, 'br0', brMac, [], conf, underlayFdb);
  ns[UNDERLAY] = { ...newNamespace(base, UNDERLAY), links: underlayLinks, nextIfindex: 3 + N, routes: loRoutes, sysctl: podSysctl };
  nsOrder.push(UNDERLAY);

  for (let i = 0; i < N; i++) {
    const name = nodeNames[i]!;
    const net = podNet(i);
    const gwIp = ip(net + 1);
    const cniMac = nextMac();
    const links: Record<number, Link> = { 1: nodeLo };
    links[2] = {
      kind: 'veth',
      ifindex: 2,
      name: 'eth0',
      mtu: 1500,
      mac: nodeEthMac[i]!,
      adminUp: true,
      txqlen: 1000,
      promisc: false,
      addrs: [{ local: nodeIp(i), prefixLen: 16, scope: 'global', label: 'eth0', noprefixroute: false }],
      conf: nodeConf,
      peer: { ns: UNDERLAY, ifindex: 3 + i },
      qdisc: 'noqueue',
    } satisfies VethLink;
    const routes: Route[] = [...loRoutes, ...addrRoutes(2, nodeIp(i), 16), ...addrRoutes(3, gwIp, 24)];
    const neigh: Neigh[] = [];
    const cniFdb: FdbEntry[] = [{ mac: cniMac, ifindex: 3, state: 'permanent', self: false, updatedMs: 0, local: true }];
    const podGwNeigh: Neigh = freezeDeep({ ifindex: 2, dst: gwIp, lladdr: cniMac, state: 'REACHABLE', proxy: false, router: false, updatedMs: 0 });
    // The pods' netnsid record ({ node: 0 }) is interned by the ops (ensurePeerIdsDraft); the
    // node's gets one id per pod (after the underlay's 0), as the ops give them.
    const podPeerIds = internRecord({ [name]: 0 });
    // The plugin's two routes are the same in every pod of the node: routeInsert interns them.
    const podNetRoute = internRoute(viaRoute(ip(POD_NET), 8, gwIp));
    const podDefault = internRoute(viaRoute(ip(0), 0, gwIp));
    // (a prototype-less record, as ensurePeerIdsDraft makes a growing one).
    const nodePeerIds: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, { [UNDERLAY]: 0 });
    let nextIf = 4;
    if (spec.design === 'vxlan') {
      const vx: VxlanLink = {
        kind: 'vxlan',
        ifindex: 4,
        name: 'flannel.1',
        mtu: 1450,
        mac: vtepMac[i]!,
        adminUp: true,
        txqlen: 1000,
        promisc: false,
        addrs: [{ local: net, prefixLen: 32, scope: 'global', label: 'flannel.1', noprefixroute: false }],
        conf: nodeConf,
        vni: 1,
        local: nodeIp(i),
        dev: 2,
        dstport: VXLAN_PORT,
        srcportMin: 0,
        srcportMax: 0,
        learning: false,
        ttl: 0,
        fdb: clusterFdb.filter((_, j) => j !== i),
        qdisc: 'noqueue',
      };
      links[4] = vx;
      nextIf = 5;
      routes.push(...addrRoutes(4, net, 32));
      for (let j = 0; j < N; j++) if (j !== i) neigh.push(clusterNeigh[j]!);
    }
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      routes.push(clusterRoutes[j]!);
      neigh.push(underlayNeigh[j]!);
    }
    for (let k = 0; k < P; k++) {
      const podName = `p${i}-${k}`;
      const podIp = ip(net + 2 + k);
      const hostIf = nextIf++;
      const podMac = nextMac();
      const hostMac = nextMac();
      // The host end as the bridge plugin leaves it (vethAdd, the move of the peer, master cni0
      // with hairpin, up): key order as the ops give it.
      links[hostIf] = {
        ifindex: hostIf,
        name: `veth${(i * P + k).toString(16).padStart(8, '0')}`,
        mtu: 1500,
        mac: hostMac,
        adminUp: true,
        txqlen: 0,
        promisc: false,
        addrs: EMPTY_LIST,
        conf: nodeConf,
        kind: 'veth',
        peer: { ns: podName, ifindex: 2 },
        noCarrierOper: 'DOWN',
        qdisc: 'noqueue',
        master: 3,
        brport: { hairpin: true, learning: true, flood: true, state: 'forwarding', cost: 2, priority: 32, portNo: k + 1, localMac: hostMac },
        l2: upL2(hostMac),
      } satisfies VethLink;
      nodePeerIds[podName] = k + 1;
      // The port's own address (br_fdb_add_local) and the pod's MAC, learned.
      cniFdb.push({ mac: hostMac, ifindex: hostIf, state: 'permanent', self: false, local: true, updatedMs: 0 });
      cniFdb.push({ mac: podMac, ifindex: hostIf, state: 'dynamic', self: false, updatedMs: 0 });
      neigh.push({ ifindex: 3, dst: podIp, lladdr: podMac, state: 'REACHABLE', proxy: false, router: false, updatedMs: 0 });
      const brd = ip(net + 255);
      // eth0 as the bridge plugin leaves it: moved in and renamed, arp_notify set, the address
      // with its broadcast, up (key order as the ops give it).
      const podEth: VethLink = {
        ifindex: 2,
        name: 'eth0',
        mtu: 1500,
        mac: podMac,
        adminUp: true,
        txqlen: 0,
        promisc: false,
        addrs: [{ local: podIp, prefixLen: 24, broadcast: brd, scope: 'global', label: 'eth0', noprefixroute: false }],
        conf: podEthConf,
        kind: 'veth',
        peer: { ns: name, ifindex: hostIf },
        noCarrierOper: 'DOWN',
        l2: upL2(podMac),
        confSet: podConfSet,
        qdisc: 'noqueue',
      };
      // The routes in the ops' order: lo's (shared), the address's (addrRoutes: local, the
      // explicit broadcast, the prefix), then the plugin's (`ip route add`): the pod network
      // and the default, via the bridge.
      const podRoutes: Route[] = loRoutes.concat(
        kernelRoute(2, podIp, 255, 'local', podIp, 32, 'host'),
        kernelRoute(2, podIp, 255, 'broadcast', brd, 32, 'link'),
        kernelRoute(2, podIp, 254, 'unicast', net, 24, 'link'),
        podNetRoute,
        podDefault,
      );
      ns[podName] = {
        name: podName,
        links: { 1: lo, 2: podEth },
        nextIfindex: 3,
        routes: podRoutes,
        neigh: [podGwNeigh],
        sysctl: podSysctl,
        netfilter: empty.netfilter as Netns['netfilter'],
        conntrack: empty.list,
        peerIds: podPeerIds,
        listeners: empty.list,
      };
      nsOrder.push(podName);
      pods.push({ name: podName, node: i, ip: podIp });
    }
    links[3] = bridge(3, 'cni0', cniMac, [{ local: gwIp, prefixLen: 24, scope: 'global', label: 'cni0', noprefixroute: false }], nodeConf, cniFdb);
    ns[name] = {
      name,
      links,
      nextIfindex: nextIf,
      routes,
      neigh,
      sysctl: nodeSysctl,
      netfilter: empty.netfilter as Netns['netfilter'],
      conntrack: empty.list,
      peerIds: nodePeerIds,
      listeners: empty.list,
    };
    nsOrder.push(name);
  }
  const world: World = { ...base, ns, nsOrder, macCounter: mac };
  return { world, pods, nodeNames };
}

function bridge(ifindex: number, name: string, mac: Mac, addrs: Link['addrs'], conf: Link['conf'], fdb: FdbEntry[]): BridgeLink {
  return {
    kind: 'bridge',
    ifindex,
    name,
    mtu: 1500,
    mac,
    adminUp: true,
    txqlen: 1000,
    promisc: false,
    addrs,
    conf,
    fdb,
    ageingTimeCs: 30000,
    stp: false,
    forwardDelayCs: 1500,
    vlanFiltering: false,
    macSet: false,
    carrierFromPorts: true,
    localMac: mac,
    qdisc: 'noqueue',
  };
}

/** A deterministic pseudo-random sequence (xorshift32) for choosing pod pairs. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}
