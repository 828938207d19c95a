/**
 * SHA-1, SHA-256 and SHA-512 of a string's UTF-8 bytes, as lower-case hex:
 * the digests the real tools use to derive names (the bridge plugin's
 * `CNI-<sha512>` chains, Calico's `cali<sha1>`, Cilium's `lxc<sha256>`...).
 * Pure TypeScript so the core runs in a browser (node:crypto is Node-only);
 * test/model/hash.test.ts checks them against node:crypto.
 */
import { utf8Bytes } from './bytes.js';

/** Pad a message the Merkle-Damgard way: 0x80, zeros, bit length (big-endian, `lenBytes` wide). */
function pad(msg: Uint8Array, block: number, lenBytes: number): Uint8Array {
  const total = Math.ceil((msg.length + 1 + lenBytes) / block) * block;
  const out = new Uint8Array(total);
  out.set(msg);
  out[msg.length] = 0x80;
  const bits = msg.length * 8;
  // Messages here are far below 2^53 bits: the high words stay zero.
  const view = new DataView(out.buffer);
  view.setUint32(total - 4, bits >>> 0);
  view.setUint32(total - 8, Math.floor(bits / 0x100000000));
  return out;
}

const hex32 = (words: ArrayLike<number>): string => {
  let s = '';
  for (let i = 0; i < words.length; i++) s += (words[i]! >>> 0).toString(16).padStart(8, '0');
  return s;
};

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

export function sha1Hex(text: string): string {
  const m = pad(utf8Bytes(text), 64, 8);
  const v = new DataView(m.buffer);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Int32Array(80);
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = v.getInt32(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const t = (rotl(a, 5) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
  return hex32(h);
}

const K256 = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

export function sha256Hex(text: string): string {
  const m = pad(utf8Bytes(text), 64, 8);
  const v = new DataView(m.buffer);
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w = new Int32Array(64);
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = v.getInt32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K256[i]! + w[i]!) | 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + hh) | 0;
  }
  return hex32(h);
}

/** SHA-512 round constants, as [hi, lo] 32-bit halves. */
const K512 = [
  '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b',
  'ab1c5ed5da6d8118', 'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1',
  '9bdc06a725c71235', 'c19bf174cf692694', 'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275',
  '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5', '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4',
  'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70', '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed',
  '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b', 'a2bfe8a14cf10364', 'a81a664bbc423001',
  'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8', '19a4c116b8d2d0c8',
  '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
  '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915',
  'c67178f2e372532b', 'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6',
  '113f9804bef90dae', '1b710b35131c471b', '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6',
  '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
].map((x) => [parseInt(x.slice(0, 8), 16) | 0, parseInt(x.slice(8), 16) | 0] as const);

export function sha512Hex(text: string): string {
  const m = pad(utf8Bytes(text), 128, 16);
  const v = new DataView(m.buffer);
  // State and schedule as interleaved [hi, lo] 32-bit words.
  const H = Int32Array.from(
    ['6a09e667f3bcc908', 'bb67ae8584caa73b', '3c6ef372fe94f82b', 'a54ff53a5f1d36f1', '510e527fade682d1', '9b05688c2b3e6c1f', '1f83d9abfb41bd6b', '5be0cd19137e2179'].flatMap((x) => [
      parseInt(x.slice(0, 8), 16) | 0,
      parseInt(x.slice(8), 16) | 0,
    ]),
  );
  const W = new Int32Array(160);
  // 64-bit add of (ah,al)+(bh,bl): returns hi, sets `lo` via closure-free pair.
  let lo = 0;
  const add = (ah: number, al: number, bh: number, bl: number): number => {
    const l = (al >>> 0) + (bl >>> 0);
    lo = l | 0;
    return (ah + bh + (l > 0xffffffff ? 1 : 0)) | 0;
  };
  // rotr64 halves.
  const rh = (h: number, l: number, n: number): number => (n < 32 ? (h >>> n) | (l << (32 - n)) : (l >>> (n - 32)) | (h << (64 - n)));
  const rl = (h: number, l: number, n: number): number => (n < 32 ? (l >>> n) | (h << (32 - n)) : (h >>> (n - 32)) | (l << (64 - n)));
  for (let off = 0; off < m.length; off += 128) {
    for (let i = 0; i < 32; i++) W[i] = v.getInt32(off + i * 4);
    for (let i = 16; i < 80; i++) {
      const xh = W[(i - 15) * 2]!, xl = W[(i - 15) * 2 + 1]!;
      const yh = W[(i - 2) * 2]!, yl = W[(i - 2) * 2 + 1]!;
      const s0h = rh(xh, xl, 1) ^ rh(xh, xl, 8) ^ (xh >>> 7);
      const s0l = rl(xh, xl, 1) ^ rl(xh, xl, 8) ^ ((xl >>> 7) | (xh << 25));
      const s1h = rh(yh, yl, 19) ^ rh(yh, yl, 61) ^ (yh >>> 6);
      const s1l = rl(yh, yl, 19) ^ rl(yh, yl, 61) ^ ((yl >>> 6) | (yh << 26));
      let h = add(W[(i - 16) * 2]!, W[(i - 16) * 2 + 1]!, s0h, s0l);
      h = add(h, lo, W[(i - 7) * 2]!, W[(i - 7) * 2 + 1]!);
      h = add(h, lo, s1h, s1l);
      W[i * 2] = h;
      W[i * 2 + 1] = lo;
    }
    const s = Int32Array.from(H);
    for (let i = 0; i < 80; i++) {
      const [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl] = s as unknown as number[] as [
        number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
      ];
      const S1h = rh(eh, el, 14) ^ rh(eh, el, 18) ^ rh(eh, el, 41);
      const S1l = rl(eh, el, 14) ^ rl(eh, el, 18) ^ rl(eh, el, 41);
      const chh = (eh & fh) ^ (~eh & gh);
      const chl = (el & fl) ^ (~el & gl);
      const k = K512[i]!;
      let t1h = add(hh, hl, S1h, S1l);
      t1h = add(t1h, lo, chh, chl);
      t1h = add(t1h, lo, k[0], k[1]);
      t1h = add(t1h, lo, W[i * 2]!, W[i * 2 + 1]!);
      const t1l = lo;
      const S0h = rh(ah, al, 28) ^ rh(ah, al, 34) ^ rh(ah, al, 39);
      const S0l = rl(ah, al, 28) ^ rl(ah, al, 34) ^ rl(ah, al, 39);
      const mh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const ml = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2h = add(S0h, S0l, mh, ml);
      const t2l = lo;
      s.copyWithin(2, 0, 14); // h=g, g=f, f=e, e=d, d=c, c=b, b=a (e fixed below)
      s[8] = add(dh, dl, t1h, t1l);
      s[9] = lo;
      s[0] = add(t1h, t1l, t2h, t2l);
      s[1] = lo;
    }
    for (let i = 0; i < 16; i += 2) {
      H[i] = add(H[i]!, H[i + 1]!, s[i]!, s[i + 1]!);
      H[i + 1] = lo;
    }
  }
  return hex32(H);
}
