/**
 * podnet's library API: build a world, apply commands, inject a packet, get
 * the trace. Everything here is pure: no filesystem, process or console.
 */
export * from './model/addr.js';
export * from './model/world.js';
export type * from './model/netfilter.js';
export { createWorld, freshMachine, netnsAdd, netnsDel, type OpResult, type WorldOptions } from './sim/ops/netns.js';
export type * from './sim/trace.js';
export {
  sendPacket,
  exchange,
  runWalks,
  probe,
  probePacket,
  outcomeOf,
  ProbeSession,
  type ExchangeResult,
  type Deferred,
  type ProbeSpec,
  type ProbeOutcome,
  type ProbeResult,
  type ProbeHandle,
  type LocalError,
  type OpenSocket,
  type SocketEvent,
  type WalkResult,
  type WalkStart,
  type PmtuDisc,
} from './sim/send.js';
export * from './sim/packet.js';
export { formatTrace } from './sim/format-trace.js';
export { ageNeighbours, neighStateAt } from './sim/datapath/neigh.js';
export { runScript, type RunOptions, type RunResult, type Section } from './shell/interp.js';
