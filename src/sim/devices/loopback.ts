/**
 * The loopback device: what goes out comes back in on the same device of the
 * same namespace (loopback_xmit -> netif_rx), keeping its route.
 */
import type { LoopbackLink } from '../../model/world.js';
import type { DeviceHandler } from './types.js';

export const loopbackHandler: DeviceHandler<LoopbackLink> = {
  xmit(env, ns, lo, frame) {
    env.receive(ns, lo.ifindex, frame);
  },
};
