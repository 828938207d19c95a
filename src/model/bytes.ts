/**
 * Byte helpers that run the same in Node and in a browser (the core must not
 * use Node's Buffer or node:crypto: `podnet serve` runs it in the page).
 * TextEncoder/TextDecoder are globals in both; decoding replaces invalid UTF-8
 * with U+FFFD per maximal subpart, as Buffer#toString('utf8') does.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** UTF-8 bytes of a string (Buffer.from(s, 'utf8')). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A string from UTF-8 bytes (Buffer#toString('utf8')). */
export function utf8Decode(b: Uint8Array | readonly number[]): string {
  return decoder.decode(b instanceof Uint8Array ? b : Uint8Array.from(b));
}

/** One character per byte (Buffer#toString('latin1')). */
export function latin1Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Length in UTF-8 bytes (Buffer.byteLength(s, 'utf8'), Go's len(s)). */
export function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** Byte-wise order of the UTF-8 encodings (Buffer.compare; Go's sort.Strings). */
export function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (Buffer#toString('base64'), Go's base64.StdEncoding). */
export function base64Encode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < b.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < b.length ? B64[n & 63]! : '=';
  }
  return out;
}

/**
 * Decode base64 (standard alphabet; padding optional). Like Buffer.from(s,
 * 'base64') it stops at the first character outside the alphabet; callers
 * validate first where the original tool would refuse.
 */
export function base64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) break;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
