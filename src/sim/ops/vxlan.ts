/**
 * VXLAN devices (drivers/net/vxlan): creation (`ip link add vx0 type vxlan
 * id N ...`, vxlan_dev_configure), their forwarding database of remote VTEPs
 * and its learning/ageing (vxlan_snoop, vxlan_cleanup).
 *
 * The FDB of a VXLAN device is a list, newest MAC first; a MAC with several
 * remotes (`bridge fdb append 00:00:00:00:00:00 dst ...`) has one entry per
 * remote, kept together in append order (see fdbModify in ./bridge.ts).
 */
import { isDraft, produce, type Draft } from 'immer';
import { ZERO_MAC, type Ip4, type Mac } from '../../model/addr.js';
import { linkByName } from '../../model/queries.js';
import type { FdbEntry, NsName, VxlanLink, World } from '../../model/world.js';
import { newLinkCommon, RTNL_EXISTS } from './link.js';
import { err, okw, type OpResult } from './netns.js';
import { isValidMac } from './bridge.js';

/** The Linux default UDP port (IANA's is 4789; iproute2 warns when none is given). */
export const VXLAN_LINUX_PORT = 8472;
/** VXLAN_HEADROOM for IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_HEADROOM = 50;
/** Default FDB ageing (VXLAN_AGEING_DEFAULT... 300 s). */
export const VXLAN_AGEING_S = 300;

export interface VxlanSpec {
  readonly vni: number;
  readonly local?: Ip4;
  readonly remote?: Ip4;
  /** Underlay device ifindex (`dev`), in the namespace the device is created in. */
  readonly dev?: number;
  readonly dstport: number;
  readonly srcportMin: number;
  readonly srcportMax: number;
  readonly learning: boolean;
  readonly ttl: number;
  readonly ttlInherit: boolean;
  readonly tos: number;
  readonly ageingS: number;
}

export interface VxlanCommon {
  readonly ns: NsName;
  readonly name: string;
  readonly mac?: Mac;
  readonly mtu?: number;
  readonly txqlen?: number;
}

/**
 * vxlan_newlink() -> __vxlan_dev_create(): the device, and with a `remote`
 * its default FDB entry `00:00:00:00:00:00 dst REMOTE [via DEV] self
 * permanent`. MTU: the underlay's minus 50 with `dev`, else 1500. A second
 * device with the same VNI and port is refused (vxlan_vni_in_use).
 */
export function vxlanCreate(world: World, c: VxlanCommon, s: VxlanSpec): OpResult {
  const ns = world.ns[c.ns];
  if (!ns) return err('RTNETLINK answers: Invalid argument');
  if (linkByName(ns, c.name)) return err(RTNL_EXISTS);
  for (const l of Object.values(ns.links)) {
    if (l.kind === 'vxlan' && l.vni === s.vni && l.dstport === s.dstport) {
      return err('Error: A VXLAN device with the specified VNI already exists.');
    }
  }
  const lower = s.dev !== undefined ? ns.links[s.dev] : undefined;
  const maxMtu = lower ? lower.mtu - VXLAN_HEADROOM : 65535;
  if (c.mtu !== undefined && lower && c.mtu > maxMtu) return err('Error: MTU greater than device maximum.');
  return okw(
    produce(world, (d) => {
      const common = newLinkCommon(d, { ns: c.ns, name: c.name, ...(c.mac ? { mac: c.mac } : {}), ...(c.mtu !== undefined ? { mtu: c.mtu } : {}), ...(c.txqlen !== undefined ? { txqlen: c.txqlen } : {}) }, {
        mtu: lower ? lower.mtu - VXLAN_HEADROOM : 1500,
        txqlen: 1000,
      });
      const fdb: FdbEntry[] = [];
      if (s.remote !== undefined) {
        fdb.push({
          mac: ZERO_MAC,
          ifindex: common.ifindex,
          state: 'permanent',
          self: true,
          dst: s.remote,
          updatedMs: d.clockMs,
          ...(s.dev !== undefined ? { via: s.dev } : {}),
        });
      }
      const link: VxlanLink = {
        ...common,
        kind: 'vxlan',
        vni: s.vni,
        ...(s.local !== undefined ? { local: s.local } : {}),
        ...(s.remote !== undefined ? { remote: s.remote } : {}),
        ...(s.dev !== undefined ? { dev: s.dev } : {}),
        dstport: s.dstport,
        srcportMin: s.srcportMin,
        srcportMax: s.srcportMax,
        learning: s.learning,
        ttl: s.ttl,
        ...(s.ttlInherit ? { ttlInherit: true } : {}),
        ...(s.tos ? { tos: s.tos } : {}),
        ...(s.ageingS !== VXLAN_AGEING_S ? { ageingS: s.ageingS } : {}),
        fdb,
      };
      d.ns[c.ns]!.links[common.ifindex] = link as Draft<VxlanLink>;
    }),
  );
}

export function vxlanAgeingMs(vx: VxlanLink): number {
  return (vx.ageingS ?? VXLAN_AGEING_S) * 1000;
}

/** The device's live FDB at `now`: learned entries older than the ageing time are gone (vxlan_cleanup). */
export function vxlanLiveFdb(vx: VxlanLink, now: number): readonly FdbEntry[] {
  const hold = vxlanAgeingMs(vx);
  if (hold === 0) return vx.fdb;
  return vx.fdb.filter((e) => e.state !== 'dynamic' || now - e.updatedMs < hold);
}

/**
 * vxlan_xmit(): the remotes a frame to `dst` goes to: the MAC's own entry,
 * else (unknown unicast, broadcast, multicast) every remote of the all-zero
 * entry (head-end replication). Empty: the frame is dropped.
 */
export function vxlanRemotes(vx: VxlanLink, dst: Mac, now: number): readonly FdbEntry[] {
  const hold = vxlanAgeingMs(vx);
  const alive = (e: FdbEntry): boolean => hold === 0 || e.state !== 'dynamic' || now - e.updatedMs < hold;
  const own = entriesFor(vx.fdb, dst).filter(alive);
  if (own.length > 0 && isValidMac(dst)) return own;
  return entriesFor(vx.fdb, ZERO_MAC).filter(alive);
}

/**
 * The FDB entries of one MAC, in table order. An immutable FDB is indexed by
 * MAC once (a flannel node holds one entry per other node); an immer draft
 * is searched.
 */
const fdbByMac = new WeakMap<readonly FdbEntry[], Map<string, FdbEntry[]>>();
function entriesFor(fdb: readonly FdbEntry[], mac: Mac): readonly FdbEntry[] {
  if (fdb.length < 16 || isDraft(fdb)) return fdb.filter((e) => e.mac === mac);
  let m = fdbByMac.get(fdb);
  if (!m) {
    m = new Map();
    for (const e of fdb) {
      const l = m.get(e.mac);
      if (l) l.push(e);
      else m.set(e.mac, [e]);
    }
    fdbByMac.set(fdb, m);
  }
  return m.get(mac) ?? [];
}

/**
 * vxlan_snoop(): learn that `mac` lives behind the VTEP `src` (no `via`).
 * Returns 'drop' when a static/permanent entry says otherwise (the kernel
 * drops the packet rather than migrate a static entry).
 */
export function vxlanSnoopDraft(vx: Draft<VxlanLink>, mac: Mac, src: Ip4, now: number): 'learned' | 'refreshed' | 'moved' | 'drop' | 'ignored' {
  if (!isValidMac(mac)) return 'ignored';
  const hold = vxlanAgeingMs(vx as VxlanLink);
  const idx = vx.fdb.findIndex((e) => e.mac === mac && !(e.state === 'dynamic' && hold > 0 && now - e.updatedMs >= hold));
  if (idx >= 0) {
    const e = vx.fdb[idx]!;
    if (e.dst === src && e.via === undefined) {
      if (e.state === 'dynamic') e.updatedMs = now;
      return 'refreshed';
    }
    if (e.state !== 'dynamic') return 'drop';
    e.dst = src;
    delete e.via;
    e.updatedMs = now;
    return 'moved';
  }
  vx.fdb = vx.fdb.filter((e) => e.mac !== mac);
  vx.fdb.unshift({ mac, ifindex: vx.ifindex, state: 'dynamic', self: true, dst: src, updatedMs: now });
  return 'learned';
}
