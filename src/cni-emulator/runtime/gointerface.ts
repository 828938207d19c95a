/**
 * Go's `interface{}` values as libcni handles them: `json.Unmarshal` into a
 * `map[string]interface{}` (objects become maps, numbers float64) and
 * `json.Marshal` back (map keys sorted, compact, HTML-escaped). libcni does
 * this round trip for every plugin config it builds (ConfListFromBytes,
 * InjectConf) and for the result it caches.
 */
import { GoJsonSyntaxError, GoMap, goMarshal, goParse, plainToGo, toPlain, type GoJson, type RawJson } from '../gojson.js';
import { Unsupported } from '../../shell/types.js';

/** A decoded interface{} value: null, boolean, number (float64), string, array or object (a Go map). */
export type GoAny = null | boolean | number | string | readonly GoAny[] | { readonly [k: string]: GoAny };

/** Go's `%T` of a decoded interface{} value. */
export function goTypeOf(v: GoAny | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function checkFinite(raw: RawJson): void {
  if (raw.t === 'num' && !Number.isFinite(Number(raw.raw))) {
    // json: cannot unmarshal number 1e400 into Go value of type float64
    throw new Unsupported(`JSON number ${raw.raw} out of float64 range`);
  }
  if (raw.t === 'obj') for (const [, v] of raw.entries) checkFinite(v);
  if (raw.t === 'arr') for (const v of raw.items) checkFinite(v);
}

const kindName = (raw: RawJson): string =>
  raw.t === 'arr' ? 'array' : raw.t === 'str' ? 'string' : raw.t === 'num' ? 'number' : raw.t === 'bool' ? 'bool' : 'object';

/**
 * `m := make(map[string]interface{}); json.Unmarshal(bytes, &m)`: the map
 * (null leaves it empty: Go sets it to nil, and reads of a nil map find
 * nothing) or Go's error text.
 */
export function unmarshalMap(bytes: string): { ok: true; value: Record<string, GoAny> } | { ok: false; error: string } {
  let raw: RawJson;
  try {
    raw = goParse(bytes);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  if (raw.t === 'null') return { ok: true, value: Object.create(null) as Record<string, GoAny> };
  if (raw.t !== 'obj') return { ok: false, error: `json: cannot unmarshal ${kindName(raw)} into Go value of type map[string]interface {}` };
  checkFinite(raw);
  return { ok: true, value: toPlain(raw) as Record<string, GoAny> };
}

/** `json.Unmarshal(bytes, &v)` with v an interface{}. */
export function unmarshalAny(bytes: string): { ok: true; value: GoAny } | { ok: false; error: string } {
  let raw: RawJson;
  try {
    raw = goParse(bytes);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  checkFinite(raw);
  return { ok: true, value: toPlain(raw) as GoAny };
}

/** A decoded value in the encoder's terms (objects are Go maps: sorted keys). */
export const anyToGo = (v: GoAny): GoJson => plainToGo(v);

/** A map of decoded values with some entries replaced by already typed Go values. */
export function mapWith(base: Readonly<Record<string, GoAny>>, extra: Readonly<Record<string, GoJson>>): GoMap {
  const entries: Record<string, GoJson> = Object.create(null) as Record<string, GoJson>;
  for (const [k, v] of Object.entries(base)) entries[k] = anyToGo(v);
  for (const [k, v] of Object.entries(extra)) entries[k] = v;
  return new GoMap(entries);
}

/** json.Marshal (compact). */
export const marshalCompact = (v: GoJson): string => goMarshal(v, '');

/** A typed value marshalled, then decoded into interface{}: what `json.Unmarshal(json.Marshal(x), &m)` gives. */
export function roundTrip(v: GoJson): GoAny {
  const r = unmarshalAny(marshalCompact(v));
  if (!r.ok) throw new Error(`internal: cannot re-read ${r.error}`);
  return r.value;
}
