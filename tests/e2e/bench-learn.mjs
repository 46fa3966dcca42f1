// Learn mode's speed in the browser, measured (never asserted): a three-stage continual run of
// 3 × 100 steps, evaluated every 20 steps and at every stage end, on the CPU backend (wasm) in
// headless Chromium. Prints the wall time from Run to Finished, and the time per step and per
// evaluation the page reports. Needs the release build in dist/ (scripts/build-web.sh).
//
//   node tests/e2e/bench-learn.mjs [cpu|webgpu]
import { withBrowser } from './bench-browser.mjs';

const backend = process.argv[2] ?? 'cpu';
await withBrowser(async (page, base) => {
  const query = `?mode=learn&stages=factoids1:100,factoids2:100,key_value:100&schedule=constant&learn_eval_every=20&eval=standard&seed=0&backend=${backend}`;
  await page.goto(`${base}/${query}`);
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
});
