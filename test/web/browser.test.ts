/**
 * The page in a real browser, in one session (two cores: one Chromium, one
 * build):
 *  1. the browser build: Vite bundles src/web and the core it imports; no
 *     module of ours in that bundle may use a Node-only module or global;
 *  2. end to end in headless Chromium (Debian's /usr/bin/chromium driven by
 *     playwright-core): load the page for the cross-node VXLAN example, trace
 *     pod/frontend -> pod/backend, step through the hops and check the list
 *     and the highlighted elements, type `ip` commands into the terminal and
 *     watch the diagram change, take a screenshot and check it is not blank.
 * Skipped, saying why, when /usr/bin/chromium is missing (apt-get install chromium).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Served } from '../../src/cli/serve.js';
import { edgeKey, elementId, nsKey, scenarioDiagram, type TraceOverlay } from '../../src/diagram/index.js';
import { loadScenario } from '../../src/scenarios/index.js';
import { buildWeb, nodeOnlyUses, REPO_DIR, type WebBuild } from '../../src/web/build.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const outDir = mkdtempSync(join(tmpdir(), 'podnet-web-'));
const shots = process.env.PODNET_SCREENSHOT_DIR ?? outDir;
let web: WebBuild | undefined;

beforeAll(async () => {
  web = await buildWeb(outDir);
}, 180_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the browser build', () => {
  it('bundles the page and the core it runs', () => {
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    const own = web!.ownModules.map((m) => m.slice(REPO_DIR.length + 1));
    // The core runs in the page: model, sim, shell, cni-emulator, scenarios, diagram.
    for (const dir of ['src/model/', 'src/sim/', 'src/shell/', 'src/cni-emulator/', 'src/scenarios/', 'src/diagram/', 'src/web/']) {
      expect(own.some((m) => m.startsWith(dir)), `${dir} is in the bundle`).toBe(true);
    }
    expect(own.some((m) => m.startsWith('src/cli/')), 'no CLI module in the bundle').toBe(false);
    // No request leaves the page: the built HTML names no other host.
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('uses no Node-only module or global in the core', async () => {
    expect(web!.externalised).toEqual([]);
    expect(await nodeOnlyUses(web!.ownModules)).toEqual([]);
  });
});

const SKIP_WHY = 'skipped: /usr/bin/chromium is missing (Debian: apt-get install -y chromium)';
if (!haveChromium) console.warn(`test/web/browser.test.ts: the page in Chromium: ${SKIP_WHY}`);

describe.skipIf(!haveChromium)(`the page in Chromium${haveChromium ? '' : ` (${SKIP_WHY})`}`, () => {
  let served: Served;
  let close: (() => Promise<void>) | undefined;
  let page: import('playwright-core').Page;
  const errors: string[] = [];
  const external: string[] = [];

  const FILE = join(REPO_DIR, 'examples', '07-public-network-overlay.yaml');
  // What the page must show, computed here by the same core: the namespaces, and per hop the lit elements.
  const loaded = loadScenario(readFileSync(FILE, 'utf8'), { file: FILE });
  if (!loaded.ok) throw new Error('the example does not load');
  const expected = scenarioDiagram(loaded.scenario, { probe: { from: 'pod/frontend', to: 'pod/backend' } });
  const overlay: TraceOverlay = expected.diagram.overlay!;
  const podNs = (name: string): string => expected.report.pods[name]!.ns;
  const litAt = (n: number): string[] => {
    const h = overlay.hops[n - 1]!;
    return [...h.nodes, ...h.edges].map(elementId).sort();
  };

  beforeAll(async () => {
    served = await startServer({ file: FILE, port: 0, webRoot: outDir, allowSave: false });
    const { chromium } = await import('playwright-core');
    const userData = mkdtempSync(join(tmpdir(), 'podnet-chromium-'));
    const ctx = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1500, height: 950 },
    });
    close = async () => {
      await ctx.close();
      await served.close();
      rmSync(userData, { recursive: true, force: true });
    };
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(served.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url());
    });
    await page.goto(served.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  it('draws the scenario: both nodes, their pods, the tunnel', async () => {
    expect(await page.textContent('#file')).toBe('07-public-network-overlay.yaml');
    const ids = await page.$$eval('#diagram svg g[id]', (xs) => xs.map((x) => x.id));
    // Ids are the diagram keys (src/diagram/graph.ts elementId): namespaces, devices, links.
    for (const ns of [podNs('frontend'), podNs('backend'), 'node-a', 'node-b', 'site-a', 'site-b', 'internet']) expect(ids).toContain(elementId(nsKey(ns)));
    const tunnel = expected.diagram.graph.edges().find((e) => e.name === 'tunnel')!;
    expect(ids).toContain(elementId(edgeKey(tunnel.v, tunnel.w, 'tunnel')));
  });

  it('steps through a cross-node trace, forward and back', async () => {
    await page.selectOption('#from', 'pod/frontend');
    await page.fill('#to', 'pod/backend');
    await page.click('#send');
    await page.waitForSelector('#hops li.packet');
    const hops = await page.$$eval('#hops li.packet', (xs) => xs.map((x) => x.textContent));
    expect(hops).toEqual([
      '1pod frontend (out eth0)',
      expect.stringMatching(/^2node node-a \(in veth[0-9a-f]{8}, out vxlan0\)$/),
      '3switch site-a (in node-a, out internet)',
      '4machine internet (in eth0, out eth1)',
      '5switch site-b (in internet, out node-b)',
      '6node node-b (in eth0)',
      '6node node-b (in vxlan0, out cni0)',
      '7pod backend (in eth0)',
    ]);
    expect(await page.textContent('#outcome')).toContain('echo reply from 10.244.2.2');
    const current = () => page.$$eval('#diagram svg .current', (xs) => xs.map((x) => x.id).sort());
    // Each hop lights exactly the namespace, devices and links the trace used there.
    expect(overlay.hops.map((h) => h.ns)).toEqual([podNs('frontend'), 'node-a', 'site-a', 'internet', 'site-b', 'node-b', podNs('backend')]);
    expect(await page.textContent('#position')).toBe('hop 1 / 8');
    expect(await current()).toEqual(litAt(1));
    expect(await current()).toContain(elementId(nsKey(podNs('frontend'))));
    await page.click('#forward');
    // Hop 2: node-a encapsulates into the tunnel; its deciding route and FDB entry are shown.
    expect(await page.textContent('#position')).toBe('hop 2 / 8');
    expect(await current()).toEqual(litAt(2));
    expect((await current()).some((id) => id.endsWith('_7ctunnel'))).toBe(true);
    const detail = await page.textContent('#hop-detail');
    expect(detail).toContain('10.244.2.0/24 via 10.255.0.2 dev vxlan0');
    expect(detail).toContain('dst 203.0.113.10 self');
    // Forward to the internet router, then back one.
    await page.click('#forward');
    await page.click('#forward');
    expect(await page.textContent('#position')).toBe('hop 4 / 8');
    expect(await current()).toEqual(litAt(4));
    expect(await page.textContent('#hop-detail')).toContain('arrivedUDP 198.51.100.10:');
    await page.click('#back');
    expect(await page.textContent('#position')).toBe('hop 3 / 8');
    expect(await current()).toEqual(litAt(3));
    // Earlier hops stay marked as done.
    expect(await page.$$eval('#diagram svg .done', (xs) => xs.map((x) => x.id))).toContain(elementId(nsKey(podNs('frontend'))));
    // The keyboard steps too; hops 6 and 7 of the list are one numbered hop (node-b decapsulates); the last is the backend pod.
    await page.click('#hop-detail');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#position')).toBe('hop 6 / 8');
    expect(await current()).toEqual(litAt(6));
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#position')).toBe('hop 7 / 8');
    expect(await current()).toEqual(litAt(6));
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#position')).toBe('hop 8 / 8');
    expect(await current()).toEqual(litAt(7));
    await page.screenshot({ path: join(shots, 'podnet-trace.png') });
  });

  it('validates the YAML inline and runs its expectations', async () => {
    await page.click('button[data-tab="scenario"]');
    const text = await page.inputValue('#yaml');
    await page.fill('#yaml', text.replace('node: node-b\n', 'node: node-z\n'));
    await page.waitForSelector('#issues li');
    const issues = await page.$$eval('#issues li', (xs) => xs.map((x) => x.textContent));
    expect(issues).toEqual([expect.stringMatching(/^07-public-network-overlay\.yaml:\d+:\d+: spec\.pods\[1\]\.node: no node or machine "node-z" \(did you mean "node-a"\?\)$/)]);
    const line = Number(/:(\d+):/.exec(issues[0]!)![1]);
    expect(await page.$$eval('#gutter .bad', (xs) => xs.map((x) => x.textContent))).toEqual([String(line)]);
    expect(await page.isDisabled('#run')).toBe(true);
    await page.click('#revert');
    await page.waitForFunction(() => document.querySelectorAll('#issues li').length === 0);
    await page.click('#run');
    await page.waitForSelector('#results .summary');
    expect(await page.textContent('#results .summary')).toMatch(/^PASS: \d+ steps, \d+ checks$/);
  });

  it('runs ip commands in the terminal and redraws the diagram', async () => {
    await page.click('button[data-tab="terminal"]');
    await page.waitForSelector('#term .xterm');
    const renders = async () => Number(await page.getAttribute('#diagram', 'data-renders'));
    const before = await renders();
    await page.click('#term');
    await page.keyboard.type('ip netns add lab1\n');
    await page.waitForFunction((n) => Number(document.getElementById('diagram')!.dataset.renders) > n, before);
    await page.keyboard.type('ip link add v-lab1 type veth peer name eth0 netns lab1\n');
    await page.keyboard.type('ip -n lab1 addr add 10.99.0.2/24 dev eth0\n');
    await page.keyboard.type('ip -n lab1 -br addr\n');
    await page.waitForFunction(() => document.querySelector('#diagram svg g[id="ns_3alab1"]') !== null && (document.querySelector('#diagram svg')!.textContent ?? '').includes('10.99.0.2/24'));
    const ids = await page.$$eval('#diagram svg g[id]', (xs) => xs.map((x) => x.id));
    expect(ids).toContain('ns_3alab1');
    expect(ids).toContain('dev_3alab1_3a2');
    // The host end lives in the lab host: it is drawn, linked to the pod end.
    expect(ids.some((i) => i.startsWith('dev_3alab1_3a2_7cdev_3a_2f_3a') && i.endsWith('_7cveth'))).toBe(true);
    expect(await page.isVisible('#edited')).toBe(true);
    // What the twin printed, as the real tool prints it (xterm draws on animation frames, after the
    // diagram may already have been redrawn: wait for the last command's output to be on screen).
    await page.waitForFunction(() => (document.querySelector('#term .xterm-rows')?.textContent ?? '').includes('eth0@if'), undefined, { timeout: 10_000 }).catch(() => undefined);
    const screen = await page.$eval('#term .xterm-rows', (x) => x.textContent ?? '');
    expect(screen).toContain('eth0@if');
    expect(screen).toContain('10.99.0.2/24');
    // A command the real tool refuses prints the real error.
    await page.keyboard.type('ip link add v-lab1 type veth peer name x\n');
    await page.waitForFunction(() => (document.querySelector('#term .xterm-rows')?.textContent ?? '').includes('RTNETLINK answers: File exists'));
    // Deleting the namespace takes its frame away.
    await page.keyboard.type('ip netns del lab1\n');
    await page.waitForFunction(() => document.querySelector('#diagram svg g[id="ns_3alab1"]') === null);
  });

  it('looks like a page (screenshot not blank), with no errors and no outside requests', async () => {
    const file = join(shots, 'podnet-page.png');
    const png = await page.screenshot({ path: file });
    const { PNG } = await pngReader();
    const img = PNG(png);
    // Count distinct colours and non-white pixels: a blank or failed page has almost none.
    expect(img.colours).toBeGreaterThan(20);
    expect(img.inkShare).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  });
});

/** Decode a PNG screenshot just enough to tell a drawn page from a blank one (zlib from Node). */
async function pngReader(): Promise<{ PNG: (b: Buffer) => { colours: number; inkShare: number } }> {
  const { inflateSync } = await import('node:zlib');
  return {
    PNG(b: Buffer) {
      let off = 8;
      let width = 0;
      let height = 0;
      let colorType = 0;
      const idat: Buffer[] = [];
      while (off < b.length) {
        const len = b.readUInt32BE(off);
        const type = b.toString('latin1', off + 4, off + 8);
        const data = b.subarray(off + 8, off + 8 + len);
        if (type === 'IHDR') {
          width = data.readUInt32BE(0);
          height = data.readUInt32BE(4);
          colorType = data[9]!;
        } else if (type === 'IDAT') idat.push(data);
        off += 12 + len;
      }
      const bpp = colorType === 6 ? 4 : 3;
      const raw = inflateSync(Buffer.concat(idat));
      const stride = width * bpp;
      const prev = Buffer.alloc(stride);
      const cur = Buffer.alloc(stride);
      const colours = new Set<number>();
      let ink = 0;
      for (let y = 0; y < height; y++) {
        const f = raw[y * (stride + 1)]!;
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? cur[x - bpp]! : 0;
          const up = prev[x]!;
          const c = x >= bpp ? prev[x - bpp]! : 0;
          const p = a + up - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - c);
          const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
          cur[x] = (line[x]! + pred) & 0xff;
        }
        for (let x = 0; x < width; x++) {
          const r = cur[x * bpp]!;
          const g = cur[x * bpp + 1]!;
          const bl = cur[x * bpp + 2]!;
          if (colours.size < 1000) colours.add((r << 16) | (g << 8) | bl);
          if (r + g + bl < 720) ink++;
        }
        cur.copy(prev);
      }
      return { colours: colours.size, inkShare: ink / (width * height) };
    },
  };
}
