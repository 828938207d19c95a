/**
 * Every committed golden must parse, and its sections must be exactly the
 * top-level commands of its script (same line numbers, same command text), so
 * that the twin-side comparison pairs each section with the right command.
 * Runs without root: it only reads files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatGolden,
  parseGolden,
  splitScriptCommands,
} from "../../src/conformance/normalise.js";

const root = join(import.meta.dirname, "..", "..", "conformance");
const goldens = readdirSync(join(root, "golden"))
  .filter((f) => f.endsWith(".out"))
  .sort();

describe("conformance goldens", () => {
  it("exist", () => {
    expect(goldens.length).toBeGreaterThan(0);
  });

  for (const g of goldens) {
    it(`${g} parses and matches its script`, () => {
      const scriptPath = join(root, "scripts", g.replace(/\.out$/, ".sh"));
      expect(existsSync(scriptPath), `script for ${g}`).toBe(true);
      const text = readFileSync(join(root, "golden", g), "utf8");
      const sections = parseGolden(text);
      const cmds = splitScriptCommands(readFileSync(scriptPath, "utf8"));
      expect(sections.map((s) => [s.line, s.command])).toEqual(
        cmds.map((c) => [c.line, c.command]),
      );
      expect(formatGolden(sections)).toBe(text);
    });
  }
});
