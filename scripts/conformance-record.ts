/**
 * Record conformance goldens on the real kernel.
 *
 *   npm run conformance:record                      # record every script into conformance/golden/
 *   npm run conformance:record -- 07 12-route-get   # only these scripts (NN prefix or name)
 *   npm run conformance:record -- --out DIR         # write goldens somewhere else
 *   npm run conformance:record -- --check           # record into a temp dir, compare with the goldens
 *   npm run conformance:record -- --raw 07          # run once, print the raw (unnormalised) sections
 *   npm run conformance:record -- -v 07             # also print how unstable sections differed
 *
 * Every script runs twice, each time in a throwaway kernel "machine":
 *   unshare --net --mount --propagation private --pid --fork --mount-proc
 * with private tmpfs mounts on /run/netns and /var/lib/cni and `lo` up. The
 * script is rewritten into a bash script that prints a marker before every
 * top-level command (see MARK below), so the merged stdout+stderr can be cut
 * into sections. Both recordings are normalised; a section that differs
 * between them is written as `[unstable]`. At most 2 sandboxes run at a time.
 *
 * Without root or a working unshare the tool prints
 * "skipped: needs root and unshare" and exits 0, so CI can call it blindly.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  formatGolden,
  normalise,
  parseGolden,
  splitScriptCommands,
  type ScriptCommand,
  type Section,
} from "../src/conformance/normalise.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// `--suite DIR` records another set of scripts (e.g. examples/shell): scripts
// in DIR, goldens in DIR/golden, any `NAME.sh` file name.
let SCRIPTS_DIR = join(ROOT, "conformance", "scripts");
let GOLDEN_DIR = join(ROOT, "conformance", "golden");
let NAME_RE = /^\d+-[A-Za-z0-9-]+\.sh$/;
const CONCURRENCY = 2;
const RUNS = 2;
const TIMEOUT_MS = 240_000;

/** Marker line printed before each section: RS "@@PODNET <line>" RS LF (RS = 0x1e). */
const MARK_RE = /\x1e@@PODNET (\d+|END)\x1e\n/g;
const UNSHARE_ARGS = [
  "--net",
  "--mount",
  "--propagation",
  "private",
  "--pid",
  "--fork",
  "--mount-proc",
];
const STDBUF_LIB = "/usr/libexec/coreutils/libstdbuf.so";

type Options = {
  check: boolean;
  raw: boolean;
  verbose: boolean;
  out: string;
  names: string[];
};

function parseArgs(argv: string[]): Options {
  const o: Options = {
    check: false,
    raw: false,
    verbose: false,
    out: GOLDEN_DIR,
    names: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--check") o.check = true;
    else if (a === "--raw") o.raw = true;
    else if (a === "-v" || a === "--verbose") o.verbose = true;
    else if (a === "--out") o.out = resolve(argv[++i] ?? "");
    else if (a === "--suite") {
      const dir = resolve(argv[++i] ?? "");
      SCRIPTS_DIR = dir;
      GOLDEN_DIR = join(dir, "golden");
      NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.sh$/;
      if (o.out === join(ROOT, "conformance", "golden")) o.out = GOLDEN_DIR;
    }
    else if (a === "-h" || a === "--help") {
      console.log(
        "usage: conformance-record [--check] [--raw] [-v] [--out DIR] [--suite DIR] [SCRIPT...]",
      );
      process.exit(0);
    } else if (a.startsWith("-")) {
      console.error(`conformance-record: unknown option ${a}`);
      process.exit(2);
    } else o.names.push(a);
  }
  return o;
}

function selectScripts(names: string[]): string[] {
  const all = readdirSync(SCRIPTS_DIR)
    .filter((f) => NAME_RE.test(f))
    .sort();
  if (names.length === 0) return all;
  const picked: string[] = [];
  for (const n of names) {
    const b = basename(n).replace(/\.(sh|out)$/, "");
    const hits = all.filter((f) => f === `${b}.sh` || f.startsWith(`${b}-`));
    if (hits.length === 0) {
      console.error(`conformance-record: no script matches ${n}`);
      process.exit(2);
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked;
}

/** Bash program run inside the sandbox for one script. */
function buildBashScript(cmds: ScriptCommand[]): string {
  const lines = [
    "__podnet_mark() { local __rc=$?; printf '\\036@@PODNET %s\\036\\n' \"$1\"; return $__rc; }",
    "set +e",
  ];
  for (const c of cmds) {
    lines.push(`__podnet_mark ${c.line}`);
    lines.push(c.source);
  }
  lines.push("__podnet_mark END");
  return lines.join("\n") + "\n";
}

function sandboxPreamble(bashFile: string): string {
  return [
    "set -e",
    "mkdir -p /run/netns /var/lib/cni",
    "mount -t tmpfs tmpfs /run/netns",
    "mount -t tmpfs tmpfs /var/lib/cni",
    "ip link set lo up",
    "set +e",
    "exec 2>&1",
    `exec bash ${JSON.stringify(bashFile)}`,
  ].join("\n");
}

function sandboxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C",
    LC_ALL: "C",
    HOME: "/root",
    TERM: "dumb",
  };
  // Line-buffer stdio in every tool, as on a terminal, so stdout and stderr
  // lines interleave in the order the tool printed them.
  if (existsSync(STDBUF_LIB)) {
    env["LD_PRELOAD"] = STDBUF_LIB;
    env["_STDBUF_O"] = "L";
  }
  return env;
}

type RawRun = { sections: Map<number, string>; trailer: string };

function runOnce(script: string, cmds: ScriptCommand[]): Promise<RawRun> {
  const work = mkdtempSync(join(tmpdir(), "podnet-conf-"));
  const bashFile = join(work, ".podnet-script.bash");
  writeFileSync(bashFile, buildBashScript(cmds));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      "unshare",
      [...UNSHARE_ARGS, "bash", "-c", sandboxPreamble(bashFile)],
      {
        cwd: work,
        env: sandboxEnv(),
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    const chunks: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.stderr.on("data", (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolvePromise(splitRawOutput(script, cmds, text, code, signal));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function splitRawOutput(
  script: string,
  cmds: ScriptCommand[],
  text: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): RawRun {
  const sections = new Map<number, string>();
  const marks = [...text.matchAll(MARK_RE)];
  const pre = marks.length > 0 ? text.slice(0, marks[0]?.index ?? 0) : text;
  if (pre !== "")
    throw new Error(
      `${script}: sandbox printed before the first command:\n${pre}`,
    );
  let trailer = "";
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    const start = (m.index ?? 0) + m[0].length;
    const end =
      i + 1 < marks.length ? (marks[i + 1]?.index ?? text.length) : text.length;
    const body = text.slice(start, end);
    if (m[1] === "END") trailer = body;
    else sections.set(Number(m[1]), body);
  }
  const ended = marks.some((m) => m[1] === "END");
  if (!ended) {
    throw new Error(
      `${script}: sandbox did not finish (exit ${code ?? "-"}${signal ? `, signal ${signal}` : ""}); output:\n${text}`,
    );
  }
  for (const c of cmds) {
    if (!sections.has(c.line))
      throw new Error(`${script}: no output marker for line ${c.line}`);
  }
  return { sections, trailer };
}

async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(n, tasks.length) },
    async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    },
  );
  await Promise.all(workers);
  return results;
}

function sandboxWorks(): boolean {
  if (typeof process.getuid === "function" && process.getuid() !== 0)
    return false;
  const r = spawnSync("unshare", [...UNSHARE_ARGS, "true"], {
    stdio: "ignore",
  });
  return r.status === 0;
}

/** Line diff (LCS) rendered with "-" for expected and "+" for actual lines. */
function lineDiff(expected: string, actual: string): string {
  const trim = (t: string) => (t.endsWith("\n") ? t.slice(0, -1) : t);
  const a = trim(expected).split("\n");
  const b = trim(actual).split("\n");
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () =>
    new Array<number>(m + 1).fill(0),
  );
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i]![j] =
        a[i] === b[j]
          ? dp[i + 1]![j + 1]! + 1
          : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < n && (j >= m || dp[i + 1]![j]! >= dp[i]![j + 1]!)) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (!sandboxWorks()) {
    console.log("skipped: needs root and unshare");
    return;
  }
  mkdirSync("/run/netns", { recursive: true });
  mkdirSync("/var/lib/cni", { recursive: true });
  const scripts = selectScripts(opts.names);
  const parsed = scripts.map((s) => ({
    name: s,
    cmds: splitScriptCommands(readFileSync(join(SCRIPTS_DIR, s), "utf8")),
  }));

  if (opts.raw) {
    for (const p of parsed) {
      const r = await runOnce(p.name, p.cmds);
      console.log(`=== ${p.name}`);
      for (const c of p.cmds)
        process.stdout.write(
          `@@ ${c.line} $ ${c.command}\n${r.sections.get(c.line) ?? ""}`,
        );
      if (r.trailer) process.stdout.write(`@@ END\n${r.trailer}`);
    }
    return;
  }

  const runs = RUNS;
  const tasks: (() => Promise<RawRun>)[] = [];
  for (let r = 0; r < runs; r++)
    for (const p of parsed) tasks.push(() => runOnce(p.name, p.cmds));
  const started = Date.now();
  const results = await pool(tasks, CONCURRENCY);
  const outDir = opts.check
    ? mkdtempSync(join(tmpdir(), "podnet-golden-"))
    : opts.out;
  mkdirSync(outDir, { recursive: true });

  let failures = 0;
  const summary: string[] = [];
  type Differing = { p: (typeof parsed)[number]; line: number; command: string; golden: string; got: string };
  const differing: Differing[] = [];
  parsed.forEach((p, idx) => {
    const recs = Array.from(
      { length: runs },
      (_, r) => results[r * parsed.length + idx]!,
    );
    const sections: Section[] = p.cmds.map((c) => {
      const outs = recs.map((r) => normalise(r.sections.get(c.line) ?? ""));
      const unstable = outs.some((o) => o !== outs[0]);
      if (unstable && opts.verbose) {
        console.log(
          `~~~ ${p.name}:${c.line} unstable $ ${c.command}\n${lineDiff(outs[0] ?? "", outs[1] ?? "")}`,
        );
      }
      return {
        line: c.line,
        command: c.command,
        output: unstable ? "" : (outs[0] ?? ""),
        unstable,
      };
    });
    const golden = formatGolden(sections);
    const outName = p.name.replace(/\.sh$/, ".out");
    writeFileSync(join(outDir, outName), golden);
    const unstable = sections.filter((s) => s.unstable).map((s) => s.line);
    summary.push(
      `${p.name}: ${sections.length} sections${unstable.length ? `, unstable: ${unstable.join(", ")}` : ""}`,
    );

    if (opts.check) {
      const committedPath = join(GOLDEN_DIR, outName);
      if (!existsSync(committedPath)) {
        console.log(`--- ${p.name}: no committed golden ${committedPath}`);
        failures++;
        return;
      }
      const committed = parseGolden(readFileSync(committedPath, "utf8"));
      const byLine = new Map(committed.map((s) => [s.line, s]));
      if (committed.length !== sections.length) {
        console.log(
          `--- ${p.name}: golden has ${committed.length} sections, script has ${sections.length}`,
        );
        failures++;
      }
      for (const s of sections) {
        const g = byLine.get(s.line);
        if (!g || g.command !== s.command) {
          console.log(
            `--- ${p.name}:${s.line}: golden section missing or command differs (re-record)`,
          );
          failures++;
          continue;
        }
        if (g.unstable || s.unstable) continue;
        if (g.output !== s.output) differing.push({ p, line: s.line, command: s.command, golden: g.output, got: s.output });
      }
    }
  });
  // A section both recordings agreed on but the golden does not: the kernel may have raced (two
  // recordings that happen to agree are not proof of a stable output). Record the script up to
  // RETRIES more times; if the kernel prints the golden output in one of them, the section is a
  // race the goldens do not mark yet: it is reported (so it gets fixed) but does not fail the run.
  // A section the kernel never prints as the golden says fails.
  const RETRIES = 3;
  const byScript = new Map<string, Differing[]>();
  for (const d of differing) byScript.set(d.p.name, [...(byScript.get(d.p.name) ?? []), d]);
  const flaky: string[] = [];
  for (const [name, ds] of byScript) {
    const p = ds[0]!.p;
    let open = ds;
    for (let r = 0; r < RETRIES && open.length > 0; r++) {
      const rerun = await runOnce(name, p.cmds);
      open = open.filter((d) => normalise(rerun.sections.get(d.line) ?? "") !== d.golden);
    }
    for (const d of ds) {
      if (open.includes(d)) {
        console.log(`--- ${name}:${d.line} $ ${d.command}\n${lineDiff(d.golden, d.got)}`);
        failures++;
      } else {
        flaky.push(`${name}:${d.line}`);
        console.log(
          `~~~ ${name}:${d.line} raced: two recordings printed this, a later one the golden (fix the script)\n${lineDiff(d.golden, d.got)}`,
        );
      }
    }
  }
  for (const l of summary) console.log(l);
  if (flaky.length > 0) console.log(`raced (passed on a re-recording): ${flaky.join(", ")}`);
  console.log(
    `recorded ${parsed.length} script(s) x${runs} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  if (opts.check) {
    rmSync(outDir, { recursive: true, force: true });
    if (failures > 0) {
      console.log(`check: ${failures} difference(s) against ${GOLDEN_DIR}`);
      process.exit(1);
    }
    console.log("check: kernel agrees with the goldens");
  } else {
    console.log(`goldens written to ${outDir}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
