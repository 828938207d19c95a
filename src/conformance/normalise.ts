/**
 * Conformance normalisation and golden-file format.
 *
 * This module is the contract between the kernel recorder
 * (scripts/conformance-record.ts) and the twin-side conformance test: both
 * split a script into sections with {@link splitScriptCommands}, run it, and
 * pass every section's raw output through {@link normalise} before comparing.
 * It is pure (no I/O) so the twin test can import it anywhere.
 *
 * Normalisation is deliberately conservative: it only rewrites values that
 * differ between two runs on the same kernel (times, random MACs, interface
 * indexes, random veth names, IPv6 link-local addresses, iptables-save
 * timestamps). Key order in JSON, counters, TTLs, error wording and exit codes
 * are left untouched. See docs/conformance.md.
 */

/** One section of a golden file: the output of one top-level script command. */
export type Section = {
  /** 1-based line number of the command line in the script. */
  line: number;
  /** The command line as written in the script (trimmed). */
  command: string;
  /** Normalised output (stdout+stderr merged); '' for unstable sections. */
  output: string;
  /** True when two kernel recordings disagreed; the section is not compared. */
  unstable: boolean;
};

/** One top-level command of a conformance script. */
export type ScriptCommand = {
  /** 1-based line number of the command line. */
  line: number;
  /** The command line, trimmed (for a here-document: the `cat > f <<'EOF'` line only). */
  command: string;
  /** Full source of the command: the line itself plus, for a here-document, its body and terminator line. */
  source: string;
};

/** Final body line of a section whose output did not end with a newline. */
export const NO_NEWLINE_MARKER = "\\ No newline at end of section";

const HEADER_RE = /^@@ (\d+) \$ (.*?)( \[unstable\])?$/;
const HEREDOC_RE = /<<(-?)[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\2/;

/**
 * Split a conformance script into its top-level commands. Blank lines and
 * lines whose first non-blank character is `#` are not commands. A line
 * containing a here-document operator (`<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF`)
 * takes its body and terminator line with it into one section.
 */
export function splitScriptCommands(script: string): ScriptCommand[] {
  const lines = script.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const out: ScriptCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const src: string[] = [raw];
    const hd = HEREDOC_RE.exec(trimmed);
    const startLine = i + 1;
    if (hd) {
      const stripTabs = hd[1] === "-";
      const delim = hd[3] ?? "";
      while (i + 1 < lines.length) {
        i++;
        const body = (lines[i] ?? "").replace(/\r$/, "");
        src.push(body);
        const cmp = stripTabs ? body.replace(/^\t+/, "") : body;
        if (cmp === delim) break;
      }
    }
    out.push({ line: startLine, command: trimmed, source: src.join("\n") });
  }
  return out;
}

// ---------------------------------------------------------------------------
// normalise

const OPERSTATES = "UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT|NOTPRESENT|TESTING";
const BR_LINE_RE = new RegExp(`^\\S+\\s+(?:${OPERSTATES})\\s`);
const MAC_RE =
  /(?<![0-9A-Fa-f:])([0-9a-f]{2})((?::[0-9a-f]{2}){5})(?![0-9A-Fa-f:])/g;

/**
 * True for MAC addresses that are kept verbatim: all-zero, all-ff, group
 * (multicast) addresses such as 33:33:00:00:00:01 or 01:00:5e:00:00:01, and
 * addresses in 02:00:00:xx:xx:xx, which scripts assign explicitly to get
 * deterministic MACs (the kernel never generates them in practice).
 */
function keepMac(mac: string): boolean {
  if (mac === "00:00:00:00:00:00") return true;
  const first = parseInt(mac.slice(0, 2), 16);
  if ((first & 1) === 1) return true; // group address (includes ff:ff:ff:ff:ff:ff)
  if (mac.startsWith("02:00:00:")) return true;
  return false;
}

/** Remove IPv6 link-local address objects from `ip -j` addr_info arrays. */
function dropJsonLinkLocal(line: string): string {
  const obj = /\{"family":"inet6","local":"fe80:[^{}]*\}/;
  if (!obj.test(line)) return line;
  return line.replace(
    /(,?)\{"family":"inet6","local":"fe80:[^{}]*\}(,?)/g,
    (_m, before: string, after: string) => (before && after ? "," : ""),
  );
}

/**
 * Normalise the merged stdout+stderr of one command (one section), kernel or
 * twin. Rules, in order:
 *  1. IPv6 link-local addresses: text `inet6 fe80::…` lines and their
 *     `valid_lft` continuation line are dropped; `-br` tokens `fe80::…/64 `
 *     are dropped; JSON addr_info objects for fe80:: are dropped.
 *  2. The IPv6 `tentative` flag (text and JSON) is dropped.
 *  3. ping: `time=0.110 ms` → `time=T ms`; `time 1029ms` → `time Tms`;
 *     `rtt min/avg/max/mdev = a/b/c/d ms` → `… = T/T/T/T ms`.
 *  4. traceroute hop lines: every `0.090 ms` → `T ms`.
 *  5. iptables-save: the date after `# Generated by … on` / `# Completed on`
 *     becomes `DATE`.
 *  6. Interface indexes: `3: veth-a@if2: <` → `N: veth-a@ifN: <`, `-br`
 *     `veth-a@if2 ` → `veth-a@ifN `, `link-netnsid 0` → `link-netnsid N`,
 *     JSON `"ifindex":3`, `"link_index":2`, `"link_netnsid":0` → `…:N`.
 *  7. Random veth names (`veth` + 8 hex digits, as CNI creates) → `vethXXXXXXXX`.
 *  8. Unicast MAC addresses → `MAC`, except 00:00:00:00:00:00 and
 *     02:00:00:xx:xx:xx (script-assigned); group addresses (incl. ff:…:ff) stay.
 *  9. Bridge and bridge-port timers of `ip -d link` (`gc_timer    0.10`,
 *     JSON `"gc_timer":0.1`) → `T`: they are seconds left on a running
 *     kernel timer (the FDB garbage collector runs on every up bridge), so
 *     two runs print 0.10 and 0.09.
 */
export function normalise(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i] ?? "";
    // 1. link-local addresses (text form: address line + lifetime line)
    if (/^\s+inet6 fe80:[0-9a-f:]*\/\d+ /.test(l)) {
      const next = lines[i + 1];
      if (next !== undefined && /^\s+valid_lft /.test(next)) i++;
      continue;
    }
    if (BR_LINE_RE.test(l)) l = l.replace(/(?<=\s)fe80:[0-9a-f:]*\/\d+ /g, "");
    l = dropJsonLinkLocal(l);
    // 2. tentative
    if (/^\s+inet6 /.test(l)) l = l.replace(/ tentative(?= )/, "");
    l = l.replace(/"tentative":true,/g, "");
    // 3. ping
    l = l.replace(/\btime=\d+(?:\.\d+)? ms\b/g, "time=T ms");
    if (/packets transmitted/.test(l))
      l = l.replace(/, time \d+ms$/, ", time Tms");
    l = l.replace(
      /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/,
      "rtt min/avg/max/mdev = T/T/T/T ms",
    );
    // 4. traceroute hop lines: " 1  10.0.0.1  0.090 ms  0.031 ms"
    if (/^ ?\d+ {2}/.test(l)) l = l.replace(/\b\d+\.\d+ ms\b/g, "T ms");
    // 5. iptables-save timestamps
    l = l.replace(/^(# Generated by iptables-save .*? on ).*$/, "$1DATE");
    l = l.replace(/^# Completed on .*$/, "# Completed on DATE");
    // 6. interface indexes
    l = l.replace(
      /^\d+: ([^\s:@]+)(@(?:if\d+|[^\s:]+))?: </,
      (_m, name: string, at: string | undefined) => {
        const suffix =
          at === undefined ? "" : /^@if\d+$/.test(at) ? "@ifN" : at;
        return `N: ${name}${suffix}: <`;
      },
    );
    l = l.replace(/^([^\s@]+)@if\d+(?=\s)/, "$1@ifN");
    l = l.replace(/\blink-netnsid \d+\b/g, "link-netnsid N");
    l = l.replace(/"(ifindex|link_index|link_netnsid)":\d+/g, '"$1":N');
    // 7. random veth names
    l = l.replace(/\bveth[0-9a-f]{8}\b/g, "vethXXXXXXXX");
    // 8. MAC addresses
    l = l.replace(MAC_RE, (m: string) => (keepMac(m) ? m : "MAC"));
    // 9. bridge timers
    l = l.replace(/\b([a-z_]+_timer)( +)\d+\.\d+/g, "$1$2T");
    l = l.replace(/"([a-z_]+_timer)":\d+(?:\.\d+)?/g, '"$1":T');
    out.push(l);
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------
// golden files

/** Render sections as a golden file (always ends with a newline). */
export function formatGolden(sections: Section[]): string {
  let s = "";
  for (const sec of sections) {
    s += `@@ ${sec.line} $ ${sec.command}${sec.unstable ? " [unstable]" : ""}\n`;
    if (sec.unstable || sec.output === "") continue;
    s += sec.output;
    if (!sec.output.endsWith("\n")) s += `\n${NO_NEWLINE_MARKER}\n`;
  }
  return s;
}

/** Parse a golden file produced by {@link formatGolden}. Throws on malformed input. */
export function parseGolden(text: string): Section[] {
  // A script with no command sections (e.g. import probes of a topology with nothing to probe).
  if (text === "") return [];
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  if (endsWithNewline) lines.pop();
  const sections: Section[] = [];
  let cur: { sec: Section; body: string[] } | null = null;
  const flush = () => {
    if (!cur) return;
    let out = cur.body.length > 0 ? cur.body.join("\n") + "\n" : "";
    if (
      cur.body.length > 0 &&
      cur.body[cur.body.length - 1] === NO_NEWLINE_MARKER
    ) {
      out = cur.body.slice(0, -1).join("\n");
    }
    if (cur.sec.unstable && out !== "") {
      throw new Error(
        `golden: unstable section at line ${cur.sec.line} has a body`,
      );
    }
    cur.sec.output = out;
    sections.push(cur.sec);
    cur = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? "";
    const m = HEADER_RE.exec(l);
    if (m) {
      flush();
      cur = {
        sec: {
          line: Number(m[1]),
          command: m[2] ?? "",
          output: "",
          unstable: m[3] !== undefined,
        },
        body: [],
      };
      continue;
    }
    if (!cur)
      throw new Error(
        `golden: text before the first section header (line ${i + 1})`,
      );
    cur.body.push(l);
  }
  flush();
  for (let i = 1; i < sections.length; i++) {
    if ((sections[i]?.line ?? 0) <= (sections[i - 1]?.line ?? 0)) {
      throw new Error(
        `golden: section line numbers not increasing at section ${i + 1}`,
      );
    }
  }
  return sections;
}
