// A long classroom session: 100 cycles of run → stop → reset, then 20 backend switches. The
// worker's wasm memory (it can only grow) and the page's JS heap must stay flat after warm-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, open, ready, waitPhase, waitStep } from './helpers.mjs';

// The bounds: after warm-up, growth over the rest of the session stays within these. A leak of
// one snapshot per cycle (~100 KB) or one model copy per switch (1.1 MB) would pass either.
const WASM_GROWTH = 16 * 2 ** 20;
const HEAP_GROWTH = 16 * 2 ** 20;
const MB = (b) => (b / 2 ** 20).toFixed(1);

async function memory(page) {
  // --js-flags=--expose-gc (helpers.mjs): collect first, so the heap is what is still reachable.
  const heap = await page.evaluate(() => { globalThis.gc?.(); return performance.memory.usedJSHeapSize; });
  const wasm = Number(await page.getAttribute('[data-testid=engine-memory]', 'data-bytes'));
  return { heap, wasm };
}

test('100 run → stop → reset cycles and 20 backend switches keep memory flat', { timeout: 60 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick&method=ga&steps=100000&eval_every=100000');
  await ready(page);
  const samples = [];
  let warm;
  const started = Date.now();
  for (let cycle = 1; cycle <= 100; cycle++) {
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => /^step [1-9]/.test(document.querySelector('[data-testid=step-label]')?.textContent), null, { timeout: MINUTE, polling: 50 });
    await page.click('[data-testid=stop]');
    await waitPhase(page, ['Stopped'], MINUTE);
    await page.click('[data-testid=reset]');
    await waitStep(page, 0, MINUTE);
    await waitPhase(page, ['Idle'], MINUTE);
    if (cycle === 10 || cycle % 25 === 0) {
      const m = await memory(page);
      samples.push(`cycle ${cycle}: wasm ${MB(m.wasm)} MiB, JS heap ${MB(m.heap)} MiB`);
      if (cycle === 10) warm = m;
    }
  }
  const afterCycles = await memory(page);
  const cyclesSeconds = (Date.now() - started) / 1000;
  let switchWarm;
  for (let i = 1; i <= 20; i++) {
    const to = i % 2 ? 'webgpu' : 'cpu';
    await page.selectOption('[data-testid=backend]', to);
    await page.waitForFunction((label) => document.querySelector('[data-testid=backend-label]')?.dataset.backend === label, to === 'cpu' ? 'CPU (wasm)' : 'WebGPU', { timeout: 15 * MINUTE, polling: 200 });
    await ready(page, 15 * MINUTE);
    if (i === 4 || i % 10 === 0) {
      const m = await memory(page);
      samples.push(`switch ${i} (${to}): wasm ${MB(m.wasm)} MiB, JS heap ${MB(m.heap)} MiB`);
      if (i === 4) switchWarm = m;
    }
  }
  const end = await memory(page);
  const switchesSeconds = (Date.now() - started) / 1000 - cyclesSeconds;
  console.log(`memory over the session:\n  ${samples.join('\n  ')}`);
  console.log(`100 cycles took ${cyclesSeconds.toFixed(0)} s, 20 switches ${switchesSeconds.toFixed(0)} s`);
  assert.ok(afterCycles.wasm - warm.wasm <= WASM_GROWTH, `wasm grew ${MB(afterCycles.wasm - warm.wasm)} MiB over cycles 10–100`);
  assert.ok(afterCycles.heap - warm.heap <= HEAP_GROWTH, `JS heap grew ${MB(afterCycles.heap - warm.heap)} MiB over cycles 10–100`);
  assert.ok(end.wasm - switchWarm.wasm <= WASM_GROWTH, `wasm grew ${MB(end.wasm - switchWarm.wasm)} MiB over switches 4–20`);
  assert.ok(end.heap - switchWarm.heap <= HEAP_GROWTH, `JS heap grew ${MB(end.heap - switchWarm.heap)} MiB over switches 4–20`);
  assert.deepEqual(problems, []);
  await page.close();
});
