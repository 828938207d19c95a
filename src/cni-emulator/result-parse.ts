/**
 * Reading results back: a prevResult inside a config (version.ParsePrevResult)
 * and a delegated plugin's stdout (invoke's create.Create). Both go through Go's
 * decoder into the result struct of a version, so unknown fields vanish,
 * addresses are re-parsed, and the errors are Go's.
 */
import { goDecodeRaw, goDecodeRawErr, goMarshal, goParse, plainToGo, type GoDecodeError, type GoType, type RawJson } from './gojson.js';
import {
  cidrToIpNet,
  goIPString,
  NET_IP,
  ROUTES,
  routesToResult,
  TYPES_DNS,
  TYPES_IPNET,
  TYPES_ROUTE,
  type DecodedDns,
  type DecodedRoute,
  type GoCIDR,
  type GoIP,
} from './goip.js';
import { resultKindFor, type Dns, type IpNet, type Result, type Route } from './types.js';

const STR: GoType = { k: 'string' };
const INT_PTR: GoType = { k: 'ptr', elem: { k: 'int' } };

const INTERFACE = (pkg: string): GoType => ({
  k: 'ptr',
  elem: {
    k: 'struct',
    name: 'Interface',
    pkg,
    fields: [
      { key: 'name', json: 'name', type: STR },
      { key: 'mac', json: 'mac', type: STR },
      { key: 'sandbox', json: 'sandbox', type: STR },
    ],
  },
});

/** IPConfig with its UnmarshalJSON into the unexported ipConfig. */
function ipConfigType(pkg: string, withVersion: boolean): GoType {
  const inner: GoType = {
    k: 'struct',
    name: 'ipConfig',
    pkg,
    fields: [
      ...(withVersion ? [{ key: 'version', json: 'version', type: STR }] : []),
      { key: 'interface', json: 'interface', type: INT_PTR },
      { key: 'address', json: 'address', type: TYPES_IPNET },
      { key: 'gateway', json: 'gateway', type: NET_IP },
    ],
  };
  return { k: 'ptr', elem: { k: 'json', name: `${pkg}.IPConfig`, unmarshal: (raw) => decodeInner(raw, inner) } };
}

/** An UnmarshalJSON that decodes into an inner struct: its type errors get the outer context. */
function decodeInner(raw: RawJson, t: GoType): { value: unknown } | { error: GoDecodeError } {
  return goDecodeRawErr(raw, t);
}

const RESULT_100: GoType = {
  k: 'struct',
  name: 'Result',
  pkg: 'types100',
  fields: [
    { key: 'cniVersion', json: 'cniVersion', type: STR },
    { key: 'interfaces', json: 'interfaces', type: { k: 'slice', elem: INTERFACE('types100') } },
    { key: 'ips', json: 'ips', type: { k: 'slice', elem: ipConfigType('types100', false) } },
    { key: 'routes', json: 'routes', type: ROUTES },
    { key: 'dns', json: 'dns', type: TYPES_DNS },
  ],
};

const RESULT_040: GoType = {
  k: 'struct',
  name: 'Result',
  pkg: 'types040',
  fields: [
    { key: 'cniVersion', json: 'cniVersion', type: STR },
    { key: 'interfaces', json: 'interfaces', type: { k: 'slice', elem: INTERFACE('types040') } },
    { key: 'ips', json: 'ips', type: { k: 'slice', elem: ipConfigType('types040', true) } },
    { key: 'routes', json: 'routes', type: ROUTES },
    { key: 'dns', json: 'dns', type: TYPES_DNS },
  ],
};

const IPCONFIG_020_INNER: GoType = {
  k: 'struct',
  name: 'ipConfig',
  pkg: 'types020',
  fields: [
    { key: 'ip', json: 'ip', type: TYPES_IPNET },
    { key: 'gateway', json: 'gateway', type: NET_IP },
    { key: 'routes', json: 'routes', type: { k: 'slice', elem: TYPES_ROUTE } },
  ],
};

const IPCONFIG_020: GoType = { k: 'ptr', elem: { k: 'json', name: 'types020.IPConfig', unmarshal: (raw) => decodeInner(raw, IPCONFIG_020_INNER) } };

const RESULT_020: GoType = {
  k: 'struct',
  name: 'Result',
  pkg: 'types020',
  fields: [
    { key: 'cniVersion', json: 'cniVersion', type: STR },
    { key: 'ip4', json: 'ip4', type: IPCONFIG_020 },
    { key: 'ip6', json: 'ip6', type: IPCONFIG_020 },
    { key: 'dns', json: 'dns', type: TYPES_DNS },
  ],
};

interface DecodedIpc {
  version?: string;
  interface?: number;
  address?: GoCIDR;
  gateway?: GoIP;
}

interface DecodedResult {
  cniVersion: string;
  interfaces?: ({ name: string; mac: string; sandbox: string } | undefined)[];
  ips?: (DecodedIpc | undefined)[];
  routes?: (DecodedRoute | undefined)[];
  dns: DecodedDns;
  ip4?: { ip?: GoCIDR; gateway?: GoIP; routes?: DecodedRoute[] };
  ip6?: { ip?: GoCIDR; gateway?: GoIP; routes?: DecodedRoute[] };
}

const NIL_NET: IpNet = { ip: '<nil>', prefixLen: 0, family: 6 };
const net = (c: GoCIDR | undefined): IpNet => (c ? cidrToIpNet(c) : NIL_NET);

function toDns(d: DecodedDns): Dns {
  return {
    ...(d.nameservers ? { nameservers: d.nameservers } : {}),
    ...(d.domain ? { domain: d.domain } : {}),
    ...(d.search ? { search: d.search } : {}),
    ...(d.options ? { options: d.options } : {}),
  };
}

/**
 * convert.Create(version, bytes): decode `raw` into the result struct of
 * `version`, then check its own cniVersion is one that struct supports.
 */
export function createResult(version: string, raw: RawJson): Result | string {
  const kind = resultKindFor(version);
  if (!kind) return `unsupported CNI result version "${version}"`;
  const t = kind === '100' ? RESULT_100 : kind === '040' ? RESULT_040 : RESULT_020;
  const r = goDecodeRaw<DecodedResult>(raw, t);
  if (!r.ok) return r.error;
  const d = r.value;
  const supported = kind === '100' ? ['1.0.0'] : kind === '040' ? ['0.3.0', '0.3.1', '0.4.0'] : ['', '0.1.0', '0.2.0'];
  if (!supported.includes(d.cniVersion)) {
    return `result type supports [${supported.join(' ')}] but unmarshalled CNIVersion is "${d.cniVersion}"`;
  }
  const routes = d.routes ? (routesToResult(d.routes) as Route[]) : undefined;
  const ifaces = d.interfaces?.map((i) => ({ name: i?.name ?? '', ...(i?.mac ? { mac: i.mac } : {}), ...(i?.sandbox ? { sandbox: i.sandbox } : {}) }));
  const ipc = (c: DecodedIpc | undefined): { interface?: number; address: IpNet; gateway?: string } => ({
    ...(c?.interface !== undefined ? { interface: c.interface } : {}),
    address: net(c?.address),
    ...(c?.gateway ? { gateway: goIPString(c.gateway) } : {}),
  });
  if (kind === '100') {
    return {
      kind,
      cniVersion: d.cniVersion,
      ...(ifaces ? { interfaces: ifaces } : {}),
      ...(d.ips ? { ips: d.ips.map(ipc) } : {}),
      ...(routes ? { routes } : {}),
      dns: toDns(d.dns),
    };
  }
  if (kind === '040') {
    return {
      kind,
      cniVersion: d.cniVersion,
      ...(ifaces ? { interfaces: ifaces } : {}),
      ...(d.ips ? { ips: d.ips.map((c) => ({ ...ipc(c), version: c?.version ?? '' })) } : {}),
      ...(routes ? { routes } : {}),
      dns: toDns(d.dns),
    };
  }
  const ip020 = (c: DecodedResult['ip4']): { ip: IpNet; gateway?: string; routes?: Route[] } | undefined =>
    c
      ? {
          ip: net(c.ip),
          ...(c.gateway ? { gateway: goIPString(c.gateway) } : {}),
          ...(c.routes ? { routes: routesToResult(c.routes) as Route[] } : {}),
        }
      : undefined;
  const ip4 = ip020(d.ip4);
  const ip6 = ip020(d.ip6);
  return { kind, cniVersion: d.cniVersion === '' ? '0.1.0' : d.cniVersion, ...(ip4 ? { ip4 } : {}), ...(ip6 ? { ip6 } : {}), dns: toDns(d.dns) };
}

/**
 * version.ParsePrevResult: the prevResult object (a map[string]interface{})
 * gets "CNIVersion" = the config's version unless it has that exact key, is
 * re-marshalled (Go sorts map keys, so "CNIVersion" precedes "cniVersion" and
 * a differing cniVersion inside wins), and decoded for the config's version.
 */
export function parsePrevResult(confVersion: string, prev: Record<string, unknown>): Result | string {
  const m: Record<string, unknown> = { ...prev };
  const ver = m['CNIVersion'];
  if (ver === undefined || ver === null || ver === '') m['CNIVersion'] = confVersion;
  const bytes = goMarshal(plainToGo(m), '');
  const r = createResult(confVersion, goParse(bytes));
  return typeof r === 'string' ? `could not parse prevResult: ${r}` : r;
}
