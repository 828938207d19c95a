/**
 * The scenario format (`apiVersion: podnet.dev/v1alpha1`, `kind: Scenario`),
 * as zod schemas. These schemas are the single source of truth: the loader
 * validates with them (every object is strict, so an unknown key is an
 * error), and docs/scenarios.md is generated from their descriptions
 * (src/scenarios/reference.ts).
 *
 * A step is an object with exactly one *action* key (`sh`, `ping`, `fault`,
 * ...) plus optional `name` and `expect`; the loader picks the step's schema
 * by that key (STEP_KINDS), so the expectations allowed depend on the action.
 */
import { z } from 'zod';

export const API_VERSION = 'podnet.dev/v1alpha1';
export const KIND = 'Scenario';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const CIDR_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** A name: also the name of the twin namespace (`ip netns`) that holds the object. */
export const Name = z
  .string()
  .max(40, 'names are at most 40 characters')
  .regex(NAME_RE, 'must be a lower-case name (letters, digits and "-", starting and ending with a letter or digit)');

export const IfName = z.string().regex(IFNAME_RE, 'must be an interface name (1-15 characters of letters, digits, "_", "." and "-")');

/** `a.b.c.d/len` (host bits allowed: an interface address). */
export const Cidr = z.string().regex(CIDR_RE, 'must be an IPv4 address with a prefix length, e.g. 10.244.1.0/24');

/**
 * A reference by name: `pod/NAME`, `pod/NAME/CONTAINER`, `node/NAME`,
 * `machine/NAME`, `network/NAME`, optionally `:IFNAME` for a device. Which
 * forms a field accepts is checked after the schema (src/scenarios/refs.ts).
 */
export const Ref = z.string().min(1, 'must not be empty');

const describe = <T extends z.ZodType>(s: T, d: string): T => s.meta({ description: d }) as T;

// ---------------------------------------------------------------------------
// Topology

export const Interface = describe(
  z.strictObject({
    name: describe(IfName, 'Interface name inside the machine, e.g. eth0.'),
    network: describe(Name, 'The switch (spec.networks) this interface is cabled to.'),
    address: describe(Cidr, 'Address with prefix length, e.g. 192.168.0.10/24.').optional(),
    mtu: describe(z.number().int().min(68).max(65535), 'MTU of the interface (default 1500).').optional(),
  }),
  'A physical interface: a veth pair from the machine to a port of the switch.',
);

const hostFields = {
  name: describe(Name, 'Name of the machine; also the name of its network namespace in the twin.'),
  interfaces: describe(z.array(Interface), 'Interfaces cabled to switches.').default([]),
  routes: describe(z.array(z.string().min(1)), 'Routes, each in `ip route add` syntax, e.g. "10.244.2.0/24 via 192.168.0.11".').default([]),
  forwarding: describe(z.boolean(), 'net.ipv4.ip_forward=1 (the machine routes packets between its interfaces).').default(false),
  sysctls: describe(
    z.record(z.string().min(1), z.union([z.string(), z.number()])),
    'Other sysctls, e.g. {net.ipv4.conf.all.rp_filter: 1}.',
  ).default({}),
  iptables: describe(
    z.array(z.string().min(1)),
    'iptables rules, each as the arguments of one `iptables` command, e.g. "-t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE".',
  ).default([]),
  setup: describe(
    z.string(),
    'More twin-shell lines run on the machine when it boots (after interfaces, sysctls, routes and rules), e.g. a bridge or a VXLAN device.',
  ).optional(),
};

export const Network = describe(
  z.strictObject({
    name: describe(Name, 'Name of the switch; a bridge in a namespace of this name.'),
    description: z.string().optional(),
  }),
  'An L2 segment of the underlay: a switch (a Linux bridge in its own namespace; every attached interface is a veth pair to one of its ports).',
);

export const Machine = describe(z.strictObject(hostFields), 'A machine that is not a Kubernetes node: a router, a server outside the cluster, a Docker host.');

export const CniConfig = describe(
  z.strictObject({
    conflist: describe(
      z.record(z.string(), z.unknown()),
      'A network configuration list (`{cniVersion, name, plugins: [...]}`) or a single network configuration (`{cniVersion, name, type, ...}`), inline. The strings {{podCIDR}} and {{node}} are replaced by the node\'s values.',
    ).optional(),
    file: describe(z.string().min(1), 'A .conflist/.conf JSON file, relative to the scenario file.').optional(),
  }),
  'CNI configuration: what /etc/cni/net.d holds on a node. Exactly one of conflist or file.',
);

export const Node = describe(
  z.strictObject({
    ...hostFields,
    podCIDR: describe(Cidr, "The node's pod subnet (spec.podCIDR), e.g. 10.244.1.0/24; {{podCIDR}} in CNI configs.").optional(),
    cni: describe(CniConfig, "This node's CNI configuration (default: spec.cni).").optional(),
    joined: describe(z.boolean(), 'false: the node is declared but joins the cluster only at a `node: {join: ...}` step.').default(true),
  }),
  'A Kubernetes node: a machine that runs pods.',
);

export const ContainerPort = describe(
  z.strictObject({
    containerPort: describe(z.number().int().min(1).max(65535), 'Port the container listens on (on every address of the pod).'),
    protocol: describe(z.enum(['TCP', 'UDP']), 'TCP (default) or UDP.').default('TCP'),
    name: z.string().optional(),
  }),
  'A listening socket of the container, open while the container runs.',
);

export const Container = describe(
  z.strictObject({
    name: describe(Name, 'Container name, unique in the pod ("pause" is the sandbox).'),
    image: describe(z.string(), 'Informational only.').optional(),
    ports: describe(z.array(ContainerPort), 'Listeners declared by the container.').default([]),
  }),
  'An application container. All containers of a pod share the network namespace the pause container holds.',
);

export const Pod = describe(
  z.strictObject({
    name: describe(Name, 'Pod name; also the name of its network namespace.'),
    node: describe(Name, 'The node (or machine) the pod runs on.'),
    network: describe(
      z.enum(['cni', 'none', 'host']),
      'cni (default): the runtime calls the node\'s CNI plugins; none: only lo (wire it with steps, like `docker run --net=none`); host: hostNetwork, the pod shares the node\'s namespace.',
    ).default('cni'),
    containers: describe(z.array(Container).min(1, 'a pod has at least one container'), 'Application containers.'),
    start: describe(z.boolean(), 'false: the pod is created only by a `sandbox: {create: ...}` step.').default(true),
    cniArgs: describe(z.record(z.string(), z.string()), 'Extra CNI_ARGS key=value pairs (e.g. IP for the static IPAM).').default({}),
  }),
  'A pod: a sandbox (the pause container holding a network namespace) and its containers.',
);

export const ScriptPlugin = describe(
  z.strictObject({
    name: describe(Name, 'The plugin binary name, used as `type` in CNI configs.'),
    add: describe(
      z.string().min(1),
      'Twin-shell lines run on the node for ADD, with CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH, CNI_ARGS in the environment, plus CNI_NETNS_NAME (the namespace name) and ARG_<KEY> for each CNI_ARGS pair (the twin shell has no $(...)). What it prints on stdout is its result (JSON).',
    ),
    del: describe(z.string(), 'Lines run for DEL (default: nothing).').optional(),
    check: describe(z.string(), 'Lines run for CHECK (default: nothing).').optional(),
  }),
  'A CNI plugin written as a shell script (the CNI spec allows any executable). The twin shell has no `case`, so each command gets its own lines.',
);

// ---------------------------------------------------------------------------
// A cluster built by a pod-network design (src/cluster)

/** The designs of src/cluster a scenario can install (docs/designs.md). */
export const DESIGN_NAMES = ['static-routes', 'flannel-host-gw', 'flannel-vxlan', 'kubenet', 'calico-bgp', 'calico-vxlan', 'weave', 'cilium'] as const;
export type DesignName = (typeof DESIGN_NAMES)[number];

/** Which design each option belongs to (checked after the schema). */
export const DESIGN_OPTION_OWNERS: Readonly<Record<string, readonly DesignName[]>> = {
  via: ['static-routes'],
  routerRoutes: ['static-routes'],
  nonMasqueradeCIDR: ['kubenet'],
  directRouting: ['flannel-vxlan'],
  vni: ['flannel-vxlan'],
  port: ['flannel-vxlan'],
  mtuOverride: ['flannel-vxlan', 'flannel-host-gw'],
  crossSubnet: ['calico-vxlan'],
  routeReflectors: ['calico-bgp'],
  peerWithRouter: ['calico-bgp'],
  natOutgoing: ['calico-bgp', 'calico-vxlan'],
  blockSize: ['calico-bgp', 'calico-vxlan'],
  range: ['weave'],
  mtu: ['weave'],
  routing: ['cilium'],
};

export const DesignOptions = describe(
  z.strictObject({
    via: describe(z.enum(['nodes', 'router']), 'static-routes: where the pod routes are, on every node (`<podCIDR> via <node>`, default) or on the router.').optional(),
    routerRoutes: describe(z.boolean(), 'static-routes with via: router: false = the admin forgot the router\'s pod routes (default true).').optional(),
    nonMasqueradeCIDR: describe(Cidr, 'kubenet: kubelet --non-masquerade-cidr (default 10.0.0.0/8).').optional(),
    directRouting: describe(z.boolean(), 'flannel-vxlan: DirectRouting: peers on the node\'s own subnet are routed directly, not through the tunnel.').optional(),
    vni: describe(z.number().int().min(1).max(16777215), 'flannel-vxlan: the VNI (default 1: the device is flannel.1).').optional(),
    port: describe(z.number().int().min(1).max(65535), 'flannel-vxlan: the UDP port (default 8472, the kernel\'s).').optional(),
    mtuOverride: describe(z.number().int().min(68).max(65535), 'flannel: an MTU forced on flannel.1 and the pods instead of the one flanneld computes (a misconfiguration knob).').optional(),
    crossSubnet: describe(z.boolean(), 'calico-vxlan: VXLAN CrossSubnet: encapsulate only towards nodes on another subnet.').optional(),
    routeReflectors: describe(z.array(Name), 'calico-bgp: nodes acting as BGP route reflectors (the node-to-node mesh is then off).').optional(),
    peerWithRouter: describe(z.boolean(), 'calico-bgp: the router is a BGP peer of every node (a top-of-rack router) and learns the pod blocks.').optional(),
    natOutgoing: describe(z.boolean(), 'calico: the IP pool\'s natOutgoing (default true).').optional(),
    blockSize: describe(z.number().int().min(20).max(32), 'calico: the IP pool\'s blockSize (default 26).').optional(),
    range: describe(Cidr, 'weave: IPALLOC_RANGE (default 10.32.0.0/12).').optional(),
    mtu: describe(z.number().int().min(68).max(65535), 'weave: WEAVE_MTU (default 1376).').optional(),
    routing: describe(z.enum(['tunnel', 'native']), 'cilium: routingMode, tunnel (VXLAN, default) or native (autoDirectNodeRoutes).').optional(),
  }),
  "Options of the design, as the project's manifest or ConfigMap sets them; each applies to the designs named in its description.",
);

export const ClusterNode = describe(
  z.strictObject({
    name: describe(Name.max(15, 'a cluster node name is at most 15 characters (it names its switch port)'), 'Node name; also its network namespace.'),
    segment: describe(z.number().int().min(0), 'Which underlay segment the node is on (default: round robin over the segments).').optional(),
    mtu: describe(z.number().int().min(68).max(65535), "MTU of the node's uplink eth0 (default: the cluster's mtu).").optional(),
    podCIDR: describe(Cidr, 'A podCIDR set by hand (kubelet --pod-cidr) instead of the allocator\'s; it may overlap another node\'s (a failure mode).').optional(),
    joined: describe(z.boolean(), 'false: the node joins only at a `node: {join: ...}` step.').default(true),
    agentRunning: describe(
      z.boolean(),
      "false: the design's agent (its DaemonSet pod) has not started on the node yet: nothing of the design is there, the node is NotReady and its pods stay Pending until an `agent: {start: ...}` step.",
    ).default(true),
  }),
  'A node of the cluster: a machine on the underlay (eth0, address .11, .12... of its segment, default route via the router, ip_forward=1).',
);

export const Cluster = describe(
  z.strictObject({
    design: describe(z.enum(DESIGN_NAMES), 'The pod network: which project programs the nodes (docs/designs.md).'),
    options: describe(DesignOptions, 'Options of the design.').default({}),
    underlay: describe(
      z.enum(['switch', 'routed', 'public']),
      'switch (default): one L2 segment 192.168.0.0/24; routed: segments 192.168.1.0/24 and 192.168.2.0/24 joined by the router; public: segments 198.51.100.0/26 and .64/26 joined by an internet router that drops private addresses.',
    ).default('switch'),
    subnets: describe(z.array(Cidr).min(1), 'The underlay segments instead of the defaults (switch: exactly one).').optional(),
    clusterCIDR: describe(Cidr, 'kube-controller-manager --cluster-cidr, also the IP pool of Calico (default 10.244.0.0/16).').optional(),
    nodeCIDRMaskSize: describe(z.number().int().min(8).max(30), 'kube-controller-manager --node-cidr-mask-size (default 24).').optional(),
    mtu: describe(z.number().int().min(68).max(65535), 'Uplink MTU of every node (default 1500).').optional(),
    outside: describe(z.boolean(), 'Build machine/outside, a server (203.0.113.10) beyond the router (default true).').default(true),
    nodes: describe(z.array(ClusterNode).min(1, 'a cluster has at least one node'), 'The nodes, in join order.'),
  }),
  'A cluster built by a pod-network design (src/cluster): the underlay (network/underlay), machine/router (the nodes\' gateway) and machine/outside, the nodes, and on every node what the design\'s agents program. Pods are placed on its nodes by name; the design\'s CNI plugin wires them. Instead of networks, machines, nodes, cni and plugins.',
);

// ---------------------------------------------------------------------------
// Steps

const Probe = {
  from: describe(Ref, 'Sender: pod/NAME, pod/NAME/CONTAINER, node/NAME or machine/NAME.'),
  to: describe(Ref, 'Destination: pod/NAME, node/NAME, machine/NAME (their primary address), an IPv4 address, or localhost.'),
};

export const PingAction = describe(
  z.strictObject({
    ...Probe,
    count: describe(z.number().int().min(1).max(10), 'Echo requests to send (expectations look at the last one).').default(1),
    ttl: describe(z.number().int().min(1).max(255), 'TTL of the request (ping -t).').optional(),
    size: describe(z.number().int().min(0).max(65507), 'Payload bytes (ping -s, default 56).').optional(),
  }),
  'ICMP echo request and its reply.',
);

export const TcpAction = describe(
  z.strictObject({ ...Probe, port: describe(z.number().int().min(1).max(65535), 'Destination port.') }),
  'A TCP connection attempt (SYN): answered by SYN-ACK if a container of the destination listens on the port, else RST.',
);

export const UdpAction = describe(
  z.strictObject({
    ...Probe,
    port: describe(z.number().int().min(1).max(65535), 'Destination port.'),
    data: describe(z.string(), 'Payload text.').optional(),
  }),
  'A UDP datagram: delivered to a listener, or answered by ICMP port unreachable.',
);

export const TracerouteAction = describe(
  z.strictObject({ ...Probe, maxHops: describe(z.number().int().min(1).max(64), 'Largest TTL tried (default 30).').default(30) }),
  'UDP probes with TTL 1, 2, ...: who answers at each TTL.',
);

export const ShAction = describe(
  z.strictObject({
    on: describe(Ref, 'Where the lines run: node/NAME, machine/NAME or pod/NAME (default: the twin\'s initial namespace, from which `ip netns exec` reaches every machine).').optional(),
    run: describe(z.string(), 'Twin-shell lines (the language of `podnet sh`).'),
  }),
  'Run twin-shell lines. A plain string is short for {run: STRING}.',
);

const oneOf = <T extends Record<string, z.ZodType>, E extends Record<string, z.ZodType> = Record<never, z.ZodType>>(shape: T, d: string, extra?: E) =>
  describe(
    z.strictObject({
      ...(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> }),
      ...((extra ?? {}) as E),
    }),
    d,
  );

export const CniAction = oneOf(
  {
    add: describe(Ref, 'pod/NAME: run ADD for the pod (as the runtime does when the sandbox starts).'),
    del: describe(Ref, 'pod/NAME: run DEL.'),
    check: describe(Ref, 'pod/NAME: run CHECK.'),
  },
  'Call the node\'s CNI plugins for a pod, the way libcni does (exactly one of add, del, check).',
);

export const SandboxAction = oneOf(
  {
    create: describe(Ref, 'pod/NAME: RunPodSandbox: create the namespace (the pause container), CNI ADD, start the containers.'),
    delete: describe(Ref, 'pod/NAME: StopPodSandbox + RemovePodSandbox: stop the containers, CNI DEL, delete the namespace.'),
  },
  'The CRI pod-sandbox lifecycle (exactly one of create, delete).',
);

export const ContainerAction = oneOf(
  {
    crash: describe(Ref, 'pod/NAME/CONTAINER: the container exits (its listeners close). Crashing "pause" loses the sandbox: the kubelet builds a new one (CNI DEL, new namespace, CNI ADD) and restarts the containers.'),
    restart: describe(Ref, 'pod/NAME/CONTAINER: the kubelet restarts the container in the same sandbox.'),
    stop: describe(Ref, 'pod/NAME/CONTAINER: the container is stopped.'),
    start: describe(Ref, 'pod/NAME/CONTAINER: the container is started.'),
  },
  'Container lifecycle (exactly one of crash, restart, stop, start).',
);

export const NodeAction = oneOf(
  {
    reboot: describe(Ref, 'node/NAME: everything not declared is lost (routes and rules added by steps, neighbours); the node is rebuilt from its declaration and its pods get new sandboxes.'),
    leave: describe(Ref, 'node/NAME: the node and its pods disappear (its cables are unplugged).'),
    join: describe(Ref, 'node/NAME: a node declared with joined: false boots and its pods start.'),
  },
  'Node lifecycle (exactly one of reboot, leave, join). With spec.cluster: src/cluster\'s rebootNode, removeNode and addNode, after which the agents reconcile.',
  {
    runtimeState: describe(
      z.enum(['kept', 'lost']),
      'reboot: what the container runtime remembers. kept (default, containerd): its sandbox records survive, so the kubelet stops the old sandboxes (CNI DEL) before running new ones. lost (its state was on tmpfs or wiped): nobody ever DELs the old sandboxes, and their IPAM reservations leak.',
    ).optional(),
  },
);

export const AgentAction = oneOf(
  {
    start: describe(Ref, "node/NAME: the design's agent starts there (a DaemonSet pod that was not running, or never ran: then it first installs the design on the node) and catches up."),
    stop: describe(Ref, 'node/NAME: the agent stops (its DaemonSet pod crash-loops or was deleted): it programs nothing more, and a BGP speaker drops its sessions.'),
    lag: describe(Ref, 'node/NAME (or machine/router for a controller programming the router): the agent keeps running (its BGP sessions stay up) but misses the next changes, until `sync`.'),
    sync: describe(Ref, 'node/NAME or machine/router: a lagging agent catches up.'),
  },
  "The design's agents (spec.cluster only; exactly one of start, stop, lag, sync). After every step that changes the cluster, the running agents that do not lag reconcile (they watch the API server).",
);

export const FaultAction = oneOf(
  {
    linkDown: describe(Ref, 'HOST:IFNAME, e.g. node/node-a:eth0: `ip link set IFNAME down`.'),
    linkUp: describe(Ref, 'HOST:IFNAME: `ip link set IFNAME up`.'),
    routeDelete: describe(z.string().min(1), 'A route as `ip route del` takes it (with `on`).'),
    arpFlush: describe(Ref, 'HOST: `ip neigh flush all` there.'),
    ruleInsert: describe(z.string().min(1), 'iptables arguments (with `on`), e.g. "-I FORWARD -d 10.244.2.0/24 -j DROP".'),
    peerDown: describe(Ref, 'node/NAME or machine/NAME: its switch ports go down (the machine is unreachable, its own links keep carrier... until the peer side is down).'),
    peerUp: describe(Ref, 'node/NAME or machine/NAME: its switch ports come back up.'),
    bgpDown: describe(z.array(Ref).length(2, 'name the two BGP peers'), 'calico-bgp: the BGP session between two peers goes down ([node/A, node/B], or machine/router with peerWithRouter), e.g. a firewall on TCP 179: each withdraws the routes it learned from the other.'),
    bgpUp: describe(z.array(Ref).length(2, 'name the two BGP peers'), 'calico-bgp: the session comes back and the routes are advertised again.'),
  },
  'Break something (exactly one fault).',
  { on: describe(Ref, 'The machine or pod for routeDelete and ruleInsert.').optional() },
);

// ---------------------------------------------------------------------------
// Expectations

export const DISPOSITIONS = [
  'delivered',
  'exits_network',
  'no_route',
  'null_routed',
  'unreachable',
  'prohibited',
  'neighbor_unreachable',
  'denied_in',
  'denied_out',
  'ttl_exceeded',
  'loop',
  'forwarding_disabled',
  'rp_filter',
  'frag_needed',
  'link_down',
  'martian',
  'port_unreachable',
  'rejected',
] as const;

export const OUTCOMES = ['reply', 'reset', 'icmp_error', 'local_error', 'timeout'] as const;

export const ShExpect = describe(
  z.strictObject({
    exitCode: describe(z.number().int().min(0).max(255), 'Exit status of the last command (default: every command exits 0).').optional(),
    output: describe(z.string(), 'The whole output, exactly.').optional(),
    outputContains: describe(z.array(z.string()), 'Strings the output must contain.').optional(),
    outputLacks: describe(z.array(z.string()), 'Strings the output must not contain.').optional(),
    outputMatches: describe(z.array(z.string()), 'Regular expressions (JavaScript, multi-line: ^ and $ match at line ends) some line of the output must match.').optional(),
  }),
  'Expectations on what the commands printed.',
);

export const CounterExpect = describe(
  z.strictObject({
    on: describe(Ref, 'The machine (or pod) whose iptables rule is checked.'),
    table: describe(z.enum(['filter', 'nat', 'mangle', 'raw']), 'Default filter.').default('filter'),
    chain: describe(z.string().min(1), 'Chain name, e.g. POSTROUTING.'),
    rule: describe(z.string().min(1), 'Text of the rule as `iptables -S` prints it after the chain name (a substring is enough), e.g. "-j MASQUERADE".'),
    packets: describe(z.number().int().min(0), 'How many packets of this probe (request, reply and errors) the rule counted.'),
  }),
  'An iptables rule counter.',
);

export const ProbeExpect = describe(
  z.strictObject({
    outcome: describe(z.enum(OUTCOMES), 'What the sender saw: reply (echo reply, SYN-ACK, UDP answer), reset (connection refused), icmp_error, local_error (e.g. ENETUNREACH), timeout.').optional(),
    disposition: describe(z.enum(DISPOSITIONS), "How the request's walk ended (the trace's disposition).").optional(),
    endedIn: describe(Ref, 'Where the request ended: pod/NAME, node/NAME, machine/NAME, network/NAME.').optional(),
    ttl: describe(z.number().int().min(0).max(255), 'TTL of the request when it reached the destination.').optional(),
    sourceSeen: describe(Ref, 'Source address the destination saw: a name (its primary address) or an IPv4 address.').optional(),
    natFree: describe(z.boolean(), 'true: no NAT step on the way and the destination saw the sender\'s own address.').optional(),
    path: describe(z.array(Ref), 'Places the request went through, in order (others may come between): pod/NAME, node/NAME, machine/NAME, network/NAME, each optionally :IFNAME.').optional(),
    pathLacks: describe(z.array(Ref), 'Places the request must not go through.').optional(),
    counters: describe(z.array(CounterExpect), 'iptables counters.').optional(),
  }),
  'Expectations on a probe (ping, tcp, udp).',
);

export const TracerouteExpect = describe(
  z.strictObject({
    hops: describe(z.array(Ref), 'Who answered at TTL 1, 2, ...: names (or addresses); "*" for no answer.').optional(),
    reached: describe(z.boolean(), 'Did the destination answer (port unreachable from the target)?').optional(),
  }),
  'Expectations on a traceroute.',
);

const commandFields = {
  commandsContain: describe(z.array(z.string()), 'Strings the commands the step ran (what the agents, kubelet and the admin typed, e.g. "ip -n node1 route replace 10.244.3.0/24") must contain.').optional(),
  commandsLack: describe(z.array(z.string()), 'Strings the commands the step ran must not contain.').optional(),
};

export const LifecycleExpect = describe(
  z.strictObject({
    ...ShExpect.shape,
    podIP: describe(z.enum(['unchanged', 'changed']), "The pod's address compared with before the step.").optional(),
    namespace: describe(z.enum(['kept', 'recreated']), "The pod's network namespace compared with before the step.").optional(),
    running: describe(z.array(Name), 'Containers running after the step (exactly these).').optional(),
    logContains: describe(z.array(z.string()), 'Strings the runtime log of the step (kubelet, CRI runtime, libcni lines: `podnet run -v`) must contain.').optional(),
    ...commandFields,
  }),
  'Expectations on a lifecycle step.',
);

export const AgentExpect = describe(
  z.strictObject({
    ...ShExpect.shape,
    logContains: describe(z.array(z.string()), 'Strings the log of the step (the agents\' and kubelet\'s lines, and errors they report: `podnet run -v`) must contain.').optional(),
    ...commandFields,
  }),
  'Expectations on a step that changes the cluster: the commands the agents typed, and their log.',
);

/** Step kinds: the action key, its schema, and the expectations it accepts. */
export const STEP_KINDS = {
  sh: { action: ShAction, expect: ShExpect },
  cni: { action: CniAction, expect: LifecycleExpect },
  sandbox: { action: SandboxAction, expect: LifecycleExpect },
  container: { action: ContainerAction, expect: LifecycleExpect },
  node: { action: NodeAction, expect: AgentExpect },
  agent: { action: AgentAction, expect: AgentExpect },
  fault: { action: FaultAction, expect: AgentExpect },
  ping: { action: PingAction, expect: ProbeExpect },
  tcp: { action: TcpAction, expect: ProbeExpect },
  udp: { action: UdpAction, expect: ProbeExpect },
  traceroute: { action: TracerouteAction, expect: TracerouteExpect },
} as const;

export type StepKind = keyof typeof STEP_KINDS;
export const STEP_KIND_NAMES = Object.keys(STEP_KINDS) as StepKind[];

const stepSchemas = new Map<StepKind, unknown>();

/** The schema of one step of kind K (what the loader validates a step with); built once per kind. */
export function stepSchema<K extends StepKind>(kind: K): ReturnType<typeof buildStepSchema<K>> {
  let s = stepSchemas.get(kind);
  if (!s) {
    s = buildStepSchema(kind);
    stepSchemas.set(kind, s);
  }
  return s as ReturnType<typeof buildStepSchema<K>>;
}

function buildStepSchema<K extends StepKind>(kind: K) {
  return z.strictObject({
    name: describe(z.string().min(1), 'A name for reports and `--at`.').optional(),
    [kind]: STEP_KINDS[kind].action,
    expect: STEP_KINDS[kind].expect.optional(),
  } as { name: z.ZodOptional<z.ZodString>; expect: z.ZodOptional<(typeof STEP_KINDS)[K]['expect']> } & Record<K, (typeof STEP_KINDS)[K]['action']>);
}

// ---------------------------------------------------------------------------
// The document

export const Metadata = describe(
  z.strictObject({
    name: describe(Name, 'Scenario name.'),
    title: describe(z.string(), 'One line for reports.').optional(),
    description: z.string().optional(),
    concepts: describe(z.array(z.number().int().min(1).max(10)), 'Numbers of the seed concepts this scenario shows.').optional(),
  }),
  'Who the scenario is.',
);

// ---------------------------------------------------------------------------
// A twin of real nodes (src/import)

/** The steps a scenario that starts from imported nodes can take (its pods were set up by the node's own runtime). */
export const IMPORT_STEP_KINDS = ['sh', 'fault', 'ping', 'tcp', 'udp', 'traceroute'] as const;

export const Import = describe(
  z.strictObject({
    bundles: describe(
      z.array(z.string().min(1)).min(1, 'at least one bundle'),
      'Bundle files written on the nodes by the collector (`podnet collect`), one per node, relative to the scenario file. Each node is `node/NAME` (the collector\'s --name).',
    ),
    kube: describe(
      z.string().min(1),
      'The output of `kubectl get nodes,pods,services,endpointslices,networkpolicies -A -o yaml`, relative to the scenario file: pods are named by their Pod objects (`pod/NAME`, their containers and containerPorts listening), nodes get their podCIDR and InternalIP. Without it, pods are named after their namespaces.',
    ).optional(),
  }),
  'Start from a twin of real nodes (docs/import.md): the bundles are imported as `podnet import` does, every assumption the import makes is in the build\'s log, and the steps run on top. Instead of networks, machines, nodes, cni, plugins, cluster and pods; steps are sh, fault and the probes.',
);

export const Spec = describe(
  z.strictObject({
    seed: describe(z.number().int().min(0), 'Seed of the twin (MACs, veth names). Default 1.').default(1),
    networks: describe(z.array(Network), 'Switches of the underlay.').default([]),
    machines: describe(z.array(Machine), 'Machines that are not nodes (routers, outside servers, Docker hosts).').default([]),
    nodes: describe(z.array(Node), 'Kubernetes nodes.').default([]),
    cni: describe(CniConfig, 'The CNI configuration of every node without its own.').optional(),
    plugins: describe(z.array(ScriptPlugin), 'CNI plugins written as scripts.').default([]),
    cluster: describe(Cluster, 'A cluster built by a pod-network design, instead of networks, machines, nodes, cni and plugins.').optional(),
    import: describe(Import, 'A twin of real nodes imported from their bundles (`podnet collect`), instead of a declared topology.').optional(),
    pods: describe(z.array(Pod), 'Pods.').default([]),
    // Steps are validated one by one, each by the schema of its action (see stepSchema).
    steps: describe(z.array(z.unknown()), 'Ordered steps; each has exactly one action key (' + STEP_KIND_NAMES.join(', ') + ').').default([]),
  }),
  'What the scenario builds and does.',
);

export const Document = z.strictObject({
  apiVersion: describe(z.literal(API_VERSION), `Always ${API_VERSION}.`),
  kind: describe(z.literal(KIND), `Always ${KIND}.`),
  metadata: Metadata,
  spec: Spec,
});

export type DocumentT = z.output<typeof Document>;
export type SpecT = z.output<typeof Spec>;
export type NodeT = z.output<typeof Node>;
export type MachineT = z.output<typeof Machine>;
export type PodT = z.output<typeof Pod>;
export type ContainerT = z.output<typeof Container>;
export type NetworkT = z.output<typeof Network>;
export type CniConfigT = z.output<typeof CniConfig>;
export type ScriptPluginT = z.output<typeof ScriptPlugin>;
export type InterfaceT = z.output<typeof Interface>;
export type ShExpectT = z.output<typeof ShExpect>;
export type ProbeExpectT = z.output<typeof ProbeExpect>;
export type TracerouteExpectT = z.output<typeof TracerouteExpect>;
export type LifecycleExpectT = z.output<typeof LifecycleExpect>;
export type CounterExpectT = z.output<typeof CounterExpect>;
export type ClusterT = z.output<typeof Cluster>;
export type ClusterNodeT = z.output<typeof ClusterNode>;
export type DesignOptionsT = z.output<typeof DesignOptions>;
export type AgentExpectT = z.output<typeof AgentExpect>;
