/**
 * Record the kernel side of the import proof (issue #10): for each kernel
 * conformance topology, build it on the real kernel, run `podnet collect`
 * there, and ask the kernel a set of probes; the import test
 * (test/import/kernel.test.ts) imports the bundle into the twin and checks
 * that the twin answers the probes as the kernel did.
 *
 *   npx tsx scripts/import-record.ts                  # every conformance script with namespaces
 *   npx tsx scripts/import-record.ts 106 105          # some (NN prefix or name)
 *   npx tsx scripts/import-record.ts --check          # re-record into a temp dir and compare the probe answers
 *   npx tsx scripts/import-record.ts --new-probes 106 # regenerate the probe list from a fresh bundle
 *   npx tsx scripts/import-record.ts -v ...           # show unstable sections
 *
 * Per topology NAME (conformance/scripts/NAME.sh) it writes, under conformance/import/:
 *   NAME.bundle     the collector's bundle (src/collect/podnet-collect.sh --name NAME)
 *   NAME.probes.sh  the probes, one command per line (src/import/probes.ts; kept across re-records)
 *   NAME.out        the kernel's answers in the golden format (docs/conformance.md)
 *
 * Each run happens in a throwaway sandbox as the conformance recorder's
 * (unshare --net --mount --pid, tmpfs on /run/netns and /var/lib/cni): the
 * script's commands run with their output discarded, then `sleep 3` (carrier
 * changes and ICMP rate limits settle), the collector, and the probes with a
 * marker before each. Two runs; a probe whose answers, normalised by
 * normaliseProbe (src/import/probes.ts), differ is
 * `[unstable]`. The bundle of the first run is kept. The collector reads CNI
 * configuration from the sandbox's ./net.d (a script puts its network
 * configurations there: the script's *.conf, *.conflist and *.json files are
 * copied in) and the host-local store from /var/lib/cni.
 *
 * What `--check` compares (and what makes a probe `[unstable]`): each probe's
 * answer after normaliseProbe, which also puts `N` for the seconds a route
 * exception has left (they count down between the collection and the probe);
 * for `iptables-save -c` the counters as the traffic since that recording's
 * own collection (iptablesDelta: the answer's counters minus its bundle's),
 * since what the topology's script counted before the collection (a packet
 * racing a timeout) varies between recordings and is in the bundle, which
 * the twin starts from.
 *
 * Without root or unshare: prints "skipped: needs root and unshare", exits 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatGolden, parseGolden, splitScriptCommands, type ScriptCommand, type Section } from '../src/conformance/normalise.js';
import { iptablesDelta, normaliseProbe, probeScript } from '../src/import/probes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPTS_DIR = join(ROOT, 'conformance', 'scripts');
const OUT_DIR = join(ROOT, 'conformance', 'import');
const COLLECTOR = join(ROOT, 'src', 'collect', 'podnet-collect.sh');
const CONCURRENCY = 2;
const TIMEOUT_MS = 300_000;
const MARK_RE = /\x1e@@PODNET (\d+|END|BUNDLE)\x1e\n/g;
const UNSHARE = ['--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc'];
const STDBUF_LIB = '/usr/libexec/coreutils/libstdbuf.so';

interface Options {
  check: boolean;
  verbose: boolean;
  newProbes: boolean;
  names: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { check: false, verbose: false, newProbes: false, names: [] };
  for (const a of argv) {
    if (a === '--check') o.check = true;
    else if (a === '-v' || a === '--verbose') o.verbose = true;
    else if (a === '--new-probes') o.newProbes = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: import-record [--check] [--new-probes] [-v] [SCRIPT...]');
      process.exit(0);
    } else if (a.startsWith('-')) {
      console.error(`import-record: unknown option ${a}`);
      process.exit(2);
    } else o.names.push(a);
  }
  return o;
}

/** Conformance scripts that build namespaces (a topology worth importing). */
function selectScripts(names: string[]): string[] {
  const all = readdirSync(SCRIPTS_DIR)
    .filter((f) => /^\d+-[A-Za-z0-9-]+\.sh$/.test(f))
    .sort()
    .filter((f) => /\bnetns add\b/.test(readFileSync(join(SCRIPTS_DIR, f), 'utf8')));
  if (names.length === 0) return all;
  const picked: string[] = [];
  for (const n of names) {
    const b = basename(n).replace(/\.(sh|out|bundle)$/, '');
    const hits = all.filter((f) => f === `${b}.sh` || f.startsWith(`${b}-`));
    if (hits.length === 0) {
      console.error(`import-record: no conformance script with namespaces matches ${n}`);
      process.exit(2);
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked;
}

function bashProgram(name: string, script: ScriptCommand[], probes: ScriptCommand[] | undefined): string {
  const lines = [
    "__podnet_mark() { local __rc=$?; printf '\\036@@PODNET %s\\036\\n' \"$1\"; return $__rc; }",
    'set +e',
    'mkdir -p net.d',
    '{',
    ...script.map((c) => c.source),
    '} >/dev/null 2>&1 </dev/null',
    // The script's network configurations (written to its cwd) stand for the node's /etc/cni/net.d.
    'for f in *.conf *.conflist *.json; do [ -f "$f" ] && cp -- "$f" net.d/; done',
    'sleep 3',
    '__podnet_mark BUNDLE',
    `sh ${JSON.stringify(COLLECTOR)} --name ${JSON.stringify(name)} --cni-conf-dir ./net.d`,
  ];
  for (const c of probes ?? []) {
    lines.push(`__podnet_mark ${c.line}`);
    lines.push(c.source);
  }
  lines.push('__podnet_mark END');
  return lines.join('\n') + '\n';
}

interface Run {
  bundle: string;
  sections: Map<number, string>;
}

function runOnce(name: string, script: ScriptCommand[], probes: ScriptCommand[] | undefined): Promise<Run> {
  const work = mkdtempSync(join(tmpdir(), 'podnet-import-'));
  const bashFile = join(work, '.podnet-import.bash');
  writeFileSync(bashFile, bashProgram(name, script, probes));
  const preamble = [
    'set -e',
    'mkdir -p /run/netns /var/lib/cni',
    'mount -t tmpfs tmpfs /run/netns',
    'mount -t tmpfs tmpfs /var/lib/cni',
    'ip link set lo up',
    'set +e',
    'exec 2>&1',
    `exec bash ${JSON.stringify(bashFile)}`,
  ].join('\n');
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', HOME: '/root', TERM: 'dumb' };
  if (existsSync(STDBUF_LIB)) {
    env['LD_PRELOAD'] = STDBUF_LIB;
    env['_STDBUF_O'] = 'L';
  }
  return new Promise((res, rej) => {
    const child = spawn('unshare', [...UNSHARE, 'bash', '-c', preamble], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
      rej(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
      const text = Buffer.concat(chunks).toString('utf8');
      const marks = [...text.matchAll(MARK_RE)];
      let bundle: string | undefined;
      const sections = new Map<number, string>();
      let ended = false;
      for (let i = 0; i < marks.length; i++) {
        const m = marks[i]!;
        const start = (m.index ?? 0) + m[0].length;
        const end = i + 1 < marks.length ? (marks[i + 1]!.index ?? text.length) : text.length;
        const body = text.slice(start, end);
        if (m[1] === 'BUNDLE') bundle = body;
        else if (m[1] === 'END') ended = true;
        else sections.set(Number(m[1]), body);
      }
      if (!ended || bundle === undefined) {
        rej(new Error(`${name}: the sandbox did not finish; output:\n${text.slice(-2000)}`));
        return;
      }
      res({ bundle, sections });
    });
  });
}

async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

function sandboxWorks(): boolean {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return false;
  return spawnSync('unshare', [...UNSHARE, 'true'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!sandboxWorks()) {
    console.log('skipped: needs root and unshare');
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const scripts = selectScripts(o.names);
  const started = Date.now();
  let failures = 0;
  const jobs = scripts.map((file) => async (): Promise<void> => {
    const name = file.replace(/\.sh$/, '');
    const script = splitScriptCommands(readFileSync(join(SCRIPTS_DIR, file), 'utf8'));
    const probesPath = join(OUT_DIR, `${name}.probes.sh`);
    let probesText = !o.newProbes && existsSync(probesPath) ? readFileSync(probesPath, 'utf8') : undefined;
    if (probesText === undefined) {
      const first = await runOnce(name, script, undefined);
      probesText = probeScript(first.bundle);
    }
    const probes = splitScriptCommands(probesText);
    const runs = [await runOnce(name, script, probes), await runOnce(name, script, probes)];
    // Two recordings agree on a probe when their answers agree, counters taken as the traffic
    // since each one's own collection (iptablesDelta): the bundle kept is run 1's, and so are
    // the answers.
    const keys = new Map<number, string>();
    const sections: Section[] = probes.map((c) => {
      const outs = runs.map((r) => normaliseProbe(r.sections.get(c.line) ?? ''));
      const ks = outs.map((x, i) => iptablesDelta(c.command, x, runs[i]!.bundle));
      const unstable = ks.some((x) => x !== ks[0]);
      if (unstable && o.verbose) console.log(`~~~ ${name}:${c.line} unstable $ ${c.command}\n--- run 1\n${ks[0]}--- run 2\n${ks[1]}`);
      keys.set(c.line, ks[0]!);
      return { line: c.line, command: c.command, output: unstable ? '' : outs[0]!, unstable };
    });
    const golden = formatGolden(sections);
    const unstable = sections.filter((s) => s.unstable).length;
    if (o.check) {
      const outPath = join(OUT_DIR, `${name}.out`);
      if (!existsSync(outPath)) {
        console.log(`--- ${name}: no recorded answers`);
        failures++;
        return;
      }
      const committed = new Map(parseGolden(readFileSync(outPath, 'utf8')).map((s) => [s.line, s]));
      const bundlePath = join(OUT_DIR, `${name}.bundle`);
      const committedBundle = existsSync(bundlePath) ? readFileSync(bundlePath, 'utf8') : '';
      const before = failures;
      const differing: { line: number; command: string; was: string; now: string }[] = [];
      for (const s of sections) {
        const g = committed.get(s.line);
        if (!g || g.command !== s.command) {
          console.log(`--- ${name}:${s.line}: recorded probe missing or different (re-record)`);
          failures++;
        } else if (!g.unstable && !s.unstable) {
          const was = iptablesDelta(g.command, g.output, committedBundle);
          const now = keys.get(s.line)!;
          if (was !== now) differing.push({ line: s.line, command: s.command, was, now });
        }
      }
      // Both recordings agreeing on an answer the committed one does not is not proof that the
      // kernel always answers so (a race both happened to lose): re-record up to three times, and
      // only an answer the kernel never gives as recorded fails (see conformance-record.ts).
      let open = differing;
      for (let r = 0; r < 3 && open.length > 0; r++) {
        const rerun = await runOnce(name, script, probes);
        open = open.filter((d) => iptablesDelta(d.command, normaliseProbe(rerun.sections.get(d.line) ?? ''), rerun.bundle) !== d.was);
      }
      for (const d of differing) {
        const diff = `- ${d.was.split('\n').join('\n- ')}\n+ ${d.now.split('\n').join('\n+ ')}`;
        if (open.includes(d)) {
          console.log(`--- ${name}:${d.line} $ ${d.command}\n${diff}`);
          failures++;
        } else {
          console.log(`~~~ ${name}:${d.line} raced: two recordings answered this, a later one as recorded (fix the topology)\n${diff}`);
        }
      }
      if (failures > before) {
        // What this recording saw, to tell a race before the collection (the bundles differ too)
        // from one after it (same bundle, other answers).
        const keep = join(tmpdir(), 'podnet-import-check');
        mkdirSync(keep, { recursive: true });
        runs.forEach((r, i) => writeFileSync(join(keep, `${name}.run${i + 1}.bundle`), r.bundle));
        writeFileSync(join(keep, `${name}.out`), golden);
        console.log(`--- ${name}: this recording's bundles and answers are in ${keep}`);
      }
      console.log(`${name}: ${sections.length} probes checked${unstable ? `, unstable: ${unstable}` : ''}`);
      return;
    }
    writeFileSync(join(OUT_DIR, `${name}.bundle`), runs[0]!.bundle);
    writeFileSync(probesPath, probesText);
    writeFileSync(join(OUT_DIR, `${name}.out`), golden);
    console.log(`${name}: bundle ${runs[0]!.bundle.length} bytes, ${sections.length} probes${unstable ? `, unstable: ${unstable}` : ''}`);
  });
  await pool(jobs, CONCURRENCY);
  console.log(`recorded ${scripts.length} topolog${scripts.length === 1 ? 'y' : 'ies'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (o.check) {
    if (failures > 0) {
      console.log(`check: ${failures} difference(s) against ${OUT_DIR}`);
      process.exit(1);
    }
    console.log('check: the kernel agrees with the recorded answers');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
