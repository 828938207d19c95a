/**
 * `ip link add A type veth [peer [name] B [address MAC] [netns NS] [mtu N]]`
 * (iproute2 ip/link_veth.c: the peer's arguments are parsed by the common
 * iplink_parse(), like the device's own).
 */
import { parseMac, type Mac } from '../../../model/addr.js';
import { linkByName } from '../../../model/queries.js';
import type { World } from '../../../model/world.js';
import { vethAdd } from '../../../sim/ops/link.js';
import { err } from '../../../sim/ops/netns.js';
import { Unsupported } from '../../types.js';
import type { KindParseError, LinkKind } from './index.js';

export interface VethSpec {
  readonly peerName?: string;
  readonly peerMac?: Mac;
  readonly peerNs?: string;
  readonly peerMtu?: number;
  readonly peerTxqlen?: number;
}

const bad = (arg: string, what: string): KindParseError => ({
  error: `Error: argument "${arg}" is wrong: Invalid "${what}" value\n\n`,
  status: 255,
});

export const vethKind: LinkKind<VethSpec> = {
  kind: 'veth',
  parseAdd(args, ctx) {
    if (args.length === 0) return {};
    if (args[0] !== 'peer') throw new Unsupported(`ip link add type veth ${args.join(' ')}`);
    const spec: { -readonly [K in keyof VethSpec]: VethSpec[K] } = {};
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      const v = args[i + 1];
      if (a === 'name' || a === 'dev') {
        if (v === undefined) return { error: 'Command line is not complete. Try option "help"\n', status: 255 };
        spec.peerName = v;
        i++;
      } else if (a === 'address') {
        if (v === undefined) return { error: 'Command line is not complete. Try option "help"\n', status: 255 };
        const m = parseMac(v);
        if (!m) return { error: `"${v}" is invalid lladdr.\n`, status: 1 };
        spec.peerMac = m;
        i++;
      } else if (a === 'netns') {
        if (v === undefined) return { error: 'Command line is not complete. Try option "help"\n', status: 255 };
        if (ctx.world.ns[v] === undefined) return bad(v, 'netns');
        spec.peerNs = v;
        i++;
      } else if (a === 'mtu') {
        if (v === undefined || !/^\d+$/.test(v)) return bad(v ?? '', 'mtu');
        spec.peerMtu = Number(v);
        i++;
      } else if (a === 'txqueuelen' || a === 'qlen' || a === 'txqlen') {
        if (v === undefined || !/^\d+$/.test(v)) return bad(v ?? '', 'txqueuelen');
        spec.peerTxqlen = Number(v);
        i++;
      } else if (a.startsWith('-') || ['type', 'up', 'down', 'master', 'alias', 'link', 'index', 'group', 'arp', 'multicast', 'promisc'].includes(a)) {
        throw new Unsupported(`ip link add type veth peer ... ${a}`);
      } else {
        if (spec.peerName !== undefined) return { error: `Error: either "dev" is duplicate, or "${a}" is a garbage.\n`, status: 255 };
        spec.peerName = a;
      }
    }
    return spec;
  },
  create(world: World, c, s) {
    const peerNs = s.peerNs ?? c.callerNs;
    const name = c.name ?? freeName(world, c.ns, 'veth', s.peerName === undefined && peerNs === c.ns ? 1 : 0);
    const peerName = s.peerName ?? freeName(world, peerNs, 'veth', 0, peerNs === c.ns ? name : undefined);
    if (world.ns[c.ns] === undefined) return err('RTNETLINK answers: Invalid argument');
    return vethAdd(
      world,
      { ns: c.ns, name, ...(c.mac ? { mac: c.mac } : {}), ...(c.mtu !== undefined ? { mtu: c.mtu } : {}), ...(c.txqlen !== undefined ? { txqlen: c.txqlen } : {}) },
      {
        ns: peerNs,
        name: peerName,
        ...(s.peerMac ? { mac: s.peerMac } : {}),
        ...(s.peerMtu !== undefined ? { mtu: s.peerMtu } : {}),
        ...(s.peerTxqlen !== undefined ? { txqlen: s.peerTxqlen } : {}),
      },
    );
  },
  detailsText: () => 'veth',
  detailsJson: () => ({ info_kind: 'veth' }),
  // veth_newlink() gives each end one queue per possible CPU; the reference machines have 2.
  numQueues: () => 2,
  mtuRange: () => [68, 65535],
};

/**
 * The kernel's `veth%d` naming (dev_alloc_name): the lowest unused number.
 * The peer is registered first, so with both names left out it gets veth0 and
 * the device veth1; `skip` reserves numbers that the other end will take.
 */
function freeName(world: World, ns: string, base: string, skip: number, taken?: string): string {
  const n = world.ns[ns];
  let k = 0;
  let skipped = 0;
  for (;;) {
    const cand = `${base}${k}`;
    if ((!n || !linkByName(n, cand)) && cand !== taken) {
      if (skipped >= skip) return cand;
      skipped++;
    }
    k++;
  }
}
