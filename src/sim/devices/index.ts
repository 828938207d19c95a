/**
 * The device handler registry: the engine asks here how a kind of device
 * transmits and receives (see ./types.ts for the contract).
 */
import type { Link, LinkKind } from '../../model/world.js';
import { bridgeHandler } from './bridge.js';
import { loopbackHandler } from './loopback.js';
import type { DeviceHandler } from './types.js';
import { vethHandler } from './veth.js';
import { vxlanHandler } from './vxlan.js';

const HANDLERS: Record<LinkKind, DeviceHandler<never>> = {
  loopback: loopbackHandler,
  veth: vethHandler,
  bridge: bridgeHandler,
  vxlan: vxlanHandler,
};

export function handlerFor(kind: LinkKind): DeviceHandler<Link> {
  return HANDLERS[kind] as unknown as DeviceHandler<Link>;
}

/** Every handler (e.g. to offer a UDP datagram to VXLAN sockets). */
export function allHandlers(): readonly DeviceHandler<Link>[] {
  return Object.values(HANDLERS) as unknown as DeviceHandler<Link>[];
}
