import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const ctx = await chromium.launchPersistentContext('/tmp/chr-svg', { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'], viewport: { width: 1400, height: 900 } });
const page = ctx.pages()[0] ?? (await ctx.newPage());
for (const f of process.argv.slice(2)) {
  const svg = readFileSync(f, 'utf8').replace(/^<\?xml[^>]*>/, '').replace(/<!DOCTYPE[^>]*>/, '');
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  await page.screenshot({ path: f.replace(/.*\//, '/tmp/shot-').replace(/\.svg$/, '.png'), fullPage: true });
}
await ctx.close();
