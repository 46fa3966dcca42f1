// Shared by the end-to-end tests: Debian's Chromium driven by playwright-core, the trunk release
// build (dist/) served from 127.0.0.1, and small helpers that read the page's state.
import { before, after } from 'node:test';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';
import { openPanelsFirst } from './panels.mjs';

export { openPanelsFirst };

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = process.env.FORGETLAB_DIST ?? join(ROOT, 'dist');
export const ARTIFACTS = process.env.FORGETLAB_ARTIFACTS ?? join(ROOT, 'tests', 'e2e', 'artifacts');
export const MINUTE = 60_000;

let server;
export let browser;
export let base;

before(async () => {
  server = await serve(DIST, 0);
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // The long-session test reads the JS heap exactly, after a collection.
      '--enable-precise-memory-info', '--js-flags=--expose-gc'], // Playwright gives each launch a fresh, temporary profile
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Records, for tests/e2e/controls.mjs, each gesture on the page: a click, typing, a choice or a
 * drop, attributed to the nearest element with a data-testid. Settings put in the URL fire no
 * event, so they are not recorded. */
export async function recordGestures(page) {
  const dir = join(ARTIFACTS, 'gestures');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  await page.exposeBinding('__forgetlabGesture', (_source, id, type) => appendFileSync(file, `${JSON.stringify({ id, type })}\n`));
  await page.addInitScript(() => {
    for (const type of ['click', 'input', 'change', 'drop']) {
      addEventListener(type, (e) => {
        const id = e.target?.closest?.('[data-testid]')?.dataset.testid;
        if (id) globalThis.__forgetlabGesture(id, type);
      }, true);
    }
  });
}

/** A fresh page that records console errors, gestures and every request that leaves the origin. */
export async function open(query, context = browser) {
  const page = openPanelsFirst(await context.newPage({ viewport: { width: 1280, height: 720 } }));
  await recordGestures(page);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`foreign request: ${r.url()}`); });
  await page.goto(`${base}/${query}`);
  return { page, problems };
}

export const phase = (page) => page.getAttribute('[data-testid=phase]', 'data-phase');
export async function waitPhase(page, wanted, timeout = 5 * MINUTE) {
  await page.waitForFunction((w) => w.includes(document.querySelector('[data-testid=phase]')?.dataset.phase), wanted, { timeout, polling: 200 });
}

/** Every metric of the latest evaluation, as exact strings (data-value) and numbers. */
export async function metrics(page) {
  return page.$$eval('[data-testid=metrics] td[data-metric]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.metric, td.dataset.value])));
}
export const num = (m, k) => Number(m[k]);
export const step = async (page) => Number((await page.textContent('[data-testid=metrics-step]')).replace(/\D/g, '') || 0);
export async function waitStep(page, n, timeout = 5 * MINUTE) {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=metrics-step]')?.textContent.replace(/\D/g, '') || -1) === n, n, { timeout, polling: 200 });
}

export async function setNumber(page, testid, value) {
  await page.fill(`[data-testid=${testid}]`, String(value));
  await page.dispatchEvent(`[data-testid=${testid}]`, 'change');
}

export async function ready(page, timeout = 5 * MINUTE) {
  await page.waitForSelector('[data-testid=metrics] td[data-metric="forget.prob"][data-value]:not([data-value=""])', { timeout });
  await waitPhase(page, ['Idle']);
}
