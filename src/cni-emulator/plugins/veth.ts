/**
 * Shared pieces of the veth-based plugins (bridge, ptp): pkg/ip's SetupVeth
 * (the pair is created from inside the container namespace, its host end
 * named `veth` + 8 random hex digits), pkg/ipam's ConfigureIface, and
 * DelLinkByNameAddr.
 */
import { broadcastOf, formatIp4, maskOf, parseMac, type Ip4, type Mac } from '../../model/addr.js';
import { linkByName, operState } from '../../model/queries.js';
import type { Link, NsName, Route as WorldRoute } from '../../model/world.js';
import { addrAdd } from '../../sim/ops/addr.js';
import { linkDel, vethAdd } from '../../sim/ops/link.js';
import { setLinkUp } from '../../sim/ops/link-state.js';
import { PREPEND, routeInsert } from '../../sim/ops/route.js';
import { sysctlWrite } from '../../sim/ops/sysctl.js';
import { Unsupported } from '../../shell/types.js';
import { goParseIP, type GoIP } from '../goip.js';
import type { PluginCtx } from '../skel.js';
import { PluginError, type IpConfig100, type Result100 } from '../types.js';

/** Go's syscall error texts for the RTNETLINK answers the twin's ops return. */
export function errnoText(opError: string): string {
  const m = /^RTNETLINK answers: (.*)$/.exec(opError);
  if (m) return m[1]!.toLowerCase();
  if (/^Error: mtu (greater|less) than device (maximum|minimum)\.$/.test(opError)) return 'invalid argument';
  if (opError === 'Error: Can not enslave a bridge to a bridge.') return 'invalid argument';
  throw new Unsupported(`netlink error text for "${opError}"`);
}

/**
 * RandomVethName: "veth%x" of 4 random bytes. The twin draws them from the
 * world seed and its MAC counter (which moves with every device created), so
 * names are reproducible and differ between calls.
 */
export function seededVethName(seed: number, counter: number, attempt: number): string {
  let x = (seed ^ Math.imul(counter + 0x51ed27, 0x2c1b3c6d) ^ Math.imul(attempt + 1, 0x297a2d39)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return 'veth' + x.toString(16).padStart(8, '0');
}

export interface VethPair {
  readonly hostName: string;
  readonly hostIndex: number;
  readonly hostMac: Mac;
  readonly contName: string;
  readonly contIndex: number;
  readonly contMac: Mac;
}

/**
 * ip.SetupVeth(ifName, mtu, mac, hostNS) run inside the container namespace:
 * `ip link add IFNAME [mtu M] [address MAC] type veth peer name vethXXXXXXXX
 * netns HOST`, then the host end is set up (the container end stays down).
 */
export function setupVeth(ctx: PluginCtx, host: NsName, cont: NsName, ifName: string, mtu: number, mac: string): VethPair {
  let macAddr: Mac | undefined;
  if (mac !== '') {
    const m = parseGoMac(mac);
    if (!m) throw new PluginError(`failed to make veth pair: address ${mac}: invalid MAC address`);
    macAddr = m;
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    const peer = seededVethName(ctx.world.seed, ctx.world.macCounter, attempt);
    // netlink.Veth{LinkAttrs{Name, MTU}}: TxQLen is Go's zero, which netlink
    // sends (IFLA_TXQLEN 0) for both ends: `ip link` shows no qlen for them.
    const r = vethAdd(
      ctx.world,
      { ns: cont, name: ifName, txqlen: 0, ...(mtu > 0 ? { mtu } : {}), ...(macAddr ? { mac: macAddr } : {}) },
      { ns: host, name: peer, txqlen: 0, ...(mtu > 0 ? { mtu } : {}) },
    );
    if (!r.ok) {
      const e = errnoText(r.error);
      if (e === 'file exists') {
        // peerExists() looks in the container namespace, where the peer never is.
        if (linkByName(ctx.world.ns[cont]!, peer)) continue;
        throw new PluginError(`container veth name provided (${ifName}) already exists`);
      }
      throw new PluginError(`failed to make veth pair: ${e}`);
    }
    ctx.world = r.world;
    const h = linkByName(ctx.world.ns[host]!, peer)!;
    const c = linkByName(ctx.world.ns[cont]!, ifName)!;
    const up = setLinkUp(ctx.world, host, h.ifindex, true);
    if (!up.ok) throw new PluginError(`failed to set "${peer}" up: ${errnoText(up.error)}`);
    ctx.world = up.world;
    return { hostName: peer, hostIndex: h.ifindex, hostMac: h.mac, contName: ifName, contIndex: c.ifindex, contMac: c.mac };
  }
  throw new PluginError('failed to find a unique veth name');
}

/** net.ParseMAC for 6-byte addresses in the colon/hyphen forms. */
function parseGoMac(s: string): Mac | undefined {
  if (/^([0-9a-fA-F]{2}-){5}[0-9a-fA-F]{2}$/.test(s)) return parseMac(s.replace(/-/g, ':'));
  if (/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(s)) return parseMac(s);
  if (/^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(s)) {
    const h = s.replace(/\./g, '');
    return parseMac(h.match(/../g)!.join(':'));
  }
  if (/^[0-9a-fA-F:.-]+$/.test(s) && s.length > 17) throw new Unsupported(`MAC address ${s} (not 6 bytes)`);
  return undefined;
}

const v4 = (ip: string | undefined): Ip4 | undefined => {
  if (ip === undefined) return undefined;
  const g: GoIP | undefined = goParseIP(ip);
  if (!g) return undefined;
  if (g.v !== 4) throw new Unsupported('IPv6 addresses in CNI results');
  return g.a;
};

/** `%v` of a types100.IPConfig (fmt's {Interface:0xc000… Address:{…} Gateway:…}): the twin cannot print Go pointers. */
function ipcText(): never {
  throw new Unsupported('error text containing a Go IPConfig value');
}

/**
 * ipam.ConfigureIface(ifName, result) inside the container namespace: every
 * address whose interface index names ifName is added (netlink computes the
 * broadcast), the link is set up, then the routes are added (gw defaulting to
 * the first v4 gateway; NLM_F_CREATE without EXCL, proto boot).
 */
export function configureIface(ctx: PluginCtx, ns: NsName, ifName: string, res: Result100): void {
  if (!res.interfaces || res.interfaces.length === 0) throw new PluginError('no interfaces to configure');
  const link = linkByName(ctx.world.ns[ns]!, ifName);
  if (!link) throw new PluginError(`failed to lookup "${ifName}": Link not found`);
  let v4gw: Ip4 | undefined;
  for (const ipc of res.ips ?? []) {
    if (ipc.interface === undefined) continue;
    const idx = ipc.interface;
    if (idx < 0 || idx >= res.interfaces.length || res.interfaces[idx]!.name !== ifName) ipcText();
    const local = v4(ipc.address.ip)!;
    const len = ipc.address.prefixLen;
    const r = addrAdd(ctx.world, ns, link.ifindex, {
      local,
      prefixLen: len,
      ...(len < 31 ? { broadcast: broadcastOf({ addr: local, len }) } : {}),
      scope: 'global',
      label: ifName,
      noprefixroute: false,
    });
    if (!r.ok) ipcText();
    ctx.world = r.world;
    const gw = v4(ipc.gateway);
    if (gw !== undefined && v4gw === undefined) v4gw = gw;
  }
  const up = setLinkUp(ctx.world, ns, link.ifindex, true);
  if (!up.ok) throw new PluginError(`failed to set "${ifName}" UP: ${errnoText(up.error)}`);
  ctx.world = up.world;
  for (const rt of res.routes ?? []) {
    const dst = v4(rt.dst.ip);
    if (dst === undefined) throw new Unsupported('route without a v4 destination');
    const gw = v4(rt.gw) ?? v4gw;
    const r = routeInsert(
      ctx.world,
      ns,
      {
        table: 254,
        type: 'unicast',
        dst: { addr: dst, len: rt.dst.prefixLen },
        tos: 0,
        ...(gw !== undefined ? { gateway: gw } : {}),
        dev: link.ifindex,
        scope: 'global',
        proto: 'boot',
        metric: 0,
        onlink: false,
      },
      PREPEND,
    );
    if (!r.ok) {
      // `%v` of a net.IPNet value: {IP MASK-in-hex}.
      const mask = rt.mask16 ? '00000000000000000000ffff00000000' : (maskOf(rt.dst.prefixLen) >>> 0).toString(16).padStart(8, '0');
      const dstText = `{${rt.dst.ip} ${mask}}`;
      throw new PluginError(`failed to add route '${dstText} via ${gw !== undefined ? formatIp4(gw) : '<nil>'} dev ${ifName}': ${errnoText(r.error)}`);
    }
    ctx.world = r.world;
  }
}

/** sysctl.Sysctl(name, value) with a failure ignored, as the plugins do for these keys. */
export function trySysctl(ctx: PluginCtx, ns: NsName, key: string, value: string): void {
  const r = sysctlWrite(ctx.world, ns, key, value);
  if (r.ok) ctx.world = r.world;
}

/** The link's operstate as netlink reports it (the bridge plugin polls the host veth for UP). */
export function operUp(ctx: PluginCtx, ns: NsName, ifindex: number): boolean {
  const l = ctx.world.ns[ns]?.links[ifindex];
  return l !== undefined && operState(ctx.world, ns, l) === 'UP';
}

/**
 * ip.DelLinkByNameAddr(ifName): the link's global unicast addresses, then
 * the link is deleted (a veth takes its peer). Undefined when there is no
 * such link (ErrLinkNotFound).
 */
export function delLinkByNameAddr(ctx: PluginCtx, ns: NsName, ifName: string): { ip: Ip4; len: number }[] | undefined {
  const link: Link | undefined = linkByName(ctx.world.ns[ns]!, ifName);
  if (!link) return undefined;
  const addrs = link.addrs
    .filter((a) => isGlobalUnicast(a.local))
    .map((a) => ({ ip: a.local, len: a.prefixLen }));
  const r = linkDel(ctx.world, ns, link.ifindex);
  if (!r.ok) throw new PluginError(`failed to delete "${ifName}": ${errnoText(r.error)}`);
  ctx.world = r.world;
  return addrs;
}

/** net.IP.IsGlobalUnicast for IPv4: not 0.0.0.0, broadcast, loopback, multicast or link-local. */
function isGlobalUnicast(a: Ip4): boolean {
  const n = a >>> 0;
  if (n === 0 || n === 0xffffffff) return false;
  if (n >>> 24 === 127) return false;
  if (n >>> 28 === 0xe) return false;
  if (n >>> 16 === 0xa9fe) return false;
  return true;
}

export type { IpConfig100 };

// ---------------------------------------------------------------------------
// CHECK helpers (pkg/ip/utils_linux.go).

/** `%+v` of a types.Route (libcni 1.1.x: {Dst:{IP:.. Mask:..} GW:..}). */
export function routeText(r: { dst: { ip: string; prefixLen: number }; gw?: string }): string {
  const mask = (maskOf(r.dst.prefixLen) >>> 0).toString(16).padStart(8, '0');
  return `{Dst:{IP:${r.dst.ip} Mask:${mask}} GW:${r.gw ?? '<nil>'}}`;
}

/** Routes of the main table as netlink.RouteList dumps them (RouteListFiltered skips other tables). */
function mainRoutes(ctx: PluginCtx, ns: NsName): readonly WorldRoute[] {
  return ctx.world.ns[ns]!.routes.filter((r) => r.table === 254);
}

/**
 * ip.ValidateExpectedInterfaceIPs(ifName, ips) in namespace ns: each address
 * is on the link (same IP and prefix length) and a main-table route to its
 * prefix exists.
 */
export function validateExpectedInterfaceIPs(ctx: PluginCtx, ns: NsName, ifName: string, ips: readonly IpConfig100[]): void {
  for (const ipc of ips) {
    const link = linkByName(ctx.world.ns[ns]!, ifName);
    if (!link) throw new PluginError(`Cannot find container link ${ifName}`);
    const a = v4(ipc.address.ip)!;
    const len = ipc.address.prefixLen;
    if (!link.addrs.some((x) => x.local === a && x.prefixLen === len)) {
      throw new PluginError(`Failed to match addr ${ipc.address.ip}/${len} on interface ${ifName}`);
    }
    const net = (a & maskOf(len)) >>> 0;
    const found = mainRoutes(ctx, ns).some((r) => len !== 0 && r.dst.len === len && r.dst.addr >>> 0 === net);
    if (!found) throw new PluginError(`Failed to find Gateway ${ipc.gateway ?? '<nil>'} for interface ${ifName}`);
  }
}

/**
 * ip.ValidateExpectedRoute(routes): each route is in the main table with the
 * same destination and gateway (a default route: any default route).
 */
export function validateExpectedRoute(ctx: PluginCtx, ns: NsName, routes: readonly { dst: { ip: string; prefixLen: number }; gw?: string }[]): void {
  for (const rt of routes) {
    const dst = v4(rt.dst.ip);
    if (dst === undefined) throw new PluginError(`Invalid static route found ${routeText(rt)}`);
    const isDefault = dst >>> 0 === 0 && rt.dst.prefixLen === 0;
    const gw = v4(rt.gw);
    const found = mainRoutes(ctx, ns).some((r) => {
      if (isDefault) return r.dst.len === 0;
      if (r.dst.len === 0 || r.dst.len !== rt.dst.prefixLen || r.dst.addr >>> 0 !== dst >>> 0) return false;
      return gw === undefined ? r.gateway === undefined : r.gateway !== undefined && r.gateway >>> 0 === gw >>> 0;
    });
    if (!found) throw new PluginError(`Expected Route ${routeText(rt)} not found in routing table`);
  }
}
