// Learn mode end to end (issue #16), on the CPU backend: each of the three guided labs runs
// live — the stage timeline, the charts with their stage bands, the schedule plot drawn before
// the run, a REMIX vs no-mixing comparison in the run history, the editing panel — and the
// Forget mode is one click away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, browser, open, waitPhase } from './helpers.mjs';

/** The run history the page keeps in localStorage. */
const keptRuns = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]'));

/** Learn mode's first evaluation is in and the controls are free. */
async function learnReady(page, timeout = 5 * MINUTE) {
  await page.waitForSelector('[data-testid=learn-table] tbody tr', { timeout });
  await waitPhase(page, ['Idle'], timeout);
}

/** How many points a chart's series has (by its data-series name prefix). */
// (CSS's [a^=""] matches nothing: no prefix means every series.)
const points = (page, chart, prefix = '') => page.$$eval(`[data-chart=${chart}] g${prefix ? `[data-series^="${prefix}"]` : '[data-series]'}`,
  (gs) => gs.map((g) => Number(g.dataset.points)));

/** The learning rates the schedule plot draws: its polyline's y values (SVG y grows downwards). */
const scheduleYs = (page) => page.$eval('[data-chart=schedule] g[data-series="learning rate"] polyline',
  (p) => p.getAttribute('points').trim().split(' ').map((xy) => Number(xy.split(',')[1])));

/** Learn runs kept in the history so far. */
const keptLearnRuns = async (page) => (await keptRuns(page)).filter((r) => r.learn?.length);

/** Click a lab step that runs, and wait until its run finished and is kept in the history (a
 * step that only sets controls leaves the previous run's phase showing until Run). */
async function runLabStep(page, n) {
  const before = (await keptLearnRuns(page)).length;
  await page.click(`[data-testid=lab-step-${n}]`);
  await page.waitForFunction((b) => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]').filter((r) => r.learn?.length).length > b,
    before, { timeout: 15 * MINUTE, polling: 500 });
  await waitPhase(page, ['Finished']);
}

test('lab "New facts push out old ones": stage bands, the schedule plot, REMIX vs no mixing in the history', { timeout: 30 * MINUTE }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open('?backend=cpu&lab=new-facts-push-out-old', context);
  await page.waitForSelector('[data-testid=lab-title]:has-text("New facts push out old ones")');
  // Step 1 switches to Learn mode and builds the two-stage timeline.
  await page.click('[data-testid=lab-step-1]');
  await learnReady(page);
  assert.equal(await page.getAttribute('[data-testid=mode-learn]', 'aria-pressed'), 'true');
  assert.ok(await page.isHidden('[data-panel=facts-panel]'), "Forget mode's panels are out of the way");
  assert.equal((await page.$$('[data-testid=stages] li')).length, 2);
  assert.match(page.url(), /mode=learn&stages=factoids1%3A40%3Anone%3A1%2Cfactoids2%3A40%3Anone%3A1/);
  // The schedule is drawn before the run starts, and the charts shade one band per stage.
  assert.deepEqual(await points(page, 'schedule', 'learning rate'), [80]);
  assert.equal((await page.$$('[data-chart=learn-accuracy] rect.stage-band')).length, 2);
  assert.equal((await page.$$('[data-chart=learn-loss] rect.stage-band')).length, 2);
  // Step 2: run, live; every stage's accuracy is charted at 0, 10, …, 80.
  await runLabStep(page, 2);
  assert.deepEqual(await points(page, 'learn-accuracy', 'stage '), [9, 9]);
  const lens = await points(page, 'learn-lens', 'lens');
  assert.equal(lens.length, 2, 'logit lens at the end of stage 1 and now');
  assert.ok(lens.every((n) => n >= 2), `one point per layer: ${lens}`);
  const probe = await points(page, 'learn-lens', 'probe');
  assert.deepEqual(probe, [lens[0], lens[0]], 'the probe at the end of stage 1 and of stage 2');
  const rows = await page.$$eval('[data-testid=learn-table] tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 4, 'two stages, world facts, trained authors');
  // Steps 3 and 4: the same with REMIX.
  // Step 3 sets the controls; Learn mode sets the new run up at once (step 0, the schedule).
  await page.click('[data-testid=lab-step-3]');
  await learnReady(page);
  assert.equal(await page.inputValue('[data-testid=stage-2] [data-testid=stage-mixing]'), 'remix_generic');
  await runLabStep(page, 4);
  const runs = await keptRuns(page);
  const learnRuns = runs.filter((r) => r.learn?.length);
  assert.equal(learnRuns.length, 2);
  assert.ok(!learnRuns[0].label.includes('remix') && learnRuns[1].label.includes('remix_generic'), learnRuns.map((r) => r.label).join(' | '));
  for (const r of learnRuns) {
    assert.deepEqual(r.learn.map((p) => p.step), [0, 10, 20, 30, 40, 50, 60, 70, 80]);
    assert.ok(r.learn.every((p) => p.stage_accuracy.length === 2));
  }
  // The comparison: both runs overlaid in the history, and listed with their stage accuracies.
  assert.deepEqual(await points(page, 'history-learn'), [9, 9]);
  assert.equal((await page.$$('[data-testid=runs] li[data-kind=learn]')).length, 2);
  // The history's link brings back the first run's settings.
  await page.click('[data-testid=runs] li[data-kind=learn] >> nth=0 >> button');
  assert.equal(await page.inputValue('[data-testid=stage-2] [data-testid=stage-mixing]'), 'none');
  // Forget mode is one click away, with its own run.
  await page.click('[data-testid=mode-forget]');
  await page.waitForSelector('[data-testid=metrics] td[data-metric="forget.prob"][data-value]:not([data-value=""])', { timeout: 5 * MINUTE });
  assert.ok(await page.isVisible('[data-panel=facts-panel]'));
  assert.doesNotMatch(page.url(), /mode=learn/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab "Rewarming hurts": repeated cosine rewarms at every stage, the infinite schedule does not', { timeout: 30 * MINUTE }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open('?backend=cpu&lab=rewarming-hurts', context);
  await page.waitForSelector('[data-testid=lab-title]:has-text("Rewarming hurts")');
  await page.click('[data-testid=lab-step-1]');
  await learnReady(page);
  assert.equal(await page.inputValue('[data-testid=schedule]'), 'cosine');
  assert.equal((await page.$$('[data-chart=learn-prob] rect.stage-band')).length, 3);
  // Repeated cosine: the rate climbs back up at each stage start (y falls in SVG coordinates).
  const cosine = await scheduleYs(page);
  const rewarms = (ys) => ys.filter((y, i) => i > 0 && y < ys[i - 1] - 1).length;
  assert.ok(rewarms(cosine) >= 3 * 5, `three warm-ups of ~10 steps each: ${rewarms(cosine)}`);
  // (Step 2 runs the cosine schedule; the first lab's test already runs two Learn runs and
  // compares them, so this one runs only the infinite schedule.)
  await page.click('[data-testid=lab-step-3]');
  await learnReady(page);
  const infinite = await scheduleYs(page);
  assert.ok(rewarms(infinite) < rewarms(cosine) / 2, `one warm-up only: ${rewarms(infinite)}`);
  await runLabStep(page, 4);
  // Stage ends are scored on the anneal branch.
  assert.match(await page.textContent('[data-panel=learn-charts]'), /anneal branch/);
  const labels = (await keptRuns(page)).filter((r) => r.learn?.length).map((r) => r.label);
  assert.equal(labels.length, 1);
  assert.match(labels[0], /· infinite ·/);
  assert.deepEqual(await points(page, 'history-learn'), [10]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab "Edit without training": IKE, fine-tuning and fine-tuning + REMIX measured on the same edits', { timeout: 20 * MINUTE }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open('?backend=cpu&eval=quick&lab=edit-without-training', context);
  await page.waitForSelector('[data-testid=lab-title]:has-text("Edit without training")');
  await page.click('[data-testid=lab-step-1]');
  await learnReady(page);
  assert.equal(await page.inputValue('[data-testid=edit-count]'), '10');
  // The lab's step 2 is the panel's button; here it is pressed by hand, with the counts typed in.
  for (const [testid, value] of [['edit-count', 8], ['edit-steps', 40]]) {
    await page.fill(`[data-testid=${testid}]`, String(value));
    await page.dispatchEvent(`[data-testid=${testid}]`, 'change');
  }
  await page.waitForFunction(() => /edits=8/.test(location.search), null, { timeout: 10_000 });
  await page.click('[data-testid=run-edits]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=edit-results] tbody tr').length === 3, null, { timeout: 10 * MINUTE, polling: 500 });
  await waitPhase(page, ['Idle', 'Finished']);
  assert.equal((await page.$$('[data-testid=edits] li')).length, 5, 'the first five edits are shown');
  const table = await page.$$eval('[data-testid=edit-results] tbody tr', (trs) => trs.map((tr) => [tr.dataset.method, [...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  assert.deepEqual(table.map(([m]) => m), ['ike', 'ft', 'ft_remix']);
  for (const [method, cells] of table) {
    for (const v of cells.slice(1, 4)) {
      const x = Number(v);
      assert.ok(x >= 0 && x <= 1, `${method}: ${cells}`);
    }
  }
  // Fine-tuning on the new facts for 40 steps makes them win (efficacy), as the CLI measures.
  assert.ok(Number(table[1][1][1]) >= 0.8, `fine-tuning's efficacy: ${table[1][1]}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a three-stage run built by clicks: + stage, each stage\'s data, steps, mixing and ratio, the schedule; then Run', { timeout: 15 * MINUTE }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open('?backend=cpu&eval=quick', context);
  await page.waitForSelector('[data-testid=metrics] td[data-metric="forget.prob"][data-value]:not([data-value=""])', { timeout: 5 * MINUTE });
  await page.click('[data-testid=mode-learn]');
  await learnReady(page);
  const stages = () => page.$$('[data-testid=stages] li');
  assert.equal((await stages()).length, 2, 'Learn mode starts with two stages');
  // "+ stage" twice, then ✕ on the fourth: three stages, each set up by hand.
  await page.click('[data-testid=add-stage]');
  await page.click('[data-testid=add-stage]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=stages] li').length === 4);
  await page.click('[data-testid=stage-4] [data-testid=stage-remove]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=stages] li').length === 3);
  const set = async (k, testid, value) => {
    const sel = `[data-testid=stage-${k}] [data-testid=${testid}]`;
    if (testid === 'stage-data' || testid === 'stage-mixing') await page.selectOption(sel, value);
    else { await page.fill(sel, String(value)); await page.dispatchEvent(sel, 'change'); }
    await learnReady(page);
  };
  for (const [k, data, mixing] of [[1, 'factoids1', 'none'], [2, 'factoids2', 'replay'], [3, 'key_value', 'remix_generic']]) {
    await set(k, 'stage-data', data);
    await set(k, 'stage-steps', 12);
    await set(k, 'stage-mixing', mixing);
  }
  await set(3, 'stage-ratio', 0.5);
  await page.selectOption('[data-testid=schedule]', 'wsd');
  for (const [testid, value] of [['learn-lr', 0.002], ['learn-eval-every', 6], ['learn-seed', 3]]) {
    await page.fill(`[data-testid=${testid}]`, String(value));
    await page.dispatchEvent(`[data-testid=${testid}]`, 'change');
  }
  await learnReady(page);
  assert.match(decodeURIComponent(page.url()), /stages=factoids1:12:none:1,factoids2:12:replay:1,key_value:12:remix_generic:0\.5/);
  assert.match(page.url(), /schedule=wsd/);
  assert.equal((await page.$$('[data-chart=learn-accuracy] rect.stage-band')).length, 3);
  assert.deepEqual(await points(page, 'schedule', 'learning rate'), [36]);
  // Run: every stage is scored at 0, 6, …, 36.
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]').some((r) => r.learn?.length),
    null, { timeout: 10 * MINUTE, polling: 500 });
  await waitPhase(page, ['Finished']);
  const [run] = await keptLearnRuns(page);
  assert.deepEqual(run.learn.map((p) => p.step), [0, 6, 12, 18, 24, 30, 36]);
  assert.ok(run.learn.every((p) => p.stage_accuracy.length === 3));
  assert.deepEqual(await points(page, 'learn-accuracy', 'stage '), [7, 7, 7]);
  assert.deepEqual(problems, []);
  await context.close();
});
