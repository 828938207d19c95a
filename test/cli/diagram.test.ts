import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { startServer } from '../../src/cli/serve.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string; files: Record<string, string> }> {
  let out = '';
  let err = '';
  const files: Record<string, string> = {};
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readFile: (p) => {
      try {
        return readFileSync(p === 0 ? '/dev/null' : p, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (p, t) => void (files[p] = t),
    color: false,
  };
  const code = await main(args, io, '0.0.0');
  return { code, out, err, files };
}

const EX = 'examples/06-graphic4-router.yaml';

describe('podnet diagram', () => {
  it('draws a scenario with a trace as DOT', async () => {
    const r = await cli(['diagram', EX, '--at', 'tcp-across', '--trace', 'pod/frontend,pod/backend', '--format', 'dot']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('digraph podnet {\n')).toBe(true);
    for (const label of ['hop 1: pod frontend', 'hop 2: host netns', 'hop 3: switch net-a', 'hop 4: machine router', 'hop 5: switch net-b', 'hop 6: host netns', 'hop 7: pod backend']) expect(r.out).toContain(label);
  });

  it('writes Mermaid and SVG, to a file with -o', async () => {
    const m = await cli(['diagram', EX, '--format', 'mermaid', '--direction', 'LR']);
    expect(m.code).toBe(0);
    expect(m.out.split('\n')[0]).toBe('flowchart LR');
    expect(m.out).toContain('subgraph box_3anode-a'.replace(/-/g, '_2d'));
    const s = await cli(['diagram', EX, '--at', '0', '--trace', 'node/node-a,machine/router', '-o', 'x.svg']);
    expect(s.code).toBe(0);
    expect(s.out).toBe('');
    expect(s.files['x.svg']).toMatch(/<svg[^>]*>/);
    expect(s.files['x.svg']).toContain('hop 1: host netns');
  });

  it('draws the world a script leaves, with its last probe', async () => {
    const r = await cli(['diagram', 'examples/shell/two-namespaces.sh', '--trace', 'last', '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('label="hop 1: netns a"');
    expect(r.out).toContain('label="hop 2: netns b"');
  });

  it('refuses bad input with exit 2 and says why', async () => {
    const a = await cli(['diagram', EX, '--trace', 'pod/frontend']);
    expect([a.code, a.err]).toEqual([2, 'podnet: --trace pod/frontend: expected FROM,TO (e.g. pod/frontend,pod/backend)\n']);
    const b = await cli(['diagram', EX, '--trace', 'pod/nope,pod/backend']);
    expect([b.code, b.err]).toEqual([2, 'podnet: "pod/nope": no pod named nope (pods: frontend, backend)\n']);
    const c = await cli(['diagram', EX, '--at', '99']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/^podnet: --at 99: no such step/);
    const d = await cli(['diagram', 'examples/shell/router.sh', '--trace', 'pod/a,pod/b']);
    expect([d.code, d.err]).toEqual([2, 'podnet: for a script, --trace takes "last" (the last probe the script traced)\n']);
    const e = await cli(['diagram', EX, '--format', 'png']);
    expect(e.code).toBe(2);
    expect(e.err).toContain("argument 'png' is invalid");
    const f = await cli(['diagram', 'nope.yaml']);
    expect([f.code, f.err]).toEqual([2, 'nope.yaml: cannot read the file\n']);
  });
});

function get(url: string, opts: { method?: string; host?: string; body?: string; type?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: { host: opts.host ?? u.host, ...(opts.type ? { 'content-type': opts.type } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

describe('podnet serve (the server)', () => {
  it('serves the page, the scenario and its files; writes edits; refuses other hosts and paths outside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podnet-serve-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>podnet</title>');
    writeFileSync(join(web, 'assets', 'a.js'), 'console.log(1)');
    const file = join(dir, 'lab.yaml');
    copyFileSync('examples/09-kubenet.yaml', file);
    writeFileSync(join(dir, 'secret.txt'), 'x');
    const s = await startServer({ file, port: 0, webRoot: web });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await get(s.url);
      expect([page.status, page.body]).toEqual([200, '<!doctype html><title>podnet</title>']);
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect((await get(s.url + 'assets/a.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
      const api = JSON.parse((await get(s.url + 'api/scenario')).body) as { file: string; kind: string; text: string; canSave: boolean };
      expect(api).toMatchObject({ file: 'lab.yaml', kind: 'scenario', canSave: true });
      expect(api.text).toBe(readFileSync(file, 'utf8'));
      expect((await get(s.url + 'api/file?path=secret.txt')).body).toBe('x');
      expect((await get(s.url + 'api/file?path=../../etc/passwd')).status).toBe(404);
      expect((await get(s.url + '../../etc/passwd')).status).toBe(404);
      // DNS rebinding: a request for another host name is refused.
      expect((await get(s.url, { host: 'evil.example:80' })).status).toBe(403);
      expect((await get(s.url + 'api/scenario', { method: 'PUT', body: 'x', type: 'application/json' })).status).toBe(415);
      const put = await get(s.url + 'api/scenario', { method: 'PUT', body: 'edited\n', type: 'text/plain; charset=utf-8' });
      expect(put.status).toBe(200);
      expect(readFileSync(file, 'utf8')).toBe('edited\n');
    } finally {
      await s.close();
    }
    const ro = await startServer({ file, port: 0, webRoot: web, allowSave: false });
    try {
      expect((await get(ro.url + 'api/scenario', { method: 'PUT', body: 'x', type: 'text/plain' })).status).toBe(403);
    } finally {
      await ro.close();
    }
  });
});
