// WebGPU in the page, and failing safe. Headless Chromium's WebGPU is SwiftShader, a GPU emulated
// on the CPU: each first evaluation on it compiles every kernel and takes about a minute here, so
// the page's WebGPU path is proven in one session (the engine's numbers on both backends are
// checked more finely by app/tests/engine_in_browser.rs). The faults are forced by the test-only
// `fault=` switch (protocol::Fault): WebGPU that cannot make a device, a device lost mid-run, and
// a worker that crashes. Each must end with the run going on, on the CPU or in a fresh worker,
// with a message and the settings intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, MINUTE, metrics, num, open, phase, ready, step, waitPhase, waitStep } from './helpers.mjs';

const backendLabel = (page) => page.getAttribute('[data-testid=backend-label]', 'data-backend');
const messages = (page) => page.textContent('[data-testid=messages]');
const keptRuns = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]'));
const liveBytes = (page) => page.getAttribute('[data-testid=engine-memory]', 'data-live').then(Number);
// After a return to the CPU, the worker's live bytes (worker/memory.rs) equal the previous
// return's within this: a model copy kept per switch (1.1 MB) would exceed it.
const SWITCH_DRIFT = 512 * 2 ** 10;

/** Choose `backend` in the menu and wait until the run is set up afresh on it. */
async function switchTo(page, backend) {
  await page.selectOption('[data-testid=backend]', backend);
  await page.waitForFunction((label) => document.querySelector('[data-testid=backend-label]')?.dataset.backend === label,
    backend === 'cpu' ? 'CPU (wasm)' : 'WebGPU', { timeout: 5 * MINUTE });
  await waitStep(page, 0, 15 * MINUTE);
  await ready(page, 15 * MINUTE);
}

test('a WebGPU device that cannot be created: the engine runs on the CPU and says why', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=webgpu&fault=webgpu-device&eval=quick');
  await ready(page);
  assert.equal(await backendLabel(page), 'CPU (wasm)');
  assert.match(await messages(page), /WebGPU's device could not be created/);
  assert.equal(await page.inputValue('[data-testid=backend]'), 'cpu', 'the backend switch shows the CPU');
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('WebGPU, chosen in the backend menu: the CPU\'s step-1 metrics, switches that keep no copies, a live run that forgets, and a device lost mid-run that continues on the CPU', { timeout: 30 * MINUTE }, async () => {
  // The device is destroyed (a real device.lost) before step 2; the last evaluation was step 1.
  const t0 = Date.now();
  const took = [];
  const lap = (what) => took.push(`${what} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const { page, problems } = await open('?backend=cpu&fault=device-lost@2&eval=quick&method=ga&steps=6&eval_every=2');
  await ready(page);
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  const cpu = await metrics(page);

  lap('CPU step 1');
  // Back and forth first: each return to the CPU holds what the previous one held. (The first
  // visit to WebGPU compiles its kernels and keeps its device for the tab; later visits reuse
  // them.) Each visit configures the same run afresh and evaluates its step 0.
  const switched = Date.now();
  await switchTo(page, 'webgpu');
  lap('WebGPU evaluated');
  await switchTo(page, 'cpu');
  const first = await liveBytes(page);
  await switchTo(page, 'webgpu');
  await switchTo(page, 'cpu');
  const second = await liveBytes(page);
  console.log(`switches: live bytes on the CPU after two returns ${(first / 2 ** 20).toFixed(2)} and ${(second / 2 ** 20).toFixed(2)} MiB (${((Date.now() - switched) / 1000).toFixed(0)} s)`);
  assert.ok(second - first <= SWITCH_DRIFT, `live bytes grew ${((second - first) / 2 ** 20).toFixed(2)} MiB between two returns to the CPU`);
  lap('switches');

  // The same run, configured afresh on WebGPU by the menu: its step 1 against the CPU's.
  await switchTo(page, 'webgpu');
  await page.click('[data-testid=step]');
  await waitStep(page, 1, 15 * MINUTE);
  await waitPhase(page, ['Idle']);
  lap('WebGPU step 1');
  const gpu = await metrics(page);
  // Both backends compute in float32 with different summation orders (wasm CPU loops vs GPU
  // workgroup reductions): logits differ around 1e-6 relative, and one AdamW step of lr 5e-4
  // keeps that small, so answer probabilities (means of exp(-NLL)) agree to well within 1e-3.
  for (const k of ['start.forget.prob', 'start.retain.prob', 'forget.prob', 'retain.prob', 'world.prob']) {
    assert.ok(Math.abs(num(gpu, k) - num(cpu, k)) < 1e-3, `${k}: WebGPU ${gpu[k]} vs CPU ${cpu[k]}`);
  }
  console.log(`step 1 forget prob: WebGPU ${gpu['forget.prob']}, CPU ${cpu['forget.prob']}`);

  // Run: the device lost before step 2, steps 2–6 on the CPU from step 1's weights.
  await page.click('[data-testid=play]');
  await waitPhase(page, ['Finished', 'Diverged'], 20 * MINUTE);
  lap('run finished');
  console.log(`WebGPU session: ${took.join(', ')}`);
  assert.equal(await phase(page), 'Finished', await messages(page));
  assert.equal(await backendLabel(page), 'CPU (wasm)');
  assert.match(await messages(page), /continues on the CPU from step 1/);
  assert.equal(await step(page), 6);
  // One point per evaluated step: 0 and 1 (WebGPU), then 2, 4 and 6 (CPU) — step 1's
  // re-evaluation on the CPU replaced WebGPU's, nothing doubled.
  assert.equal(Number(await page.getAttribute('[data-chart=prob] [data-series=forget]', 'data-points')), 5);
  const run = (await keptRuns(page)).at(-1);
  const prob = Object.fromEntries(run.points.map((p) => [p.step, p.forget_prob]));
  assert.deepEqual(Object.keys(prob).map(Number), [0, 1, 2, 4, 6]);
  assert.ok(prob[1] < prob[0], `the WebGPU step forgets: ${prob[0]} → ${prob[1]}`);
  assert.ok(prob[6] < prob[1], `the run went on forgetting on the CPU: ${prob[1]} → ${prob[6]}`);
  await page.screenshot({ path: join(ARTIFACTS, 'webgpu-device-lost.png'), fullPage: true });
  // WebGPU reports the loss of its device on the console; nothing else may go wrong.
  assert.deepEqual(problems.filter((p) => !/device.*(lost|destroyed)|Device was destroyed/i.test(p)), []);
  await page.close();
});

test('a worker that crashes on WebGPU is restarted on the CPU with the settings intact', { timeout: 10 * MINUTE }, async () => {
  // A shader or pipeline error makes cubecl panic: the same path as this forced panic, which
  // fires once the run is configured on WebGPU, before its first evaluation.
  const { page, problems } = await open('?backend=webgpu&fault=panic@0&eval=quick&method=npo&lr=0.002&steps=7');
  await page.waitForFunction(() => /The engine crashed/.test(document.querySelector('[data-testid=messages]')?.textContent), null, { timeout: 5 * MINUTE });
  await ready(page); // a fresh worker, configured again
  assert.equal(await step(page), 0);
  assert.equal(await backendLabel(page), 'CPU (wasm)', 'back on the CPU');
  assert.match(await messages(page), /crashed on WebGPU[\s\S]*restarted on the CPU/);
  assert.equal(await page.inputValue('[data-testid=method]'), 'npo');
  assert.equal(await page.inputValue('[data-testid=steps]'), '7');
  assert.match(page.url(), /lr=0.002/);
  await page.click('[data-testid=step]'); // the new worker has no fault
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  // The panic is reported on the console by design (the worker's panic hook); nothing else.
  assert.deepEqual(problems.filter((p) => !/fault=panic|panicked|unreachable|RuntimeError/.test(p)), []);
  await page.close();
});
