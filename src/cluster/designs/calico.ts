/**
 * Calico (projectcalico/calico: calico-node = felix + BIRD, the calico CNI
 * plugin, calico-ipam), as it programs a node.
 *
 * IPAM (calico-ipam): the IP pool (CALICO_IPV4POOL_CIDR = the cluster CIDR)
 * is cut into /26 blocks; a node claims a block (block affinity) when it first
 * needs an address and another when its blocks are full. Addresses are handed
 * out in order from the block's first ordinal (so .0 is a valid pod or tunnel
 * address). Real Calico claims a *random* free block; the twin takes the
 * lowest free one (documented, deterministic). Calico ignores node.spec.podCIDR.
 *
 * Pods (calico CNI + felix's endpoint manager): a veth `cali` + the first 11 hex
 * digits of sha1("<namespace>.<pod>") on the host, MAC ee:ee:ee:ee:ee:ee, no
 * address; proxy_arp=1, forwarding=1, rp_filter=1, route_localnet=1 on it
 * (Calico also sets neigh.<if>.proxy_delay=0, which the twin's sysctl does not
 * model: the twin answers proxy ARP at once, which is what 0 gives); a host route `<pod ip> dev caliX scope link` (proto
 * boot, felix's deviceRouteProtocol). In the pod: eth0 with the /32 address,
 * `169.254.1.1 dev eth0 scope link` and `default via 169.254.1.1 dev eth0`: the
 * pod ARPs for 169.254.1.1 and the host's veth answers by proxy ARP (any
 * address it has a route for elsewhere), so every packet is routed by the
 * host: same-node pod traffic takes ttl 63.
 *
 * Routing between nodes:
 * - encapsulation 'none' (calico_backend bird): BIRD advertises the node's
 *   blocks over BGP (full mesh, or route reflectors) and installs routes
 *   learned from peers `<block> via <peer> dev eth0 proto bird` (gateway
 *   recursive: a peer beyond a router is reached via the router); its own
 *   blocks are `blackhole <block> proto bird`. A session down withdraws routes.
 *   `peerWithRouter`: the router is a global BGP peer (a ToR): it learns every
 *   block, which makes pod routing across the routed underlay work.
 * - encapsulation 'vxlan' / 'vxlan-crosssubnet' (felix's VXLAN manager, no BGP):
 *   vxlan.calico (VNI 4096, port 4789, nolearning, MTU uplink - 50, a MAC of
 *   its own), its tunnel address = the first address of the node's first block
 *   as /32; per remote block a permanent neighbour (remote tunnel address ->
 *   remote VTEP MAC), a permanent FDB entry (MAC -> remote node, self) and
 *   `<block> via <remote tunnel ip> dev vxlan.calico onlink`; CrossSubnet uses
 *   `<block> via <node> dev eth0 proto 80 onlink` for peers on the same subnet.
 *   Own blocks: `blackhole <block> proto 80`.
 * - IPIP (tunl0) is not supported: this kernel has no ipip module (checked:
 *   `ip link add tunl0 type ipip` -> "Error: Unknown device type.").
 *
 * natOutgoing (felix, iptables nat): POSTROUTING -> cali-POSTROUTING (inserted
 * first: chainInsertMode Insert) -> cali-nat-outgoing: MASQUERADE --random-fully
 * what comes from the pool and goes outside every pool. Felix matches with the
 * ipsets cali40masq-ipam-pools / cali40all-ipam-pools; the twin has no ipset, so
 * the rule names the pool with -s/! -d (the same packets match, one pool).
 * Rule comments ("cali:<hash>") and the policy chains are not modelled.
 */
import { sha1Hex } from '../../model/hash.js';
import { probe } from '../../sim/send.js';
import { parseIp4 } from '../../model/addr.js';
import { contains, mustPrefix, networkAddr, nthAddr, prefixLen } from '../cidr.js';
import { clusterCidr, designState, underlayOf, withDesignState, withPod } from '../cluster.js';
import { ClusterError, logEvent, runLines } from '../exec.js';
import { ROUTER_NS, segments } from '../underlay.js';
import type { AgentItem, AgentPlan, Cluster, Design, PodState } from '../types.js';
import { agentMac, uplinkMtu } from './common.js';
import { peerings, propagate, type Session, type Speaker } from './bgp.js';

export type CalicoEncapsulation = 'none' | 'vxlan' | 'vxlan-crosssubnet' | 'ipip';

export interface CalicoOptions {
  readonly encapsulation?: CalicoEncapsulation;
  /** Nodes acting as BGP route reflectors (the node-to-node mesh is then disabled). */
  readonly routeReflectors?: readonly string[];
  /** The router peers with every node (a global BGPPeer). */
  readonly peerWithRouter?: boolean;
  /** The pool's natOutgoing (default true). */
  readonly natOutgoing?: boolean;
  /** The pool's blockSize (default 26). */
  readonly blockSize?: number;
}

interface Block {
  readonly cidr: string;
  readonly node: string;
  /** Allocated ordinals -> handle (pod name, or `tunnel`). */
  readonly used: Readonly<Record<number, string>>;
}

interface CalicoState {
  readonly blocks: readonly Block[];
  /** Node -> its VXLAN tunnel address and VTEP MAC. */
  readonly vtep: Readonly<Record<string, { readonly ip: string; readonly mac: string }>>;
  /** BGP sessions shut down by hand (`a|b`, sorted). */
  readonly down: readonly string[];
  /** Last known session states (for Established/Idle events). */
  readonly sessions: readonly Session[];
}

const KEY = 'calico';
const EMPTY: CalicoState = { blocks: [], vtep: {}, down: [], sessions: [] };
const VXLAN_DEV = 'vxlan.calico';
const HOST_MAC = 'ee:ee:ee:ee:ee:ee';

function st(c: Cluster): CalicoState {
  return designState<CalicoState>(c, KEY, EMPTY);
}

/** calico CNI's host-side veth name: "cali" + sha1("<k8s namespace>.<pod>")[:11]. */
export function caliName(pod: string, namespace = 'default'): string {
  return 'cali' + sha1Hex(`${namespace}.${pod}`).slice(0, 11);
}

/** calico-ipam autoAssign: an address from the node's blocks, claiming a new block when needed. */
function assign(c: Cluster, node: string, handle: string, blockSize: number): { cluster: Cluster; ip: string } {
  let s = st(c);
  const pool = clusterCidr(c);
  const size = 2 ** (32 - blockSize);
  let blocks = [...s.blocks];
  let bi = blocks.findIndex((b) => b.node === node && Object.keys(b.used).length < size);
  if (bi < 0) {
    const p = mustPrefix(pool);
    const n = 2 ** (blockSize - p.len);
    let cidr: string | undefined;
    for (let i = 0; i < n && !cidr; i++) {
      const cand = `${nthAddr(pool, i * size)}/${blockSize}`;
      if (!blocks.some((b) => b.cidr === cand)) cidr = cand;
    }
    if (!cidr) throw new ClusterError(`calico-ipam: pool ${pool} has no free /${blockSize} block for ${node}`);
    blocks.push({ cidr, node, used: {} });
    bi = blocks.length - 1;
    c = logEvent(c, `calico-ipam`, `node ${node} claimed block ${cidr}`);
  }
  const b = blocks[bi]!;
  let ord = 0;
  while (b.used[ord] !== undefined) ord++;
  blocks[bi] = { ...b, used: { ...b.used, [ord]: handle } };
  s = { ...s, blocks };
  return { cluster: withDesignState(c, KEY, s), ip: nthAddr(b.cidr, ord) };
}

function releaseIp(c: Cluster, ip: string): Cluster {
  const s = st(c);
  const blocks = s.blocks.map((b) => {
    if (!contains(b.cidr, ip)) return b;
    const ord = (mustPrefix(ip).addr - mustPrefix(b.cidr).addr) >>> 0;
    const { [ord]: _gone, ...used } = b.used;
    return { ...b, used };
  });
  return withDesignState(c, KEY, { ...s, blocks });
}

export function calico(o: CalicoOptions = {}): Design {
  const encap = o.encapsulation ?? 'none';
  if (encap === 'ipip') throw new ClusterError('Calico IPIP (tunl0) is not supported: the recording kernel has no ipip module ("Error: Unknown device type."); use vxlan');
  const vxlan = encap === 'vxlan' || encap === 'vxlan-crosssubnet';
  const blockSize = o.blockSize ?? 26;
  const rrs = o.routeReflectors ?? [];
  const mtuOf = (c: Cluster, node: string): number => uplinkMtu(c, node) - (vxlan ? 50 : 0);

  function blocksOf(c: Cluster, node: string): string[] {
    return st(c).blocks.filter((b) => b.node === node).map((b) => b.cidr);
  }

  function sameSubnet(c: Cluster, a: string, b: string): boolean {
    const na = c.nodes[a]!;
    const seg = segments(underlayOf(c))[na.segment]!;
    return contains(`${networkAddr(seg)}/${prefixLen(seg)}`, c.nodes[b]!.ip);
  }

  /** Can `a` reach `b`'s address (the TCP session's path)? Judged by a ping on a scratch copy of the world. */
  function reachable(c: Cluster, fromNs: string, ip: string): boolean {
    const to = parseIp4(ip);
    if (to === undefined || !c.world.ns[fromNs]) return false;
    return probe(c.world, { from: fromNs, to, proto: 'icmp' }).outcome.kind === 'reply';
  }

  function speakers(c: Cluster): Speaker[] {
    const out: Speaker[] = c.nodeOrder.map((n) => ({ name: n, ip: c.nodes[n]!.ip, reflector: rrs.includes(n), originates: blocksOf(c, n) }));
    if (o.peerWithRouter) {
      const gw = c.nodes[c.nodeOrder[0]!]?.gateway ?? '';
      out.push({ name: ROUTER_NS, ip: gw, reflector: false, originates: [] });
    }
    return out;
  }

  function sessions(c: Cluster): Session[] {
    const sp = speakers(c);
    const s = st(c);
    const byName = new Map(sp.map((x) => [x.name, x]));
    return peerings(sp, { mesh: rrs.length === 0, extra: o.peerWithRouter ? [ROUTER_NS] : [] }).map(([a, b]) => {
      const key = [a, b].sort().join('|');
      const running = (n: string): boolean => n === ROUTER_NS || (c.nodes[n]?.agentRunning ?? false);
      let why: string | undefined;
      if (s.down.includes(key)) why = 'shut down';
      else if (!running(a) || !running(b)) why = `calico-node not running on ${!running(a) ? a : b}`;
      else {
        // The TCP session needs the underlay path: a node pings the other's (or the router pings the node's) address.
        const [from, to] = a === ROUTER_NS ? [a, b] : b === ROUTER_NS ? [b, a] : [a, b];
        if (!reachable(c, from === ROUTER_NS ? ROUTER_NS : c.nodes[from]!.ns, byName.get(to)!.ip)) why = `${from} cannot reach ${to}`;
      }
      return { a, b, established: why === undefined, ...(why ? { why } : {}) };
    });
  }

  function birdItems(c: Cluster, node: string, learned: Map<string, { prefix: string; origin: string }[]>): AgentItem[] {
    const items: AgentItem[] = blocksOf(c, node).map((b) => ({
      key: `blackhole/${b}`,
      add: [`ip -n ${node} route replace blackhole ${b} proto bird`],
      del: [`ip -n ${node} route del blackhole ${b} proto bird`],
    }));
    const n = c.nodes[node]!;
    for (const r of learned.get(node) ?? []) {
      const peer = c.nodes[r.origin];
      if (!peer) continue;
      // gateway recursive: a next hop not on our subnet resolves through our route to it (the default route).
      const nh = sameSubnet(c, node, r.origin) ? peer.ip : n.gateway;
      items.push({
        key: `bgp/${r.prefix}`,
        add: [`ip -n ${node} route replace ${r.prefix} via ${nh} dev eth0 proto bird`],
        del: [`ip -n ${node} route del ${r.prefix} via ${nh} dev eth0 proto bird`],
      });
    }
    return items;
  }

  function felixVxlanItems(c: Cluster, node: string): AgentItem[] {
    const items: AgentItem[] = blocksOf(c, node).map((b) => ({
      key: `blackhole/${b}`,
      add: [`ip -n ${node} route replace blackhole ${b} proto 80`],
      del: [`ip -n ${node} route del blackhole ${b} proto 80`],
    }));
    const s = st(c);
    for (const peer of c.nodeOrder) {
      if (peer === node) continue;
      const v = s.vtep[peer];
      const p = c.nodes[peer]!;
      if (!v) continue;
      const direct = encap === 'vxlan-crosssubnet' && sameSubnet(c, node, peer);
      if (!direct) {
        items.push({
          key: `vtep/${peer}`,
          add: [`ip -n ${node} neigh replace ${v.ip} lladdr ${v.mac} dev ${VXLAN_DEV} nud permanent`, `bridge -n ${node} fdb replace ${v.mac} dev ${VXLAN_DEV} dst ${p.ip} self permanent`],
          del: [`ip -n ${node} neigh del ${v.ip} dev ${VXLAN_DEV}`, `bridge -n ${node} fdb del ${v.mac} dev ${VXLAN_DEV} dst ${p.ip} self`],
        });
      }
      for (const b of blocksOf(c, peer)) {
        const route = direct ? `${b} via ${p.ip} dev eth0 proto 80 onlink` : `${b} via ${v.ip} dev ${VXLAN_DEV} onlink`;
        items.push({ key: `route/${b}`, add: [`ip -n ${node} route replace ${route}`], del: [`ip -n ${node} route del ${route}`] });
      }
    }
    return items;
  }

  return {
    name: `calico-${vxlan ? encap : rrs.length ? 'bgp-rr' : 'bgp'}`,
    usesPodCidr: false,
    podMtu: mtuOf,
    installNode(c, node) {
      const n = c.nodes[node]!;
      const x = `ip netns exec ${node} iptables -t nat`;
      const lines: string[] = [];
      let cur = c;
      if (vxlan) {
        // calico-node allocates the node's VXLAN tunnel address at start (claiming its first block).
        const s0 = st(cur);
        let v = s0.vtep[node];
        if (!v || n.boots > 0) {
          const existing = v?.ip;
          let ip = existing;
          if (!ip) {
            const a = assign(cur, node, 'tunnel', blockSize);
            cur = a.cluster;
            ip = a.ip;
          }
          const m = agentMac(cur, 0xca);
          cur = m.cluster;
          v = { ip, mac: m.mac };
          cur = withDesignState(cur, KEY, { ...st(cur), vtep: { ...st(cur).vtep, [node]: v } });
        }
        lines.push(
          `ip -n ${node} link add ${VXLAN_DEV} address ${v.mac} mtu ${mtuOf(c, node)} type vxlan id 4096 local ${n.ip} dev eth0 dstport 4789 nolearning`,
          `ip -n ${node} addr add ${v.ip}/32 dev ${VXLAN_DEV}`,
          `ip -n ${node} link set ${VXLAN_DEV} up`,
        );
      }
      if (o.natOutgoing ?? true) {
        const pool = clusterCidr(c);
        lines.push(
          `${x} -N cali-POSTROUTING`,
          `${x} -N cali-nat-outgoing`,
          `${x} -I POSTROUTING 1 -j cali-POSTROUTING`,
          `${x} -A cali-POSTROUTING -j cali-nat-outgoing`,
          `${x} -A cali-nat-outgoing -s ${pool} ! -d ${pool} -j MASQUERADE --random-fully`,
        );
      }
      return runLines(cur, `calico-node@${node}`, lines);
    },
    plans(c): AgentPlan[] {
      if (vxlan) return c.nodeOrder.map((node) => ({ who: `felix@${node}`, ns: node, items: felixVxlanItems(c, node) }));
      const sess = sessions(c);
      const learned = propagate(speakers(c), sess);
      const plans: AgentPlan[] = c.nodeOrder.map((node) => ({ who: `bird@${node}`, ns: node, items: birdItems(c, node, learned) }));
      if (o.peerWithRouter) {
        plans.push({
          who: `bird@${ROUTER_NS}`,
          ns: ROUTER_NS,
          items: (learned.get(ROUTER_NS) ?? []).flatMap((r) => {
            const p = c.nodes[r.origin];
            return p ? [{ key: `bgp/${r.prefix}`, add: [`ip -n ${ROUTER_NS} route replace ${r.prefix} via ${p.ip} proto bird`], del: [`ip -n ${ROUTER_NS} route del ${r.prefix} via ${p.ip} proto bird`] }] : [];
          }),
        });
      }
      return plans;
    },
    addPod(c: Cluster, pod: PodState) {
      const a = assign(c, pod.node, pod.name, blockSize);
      let cur = a.cluster;
      const host = caliName(pod.name);
      const mtu = mtuOf(cur, pod.node);
      const n = pod.node;
      const p = pod.ns;
      cur = runLines(cur, `calico-cni@${n}`, [
        `ip -n ${n} link add ${host} mtu ${mtu} address ${HOST_MAC} type veth peer name eth0 mtu ${mtu} netns ${p}`,
        `ip netns exec ${n} sysctl -qw net.ipv4.conf.${host}.proxy_arp=1`,
        `ip netns exec ${n} sysctl -qw net.ipv4.conf.${host}.forwarding=1`,
        `ip netns exec ${n} sysctl -qw net.ipv4.conf.${host}.rp_filter=1`,
        `ip netns exec ${n} sysctl -qw net.ipv4.conf.${host}.route_localnet=1`,
        `ip -n ${n} link set ${host} up`,
        `ip -n ${p} link set eth0 up`,
        `ip -n ${p} route add 169.254.1.1 dev eth0 scope link`,
        `ip -n ${p} route add default via 169.254.1.1 dev eth0`,
        `ip -n ${p} addr add ${a.ip}/32 dev eth0`,
        `ip -n ${n} route add ${a.ip} dev ${host} scope link`,
      ]);
      return withPod(cur, { ...pod, ip: a.ip, hostIf: host });
    },
    deletePod(c: Cluster, pod: PodState) {
      let cur = runLines(c, `calico-cni@${pod.node}`, [`ip -n ${pod.node} link del ${caliName(pod.name)}`]);
      if (pod.ip) cur = releaseIp(cur, pod.ip);
      return cur;
    },
    nodeRemoved(c, node) {
      // The node controller releases the node's block affinities (and their addresses).
      const s = st(c);
      const { [node]: _v, ...vtep } = s.vtep;
      return withDesignState(c, KEY, { ...s, blocks: s.blocks.filter((b) => b.node !== node), vtep });
    },
  };
}

/** Shut a BGP session down (`birdcl disable`, a firewall on TCP 179): the peers withdraw each other's routes at the next reconcile. */
export function bgpSessionDown(c: Cluster, a: string, b: string): Cluster {
  const s = st(c);
  const key = [a, b].sort().join('|');
  if (s.down.includes(key)) return c;
  return logEvent(withDesignState(c, KEY, { ...s, down: [...s.down, key] }), `bird@${a}`, `BGP session ${a} <-> ${b}: Established -> Idle (shut down)`);
}

export function bgpSessionUp(c: Cluster, a: string, b: string): Cluster {
  const s = st(c);
  const key = [a, b].sort().join('|');
  return withDesignState(c, KEY, { ...s, down: s.down.filter((d) => d !== key) });
}

/** The BGP sessions and their state as `birdcl show protocols` would list them (for tests and docs). */
export function calicoBlocks(c: Cluster): readonly { cidr: string; node: string }[] {
  return st(c).blocks.map((b) => ({ cidr: b.cidr, node: b.node }));
}
