/**
 * The designs' kernel conformance scripts (conformance/scripts/35x-39x): each
 * is a cluster built by the design, its journal (every line the admin, kubelet
 * and the agents ran) followed by checks (routes, neighbours, FDB, iptables,
 * pings with their TTLs, traceroute). The recorder runs the script on the real
 * kernel; the twin runs the same script; the suite compares them section by
 * section. test/cluster/conformance-scripts.test.ts keeps the committed
 * scripts equal to what these builders produce (PODNET_UPDATE=1 rewrites them).
 */
import { addPod, buildCluster, reconcile, addNode } from './cluster.js';
import { journalScript } from './script.js';
import { missingVxlanFdb, deleteRoute } from './faults.js';
import { OUTSIDE_IP, ROUTER_NS } from './underlay.js';
import type { Cluster, ClusterSpec } from './types.js';
import { staticRoutes } from './designs/static-routes.js';
import { kubenet } from './designs/kubenet.js';
import { flannelHostGw, flannelVxlan } from './designs/flannel.js';
import { bgpSessionDown, calico } from './designs/calico.js';
import { weave } from './designs/weave.js';
import { cilium } from './designs/cilium.js';

export interface ConformanceCase {
  /** File name without `.sh`, e.g. `350-cluster-static-switch`. */
  readonly file: string;
  /** The comment block at the top (what it tests, kernel facts). */
  readonly about: readonly string[];
  /** The script body after the comment. */
  build(): string;
}

const NODES3 = ['node1', 'node2', 'node3'];

/** Pods a1, a2 on node1, b1 on node2, c1 on node3. */
function withPods(c: Cluster): Cluster {
  c = addPod(c, { name: 'a1', node: 'node1' });
  c = addPod(c, { name: 'a2', node: 'node1' });
  c = addPod(c, { name: 'b1', node: 'node2' });
  if (c.nodes['node3']) c = addPod(c, { name: 'c1', node: 'node3' });
  return c;
}

function ip(c: Cluster, pod: string): string {
  const p = c.pods[pod];
  if (!p?.ip) throw new Error(`pod ${pod} has no address`);
  return p.ip;
}

/**
 * A one-packet ping. `wait` 3 for Calico: the twin cannot set
 * neigh.<cali>.proxy_delay=0 as Calico does, so the kernel delays each proxy ARP
 * answer by up to 0.8 s (the first packet of a pod, and of its peer's reply).
 */
const pingLine = (from: string, to: string, extra = '', wait = 1): string => `ip netns exec ${from} ping -c 1 -W ${wait}${extra} ${to}`;

/** The standard checks: pod-to-pod same node and across, node-to-pod, pod-to-outside. */
function standardChecks(c: Cluster, w = 1): string[] {
  const L = [
    `ip -n node1 route show`,
    `ip -n a1 route show`,
    pingLine('a1', ip(c, 'a2'), '', w),
    pingLine('a1', ip(c, 'b1'), '', w),
    pingLine('node1', ip(c, 'b1'), '', w),
    pingLine('a1', OUTSIDE_IP, '', w),
    pingLine('b1', c.nodes['node1']!.ip, '', w),
  ];
  if (c.pods['c1']) L.push(pingLine('b1', ip(c, 'c1'), '', w), `ip netns exec a1 traceroute -n -q 1 -w 1 ${ip(c, 'c1')}`);
  return L;
}

function script(c: Cluster, checks: readonly string[]): string {
  return journalScript(c) + checks.join('\n') + '\n';
}

function build(spec: Omit<ClusterSpec, 'nodes'> & { nodes?: ClusterSpec['nodes'] }): Cluster {
  return withPods(buildCluster({ nodes: NODES3, ...spec }));
}

const BRIDGE_CASES: readonly ConformanceCase[] = [
  {
    file: '350-cluster-static-switch',
    about: [
      'The seed\'s hand-built pod network on one switch: per-node cni0 bridges',
      '(CNI bridge plugin, host-local over the node\'s podCIDR) and static routes',
      'to the other nodes\' podCIDRs via their uplink addresses; the admin\'s',
      'masquerade rule for traffic leaving the cluster CIDR.',
      'Tests: pod-to-pod same node (ttl 64) and across (ttl 62), node-to-pod (63),',
      'pod-to-outside masqueraded (61), traceroute across nodes.',
    ],
    build: () => {
      const c = build({ design: staticRoutes() });
      return script(c, [...standardChecks(c), `ip netns exec node1 iptables -t nat -S POSTROUTING`]);
    },
  },
  {
    file: '351-cluster-static-router',
    about: [
      'Static routes across a router: nodes on two segments (192.168.1.0/24,',
      '192.168.2.0/24) route everything via the router, which has one route per',
      'podCIDR via its node. Then the router loses its pod routes: pod traffic',
      'across nodes gets Destination Net Unreachable from the router.',
    ],
    build: () => {
      let c = build({ design: staticRoutes({ via: 'router' }), underlay: { kind: 'routed' } });
      const checks = [...standardChecks(c), `ip -n ${ROUTER_NS} route show`];
      const before = script(c, checks);
      const n2 = c.nodes['node2']!;
      c = deleteRoute(c, ROUTER_NS, `${n2.podCidr} via ${n2.ip}`);
      const tail = [c.journal[c.journal.length - 1]!.line, `ip netns exec a1 ping -c 1 -W 2 ${ip(c, 'b1')}`, `ip netns exec c1 ping -c 1 -W 2 ${ip(c, 'b1')}`];
      return before + tail.join('\n') + '\n';
    },
  },
  {
    file: '352-cluster-flannel-host-gw',
    about: [
      'flannel host-gw on one switch: flanneld\'s subnet.env, FLANNEL-POSTRTG and',
      'FLANNEL-FWD chains, the bridge delegate (cbr0/cni0, hairpin, mtu 1500) and',
      'one `route replace <lease> via <node> dev eth0` per remote lease.',
    ],
    build: () => {
      const c = build({ design: flannelHostGw() });
      return script(c, [...standardChecks(c), `ip netns exec node1 iptables-save -t nat`, `ip netns exec node1 iptables -S FLANNEL-FWD`]);
    },
  },
  {
    file: '353-cluster-flannel-host-gw-router',
    about: [
      'flannel host-gw across a router (two segments): the kernel refuses a route',
      'whose gateway is not on a connected subnet ("Nexthop has invalid gateway");',
      'the same-segment lease works, the other ones fall back to the default route',
      'and die at the router (no pod routes): Destination Net Unreachable.',
    ],
    build: () => {
      const c = build({ design: flannelHostGw(), underlay: { kind: 'routed' } });
      return script(c, [`ip -n node1 route show`, pingLine('a1', ip(c, 'c1')), `ip netns exec a1 ping -c 1 -W 2 ${ip(c, 'b1')}`]);
    },
  },
  {
    file: '354-cluster-kubenet',
    about: [
      'kubenet: kubelet\'s masquerade rule (non-masquerade-cidr 10.0.0.0/8), the',
      'bridge plugin with kubenet\'s template (cbr0, promiscuous), and the cloud',
      'route controller\'s routes on the router (podCIDR via node). Pod traffic',
      'across nodes crosses the router (ttl 61); to nodes it is masqueraded.',
    ],
    build: () => {
      const c = build({ design: kubenet() });
      return script(c, [...standardChecks(c), `ip -n ${ROUTER_NS} route show`, `ip -n node1 link show cbr0`, `ip netns exec node1 iptables -t nat -S POSTROUTING`]);
    },
  },
  {
    file: '355-cluster-flannel-vxlan',
    about: [
      'flannel VXLAN on one switch: flannel.1 (VNI 1, port 8472, nolearning, MTU',
      '1450, the lease\'s .0/32), per remote lease a permanent neighbour, a',
      'permanent FDB entry and `<lease> via <lease .0> dev flannel.1 onlink`.',
      'Pods get MTU 1450. Node-to-pod traffic leaves from the flannel.1 address.',
    ],
    build: () => {
      const c = build({ design: flannelVxlan() });
      const n2 = c.nodes['node2']!;
      return script(c, [
        ...standardChecks(c),
        `ip -n node1 -d link show flannel.1`,
        `ip -n node1 addr show flannel.1`,
        `ip -n node1 neigh show ${n2.podCidr!.replace(/\/\d+$/, '')} dev flannel.1`,
        `bridge -n node1 fdb show dev flannel.1`,
        `ip -n node1 route get ${ip(c, 'b1')}`,
        `ip netns exec a1 ping -c 1 -W 1 -s 1422 -M do ${ip(c, 'b1')}`,
        `ip netns exec a1 ping -c 1 -W 1 -s 1423 -M do ${ip(c, 'b1')}`,
        `ip netns exec node1 iptables -t nat -L FLANNEL-POSTRTG -n -v -x`,
      ]);
    },
  },
  {
    file: '356-cluster-flannel-vxlan-faults',
    about: [
      'flannel VXLAN failure modes: node3\'s uplink has MTU 1400 while the others\'',
      'flannel.1 assume 1500 (big packets to node3 are dropped on its uplink); a',
      'missing FDB entry on node1 for node2\'s VTEP (the vxlan device has no',
      'remote: the ping is lost); a fourth node whose lease only its own agent',
      'has programmed (others have no route yet), then everyone reconciles.',
    ],
    build: () => {
      let c = withPods(buildCluster({ nodes: ['node1', 'node2', { name: 'node3', mtu: 1400 }], design: flannelVxlan() }));
      const checks1 = [pingLine('a1', ip(c, 'c1'), ' -s 1300'), pingLine('a1', ip(c, 'c1'), ' -s 1400'), `ip -n node3 link show flannel.1`];
      let out = script(c, checks1);
      let mark = c.journal.length;
      c = missingVxlanFdb(c, 'node1', 'node2');
      out += c.journal.slice(mark).map((e) => e.line).join('\n') + '\n';
      out += [pingLine('a1', ip(c, 'b1')), `bridge -n node1 fdb show dev flannel.1`].join('\n') + '\n';
      mark = c.journal.length;
      c = addNode(c, 'node4');
      c = addPod(c, { name: 'd1', node: 'node4' });
      c = reconcile(c, { only: ['node4'] });
      out += c.journal.slice(mark).map((e) => e.line).join('\n') + '\n';
      out += [pingLine('d1', ip(c, 'c1')), `ip -n node3 route show`].join('\n') + '\n';
      mark = c.journal.length;
      c = reconcile(c);
      out += c.journal.slice(mark).map((e) => e.line).join('\n') + '\n';
      out += [pingLine('d1', ip(c, 'c1'))].join('\n') + '\n';
      return out;
    },
  },
  {
    file: '357-cluster-flannel-vxlan-directrouting',
    about: [
      'flannel VXLAN with DirectRouting across a router: node1 and node3 share a',
      'segment and route each other\'s leases directly (`<lease> via <node>`),',
      'node2 is reached through flannel.1 (the outer packet crosses the router:',
      'the pods see ttl 62 either way; traceroute shows the difference).',
    ],
    build: () => {
      const c = build({ design: flannelVxlan({ directRouting: true }), underlay: { kind: 'routed' } });
      return script(c, [
        `ip -n node1 route show`,
        pingLine('a1', ip(c, 'c1')),
        pingLine('a1', ip(c, 'b1')),
        `ip netns exec a1 traceroute -n -q 1 -w 1 ${ip(c, 'c1')}`,
        `ip netns exec a1 traceroute -n -q 1 -w 1 ${ip(c, 'b1')}`,
      ]);
    },
  },
];

/** Journal lines added since `mark`, then checks. */
function since(c: Cluster, mark: number, checks: readonly string[] = []): string {
  return [...c.journal.slice(mark).map((e) => e.line), ...checks].join('\n') + '\n';
}

function calicoChecks(c: Cluster): string[] {
  return [
    ...standardChecks(c, 3),
    `ip -n a1 neigh show 169.254.1.1`,
    `ip -n node2 route show`,
    `ip netns exec node1 iptables -t nat -S`,
  ];
}

export const CALICO_CASES: readonly ConformanceCase[] = [
  {
    file: '360-cluster-calico-bgp',
    about: [
      'Calico without encapsulation, BGP full mesh: /26 IPAM blocks per node,',
      'pods on cali* veths (ee:ee:ee:ee:ee:ee, no address, proxy ARP answers the',
      'pods\' 169.254.1.1 gateway), /32 host routes, blackhole for the own block and',
      'peers\' blocks `proto bird`; natOutgoing. Same-node pod traffic is routed',
      '(ttl 63). Then the node1<->node2 session goes down: both withdraw the',
      'other\'s block; pod traffic between them follows the default route and dies',
      'at the router, node3 is unaffected.',
    ],
    build: () => {
      let c = reconcile(build({ design: calico() }));
      let out = script(c, calicoChecks(c));
      const mark = c.journal.length;
      c = reconcile(bgpSessionDown(c, 'node1', 'node2'));
      out += since(c, mark, [`ip -n node1 route show`, `ip netns exec a1 ping -c 1 -W 3 ${ip(c, 'b1')}`, pingLine('a1', ip(c, 'c1'), '', 3)]);
      return out;
    },
  },
  {
    file: '361-cluster-calico-route-reflector',
    about: [
      'Calico BGP with node1 as route reflector (mesh off): node2 and node3 learn',
      'each other\'s blocks through node1, next hop unchanged. When the',
      'node1<->node2 session goes down, node3 loses node2\'s block too.',
    ],
    build: () => {
      let c = reconcile(build({ design: calico({ routeReflectors: ['node1'] }) }));
      let out = script(c, [`ip -n node3 route show`, pingLine('c1', ip(c, 'b1'), '', 3), pingLine('a1', ip(c, 'b1'), '', 3)]);
      const mark = c.journal.length;
      c = reconcile(bgpSessionDown(c, 'node1', 'node2'));
      out += since(c, mark, [`ip -n node3 route show`, `ip netns exec c1 ping -c 1 -W 3 ${ip(c, 'b1')}`]);
      return out;
    },
  },
  {
    file: '362-cluster-calico-vxlan',
    about: [
      'Calico VXLAN (felix, no BGP): vxlan.calico (VNI 4096, port 4789, MTU 1450,',
      'the tunnel address = first address of the node\'s block /32), per remote',
      'node a permanent neighbour and FDB entry and `<block> via <tunnel ip> dev',
      'vxlan.calico onlink`, blackhole `proto 80` for the own block.',
    ],
    build: () => {
      const c = reconcile(build({ design: calico({ encapsulation: 'vxlan' }) }));
      return script(c, [
        ...calicoChecks(c),
        `ip -n node1 -d link show vxlan.calico`,
        `bridge -n node1 fdb show dev vxlan.calico`,
        `ip -n node1 route get ${ip(c, 'b1')}`,
        `ip netns exec a1 ping -c 1 -W 1 -s 1422 -M do ${ip(c, 'b1')}`,
      ]);
    },
  },
  {
    file: '363-cluster-calico-vxlan-crosssubnet',
    about: [
      'Calico VXLAN CrossSubnet across a router: node1 and node3 share a segment',
      'and route each other\'s blocks directly (`via <node> dev eth0 proto 80',
      'onlink`), node2 is reached through vxlan.calico (the outer packet crosses',
      'the router: inner ttl 62, the router is not seen by traceroute).',
    ],
    build: () => {
      const c = reconcile(build({ design: calico({ encapsulation: 'vxlan-crosssubnet' }), underlay: { kind: 'routed' } }));
      return script(c, [`ip -n node1 route show`, pingLine('a1', ip(c, 'c1'), '', 3), pingLine('a1', ip(c, 'b1'), '', 3), `ip netns exec a1 traceroute -n -q 1 -w 1 ${ip(c, 'b1')}`]);
    },
  },
  {
    file: '364-cluster-calico-bgp-tor',
    about: [
      'Calico BGP across a router: without it as a peer, routes to the other',
      'segment\'s blocks resolve through the router (gateway recursive) which',
      'knows no pod routes; with the router as a global BGP peer (a ToR) it',
      'learns every block `proto bird` and pod traffic crosses it (ttl 61).',
    ],
    build: () => {
      const c = reconcile(build({ design: calico({ peerWithRouter: true }), underlay: { kind: 'routed' } }));
      return script(c, [`ip -n node1 route show`, `ip -n ${ROUTER_NS} route show`, pingLine('a1', ip(c, 'b1'), '', 3), pingLine('a1', ip(c, 'c1'), '', 3), `ip netns exec a1 traceroute -n -q 1 -w 1 ${ip(c, 'b1')}`]);
    },
  },
];

/** The full text of a conformance script. */
export function renderConformance(k: ConformanceCase): string {
  const head = [`# ${k.file}: generated by src/cluster/conformance.ts (do not edit by hand).`, ...k.about.map((l) => `# ${l}`)];
  return head.join('\n') + '\n' + k.build();
}

export const OVERLAY_CASES: readonly ConformanceCase[] = [
  {
    file: '365-cluster-weave',
    about: [
      'Weave Net as plain Linux constructs: the weave bridge (MTU 1376) with the',
      'node\'s exposed address in the whole allocation range (10.32.0.0/12, split',
      '10.32/14, 10.40/13, 10.36/14 among the peers), the fast datapath modelled as',
      'a VXLAN device vxlan-6784 on the bridge (learning, one all-zero FDB entry',
      'per peer). One L2 subnet: pod-to-pod across nodes keeps ttl 64.',
    ],
    build: () => {
      const c = build({ design: weave() });
      return script(c, [
        ...standardChecks(c),
        `ip -n node1 addr show weave`,
        `ip netns exec node1 iptables -t nat -S WEAVE`,
        pingLine('node1', ip(c, 'c1')),
        `ip -n a1 neigh show ${ip(c, 'b1')}`,
      ]);
    },
  },
  {
    file: '366-cluster-cilium-tunnel',
    about: [
      'Cilium in tunnel mode, its eBPF decisions expressed with kernel',
      'constructs (see src/cluster/designs/cilium.ts): cilium_host/cilium_net',
      '(router address .1/32), lxc* veths with proxy ARP for the router address,',
      '/32 host routes, cilium_vxlan (port 8472) with per-node neighbour, FDB and',
      'onlink route; pods route via the router address with mtu 1450;',
      'CILIUM_POST_nat masquerades what leaves the cluster CIDR.',
    ],
    build: () => {
      const c = build({ design: cilium() });
      return script(c, [...standardChecks(c), `ip -n node1 addr show cilium_host`, `ip netns exec node1 iptables -t nat -S CILIUM_POST_nat`, `ip -n a1 neigh show`]);
    },
  },
  {
    file: '367-cluster-cilium-native',
    about: [
      'Cilium native routing with autoDirectNodeRoutes on one switch: each',
      'node routes the others\' podCIDRs via their uplink; no tunnel device.',
    ],
    build: () => {
      const c = build({ design: cilium({ routing: 'native' }) });
      return script(c, standardChecks(c));
    },
  },
];

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [...BRIDGE_CASES, ...CALICO_CASES, ...OVERLAY_CASES];
