import { chromium } from 'playwright-core';
import { startServer } from '/work/main/src/cli/serve.ts';
const s = await startServer({ file: process.argv[2]!, webRoot: '/tmp/webout', port: 0, allowSave: false });
const ctx = await chromium.launchPersistentContext('/tmp/chr-zoom', { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], viewport: { width: 1500, height: 900 } });
const page = ctx.pages()[0] ?? (await ctx.newPage());
await page.goto(s.url);
await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
console.log(await page.evaluate(() => { const svg = document.querySelector('#diagram svg') as SVGSVGElement; const pane = document.getElementById('diagram-pane')!; return { w: svg.getAttribute('width'), h: svg.getAttribute('height'), style: svg.getAttribute('style'), dw: svg.dataset.w, pw: pane.clientWidth, ph: pane.clientHeight, bw: svg.getBoundingClientRect().width }; }));
await ctx.close(); await s.close();
