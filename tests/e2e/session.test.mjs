// Keep the session: a run, a loaded model taught the authors, and the settings survive a reload
// with the same numbers (the worker does again what made them: everything is seeded); a page
// opened without a link takes the last settings; "Start over" forgets it all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, MINUTE, open, base, waitPhase, metrics, step, waitStep, setNumber, ready } from './helpers.mjs';

const summary = (page) => page.textContent('[data-testid=model-summary]');
const points = (page) => page.getAttribute('[data-chart=prob] [data-series=forget]', 'data-points').then(Number);

test('a run and a loaded, taught model survive a reload exactly; Start over forgets them', { timeout: 20 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick&steps=4&eval_every=2');
  await ready(page);

  // The built-in model, 4 steps of GA, evaluated at 0, 2 and 4; then a reload.
  await page.click('[data-testid=play]');
  await waitPhase(page, ['Finished'], 10 * MINUTE);
  const before = await metrics(page);
  await page.reload();
  await page.waitForFunction(() => /step 4\b/.test(document.querySelector('[data-testid=metrics-step]')?.textContent), null, { timeout: 10 * MINUTE, polling: 200 });
  await waitPhase(page, ['Idle', 'Finished']);
  assert.deepEqual(await metrics(page), before, 'the resumed run shows the same numbers at step 4');
  assert.equal(await points(page), 3, 'and the same curve: steps 0, 2 and 4');

  // A model of your own, taught the authors for a few steps, and one step on it; a reload.
  await page.setInputFiles('[data-testid=model-folder]', join(ROOT, 'tests', 'golden', 'models', 'gpt2-untied-gelu'));
  await page.waitForFunction(() => document.querySelector('[data-testid=model-summary]')?.textContent.startsWith('gpt2-untied-gelu'), null, { timeout: 5 * MINUTE });
  await waitPhase(page, ['Idle']);
  await setNumber(page, 'teach-world-steps', 8);
  await setNumber(page, 'teach-world-lr', 0.002);
  await page.click('[data-testid=teach-world]');
  await page.waitForFunction(() => document.querySelector('[data-testid=quality-bar]')?.textContent.includes('trained authors'), null, { timeout: 5 * MINUTE });
  await waitPhase(page, ['Idle']);
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  const taught = await metrics(page);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=model-summary]')?.textContent.startsWith('gpt2-untied-gelu'), null, { timeout: 5 * MINUTE });
  await page.waitForFunction(() => /step 1\b/.test(document.querySelector('[data-testid=metrics-step]')?.textContent), null, { timeout: 10 * MINUTE, polling: 200 });
  await waitPhase(page, ['Idle']);
  assert.deepEqual(await metrics(page), taught, 'the loaded model, taught again, and its run come back with the same numbers');

  // A page opened without a link takes the last settings (and the kept session).
  const link = page.url();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => /steps=4/.test(location.search), null, { timeout: MINUTE });
  assert.equal(page.url(), link);
  await page.waitForFunction(() => document.querySelector('[data-testid=model-summary]')?.textContent.startsWith('gpt2-untied-gelu'), null, { timeout: 5 * MINUTE });
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);

  // Start over: the built-in model at step 0, default settings.
  // (Without a link the page opens on the default backend, WebGPU, emulated here on the CPU: the
  // test reads the model and the step, which come before the first evaluation, and does not
  // wait for it.)
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=start-over]')]);
  await page.waitForFunction(() => /^forgetlab-small \(gpt2, built in\)/.test(document.querySelector('[data-testid=model-summary]')?.textContent), null, { timeout: 5 * MINUTE });
  assert.equal(await step(page), 0);
  assert.ok(!page.url().includes('steps=4'), `default settings after Start over: ${page.url()}`);
  assert.deepEqual(problems, []);
  await page.close();
});
