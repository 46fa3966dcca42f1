// The in-page benchmark (Model panel → Benchmark), measured (never asserted): on the built-in
// model with the page's default run (GA on forget05, batch 16), then on a checkpoint loaded
// through the panel, on the CPU backend (wasm) or WebGPU in headless Chromium. Prints what the
// page reports. Needs the release build in dist/ (scripts/build-web.sh).
//
//   node tests/e2e/bench-inpage.mjs [cpu|webgpu] [MODEL_DIR]
import { withBrowser } from './bench-browser.mjs';

const backend = process.argv[2] ?? 'cpu';
const model = process.argv[3];
await withBrowser(async (page, base) => {
  await page.goto(`${base}/?backend=${backend}&eval=standard`);
  const idle = () => page.waitForFunction(() => document.querySelector('[data-testid=phase]')?.dataset.phase === 'Idle', null, { timeout: 30 * 60_000, polling: 100 });
  const bench = async (what) => {
    await page.click('[data-testid=benchmark]');
    await page.waitForFunction(() => document.querySelector('[data-testid=phase]')?.dataset.phase === 'Busy', null, { timeout: 60_000, polling: 20 });
    await idle();
    console.log(`${what}: ${await page.textContent('[data-testid=bench-figures]')}`);
  };
  await page.waitForSelector('[data-testid=metrics] td[data-metric="forget.prob"][data-value]:not([data-value=""])', { timeout: 30 * 60_000 });
  await idle();
  await bench('built-in model (0.27 M parameters)');
  if (model) {
    await page.setInputFiles('[data-testid=model-folder]', model);
    await page.waitForFunction(() => !document.querySelector('[data-testid=model-summary]')?.textContent.startsWith('forgetlab-small'), null, { timeout: 30 * 60_000 });
    await idle();
    await bench(await page.textContent('[data-testid=model-summary]'));
  }
});
