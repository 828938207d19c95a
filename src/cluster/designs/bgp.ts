/**
 * BGP route distribution as Calico's BIRD runs it (iBGP, one AS, the
 * `bgp_template` of calico/node's bird.cfg: `multihop`, `gateway recursive`,
 * next hop unchanged), modelled as data: sessions between speakers and the
 * routes each speaker ends up with.
 *
 * - Full mesh (the default node-to-node mesh): every pair of nodes peers.
 * - Route reflectors (mesh disabled, nodes labelled as reflectors): every
 *   client peers with every reflector, reflectors peer with each other.
 * - Extra peers (a global BGPPeer such as the top-of-rack router): every node
 *   peers with them; they are plain iBGP speakers (they do not reflect).
 *
 * Propagation (RFC 4456): a speaker advertises its own routes to all peers;
 * a non-reflector never re-advertises iBGP-learned routes; a reflector
 * re-advertises routes from a client to every other peer, and routes from a
 * non-client to its clients only. A session that is not Established carries
 * nothing, so a peer going down withdraws the routes learned through it.
 * Sessions are Established when both speakers run, neither side was shut
 * down, and each can reach the other's address (TCP 179 over the underlay).
 */
export interface Speaker {
  readonly name: string;
  readonly ip: string;
  readonly reflector: boolean;
  /** Prefixes this speaker originates. */
  readonly originates: readonly string[];
}

export interface Session {
  readonly a: string;
  readonly b: string;
  readonly established: boolean;
  /** Why it is not Established (for events and docs). */
  readonly why?: string;
}

/** Which pairs peer (before looking at their state). */
export function peerings(speakers: readonly Speaker[], o: { readonly mesh: boolean; readonly extra: readonly string[] }): [string, string][] {
  const out: [string, string][] = [];
  const names = speakers.map((s) => s.name);
  const isExtra = (n: string): boolean => o.extra.includes(n);
  const byName = new Map(speakers.map((s) => [s.name, s]));
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = byName.get(names[i]!)!;
      const b = byName.get(names[j]!)!;
      if (isExtra(a.name) && isExtra(b.name)) continue;
      if (isExtra(a.name) || isExtra(b.name)) out.push([a.name, b.name]);
      else if (o.mesh) out.push([a.name, b.name]);
      else if (a.reflector || b.reflector) out.push([a.name, b.name]);
    }
  }
  return out;
}

/** A route as a speaker holds it: prefix, originator (next hop is the originator's address). */
export interface LearnedRoute {
  readonly prefix: string;
  readonly origin: string;
}

/** The routes every speaker learns over the Established sessions (a fixed point of the advertisement rules). */
export function propagate(speakers: readonly Speaker[], sessions: readonly Session[]): Map<string, LearnedRoute[]> {
  const byName = new Map(speakers.map((s) => [s.name, s]));
  const up = sessions.filter((s) => s.established);
  const peersOf = (n: string): string[] => up.flatMap((s) => (s.a === n ? [s.b] : s.b === n ? [s.a] : []));
  /** rib[speaker] = routes, each with the peer it came from (undefined = own). */
  const rib = new Map<string, Map<string, { route: LearnedRoute; from?: string }>>();
  for (const s of speakers) rib.set(s.name, new Map(s.originates.map((p) => [`${p}|${s.name}`, { route: { prefix: p, origin: s.name } }])));
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of speakers) {
      for (const [key, e] of [...rib.get(s.name)!]) {
        for (const p of peersOf(s.name)) {
          if (p === e.from) continue;
          const fromClient = e.from !== undefined && !byName.get(e.from)!.reflector;
          let send: boolean;
          if (e.from === undefined) send = true;
          else if (!s.reflector) send = false;
          else if (fromClient) send = true;
          else send = !byName.get(p)!.reflector;
          if (!send) continue;
          const prib = rib.get(p)!;
          if (!prib.has(key) && e.route.origin !== p) {
            prib.set(key, { route: e.route, from: s.name });
            changed = true;
          }
        }
      }
    }
  }
  const out = new Map<string, LearnedRoute[]>();
  for (const s of speakers) out.set(s.name, [...rib.get(s.name)!.values()].filter((e) => e.from !== undefined).map((e) => e.route));
  return out;
}
