import { describe, expect, it } from 'vitest';
import { goMarshal, GoMap, goUnmarshal, type GoStruct } from '../../src/cni-emulator/gojson.js';
import { NET_IP, TYPES_IPNET } from '../../src/cni-emulator/goip.js';

const NAME: GoStruct = { k: 'struct', name: '', fields: [{ key: 'name', json: 'name', type: { k: 'string' } }] };

describe('Go syntax errors (encoding/json scanner texts, as the 1.1.1 binaries print them)', () => {
  const err = (text: string): string => {
    const r = goUnmarshal(text, NAME);
    return r.ok ? 'ok' : r.error;
  };
  it('reports truncation as unexpected end of input', () => {
    expect(err('')).toBe('unexpected end of JSON input');
    expect(err('{"name":"x",')).toBe('unexpected end of JSON input');
    expect(err('{')).toBe('unexpected end of JSON input');
  });
  it('names the offending byte and the scanner state', () => {
    expect(err('{"name":"n"} {}')).toBe("invalid character '{' after top-level value");
    expect(err('{"a":1 "b":2}')).toBe('invalid character \'"\' after object key:value pair');
    expect(err('{"name":net}')).toBe("invalid character 'e' in literal null (expecting 'u')");
    expect(err('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(err('[1,]')).toBe("invalid character ']' looking for beginning of value");
    expect(err('{"a":"\n"}')).toBe("invalid character '\\n' in string literal");
    expect(err("{'a':1}")).toBe("invalid character '\\'' looking for beginning of object key string");
    expect(err('{"a":01}')).toBe("invalid character '1' after object key:value pair");
    expect(err('{"a":1.}')).toBe("invalid character '}' after decimal point in numeric literal");
  });
});

describe('typed decoding', () => {
  it('reports the first type error with the Go struct and field path', () => {
    const r = goUnmarshal('{"name":5}', NAME);
    expect(r).toEqual({ ok: false, error: 'json: cannot unmarshal number into Go struct field .name of type string' });
  });
  it('matches keys case-insensitively, an exact match first, the last duplicate winning', () => {
    const t: GoStruct = { k: 'struct', name: 'T', fields: [{ key: 's', json: 'subnet', type: { k: 'string' } }] };
    expect(goUnmarshal('{"SUBNET":"a"}', t)).toEqual({ ok: true, value: { s: 'a' } });
    expect(goUnmarshal('{"subnet":"a","Subnet":"b"}', t)).toEqual({ ok: true, value: { s: 'b' } });
  });
  it('lets an Unmarshaler error abort, overriding an earlier saved type error', () => {
    const t: GoStruct = {
      k: 'struct',
      name: 'R',
      pkg: 'p',
      fields: [
        { key: 'd', json: 'dataDir', type: { k: 'string' } },
        { key: 'g', json: 'gateway', type: NET_IP },
      ],
    };
    expect(goUnmarshal('{"dataDir":5,"gateway":"x"}', t)).toEqual({ ok: false, error: 'invalid IP address: x' });
    expect(goUnmarshal('{"dataDir":5,"gateway":null}', t)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal number into Go struct field R.dataDir of type string',
    });
  });
  it('gives an inner type error of a json.Unmarshaler the outer context', () => {
    const t: GoStruct = { k: 'struct', name: 'IPAMConfig', fields: [{ key: 's', json: 'subnet', type: TYPES_IPNET }] };
    expect(goUnmarshal('{"subnet":5}', t)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal number into Go struct field IPAMConfig.subnet of type string',
    });
    expect(goUnmarshal('{"subnet":null}', t)).toEqual({ ok: false, error: 'invalid CIDR address: ' });
  });
});

describe('MarshalIndent', () => {
  it('indents with 4 spaces, omits undefined fields, keeps {} and [] compact, no trailing newline', () => {
    expect(goMarshal({ a: 1, b: undefined, c: {}, d: [], e: ['x'] })).toBe('{\n    "a": 1,\n    "c": {},\n    "d": [],\n    "e": [\n        "x"\n    ]\n}');
  });
  it('escapes HTML characters and control characters as Go does', () => {
    expect(goMarshal('a<b>&c\u2028\u0001\n"\\')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028\\u0001\\n\\"\\\\"');
  });
  it('sorts map keys bytewise', () => {
    expect(goMarshal(new GoMap({ b: 1, CNIVersion: 'x', a: 2 }), '')).toBe('{"CNIVersion":"x","a":2,"b":1}');
  });
});
