/**
 * Narrated traces: a trace retold as numbered sentences a student can follow
 * with the topology picture in hand ("the packet leaves pod frontend's eth0,
 * crosses the veth pair to veth1a2b3c4d on node node-a, bridge cni0 looks up
 * its FDB, ..."). Places are named by what they are in the scenario (pod,
 * node, machine, switch), and every decision quotes the entry that made it
 * (a route as `ip route` prints it, an FDB line, an iptables rule).
 *
 * The sentences are built from each step's kind and its action text (the
 * datapath's vocabulary, src/sim/datapath); a step this module does not know
 * how to retell is shown as the datapath wrote it, never dropped.
 */
import type { NsName } from '../model/world.js';
import type { Step, Trace } from '../sim/trace.js';
import { packetHops } from './run.js';

export interface PlaceName {
  readonly kind: 'pod' | 'node' | 'machine' | 'network' | 'lab';
  readonly name: string;
}

export interface NarrateOptions {
  /** Leave out ARP side trips (hops that carried only ARP frames). */
  readonly hideArp?: boolean;
}

/** "pod frontend", "node node-a", "switch lan", "machine router", "the lab host". */
export function placeLabel(places: Readonly<Record<NsName, PlaceName>>, ns: NsName): string {
  const p = places[ns];
  if (!p) return ns === '/' ? 'the lab host' : `netns ${ns}`;
  if (p.kind === 'lab') return 'the lab host';
  return `${p.kind === 'network' ? 'switch' : p.kind} ${p.name}`;
}

const code = (s: string): string => `\`${s}\``;

/** Retell one trace; lines are numbered, ARP side trips indented. */
export function narrate(t: Trace, places: Readonly<Record<NsName, PlaceName>>, opts: NarrateOptions = {}): string[] {
  const out: string[] = [];
  const main = new Set(packetHops(t));
  let n = 0;
  for (const hop of t.hops) {
    const side = !main.has(hop);
    if (side && opts.hideArp) continue;
    const where = placeLabel(places, hop.ns);
    let outer = false;
    let prev: Step | undefined;
    for (const s of hop.steps) {
      // The datapath notes a translation twice (the NAT target, then the hook's result): tell it once.
      const dup = s.kind === 'nat' && prev?.kind === 'nat' && sameHeaders(prev, s);
      prev = s;
      if (dup) continue;
      let text = sentence(s, where, hop.ns, places);
      // After an encapsulation the stack routes the outer packet like any other it sends.
      if (outer && s.kind === 'output' && text !== undefined) text = `${cap(where)} routes the outer packet like any packet it sends: ${text.replace(/^\S+ \S+ sends a packet to \S+ Its/, 'its')}`;
      outer = s.kind === 'encap';
      if (text === undefined) continue;
      n++;
      out.push(`${side ? '    ' : ''}${n}. ${text}`);
    }
  }
  out.push(`=> ${outcomeSentence(t, places)}`);
  return out;
}

function sameHeaders(a: Step, b: Step): boolean {
  return a.before?.src === b.before?.src && a.before?.dst === b.before?.dst && a.after?.src === b.after?.src && a.after?.dst === b.after?.dst;
}

function outcomeSentence(t: Trace, places: Readonly<Record<NsName, PlaceName>>): string {
  const where = placeLabel(places, t.endedIn);
  const d = t.disposition;
  const head =
    d === 'delivered'
      ? `delivered in ${where}`
      : d === 'exits_network'
        ? `left the modelled network from ${where}`
        : `stopped in ${where} (${d})`;
  return `${head}: ${renameNetns(t.reason, places)}.`;
}

/** "netns backend" in datapath texts -> "pod backend". */
function renameNetns(text: string, places: Readonly<Record<NsName, PlaceName>>): string {
  return text.replace(/netns ([A-Za-z0-9_.-]+)/g, (m, ns: string) => (places[ns] ? placeLabel(places, ns) : m)).replace(/the host\b/g, 'the lab host');
}

const IP = String.raw`\d+\.\d+\.\d+\.\d+`;

function sentence(s: Step, where: string, ns: NsName, places: Readonly<Record<NsName, PlaceName>>): string | undefined {
  const a = s.action;
  const entry = s.entry;
  const short = where.replace(/^(pod|node|machine|switch) /, '');
  let m: RegExpExecArray | null;
  switch (s.kind) {
    case 'output': {
      if ((m = new RegExp(`^route lookup: (${IP}) via (${IP}|direct) dev (\\S+), source (${IP})$`).exec(a))) {
        const [, dst, gw, dev, src] = m;
        const how = gw === 'direct' ? `straight out of ${dev} (${dst} is on that link)` : `to the gateway ${gw} out of ${dev}`;
        return `${cap(where)} sends a packet to ${dst}. Its routing table says ${code(entry ?? '?')}: it goes ${how}, with source address ${src}.`;
      }
      if ((m = new RegExp(`^route lookup: (${IP}) is local, source (${IP})$`).exec(a))) return `${cap(where)} sends a packet to ${m[1]}, one of its own addresses: it stays inside ${short} (via lo).`;
      if ((m = /^route lookup for (\S+) failed: (\S+)/.exec(a))) return `${cap(where)} has no route to ${m[1]}: the send fails at once with ${m[2]}${entry ? ` (${code(entry)})` : ''}.`;
      break;
    }
    case 'neighbour': {
      if ((m = /^neighbour (\S+) dev (\S+) unknown: packet queued, ARP request sent$/.exec(a))) return `${cap(where)} does not know the MAC address of ${m[1]} yet: it parks the packet and broadcasts an ARP request on ${m[2]}.`;
      if ((m = /^neighbour (\S+) dev (\S+) INCOMPLETE/.exec(a))) return `${cap(where)} is still waiting for ARP to answer for ${m[1]}: the packet waits in the queue.`;
      if ((m = /^ARP resolved (\S+) dev (\S+) is-at (\S+): queued packet sent$/.exec(a))) return `${cap(where)} now knows ${m[1]} is at ${m[3]} and sends the parked packet out of ${m[2]}.`;
      if ((m = /^neighbour (\S+) dev (\S+) (?:is|was) (\w+)/.exec(a))) return `${cap(where)} already knows the MAC address of ${m[1]} (neighbour entry ${code(entry ?? a)}).`;
      if ((m = /^no ARP reply for (\S+) on (\S+)/.exec(a))) return `Nobody answers ${short}'s ARP requests for ${m[1]} on ${m[2]}: the packet is dropped (the sender hears "host unreachable" 3 s later).`;
      break;
    }
    case 'arp': {
      if ((m = /^ARP who-has (\S+) tell (\S+) sent on (\S+)$/.exec(a))) return `${cap(where)} broadcasts on ${m[3]}: "who has ${m[1]}? tell ${m[2]}".`;
      if ((m = /^ARP who-has (\S+) tell (\S+) received on (\S+)$/.exec(a))) return `${cap(where)} receives the ARP request for ${m[1]} on ${m[3]}.`;
      if ((m = /^ARP reply (\S+) is-at (\S+) sent on (\S+)$/.exec(a))) return `${m[1]} is ${short}'s address on ${m[3]}: it answers "${m[1]} is at ${m[2]}".`;
      if ((m = /^ARP reply (\S+) is-at (\S+) received on (\S+)$/.exec(a))) return `${cap(where)} receives the ARP reply: ${m[1]} is at ${m[2]}.`;
      if (/^not for us/.test(a)) return `The request is not for ${short}'s own addresses: ${short} ignores it.`;
      if ((m = /^proxy ARP: (\S+) is routed out of (\S+), answered with (\S+)'s MAC$/.exec(a))) return `Proxy ARP: ${short} routes ${m[1]} out of ${m[2]}, so it answers with ${m[3]}'s own MAC.`;
      break;
    }
    case 'transmit': {
      if ((m = /^(\S+) -> peer (\S+)(?: in (?:netns (\S+)|the host))?(?: \((\S+) -> (\S+)\))?$/.exec(a))) {
        const [, dev, peer, peerNs, src] = m;
        const otherNs = peerNs ?? (a.includes(' in the host') ? '/' : undefined);
        const other = otherNs !== undefined ? placeLabel(places, otherNs) : where;
        const what = src !== undefined ? 'The packet' : 'The frame';
        const here = places[ns]?.kind;
        const there = otherNs !== undefined ? places[otherNs]?.kind : here;
        // Cables to a switch are veth pairs in the twin too; call them cables.
        if (here === 'network') return `${what} leaves ${where} through port ${dev} and goes down the cable to ${peer} on ${other}.`;
        if (there === 'network') return `${what} leaves ${where} through ${dev} and goes down the cable to port ${peer} of ${other}.`;
        return `${what} leaves ${short}'s ${dev} and crosses the veth pair to ${peer} on ${other}.`;
      }
      break;
    }
    case 'bridge': {
      if ((m = /^(\S+): learned (\S+) on (\S+)$/.exec(a))) return `Bridge ${m[1]} on ${short} learns that MAC ${m[2]} is behind port ${m[3]} (a new FDB entry).`;
      if ((m = /^(\S+): refreshed (\S+) on (\S+)$/.exec(a))) return `Bridge ${m[1]} refreshes its FDB entry: ${m[2]} is still behind port ${m[3]}.`;
      if ((m = /^(\S+): (\S+) is known on (\S+)$/.exec(a))) return `Bridge ${m[1]} looks up ${m[2]} in its FDB (${code(entry ?? '?')}): it is behind port ${m[3]}, so the frame goes out there only.`;
      if ((m = /^(\S+): (\S+) is local: up the stack of (\S+)$/.exec(a))) return `Bridge ${m[1]} looks up ${m[2]} in its FDB: it is the bridge's own MAC, so the frame goes up to ${short}'s IP stack (${m[1]} is the gateway).`;
      if ((m = /^(\S+): (broadcast|multicast) flooded to (\d+) other port\(s\) and passed up to (\S+)$/.exec(a))) return `Bridge ${m[1]} floods the ${m[2]} to its ${m[3]} other port(s) and passes a copy up to ${short}'s own stack.`;
      if ((m = /^(\S+): (broadcast|multicast) flooded to (\d+) port\(s\)$/.exec(a))) return `Bridge ${m[1]} floods the ${m[2]} to ${m[3]} port(s).`;
      if ((m = /^(\S+): (\S+) unknown: flooded to (\d+)/.exec(a))) return `Bridge ${m[1]} has no FDB entry for ${m[2]}: it floods the frame to ${m[3]} port(s).`;
      break;
    }
    case 'receive': {
      if ((m = new RegExp(`^received (.+) (${IP}) -> (${IP}) ttl (\\d+) len \\d+(?: DF)? on (\\S+)$`).exec(a))) return `${cap(where)}'s IP stack receives it on ${m[5]}: ${m[2]} -> ${m[3]}, TTL ${m[4]}.`;
      break;
    }
    case 'route': {
      if ((m = new RegExp(`^(${IP}) is not local: forward via (${IP}|direct)$`).exec(a))) {
        return m[2] === 'direct'
          ? `${m[1]} is not ${short}'s own address. The route ${code(entry ?? '?')} says the destination is directly on that link: forward it there.`
          : `${m[1]} is not ${short}'s own address. The route ${code(entry ?? '?')} says: forward it to ${m[2]}.`;
      }
      if ((m = new RegExp(`^(${IP}) is local: deliver$`).exec(a))) return `${m[1]} is ${short}'s own address (${code(entry ?? '?')}): deliver it locally.`;
      if ((m = /is not local and forwarding is off on (\S+) \(([^)]+)\): dropped$/.exec(a))) return `The packet is not for ${short}, and ${short} does not forward (${m[2]}): dropped.`;
      if ((m = /^route lookup for (\S+): (.*)$/.exec(a))) return `${cap(where)} looks up a route for ${m[1]}: ${m[2]}${entry ? ` (${code(entry)})` : ''}.`;
      break;
    }
    case 'forward': {
      if ((m = /^forwarding: TTL (\d+) -> (\d+)$/.exec(a))) return `${cap(where)} forwards it (ip_forward=1) and decrements the TTL from ${m[1]} to ${m[2]}.`;
      break;
    }
    case 'encap':
      if ((m = /^(\S+): VXLAN vni (\d+) to (\S+):(\d+)/.exec(a))) return `${m[1]} on ${short} wraps the whole Ethernet frame in UDP (VXLAN vni ${m[2]}) addressed to ${m[3]} port ${m[4]}: the underlay only sees node addresses.`;
      break;
    case 'decap':
      if ((m = /^(\S+): VXLAN vni (\d+) from (\S+): decapsulated$/.exec(a))) return `${m[1]} on ${short} unwraps the VXLAN packet from ${m[3]}: the inner frame carries on as if it came off a cable.`;
      break;
    case 'deliver':
      if (/^echo request answered/.test(a)) return `${cap(where)}'s kernel answers the echo request with an echo reply.`;
      if (/delivered to the sockets of/.test(a)) return `It reaches the waiting socket of the sender in ${where}.`;
      if (/delivered to the connecting socket of/.test(a)) return `It reaches the connecting socket in ${where}.`;
      if (/^UDP to port (\d+) delivered to a socket/.test(a)) return `A container of ${where} listens on that UDP port: the datagram is delivered.`;
      if (/^no socket on UDP port/.test(a)) return `Nothing listens on that UDP port in ${where}: it answers with ICMP port unreachable.`;
      if (/delivered to the listener on port/.test(a)) return `A container of ${short} listens on that port: the connection request is accepted (SYN-ACK).`;
      if (/^nothing listens on TCP port/.test(a)) return `Nothing listens on that TCP port in ${short}: it answers with a reset (connection refused).`;
      break;
    case 'nat':
      if (s.before && s.after) return `NAT on ${short}: the packet ${s.before.src} -> ${s.before.dst} now reads ${s.after.src} -> ${s.after.dst}.`;
      break;
    case 'conntrack':
      if ((m = /^NEW flow (.*)$/.exec(a))) return `Connection tracking on ${short} sees a new flow: ${m[1]}.`;
      if ((m = /^(NEW|ESTABLISHED) \(reply\): (.*)$/.exec(a))) return `Connection tracking on ${short} recognises a reply of the flow ${m[2]}.`;
      if ((m = /^(NEW|ESTABLISHED): (.*)$/.exec(a))) return `Connection tracking on ${short} knows this flow (${m[1]}): ${m[2]}.`;
      if ((m = /^RELATED to (.*)$/.exec(a))) return `Connection tracking on ${short} relates this ICMP error to the flow ${m[1]}.`;
      break;
    case 'netfilter': {
      if ((m = /^nat (\w+): MASQUERADE$/.exec(a))) return `In the nat table's ${m[1]} chain of ${short}, the rule ${code(entry ?? '?')} matches: MASQUERADE, the source becomes ${short}'s own address on the way out.`;
      if ((m = /^(\w+) (\w+): (\w+.*)$/.exec(a))) return `In the ${m[1]} table's ${m[2]} chain of ${short}${entry ? `, the rule ${code(entry)} matches` : ''}: ${m[3]}.`;
      return `iptables on ${short}: ${a}${entry ? ` (rule ${code(entry)})` : ''}.`;
    }
    case 'drop':
      return `Dropped on ${short}: ${renameNetns(a, places)}${entry ? ` (${code(entry)})` : ''}.`;
    default:
      break;
  }
  return `${cap(where)}: ${renameNetns(a, places)}${entry ? ` (${code(entry)})` : ''}.`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
