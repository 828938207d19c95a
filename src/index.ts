/**
 * podnet's library API: build a world, apply commands, inject a packet, get
 * the trace. Everything here is pure: no filesystem, process or console.
 */
export * from './model/addr.js';
export * from './model/world.js';
export type * from './model/netfilter.js';
export { createWorld, freshMachine, netnsAdd, netnsDel, type OpResult, type WorldOptions } from './sim/ops/netns.js';
export type * from './sim/trace.js';
export { runScript, type RunOptions, type RunResult, type Section } from './shell/interp.js';
