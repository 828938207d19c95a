/**
 * iproute2 prints some JSON numbers with a fixed format (timers as "%.2f":
 * `"gc_timer":0.00`) that JSON.stringify cannot produce. A value made with
 * rawJson() is a marked string that json() in ./link.ts unquotes after
 * stringifying. No imports: safe to use from any printer.
 */
const MARK = '\u0000RAW:';

/** A JSON value printed as `text`, unquoted. */
export function rawJson(text: string): string {
  return MARK + text;
}

/** Unquote the rawJson() values of a JSON.stringify() result. */
export function unquoteRaw(jsonText: string): string {
  return jsonText.replace(/"\\u0000RAW:([^"\\]*)"/g, '$1');
}
