/**
 * `ip link add NAME type bridge [OPTIONS]` and the `-d` details of a bridge
 * and of its ports (iproute2 ip/iplink_bridge.c, iplink_bridge_slave.c).
 *
 * Modelled options: forward_delay, hello_time, max_age (stored only as far as
 * printing needs), ageing_time, stp_state 0, priority 32768, vlan_filtering 0,
 * mcast_snooping. STP and VLAN filtering themselves are not modelled.
 */
import type { BridgeLink, Link, NsName, World } from '../../../model/world.js';
import { bridgeChange, bridgeCreate, bridgeIdText, DEFAULT_BRIDGE, masterOf, portsOf, portState, type BridgeSpec } from '../../../sim/ops/bridge.js';
import { Unsupported } from '../../types.js';
import { rawJson } from '../raw-json.js';
import type { KindParseError, LinkKind } from './index.js';

const USAGE = `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
`;

/** Options of `type bridge` the twin accepts, with what they must be for it to model them. */
const INT_OPTS = ['forward_delay', 'hello_time', 'max_age', 'ageing_time', 'stp_state', 'priority', 'vlan_filtering', 'mcast_snooping'] as const;

const invalid = (arg: string, what: string): KindParseError => ({ error: `Error: argument "${arg}" is wrong: invalid ${what}\n`, status: 255 });

/** iproute2 get_u32(): decimal, 0x hex or 0 octal, nothing after. */
function getU32(v: string): number | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = v.startsWith('0x') || v.startsWith('0X') ? parseInt(v.slice(2), 16) : v.length > 1 && v.startsWith('0') ? parseInt(v, 8) : Number(v);
  return n <= 0xffffffff ? n : undefined;
}

/** Parse the options after `type bridge` (also used for `ip link set BR type bridge ...`). */
export function parseBridgeOpts(args: readonly string[]): Partial<BridgeSpec> | KindParseError {
  const spec: { -readonly [K in keyof BridgeSpec]?: BridgeSpec[K] } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'help') return { error: USAGE, status: 1 };
    if (!(INT_OPTS as readonly string[]).includes(a)) {
      if (USAGE.includes(`[ ${a} `)) throw new Unsupported(`ip link ... type bridge ${a}`);
      return { error: `bridge: unknown command "${a}"?\n${USAGE}`, status: 1 };
    }
    const v = args[++i];
    if (v === undefined) return { error: 'Command line is not complete. Try option "help"\n', status: 255 };
    const n = getU32(v);
    if (n === undefined) return invalid(v, a);
    switch (a) {
      case 'forward_delay':
        if (n !== 1500) throw new Unsupported('bridge forward_delay (STP is not modelled)');
        spec.forwardDelayCs = n;
        break;
      case 'hello_time':
        if (n !== 200) throw new Unsupported('bridge hello_time (STP is not modelled)');
        break;
      case 'max_age':
        if (n !== 2000) throw new Unsupported('bridge max_age (STP is not modelled)');
        break;
      case 'ageing_time':
        spec.ageingTimeCs = n;
        break;
      case 'stp_state':
        if (n !== 0) throw new Unsupported('bridge stp_state 1 (STP is not modelled)');
        break;
      case 'priority':
        if (n !== 32768) throw new Unsupported('bridge priority (STP is not modelled)');
        break;
      case 'vlan_filtering':
        if (n !== 0) throw new Unsupported('bridge vlan_filtering 1');
        break;
      case 'mcast_snooping':
        spec.mcastSnooping = n !== 0;
        break;
    }
  }
  return spec;
}

/** A timer in JSON: seconds printed with "%.2f". */
function jsonTimer(cs: number): string {
  return rawJson((cs / 100).toFixed(2));
}

/** print_timer(): `%4i.%.2i`. */
function timer(cs: number): string {
  return `${String(Math.floor(cs / 100)).padStart(4)}.${String(cs % 100).padStart(2, '0')}`;
}

/**
 * br->gc_work: first run 100 ms after the bridge opens (br_stp_enable_bridge),
 * then every ageing time; `gc_timer` shows what is left (0.00 while down).
 */
function gcTimerCs(world: World, br: BridgeLink): number {
  const since = br.l2?.upSinceMs;
  if (!br.adminUp || since === undefined) return 0;
  const period = br.ageingTimeCs * 10;
  // The first run 100 ms after opening, or a run at once when ageing_time was changed since.
  const base = br.gcBaseMs !== undefined && br.gcBaseMs >= since ? br.gcBaseMs : since + 100;
  const elapsed = world.clockMs - base;
  if (elapsed < 0) return Math.round(-elapsed / 10);
  if (period <= 0) return 0;
  return Math.round((period - (elapsed % period)) / 10);
}

function bridgeDetails(world: World, br: BridgeLink): [string, number | string][] {
  const id = bridgeIdText(br);
  return [
    ['forward_delay', br.forwardDelayCs],
    ['hello_time', 200],
    ['max_age', 2000],
    ['ageing_time', br.ageingTimeCs],
    ['stp_state', 0],
    ['priority', 32768],
    ['vlan_filtering', 0],
    ['bridge_id', id],
    ['designated_root', id],
    ['root_port', 0],
    ['root_path_cost', 0],
    ['topology_change', 0],
    ['topology_change_detected', 0],
    ['hello_timer', 0],
    ['tcn_timer', 0],
    ['topology_change_timer', 0],
    ['gc_timer', gcTimerCs(world, br)],
    ['group_fwd_mask', '0'],
    ['group_address', '01:80:c2:00:00:00'],
    ['mcast_snooping', br.mcastSnooping === false ? 0 : 1],
    ['no_linklocal_learn', 0],
    ['mcast_vlan_snooping', 0],
    ['mcast_router', 1],
    ['mcast_query_use_ifaddr', 0],
    ['mcast_querier', 0],
    ['mcast_hash_elasticity', 16],
    ['mcast_hash_max', 4096],
    ['mcast_last_member_count', 2],
    ['mcast_startup_query_count', 2],
    ['mcast_last_member_interval', 100],
    ['mcast_membership_interval', 26000],
    ['mcast_querier_interval', 25500],
    ['mcast_query_interval', 12500],
    ['mcast_query_response_interval', 1000],
    ['mcast_startup_query_interval', 3124],
    ['mcast_stats_enabled', 0],
    ['mcast_igmp_version', 2],
    ['mcast_mld_version', 1],
    ['nf_call_iptables', 0],
    ['nf_call_ip6tables', 0],
    ['nf_call_arptables', 0],
  ];
}

const TIMERS = new Set(['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer']);

/** JSON key names differ from the text ones for some fields. */
const JSON_KEYS: Readonly<Record<string, string>> = {
  designated_root: 'root_id',
  group_address: 'group_addr',
  mcast_last_member_count: 'mcast_last_member_cnt',
  mcast_startup_query_count: 'mcast_startup_query_cnt',
  mcast_last_member_interval: 'mcast_last_member_intvl',
  mcast_membership_interval: 'mcast_membership_intvl',
  mcast_querier_interval: 'mcast_querier_intvl',
  mcast_query_interval: 'mcast_query_intvl',
  mcast_query_response_interval: 'mcast_query_response_intvl',
  mcast_startup_query_interval: 'mcast_startup_query_intvl',
};

function portNo(port: Link): number {
  return port.brport?.portNo ?? 1;
}

function portId(port: Link): number {
  return ((port.brport?.priority ?? 32) << 10) | portNo(port);
}

const onoff = (b: boolean): string => (b ? 'on' : 'off');

export const bridgeKind: LinkKind<Partial<BridgeSpec>> = {
  kind: 'bridge',
  parseAdd(args) {
    return parseBridgeOpts(args);
  },
  create(world, c, s) {
    const name = c.name ?? freeName(world, c.ns);
    return bridgeCreate(
      world,
      { ns: c.ns, name, ...(c.mac ? { mac: c.mac } : {}), ...(c.mtu !== undefined ? { mtu: c.mtu } : {}), ...(c.txqlen !== undefined ? { txqlen: c.txqlen } : {}) },
      { ...DEFAULT_BRIDGE, ...s },
    );
  },
  detailsText(world, _ns, link) {
    const br = link as BridgeLink;
    return (
      'bridge ' +
      bridgeDetails(world, br)
        .map(([k, v]) => (TIMERS.has(k) ? `${k} ${timer(v as number)}` : `${k} ${v}`))
        .join(' ')
    );
  },
  detailsJson(world, _ns, link) {
    const br = link as BridgeLink;
    const data: Record<string, unknown> = {};
    for (const [k, v] of bridgeDetails(world, br)) data[JSON_KEYS[k] ?? k] = TIMERS.has(k) ? jsonTimer(v as number) : v;
    return { info_kind: 'bridge', info_data: data };
  },
  slaveDetailsText(world, ns, port) {
    const bp = port.brport!;
    const br = masterOf(world.ns[ns]!, port)!;
    const id = bridgeIdText(br);
    return (
      `bridge_slave state ${portState(world, ns, port)} priority ${bp.priority} cost ${bp.cost} hairpin ${onoff(bp.hairpin)} guard off root_block off fastleave off ` +
      `learning ${onoff(bp.learning)} flood ${onoff(bp.flood)} port_id 0x${portId(port).toString(16)} port_no 0x${portNo(port).toString(16)} ` +
      `designated_port ${portId(port)} designated_cost 0 designated_bridge ${id} designated_root ${id} ` +
      `hold_timer ${timer(0)} message_age_timer ${timer(0)} forward_delay_timer ${timer(0)} topology_change_ack 0 config_pending 0 ` +
      'proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off ' +
      'neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off'
    );
  },
  slaveDetailsJson(world, ns, port) {
    const bp = port.brport!;
    const br = masterOf(world.ns[ns]!, port)!;
    const id = bridgeIdText(br);
    return {
      info_slave_kind: 'bridge',
      info_slave_data: {
        state: portState(world, ns, port),
        priority: bp.priority,
        cost: bp.cost,
        hairpin: bp.hairpin,
        guard: false,
        root_block: false,
        fastleave: false,
        learning: bp.learning,
        flood: bp.flood,
        id: `0x${portId(port).toString(16)}`,
        no: `0x${portNo(port).toString(16)}`,
        designated_port: portId(port),
        designated_cost: 0,
        bridge_id: id,
        root_id: id,
        hold_timer: jsonTimer(0),
        message_age_timer: jsonTimer(0),
        forward_delay_timer: jsonTimer(0),
        topology_change_ack: 0,
        config_pending: 0,
        proxy_arp: false,
        proxy_arp_wifi: false,
        multicast_router: 1,
        mcast_flood: true,
        bcast_flood: true,
        mcast_to_unicast: false,
        neigh_suppress: false,
        group_fwd_mask: '0',
        group_fwd_mask_str: '0x0',
        vlan_tunnel: false,
        isolated: false,
        locked: false,
      },
    };
  },
  parseChange(args, ctx, link) {
    const s = parseBridgeOpts(args);
    if ('error' in s) return s as KindParseError;
    return (world) => bridgeChange(world, ctx.ns, link.ifindex, s as Partial<BridgeSpec>);
  },
  numQueues: () => 1,
  mtuRange: () => [68, 65535],
  // netdev_update_features(): the bridge takes its ports' limits (veth 524280); without ports the default.
  tsoMaxSize: (world, ns, link) => {
    const ports = portsOf(world.ns[ns]!, link as BridgeLink);
    // br_set_gso_limits() runs when ports join and leave: min(TSO_MAX_SIZE 524280, ports); a bridge
    // that never had a port keeps the netdev default 65536 (checked: after its last port left it shows 524280).
    if (ports.length === 0) return (link as BridgeLink).hadPorts ? 524280 : 65536;
    return Math.min(...ports.map((p) => (p.kind === 'vxlan' && p.dev === undefined ? 65536 : 524280)));
  },
};

/** dev_alloc_name("bridge%d"): the lowest unused number. */
function freeName(world: World, ns: NsName): string {
  const links = Object.values(world.ns[ns]?.links ?? {});
  for (let k = 0; ; k++) if (!links.some((l) => l.name === `bridge${k}`)) return `bridge${k}`;
}
