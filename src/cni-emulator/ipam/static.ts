/**
 * The static IPAM plugin (plugins/ipam/static, 1.1.1): addresses from the
 * config (`ipam.addresses[].address` in CIDR notation, optional gateway),
 * from CNI_ARGS (`IP=a/n,b/n;GATEWAY=g`), from `args.cni.ips` or the `ips`
 * capability (`runtimeConfig.ips`, replacing the configured ones), plus the
 * config's routes and dns. DEL does nothing; CHECK compares with prevResult.
 */
import { COMMON_ARGS, loadArgs, stringArg, type ArgField } from '../args.js';
import { goUnmarshal, type GoStruct, type GoType } from '../gojson.js';
import { decodeNetConf } from '../netconf.js';
import {
  goIPEqual,
  goIPString,
  goParseCIDR,
  goParseIP,
  NET_IP,
  ROUTES,
  routesToResult,
  TYPES_DNS,
  type DecodedDns,
  type DecodedRoute,
  type GoCIDR,
  type GoIP,
} from '../goip.js';
import { maskOf } from '../../model/addr.js';
import { parsePrevResult } from '../result-parse.js';
import type { CmdArgs, PluginCtx, PluginDef } from '../skel.js';
import { convertResult, PluginError, printResultAs, versionGte, type Dns, type Result100 } from '../types.js';

const STR: GoType = { k: 'string' };
const STRS: GoType = { k: 'slice', elem: STR };

const ADDRESS: GoStruct = {
  k: 'struct',
  name: 'Address',
  pkg: 'main',
  fields: [
    { key: 'addressStr', json: 'address', type: STR },
    { key: 'gateway', json: 'gateway', type: NET_IP },
    // `Address net.IPNet` and `Version string` are untagged: "Address"/"Version"
    // keys (any case, "address" excepted: an exact match wins) reach them.
    {
      key: 'Address',
      json: 'Address',
      type: {
        k: 'struct',
        name: 'IPNet',
        pkg: 'net',
        fields: [
          { key: 'IP', json: 'IP', type: NET_IP },
          { key: 'Mask', json: 'Mask', type: { k: 'slice', name: 'net.IPMask', elem: { k: 'int', bits: 8, unsigned: true, name: 'uint8' } } },
        ],
      },
    },
    { key: 'Version', json: 'Version', type: STR },
  ],
};

const IPAM_CONFIG: GoStruct = {
  k: 'struct',
  name: 'IPAMConfig',
  pkg: 'main',
  fields: [
    { key: 'Name', json: 'Name', type: STR },
    { key: 'type', json: 'type', type: STR },
    { key: 'routes', json: 'routes', type: ROUTES },
    { key: 'addresses', json: 'addresses', type: { k: 'slice', elem: ADDRESS } },
    { key: 'dns', json: 'dns', type: TYPES_DNS },
  ],
};

const NET: GoStruct = {
  k: 'struct',
  name: 'Net',
  pkg: 'main',
  fields: [
    { key: 'name', json: 'name', type: STR },
    { key: 'cniVersion', json: 'cniVersion', type: STR },
    { key: 'ipam', json: 'ipam', type: { k: 'ptr', elem: IPAM_CONFIG } },
    { key: 'runtimeConfig', json: 'runtimeConfig', type: { k: 'struct', name: '', fields: [{ key: 'ips', json: 'ips', type: STRS }] } },
    {
      key: 'args',
      json: 'args',
      type: {
        k: 'ptr',
        elem: {
          k: 'struct',
          name: '',
          fields: [{ key: 'cni', json: 'cni', type: { k: 'ptr', elem: { k: 'struct', name: 'IPAMArgs', pkg: 'main', fields: [{ key: 'ips', json: 'ips', type: STRS }] } } }],
        },
      },
    },
  ],
};

interface RawAddress {
  addressStr: string;
  gateway?: GoIP;
  Address: { IP?: GoIP };
}

interface RawNet {
  name: string;
  cniVersion: string;
  ipam?: { type: string; routes?: (DecodedRoute | undefined)[]; addresses?: RawAddress[]; dns: DecodedDns };
  runtimeConfig: { ips?: string[] };
  args?: { cni?: { ips?: string[] } };
}

interface StaticAddress {
  readonly cidr: GoCIDR;
  gateway?: GoIP;
}

export interface StaticConfig {
  readonly cniVersion: string;
  readonly routes?: (DecodedRoute | undefined)[];
  readonly addresses: StaticAddress[];
  readonly dns: DecodedDns;
}

const ENV_ARGS: readonly ArgField[] = [...COMMON_ARGS, stringArg('IP'), stringArg('GATEWAY')];

/** net.IPNet.Contains for the twin's v4 addresses (v6 compares textually). */
function netContains(c: GoCIDR, ip: GoIP): boolean {
  if (c.ip.v !== ip.v) return false;
  if (c.ip.v === 4 && ip.v === 4) return ((c.ip.a & maskOf(c.len)) >>> 0) === ((ip.a & maskOf(c.len)) >>> 0);
  return goIPEqual(c.ip, ip);
}

/** LoadIPAMConfig of the static plugin. */
export function loadStaticConfig(stdin: string, envArgs: string): StaticConfig {
  const r = goUnmarshal<RawNet>(stdin, NET);
  if (!r.ok) throw new PluginError(r.error);
  const n = r.value;
  if (!n.ipam) throw new PluginError("IPAM config missing 'ipam' key");
  // A configured address is parsed later (its Address.IP is still nil here).
  let addresses: { str: string; cidr?: GoCIDR; gateway?: GoIP }[] = (n.ipam.addresses ?? []).map((a) => ({
    str: a.addressStr,
    ...(a.gateway ? { gateway: a.gateway } : {}),
  }));
  if (envArgs !== '') {
    const e = loadArgs(envArgs, ENV_ARGS);
    const ipArg = (e['IP'] as string | undefined) ?? '';
    if (ipArg !== '') {
      for (const item of ipArg.split(',')) {
        const s = item.trim();
        const c = goParseCIDR(s);
        if (!c) throw new PluginError(`the 'ip' field is expected to be in CIDR notation, got: '${s}'`);
        addresses.push({ str: s, cidr: c });
      }
    }
    const gwArg = (e['GATEWAY'] as string | undefined) ?? '';
    if (gwArg !== '') {
      for (const item of gwArg.split(',')) {
        const gw = goParseIP(item.trim());
        if (!gw) throw new PluginError(`invalid gateway address: ${item}`);
        for (const a of addresses) {
          // Only addresses parsed so far (from CNI_ARGS) have a network to test.
          if (a.cidr && netContains(a.cidr, gw)) a.gateway = gw;
        }
      }
    }
  }
  const fromList = (list: string[]): { str: string; cidr: GoCIDR }[] =>
    list.map((s) => {
      const c = goParseCIDR(s);
      if (!c) throw new PluginError(`an entry in the 'ips' field is NOT in CIDR notation, got: '${s}'`);
      return { str: s, cidr: c };
    });
  if ((n.args?.cni?.ips ?? []).length > 0) addresses = fromList(n.args!.cni!.ips!);
  if ((n.runtimeConfig.ips ?? []).length > 0) addresses = fromList(n.runtimeConfig.ips!);
  const out: StaticAddress[] = [];
  let numV4 = 0;
  let numV6 = 0;
  for (const a of addresses) {
    let cidr = a.cidr;
    if (!cidr) {
      cidr = goParseCIDR(a.str);
      if (!cidr) throw new PluginError(`the 'address' field is expected to be in CIDR notation, got: '${a.str}'`);
    }
    if (cidr.ip.v === 4) numV4++;
    else numV6++;
    out.push({ cidr, ...(a.gateway ? { gateway: a.gateway } : {}) });
  }
  if ((numV4 > 1 || numV6 > 1) && versionGte(n.cniVersion, '0.3.0') !== true) {
    throw new PluginError(`CNI version ${n.cniVersion} does not support more than 1 address per family`);
  }
  return { cniVersion: n.cniVersion, ...(n.ipam.routes !== undefined ? { routes: n.ipam.routes } : {}), addresses: out, dns: n.ipam.dns };
}

function dnsOf(d: DecodedDns): Dns {
  return {
    ...(d.nameservers ? { nameservers: d.nameservers } : {}),
    ...(d.domain ? { domain: d.domain } : {}),
    ...(d.search ? { search: d.search } : {}),
    ...(d.options ? { options: d.options } : {}),
  };
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadStaticConfig(args.stdinData, args.args);
  const result: Result100 = {
    kind: '100',
    cniVersion: '1.0.0',
    dns: dnsOf(conf.dns),
    ...(conf.routes !== undefined ? { routes: routesToResult(conf.routes)! } : {}),
    ...(conf.addresses.length > 0
      ? {
          ips: conf.addresses.map((a) => ({
            address: { ip: goIPString(a.cidr.ip), prefixLen: a.cidr.len, family: a.cidr.ip.v },
            ...(a.gateway ? { gateway: goIPString(a.gateway) } : {}),
          })),
        }
      : {}),
  };
  ctx.stdout += printResultAs(result, conf.cniVersion);
}

function cmdCheck(args: CmdArgs): void {
  const conf = loadStaticConfig(args.stdinData, args.args);
  const nc = decodeNetConf(args.stdinData);
  if (!nc.ok) throw new PluginError(`failed to load netconf: ${nc.error}`);
  if (nc.value.prevResult === undefined) throw new PluginError('Required prevResult missing');
  const parsed = parsePrevResult(nc.value.cniVersion, nc.value.prevResult);
  if (typeof parsed === 'string') throw new PluginError(parsed);
  const cur = convertResult(parsed, '1.0.0');
  if (typeof cur === 'string') throw new PluginError(cur);
  if (cur.kind !== '100') throw new PluginError('failed to convert result');
  for (const a of conf.addresses) {
    for (const ip of cur.ips ?? []) {
      if (ip.address.ip === goIPString(a.cidr.ip)) {
        if (!a.gateway || ip.gateway === goIPString(a.gateway)) break;
        throw new PluginError(`static: Failed to match addr ${ip.address.ip} on interface ${args.ifName}`);
      }
    }
  }
}

export const staticIpam: PluginDef = { name: 'static', add: cmdAdd, del: () => undefined, check: (a) => cmdCheck(a) };
