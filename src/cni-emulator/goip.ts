/**
 * Go's net.ParseIP / net.ParseCIDR / IP.String() as the plugins use them, and
 * the Go type descriptors of the address types found in CNI configs
 * (net.IP, types.IPNet, ip.IP of the plugins' pkg/ip).
 *
 * IPv4 addresses are Ip4 (uint32) as everywhere in the twin. IPv6 is parsed
 * (so that configs are classified as Go does) but kept textual; code that
 * would have to compute on an IPv6 address throws Unsupported.
 */
import ipaddr from 'ipaddr.js';
import { formatIp4, ip4FromNumber, maskOf, type Ip4 } from '../model/addr.js';
import { goDecodeRawErr, type GoType, type RawJson } from './gojson.js';
import type { IpNet } from './types.js';

export type GoIP = { readonly v: 4; readonly a: Ip4 } | { readonly v: 6; readonly text: string };

/** net.ParseIP: dotted quad without leading zeros (Go >= 1.17), or IPv6 (IPv4-mapped ones are IPv4). */
export function goParseIP(s: string): GoIP | undefined {
  const v4 = parseDotted(s);
  if (v4 !== undefined) return { v: 4, a: v4 };
  if (!s.includes(':') || s.includes('%')) return undefined;
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  // ipaddr accepts a few forms Go does not (zone ids were excluded above).
  const a = ipaddr.IPv6.parse(s);
  if (a.isIPv4MappedAddress()) {
    const b = a.toIPv4Address().toByteArray();
    return { v: 4, a: ip4FromNumber(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) };
  }
  return { v: 6, text: a.toRFC5952String() };
}

function parseDotted(s: string): Ip4 | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return ip4FromNumber(n);
}

export const goIPString = (ip: GoIP): string => (ip.v === 4 ? formatIp4(ip.a) : ip.text);

export const goIPEqual = (a: GoIP | undefined, b: GoIP | undefined): boolean =>
  a !== undefined && b !== undefined && a.v === b.v && (a.v === 4 ? a.a === (b as { a: Ip4 }).a : a.text === (b as { text: string }).text);

/** A parsed CIDR: the address as written (not masked) and the prefix length. */
export interface GoCIDR {
  readonly ip: GoIP;
  readonly len: number;
}

/** net.ParseCIDR (address kept as written, like types.ParseCIDR). */
export function goParseCIDR(s: string): GoCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = goParseIP(s.slice(0, slash));
  const m = s.slice(slash + 1);
  // dtoi: decimal digits only
  if (ip === undefined || !/^\d+$/.test(m)) return undefined;
  const len = Number(m);
  const max = ip.v === 4 && !s.slice(0, slash).includes(':') ? 32 : 128;
  if (len > max) return undefined;
  // An IPv4-mapped IPv6 CIDR keeps a 128-bit mask in Go; the twin does not model that.
  if (ip.v === 4 && max === 128) return undefined;
  return { ip, len };
}

export const cidrToIpNet = (c: GoCIDR): IpNet => ({ ip: goIPString(c.ip), prefixLen: c.len, family: c.ip.v });

/** The network address of a v4 CIDR. */
export const v4Network = (a: Ip4, len: number): Ip4 => ip4FromNumber(a & maskOf(len));

// ---------------------------------------------------------------------------
// Go type descriptors.

/** net.IP: a TextUnmarshaler ("invalid IP address: x"); "" gives a nil IP. */
export const NET_IP: GoType = {
  k: 'text',
  name: 'net.IP',
  ptrRecv: true,
  parse: (s) => {
    if (s === '') return { value: undefined };
    const ip = goParseIP(s);
    return ip ? { value: ip } : { error: `invalid IP address: ${s}` };
  },
};

/** The plugins' pkg/ip.IP: an IP with an optional mask ("invalid IP address x", no colon). */
export const PKG_IP: GoType = {
  k: 'text',
  name: 'ip.IP',
  ptrRecv: true,
  parse: (s) => {
    if (s === '') return { value: undefined };
    if (s.includes('/')) {
      const c = goParseCIDR(s);
      return c ? { value: c.ip } : { error: `invalid IP address ${s}` };
    }
    const ip = goParseIP(s);
    return ip ? { value: ip } : { error: `invalid IP address ${s}` };
  },
};

const STRING_T: GoType = { k: 'string' };

/** types.IPNet: UnmarshalJSON decodes a string, then types.ParseCIDR ("invalid CIDR address: x"). */
export const TYPES_IPNET: GoType = {
  k: 'json',
  name: 'types.IPNet',
  unmarshal: (raw: RawJson) => {
    const r = goDecodeRawErr<string>(raw, STRING_T);
    if ('error' in r) return r;
    const c = goParseCIDR(r.value);
    if (!c) return { error: { kind: 'other', msg: `invalid CIDR address: ${r.value}` } };
    return { value: c };
  },
};

/** types.Route: UnmarshalJSON into struct route {dst types.IPNet; gw net.IP}. */
export interface DecodedRoute {
  readonly dst?: GoCIDR;
  readonly gw?: GoIP;
}

const ROUTE_INNER: GoType = {
  k: 'struct',
  name: 'route',
  pkg: 'types',
  fields: [
    { key: 'dst', json: 'dst', type: TYPES_IPNET },
    { key: 'gw', json: 'gw', type: NET_IP },
  ],
};

export const TYPES_ROUTE: GoType = {
  k: 'json',
  name: 'types.Route',
  unmarshal: (raw: RawJson) => goDecodeRawErr<DecodedRoute>(raw, ROUTE_INNER),
};

/** []*types.Route */
export const ROUTES: GoType = { k: 'slice', elem: { k: 'ptr', elem: TYPES_ROUTE } };

/** types.DNS */
export const TYPES_DNS: GoType = {
  k: 'struct',
  name: 'DNS',
  pkg: 'types',
  fields: [
    { key: 'nameservers', json: 'nameservers', type: { k: 'slice', elem: STRING_T } },
    { key: 'domain', json: 'domain', type: STRING_T },
    { key: 'search', json: 'search', type: { k: 'slice', elem: STRING_T } },
    { key: 'options', json: 'options', type: { k: 'slice', elem: STRING_T } },
  ],
};

export interface DecodedDns {
  readonly nameservers?: string[];
  readonly domain: string;
  readonly search?: string[];
  readonly options?: string[];
}

/** Routes as a result carries them (dst is printed with its address as written). */
export function routesToResult(rs: readonly (DecodedRoute | undefined)[] | undefined): { dst: IpNet; gw?: string }[] | undefined {
  if (rs === undefined) return undefined;
  return rs.map((r) => {
    // A route with no dst marshals as "<nil>" in Go; the twin refuses to guess.
    const dst: IpNet = r?.dst ? cidrToIpNet(r.dst) : { ip: '<nil>', prefixLen: 0, family: 6 };
    return r?.gw ? { dst, gw: goIPString(r.gw) } : { dst };
  });
}
