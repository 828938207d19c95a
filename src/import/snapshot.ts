/**
 * A twin snapshot: an imported World (with its assumptions) as one JSON file,
 * so the import runs once and any command can start from it
 * (`podnet import node1.bundle -o twin.json`, then `podnet sh --world twin.json`).
 *
 *   { "podnet": "twin-snapshot", "version": 1, "world": World, "report": ImportReport }
 */
import type { World } from '../model/world.js';
import type { ImportReport } from './build.js';

export const SNAPSHOT_KIND = 'twin-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  readonly world: World;
  readonly report?: ImportReport;
}

export function writeSnapshot(world: World, report?: ImportReport): string {
  return JSON.stringify({ podnet: SNAPSHOT_KIND, version: SNAPSHOT_VERSION, world, ...(report ? { report } : {}) }) + '\n';
}

/** Records keyed by names the user chose get no prototype again (see createWorld). */
function nullProto<T extends object>(o: T): T {
  return Object.assign(Object.create(null) as T, o);
}

export function readSnapshot(text: string): { ok: true; snapshot: Snapshot } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const o = v as { podnet?: unknown; version?: unknown; world?: World; report?: ImportReport };
  if (typeof o !== 'object' || o === null || o.podnet !== SNAPSHOT_KIND) return { ok: false, error: `not a podnet twin snapshot (expected "podnet": "${SNAPSHOT_KIND}")` };
  if (o.version !== SNAPSHOT_VERSION) return { ok: false, error: `snapshot version ${String(o.version)} is not supported (this podnet reads version ${SNAPSHOT_VERSION})` };
  const w = o.world;
  if (!w || typeof w !== 'object' || typeof w.ns !== 'object' || w.ns === null || !Array.isArray(w.nsOrder) || typeof w.seed !== 'number') {
    return { ok: false, error: 'the snapshot has no valid world' };
  }
  const ns = nullProto({ ...w.ns });
  for (const [k, n] of Object.entries(ns)) {
    (ns as Record<string, unknown>)[k] = { ...n, links: nullProto({ ...n.links }), peerIds: nullProto({ ...n.peerIds }), sysctl: nullProto({ ...n.sysctl }) };
  }
  const world: World = { ...w, ns, files: nullProto({ ...(w.files ?? {}) }) };
  return { ok: true, snapshot: { world, ...(o.report ? { report: o.report } : {}) } };
}
