/**
 * Network configuration files as libcni reads them (libcni/conf.go, v1.2.3:
 * ConfFromBytes, ConfListFromBytes, ConfFiles, LoadConf, LoadConfList,
 * InjectConf, ConfListFromConf), over the twin's filesystem (world.files).
 *
 * Errors are Go error values; the twin keeps their text (LibcniError) since
 * that is all a runtime shows (cnitool prints it, containerd logs it).
 */
import type { World } from '../../model/world.js';
import { compareUtf8 } from '../../model/bytes.js';
import type { GoJson } from '../gojson.js';
import { decodeNetConf, type NetConf } from '../netconf.js';
import { joinPath } from '../fs.js';
import { parseVersion } from '../types.js';
import { strconvQuote } from '../skel.js';
import { goTypeOf, mapWith, marshalCompact, unmarshalMap, type GoAny } from './gointerface.js';

/** A libcni error: its Error() text. */
export class LibcniError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'LibcniError';
  }
}

/** libcni.NetworkConfig: one plugin's config, decoded and as bytes. */
export interface NetworkConfig {
  readonly network: NetConf;
  readonly bytes: string;
}

/** libcni.NetworkConfigList */
export interface NetworkConfigList {
  readonly name: string;
  readonly cniVersion: string;
  readonly disableCheck: boolean;
  readonly disableGC: boolean;
  readonly plugins: readonly NetworkConfig[];
  /** The file's bytes (cached base64-encoded as "config"). */
  readonly bytes: string;
}

/** version.Current() of libcni 1.2.x. */
export const LIBCNI_SPEC_VERSION = '1.1.0';

/** ConfFromBytes: decode into types.NetConf; "type" is required. */
export function confFromBytes(bytes: string): NetworkConfig {
  const r = decodeNetConf(bytes);
  if (!r.ok) throw new LibcniError(`error parsing configuration: ${r.error}`);
  if (r.value.type === '') throw new LibcniError("error parsing configuration: missing 'type'");
  return { network: r.value, bytes };
}

/** version.GreaterThan */
function greaterThan(a: string, b: string): boolean | string {
  const x = parseVersion(a);
  if (typeof x === 'string') return x;
  const y = parseVersion(b);
  if (typeof y === 'string') return y;
  if (x[0] !== y[0]) return x[0] > y[0];
  if (x[1] !== y[1]) return x[1] > y[1];
  return x[2] > y[2];
}

/** ConfListFromBytes: the list's name, version (cniVersions negotiated), flags, plugins. */
export function confListFromBytes(bytes: string): NetworkConfigList {
  const E = (m: string): LibcniError => new LibcniError(`error parsing configuration list: ${m}`);
  const parsed = unmarshalMap(bytes);
  if (!parsed.ok) throw E(parsed.error);
  const raw = parsed.value;
  if (!('name' in raw)) throw E('no name');
  const rawName = raw['name'];
  if (typeof rawName !== 'string') throw E(`invalid name type ${goTypeOf(rawName)}`);
  let cniVersion = '';
  if ('cniVersion' in raw) {
    const v = raw['cniVersion'];
    if (typeof v !== 'string') throw E(`invalid cniVersion type ${goTypeOf(v)}`);
    cniVersion = v;
  }
  if ('cniVersions' in raw) {
    const rvs = raw['cniVersions'];
    // The real code prints the %T of its failed type assertion's zero value.
    if (!Array.isArray(rvs)) throw E('invalid type for cniVersions: []interface {}');
    const vs: string[] = [];
    (rvs as GoAny[]).forEach((rv, i) => {
      if (typeof rv !== 'string') throw E(`invalid type for cniVersions index ${i}: ${goTypeOf(rv)}`);
      const gt = greaterThan(rv, LIBCNI_SPEC_VERSION);
      if (typeof gt === 'string') throw E(`invalid cniVersions entry ${rv} at index ${i}: ${gt}`);
      // Versions above the spec this library implements are skipped.
      if (!gt) vs.push(rv);
    });
    if (cniVersion !== '') {
      const gt = greaterThan(cniVersion, LIBCNI_SPEC_VERSION);
      if (typeof gt === 'string') throw E(`invalid cniVersion ${cniVersion}: ${gt}`);
      if (!gt) vs.push(cniVersion);
    }
    vs.sort((a, b) => (a === b ? 0 : greaterThan(a, b) === true ? 1 : -1));
    if (vs.length > 0) cniVersion = vs[vs.length - 1]!;
  }
  const readBool = (key: string): boolean => {
    if (!(key in raw)) return false;
    const v = raw[key];
    if (typeof v === 'boolean') return v;
    if (typeof v !== 'string') throw E(`invalid type ${goTypeOf(v)} for ${key}`);
    const s = v.toLowerCase();
    if (s === 'false') return false;
    if (s === 'true') return true;
    throw E(`invalid value ${strconvQuote(s)} for ${key}`);
  };
  const disableCheck = readBool('disableCheck');
  const disableGC = readBool('disableGC');
  if (!('plugins' in raw)) throw E("no 'plugins' key");
  const plug = raw['plugins'];
  if (!Array.isArray(plug)) throw E(`invalid 'plugins' type ${goTypeOf(plug)}`);
  if (plug.length === 0) throw E('no plugins in list');
  const plugins = (plug as GoAny[]).map((conf, i) => {
    // json.Marshal of the decoded value: a map, keys sorted.
    const newBytes = marshalCompact(mapOrValue(conf));
    try {
      return confFromBytes(newBytes);
    } catch (e) {
      if (e instanceof LibcniError) throw new LibcniError(`failed to parse plugin config ${i}: ${e.message}`);
      throw e;
    }
  });
  return { name: rawName, cniVersion, disableCheck, disableGC, plugins, bytes };
}

const mapOrValue = (v: GoAny): GoJson => mapWith({ v }, {}).entries['v']!;

/** ConfFiles: regular files directly in dir whose extension is one of exts (ReadDir order: by name). */
export function confFiles(world: World, dir: string, exts: readonly string[]): string[] {
  const d = joinPath(dir);
  const pfx = d === '/' ? '/' : d + '/';
  const names = new Set<string>();
  for (const k of Object.keys(world.files)) {
    if (!k.startsWith(pfx)) continue;
    const rest = k.slice(pfx.length);
    // A file deeper down makes a subdirectory, which ConfFiles skips.
    if (rest === '' || rest.includes('/')) continue;
    const dot = rest.lastIndexOf('.');
    const ext = dot >= 0 ? rest.slice(dot) : '';
    if (exts.includes(ext)) names.add(rest);
  }
  return [...names].sort(byteOrder).map((n) => joinPath(d, n));
}

/** sort.Strings: byte order. */
export const byteOrder = (a: string, b: string): number => compareUtf8(a, b);

function readFile(world: World, path: string): string {
  const b = world.files[path];
  if (b === undefined) throw new LibcniError(`error reading ${path}: open ${path}: no such file or directory`);
  return b;
}

export class NotFoundError extends LibcniError {
  constructor(
    readonly dir: string,
    readonly netName: string,
  ) {
    super(`no net configuration with name "${netName}" in ${dir}`);
  }
}

export class NoConfigsFoundError extends LibcniError {
  constructor(readonly dir: string) {
    super(`no net configurations found in ${dir}`);
  }
}

/** LoadConf: the first .conf/.json file (by name) whose network has this name. */
export function loadConf(world: World, dir: string, name: string): NetworkConfig {
  const files = confFiles(world, dir, ['.conf', '.json']);
  if (files.length === 0) throw new NoConfigsFoundError(dir);
  for (const f of files) {
    const c = confFromBytes(readFile(world, f));
    if (c.network.name === name) return c;
  }
  throw new NotFoundError(dir, name);
}

/**
 * LoadConfList: the first .conflist (by file name) with this name; else a
 * .conf/.json of that name up-converted to a list.
 */
export function loadConfList(world: World, dir: string, name: string): NetworkConfigList {
  const files = confFiles(world, dir, ['.conflist']);
  for (const f of files) {
    const c = confListFromBytes(readFile(world, f));
    if (c.name === name) return c;
  }
  let single: NetworkConfig;
  try {
    single = loadConf(world, dir, name);
  } catch (e) {
    if (e instanceof NoConfigsFoundError && files.length !== 0) throw new NotFoundError(dir, name);
    throw e;
  }
  return confListFromConf(single);
}

/**
 * InjectConf: the plugin's bytes decoded into a map, keys set, re-marshalled
 * (sorted keys, compact) and decoded again.
 */
export function injectConf(orig: NetworkConfig, newValues: Readonly<Record<string, GoJson>>): NetworkConfig {
  const m = unmarshalMap(orig.bytes);
  if (!m.ok) throw new LibcniError(`unmarshal existing network bytes: ${m.error}`);
  for (const [k, v] of Object.entries(newValues)) {
    if (k === '') throw new LibcniError('keys cannot be empty');
    if (v === null || v === undefined) throw new LibcniError(`key '${k}' value must not be nil`);
  }
  return confFromBytes(marshalCompact(mapWith(m.value, newValues)));
}

/** ConfListFromConf: {"cniVersion","name","plugins":[the config]} (a map: keys sorted). */
export function confListFromConf(orig: NetworkConfig): NetworkConfigList {
  const m = unmarshalMap(orig.bytes);
  if (!m.ok) throw new LibcniError(m.error);
  const list = mapWith({}, {
    name: orig.network.name,
    cniVersion: orig.network.cniVersion,
    plugins: [mapWith(m.value, {})],
  });
  return confListFromBytes(marshalCompact(list));
}
