// The first minute, as a class or a demo audience meets the page: the story on the first screen
// at 1280×720 (Run, the four headline numbers, the answers) and a page at most 2.5 screens tall
// with its panels closed; every number explains itself on a tap; a number within a step of
// pressing Run (the Run-to-first-number / step-time ratio is printed); the phone's status bar on
// one line; every panel opens by a click and stays open across a reload; and axe-core finds no
// serious or critical accessibility violation in either mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { browser, MINUTE, open, ready, openPanelsFirst, recordGestures } from './helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rectangle of the first element matching `selector`. */
const box = (page, selector) => page.$eval(selector, (e) => e.getBoundingClientRect().toJSON());

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page) {
  await page.evaluate(`${AXE};0`);
  const found = await page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
  return found;
}

test('first screen: Run, the headline numbers and the answers without scrolling; tips explain; a number within a step', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu');
  await ready(page);
  const viewport = page.viewportSize();
  for (const what of ['[data-testid=play]', '[data-testid=headline]', '[data-testid=answers]']) {
    const b = await box(page, what);
    assert.ok(b.top >= 0 && b.bottom <= viewport.height && b.width > 0, `${what} is in the first viewport: ${JSON.stringify(b)}`);
  }
  const keys = await page.$$eval('[data-testid=headline] [data-metric]', (cs) => cs.map((c) => [c.dataset.metric, c.dataset.start, c.textContent]));
  assert.deepEqual(keys.map(([k]) => k), ['forget.prob', 'retain.prob', 'model_utility', 'forget_quality']);
  for (const [key, start, text] of keys) {
    assert.ok(Number.isFinite(Number(start)) && start !== '', `${key} shows its step-0 value: ${text}`);
  }
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`first screen: page ${height} px tall at ${viewport.width}×${viewport.height} (${(height / viewport.height).toFixed(2)} screens)`);
  assert.ok(height <= 2.5 * viewport.height, `at most 2.5 screens with the panels closed: ${height} px`);

  // A tap on "?" explains forget quality: definition, direction, paper.
  const tip = '[data-testid=headline] [data-metric=forget_quality] [data-testid=metric-tip]';
  await page.click(tip);
  const body = await page.$eval(`${tip} + .tip-body`, (e) => ({ text: e.textContent, shown: getComputedStyle(e).display !== 'none' }));
  assert.ok(body.shown, 'the tip opens on a tap');
  assert.match(body.text, /KS-test p-value/);
  assert.match(body.text, /higher is better/);
  assert.match(body.text, /Source: .*TOFU.*2024/);
  await page.click(tip);

  // Run: the time to the first new number against one training step, in this run.
  await page.evaluate(() => {
    const t = (globalThis.__firstNumber = {});
    document.querySelector('[data-testid=play]').addEventListener('click', () => { t.run = performance.now(); }, { capture: true, once: true });
    const headline = document.querySelector('[data-testid=headline]');
    new MutationObserver(() => {
      if (t.run && !t.first && Number(headline.dataset.step) > 0) t.first = performance.now();
    }).observe(headline, { attributes: true, attributeFilter: ['data-step'] });
  });
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => globalThis.__firstNumber.first, null, { timeout: 2 * MINUTE, polling: 20 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=headline]').dataset.step) >= 4, null, { timeout: 2 * MINUTE });
  const live = await page.$eval('[data-testid=headline] [data-metric="forget.prob"]', (c) => c.dataset.estimate);
  await page.click('[data-testid=play]'); // pause
  const { run, first } = await page.evaluate(() => globalThis.__firstNumber);
  const stepMs = Number(await page.getAttribute('[data-testid=speed]', 'data-step-ms'));
  const ratio = (first - run) / stepMs;
  console.log(`first minute: Run → first new number ${(first - run).toFixed(0)} ms, one training step ${stepMs.toFixed(0)} ms: ratio ${ratio.toFixed(2)} (target ≤ 2; printed, not asserted: speed is not a test)`);
  assert.ok(Number.isFinite(ratio), 'both times were measured');
  assert.ok(['true', 'false'].includes(live));
  assert.ok((await page.$$('[data-testid=live-probability]')).length > 0 || live === 'false', 'the watched answers show the live estimate between evaluations');
  assert.deepEqual(problems, []);
  await page.close();
});

test('panels open on demand, stay open across a reload; axe-core finds nothing serious in either mode', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu');
  await ready(page);
  assert.deepEqual(await axeViolations(page), [], 'Forget mode, first screen');
  const forget = ['open-facts', 'open-method-settings', 'open-charts', 'open-attack', 'open-requests', 'open-fact-files', 'open-history', 'open-export', 'open-labs', 'open-model'];
  for (const id of forget) {
    await page.click(`[data-testid=${id}]`);
    assert.ok(await page.$eval(`[data-testid=${id}]`, (s) => s.parentElement.open), `${id} opens its panel`);
  }
  await page.waitForFunction((n) => new URL(location.href).searchParams.get('open')?.split(',').length === n, forget.length, { timeout: MINUTE });
  assert.deepEqual(await axeViolations(page), [], 'Forget mode, every panel open');
  await page.reload();
  await ready(page);
  assert.ok(await page.$eval('[data-testid=open-history]', (s) => s.parentElement.open), 'an open panel stays open across a reload');
  await page.click('[data-testid=open-history]');
  assert.ok(!(await page.$eval('[data-testid=open-history]', (s) => s.parentElement.open)), 'and closes again');

  await page.click('[data-testid=mode-learn]');
  await page.waitForSelector('[data-testid=learn-headline] [data-metric]');
  for (const id of ['open-learn-charts', 'open-edit']) await page.click(`[data-testid=${id}]`);
  await page.evaluate(() => scrollTo(0, 0)); // opening the panels scrolled down to them
  for (const what of ['[data-testid=play]', '[data-testid=learn-headline]', '[data-chart=learn-accuracy]']) {
    const b = await box(page, what);
    assert.ok(b.top >= 0 && b.bottom <= page.viewportSize().height, `Learn mode: ${what} is on the first screen: ${JSON.stringify(b)}`);
  }
  assert.deepEqual(await axeViolations(page), [], 'Learn mode');
  assert.deepEqual(problems, []);
  await page.close();
});

test('phone: a one-line status bar, details on tap, and a page of at most 3 screens', { timeout: 5 * MINUTE }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = openPanelsFirst(await context.newPage());
  await recordGestures(page);
  await page.goto(`${(await import('./helpers.mjs')).base}/?backend=cpu`);
  await ready(page);
  const status = await box(page, 'footer.status');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`phone: status bar ${status.height.toFixed(0)} px, page ${height} px (${(height / 844).toFixed(2)} screens)`);
  assert.ok(status.height <= 64, `the status bar is at most 64 px: ${status.height}`);
  assert.ok(height <= 3 * 844, `at most 3 screens before the panels open: ${height}`);
  assert.ok(await page.isHidden('[data-testid=trainable]'), 'details wait for a tap');
  await page.tap('[data-testid=status-details]');
  assert.ok(await page.isVisible('[data-testid=trainable]'), 'a tap shows the details');
  await context.close();
});
