/**
 * CNI_ARGS (`K=V;K=V`) as libcni's types.LoadArgs parses it into a plugin's
 * args struct: keys are Go field names (case-sensitive, promoted fields of an
 * embedded types.CommonArgs included), values go through the field type's
 * UnmarshalText, and unknown keys are fatal unless IgnoreUnknown is true.
 */
import { strconvQuote, quoteList } from './skel.js';
import { PluginError } from './types.js';

/** One field of an args struct: its Go name and UnmarshalText. */
export interface ArgField {
  readonly name: string;
  /** Returns the value, or an error text (wrapped as `ARGS: error parsing value of pair "K=V": <err>`). */
  readonly parse?: (v: string) => { value: unknown } | { error: string };
  /** Go type (pointer) for fields without UnmarshalText, e.g. '*types.CommonArgs'. */
  readonly notText?: string;
}

/** types.UnmarshallableBool */
export const boolArg = (name: string): ArgField => ({
  name,
  parse: (v) => {
    const s = v.toLowerCase();
    if (s === '1' || s === 'true') return { value: true };
    if (s === '0' || s === 'false') return { value: false };
    return { error: `boolean unmarshal error: invalid input ${s}` };
  },
});

/** types.UnmarshallableString */
export const stringArg = (name: string): ArgField => ({ name, parse: (v) => ({ value: v }) });

/** The fields every args struct embedding types.CommonArgs has. */
export const COMMON_ARGS: readonly ArgField[] = [{ name: 'CommonArgs', notText: '*types.CommonArgs' }, boolArg('IgnoreUnknown')];

/** types.LoadArgs: returns the parsed fields by Go name; throws PluginError with libcni's text. */
export function loadArgs(args: string, fields: readonly ArgField[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (args === '') return out;
  const unknown: string[] = [];
  for (const pair of args.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw new PluginError(`ARGS: invalid pair ${strconvQuote(pair)}`);
    const [k, v] = kv as [string, string];
    const f = fields.find((x) => x.name === k);
    if (!f) {
      unknown.push(pair);
      continue;
    }
    if (!f.parse) {
      throw new PluginError(`ARGS: cannot unmarshal into field '${k}' - type '${f.notText}' does not implement encoding.TextUnmarshaler`);
    }
    const r = f.parse(v);
    if ('error' in r) throw new PluginError(`ARGS: error parsing value of pair ${strconvQuote(pair)}: ${r.error}`);
    out[k] = r.value;
  }
  if (unknown.length > 0 && out['IgnoreUnknown'] !== true) throw new PluginError(`ARGS: unknown args ${quoteList(unknown)}`);
  return out;
}
