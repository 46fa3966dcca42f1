// End-to-end tests of what a course needs (issue #6): a teacher's link reproduces the experiment
// in a fresh browser profile with the chosen controls hidden; bad links fall back with a notice;
// a guided lab sets the controls and runs; two runs are compared (overlay chart, FQ/MU scatter);
// CSV, PNG and model files download; the keyboard drives the run; the app starts offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, MINUTE, browser, open, waitPhase, waitStep, setNumber, ready } from './helpers.mjs';

/** The run history the page keeps in localStorage. */
const keptRuns = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('forgetlab.runs.v1') ?? '[]'));

/** Click `selector` and collect the downloads it starts (name → path). */
async function downloads(page, selector, count = 1) {
  const got = [];
  const done = new Promise((resolve) => {
    const on = async (d) => {
      got.push([d.suggestedFilename(), await d.path()]);
      if (got.length === count) { page.off('download', on); resolve(); }
    };
    page.on('download', on);
  });
  await page.click(selector);
  await done;
  return Object.fromEntries(got);
}

test("a teacher's link opens the same experiment, with the chosen controls hidden and the same metrics", { timeout: 20 * MINUTE }, async () => {
  const teacherContext = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 720 } });
  await teacherContext.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page: teacher, problems } = await open('?backend=cpu&eval=quick', teacherContext);
  await ready(teacher);
  await teacher.selectOption('[data-testid=method]', 'npo');
  await setNumber(teacher, 'lr', 0.002);
  await setNumber(teacher, 'seed', 7);
  await setNumber(teacher, 'steps', 10);
  await setNumber(teacher, 'eval-every', 10);
  await teacher.click('[data-testid=share]');
  for (const name of ['facts-panel', 'backend', 'lr']) await teacher.check(`[data-testid=hide-${name}]`);
  await teacher.click('[data-testid=share-link]');
  const link = await teacher.inputValue('[data-testid=share-link]');
  await teacher.click('[data-testid=copy-link]');
  await teacher.waitForFunction((l) => navigator.clipboard.readText().then((t) => t === l), link, { timeout: 10_000 });
  assert.match(link, /method=npo/);
  assert.match(link, /hide=backend%2Cfacts-panel%2Clr|hide=backend,facts-panel,lr/);
  await teacher.click('[data-testid=share-close]');
  await teacher.click('[data-testid=play]');
  await waitPhase(teacher, ['Finished'], 10 * MINUTE);
  const [teacherRun] = await keptRuns(teacher);
  assert.deepEqual(teacherRun.points.map((p) => p.step), [0, 10]);

  // A student: a fresh profile (new context), the link as pasted.
  const studentContext = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page: student, problems: studentProblems } = await open(link.slice(link.indexOf('?')), studentContext);
  await ready(student);
  for (const hidden of ['[data-panel=facts-panel]', '[data-control=backend]', '[data-control=lr]']) {
    assert.ok(await student.isHidden(hidden), `${hidden} is hidden by the link`);
  }
  if (!(await student.$eval('[data-testid=open-method-settings]', (s) => s.parentElement.open))) await student.click('[data-testid=open-method-settings]');
  assert.ok(await student.isVisible('[data-control=seed]'), 'what the teacher did not hide stays');
  assert.equal(await student.inputValue('[data-testid=method]'), 'npo');
  assert.equal(await student.inputValue('[data-testid=seed]'), '7');
  // Space runs (the keyboard is a control too), and the run gives the teacher's numbers.
  await student.keyboard.press('Space');
  await waitPhase(student, ['Finished'], 10 * MINUTE);
  const [studentRun] = await keptRuns(student);
  assert.deepEqual(studentRun.points, teacherRun.points, 'step-0 and step-10 metrics equal the teacher’s');
  // R resets to step 0; S steps once.
  await student.keyboard.press('r');
  await waitStep(student, 0);
  await waitPhase(student, ['Idle']);
  await student.keyboard.press('s');
  await waitStep(student, 1);
  assert.deepEqual([...problems, ...studentProblems], []);
  await teacherContext.close();
  await studentContext.close();
});

test('one kind of question can be forgotten, the link carries it (and LoRA), and the page fits a phone', { timeout: 5 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  await page.selectOption('[data-testid=preset]', 'forget10');
  await page.waitForSelector('[data-testid=selected-count]:has-text("200 selected")');
  await page.selectOption('[data-testid=kind-filter]', 'birthplace');
  await page.waitForSelector('[data-testid=selected-count]:has-text("20 selected")');
  const link = new URL(page.url());
  const items = link.searchParams.get('items').split(',');
  assert.equal(items.length, 20, 'the link names the 20 picked items');
  assert.equal(await page.textContent('[data-testid=trainable]'), 'training 269696 parameters');
  // A student opening that link forgets exactly those birthplace questions; with lora_rank=4
  // added, a step trains only the adapters: 4·(in + out) on each of 16 projections.
  const student = await open(`${link.search}&lora_rank=4`);
  await ready(student.page);
  assert.equal(await student.page.textContent('[data-testid=selected-count]'), '20 selected');
  assert.equal(await student.page.inputValue('[data-testid=lora-rank]'), '4');
  assert.equal(await student.page.textContent('[data-testid=trainable]'), 'training 16384 parameters');
  // The page reads on a phone: at 390 px nothing is wider than the screen (tables scroll inside
  // their own boxes).
  await student.page.setViewportSize({ width: 390, height: 844 });
  const overflow = await student.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 390 px phone`);
  await student.page.screenshot({ path: join(ARTIFACTS, 'phone-390.png'), fullPage: false });
  assert.deepEqual(problems, []);
  await page.close();
  await student.page.close();
});

test('a hand-edited link keeps defaults for what is invalid and says so', { timeout: 5 * MINUTE }, async () => {
  const { page } = await open('?backend=cpu&eval=quick&method=nope&lr=abc&seed=3&bogus=1');
  await page.waitForSelector('[data-testid=messages] li.error:has-text("not valid")');
  assert.equal(await page.inputValue('[data-testid=method]'), 'ga');
  assert.equal(await page.inputValue('[data-testid=seed]'), '3');
  assert.equal(Number(await page.inputValue('[data-testid=lr]')), 0.0005);
  await page.close();
});

test('a guided lab runs two methods; history compares them; CSV, PNG and model files download; the attack and sequential requests report', { timeout: 25 * MINUTE }, async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 720 } });
  const { page, problems } = await open('?backend=cpu&eval=quick', context);
  await ready(page);
  await page.selectOption('[data-testid=lab-select]', 'ga-breaks');
  await page.waitForSelector('[data-testid=lab-title]:has-text("Why gradient ascent breaks the model")');
  assert.ok((await page.$$('[data-testid=lab-select] option')).length >= 5, 'four labs and the placeholder');
  assert.ok((await page.$$('[data-testid=lab-questions] li')).length >= 2);
  await page.click('[data-testid=lab-step-1]');
  assert.equal(await page.inputValue('[data-testid=method]'), 'ga');
  assert.equal(await page.inputValue('[data-testid=steps]'), '30');
  await page.click('[data-testid=lab-step-2]');
  await waitPhase(page, ['Running']);
  await waitPhase(page, ['Finished'], 10 * MINUTE);
  await page.click('[data-testid=lab-step-3]');
  assert.equal(await page.inputValue('[data-testid=method]'), 'graddiff');
  await page.click('[data-testid=lab-step-4]');
  await waitPhase(page, ['Running']);
  await waitPhase(page, ['Finished'], 10 * MINUTE);

  const runs = await keptRuns(page);
  assert.equal(runs.length, 2);
  assert.equal((await page.$$('[data-chart=history-forget] g[data-series]')).length, 2, 'two curves overlaid');
  assert.equal((await page.$$('[data-testid=scatter] circle[data-run]')).length, 2, 'two points on the FQ/MU plot');

  const csv = await downloads(page, '[data-testid=export-history-csv]');
  const lines = readFileSync(csv['forgetlab-history.csv'], 'utf8').trim().split('\n');
  assert.equal(lines[0], 'run,label,backend,query,step,loss,forget_prob,retain_prob,world_prob,forget_rouge_l,retain_rouge_l,forget_truth_ratio,kfr,krr,ls,forget_quality,model_utility');
  assert.equal(lines.length - 1, runs[0].points.length + runs[1].points.length, 'one row per evaluation of each run');
  const history = await downloads(page, '[data-testid=export-history-json]');
  assert.equal(JSON.parse(readFileSync(history['forgetlab-history.json'], 'utf8')).length, 2, 'both runs in the history file');
  const current = await downloads(page, '[data-testid=export-csv]');
  const currentRows = readFileSync(Object.values(current)[0], 'utf8').trim().split('\n');
  assert.equal(currentRows.length - 1, runs[1].points.length, "this run's CSV: one row per evaluation");
  const currentJson = await downloads(page, '[data-testid=export-json]');
  assert.equal(JSON.parse(readFileSync(currentJson['forgetlab-run.json'], 'utf8')).length, runs[1].points.length);
  for (const [button, name] of [['png-prob', 'forgetlab-prob.png'], ['png-pareto', 'forgetlab-pareto.png']]) {
    const png = await downloads(page, `[data-testid=${button}]`);
    assert.deepEqual([...readFileSync(png[name]).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${name} is a PNG file`);
  }
  const model = await downloads(page, '[data-testid=export-model]', 3);
  const config = JSON.parse(readFileSync(model['config.json'], 'utf8'));
  assert.equal(config.model_type, 'gpt2');
  assert.ok(readFileSync(model['model.safetensors']).length > 1e6);
  JSON.parse(readFileSync(model['tokenizer.json'], 'utf8'));

  await page.click('[data-testid=attack]');
  await page.waitForSelector('[data-testid=attack-report] tr[data-group=held-out], [data-testid=attack-report] tr[data-group="held out"]', { timeout: 5 * MINUTE });
  assert.equal((await page.$$('[data-testid=attack-report] tbody tr')).length, 2);
  // Sequential requests by clicks: forget05 as 2 requests of 3 GradDiff steps, in turn; each set
  // is measured before the first request and after each.
  await setNumber(page, 'requests-count', 2);
  await setNumber(page, 'requests-steps', 3);
  await page.click('[data-testid=run-requests]');
  await page.waitForSelector('[data-testid=requests-report] tr[data-set="1"] td[data-after="2"]', { timeout: 5 * MINUTE });
  const set1 = await page.$$eval('[data-testid=requests-report] tr[data-set="1"] td[data-after]', (tds) => tds.map((t) => Number(t.textContent.split(' ')[0])));
  assert.equal(set1.length, 3, 'before, after request 1, after request 2');
  assert.ok(set1[1] < set1[0], `request 1 lowered its own set's probability: ${set1}`);
  assert.equal((await page.$$('[data-testid=requests-report] tr[data-set]')).length, 3, 'two sets and model utility');
  // Clear history: the kept runs are gone, here and in the browser's storage.
  await page.click('[data-testid=clear-history]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] li').length === 0, null, { timeout: 10_000 });
  assert.deepEqual(await keptRuns(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('after one visit the app starts with the network off', { timeout: 10 * MINUTE }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page } = await open('?backend=cpu&eval=quick', context);
  await ready(page);
  // The service worker is active once every built file is cached.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await context.setOffline(true);
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=lab-select] option').length >= 5, null, { timeout: MINUTE });
  await context.close();
});
