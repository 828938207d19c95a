/** Small typed readers for the loosely typed JSON iproute2 prints. */

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

export function str(o: Obj | undefined, k: string): string | undefined {
  const v = o?.[k];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: Obj | undefined, k: string): number | undefined {
  const v = o?.[k];
  return typeof v === 'number' ? v : undefined;
}

export function bool(o: Obj | undefined, k: string): boolean | undefined {
  const v = o?.[k];
  return typeof v === 'boolean' ? v : undefined;
}

export function sub(o: Obj | undefined, k: string): Obj | undefined {
  const v = o?.[k];
  return isObj(v) ? v : undefined;
}

export function strs(o: Obj | undefined, k: string): string[] {
  const v = o?.[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** iproute2 prints flag-like attributes as `"key": null` or `"key": true`. */
export function has(o: Obj | undefined, k: string): boolean {
  return o !== undefined && Object.prototype.hasOwnProperty.call(o, k) && o[k] !== false;
}
