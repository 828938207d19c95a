import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, compareUtf8, latin1Decode, utf8Bytes, utf8Decode, utf8Length } from '../../src/model/bytes.js';
import { sha1Hex, sha256Hex, sha512Hex } from '../../src/model/hash.js';

const node = (alg: string, s: string): string => createHash(alg).update(s, 'utf8').digest('hex');

describe('pure hashes agree with node:crypto', () => {
  it('on known vectors and block boundaries', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha1Hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(sha512Hex('')).toBe('cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e');
    for (let n = 0; n < 260; n++) {
      const s = 'x'.repeat(n);
      expect(sha1Hex(s)).toBe(node('sha1', s));
      expect(sha256Hex(s)).toBe(node('sha256', s));
      expect(sha512Hex(s)).toBe(node('sha512', s));
    }
  });
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(sha1Hex(s)).toBe(node('sha1', s));
        expect(sha256Hex(s)).toBe(node('sha256', s));
        expect(sha512Hex(s)).toBe(node('sha512', s));
      }),
      { numRuns: 300 },
    );
  });
});

describe('byte helpers agree with Buffer', () => {
  it('encode, decode, compare, base64', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.uint8Array({ maxLength: 70 }), (a, b, bytes) => {
        expect(utf8Length(a)).toBe(Buffer.byteLength(a, 'utf8'));
        expect(Math.sign(compareUtf8(a, b))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(utf8Decode(bytes)).toBe(Buffer.from(bytes).toString('utf8'));
        expect(latin1Decode(bytes)).toBe(Buffer.from(bytes).toString('latin1'));
        expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect([...base64Decode(Buffer.from(bytes).toString('base64'))]).toEqual([...bytes]);
        expect([...utf8Bytes(a)]).toEqual([...Buffer.from(a, 'utf8')]);
      }),
      { numRuns: 300 },
    );
  });
});
