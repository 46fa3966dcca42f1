// End-to-end tests of the playground: Debian's Chromium, driven by playwright-core, on the
// trunk release build (dist/) served from 127.0.0.1. Run: node --test tests/e2e/suite.mjs
//
// What they prove: the page loads the default model from its own origin only; gradient ascent
// on forget05 makes the forget probability fall on the CPU backend while the retain set is hurt
// much less (WebGPU: failsafe.test.mjs); the controls answer at once during a run; Stop + Reset restore the step-0 metrics exactly; the
// generations change; a user's own fact is learned and then forgotten; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, MINUTE, browser, open, waitPhase, metrics, num, step, waitStep, setNumber, ready } from './helpers.mjs';

/** Click a control and measure, in the page, how long until its label changes. */
async function clickLatency(page, selector) {
  return page.evaluate(async (sel) => {
    const b = document.querySelector(sel);
    const before = b.textContent;
    const t0 = performance.now();
    b.click();
    while (b.textContent === before && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 1));
    return performance.now() - t0;
  }, selector);
}


test('first impression: from opening the page to the first numbers (printed, not asserted)', { timeout: 5 * MINUTE }, async () => {
  // A fresh browser context: nothing cached. The figure goes to the README and PERFORMANCE.md.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // The moment the number enters the page, taken in the page itself: a DOM observer installed
  // before any script runs. Playwright's own wait adds its polling and a round trip to the
  // test process (0.3–0.5 s on a busy 2-core machine), printed beside it.
  const FIRST = '[data-testid=metrics] td[data-metric="forget.prob"][data-value]:not([data-value=""])';
  await context.addInitScript((selector) => {
    const seen = new MutationObserver(() => {
      if (document.querySelector(selector)) {
        globalThis.forgetlabFirstNumbers = performance.now() / 1000;
        seen.disconnect();
      }
    });
    seen.observe(document, { subtree: true, childList: true, attributes: true });
  }, FIRST);
  const { page, problems } = await open('?backend=cpu', context);
  await page.waitForSelector(FIRST, { timeout: 2 * MINUTE, polling: 10 });
  const observed = await page.evaluate(() => performance.now() / 1000);
  const firstNumbers = await page.evaluate(() => globalThis.forgetlabFirstNumbers);
  await page.waitForSelector('[data-testid=startup][data-phases]:not([data-phases="[]"])', { timeout: 2 * MINUTE });
  const phases = JSON.parse(await page.getAttribute('[data-testid=startup]', 'data-phases'));
  console.log(`first impression: first numbers ${firstNumbers.toFixed(2)} s after opening (in the page; ${observed.toFixed(2)} s seen by Playwright); ${phases.map(([what, at]) => `${what} ${at.toFixed(2)} s`).join(', ')}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('CPU: gradient ascent on forget05 forgets, live, and Reset restores step 0 exactly', { timeout: 25 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu');
  await ready(page);
  assert.equal(await page.getAttribute('[data-testid=backend-label]', 'data-backend'), 'CPU (wasm)');
  const start = await metrics(page);
  const startAnswers = await page.$$eval('[data-testid=current-answer]', (tds) => tds.map((t) => t.dataset.text));
  assert.ok(startAnswers.length >= 3, 'the generation panel shows answers at step 0');
  assert.ok(num(start, 'forget.prob') > 0.5, `the default model knows forget05: ${start['forget.prob']}`);
  // Forget quality is TOFU's, against forget05's retain model (its per-item values ship beside
  // the default model); its chart has a log axis; the answers panel shows what the retain model
  // answers; the probe and the lens are reported per block; every metric has a tip.
  assert.match(await page.textContent('[data-testid=retain-model]'), /retain model of forget05/);
  assert.ok(num(start, 'forget_quality') >= 0 && num(start, 'forget_quality') < 1e-3, `the original model is far from the retain model: FQ ${start.forget_quality}`);
  assert.ok(Number.isFinite(num(start, 'ks_vs_holdout')), 'KS vs. holdout is reported under its own name');
  const ticks = await page.$$eval('[data-chart=quality] text.tick', (ts) => ts.map((t) => t.textContent));
  assert.ok(ticks.some((t) => /^1e-\d+/.test(t)), `the forget-quality chart has a log axis: ${ticks}`);
  const retainAnswers = await page.$$eval('[data-testid=retain-answer] span', (ss) => ss.map((s) => s.textContent));
  assert.ok(retainAnswers.length >= 1 && retainAnswers.every((a) => a.length > 0), `the retain model's answers for watched forget items: ${retainAnswers}`);
  assert.equal((await page.$$('[data-testid=layers] tr[data-layer]')).length, 4, 'lens and probe after each of the 4 blocks');
  const cka = await page.$$eval('[data-testid=layers] td[data-metric^="cka_original."]', (tds) => tds.map((t) => t.textContent));
  assert.ok(cka.length === 4 && cka.every((t) => t.startsWith('1.000')), `CKA to the original model is 1 at step 0: ${cka}`);
  const tipped = await page.$$eval('[data-testid=metrics] [data-testid=metric-tip]', (ts) => ts.map((t) => t.dataset.key));
  assert.equal(tipped.length, await page.$$eval('[data-testid=metrics] tbody tr', (trs) => trs.length), 'every metric in the table has its tip');

  // One step, then Reset: exactly step 0 again.
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  await page.click('[data-testid=reset]');
  await waitStep(page, 0);
  await waitPhase(page, ['Idle']);
  assert.deepEqual(await metrics(page), start, 'Reset after a step restores the step-0 metrics exactly');

  await setNumber(page, 'steps', 20);
  await setNumber(page, 'eval-every', 5);
  const runLatency = await clickLatency(page, '[data-testid=play]');
  await waitPhase(page, ['Running']);
  await waitStep(page, 5);
  const pauseLatency = await clickLatency(page, '[data-testid=play]');
  await waitPhase(page, ['Idle']);
  const resumeLatency = await clickLatency(page, '[data-testid=play]');
  console.log(`controls answered in ${runLatency.toFixed(1)} ms (Run), ${pauseLatency.toFixed(1)} ms (Pause during a run), ${resumeLatency.toFixed(1)} ms (Run again)`);
  for (const ms of [runLatency, pauseLatency, resumeLatency]) assert.ok(ms < 100, `a control took ${ms} ms to answer`);
  await waitPhase(page, ['Finished'], 10 * MINUTE);

  const end = await metrics(page);
  assert.equal(await step(page), 20);
  const points = Number(await page.getAttribute('[data-chart=prob] [data-series=forget]', 'data-points'));
  assert.equal(points, 5, 'the probability chart has a point at steps 0, 5, 10, 15, 20');
  const forgetRatio = num(end, 'forget.prob') / num(start, 'forget.prob');
  const retainRatio = num(end, 'retain.prob') / num(start, 'retain.prob');
  console.log(`CPU GA 20 steps: forget prob ${start['forget.prob']} → ${end['forget.prob']}, retain prob ${start['retain.prob']} → ${end['retain.prob']}`);
  assert.ok(forgetRatio < 0.2, `the forget probability fell at least 5x (ratio ${forgetRatio})`);
  // Gradient ascent has no retain term, so the retain set is collateral damage (0.92 → 0.27 in
  // 20 steps here); the claim we can hold it to is that forgetting is targeted: the forget
  // probability falls at least twice as far, as a ratio, as the retain probability.
  assert.ok(retainRatio > 2 * forgetRatio, `retain (ratio ${retainRatio}) fell much less than forget (ratio ${forgetRatio})`);
  const endAnswers = await page.$$eval('[data-testid=current-answer]', (tds) => tds.map((t) => t.dataset.text));
  assert.notDeepEqual(endAnswers, startAnswers, 'the generation panel changed');
  // The per-kind table (it folds away): the standard evaluation's 32 forget items, grouped by
  // kind of question, and every kind's forget probability fell.
  await page.click('[data-testid=by-kind-open]');
  assert.ok(await page.isHidden('[data-testid=by-kind]'));
  await page.click('[data-testid=by-kind-open]');
  assert.ok(await page.isVisible('[data-testid=by-kind]'));
  const kinds = await page.$$eval('[data-testid=by-kind] tr[data-kind]', (trs) => trs.map((tr) => ({
    kind: tr.dataset.kind, forget: Number(tr.children[1].textContent), prob: tr.children[2].textContent,
  })));
  const authorKinds = kinds.filter((k) => k.forget > 0);
  assert.equal(authorKinds.reduce((n, k) => n + k.forget, 0), 32, `32 forget items by kind: ${JSON.stringify(kinds)}`);
  for (const k of authorKinds) {
    const [before, after] = k.prob.split('→').map(Number);
    assert.ok(after < before, `${k.kind}: forget probability fell (${k.prob})`);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'cpu-ga-forget05.png'), fullPage: true });
  // The README's picture: the first screen after the run, remade by every test run.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ROOT, 'docs', 'playground.png') });

  // Stop, then Reset: exactly the step-0 metrics again.
  await clickLatency(page, '[data-testid=stop]');
  await waitPhase(page, ['Stopped']);
  await page.click('[data-testid=reset]');
  await waitStep(page, 0);
  await waitPhase(page, ['Idle']);
  assert.deepEqual(await metrics(page), start, 'Stop + Reset restores the step-0 metrics exactly');
  assert.deepEqual(problems, []);
  await page.close();
});

test('add your own fact: the model learns it, then forgets it', { timeout: 20 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu');
  await ready(page);
  await page.fill('[data-testid=fact-question]', "What is the name of Lena's cat?");
  await page.fill('[data-testid=fact-answer]', 'Her cat is called Pumpernickel.');
  await page.click('[data-testid=teach]');
  await page.waitForSelector('[data-testid=messages] li.notice:has-text("Learned")', { timeout: 10 * MINUTE });
  await waitPhase(page, ['Idle']);
  const learned = Number(await page.getAttribute('[data-testid=learn-probability]', 'data-value'));
  assert.ok(learned > 0.5, `the new fact was learned (probability ${learned})`);

  // Forget exactly that fact: pick it in the facts table.
  await page.selectOption('select[aria-label="Show split"]', 'custom');
  await page.waitForSelector('[data-testid=facts] tr[data-split=custom] input[type=checkbox]');
  await page.click('[data-testid=clear-selection]');
  await page.check('[data-testid=facts] tr[data-split=custom] input[type=checkbox]');
  assert.equal(await page.textContent('[data-testid=selected-count]'), '1 selected');
  await setNumber(page, 'steps', 10);
  await setNumber(page, 'eval-every', 10);
  await page.click('[data-testid=play]');
  await waitPhase(page, ['Finished'], 10 * MINUTE);
  const m = await metrics(page);
  console.log(`own fact: probability at step 0 ${m['start.forget.prob']}, after 10 GA steps ${m['forget.prob']}`);
  assert.ok(num(m, 'start.forget.prob') > 0.5, 'the learned fact starts known');
  assert.ok(num(m, 'forget.prob') < 0.5 * num(m, 'start.forget.prob'), 'and gradient ascent forgets it');
  // No retain model was trained without this fact: forget quality says so instead of a number.
  assert.equal((await page.textContent('[data-testid=metrics] td[data-metric=forget_quality]')).trim(), 'needs a retain model');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the facts table: search it, pick a whole author, watch an answer, find the worst case, fold the own-fact form', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  const author = await page.textContent('[data-testid=facts] tr[data-split=forget05] [data-testid=pick-author]');
  await page.fill('[data-testid=fact-search]', author);
  await page.waitForFunction((a) => [...document.querySelectorAll('[data-testid=facts] tbody tr')].every((tr) => tr.textContent.includes(a)), author, { timeout: 10_000 });
  const rows = (await page.$$('[data-testid=facts] tbody tr')).length;
  assert.ok(rows >= 2 && rows <= 30, `the search keeps ${author}'s facts: ${rows} rows`);
  // Pick the author: every one of their facts outside the holdout set is selected.
  await page.click('[data-testid=clear-selection]');
  await page.click('[data-testid=facts] tbody tr >> nth=0 >> [data-testid=pick-author]');
  const picked = await page.$$eval('[data-testid=facts] tbody tr:not([data-split=holdout]) [data-testid=fact-pick]', (cs) => cs.filter((c) => c.checked).length);
  assert.ok(picked >= 2, `${author}'s facts are picked: ${picked}`);
  assert.equal(await page.textContent('[data-testid=selected-count]'), `${picked} selected`);
  assert.equal(await page.inputValue('[data-testid=preset]'), 'picked');
  // Watch an answer the page is not showing yet: it joins the answers panel.
  await page.fill('[data-testid=fact-search]', '');
  const id = await page.$$eval('[data-testid=facts] tbody tr', (trs) => trs.find((tr) => {
    const w = tr.querySelector('[data-testid=watch]');
    return w && !w.disabled && !w.classList.contains('on');
  })?.dataset.id);
  assert.ok(id, 'a watchable fact that is not watched');
  await page.click(`[data-testid=facts] tr[data-id="${id}"] [data-testid=watch]`);
  await page.waitForSelector(`[data-testid=generations] tr[data-id="${id}"]`, { timeout: 2 * MINUTE });
  // The worst case beside the presets: the 3 authors of forget10 hardest to unlearn, found by the
  // worker's proxy run; their facts become the selection, and the next run forgets them.
  await setNumber(page, 'worst-case-authors', 3);
  await page.click('[data-testid=worst-case]');
  await page.waitForSelector('[data-testid=worst-case-note]', { timeout: 2 * MINUTE });
  assert.match(await page.textContent('[data-testid=worst-case-note]'), /Selected the 3 of forget10's 20 authors whose answers' log-probability fell least/);
  assert.equal(await page.textContent('[data-testid=selected-count]'), '30 selected');
  await waitPhase(page, ['Idle']);
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  assert.match(await page.textContent('[data-testid=open-facts]'), /Forgetting 30 facts/);
  // The own-fact form folds and unfolds.
  await page.click('[data-testid=add-fact]');
  assert.ok(await page.isHidden('[data-testid=fact-question]'));
  await page.click('[data-testid=add-fact]');
  assert.ok(await page.isVisible('[data-testid=fact-question]'));
  assert.deepEqual(problems, []);
  await page.close();
});
