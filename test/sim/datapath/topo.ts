/**
 * A small topology builder for datapath tests: namespaces, veth pairs,
 * addresses (with the kernel's automatic routes), routes and sysctls, built
 * directly on the model so the tests do not depend on the `ip` front end.
 */
import { produce, type Draft } from 'immer';
import { parseIp4, parsePrefix4, networkOf, seededMac, type Ip4 } from '../../../src/model/addr.js';
import { TABLE_MAIN, type Link, type Netns, type Route, type RouteType, type VethLink, type World } from '../../../src/model/world.js';
import { confFor, freshMachine, netnsAdd } from '../../../src/sim/ops/netns.js';
import { addrRoutes, setLinkUp } from '../../../src/sim/ops/link-state.js';

export const ip = (s: string): Ip4 => {
  const a = parseIp4(s);
  if (a === undefined) throw new Error(`bad ip ${s}`);
  return a;
};

export class Topo {
  world: World;
  constructor(seed = 1) {
    this.world = freshMachine(seed);
  }

  netns(...names: string[]): this {
    for (const name of names) {
      const r = netnsAdd(this.world, name);
      if (!r.ok) throw new Error(r.error);
      const u = setLinkUp(r.world, name, 1, true);
      if (!u.ok) throw new Error(u.error);
      this.world = u.world;
    }
    return this;
  }

  link(ns: string, name: string): Link {
    const l = Object.values(this.world.ns[ns]!.links).find((x) => x.name === name);
    if (!l) throw new Error(`no link ${name} in ${ns}`);
    return l;
  }

  /** A veth pair `a@nsA` <-> `b@nsB`, both up. */
  veth(nsA: string, a: string, nsB: string, b: string, o: { mtu?: number; up?: boolean } = {}): this {
    this.world = produce(this.world, (d) => {
      const da = d.ns[nsA]!;
      const db = d.ns[nsB]!;
      const ia = da.nextIfindex++;
      const ib = nsA === nsB ? da.nextIfindex++ : db.nextIfindex++;
      const mk = (dns: Draft<Netns>, ifindex: number, name: string, peerNs: string, peerIf: number): VethLink => ({
        kind: 'veth',
        ifindex,
        name,
        mtu: o.mtu ?? 1500,
        mac: seededMac(d.seed, d.macCounter++),
        adminUp: false,
        txqlen: 1000,
        promisc: false,
        addrs: [],
        conf: confFor(this.world, dns as Netns, 'new'),
        peer: { ns: peerNs, ifindex: peerIf },
      });
      (da.links as Record<number, Link>)[ia] = mk(da, ia, a, nsB, ib);
      (db.links as Record<number, Link>)[ib] = mk(db, ib, b, nsA, ia);
    });
    if (o.up !== false) {
      this.up(nsA, a);
      this.up(nsB, b);
    }
    return this;
  }

  up(ns: string, dev: string, up = true): this {
    const r = setLinkUp(this.world, ns, this.link(ns, dev).ifindex, up);
    if (!r.ok) throw new Error(r.error);
    this.world = r.world;
    return this;
  }

  addr(ns: string, dev: string, cidr: string): this {
    const p = parsePrefix4(cidr)!;
    const link = this.link(ns, dev);
    this.world = produce(this.world, (d) => {
      const dl = d.ns[ns]!.links[link.ifindex]!;
      const a = { local: p.addr, prefixLen: p.len, scope: 'global' as const, label: dev, noprefixroute: false };
      dl.addrs.push(a);
      if (dl.adminUp) for (const r of addrRoutes(dl as Link, a, true)) d.ns[ns]!.routes.push(r as Draft<Route>);
    });
    return this;
  }

  /** `ip route add DST [via GW] [dev DEV]` / `ip route add TYPE DST`. */
  route(ns: string, dst: string, o: { via?: string; dev?: string; type?: RouteType; mtu?: number; metric?: number } = {}): this {
    const p = dst === 'default' ? { addr: 0 as Ip4, len: 0 } : networkOf(parsePrefix4(dst)!);
    let dev = o.dev !== undefined ? this.link(ns, o.dev).ifindex : undefined;
    if (dev === undefined && o.via !== undefined) {
      const gw = ip(o.via);
      const l = Object.values(this.world.ns[ns]!.links).find((x) =>
        x.addrs.some((a) => networkOf({ addr: a.local, len: a.prefixLen }).addr === networkOf({ addr: gw, len: a.prefixLen }).addr),
      );
      dev = l?.ifindex;
    }
    const type = o.type ?? 'unicast';
    const r: Route = {
      table: TABLE_MAIN,
      type,
      dst: p,
      tos: 0,
      ...(o.via !== undefined ? { gateway: ip(o.via) } : {}),
      ...(dev !== undefined && type === 'unicast' ? { dev } : {}),
      scope: type === 'unicast' && o.via === undefined ? 'link' : 'global',
      proto: 'boot',
      metric: o.metric ?? 0,
      onlink: false,
      ...(o.mtu !== undefined ? { mtu: o.mtu } : {}),
    };
    this.world = produce(this.world, (d) => {
      d.ns[ns]!.routes.push(r as Draft<Route>);
    });
    return this;
  }

  /** sysctl -w; net.ipv4.ip_forward also sets every conf.*.forwarding (as the kernel does). */
  sysctl(ns: string, key: string, value: string): this {
    this.world = produce(this.world, (d) => {
      const dns = d.ns[ns]!;
      dns.sysctl[key] = value;
      const m = /^net\.ipv4\.conf\.([^.]+)\.(.+)$/.exec(key);
      if (key === 'net.ipv4.ip_forward' || (m && m[1] === 'all' && m[2] === 'forwarding')) {
        dns.sysctl['net.ipv4.ip_forward'] = value;
        dns.sysctl['net.ipv4.conf.all.forwarding'] = value;
        dns.sysctl['net.ipv4.conf.default.forwarding'] = value;
        for (const l of Object.values(dns.links)) l.conf['forwarding'] = value;
      } else if (m && m[1] !== 'all' && m[1] !== 'default') {
        const l = Object.values(dns.links).find((x) => x.name === m[1]);
        if (l) l.conf[m[2]!] = value;
      }
    });
    return this;
  }
}

/** a -- r -- b: 10.0.1.0/24 (a .2, r .1) and 10.0.2.0/24 (r .1, b .2), defaults via r, forwarding on in r. */
export function router3(forward = true): Topo {
  const t = new Topo().netns('a', 'r', 'b');
  t.veth('a', 'va', 'r', 'ra').veth('b', 'vb', 'r', 'rb');
  t.addr('a', 'va', '10.0.1.2/24').addr('r', 'ra', '10.0.1.1/24').addr('r', 'rb', '10.0.2.1/24').addr('b', 'vb', '10.0.2.2/24');
  t.route('a', 'default', { via: '10.0.1.1' }).route('b', 'default', { via: '10.0.2.1' });
  if (forward) t.sysctl('r', 'net.ipv4.ip_forward', '1');
  return t;
}

/** a -- b on 10.0.0.0/24 (a .1, b .2). */
export function pair(): Topo {
  const t = new Topo().netns('a', 'b');
  t.veth('a', 'va', 'b', 'vb');
  t.addr('a', 'va', '10.0.0.1/24').addr('b', 'vb', '10.0.0.2/24');
  return t;
}
