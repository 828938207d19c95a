/**
 * `podnet serve FILE`: the page on localhost. The page (src/web, built with
 * Vite into dist/web, rebuilt when a source is newer) does all the work in the
 * browser; this server only hands it the file (GET /api/scenario), files the
 * scenario refers to (GET /api/file?path=P, inside the scenario's folder), and
 * writes edits back (PUT /api/scenario). It listens on 127.0.0.1 only and
 * answers only requests addressed to that host (no DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { loadScenario } from '../scenarios/index.js';
import type { Io } from './io.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.map': 'application/json',
};

export interface ServeOptions {
  readonly file: string;
  readonly port?: number;
  readonly host?: string;
  /** The built page; default dist/web (built first when missing or stale). */
  readonly webRoot?: string;
  /** Allow PUT /api/scenario (default true). */
  readonly allowSave?: boolean;
}

export interface Served {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Newest modification time of the page's sources (src/, the page imports the core). */
function newestSource(dir: string): number {
  let newest = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|html|css)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/** Build the page when dist/web is missing or older than a source file. */
export async function ensureWebBuild(log: (s: string) => void): Promise<string> {
  const { buildWeb, DEFAULT_OUT_DIR, REPO_DIR } = await import('../web/build.js');
  const index = join(DEFAULT_OUT_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(join(REPO_DIR, 'src'))) return DEFAULT_OUT_DIR;
  log('podnet: building the page (vite)...\n');
  await buildWeb(DEFAULT_OUT_DIR);
  return DEFAULT_OUT_DIR;
}

/** The scenario's text and the files it refers to (read the way `podnet run` reads them). */
export function sourcePayload(file: string): { file: string; kind: 'scenario' | 'script'; text: string; files: Record<string, string> } {
  const text = readFileSync(file, 'utf8');
  const files: Record<string, string> = {};
  const kind = file.endsWith('.sh') ? 'script' : 'scenario';
  if (kind === 'scenario') {
    loadScenario(text, {
      file,
      readFile: (p) => {
        const t = readInside(file, p);
        if (t !== undefined) files[p] = t;
        return t;
      },
    });
  }
  return { file: basename(file), kind, text, files };
}

/** A file named relative to the scenario, only if it lies inside the scenario's folder. */
function readInside(file: string, p: string): string | undefined {
  const dir = resolve(dirname(file));
  const full = resolve(dir, p);
  if (full !== dir && !full.startsWith(dir + sep)) return undefined;
  try {
    return readFileSync(full, 'utf8');
  } catch {
    return undefined;
  }
}

export async function startServer(opts: ServeOptions): Promise<Served> {
  const host = opts.host ?? '127.0.0.1';
  const root = resolve(opts.webRoot ?? (await ensureWebBuild(() => undefined)));
  const file = resolve(opts.file);
  const allowSave = opts.allowSave ?? true;
  let port = opts.port ?? 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', `error: ${e instanceof Error ? e.message : String(e)}\n`));
  });
  const allowedHosts = (): Set<string> => new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 403, 'text/plain', 'podnet serve answers only requests for its own address\n');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/api/scenario') {
      if (req.method === 'GET') return send(res, 200, 'application/json', JSON.stringify({ ...sourcePayload(file), canSave: allowSave }));
      if (req.method === 'PUT') {
        if (!allowSave) return send(res, 403, 'text/plain', 'saving is off\n');
        if (!(req.headers['content-type'] ?? '').startsWith('text/plain')) return send(res, 415, 'text/plain', 'expected text/plain\n');
        const body = await readBody(req, 2_000_000);
        if (body === undefined) return send(res, 413, 'text/plain', 'too large\n');
        writeFileSync(file, body);
        return send(res, 200, 'text/plain', 'saved\n');
      }
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    if (url.pathname === '/api/file' && req.method === 'GET') {
      const t = readInside(file, url.searchParams.get('path') ?? '');
      return t === undefined ? send(res, 404, 'text/plain', 'no such file\n') : send(res, 200, 'text/plain; charset=utf-8', t);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const full = resolve(root, rel === '' ? 'index.html' : rel);
    if (relative(root, full).startsWith('..') || !existsSync(full) || !statSync(full).isFile()) return send(res, 404, 'text/plain', 'not found\n');
    return send(res, 200, TYPES[extname(full)] ?? 'application/octet-stream', readFileSync(full));
  }
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const addr = server.address();
  if (addr && typeof addr === 'object') port = addr.port;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

function send(res: ServerResponse, code: number, type: string, body: string | Buffer): void {
  // The page must not be framed or fetch anything from elsewhere.
  res.writeHead(code, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'",
  });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n <= max) chunks.push(c);
    });
    req.on('end', () => ok(n > max ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

export function registerServeCommand(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('serve')
    .description('Open a scenario (or a twin-shell script) in the browser: the topology, hop-by-hop traces, the YAML with inline validation, and a terminal running the twin shell. Listens on localhost only.')
    .argument('<file>', 'scenario (YAML) or twin-shell script (.sh)')
    .option('--port <n>', 'port (0 = any free one)', '8080')
    .option('--no-save', 'do not let the page write the file')
    .addHelpText(
      'after',
      `
Examples:
  $ podnet serve examples/07-public-network-overlay.yaml
  $ podnet serve --port 0 examples/shell/two-namespaces.sh`,
    )
    .action(async (file: string, opts: { port: string; save: boolean }) => {
      if (io.readFile(file) === undefined) {
        io.err(`${file}: cannot read the file\n`);
        setCode(2);
        return;
      }
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        io.err('podnet: --port is a number from 0 to 65535\n');
        setCode(2);
        return;
      }
      const webRoot = await ensureWebBuild(io.err);
      const s = await startServer({ file, port, webRoot, allowSave: opts.save });
      io.out(`podnet: serving ${file} at ${s.url} (Ctrl-C to stop)\n`);
      // Run until interrupted.
      await new Promise<void>((ok) => s.server.once('close', () => ok()));
    });
}
