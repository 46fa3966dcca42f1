// Learn mode's speed in the browser, measured (never asserted): a three-stage continual run of
// 3 × 100 steps, evaluated every 20 steps and at every stage end, on the CPU backend (wasm) in
// headless Chromium. Prints the wall time from Run to Finished, and the time per step and per
// evaluation the page reports. Needs the release build in dist/ (scripts/build-web.sh).
//
//   node tests/e2e/bench-learn.mjs [cpu|webgpu]
import { chromium } from 'playwright-core';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';

const backend = process.argv[2] ?? 'cpu';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = await serve(process.env.FORGETLAB_DIST ?? join(root, 'dist'), 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const query = `?mode=learn&stages=factoids1:100,factoids2:100,key_value:100&schedule=constant&learn_eval_every=20&eval=standard&seed=0&backend=${backend}`;
  await page.goto(`http://127.0.0.1:${server.address().port}/${query}`);
  const phase = (wanted, timeout) => page.waitForFunction((w) => w.includes(document.querySelector('[data-testid=phase]')?.dataset.phase), wanted, { timeout, polling: 100 });
  await page.waitForSelector('[data-testid=learn-table] tbody tr', { timeout: 10 * 60_000 });
  await phase(['Idle'], 10 * 60_000);
  const started = Date.now();
  await page.click('[data-testid=play]');
  await phase(['Running'], 60_000);
  await phase(['Finished'], 30 * 60_000);
  const seconds = (Date.now() - started) / 1000;
  const evaluations = await page.evaluate(() => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]').at(-1)?.learn?.length ?? 0);
  const status = await page.textContent('[data-testid=status]').catch(() => '');
  console.log(`learn mode, ${backend}: 3 × 100 steps, ${evaluations} evaluations (every 20 steps and at stage ends): ${seconds.toFixed(1)} s from Run to Finished`);
  if (status) console.log(`status line: ${status.replace(/\s+/g, ' ').trim()}`);
} finally {
  await browser.close();
  server.close();
}
