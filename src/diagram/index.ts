/**
 * Teaching visuals: World (+ a trace) -> a graph model -> DOT, Mermaid or SVG.
 * Pure (no filesystem or DOM), so the CLI and the web page share it.
 */
export { buildGraph, shellPlacement, elementId, boxKey, nsKey, devKey, edgeKey, nsTitle, type BuildOptions } from './graph.js';
export { traceOverlay, overlayPath, hopViews, formatHeader, natChanged, packetHopIndexes } from './overlay.js';
export { toDot, deviceText, type DotOptions } from './dot.js';
export { toMermaid, mermaidId } from './mermaid.js';
export { renderSvg, graphviz } from './svg.js';
export { scenarioDiagram, scenarioPlacement, type ScenarioDiagram, type ProbeRequest, type ProbeKind } from './scenario.js';
export type * from './types.js';
