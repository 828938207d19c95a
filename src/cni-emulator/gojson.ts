/**
 * Go's encoding/json (go1.19, the toolchain of Debian's containernetworking-
 * plugins 1.1.1 binaries), as far as the CNI plugins make it observable:
 *
 *  - the syntax checker (`checkValid`) and its exact error texts
 *    ("unexpected end of JSON input", "invalid character 'x' after object key"),
 *  - a typed decoder driven by Go type descriptors (`GoType`), reproducing the
 *    field matching (exact, then case-insensitive), null handling, the first
 *    saved UnmarshalTypeError with its struct/field context
 *    ("json: cannot unmarshal number into Go struct field IPAMConfig.ipam.subnet
 *    of type string") and errors of Unmarshaler/TextUnmarshaler types that abort,
 *  - the encoder of `json.MarshalIndent(v, "", "    ")`: key order as given,
 *    HTML-safe escaping of < > & U+2028 U+2029, no trailing newline.
 *
 * Why not zod: the plugins' observable output is Go's error text, whose
 * wording depends on Go type names and the decoding order; a Go-shaped
 * descriptor reproduces it, a zod schema would only approximate it.
 */
import { compareUtf8, latin1Decode, utf8Bytes, utf8Decode } from '../model/bytes.js';

// ---------------------------------------------------------------------------
// Raw JSON tree (what the scanner accepted), keeping key order and duplicates.

export type RawJson =
  | { readonly t: 'obj'; readonly entries: readonly (readonly [string, RawJson])[] }
  | { readonly t: 'arr'; readonly items: readonly RawJson[] }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num'; readonly raw: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'null' };

/** A Go syntax error (json.SyntaxError) message. */
export class GoJsonSyntaxError extends Error {}

/** strconv.Quote of one byte as a rune, wrapped in single quotes (scanner.go quoteChar). */
export function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  return `'${quoteRune(c)}'`;
}

function quoteRune(c: number): string {
  switch (c) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    case 0x5c:
      return '\\\\';
  }
  if (c < 0x20 || c === 0x7f) return `\\x${c.toString(16).padStart(2, '0')}`;
  // A byte >= 0x80 is converted to the rune U+0080..U+00FF; strconv.IsPrint
  // rejects the C1 controls, NBSP and the soft hyphen.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `\\u00${c.toString(16).padStart(2, '0')}`;
  return String.fromCharCode(c);
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/**
 * Parse with Go's scanner semantics: the first error found while reading the
 * bytes left to right is the one reported (json.Unmarshal checks the whole
 * input before decoding anything).
 */
export function goParse(text: string): RawJson {
  const b = utf8Bytes(text);
  let i = 0;
  const n = b.length;
  const eof = (): never => {
    throw new GoJsonSyntaxError('unexpected end of JSON input');
  };
  const bad = (c: number, ctx: string): never => {
    throw new GoJsonSyntaxError(`invalid character ${quoteChar(c)} ${ctx}`);
  };
  const skipSpace = (): void => {
    while (i < n && isSpace(b[i]!)) i++;
  };
  let depth = 0;

  const value = (): RawJson => {
    skipSpace();
    if (i >= n) return eof();
    const c = b[i]!;
    if (c === 0x7b) {
      i++;
      if (++depth > 10000) throw new GoJsonSyntaxError('exceeded max depth');
      const entries: [string, RawJson][] = [];
      skipSpace();
      if (i >= n) return eof();
      if (b[i] === 0x7d) {
        i++;
        depth--;
        return { t: 'obj', entries };
      }
      for (;;) {
        skipSpace();
        if (i >= n) return eof();
        if (b[i] !== 0x22) return bad(b[i]!, 'looking for beginning of object key string');
        const key = str();
        skipSpace();
        if (i >= n) return eof();
        if (b[i] !== 0x3a) return bad(b[i]!, 'after object key');
        i++;
        const v = value();
        entries.push([key, v]);
        skipSpace();
        if (i >= n) return eof();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x7d) {
          i++;
          depth--;
          return { t: 'obj', entries };
        }
        return bad(b[i]!, 'after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      if (++depth > 10000) throw new GoJsonSyntaxError('exceeded max depth');
      const items: RawJson[] = [];
      skipSpace();
      if (i >= n) return eof();
      if (b[i] === 0x5d) {
        i++;
        depth--;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value());
        skipSpace();
        if (i >= n) return eof();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x5d) {
          i++;
          depth--;
          return { t: 'arr', items };
        }
        return bad(b[i]!, 'after array element');
      }
    }
    if (c === 0x22) return { t: 'str', v: str() };
    if (c === 0x2d || isDigit(c)) return num();
    if (c === 0x74) return lit('true', { t: 'bool', v: true });
    if (c === 0x66) return lit('false', { t: 'bool', v: false });
    if (c === 0x6e) return lit('null', { t: 'null' });
    return bad(c, 'looking for beginning of value');
  };

  const lit = (word: string, v: RawJson): RawJson => {
    i++;
    for (let k = 1; k < word.length; k++) {
      if (i >= n) return eof();
      if (b[i] !== word.charCodeAt(k)) return bad(b[i]!, `in literal ${word} (expecting '${word[k]}')`);
      i++;
    }
    return v;
  };

  const num = (): RawJson => {
    const start = i;
    if (b[i] === 0x2d) {
      i++;
      if (i >= n) return eof();
      if (!isDigit(b[i]!)) return bad(b[i]!, 'in numeric literal');
    }
    if (b[i] === 0x30) i++;
    else while (i < n && isDigit(b[i]!)) i++;
    if (i < n && b[i] === 0x2e) {
      i++;
      if (i >= n) return eof();
      if (!isDigit(b[i]!)) return bad(b[i]!, 'after decimal point in numeric literal');
      while (i < n && isDigit(b[i]!)) i++;
    }
    if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (i < n && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      if (i >= n) return eof();
      if (!isDigit(b[i]!)) return bad(b[i]!, 'in exponent of numeric literal');
      while (i < n && isDigit(b[i]!)) i++;
    }
    return { t: 'num', raw: latin1Decode(b.subarray(start, i)) };
  };

  const str = (): string => {
    i++; // opening quote
    const parts: number[] = [];
    let out = '';
    const flush = (): void => {
      if (parts.length) {
        out += utf8Decode(parts);
        parts.length = 0;
      }
    };
    for (;;) {
      if (i >= n) return eof();
      const c = b[i]!;
      if (c === 0x22) {
        i++;
        flush();
        return out;
      }
      if (c < 0x20) return bad(c, 'in string literal');
      if (c !== 0x5c) {
        parts.push(c);
        i++;
        continue;
      }
      i++;
      if (i >= n) return eof();
      const e = b[i]!;
      const simple: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x5c: 0x5c, 0x2f: 0x2f, 0x22: 0x22 };
      if (simple[e] !== undefined) {
        parts.push(simple[e]!);
        i++;
        continue;
      }
      if (e !== 0x75) return bad(e, 'in string escape code');
      i++;
      let cp = 0;
      for (let k = 0; k < 4; k++) {
        if (i >= n) return eof();
        if (!isHex(b[i]!)) return bad(b[i]!, 'in \\u hexadecimal character escape');
        cp = cp * 16 + parseInt(String.fromCharCode(b[i]!), 16);
        i++;
      }
      flush();
      out += String.fromCharCode(cp);
    }
  };

  const v = value();
  skipSpace();
  if (i < n) bad(b[i]!, 'after top-level value');
  // Lone surrogates from \u escapes become U+FFFD, as Go's unquote does.
  return fixSurrogates(v);
}

/** Replace lone UTF-16 surrogates with U+FFFD (String.prototype.toWellFormed, not in the ES2022 lib). */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function fixSurrogates(v: RawJson): RawJson {
  switch (v.t) {
    case 'str':
      return /[\ud800-\udfff]/.test(v.v) ? { t: 'str', v: wellFormed(v.v) } : v;
    case 'obj':
      return { t: 'obj', entries: v.entries.map(([k, x]) => [/[\ud800-\udfff]/.test(k) ? wellFormed(k) : k, fixSurrogates(x)] as const) };
    case 'arr':
      return { t: 'arr', items: v.items.map(fixSurrogates) };
    default:
      return v;
  }
}

// ---------------------------------------------------------------------------
// Typed decoding with Go type descriptors.

/** A Go type, as far as json.Unmarshal's behaviour depends on it. */
export type GoType =
  | { readonly k: 'string'; readonly name?: string }
  | { readonly k: 'bool'; readonly name?: string }
  | { readonly k: 'int'; readonly name?: string; readonly bits?: number; readonly unsigned?: boolean }
  | { readonly k: 'float'; readonly name?: string }
  | { readonly k: 'any' }
  | { readonly k: 'ptr'; readonly elem: GoType }
  | { readonly k: 'slice'; readonly elem: GoType; readonly name?: string }
  | { readonly k: 'map'; readonly elem: GoType; readonly name?: string }
  | GoStruct
  /** A type implementing encoding.TextUnmarshaler (net.IP, ip.IP, ...). */
  | { readonly k: 'text'; readonly name: string; readonly ptrRecv: boolean; readonly parse: (s: string) => { value: unknown } | { error: string } }
  /** A type implementing json.Unmarshaler (types.IPNet, ...): gets the raw value. */
  | { readonly k: 'json'; readonly name: string; readonly unmarshal: (raw: RawJson) => { value: unknown } | { error: GoDecodeError } };

export interface GoStruct {
  readonly k: 'struct';
  /** reflect.Type.Name() (`IPAMConfig`, used in error contexts); '' for anonymous structs. */
  readonly name: string;
  /** Package name, for reflect.Type.String() (`allocator.IPAMConfig`). */
  readonly pkg?: string;
  readonly fields: readonly GoField[];
}

export interface GoField {
  /** Key of the decoded JS object. */
  readonly key: string;
  /** The JSON name (tag name, or the Go field name when untagged). */
  readonly json: string;
  readonly type: GoType;
  /** An embedded struct (or pointer to struct) whose fields are promoted. */
  readonly embedded?: boolean;
}

/** An error of json.Unmarshal: a type error (with optional context) or any other error text. */
export type GoDecodeError =
  | { readonly kind: 'type'; readonly value: string; readonly type: string; struct?: string; field?: string }
  | { readonly kind: 'other'; readonly msg: string };

export function goErrorText(e: GoDecodeError): string {
  if (e.kind === 'other') return e.msg;
  if (e.struct !== undefined || e.field !== undefined) {
    return `json: cannot unmarshal ${e.value} into Go struct field ${e.struct ?? ''}.${e.field ?? ''} of type ${e.type}`;
  }
  return `json: cannot unmarshal ${e.value} into Go value of type ${e.type}`;
}

/** reflect.Type.String() of a descriptor. */
export function goTypeName(t: GoType): string {
  switch (t.k) {
    case 'string':
    case 'bool':
      return t.name ?? t.k;
    case 'int':
      return t.name ?? `${t.unsigned ? 'u' : ''}int${t.bits && t.bits !== 64 ? t.bits : ''}`;
    case 'float':
      return t.name ?? 'float64';
    case 'any':
      return 'interface {}';
    case 'ptr':
      return `*${goTypeName(t.elem)}`;
    case 'slice':
      return t.name ?? `[]${goTypeName(t.elem)}`;
    case 'map':
      return t.name ?? `map[string]${goTypeName(t.elem)}`;
    case 'struct':
      return t.name === '' ? 'struct {...}' : t.pkg ? `${t.pkg}.${t.name}` : t.name;
    case 'text':
    case 'json':
      return t.name;
  }
}

/** Zero value of a Go type, in the decoded representation. */
export function goZero(t: GoType): unknown {
  switch (t.k) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'float':
      return 0;
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) o[f.key] = goZero(f.type); // an embedded pointer is nil, an embedded struct zero
      return o;
    }
    default:
      return undefined; // nil pointer, slice, map, interface, net.IP...
  }
}

class Abort {
  constructor(readonly err: GoDecodeError) {}
}

interface DecState {
  saved?: GoDecodeError;
  structName?: string;
  fieldStack: string[];
}

function withContext(st: DecState, e: GoDecodeError): GoDecodeError {
  if (e.kind === 'type' && (st.structName !== undefined || st.fieldStack.length > 0)) {
    return { ...e, struct: st.structName ?? '', field: st.fieldStack.join('.') };
  }
  return e;
}

function save(st: DecState, e: GoDecodeError): void {
  if (st.saved === undefined) st.saved = withContext(st, e);
}

const kindWord = (r: RawJson): string =>
  r.t === 'obj' ? 'object' : r.t === 'arr' ? 'array' : r.t === 'str' ? 'string' : r.t === 'num' ? 'number' : r.t === 'bool' ? 'bool' : 'null';

/** Go's EqualFold-style key match (ASCII case folding is what configs need). */
function foldEq(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

interface FlatField {
  readonly path: readonly GoField[];
  readonly json: string;
}

/** Fields visible at a struct's top level, embedded ones promoted (encoding/json typeFields, simplified: no conflicts). */
function flatFields(s: GoStruct): FlatField[] {
  const out: FlatField[] = [];
  for (const f of s.fields) {
    if (f.embedded) {
      const inner = f.type.k === 'ptr' ? f.type.elem : f.type;
      if (inner.k === 'struct') {
        for (const sub of flatFields(inner)) {
          if (!s.fields.some((o) => !o.embedded && o.json === sub.json)) out.push({ path: [f, ...sub.path], json: sub.json });
        }
        continue;
      }
    }
    out.push({ path: [f], json: f.json });
  }
  return out;
}

/** Decode a raw value into a Go type; `cur` is the current value (Go decodes into existing values). */
function decodeValue(st: DecState, t: GoType, raw: RawJson, cur: unknown): unknown {
  switch (t.k) {
    case 'ptr': {
      if (raw.t === 'null') return undefined;
      // A pointer to a TextUnmarshaler reports type errors with the pointer type.
      if (t.elem.k === 'text' && raw.t !== 'str') {
        save(st, { kind: 'type', value: kindWord(raw), type: goTypeName(t) });
        return cur;
      }
      return decodeValue(st, t.elem, raw, cur ?? goZero(t.elem));
    }
    case 'json': {
      const r = t.unmarshal(raw);
      if ('error' in r) throw new Abort(r.error);
      return r.value;
    }
    case 'text': {
      // indirect() skips TextUnmarshaler when decoding null: the value becomes nil.
      if (raw.t === 'null') return undefined;
      if (raw.t !== 'str') {
        save(st, { kind: 'type', value: kindWord(raw), type: t.name });
        return cur;
      }
      const r = t.parse(raw.v);
      if ('error' in r) throw new Abort({ kind: 'other', msg: r.error });
      return r.value;
    }
    case 'any':
      return raw.t === 'null' ? undefined : toPlain(raw);
    default:
      break;
  }
  if (raw.t === 'null') {
    if (t.k === 'slice' || t.k === 'map') return undefined;
    return cur;
  }
  switch (t.k) {
    case 'string':
      if (raw.t === 'str') return raw.v;
      break;
    case 'bool':
      if (raw.t === 'bool') return raw.v;
      break;
    case 'int':
      if (raw.t === 'num') {
        if (!/^-?\d+$/.test(raw.raw)) {
          save(st, { kind: 'type', value: `number ${raw.raw}`, type: goTypeName(t) });
          return cur;
        }
        const v = BigInt(raw.raw);
        const bits = BigInt(t.bits ?? 64);
        const min = t.unsigned ? 0n : -(1n << (bits - 1n));
        const max = t.unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
        if (v < min || v > max) {
          save(st, { kind: 'type', value: `number ${raw.raw}`, type: goTypeName(t) });
          return cur;
        }
        return Number(v);
      }
      break;
    case 'float':
      if (raw.t === 'num') return Number(raw.raw);
      break;
    case 'slice':
      if (raw.t === 'arr') {
        const out: unknown[] = [];
        raw.items.forEach((it, idx) => out.push(decodeValue(st, t.elem, it, (Array.isArray(cur) ? cur[idx] : undefined) ?? goZero(t.elem))));
        return out;
      }
      break;
    case 'map':
      if (raw.t === 'obj') {
        const out: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, (cur as Record<string, unknown>) ?? {});
        for (const [k, v] of raw.entries) out[k] = decodeValue(st, t.elem, v, goZero(t.elem));
        return out;
      }
      break;
    case 'struct':
      if (raw.t === 'obj') return decodeStruct(st, t, raw, cur);
      break;
  }
  save(st, { kind: 'type', value: kindWord(raw), type: goTypeName(t) });
  return cur;
}

function decodeStruct(st: DecState, t: GoStruct, raw: Extract<RawJson, { t: 'obj' }>, cur: unknown): unknown {
  const out: Record<string, unknown> = { ...((cur as Record<string, unknown>) ?? (goZero(t) as Record<string, unknown>)) };
  const fields = flatFields(t);
  for (const [key, v] of raw.entries) {
    const f = fields.find((x) => x.json === key) ?? fields.find((x) => foldEq(x.json, key));
    if (!f) continue; // unknown keys are ignored
    const savedStack = st.fieldStack.length;
    const savedStruct = st.structName;
    st.fieldStack.push(f.json);
    st.structName = t.name;
    // Walk embedded pointers, allocating them (reflect's FieldByIndex with allocation).
    let holder = out;
    for (let p = 0; p < f.path.length - 1; p++) {
      const ef = f.path[p]!;
      const inner = ef.type.k === 'ptr' ? ef.type.elem : ef.type;
      const existing = holder[ef.key] as Record<string, unknown> | undefined;
      const next = { ...(existing ?? (goZero(inner) as Record<string, unknown>)) };
      holder[ef.key] = next;
      holder = next;
    }
    const leaf = f.path[f.path.length - 1]!;
    holder[leaf.key] = decodeValue(st, leaf.type, v, holder[leaf.key]);
    st.fieldStack.length = savedStack;
    st.structName = savedStruct;
  }
  return out;
}

/** A raw value as plain JS (interface{}): objects keep key order; numbers are float64. */
export function toPlain(raw: RawJson): unknown {
  switch (raw.t) {
    case 'obj': {
      const o: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of raw.entries) o[k] = toPlain(v);
      return o;
    }
    case 'arr':
      return raw.items.map(toPlain);
    case 'str':
      return raw.v;
    case 'num':
      return Number(raw.raw);
    case 'bool':
      return raw.v;
    case 'null':
      return null;
  }
}

export type GoDecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * json.Unmarshal(text, &v) with v of type `t`: the value (zero values for
 * absent fields) or Go's error text. Syntax errors are reported first.
 */
export function goUnmarshal<T = Record<string, unknown>>(text: string, t: GoType, initial?: Partial<T>): GoDecodeResult<T> {
  let raw: RawJson;
  try {
    raw = goParse(text);
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  return goDecodeRaw<T>(raw, t, initial);
}

/** Typed decoding of an already parsed value. */
export function goDecodeRaw<T>(raw: RawJson, t: GoType, initial?: Partial<T>): GoDecodeResult<T> {
  const r = goDecodeRawErr<T>(raw, t, initial);
  return 'error' in r ? { ok: false, error: goErrorText(r.error) } : { ok: true, value: r.value };
}

/**
 * Typed decoding returning Go's error value rather than its text: what an
 * UnmarshalJSON method that calls json.Unmarshal itself returns to the outer
 * decoder (which then adds its own struct/field context to a type error).
 */
export function goDecodeRawErr<T>(raw: RawJson, t: GoType, initial?: Partial<T>): { value: T } | { error: GoDecodeError } {
  const st: DecState = { fieldStack: [] };
  try {
    // Go decodes into the value it is given (e.g. a NetConf whose BrName is already "cni0").
    const start = initial === undefined ? goZero(t) : { ...(goZero(t) as object), ...initial };
    const value = decodeValue(st, t, raw, start);
    if (st.saved) return { error: st.saved };
    return { value: value as T };
  } catch (e) {
    if (e instanceof Abort) return { error: withContext(st, e.err) };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Encoding.

/**
 * A Go map value for the encoder: Go marshals map keys sorted, whereas plain
 * objects (structs) keep their insertion order.
 */
export class GoMap {
  constructor(readonly entries: Readonly<Record<string, GoJson>>) {}
}

export type GoJson = null | undefined | boolean | number | string | readonly GoJson[] | GoMap | { readonly [k: string]: GoJson };

/** Go's encodeState.string with escapeHTML = true. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of wellFormed(s)) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json's floatEncoder chooses. */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f}`);
  if (Object.is(f, -0)) return '-0';
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // JS prints 1e-7 and 1e+21, the same cleanup Go applies to e-07/e+21.
    return f.toExponential().replace(/e([+-])(\d)$/, 'e$10$2').replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return String(f);
}

/** json.MarshalIndent(v, "", indent) (indent '' gives json.Marshal). Undefined fields are omitted (omitempty). */
export function goMarshal(v: GoJson, indent = '    '): string {
  const enc = (x: GoJson, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return goFloat(x);
    if (typeof x === 'string') return goQuote(x);
    const nl = indent === '' ? '' : '\n' + indent.repeat(depth + 1);
    const close = indent === '' ? '' : '\n' + indent.repeat(depth);
    const sep = indent === '' ? ':' : ': ';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + (x as GoJson[]).map((e) => nl + enc(e, depth + 1)).join(',') + close + ']';
    }
    let entries: [string, GoJson][];
    if (x instanceof GoMap) {
      entries = Object.keys(x.entries)
        .sort(compareUtf8)
        .map((k) => [k, x.entries[k]!] as [string, GoJson]);
    } else {
      entries = Object.entries(x as Record<string, GoJson>).filter(([, e]) => e !== undefined);
    }
    if (entries.length === 0) return '{}';
    return '{' + entries.map(([k, e]) => nl + goQuote(k) + sep + enc(e, depth + 1)).join(',') + close + '}';
  };
  return enc(v, 0);
}

/** Plain decoded interface{} values (objects from toPlain) re-encoded as Go maps (sorted keys). */
export function plainToGo(v: unknown): GoJson {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(plainToGo);
  if (typeof v === 'object') {
    const o: Record<string, GoJson> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = plainToGo(x);
    return new GoMap(o);
  }
  return v as GoJson;
}
