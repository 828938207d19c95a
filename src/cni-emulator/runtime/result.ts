/**
 * Results on the runtime's side (libcni 1.2.x, pkg/types): how they are
 * parsed from a plugin's stdout, converted, and marshalled. The runtime's
 * library is newer than the one vendored in the 1.1.1 plugins, and it
 * marshals a 1.0.0 result differently: types100.Result.MarshalJSON
 * (pkg/types/100/types.go) re-encodes the struct through a
 * map[string]interface{}, so every key is sorted and an empty "dns" is
 * dropped; 0.3.x/0.4.0 and 0.1/0.2 results keep the struct order and "dns": {}.
 * That is what `cnitool add` prints, what a chained plugin gets as
 * prevResult and what the cache holds.
 */
import { goMarshal, type GoJson, type RawJson } from '../gojson.js';
import { createResult } from '../result-parse.js';
import { convertResult, resultJson, type Dns, type Result } from '../types.js';
import { anyToGo, marshalCompact, roundTrip, type GoAny } from './gointerface.js';

const dnsEmpty = (d: Dns): boolean =>
  (d.nameservers?.length ?? 0) === 0 && !d.domain && (d.search?.length ?? 0) === 0 && (d.options?.length ?? 0) === 0;

/** json.Marshal(result) as libcni 1.2.x does it, as an encoder value. */
export function libcniResultJson(r: Result): GoJson {
  const s = resultJson(r);
  if (r.kind !== '100') return s;
  const m = { ...(roundTrip(s) as Record<string, GoAny>) };
  if (dnsEmpty(r.dns)) delete m['dns'];
  return anyToGo(m);
}

/**
 * result.Print() / PrintTo: MarshalIndent with 4 spaces, no trailing newline
 * (MarshalIndent indents what MarshalJSON returned: same key order).
 */
export const printLibcniResult = (r: Result): string => goMarshal(libcniResultJson(r));

/**
 * create.Create(version, bytes) of libcni 1.2.x: types100 also accepts
 * "1.1.0" (the spec version this library implements).
 */
export function libcniCreateResult(version: string, raw: RawJson): Result | string {
  if (version !== '1.1.0') return createResult(version, raw);
  if (raw.t !== 'obj') return createResult('1.0.0', raw);
  const relabelled: RawJson = {
    t: 'obj',
    entries: raw.entries.map(([k, v]) => [k, k === 'cniVersion' && v.t === 'str' && v.v === '1.1.0' ? { t: 'str', v: '1.0.0' } : v] as const),
  };
  const r = createResult('1.0.0', relabelled);
  if (typeof r === 'string') return r.replace('supports [1.0.0]', 'supports [1.0.0 1.1.0]');
  return { ...r, cniVersion: '1.1.0' };
}

/**
 * result.GetAsVersion(v) with libcni 1.2.x's converter table (1.1.0 is a
 * 1.0.0 struct relabelled; every older version converts to and from it).
 */
export function libcniConvert(r: Result, to: string): Result | string {
  if (r.cniVersion === '1.1.0' && r.kind === '100') {
    if (to === '1.1.0') return r;
    return convertResult({ ...r, cniVersion: '1.0.0' }, to);
  }
  if (to === '1.1.0') {
    const c = convertResult(r, '1.0.0');
    if (typeof c === 'string') return c.replace('to 1.0.0', 'to 1.1.0');
    return { ...c, cniVersion: '1.1.0' };
  }
  return convertResult(r, to);
}

/** The result as the cache stores it: json.Marshal, then decoded into a map (sorted keys everywhere). */
export const cachedResultValue = (r: Result): GoAny => roundTrip(libcniResultJson(r));

export { marshalCompact };
