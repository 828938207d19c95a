/**
 * `ip link add NAME type vxlan id VNI [local A] [remote A] [dev D] [dstport P]
 * [srcport MIN MAX] [[no]learning] [ttl N|auto|inherit] [tos N] [ageing S]
 * [[no]udpcsum]` and its `-d` details (iproute2 ip/iplink_vxlan.c).
 *
 * Without `dstport` iproute2 warns and lets the kernel use its default 8472
 * (IANA's is 4789). `group` (multicast underlay) and the other options are not
 * modelled.
 */
import { formatIp4, isMulticast, parseIp4Loose } from '../../../model/addr.js';
import { linkByName } from '../../../model/queries.js';
import type { VxlanLink } from '../../../model/world.js';
import { vxlanCreate, VXLAN_AGEING_S, VXLAN_LINUX_PORT, type VxlanSpec } from '../../../sim/ops/vxlan.js';
import { Unsupported } from '../../types.js';
import type { KindParseError, LinkKind } from './index.js';

/** The spec plus whether iproute2 warned about the missing port. */
export interface VxlanParsed extends VxlanSpec {
  readonly noPortGiven: boolean;
}

export const VXLAN_PORT_WARNING =
  'vxlan: destination port not specified\n' +
  'Will use Linux kernel default (non-standard value)\n' +
  "Use 'dstport 4789' to get the IANA assigned value\n" +
  "Use 'dstport 0' to get default and quiet this message\n";

const incomplete: KindParseError = { error: 'Command line is not complete. Try option "help"\n', status: 255 };
const invalid = (arg: string, what: string): KindParseError => ({ error: `Error: argument "${arg}" is wrong: invalid ${what}\n`, status: 255 });

function getU32(v: string): number | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = v.startsWith('0x') || v.startsWith('0X') ? parseInt(v.slice(2), 16) : v.length > 1 && v.startsWith('0') ? parseInt(v, 8) : Number(v);
  return n <= 0xffffffff ? n : undefined;
}

const UNMODELLED = [
  'group',
  'external',
  'noexternal',
  'vnifilter',
  'proxy',
  'noproxy',
  'rsc',
  'norsc',
  'l2miss',
  'nol2miss',
  'l3miss',
  'nol3miss',
  'udp6zerocsumtx',
  'noudp6zerocsumtx',
  'udp6zerocsumrx',
  'noudp6zerocsumrx',
  'remcsumtx',
  'noremcsumtx',
  'remcsumrx',
  'noremcsumrx',
  'gbp',
  'gpe',
  'df',
  'flowlabel',
  'maxaddress',
  'localbypass',
  'nolocalbypass',
  'label',
];

export const vxlanKind: LinkKind<VxlanParsed> = {
  kind: 'vxlan',
  parseAdd(args, ctx) {
    let vni: number | undefined;
    let local: number | undefined;
    let remote: number | undefined;
    let dev: number | undefined;
    let dstport: number | undefined;
    let srcportMin = 0;
    let srcportMax = 0;
    let learning = true;
    let ttl = 0;
    let ttlInherit = false;
    let tos = 0;
    let ageingS = VXLAN_AGEING_S;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const v = args[i + 1];
      const take = (): string | undefined => {
        i++;
        return v;
      };
      if (a === 'id' || a === 'vni') {
        const t = take();
        if (t === undefined) return incomplete;
        const n = getU32(t);
        if (n === undefined || n >= 1 << 24) return invalid(t, 'id');
        vni = n;
      } else if (a === 'remote' || a === 'local') {
        const t = take();
        if (t === undefined) return incomplete;
        const ip = parseIp4Loose(t);
        if (ip === undefined) throw new Unsupported(`vxlan ${a} ${t} (only IPv4 is modelled)`);
        if (a === 'remote') {
          if (isMulticast(ip)) throw new Unsupported('vxlan remote with a multicast address (use group: not modelled)');
          remote = ip;
        } else local = ip;
      } else if (a === 'dev') {
        const t = take();
        if (t === undefined) return incomplete;
        const l = linkByName(ctx.world.ns[ctx.ns]!, t);
        if (!l) return { error: `Cannot find device "${t}"\n`, status: 255 };
        dev = l.ifindex;
      } else if (a === 'dstport' || a === 'port') {
        if (a === 'port') throw new Unsupported('vxlan port MIN MAX (old syntax)');
        const t = take();
        if (t === undefined) return incomplete;
        const n = getU32(t);
        if (n === undefined || n > 65535) return invalid(t, 'dstport');
        dstport = n === 0 ? VXLAN_LINUX_PORT : n;
      } else if (a === 'srcport') {
        const lo = args[i + 1];
        const hi = args[i + 2];
        if (lo === undefined || hi === undefined) return incomplete;
        const l = getU32(lo);
        const h = getU32(hi);
        if (l === undefined || l > 65535) return invalid(lo, 'min port');
        if (h === undefined || h > 65535) return invalid(hi, 'max port');
        srcportMin = l;
        srcportMax = h;
        i += 2;
      } else if (a === 'learning') learning = true;
      else if (a === 'nolearning') learning = false;
      else if (a === 'ttl' || a === 'hoplimit') {
        const t = take();
        if (t === undefined) return incomplete;
        if (t === 'inherit') {
          ttlInherit = true;
        } else if (t === 'auto') {
          ttl = 0;
        } else {
          const n = getU32(t);
          if (n === undefined || n > 255) return invalid(t, 'TTL');
          ttl = n;
        }
      } else if (a === 'tos' || a === 'dsfield') {
        const t = take();
        if (t === undefined) return incomplete;
        if (t === 'inherit') throw new Unsupported('vxlan tos inherit');
        const n = /^[0-9a-fA-F]{1,2}$/.test(t) ? parseInt(t, 16) : undefined;
        if (n === undefined) return invalid(t, 'TOS');
        tos = n;
      } else if (a === 'ageing') {
        const t = take();
        if (t === undefined) return incomplete;
        if (t === 'none') ageingS = 0;
        else {
          const n = getU32(t);
          if (n === undefined) return invalid(t, 'ageing');
          ageingS = n;
        }
      } else if (a === 'udpcsum') {
        // default for IPv4
      } else if (a === 'noudpcsum') {
        throw new Unsupported('vxlan noudpcsum');
      } else if (UNMODELLED.includes(a)) {
        throw new Unsupported(`ip link add type vxlan ... ${a}`);
      } else if (a === 'help') {
        throw new Unsupported('ip link add type vxlan help (usage text)');
      } else {
        throw new Unsupported(`ip link add type vxlan ... ${a}`);
      }
    }
    if (vni === undefined) return { error: 'vxlan: missing virtual network identifier\n', status: 1 };
    return {
      vni,
      ...(local !== undefined ? { local: local as never } : {}),
      ...(remote !== undefined ? { remote: remote as never } : {}),
      ...(dev !== undefined ? { dev } : {}),
      dstport: dstport ?? VXLAN_LINUX_PORT,
      srcportMin,
      srcportMax,
      learning,
      ttl,
      ttlInherit,
      tos,
      ageingS,
      noPortGiven: dstport === undefined,
    };
  },
  parseWarning: (s) => (s.noPortGiven ? VXLAN_PORT_WARNING : undefined),
  create(world, c, s) {
    const name = c.name ?? freeName(world, c.ns);
    if (s.dev !== undefined && c.ns !== c.callerNs) throw new Unsupported('vxlan dev together with netns');
    return vxlanCreate(
      world,
      { ns: c.ns, name, ...(c.mac ? { mac: c.mac } : {}), ...(c.mtu !== undefined ? { mtu: c.mtu } : {}), ...(c.txqlen !== undefined ? { txqlen: c.txqlen } : {}) },
      s,
    );
  },
  detailsText(world, ns, link) {
    const vx = link as VxlanLink;
    let s = `vxlan id ${vx.vni} `;
    if (vx.remote !== undefined) s += `remote ${formatIp4(vx.remote)} `;
    if (vx.local !== undefined) s += `local ${formatIp4(vx.local)} `;
    if (vx.dev !== undefined) s += `dev ${world.ns[ns]?.links[vx.dev]?.name ?? `if${vx.dev}`} `;
    s += `srcport ${vx.srcportMin} ${vx.srcportMax} dstport ${vx.dstport} `;
    if (!vx.learning) s += 'nolearning ';
    if (vx.tos) s += `tos 0x${vx.tos.toString(16)} `;
    if (vx.ttlInherit) s += 'ttl inherit ';
    else s += vx.ttl ? `ttl ${vx.ttl} ` : 'ttl auto ';
    const age = vx.ageingS ?? VXLAN_AGEING_S;
    s += age === 0 ? 'ageing none ' : `ageing ${age} `;
    s += 'udpcsum noudp6zerocsumtx noudp6zerocsumrx';
    return s;
  },
  detailsJson(world, ns, link) {
    const vx = link as VxlanLink;
    const d: Record<string, unknown> = { id: vx.vni };
    if (vx.remote !== undefined) d['remote'] = formatIp4(vx.remote);
    if (vx.local !== undefined) d['local'] = formatIp4(vx.local);
    if (vx.dev !== undefined) d['link'] = world.ns[ns]?.links[vx.dev]?.name ?? `if${vx.dev}`;
    d['port_range'] = { low: vx.srcportMin, high: vx.srcportMax };
    d['port'] = vx.dstport;
    d['learning'] = vx.learning;
    if (vx.tos) d['tos'] = `0x${vx.tos.toString(16)}`;
    // iproute2 prints `ttl inherit` to the text output only (print_string(PRINT_FP, ...)): no JSON key.
    if (!vx.ttlInherit) d['ttl'] = vx.ttl;
    d['df'] = 'unset';
    d['ageing'] = vx.ageingS ?? VXLAN_AGEING_S;
    d['udp_csum'] = true;
    d['udp_zero_csum6_tx'] = false;
    d['udp_zero_csum6_rx'] = false;
    return { info_kind: 'vxlan', info_data: d };
  },
  numQueues: () => 1,
  mtuRange: () => [68, 65535],
  // The underlay's offload limits are inherited (veth: 524280); without `dev`, the netdev default.
  tsoMaxSize: (_w, _ns, link) => ((link as VxlanLink).dev !== undefined ? 524280 : 65536),
};

function freeName(world: import('../../../model/world.js').World, ns: string): string {
  const links = Object.values(world.ns[ns]?.links ?? {});
  for (let k = 0; ; k++) if (!links.some((l) => l.name === `vxlan${k}`)) return `vxlan${k}`;
}
