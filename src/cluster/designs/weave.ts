/**
 * Weave Net (weaveworks/weave: the weave router in the weave-net DaemonSet,
 * the weave-net CNI plugin), as it leaves a node.
 *
 * - The `weave` bridge (MTU 1376, weave's default for the fast datapath), up.
 *   Its address comes from "weave expose": the node's first address of the
 *   allocation range, with the range's prefix (10.32.0.1/12 on the first node):
 *   every pod of the cluster is on one L2 subnet; nothing is routed between
 *   nodes, so pod-to-pod traffic keeps ttl 64 even across nodes.
 * - The overlay: weave's fast datapath is an Open vSwitch kernel datapath
 *   (`datapath`, joined to the bridge by vethwe-bridge/vethwe-datapath) with a
 *   VXLAN vport `vxlan-6784` (UDP 6784); the weave router installs ODP flows per
 *   MAC pair and floods broadcasts to every peer. The twin has no ODP: it is
 *   modelled with plain Linux constructs that forward the same frames - a VXLAN
 *   device `vxlan-6784` (dstport 6784) enslaved to the weave bridge, with MAC
 *   learning standing in for the router's flow learning and one all-zero FDB
 *   entry per peer for the flooding (head-end replication). Sleeve (the UDP
 *   fallback in user space) and encryption are not modelled.
 * - IPAM (ipam/): the allocation range (IPALLOC_RANGE, default 10.32.0.0/12) is
 *   shared by consensus: the first peer owns it all, a joining peer asks for
 *   space and is donated a part. The twin donates the upper half of the
 *   largest range of the peer with the most free space (ties: the earliest
 *   peer), which gives the familiar 10.32.x / 10.40.x / 10.36.x split. Addresses
 *   are handed out in order; the range's own network and broadcast addresses
 *   are never used.
 * - NAT (expose.go exposeNAT): nat chain WEAVE hooked from POSTROUTING:
 *   `-s <range> -d 224.0.0.0/4 -j RETURN`, `-s <range> ! -d <range> -j
 *   MASQUERADE`. (The ipset weaver-no-masq-local rule and weave-npc's policy
 *   chains are not modelled.)
 * - Pods (weave-net CNI): a veth `vethwepl<id>` on the bridge, eth0 with
 *   <ip>/<range prefix>, default route via the node's bridge address.
 */
import { sha256Hex } from '../../model/hash.js';
import { mustPrefix, prefixLen } from '../cidr.js';
import { designState, withDesignState, withPod } from '../cluster.js';
import { ClusterError, runLines } from '../exec.js';
import type { AgentPlan, Cluster, Design, PodState } from '../types.js';
import { agentMac } from './common.js';
import { formatIp4, ip4FromNumber } from '../../model/addr.js';

export interface WeaveOptions {
  /** IPALLOC_RANGE (default 10.32.0.0/12). */
  readonly range?: string;
  /** WEAVE_MTU (default 1376). */
  readonly mtu?: number;
}

/** A contiguous range [start, end) of addresses, as numbers. */
interface Span {
  readonly start: number;
  readonly end: number;
}

interface WeaveState {
  readonly owned: Readonly<Record<string, readonly Span[]>>;
  /** Addresses in use, by owner (pod name or `weave:expose`). */
  readonly used: Readonly<Record<string, string>>;
  readonly bridgeIp: Readonly<Record<string, string>>;
}

const KEY = 'weave';
const EMPTY: WeaveState = { owned: {}, used: {}, bridgeIp: {} };
const DEV = 'vxlan-6784';

function st(c: Cluster): WeaveState {
  return designState<WeaveState>(c, KEY, EMPTY);
}

const size = (spans: readonly Span[]): number => spans.reduce((n, s) => n + s.end - s.start, 0);

/** weave-net CNI's host veth name: vethwepl + the first 7 characters of a hash of the container id. */
export function weaveVethName(containerId: string): string {
  return 'vethwepl' + sha256Hex(containerId).slice(0, 7);
}

export function weave(o: WeaveOptions = {}): Design {
  const range = o.range ?? '10.32.0.0/12';
  const mtu = o.mtu ?? 1376;
  const plen = prefixLen(range);
  const r0 = mustPrefix(range).addr >>> 0;
  const rEnd = r0 + 2 ** (32 - plen);

  /** The node's space: the whole range for the first peer, else a donation. */
  function claimSpace(c: Cluster, node: string): Cluster {
    const s = st(c);
    if (s.owned[node]) return c;
    const peers = Object.keys(s.owned);
    if (peers.length === 0) return withDesignState(c, KEY, { ...s, owned: { [node]: [{ start: r0, end: rEnd }] } });
    const donor = peers.reduce((best, p) => (size(s.owned[p]!) > size(s.owned[best]!) ? p : best), peers[0]!);
    const spans = [...s.owned[donor]!];
    const li = spans.reduce((bi, sp, i) => (sp.end - sp.start > spans[bi]!.end - spans[bi]!.start ? i : bi), 0);
    const big = spans[li]!;
    const mid = big.start + Math.floor((big.end - big.start) / 2);
    spans[li] = { start: big.start, end: mid };
    return withDesignState(c, KEY, { ...s, owned: { ...s.owned, [donor]: spans, [node]: [{ start: mid, end: big.end }] } });
  }

  function allocate(c: Cluster, node: string, owner: string): { cluster: Cluster; ip: string } {
    const s = st(c);
    const taken = new Set(Object.keys(s.used));
    for (const sp of s.owned[node] ?? []) {
      for (let a = sp.start; a < sp.end; a++) {
        if (a === r0 || a === rEnd - 1) continue;
        const ip = formatIp4(ip4FromNumber(a));
        if (!taken.has(ip)) return { cluster: withDesignState(c, KEY, { ...s, used: { ...s.used, [ip]: owner } }), ip };
      }
    }
    throw new ClusterError(`weave ipam: node ${node} has no free address`);
  }

  return {
    name: 'weave',
    usesPodCidr: false,
    podMtu: () => mtu,
    installNode(c, node) {
      const n = c.nodes[node]!;
      let cur = claimSpace(c, node);
      let bip = st(cur).bridgeIp[node];
      if (!bip) {
        const a = allocate(cur, node, `weave:expose:${node}`);
        cur = a.cluster;
        bip = a.ip;
        cur = withDesignState(cur, KEY, { ...st(cur), bridgeIp: { ...st(cur).bridgeIp, [node]: bip } });
      }
      const m = agentMac(cur, 0x3e);
      cur = m.cluster;
      const x = `ip netns exec ${node} iptables -t nat`;
      return runLines(cur, `weave@${node}`, [
        `ip -n ${node} link add weave mtu ${mtu} type bridge`,
        `ip -n ${node} link add ${DEV} address ${m.mac} mtu ${mtu} type vxlan id 1 local ${n.ip} dev eth0 dstport 6784`,
        `ip -n ${node} link set ${DEV} master weave up`,
        `ip -n ${node} link set weave up`,
        `ip -n ${node} addr add ${bip}/${plen} dev weave`,
        `${x} -N WEAVE`,
        `${x} -A POSTROUTING -j WEAVE`,
        `${x} -A WEAVE -s ${range} -d 224.0.0.0/4 -j RETURN`,
        `${x} -A WEAVE -s ${range} ! -d ${range} -j MASQUERADE`,
      ]);
    },
    plans(c): AgentPlan[] {
      return c.nodeOrder.map((node) => ({
        who: `weave@${node}`,
        ns: node,
        items: c.nodeOrder
          .filter((p) => p !== node)
          .map((p) => ({
            key: `peer/${p}`,
            add: [`bridge -n ${node} fdb append 00:00:00:00:00:00 dev ${DEV} dst ${c.nodes[p]!.ip}`],
            del: [`bridge -n ${node} fdb del 00:00:00:00:00:00 dev ${DEV} dst ${c.nodes[p]!.ip}`],
          })),
      }));
    },
    addPod(c: Cluster, pod: PodState) {
      const a = allocate(c, pod.node, pod.name);
      let cur = a.cluster;
      const host = weaveVethName(pod.containerId);
      const gw = st(cur).bridgeIp[pod.node]!;
      cur = runLines(cur, `weave-cni@${pod.node}`, [
        `ip -n ${pod.node} link add ${host} mtu ${mtu} type veth peer name eth0 mtu ${mtu} netns ${pod.ns}`,
        `ip -n ${pod.node} link set ${host} master weave up`,
        `ip -n ${pod.ns} addr add ${a.ip}/${plen} dev eth0`,
        `ip -n ${pod.ns} link set eth0 up`,
        `ip -n ${pod.ns} route add default via ${gw}`,
      ]);
      return withPod(cur, { ...pod, ip: a.ip, hostIf: host });
    },
    deletePod(c: Cluster, pod: PodState) {
      const cur = runLines(c, `weave-cni@${pod.node}`, [`ip -n ${pod.node} link del ${weaveVethName(pod.containerId)}`]);
      const s = st(cur);
      const used = Object.fromEntries(Object.entries(s.used).filter(([, o]) => o !== pod.name));
      return withDesignState(cur, KEY, { ...s, used });
    },
  };
}

/** The address space each node owns (for tests and docs), as ranges `a.b.c.d-e.f.g.h`. */
export function weaveSpace(c: Cluster): Record<string, string[]> {
  const s = st(c);
  return Object.fromEntries(Object.entries(s.owned).map(([n, spans]) => [n, spans.map((sp) => `${formatIp4(ip4FromNumber(sp.start))}-${formatIp4(ip4FromNumber(sp.end - 1))}`)]));
}

/** The bridge address weave expose gave a node. */
export function weaveBridgeIp(c: Cluster, node: string): string | undefined {
  return st(c).bridgeIp[node];
}
