/**
 * YAML scenarios: load (parse + validate, with source positions), run (build
 * the world, play the steps, check the expectations), narrate traces.
 * Pure: no filesystem, process or console (src/cli does those).
 */
export { loadScenario, type LoadOptions, type LoadResult } from './load.js';
export { runScenario, stepIndex, Runner, headerAtEnd, packetHops, type RunReport, type StepReport, type Check, type ProbeReport, type TranscriptEntry, type Place, type RunOptions as ScenarioRunOptions } from './run.js';
export { narrate, placeLabel, type NarrateOptions } from './narrate.js';
export { formatIssue, posOf, type Issue, type Pos, type Scenario, type Step } from './types.js';
export { parseRef, formatRef, type ParsedRef, type RefKind } from './refs.js';
export { API_VERSION, STEP_KIND_NAMES } from './schema.js';
