/**
 * DOT -> SVG in-process with Graphviz compiled to WebAssembly (@viz-js/viz:
 * the wasm is inlined in the package's JavaScript, so there is no download,
 * no system `dot`, and the same code runs in Node and in the browser).
 * The instance is created once (compiling the module takes ~100 ms).
 */
import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

export function graphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/** Render DOT text as an SVG document (throws with Graphviz's message on bad input). */
export async function renderSvg(dot: string): Promise<string> {
  return (await graphviz()).renderString(dot, { format: 'svg', engine: 'dot' });
}
