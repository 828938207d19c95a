/**
 * Addresses, parsed once at the boundary into branded types.
 *
 * An IPv4 address is a uint32 (branded `Ip4`) so that route lookups, prefix
 * tests and conntrack keys are integer arithmetic, never string work. A MAC is
 * a lower-case colon-separated string (branded `Mac`), the form iproute2 prints.
 */
import ipaddr from 'ipaddr.js';

declare const ip4Brand: unique symbol;
declare const macBrand: unique symbol;

/** An IPv4 address as an unsigned 32-bit integer. */
export type Ip4 = number & { readonly [ip4Brand]: true };
/** A MAC address, `aa:bb:cc:dd:ee:ff`, lower case. */
export type Mac = string & { readonly [macBrand]: true };

/** An IPv4 prefix: `addr` has no host bits set unless `keepHost` was asked for. */
export interface Prefix4 {
  readonly addr: Ip4;
  readonly len: number;
}

export const ZERO_MAC = '00:00:00:00:00:00' as Mac;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff' as Mac;

/** The mask of a prefix length as uint32 (`len` 0..32). */
export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function ip4FromNumber(n: number): Ip4 {
  return (n >>> 0) as Ip4;
}

/** Strict dotted-quad parse (what the model uses internally and in scenarios). */
export function parseIp4(text: string): Ip4 | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const bytes = ipaddr.IPv4.parse(text).toByteArray();
  return ip4FromNumber(((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0);
}

/**
 * Parse an address the way iproute2's get_addr_ipv4() does: 1 to 4 dotted
 * decimal parts, missing trailing parts are zero ("10.1" is 10.1.0.0).
 */
export function parseIp4Loose(text: string): Ip4 | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    let v = 0;
    if (p !== undefined) {
      if (!/^\d{1,3}$/.test(p)) return undefined;
      v = Number(p);
      if (v > 255) return undefined;
    }
    n = n * 256 + v;
  }
  return ip4FromNumber(n);
}

export function formatIp4(a: Ip4 | number): string {
  const n = a >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parse `a.b.c.d/len` (or a bare address, len 32). Host bits are kept; see `networkOf`. */
export function parsePrefix4(text: string, loose = false): Prefix4 | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = loose ? parseIp4Loose(addrText) : parseIp4(addrText);
  if (addr === undefined) return undefined;
  if (slash < 0) return { addr, len: 32 };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > 32) return undefined;
  return { addr, len };
}

export function networkOf(p: Prefix4): Prefix4 {
  return { addr: ip4FromNumber(p.addr & maskOf(p.len)), len: p.len };
}

export function broadcastOf(p: Prefix4): Ip4 {
  return ip4FromNumber((p.addr | ~maskOf(p.len)) >>> 0);
}

export function prefixContains(p: Prefix4, a: Ip4): boolean {
  const m = maskOf(p.len);
  return ((p.addr & m) >>> 0) === ((a & m) >>> 0);
}

export function formatPrefix4(p: Prefix4): string {
  return `${formatIp4(p.addr)}/${p.len}`;
}

/** iproute2 prints a /32 destination without its length. */
export function formatRouteDst(p: Prefix4): string {
  if (p.len === 0 && p.addr === 0) return 'default';
  return p.len === 32 ? formatIp4(p.addr) : formatPrefix4(p);
}

export function isLoopback(a: Ip4): boolean {
  return a >>> 24 === 127;
}
export function isMulticast(a: Ip4): boolean {
  return a >>> 28 === 0xe;
}
export function isLimitedBroadcast(a: Ip4): boolean {
  return (a >>> 0) === 0xffffffff;
}
export function isZeronet(a: Ip4): boolean {
  return a >>> 24 === 0;
}
/** RFC 1918 private ranges (10/8, 172.16/12, 192.168/16). */
export function isPrivate(a: Ip4): boolean {
  const n = a >>> 0;
  return n >>> 24 === 10 || n >>> 20 === 0xac1 || n >>> 16 === 0xc0a8;
}

export function parseMac(text: string): Mac | undefined {
  const t = text.toLowerCase();
  if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/.test(t)) return undefined;
  return t
    .split(':')
    .map((b) => b.padStart(2, '0'))
    .join(':') as Mac;
}

/**
 * A deterministic, locally administered unicast MAC from a seed and a counter
 * (the kernel uses eth_random_addr(); the twin must be reproducible).
 */
export function seededMac(seed: number, counter: number): Mac {
  // splitmix32-style mixing of (seed, counter)
  let x = (seed ^ Math.imul(counter + 1, 0x9e3779b9)) >>> 0;
  const bytes: number[] = [];
  for (let i = 0; i < 6; i++) {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes.push(((t ^ (t >>> 14)) >>> 0) & 255);
  }
  bytes[0] = (bytes[0]! & 0xfe) | 0x02; // unicast, locally administered
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':') as Mac;
}

/** The EUI-64 IPv6 link-local address the kernel derives from a MAC (fe80::...). */
export function linkLocal6(mac: Mac): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const e = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups = [0, 2, 4, 6].map((i) => ((e[i]! << 8) | e[i + 1]!).toString(16));
  // RFC 5952 (inet_ntop): the longest run of zero groups is compressed; when
  // the first interface-id group is 0 (MAC 02:00:..) it joins the prefix's
  // three zero groups: 02:00:00:00:19:b0 -> fe80::ff:fe00:19b0, not fe80::0:ff:...
  if (groups[0] === '0') groups.shift();
  return `fe80::${groups.join(':')}`;
}
