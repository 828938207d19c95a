/**
 * The `ip link add ... type KIND` registry: each device kind parses its own
 * arguments, creates its device(s) and prints its `-d` details, the way
 * iproute2 has one link_util per kind (ip/iplink_veth.c, iplink_bridge.c,
 * iplink_vxlan.c). `ip link` (src/shell/ip/link.ts) parses the common
 * arguments and dispatches here.
 *
 * Registering: a kind module exports its `LinkKind` object (importing only
 * types from here, so there is no import cycle) and this index registers it
 * below. src/shell/ip/link.ts imports this index.
 */
import type { Mac } from '../../../model/addr.js';
import type { Link, NsName, World } from '../../../model/world.js';
import type { OpResult } from '../../../sim/ops/netns.js';

/** The common `ip link add` arguments, already parsed by src/shell/ip/link.ts. */
export interface NewLinkArgs {
  /** Namespace the device goes to (`netns X`, else the caller's namespace). */
  readonly ns: NsName;
  /** The caller's namespace (where a veth peer goes unless it has its own `netns`). */
  readonly callerNs: NsName;
  /** Device name; undefined when none was given (the kernel picks `<kind>%d`). */
  readonly name?: string;
  readonly mac?: Mac;
  readonly mtu?: number;
  readonly txqlen?: number;
  /** `up` was given: bring the device up after creating it. */
  readonly up?: boolean;
  /** `link DEV`: the lower device's ifindex in the caller's namespace. */
  readonly link?: number;
}

/** What a parser reports when the arguments are wrong: text printed on stderr and the exit code. */
export interface KindParseError {
  readonly error: string;
  readonly status: number;
}

export interface KindCtx {
  readonly world: World;
  /** The caller's namespace. */
  readonly ns: NsName;
}

export interface LinkKind<Spec = unknown> {
  /** The `type` keyword: veth, bridge, vxlan. */
  readonly kind: string;
  /**
   * Parse the arguments after `type KIND`. Throw `Unsupported` for options
   * the twin does not model; return a KindParseError for iproute2's own
   * messages (e.g. `Error: argument "x" is wrong: ...`).
   */
  parseAdd(args: readonly string[], ctx: KindCtx): Spec | KindParseError;
  /** Create the device(s). The result's error text is printed as is (exit 2). */
  create(world: World, common: NewLinkArgs, spec: Spec): OpResult;
  /**
   * `ip -d link show`: the IFLA_LINKINFO text, starting with the kind name
   * ("veth", "bridge forward_delay 1500 ..."), without trailing space.
   */
  detailsText?(world: World, ns: NsName, link: Link): string;
  /** `ip -d -j link show`: the "linkinfo" object ({"info_kind":"veth", ...}). */
  detailsJson?(world: World, ns: NsName, link: Link): Record<string, unknown>;
  /**
   * For a device enslaved to a master of this kind: the slave details text
   * ("bridge_slave state forwarding ...") and its JSON ("info_slave_kind",
   * "info_slave_data" entries merged into "linkinfo").
   */
  slaveDetailsText?(world: World, ns: NsName, port: Link): string;
  slaveDetailsJson?(world: World, ns: NsName, port: Link): Record<string, unknown>;
  /** numtxqueues/numrxqueues printed by `-d` (1 unless the kind says otherwise). */
  numQueues?(link: Link): number;
  /** [min_mtu, max_mtu] printed by `-d`. */
  mtuRange?(link: Link): readonly [number, number];
  /**
   * A warning iproute2 prints on stderr while parsing (before the request),
   * e.g. vxlan's "destination port not specified" text; creation goes on.
   */
  parseWarning?(spec: Spec): string | undefined;
  /**
   * `ip link set DEV type KIND ARGS` (changelink): parse ARGS for an existing
   * device of this kind and return the change to apply.
   */
  parseChange?(args: readonly string[], ctx: KindCtx, link: Link): ((world: World) => OpResult) | KindParseError;
  /** tso_max_size printed by `-d` (524280 unless the kind says otherwise: a bridge or an unbound vxlan has 65536). */
  tsoMaxSize?(world: World, ns: NsName, link: Link): number;
}

const kinds = new Map<string, LinkKind>();

export function registerLinkKind<S>(k: LinkKind<S>): void {
  kinds.set(k.kind, k as LinkKind);
}

export function getLinkKind(kind: string): LinkKind | undefined {
  return kinds.get(kind);
}

export function isKindParseError(x: unknown): x is KindParseError {
  return typeof x === 'object' && x !== null && 'error' in x && 'status' in x && typeof (x as KindParseError).error === 'string';
}

// Every kind, registered here (add one import and one register line per kind).
import { vethKind } from './veth.js';
import { bridgeKind } from './bridge.js';
import { vxlanKind } from './vxlan.js';
registerLinkKind(vethKind);
registerLinkKind(bridgeKind);
registerLinkKind(vxlanKind);
