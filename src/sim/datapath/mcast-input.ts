/**
 * IPv4 multicast input: what ip_route_input_rcu() does with a multicast
 * destination, before any FIB lookup or martian check of the unicast path.
 *
 * The packet is taken only if the receiving device joined the group
 * (ip_check_mc_rcu: ip_mc_up joins 224.0.0.1 on every device that comes up,
 * a snooping bridge joins 224.0.0.106 in br_multicast_open); without
 * multicast routing (IN_DEV_MFORWARD, not modelled) anything else is
 * -EINVAL: ip_rcv_finish drops it silently, after PREROUTING, with no ICMP
 * error. That is the fate of every IGMPv3 report (to 224.0.0.22, which only
 * multicast routers join) a bridge floods to its ports and their peers.
 */
import { formatIp4, type Ip4 } from '../../model/addr.js';
import type { Link, NsName } from '../../model/world.js';
import type { Ipv4Packet } from '../packet.js';
import type { Walk } from './engine.js';
import { Unsupported } from '../../shell/types.js';

/** 224.0.0.1: all systems on this subnet. */
export const IGMP_ALL_HOSTS = 0xe0000001 as Ip4;
/** 224.0.0.22: IGMPv3-capable multicast routers, where IGMPv3 reports go. */
export const IGMPV3_ALL_MCR = 0xe0000016 as Ip4;
/** 224.0.0.106: multicast router discovery (RFC 4286), joined by a snooping bridge. */
export const IGMP_MRDISC = 0xe000006a as Ip4;

/** The groups `link` joined (a subset of `ip maddr show dev LINK`: the ones the kernel joins by itself). */
function joined(link: Link, group: Ip4): boolean {
  if (!link.adminUp) return false;
  if (group === IGMP_ALL_HOSTS) return true;
  return group === IGMP_MRDISC && link.kind === 'bridge' && (link.mcastSnooping ?? true);
}

export function mcastInput(w: Walk, ns: NsName, link: Link, pkt: Ipv4Packet): void {
  if (!joined(link, pkt.dst)) {
    w.step({ kind: 'receive', action: `${link.name} is not a member of ${formatIp4(pkt.dst)} and there is no multicast routing: dropped` });
    w.decideFallback('delivered', `multicast to ${formatIp4(pkt.dst)} reached ${ns === '/' ? 'the host' : `netns ${ns}`}, which is not a member`, ns);
    return;
  }
  // ip_route_input_mc() and local delivery to a group member (igmp_rcv, multicast sockets).
  throw new Unsupported(`multicast delivery to a member of ${formatIp4(pkt.dst)}`);
}
