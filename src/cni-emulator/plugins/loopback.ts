/**
 * The loopback plugin (plugins/main/loopback, 1.1.1): sets `lo` up in the
 * target namespace (CNI_IFNAME is ignored), reports its addresses, and sets it
 * down on DEL. Its result is a 1.0.0 struct labelled with the config's
 * version and printed unconverted when the label matches (so a 0.3.1 result
 * has no ips[].version, as the real binary prints); with a prevResult it
 * passes that through.
 */
import { formatIp4, isLoopback } from '../../model/addr.js';
import { setLinkUp } from '../../sim/ops/link-state.js';
import { decodeNetConf } from '../netconf.js';
import { resolveNetns } from '../nspath.js';
import { parsePrevResult } from '../result-parse.js';
import { strconvQuote, type CmdArgs, type PluginCtx, type PluginDef } from '../skel.js';
import { convertResult, PluginError, printResultAs, type IpConfig100, type Result } from '../types.js';

function parseNetConf(stdin: string): { cniVersion: string; prev?: Result } {
  const nc = decodeNetConf(stdin);
  if (!nc.ok) throw new PluginError(`failed to parse network config: ${nc.error}`);
  if (nc.value.prevResult === undefined) return { cniVersion: nc.value.cniVersion };
  const prev = parsePrevResult(nc.value.cniVersion, nc.value.prevResult);
  if (typeof prev === 'string') throw new PluginError(`failed to parse prevResult: ${prev}`);
  const cur = convertResult(prev, '1.0.0');
  if (typeof cur === 'string') throw new PluginError(`failed to convert result to current version: ${cur}`);
  return { cniVersion: nc.value.cniVersion, prev };
}

function loIndex(ctx: PluginCtx, ns: string): number {
  const lo = Object.values(ctx.world.ns[ns]!.links).find((l) => l.name === 'lo');
  if (!lo) throw new PluginError('Link not found');
  return lo.ifindex;
}

function cmdAdd(args: CmdArgs, ctx: PluginCtx): void {
  const conf = parseNetConf(args.stdinData);
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) throw new PluginError(where.msg);
  const idx = loIndex(ctx, where.ns);
  // netlink.LinkSetUp(lo): the kernel gives lo 127.0.0.1/8 the first time.
  const r = setLinkUp(ctx.world, where.ns, idx, true);
  if (!r.ok) throw new PluginError(r.error);
  ctx.world = r.world;
  const lo = ctx.world.ns[where.ns]!.links[idx]!;
  const v4 = lo.addrs;
  for (const a of v4) {
    if (!isLoopback(a.local)) throw new PluginError(`loopback interface found with non-loopback address ${strconvQuote(formatIp4(a.local))}`);
  }
  let result: Result;
  if (conf.prev) result = conf.prev;
  else {
    const ips: IpConfig100[] = [];
    if (v4.length > 0) ips.push({ interface: 0, address: { ip: formatIp4(v4[0]!.local), prefixLen: v4[0]!.prefixLen, family: 4 } });
    // The kernel's ::1/128 on lo (the twin does not model IPv6 but lo always has it).
    ips.push({ interface: 0, address: { ip: '::1', prefixLen: 128, family: 6 } });
    result = {
      kind: '100',
      cniVersion: conf.cniVersion,
      interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: args.netns }],
      ips,
      dns: {},
    };
  }
  ctx.stdout += printResultAs(result, conf.cniVersion);
}

function cmdDel(args: CmdArgs, ctx: PluginCtx): void {
  if (args.netns === '') return;
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) {
    if (where.notExist) return;
    throw new PluginError(where.msg);
  }
  const r = setLinkUp(ctx.world, where.ns, loIndex(ctx, where.ns), false);
  if (!r.ok) throw new PluginError(r.error);
  ctx.world = r.world;
}

function cmdCheck(args: CmdArgs, ctx: PluginCtx): void {
  const where = resolveNetns(ctx.world, ctx.ns, args.netns);
  if (!where.ok) throw new PluginError(where.msg);
  const lo = ctx.world.ns[where.ns]!.links[loIndex(ctx, where.ns)]!;
  if (!lo.adminUp) throw new PluginError('loopback interface is down');
}

export const loopback: PluginDef = { name: 'loopback', add: cmdAdd, del: cmdDel, check: cmdCheck };
