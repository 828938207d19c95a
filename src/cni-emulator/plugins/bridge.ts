/**
 * The bridge plugin (plugins/main/bridge, 1.1.1), step by step as cmdAdd and
 * cmdDel do it, so that side effects left by a failure are the real ones:
 *
 *  ADD: ensure the bridge (create, promisc, up) -> open the netns -> veth pair
 *  from inside the container (host end "vethXXXXXXXX" up, enslaved, hairpin)
 *  -> IPAM ADD (delegated) -> gateways -> in the container: arp_notify=1,
 *  addresses, link up, routes -> wait for the host end to be oper UP ->
 *  gateway address on the bridge (+ its MAC pinned) and ip_forward=1 ->
 *  masquerade chain -> result (bridge MAC re-read, dns from the config).
 *  A failure after IPAM ADD runs IPAM DEL; the veth pair stays behind.
 *
 *  DEL: IPAM DEL only if CNI_NETNS is empty or gone; else delete IFNAME in
 *  the container (remembering its global addresses), IPAM DEL, then tear the
 *  masquerade rules down for the remembered addresses only.
 */
import { sha512Hex } from '../../model/hash.js';
import { broadcastOf, formatIp4, ip4FromNumber, maskOf, ZERO_MAC, type Ip4, type Mac } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import type { BridgeLink, Link, NsName } from '../../model/world.js';
import { addrAdd, addrDel } from '../../sim/ops/addr.js';
import { bridgeCreate, bridgeSetMac, DEFAULT_BRIDGE, setMaster } from '../../sim/ops/bridge.js';
import { linkSetAttrs } from '../../sim/ops/link.js';
import { setLinkUp } from '../../sim/ops/link-state.js';
import { Unsupported } from '../../shell/types.js';
import { COMMON_ARGS, loadArgs, stringArg, type ArgField } from '../args.js';
import { goUnmarshal, type GoStruct, type GoType } from '../gojson.js';
import { goParseIP } from '../goip.js';
import { delegateAdd, delegateCheck, delegateDel } from '../invoke.js';
import { NETCONF_FIELDS, type NetConf as BaseNetConf } from '../netconf.js';
import { resolveNetns } from '../nspath.js';
import { strconvQuote, type CmdArgs, type PluginCtx, type PluginDef } from '../skel.js';
import { CniError, convertResult, PluginError, printResultAs, type Dns, type Interface, type IpConfig100, type Result100, type Route } from '../types.js';
import { configureIface, delLinkByNameAddr, errnoText, operUp, setupVeth, trySysctl, validateExpectedInterfaceIPs, validateExpectedRoute } from './veth.js';
import { parsePrevResult } from '../result-parse.js';

const STR: GoType = { k: 'string' };
const BOOL: GoType = { k: 'bool' };
const INT: GoType = { k: 'int' };

const BRIDGE_NETCONF: GoStruct = {
  k: 'struct',
  name: 'NetConf',
  pkg: 'main',
  fields: [
    { key: 'base', json: 'NetConf', type: { k: 'struct', name: 'NetConf', pkg: 'types', fields: NETCONF_FIELDS }, embedded: true },
    { key: 'bridge', json: 'bridge', type: STR },
    { key: 'isGateway', json: 'isGateway', type: BOOL },
    { key: 'isDefaultGateway', json: 'isDefaultGateway', type: BOOL },
    { key: 'forceAddress', json: 'forceAddress', type: BOOL },
    { key: 'ipMasq', json: 'ipMasq', type: BOOL },
    { key: 'mtu', json: 'mtu', type: INT },
    { key: 'hairpinMode', json: 'hairpinMode', type: BOOL },
    { key: 'promiscMode', json: 'promiscMode', type: BOOL },
    { key: 'vlan', json: 'vlan', type: INT },
    { key: 'macspoofchk', json: 'macspoofchk', type: BOOL },
    { key: 'enabledad', json: 'enabledad', type: BOOL },
    {
      key: 'args',
      json: 'args',
      type: {
        k: 'struct',
        name: '',
        fields: [{ key: 'cni', json: 'cni', type: { k: 'struct', name: 'BridgeArgs', pkg: 'main', fields: [{ key: 'mac', json: 'mac', type: STR }] } }],
      },
    },
    { key: 'runtimeConfig', json: 'runtimeConfig', type: { k: 'struct', name: '', fields: [{ key: 'mac', json: 'mac', type: STR }] } },
  ],
};

interface BridgeConf {
  base: BaseNetConf;
  bridge: string;
  isGateway: boolean;
  isDefaultGateway: boolean;
  forceAddress: boolean;
  ipMasq: boolean;
  mtu: number;
  hairpinMode: boolean;
  promiscMode: boolean;
  vlan: number;
  macspoofchk: boolean;
  enabledad: boolean;
  args: { cni: { mac: string } };
  runtimeConfig: { mac: string };
  /** The MAC chosen for the container end (CNI_ARGS MAC, args.cni.mac, runtimeConfig.mac). */
  mac: string;
}

const MAC_ARGS: readonly ArgField[] = [...COMMON_ARGS, stringArg('MAC')];

/** loadNetConf: defaults (bridge "cni0"), the VLAN range, the MAC sources. */
export function loadBridgeConf(stdin: string, envArgs: string): BridgeConf {
  // Go decodes into a NetConf whose BrName is already "cni0".
  const r = goUnmarshal<BridgeConf>(stdin, BRIDGE_NETCONF, { bridge: 'cni0' });
  if (!r.ok) throw new PluginError(`failed to load netconf: ${r.error}`);
  const n = r.value;
  if (n.vlan < 0 || n.vlan > 4094) throw new PluginError(`invalid VLAN ID ${n.vlan} (must be between 0 and 4094)`);
  n.mac = '';
  if (envArgs !== '') {
    const e = loadArgs(envArgs, MAC_ARGS);
    if (e['MAC'] !== undefined && e['MAC'] !== '') n.mac = e['MAC'] as string;
  }
  if (n.args.cni.mac !== '') n.mac = n.args.cni.mac;
  if (n.runtimeConfig.mac !== '') n.mac = n.runtimeConfig.mac;
  return n;
}

/** utils.FormatChainName: "CNI-" + sha512(name + id) in hex, cut to 28 characters. */
export function formatChainName(name: string, id: string): string {
  return ('CNI-' + sha512Hex(name + id)).slice(0, 28);
}

/** utils.FormatComment: `name: %q id: %q`. */
export function formatComment(name: string, id: string): string {
  return `name: ${strconvQuote(name)} id: ${strconvQuote(id)}`;
}

/** ensureBridge + setupBridge: `ip link add NAME [mtu M] type bridge`, promisc, up. */
function setupBridge(ctx: PluginCtx, n: BridgeConf): { ifindex: number; mac: Mac } {
  if (n.vlan !== 0) throw new Unsupported('bridge plugin "vlan" (vlan_filtering)');
  const fail = (e: string): never => {
    throw new PluginError(`failed to create bridge ${strconvQuote(n.bridge)}: ${e}`);
  };
  const ns = ctx.ns;
  const existing = linkByName(ctx.world.ns[ns]!, n.bridge);
  if (!existing) {
    const r = bridgeCreate(ctx.world, { ns, name: n.bridge, ...(n.mtu !== 0 ? { mtu: n.mtu } : {}) }, DEFAULT_BRIDGE);
    if (!r.ok) fail(`could not add ${strconvQuote(n.bridge)}: ${errnoText(r.error)}`);
    else ctx.world = r.world;
  }
  let br = linkByName(ctx.world.ns[ns]!, n.bridge)!;
  if (n.promiscMode) {
    const r = linkSetAttrs(ctx.world, ns, br.ifindex, { promisc: true });
    if (!r.ok) fail(`could not set promiscuous mode on ${strconvQuote(n.bridge)}: ${errnoText(r.error)}`);
    else ctx.world = r.world;
  }
  br = linkByName(ctx.world.ns[ns]!, n.bridge)!;
  if (br.kind !== 'bridge') fail(`${strconvQuote(n.bridge)} already exists but is not a bridge`);
  const up = setLinkUp(ctx.world, ns, br.ifindex, true);
  if (!up.ok) fail(errnoText(up.error));
  else ctx.world = up.world;
  return { ifindex: br.ifindex, mac: br.mac };
}

/** calcGatewayIP: network address + 1. */
const calcGatewayIP = (a: Ip4, len: number): Ip4 => ip4FromNumber(((a & maskOf(len)) >>> 0) + 1);

interface Gw {
  readonly ip: Ip4;
  readonly len: number;
}

/**
 * calcGateways: every IP gets interface 2; with isGateway a missing gateway
 * becomes network+1; with isDefaultGateway a default route via the gateway is
 * added unless one with a gateway is already there.
 */
function calcGateways(result: { ips: IpConfig100[]; routes: Route[] }, n: BridgeConf): Gw[] {
  const gws: Gw[] = [];
  let defaultRouteFound = false;
  result.ips = result.ips.map((ipc) => {
    const g = goParseIP(ipc.address.ip);
    if (!g || g.v !== 4) throw new Unsupported('bridge plugin with IPv6 addresses');
    let out: IpConfig100 = { ...ipc, interface: 2 };
    if (out.gateway === undefined && n.isGateway) out = { ...out, gateway: formatIp4(calcGatewayIP(g.a, ipc.address.prefixLen)) };
    if (n.isDefaultGateway && !defaultRouteFound) {
      defaultRouteFound = result.routes.some((r) => r.gw !== undefined && r.dst.ip === '0.0.0.0' && r.dst.prefixLen === 0);
      if (!defaultRouteFound) {
        result.routes = [...result.routes, { dst: { ip: '0.0.0.0', prefixLen: 0, family: 4 }, mask16: true, ...(out.gateway ? { gw: out.gateway } : {}) }];
        defaultRouteFound = true;
      }
    }
    if (n.isGateway) {
      const gw = out.gateway ? goParseIP(out.gateway) : undefined;
      // A nil gateway IP (isGateway without one) would make netlink fail; the twin refuses.
      if (!gw || gw.v !== 4) throw new Unsupported('bridge gateway that is not IPv4');
      gws.push({ ip: gw.a, len: ipc.address.prefixLen });
    }
    return out;
  });
  return gws;
}

/**
 * ensureAddr(br, V4, gw, forceAddress): keep an identical address; any other
 * v4 address is an error unless forceAddress deletes it; add the gateway
 * address, then re-set the bridge's MAC to the one it had when looked up
 * before the port was added (which pins it: the bridge stops following its ports).
 */
function ensureAddr(ctx: PluginCtx, brIndex: number, brName: string, origMac: Mac, gw: Gw, force: boolean): void {
  const ns = ctx.ns;
  const want = `${formatIp4(gw.ip)}/${gw.len}`;
  const br = ctx.world.ns[ns]!.links[brIndex]!;
  for (const a of br.addrs) {
    if (`${formatIp4(a.local)}/${a.prefixLen}` === want) return;
    if (force) {
      const r = addrDel(ctx.world, ns, brIndex, { local: a.local, prefixLen: a.prefixLen });
      if (!r.ok) throw new PluginError(`could not remove IP address from ${strconvQuote(brName)}: ${errnoText(r.error)}`);
      ctx.world = r.world;
    } else {
      throw new PluginError(`${strconvQuote(brName)} already has an IP address different from ${want}`);
    }
  }
  const r = addrAdd(ctx.world, ns, brIndex, {
    local: gw.ip,
    prefixLen: gw.len,
    ...(gw.len < 31 ? { broadcast: broadcastOf({ addr: gw.ip, len: gw.len }) } : {}),
    scope: 'global',
    label: brName,
    noprefixroute: false,
  });
  if (!r.ok && errnoText(r.error) !== 'file exists') throw new PluginError(`could not add IP address to ${strconvQuote(brName)}: ${errnoText(r.error)}`);
  if (r.ok) ctx.world = r.world;
  // vishvananda/netlink drops an all-zero IFLA_ADDRESS when it reads a link,
  // so a bridge looked up with MAC 00:00:00:00:00:00 (a bridge whose last port
  // went: br_stp_recalculate_bridge_id) is "set" to an empty address, which
  // the kernel refuses with EINVAL (shorter than addr_len).
  if (origMac === ZERO_MAC) throw new PluginError("could not set bridge's mac: invalid argument");
  const m = bridgeSetMac(ctx.world, ns, brIndex, origMac);
  if (!m.ok) throw new PluginError(`could not set bridge's mac: ${errnoText(m.error)}`);
  ctx.world = m.world;
}

/** Run iptables in the plugin's namespace as go-iptables does; returns the exit status. */
function iptables(ctx: PluginCtx, argv: readonly string[]): { status: number; text: string } {
  if (!ctx.exec) throw new Unsupported('iptables from a plugin run outside the twin shell');
  const r = ctx.exec(ctx.world, ctx.ns, ['iptables', ...argv]);
  ctx.world = r.world;
  return { status: r.status, text: r.out.map((c) => c.text).join('') };
}

function iptErr(argv: readonly string[], r: { status: number; text: string }): never {
  throw new PluginError(`running [/usr/sbin/iptables ${argv.join(' ')} --wait]: exit status ${r.status}: ${r.text}`);
}

/** go-iptables AppendUnique: -C, then -A when the rule is absent. */
function appendUnique(ctx: PluginCtx, table: string, chain: string, spec: readonly string[]): void {
  const c = iptables(ctx, ['-t', table, '-C', chain, ...spec]);
  if (c.status === 0) return;
  const a = ['-t', table, '-A', chain, ...spec];
  const r = iptables(ctx, a);
  if (r.status !== 0) iptErr(a, r);
}

/** ip.SetupIPMasq(ipn, chain, comment) for an IPv4 address. */
export function setupIPMasq(ctx: PluginCtx, ip: Ip4, len: number, chain: string, comment: string): void {
  const chains = iptables(ctx, ['-t', 'nat', '-S']);
  const exists = chains.text.split('\n').some((l) => l === `-N ${chain}`);
  if (!exists) {
    const a = ['-t', 'nat', '-N', chain];
    const r = iptables(ctx, a);
    if (r.status !== 0) iptErr(a, r);
  }
  const cidr = `${formatIp4(ip)}/${len}`;
  appendUnique(ctx, 'nat', chain, ['-d', cidr, '-j', 'ACCEPT', '-m', 'comment', '--comment', comment]);
  appendUnique(ctx, 'nat', chain, ['!', '-d', '224.0.0.0/4', '-j', 'MASQUERADE', '-m', 'comment', '--comment', comment]);
  appendUnique(ctx, 'nat', 'POSTROUTING', ['-s', formatIp4(ip), '-j', chain, '-m', 'comment', '--comment', comment]);
}

/**
 * go-iptables (*Error).IsNotExist: exit status 1 with "Bad rule (does a
 * matching rule exist in that chain?)." or "No chain/target/match by that
 * name." (a -D whose -j target chain is gone fails with status 2: an error).
 */
export const iptIsNotExist = (r: { status: number; text: string }): boolean =>
  r.status === 1 && (r.text.includes('Bad rule (does a matching rule exist in that chain?).\n') || r.text.includes('No chain/target/match by that name.\n'));

/**
 * ip.TeardownIPMasq: the POSTROUTING jump (by IP, then by CIDR), ClearChain,
 * DeleteChain; an iptables error other than "does not exist" fails the DEL
 * (e.g. the jump's target chain is already gone: exit status 2).
 */
export function teardownIPMasq(ctx: PluginCtx, ip: Ip4, len: number, chain: string, comment: string): void {
  const step = (argv: readonly string[]): void => {
    const r = iptables(ctx, argv);
    if (r.status !== 0 && !iptIsNotExist(r)) iptErr(argv, r);
  };
  step(['-t', 'nat', '-D', 'POSTROUTING', '-s', formatIp4(ip), '-j', chain, '-m', 'comment', '--comment', comment]);
  step(['-t', 'nat', '-D', 'POSTROUTING', '-s', `${formatIp4(ip)}/${len}`, '-j', chain, '-m', 'comment', '--comment', comment]);
  // go-iptables ClearChain: -N; exit status 1 (it exists) -> -F.
  const nArgs = ['-t', 'nat', '-N', chain];
  const n = iptables(ctx, nArgs);
  if (n.status === 1) step(['-t', 'nat', '-F', chain]);
  else if (n.status !== 0 && !iptIsNotExist(n)) iptErr(nArgs, n);
  step(['-t', 'nat', '-X', chain]);
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  const n = loadBridgeConf(args.stdinData, args.args);
  const isLayer3 = n.base.ipam.type !== '';
  if (n.isDefaultGateway) n.isGateway = true;
  if (n.hairpinMode && n.promiscMode) throw new PluginError('cannot set hairpin mode and promiscuous mode at the same time.');
  if (n.macspoofchk) throw new Unsupported('bridge plugin "macspoofchk" (nftables)');
  const br = setupBridge(ctx, n);
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) throw new PluginError(`failed to open netns ${strconvQuote(args.netns)}: ${where.msg}`);
  const cont = where.ns;
  if (cont === ctx.ns) throw new Unsupported('bridge plugin with CNI_NETNS = its own namespace');
  const pair = setupVeth(ctx, ctx.ns, cont, args.ifName, n.mtu, n.mac);
  const m = setMaster(ctx.world, ctx.ns, pair.hostIndex, br.ifindex);
  if (!m.ok) throw new PluginError(`failed to connect ${strconvQuote(pair.hostName)} to bridge ${n.bridge}: ${errnoText(m.error)}`);
  ctx.world = m.world;
  setHairpin(ctx, pair.hostName, n.hairpinMode);

  const interfaces: Interface[] = [
    { name: n.bridge, mac: br.mac },
    { name: pair.hostName, mac: pair.hostMac },
    { name: pair.contName, mac: pair.contMac, sandbox: args.netns },
  ];
  let ips: IpConfig100[] = [];
  let routes: Route[] = [];
  if (isLayer3) {
    const ipam = delegateAdd(ctx, n.base.ipam.type, args.stdinData);
    try {
      ips = [...(ipam.ips ?? [])];
      routes = [...(ipam.routes ?? [])];
      if (ips.length === 0) throw new PluginError('IPAM plugin returned missing IP config');
      const res = { ips, routes };
      const gws = calcGateways(res, n);
      ips = res.ips;
      routes = res.routes;
      // In the container: accept_dad (IPv6, not modelled), arp_notify, then ConfigureIface.
      trySysctl(ctx, cont, `net.ipv4.conf.${args.ifName}.arp_notify`, '1');
      configureIface(ctx, cont, args.ifName, { kind: '100', cniVersion: '1.0.0', interfaces, ips, routes, dns: {} });
      // The host end must be oper UP (retries over 2.55 s).
      if (!operUp(ctx, ctx.ns, pair.hostIndex)) throw new Unsupported('bridge port that never comes up (bridge port in error state)');
      if (n.isGateway) {
        for (const gw of gws) {
          try {
            ensureAddr(ctx, br.ifindex, n.bridge, br.mac, gw, n.forceAddress);
          } catch (e) {
            if (e instanceof PluginError) throw new PluginError(`failed to set bridge addr: ${e.message}`);
            throw e;
          }
        }
        if (gws.length > 0) trySysctl(ctx, ctx.ns, 'net.ipv4.ip_forward', '1');
      }
      if (n.ipMasq) {
        const chain = formatChainName(n.base.name, args.containerID);
        const comment = formatComment(n.base.name, args.containerID);
        for (const ipc of ips) {
          const g = goParseIP(ipc.address.ip);
          if (g && g.v === 4) setupIPMasq(ctx, g.a, ipc.address.prefixLen, chain, comment);
        }
      }
    } catch (e) {
      // defer ipam.ExecDel on failure (its own error is ignored).
      if (e instanceof PluginError || e instanceof CniError) {
        try {
          delegateDel(ctx, n.base.ipam.type, args.stdinData);
        } catch {
          /* ignored, as the real plugin does */
        }
      }
      throw e;
    }
  } else {
    const link = linkByName(ctx.world.ns[cont]!, args.ifName);
    if (!link) throw new PluginError('failed to retrieve link: Link not found');
    const up = setLinkUp(ctx.world, cont, link.ifindex, true);
    if (!up.ok) throw new PluginError(`failed to set ${strconvQuote(args.ifName)} up: ${errnoText(up.error)}`);
    ctx.world = up.world;
  }
  // bridgeByName again: the bridge's MAC may have followed its ports.
  const brNow = ctx.world.ns[ctx.ns]!.links[br.ifindex] as BridgeLink;
  interfaces[0] = { name: n.bridge, mac: brNow.mac };
  const dns: Dns = {
    ...(n.base.dns.nameservers ? { nameservers: n.base.dns.nameservers } : {}),
    ...(n.base.dns.domain ? { domain: n.base.dns.domain } : {}),
    ...(n.base.dns.search ? { search: n.base.dns.search } : {}),
    ...(n.base.dns.options ? { options: n.base.dns.options } : {}),
  };
  const result: Result100 = {
    kind: '100',
    cniVersion: '1.0.0',
    interfaces,
    ...(ips.length ? { ips } : {}),
    ...(routes.length ? { routes } : {}),
    dns,
  };
  ctx.stdout += printResultAs(result, n.base.cniVersion);
}

/** netlink.LinkSetHairpin: always called, with the configured value. */
function setHairpin(ctx: PluginCtx, hostName: string, on: boolean): void {
  if (!on) return; // a new port starts with hairpin off: nothing observable changes
  if (!ctx.exec) throw new Unsupported('hairpinMode outside the twin shell');
  // TODO(bridge ops): no exported op sets brport flags yet; use the twin's `bridge link set`.
  const r = ctx.exec(ctx.world, ctx.ns, ['bridge', 'link', 'set', 'dev', hostName, 'hairpin', 'on']);
  if (r.status !== 0) throw new PluginError(`failed to setup hairpin mode for ${hostName}: ${r.out.map((c) => c.text).join('').trim()}`);
  ctx.world = r.world;
}

function cmdDel(args: CmdArgs, ctx: PluginCtx): void {
  const n = loadBridgeConf(args.stdinData, args.args);
  const isLayer3 = n.base.ipam.type !== '';
  const ipamDel = (): void => {
    if (isLayer3) delegateDel(ctx, n.base.ipam.type, args.stdinData);
  };
  if (args.netns === '') return ipamDel();
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) {
    if (where.notExist) return ipamDel();
    throw new PluginError(where.msg);
  }
  const ipnets = delLinkByNameAddr(ctx, where.ns, args.ifName) ?? [];
  ipamDel();
  if (isLayer3 && n.ipMasq) {
    const chain = formatChainName(n.base.name, args.containerID);
    const comment = formatComment(n.base.name, args.containerID);
    for (const a of ipnets) teardownIPMasq(ctx, a.ip, a.len, chain, comment);
  }
}

/** A link found by validateInterface: what cmdCheck remembers of it (cniBridgeIf). */
interface BrIf {
  found: boolean;
  ifIndex: number;
  peerIndex: number;
  masterIndex: number;
}

const NOT_FOUND = (): BrIf => ({ found: false, ifIndex: 0, peerIndex: 0, masterIndex: 0 });

/** validateInterface: the name is given, the link exists in `ns`, and its sandbox field is as expected. */
function validateInterface(ctx: PluginCtx, ns: NsName, intf: Interface | undefined, expectInSb: boolean): Link {
  const name = intf?.name ?? '';
  if (name === '') throw new PluginError('Interface name missing ');
  const link = linkByName(ctx.world.ns[ns]!, name);
  if (!link) throw new PluginError(`Interface name ${name} not found`);
  if (expectInSb) {
    if (!intf?.sandbox) throw new PluginError(`Interface ${name} is expected to be in a sandbox`);
  } else if (intf?.sandbox) throw new PluginError(`Interface ${name} should not be in sandbox`);
  return link;
}

/** The ifindex of a veth's peer (ethtool's peer_ifindex), in its own namespace. */
const peerIndex = (l: Link): number => (l.kind === 'veth' ? l.peer.ifindex : 0);

/**
 * cmdCheck: IPAM CHECK, then the prevResult's bridge (in the plugin's
 * namespace: a bridge, same MAC, same promiscuity), container interface (a
 * veth in CNI_NETNS, same MAC), the host veth peered with it and enslaved to
 * the bridge, then the addresses and routes inside the container.
 */
function cmdCheck(args: CmdArgs, ctx: PluginCtx): void {
  const n = loadBridgeConf(args.stdinData, args.args);
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) throw new PluginError(`failed to open netns ${strconvQuote(args.netns)}: ${where.msg}`);
  const cont = where.ns;
  delegateCheck(ctx, n.base.ipam.type, args.stdinData);
  if (n.base.prevResult === undefined) throw new PluginError('Required prevResult missing');
  const prev = parsePrevResult(n.base.cniVersion, n.base.prevResult);
  if (typeof prev === 'string') throw new PluginError(prev);
  const result = convertResult(prev, '1.0.0');
  if (typeof result === 'string') throw new PluginError(result);
  if (result.kind !== '100') throw new PluginError('failed to convert result');
  const intfs = result.interfaces ?? [];
  let brMap: Interface | undefined;
  let contMap: Interface | undefined;
  for (const intf of intfs) {
    if (n.bridge === intf.name) brMap = intf;
    else if (args.ifName === intf.name && args.netns === (intf.sandbox ?? '')) contMap = intf;
  }
  // validateCniBrInterface, in the plugin's own namespace.
  const brLink = validateInterface(ctx, ctx.ns, brMap, false);
  if (brLink.kind !== 'bridge') throw new PluginError(`Interface ${brMap!.name} does not have link type of bridge`);
  if (brMap!.mac && brMap!.mac !== brLink.mac) throw new PluginError(`Bridge interface ${brMap!.name} Mac doesn't match: ${brMap!.mac}`);
  if (brLink.promisc !== n.promiscMode) {
    throw new PluginError(`Bridge interface ${brMap!.name} configured Promisc Mode ${n.promiscMode} doesn't match current state: ${brLink.promisc} `);
  }
  const brCNI: BrIf = { found: true, ifIndex: brLink.ifindex, peerIndex: 0, masterIndex: brLink.master ?? 0 };
  if (args.netns !== (contMap?.sandbox ?? '')) {
    throw new PluginError(`Sandbox in prevResult ${contMap?.sandbox ?? ''} doesn't match configured netns: ${args.netns}`);
  }
  // validateCniContainerInterface, inside the container.
  const cLink = validateInterface(ctx, cont, contMap, true);
  if (cLink.kind !== 'veth') throw new PluginError(`Error: Container interface ${cLink.name} not of type veth`);
  if (contMap!.mac && contMap!.mac !== cLink.mac) {
    throw new PluginError(`Interface ${contMap!.name} Mac ${contMap!.mac} doesn't match container Mac: ${cLink.mac}`);
  }
  const contCNI: BrIf = { found: true, ifIndex: cLink.ifindex, peerIndex: peerIndex(cLink), masterIndex: 0 };
  let vethCNI = NOT_FOUND();
  for (const intf of intfs) {
    if ((brMap?.name ?? '') === intf.name || (contMap?.name ?? '') === intf.name) continue;
    // validateCniVethInterface
    const link = validateInterface(ctx, ctx.ns, intf, false);
    vethCNI = NOT_FOUND();
    if (link.kind !== 'veth') continue;
    vethCNI = { found: false, ifIndex: link.ifindex, peerIndex: peerIndex(link), masterIndex: link.master ?? 0 };
    if (vethCNI.ifIndex !== contCNI.peerIndex || contCNI.ifIndex !== vethCNI.peerIndex || vethCNI.masterIndex !== brCNI.ifIndex) continue;
    if (intf.mac && intf.mac !== link.mac) throw new PluginError(`Interface ${intf.name} Mac doesn't match: ${intf.mac} not found`);
    vethCNI.found = true;
    break;
  }
  if (!brCNI.found) throw new PluginError(`CNI created bridge ${n.bridge} in host namespace was not found`);
  if (!contCNI.found) throw new PluginError(`CNI created interface in container ${args.ifName} not found`);
  if (!vethCNI.found) throw new PluginError(`CNI veth created for bridge ${n.bridge} was not found`);
  validateExpectedInterfaceIPs(ctx, cont, args.ifName, result.ips ?? []);
  validateExpectedRoute(ctx, cont, result.routes ?? []);
}

export const bridge: PluginDef = { name: 'bridge', add: cmdAdd, del: cmdDel, check: cmdCheck };

export type { NsName };
