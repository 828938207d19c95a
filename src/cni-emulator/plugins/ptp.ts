/**
 * The ptp plugin (plugins/main/ptp, 1.1.1): a veth pair per container, no
 * bridge, routed through the host.
 *
 *  ADD: IPAM ADD (delegated) -> net.ipv4.ip_forward=1 in the plugin's
 *  namespace -> open the netns -> veth pair from inside the container (host
 *  end "vethXXXXXXXX" up) -> every IP on interface 1 -> ConfigureIface ->
 *  for each IP, the connected route is replaced by `<gw> dev eth0 scope link
 *  src <ip>` and `<subnet> via <gw> dev eth0 src <ip>` -> on the host end the
 *  gateway as a /32 and `<ip> dev vethX scope host` -> masquerade chain ->
 *  result [host veth, container]. A failure from the netns lookup on runs
 *  IPAM DEL (the veth pair, if made, stays).
 *
 *  DEL: IPAM DEL first, then (netns given and present) the container
 *  interface is deleted (its peer and host routes go with it) and the
 *  masquerade rules of its addresses are torn down.
 */
import { maskOf, type Ip4 } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import { addrAdd } from '../../sim/ops/addr.js';
import { ADD, routeDel, routeInsert } from '../../sim/ops/route.js';
import { Unsupported } from '../../shell/types.js';
import { goUnmarshal, type GoStruct, type GoType } from '../gojson.js';
import { goParseIP } from '../goip.js';
import { delegateAdd, delegateCheck, delegateDel } from '../invoke.js';
import { NETCONF_FIELDS, type NetConf as BaseNetConf } from '../netconf.js';
import { resolveNetns } from '../nspath.js';
import { parsePrevResult } from '../result-parse.js';
import { strconvQuote, type CmdArgs, type PluginCtx, type PluginDef } from '../skel.js';
import { CniError, convertResult, PluginError, printResultAs, type Interface, type IpConfig100, type Result100 } from '../types.js';
import { formatChainName, formatComment, setupIPMasq, teardownIPMasq } from './bridge.js';
import { configureIface, delLinkByNameAddr, errnoText, setupVeth, trySysctl, validateExpectedInterfaceIPs, validateExpectedRoute } from './veth.js';

const PTP_NETCONF: GoStruct = {
  k: 'struct',
  name: 'NetConf',
  pkg: 'main',
  fields: [
    { key: 'base', json: 'NetConf', type: { k: 'struct', name: 'NetConf', pkg: 'types', fields: NETCONF_FIELDS }, embedded: true },
    { key: 'ipMasq', json: 'ipMasq', type: { k: 'bool' } as GoType },
    { key: 'mtu', json: 'mtu', type: { k: 'int' } as GoType },
  ],
};

interface PtpConf {
  base: BaseNetConf;
  ipMasq: boolean;
  mtu: number;
}

function loadConf(stdin: string): PtpConf {
  const r = goUnmarshal<PtpConf>(stdin, PTP_NETCONF);
  if (!r.ok) throw new PluginError(`failed to load netconf: ${r.error}`);
  return r.value;
}

const v4of = (s: string | undefined): Ip4 | undefined => {
  if (s === undefined) return undefined;
  const g = goParseIP(s);
  if (!g) return undefined;
  if (g.v !== 4) throw new Unsupported('ptp plugin with IPv6 addresses');
  return g.a;
};

/**
 * The container side of setupContainerVeth after the pair exists:
 * ConfigureIface, then for each address the connected route is replaced by
 * a link route to the gateway and a route to the subnet via the gateway.
 */
function configureAndRoute(ctx: PluginCtx, cont: string, ifName: string, ifindex: number, full: Result100): void {
  configureIface(ctx, cont, ifName, full);
  for (const ipc of full.ips ?? []) {
    const ip = v4of(ipc.address.ip)!;
    const len = ipc.address.prefixLen;
    const net = ((ip & maskOf(len)) >>> 0) as Ip4;
    const gw = v4of(ipc.gateway);
    // netlink.RouteDel{dst, dev, scope nowhere}: the kernel's connected route.
    const d = routeDel(ctx.world, cont, { table: 254, dst: { addr: net, len }, tos: 0, dev: ifindex, scope: 255 });
    if (!d.ok) throw new Unsupported(`ptp route deletion error text (${d.error})`);
    ctx.world = d.world;
    if (gw === undefined) throw new Unsupported('ptp plugin with an IPAM result without a gateway');
    const routes = [
      { dst: { addr: gw, len: 32 }, scope: 'link' as const, gateway: undefined },
      { dst: { addr: net, len }, scope: 'global' as const, gateway: gw },
    ];
    for (const r of routes) {
      const a = routeInsert(
        ctx.world,
        cont,
        {
          table: 254,
          type: 'unicast',
          dst: r.dst,
          tos: 0,
          ...(r.gateway !== undefined ? { gateway: r.gateway } : {}),
          dev: ifindex,
          scope: r.scope,
          proto: 'boot',
          prefsrc: ip,
          metric: 0,
          onlink: false,
        },
        ADD,
      );
      if (!a.ok) throw new Unsupported(`ptp route error text (${a.error})`);
      ctx.world = a.world;
    }
  }
}

/** setupHostVeth: the gateway /32 on the host end, a host route to each container address. */
function setupHostVeth(ctx: PluginCtx, hostName: string, ips: readonly IpConfig100[]): void {
  const veth = linkByName(ctx.world.ns[ctx.ns]!, hostName);
  if (!veth) throw new PluginError(`failed to lookup ${strconvQuote(hostName)}: Link not found`);
  for (const ipc of ips) {
    const gw = v4of(ipc.gateway)!;
    const r = addrAdd(ctx.world, ctx.ns, veth.ifindex, { local: gw, prefixLen: 32, scope: 'global', label: hostName, noprefixroute: false });
    if (!r.ok) throw new Unsupported(`ptp host veth address error text (${r.error})`);
    ctx.world = r.world;
    const ip = v4of(ipc.address.ip)!;
    // ip.AddHostRoute: `<ip>/32 dev vethX scope host`; EEXIST is ignored.
    const h = routeInsert(
      ctx.world,
      ctx.ns,
      { table: 254, type: 'unicast', dst: { addr: ip, len: 32 }, tos: 0, dev: veth.ifindex, scope: 'host', proto: 'boot', metric: 0, onlink: false },
      ADD,
    );
    if (h.ok) ctx.world = h.world;
    else if (errnoText(h.error) !== 'file exists') throw new PluginError(`failed to add route on host: ${errnoText(h.error)}`);
  }
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadConf(args.stdinData);
  const ipam = delegateAdd(ctx, conf.base.ipam.type, args.stdinData);
  // The deferred IPAM DEL sees only errors assigned to cmdAdd's outer `err`.
  let releaseOnError = false;
  try {
    let ips = [...(ipam.ips ?? [])];
    if (ips.length === 0) throw new PluginError('IPAM plugin returned missing IP config');
    // ip.EnableForward: /proc/sys/net/ipv4/ip_forward = 1 for v4 addresses.
    if (ips.some((c) => goParseIP(c.address.ip)?.v === 4)) trySysctl(ctx, ctx.ns, 'net.ipv4.ip_forward', '1');
    releaseOnError = true;
    const where = resolveNetns(ctx.world, ctx.ns, args.netns);
    if (!where.ok) throw new PluginError(`failed to open netns ${strconvQuote(args.netns)}: ${where.msg}`);
    if (where.ns === ctx.ns) throw new Unsupported('ptp plugin with CNI_NETNS = its own namespace');
    const res = { ips };
    const pair = setupVeth(ctx, ctx.ns, where.ns, args.ifName, conf.mtu, '');
    const host: Interface = { name: pair.hostName, mac: pair.hostMac };
    const container: Interface = { name: pair.contName, mac: pair.contMac, sandbox: args.netns };
    res.ips = res.ips.map((ipc) => ({ ...ipc, interface: 1 }));
    ips = res.ips;
    const interfaces = [host, container];
    const routes = [...(ipam.routes ?? [])];
    configureAndRoute(ctx, where.ns, args.ifName, pair.contIndex, { kind: '100', cniVersion: '1.0.0', interfaces, ips, routes, dns: {} });
    setupHostVeth(ctx, pair.hostName, ips);
    if (conf.ipMasq) {
      const chain = formatChainName(conf.base.name, args.containerID);
      const comment = formatComment(conf.base.name, args.containerID);
      for (const ipc of ips) {
        const a = v4of(ipc.address.ip)!;
        setupIPMasq(ctx, a, ipc.address.prefixLen, chain, comment);
      }
    }
    const d = conf.base.dns;
    const dnsSet = d.nameservers !== undefined || d.search !== undefined || d.options !== undefined || (d.domain ?? '') !== '';
    const result: Result100 = {
      kind: '100',
      cniVersion: '1.0.0',
      interfaces,
      ips,
      ...(routes.length ? { routes } : {}),
      dns: dnsSet
        ? {
            ...(d.nameservers ? { nameservers: d.nameservers } : {}),
            ...(d.domain ? { domain: d.domain } : {}),
            ...(d.search ? { search: d.search } : {}),
            ...(d.options ? { options: d.options } : {}),
          }
        : ipam.dns,
    };
    ctx.stdout += printResultAs(result, conf.base.cniVersion);
  } catch (e) {
    if (releaseOnError && (e instanceof PluginError || e instanceof CniError)) {
      try {
        delegateDel(ctx, conf.base.ipam.type, args.stdinData);
      } catch {
        /* ignored, as the real plugin does */
      }
    }
    throw e;
  }
}

function cmdDel(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadConf(args.stdinData);
  delegateDel(ctx, conf.base.ipam.type, args.stdinData);
  if (args.netns === '') return;
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) {
    if (where.notExist) return;
    throw new PluginError(where.msg);
  }
  const ipnets = delLinkByNameAddr(ctx, where.ns, args.ifName) ?? [];
  if (ipnets.length !== 0 && conf.ipMasq) {
    const chain = formatChainName(conf.base.name, args.containerID);
    const comment = formatComment(conf.base.name, args.containerID);
    for (const a of ipnets) teardownIPMasq(ctx, a.ip, a.len, chain, comment);
  }
}

function cmdCheck(args: CmdArgs, ctx: PluginCtx): void {
  const conf = loadConf(args.stdinData);
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) throw new PluginError(`failed to open netns ${strconvQuote(args.netns)}: ${where.msg}`);
  delegateCheck(ctx, conf.base.ipam.type, args.stdinData);
  if (conf.base.prevResult === undefined) throw new PluginError('ptp: Required prevResult missing');
  const prev = parsePrevResult(conf.base.cniVersion, conf.base.prevResult);
  if (typeof prev === 'string') throw new PluginError(prev);
  const result = convertResult(prev, '1.0.0');
  if (typeof result === 'string') throw new PluginError(result);
  if (result.kind !== '100') throw new PluginError('failed to convert result');
  let contMap: Interface | undefined;
  for (const intf of result.interfaces ?? []) {
    if (args.ifName === intf.name && args.netns === (intf.sandbox ?? '')) contMap = intf;
  }
  if (args.netns !== (contMap?.sandbox ?? '')) {
    throw new PluginError(`Sandbox in prevResult ${contMap?.sandbox ?? ''} doesn't match configured netns: ${args.netns}`);
  }
  // validateCniContainerInterface
  const name = contMap?.name ?? '';
  if (name === '') throw new PluginError('Container interface name missing in prevResult: ');
  const link = linkByName(ctx.world.ns[where.ns]!, name);
  if (!link) throw new PluginError(`ptp: Container Interface name in prevResult: ${name} not found`);
  if (!contMap!.sandbox) throw new PluginError(`ptp: Error: Container interface ${link.name} should not be in host namespace`);
  if (link.kind !== 'veth') throw new PluginError(`Error: Container interface ${link.name} not of type veth/p2p`);
  if (contMap!.mac && contMap!.mac !== link.mac) throw new PluginError(`ptp: Interface ${name} Mac ${contMap!.mac} doesn't match container Mac: ${link.mac}`);
  validateExpectedInterfaceIPs(ctx, where.ns, args.ifName, result.ips ?? []);
  validateExpectedRoute(ctx, where.ns, result.routes ?? []);
}

export const ptp: PluginDef = { name: 'ptp', add: cmdAdd, del: cmdDel, check: cmdCheck };
