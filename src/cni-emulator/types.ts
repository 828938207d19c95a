/**
 * CNI types as libcni v1.1.x defines them (pkg/types, types/020, types/040,
 * types/100), the version converters and the printing of results and errors.
 *
 * Results are kept in the Go struct shapes (Result100, Result040, Result020)
 * because the plugins' output depends on which struct is printed: e.g. the
 * loopback plugin builds a 1.0.0 struct labelled with the config's version, and
 * libcni's Convert() returns it unconverted when the label already matches, so
 * a 0.3.1 loopback result has no ips[].version (a real quirk of 1.1.1).
 */
import { goMarshal, type GoJson } from './gojson.js';

// ---------------------------------------------------------------------------
// Errors (types.Error): printed as indented JSON on stdout, exit status 1.

export const ErrUnknown = 0;
export const ErrIncompatibleCNIVersion = 1;
export const ErrUnsupportedField = 2;
export const ErrUnknownContainer = 3;
export const ErrInvalidEnvironmentVariables = 4;
export const ErrIOFailure = 5;
export const ErrDecodingFailure = 6;
export const ErrInvalidNetworkConfig = 7;
export const ErrTryAgainLater = 11;
export const ErrInternal = 999;

export class CniError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly details = '',
  ) {
    super(details ? `${msg}; ${details}` : msg);
    this.name = 'CniError';
  }

  /** types.Error.Print(): MarshalIndent of {code,msg,details?}. */
  print(): string {
    return goMarshal({ code: this.code, msg: this.msg, details: this.details === '' ? undefined : this.details });
  }
}

/** A plugin's own failure (Go `fmt.Errorf`), wrapped by skel as code 999. */
export class PluginError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'PluginError';
  }
}

// ---------------------------------------------------------------------------
// Shared pieces: routes, DNS.

/** An address with its prefix as net.IPNet prints it: `10.1.0.2/24`, `::1/128`. */
export interface IpNet {
  /** The address (not masked), textual. */
  readonly ip: string;
  readonly prefixLen: number;
  /** 4 or 6: what `IP.To4() != nil` says. */
  readonly family: 4 | 6;
}

/** net.IPNet.String(); a zero IPNet (a route without dst) prints "<nil>". */
export const ipNetString = (n: IpNet): string => (n.ip === '<nil>' ? '<nil>' : `${n.ip}/${n.prefixLen}`);

export interface Route {
  /** types.Route.Dst (net.IPNet, printed with its address as given). */
  readonly dst: IpNet;
  readonly gw?: string;
  /**
   * The bridge plugin's own default route has a 16-byte mask
   * (net.IPMask(net.IPv4zero)); only `%v` in error texts shows it.
   */
  readonly mask16?: boolean;
}

export interface Dns {
  readonly nameservers?: readonly string[];
  readonly domain?: string;
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

const routeJson = (r: Route): GoJson => ({ dst: ipNetString(r.dst), gw: r.gw });

/** types.DNS has omitempty on each field but is itself always printed ("dns": {}). */
const dnsJson = (d: Dns): GoJson => ({
  nameservers: d.nameservers && d.nameservers.length ? [...d.nameservers] : undefined,
  domain: d.domain ? d.domain : undefined,
  search: d.search && d.search.length ? [...d.search] : undefined,
  options: d.options && d.options.length ? [...d.options] : undefined,
});

// ---------------------------------------------------------------------------
// Result structs.

export interface Interface {
  readonly name: string;
  readonly mac?: string;
  readonly sandbox?: string;
}

export interface IpConfig100 {
  readonly interface?: number;
  readonly address: IpNet;
  readonly gateway?: string;
}

export interface Result100 {
  readonly kind: '100';
  readonly cniVersion: string;
  readonly interfaces?: readonly Interface[];
  readonly ips?: readonly IpConfig100[];
  readonly routes?: readonly Route[];
  readonly dns: Dns;
}

export interface IpConfig040 extends IpConfig100 {
  readonly version: string;
}

export interface Result040 {
  readonly kind: '040';
  readonly cniVersion: string;
  readonly interfaces?: readonly Interface[];
  readonly ips?: readonly IpConfig040[];
  readonly routes?: readonly Route[];
  readonly dns: Dns;
}

export interface IpConfig020 {
  readonly ip: IpNet;
  readonly gateway?: string;
  readonly routes?: readonly Route[];
}

export interface Result020 {
  readonly kind: '020';
  readonly cniVersion: string;
  readonly ip4?: IpConfig020;
  readonly ip6?: IpConfig020;
  readonly dns: Dns;
}

export type Result = Result100 | Result040 | Result020;

const nonEmpty = <T>(a: readonly T[] | undefined): readonly T[] | undefined => (a && a.length > 0 ? a : undefined);

/** The JSON of a result struct, fields in Go declaration order, omitempty applied. */
export function resultJson(r: Result): GoJson {
  const intf = (i: Interface): GoJson => ({ name: i.name, mac: i.mac || undefined, sandbox: i.sandbox || undefined });
  switch (r.kind) {
    case '100':
      return {
        cniVersion: r.cniVersion || undefined,
        interfaces: nonEmpty(r.interfaces)?.map(intf),
        ips: nonEmpty(r.ips)?.map((c) => ({ interface: c.interface, address: ipNetString(c.address), gateway: c.gateway })),
        routes: nonEmpty(r.routes)?.map(routeJson),
        dns: dnsJson(r.dns),
      };
    case '040':
      return {
        cniVersion: r.cniVersion || undefined,
        interfaces: nonEmpty(r.interfaces)?.map(intf),
        ips: nonEmpty(r.ips)?.map((c) => ({
          version: c.version,
          interface: c.interface,
          address: ipNetString(c.address),
          gateway: c.gateway,
        })),
        routes: nonEmpty(r.routes)?.map(routeJson),
        dns: dnsJson(r.dns),
      };
    case '020': {
      const ipc = (c: IpConfig020): GoJson => ({ ip: ipNetString(c.ip), gateway: c.gateway, routes: nonEmpty(c.routes)?.map(routeJson) });
      return {
        cniVersion: r.cniVersion || undefined,
        ip4: r.ip4 ? ipc(r.ip4) : undefined,
        ip6: r.ip6 ? ipc(r.ip6) : undefined,
        dns: dnsJson(r.dns),
      };
    }
  }
}

/** Result.PrintTo: MarshalIndent with 4 spaces, no trailing newline. */
export function printResult(r: Result): string {
  return goMarshal(resultJson(r));
}

// ---------------------------------------------------------------------------
// Conversion (types/internal/convert.go and the registered converters).

const V020 = ['0.1.0', '0.2.0'];
const V040 = ['0.3.0', '0.3.1', '0.4.0'];

function to040(r: Result100, toVersion: string): Result040 {
  return {
    kind: '040',
    cniVersion: toVersion,
    ...(r.interfaces ? { interfaces: r.interfaces.map((i) => ({ ...i })) } : {}),
    ...(r.ips ? { ips: r.ips.map((c) => ({ ...c, version: c.address.family === 4 ? '4' : '6' })) } : {}),
    routes: r.routes ? [...r.routes] : [],
    dns: { ...r.dns },
  };
}

function from040(r: Result040, toVersion: string): Result100 {
  return {
    kind: '100',
    cniVersion: toVersion,
    ...(r.interfaces ? { interfaces: r.interfaces.map((i) => ({ ...i })) } : {}),
    ...(r.ips
      ? {
          ips: r.ips.map((c) => {
            // types100 keeps Interface, Address, Gateway (not Version)
            const { version: _v, ...rest } = c;
            return rest;
          }),
        }
      : {}),
    routes: r.routes ? [...r.routes] : [],
    dns: { ...r.dns },
  };
}

function internal040(r: Result040, toVersion: string): Result040 {
  return { ...r, cniVersion: toVersion, routes: r.routes ? [...r.routes] : [] };
}

function from040To020(r: Result040, toVersion: string): Result020 | string {
  let ip4: IpConfig020 | undefined;
  let ip6: IpConfig020 | undefined;
  for (const c of r.ips ?? []) {
    if (c.version === '4' && !ip4) ip4 = { ip: c.address, ...(c.gateway ? { gateway: c.gateway } : {}) };
    else if (c.version === '6' && !ip6) ip6 = { ip: c.address, ...(c.gateway ? { gateway: c.gateway } : {}) };
    if (ip4 && ip6) break;
  }
  const r4: Route[] = [];
  const r6: Route[] = [];
  for (const rt of r.routes ?? []) {
    if (rt.dst.family === 4) {
      if (ip4) r4.push(rt);
    } else if (ip6) r6.push(rt);
  }
  if (!ip4 && !ip6) return 'cannot convert: no valid IP addresses';
  return {
    kind: '020',
    cniVersion: toVersion,
    ...(ip4 ? { ip4: { ...ip4, ...(r4.length ? { routes: r4 } : {}) } } : {}),
    ...(ip6 ? { ip6: { ...ip6, ...(r6.length ? { routes: r6 } : {}) } } : {}),
    dns: { ...r.dns },
  };
}

function from020To040(r: Result020, toVersion: string): Result040 {
  const ips: IpConfig040[] = [];
  const routes: Route[] = [];
  if (r.ip4) {
    ips.push({ version: '4', address: r.ip4.ip, ...(r.ip4.gateway ? { gateway: r.ip4.gateway } : {}) });
    routes.push(...(r.ip4.routes ?? []));
  }
  if (r.ip6) {
    ips.push({ version: '6', address: r.ip6.ip, ...(r.ip6.gateway ? { gateway: r.ip6.gateway } : {}) });
    routes.push(...(r.ip6.routes ?? []));
  }
  return { kind: '040', cniVersion: toVersion, ...(ips.length ? { ips } : {}), routes, dns: { ...r.dns } };
}

/**
 * convert.Convert(from, toVersion): a result is returned as is when its label
 * equals the wanted version; otherwise the converter registered for
 * (label, wanted) runs, or "no converter for CNI result version A to B".
 */
export function convertResult(from: Result, toVersionIn: string): Result | string {
  const toVersion = toVersionIn === '' ? '0.1.0' : toVersionIn;
  // GetAsVersion labels an unlabelled result with its struct's own version.
  const fromVersion = from.cniVersion === '' ? (from.kind === '100' ? '1.0.0' : from.kind === '040' ? '0.4.0' : '0.2.0') : from.cniVersion;
  const f = { ...from, cniVersion: fromVersion } as Result;
  if (fromVersion === toVersion) return f;
  const none = `no converter for CNI result version ${fromVersion} to ${toVersion}`;
  // The converter is chosen by the label, and asserts the struct type (a
  // mismatch would panic in Go; the twin never builds such results).
  if (fromVersion === '1.0.0') {
    if (f.kind !== '100') return none;
    if (V040.includes(toVersion)) return to040(f, toVersion);
    if (V020.includes(toVersion)) {
      const r040 = to040(f, '0.4.0');
      return convertResult(r040, toVersion);
    }
    return none;
  }
  if (V040.includes(fromVersion)) {
    if (toVersion === '1.0.0') {
      if (f.kind === '040') return from040(f, toVersion);
      return none;
    }
    if (V040.includes(toVersion)) {
      if (f.kind === '040') return internal040(f, toVersion);
      return none;
    }
    if (V020.includes(toVersion)) {
      if (f.kind === '040') return from040To020(f, toVersion);
      return none;
    }
    return none;
  }
  if (V020.includes(fromVersion)) {
    if (f.kind !== '020') return none;
    if (toVersion === '1.0.0') return from040(from020To040(f, '0.4.0'), '1.0.0');
    if (V040.includes(toVersion)) return from020To040(f, toVersion);
    if (fromVersion === '0.1.0' && toVersion === '0.2.0') return { ...f, cniVersion: '0.2.0' };
    if (fromVersion === '0.2.0' && toVersion === '0.1.0') return { ...f, cniVersion: '0.1.0' };
    return none;
  }
  return none;
}

/** types.PrintResult(result, version): convert then print; a conversion failure is the plugin's error. */
export function printResultAs(r: Result, version: string): string {
  const c = convertResult(r, version);
  if (typeof c === 'string') throw new PluginError(c);
  return printResult(c);
}

/**
 * The struct libcni's create.Create(version, bytes) picks for a result
 * version, or undefined ("unsupported CNI result version %q").
 */
export function resultKindFor(version: string): Result['kind'] | undefined {
  if (version === '1.0.0') return '100';
  if (V040.includes(version)) return '040';
  if (version === '' || V020.includes(version)) return '020';
  return undefined;
}

/** The versions the 1.1.1 plugins support (version.All of libcni 1.1.x). */
export const SUPPORTED_VERSIONS: readonly string[] = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];

/** libcni version.ParseVersion. */
export function parseVersion(v: string): [number, number, number] | string {
  if (v === '') return [0, 1, 0];
  const parts = v.split('.');
  if (parts.length >= 4) return `invalid version "${v}": too many parts`;
  const names = ['major', 'minor', 'micro'];
  const out: number[] = [0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    // strconv.Atoi: optional sign, decimal digits.
    if (!/^[+-]?\d+$/.test(p)) return `failed to convert ${names[i]} version part "${p}": strconv.Atoi: parsing "${p}": invalid syntax`;
    out[i] = Number(p);
  }
  return out as [number, number, number];
}

/** version.GreaterThanOrEqualTo. */
export function versionGte(a: string, b: string): boolean | string {
  const x = parseVersion(a);
  if (typeof x === 'string') return x;
  const y = parseVersion(b);
  if (typeof y === 'string') return y;
  if (x[0] !== y[0]) return x[0] > y[0];
  if (x[1] !== y[1]) return x[1] > y[1];
  return x[2] >= y[2];
}
