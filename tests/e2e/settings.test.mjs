// Every method's settings, typed in: choosing a method shows the fields it reads (the settings
// table's rows), typing a value into each changes the setting, and the link carries it. No
// training: this is the controls' own contract, cheap enough to cover every field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, open, ready } from './helpers.mjs';

/** A valid new value for a field: whole numbers + 1, others doubled (0 becomes 0.5). */
const next = (value, integer) => (integer ? value + 1 : value === 0 ? 0.5 : value * 2);

test('every field of every method takes a typed value, and the link carries it', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  const methods = await page.$$eval('[data-testid=method] option', (os) => os.map((o) => o.value));
  assert.ok(methods.length >= 15, `the method list: ${methods}`);
  const typed = new Set();
  for (const method of methods) {
    await page.selectOption('[data-testid=method]', method);
    await page.waitForFunction((m) => new URLSearchParams(location.search).get('method') === m || m === 'ga', method);
    const fields = await page.$$eval('.method .fields input[type=number]', (inputs) => inputs
      .map((i) => ({ id: i.dataset.testid, value: Number(i.value), integer: i.step === '1' }))
      .filter((f) => !['seed', 'steps', 'eval-every'].includes(f.id)));
    assert.ok(fields.length >= 1, `${method} reads at least one setting`);
    for (const f of fields) {
      const value = next(f.value, f.integer);
      await page.fill(`[data-testid=${f.id}]`, String(value));
      await page.dispatchEvent(`[data-testid=${f.id}]`, 'change');
      const key = f.id.replaceAll('-', '_');
      await page.waitForFunction(([k, v]) => Number(new URLSearchParams(location.search).get(k)) === v, [key, value], { timeout: 10_000 })
        .catch(() => assert.fail(`${method}: typing ${value} into ${f.id} did not reach the link (${page.url()})`));
      assert.equal(Number(await page.inputValue(`[data-testid=${f.id}]`)), value);
      typed.add(f.id);
    }
  }
  console.log(`typed into ${typed.size} setting fields across ${methods.length} methods`);
  // The evaluation size is a choice too.
  await page.selectOption('[data-testid=eval-size]', 'standard');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('eval') !== 'quick', null, { timeout: MINUTE });
  assert.deepEqual(problems, []);
  await page.close();
});
