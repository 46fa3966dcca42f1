// Failing safe: WebGPU that cannot make a device, a device lost mid-run, and a worker that
// crashes. Each is forced by the test-only `fault=` switch (protocol::Fault) and must end with the
// run going on, on the CPU or in a fresh worker, with a message and the settings intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, metrics, num, open, phase, ready, setNumber, step, waitPhase, waitStep } from './helpers.mjs';

const backendLabel = (page) => page.getAttribute('[data-testid=backend-label]', 'data-backend');
const messages = (page) => page.textContent('[data-testid=messages]');

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

test('WebGPU lost mid-run: the run continues on the CPU from its last evaluated weights', { timeout: 30 * MINUTE }, async () => {
  // The device is destroyed (a real device.lost) before step 3; the last evaluation was step 2.
  const { page, problems } = await open('?backend=webgpu&fault=device-lost@3&eval=quick&method=ga&steps=6&eval_every=2');
  await ready(page, 15 * MINUTE); // SwiftShader compiles its shaders for minutes on two cores
  assert.equal(await backendLabel(page), 'WebGPU');
  const start = await metrics(page);
  await page.click('[data-testid=play]');
  await waitPhase(page, ['Finished', 'Diverged'], 20 * MINUTE);
  assert.equal(await phase(page), 'Finished', await messages(page));
  assert.equal(await backendLabel(page), 'CPU (wasm)');
  assert.match(await messages(page), /continues on the CPU from step 2/);
  assert.equal(await step(page), 6);
  const end = await metrics(page);
  assert.ok(num(end, 'forget.prob') < num(start, 'forget.prob'), `the run went on forgetting: ${start['forget.prob']} → ${end['forget.prob']}`);
  // The curves hold one point per evaluated step: 0, 2 (WebGPU), then 4 and 6 (CPU) — step 2's
  // re-evaluation on the CPU replaced WebGPU's, nothing doubled.
  assert.equal(Number(await page.getAttribute('[data-chart=prob] [data-series=forget]', 'data-points')), 4);
  // WebGPU reports the loss of its device on the console; nothing else may go wrong.
  assert.deepEqual(problems.filter((p) => !/device.*(lost|destroyed)|Device was destroyed/i.test(p)), []);
  await page.close();
});

test('a crashed worker is restarted with the settings intact (on the CPU if it died on WebGPU)', { timeout: 25 * MINUTE }, async () => {
  // A shader or pipeline error makes cubecl panic: the same path as this forced panic.
  const { page, problems } = await open('?backend=webgpu&fault=panic@1&eval=quick&method=npo&lr=0.002&steps=7');
  await ready(page, 15 * MINUTE);
  assert.equal(await backendLabel(page), 'WebGPU');
  await page.click('[data-testid=step]'); // step 1 panics: the worker is gone
  await page.waitForFunction(() => /The engine crashed/.test(document.querySelector('[data-testid=messages]')?.textContent), null, { timeout: MINUTE });
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
