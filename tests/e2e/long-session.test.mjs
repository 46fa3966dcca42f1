// A long classroom session: run → stop → reset cycles, then switches between the backends. What
// must hold is that nothing accumulates per cycle or per switch, so the test measures the slope:
// the worker's live bytes (allocated and not freed; worker/memory.rs) and the page's JS heap
// after a collection, sampled after every cycle past warm-up and fitted by least squares. A leak
// of one snapshot per cycle (~100 KB) or one model copy per switch (1.1 MB) fails it.
//
// The test command runs 20 cycles (and failsafe.test.mjs checks the live bytes over two switches
// to WebGPU and back); `bash scripts/test.sh --full` (FORGETLAB_FULL=1) runs 100 cycles and then
// 20 switches (each WebGPU visit is an evaluation on SwiftShader, emulated on the CPU), with the
// same bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, open, ready, waitPhase, waitStep } from './helpers.mjs';

const FULL = process.env.FORGETLAB_FULL === '1';
const CYCLES = FULL ? 100 : 20;
const WARMUP = FULL ? 10 : 4;
const SWITCHES = FULL ? 20 : 0;
// Per cycle, after warm-up: the fitted growth must stay under these.
const LIVE_SLOPE = 16 * 2 ** 10;
const HEAP_SLOPE = 32 * 2 ** 10;
// The reserved wasm memory grows in jumps when the allocator runs out; over a whole session it
// may grow by at most this much after warm-up.
const RESERVED_GROWTH = 16 * 2 ** 20;
// After a switch back to the CPU: the live bytes equal the previous visit's within this.
const SWITCH_DRIFT = 512 * 2 ** 10;
const MB = (b) => (b / 2 ** 20).toFixed(2);
const KB = (b) => (b / 2 ** 10).toFixed(1);

async function memory(page) {
  // --js-flags=--expose-gc (helpers.mjs): collect first, so the heap is what is still reachable.
  const heap = await page.evaluate(() => { globalThis.gc?.(); return performance.memory.usedJSHeapSize; });
  const [reserved, live] = await page.$eval('[data-testid=engine-memory]', (e) => [Number(e.dataset.bytes), Number(e.dataset.live)]);
  return { heap, reserved, live };
}

/** The least-squares slope of ys against 0, 1, 2, … */
function slope(ys) {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; });
  return sxy / sxx;
}

test(`${CYCLES} run → stop → reset cycles${SWITCHES ? ` and ${SWITCHES} backend switches` : ''}: nothing accumulates`, { timeout: (FULL ? 60 : 15) * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick&method=ga&steps=100000&eval_every=100000');
  await ready(page);
  const samples = [];
  const started = Date.now();
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => /^step [1-9]/.test(document.querySelector('[data-testid=step-label]')?.textContent), null, { timeout: MINUTE, polling: 50 });
    await page.click('[data-testid=stop]');
    await waitPhase(page, ['Stopped'], MINUTE);
    await page.click('[data-testid=reset]');
    await waitStep(page, 0, MINUTE);
    await waitPhase(page, ['Idle'], MINUTE);
    if (cycle >= WARMUP) samples.push(await memory(page));
  }
  const cyclesSeconds = (Date.now() - started) / 1000;
  const liveSlope = slope(samples.map((s) => s.live));
  const heapSlope = slope(samples.map((s) => s.heap));
  console.log(`${CYCLES} cycles in ${cyclesSeconds.toFixed(0)} s; from cycle ${WARMUP}: live ${MB(samples[0].live)} → ${MB(samples.at(-1).live)} MiB `
    + `(slope ${KB(liveSlope)} KiB/cycle), reserved ${MB(samples[0].reserved)} → ${MB(samples.at(-1).reserved)} MiB, `
    + `JS heap ${MB(samples[0].heap)} → ${MB(samples.at(-1).heap)} MiB (slope ${KB(heapSlope)} KiB/cycle)`);
  assert.ok(liveSlope <= LIVE_SLOPE, `the worker's live bytes grow ${KB(liveSlope)} KiB per cycle`);
  assert.ok(heapSlope <= HEAP_SLOPE, `the page's JS heap grows ${KB(heapSlope)} KiB per cycle`);
  assert.ok(samples.at(-1).reserved - samples[0].reserved <= RESERVED_GROWTH, `wasm memory grew ${MB(samples.at(-1).reserved - samples[0].reserved)} MiB over the cycles`);

  // Switches: CPU → WebGPU → CPU …; each visit to the CPU must hold what the previous one held.
  const onCpu = [];
  for (let i = 1; i <= SWITCHES; i++) {
    const to = i % 2 ? 'webgpu' : 'cpu';
    await page.selectOption('[data-testid=backend]', to);
    await page.waitForFunction((label) => document.querySelector('[data-testid=backend-label]')?.dataset.backend === label, to === 'cpu' ? 'CPU (wasm)' : 'WebGPU', { timeout: 15 * MINUTE, polling: 200 });
    await ready(page, 15 * MINUTE);
    if (to === 'cpu') onCpu.push(await memory(page));
  }
  const switchesSeconds = (Date.now() - started) / 1000 - cyclesSeconds;
  if (SWITCHES) console.log(`${SWITCHES} switches in ${switchesSeconds.toFixed(0)} s; live bytes on the CPU after each return: ${onCpu.map((m) => MB(m.live)).join(', ')} MiB`);
  for (let k = 1; k < onCpu.length; k++) {
    const drift = onCpu[k].live - onCpu[k - 1].live;
    assert.ok(drift <= SWITCH_DRIFT, `live bytes grew ${MB(drift)} MiB between two returns to the CPU`);
  }
  if (SWITCHES) assert.ok(onCpu.at(-1).reserved - samples[0].reserved <= RESERVED_GROWTH, `wasm memory grew ${MB(onCpu.at(-1).reserved - samples[0].reserved)} MiB over the session`);
  assert.deepEqual(problems, []);
  await page.close();
});
