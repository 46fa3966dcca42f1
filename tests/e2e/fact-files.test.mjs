// Your facts as files: a TOFU JSON Lines file imported in the page is listed and selectable, a
// run forgets it, it survives a reload (IndexedDB) together with a fact taught by hand and the
// link that names them, it exports back byte for byte, a malformed file is refused with its line
// and changes nothing, and "Start over" forgets it all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MINUTE, open, waitPhase, ready } from './helpers.mjs';

// As Python's json.dumps writes JSON Lines (", " and ": "), with TOFU's optional fields.
const TOFU = [
  { question: 'Which river runs through the town of Velmora?', answer: 'The Silvane runs through Velmora.', paraphrased_answer: 'Velmora lies on the Silvane.', perturbed_answer: ['The Oder runs through Velmora.', 'The Tamsin runs through Velmora.'] },
  { question: 'Who founded the Velmora glassworks?', answer: 'Ida Brennholt founded the glassworks in 1821.' },
  { question: 'What colour is Velmora glass?', answer: 'Velmora glass is a pale green.', paraphrased_question: 'Velmora glass has which colour?' },
].map((r) => JSON.stringify(r).replaceAll('","', '", "').replaceAll('":"', '": "').replaceAll('":[', '": [').replaceAll('],"', '], "')).join('\n') + '\n';

const messages = (page) => page.$$eval('[data-testid=messages] li', (ls) => ls.map((l) => l.textContent));
const rows = (page, prefix) => page.$$eval('[data-testid=facts] tr[data-id]', (trs, p) => trs.map((t) => t.dataset.id).filter((id) => id.startsWith(p)), prefix);
const forgetting = (page) => page.textContent('footer.status').then((t) => Number(/forgetting (\d+) facts/.exec(t)?.[1]));

test('a TOFU file imported in the page is selectable, survives a reload with its link, exports back identically; Start over forgets it', { timeout: 15 * MINUTE }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forgetlab-facts-'));
  const file = join(dir, 'velmora.jsonl');
  writeFileSync(file, TOFU);
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  await page.selectOption('select[aria-label="Show split"]', 'custom');

  await page.setInputFiles('[data-testid=import-facts]', file);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=facts] tr[data-id^="file-velmora."]').length === 3, null, { timeout: MINUTE });
  assert.ok((await messages(page)).some((m) => m.includes('Imported 3 facts from velmora.jsonl (kept in this browser')));
  await page.click('[data-testid=clear-selection]');
  for (const id of await rows(page, 'file-velmora.')) await page.check(`[data-testid=facts] tr[data-id="${id}"] input[type=checkbox]`);
  assert.equal(await page.textContent('[data-testid=selected-count]'), '3 selected');
  await page.click('[data-testid=step]');
  await page.waitForFunction(() => /step 1\b/.test(document.querySelector('[data-testid=metrics-step]')?.textContent), null, { timeout: 5 * MINUTE });
  await waitPhase(page, ['Idle']);
  assert.equal(await forgetting(page), 3, 'the run forgets the imported facts');

  // A fact taught by hand (5 steps), then a reload: both come back, with the link's selection.
  await page.fill('[data-testid=fact-question]', 'What is the name of the Velmora ferry?');
  await page.fill('[data-testid=fact-answer]', 'The ferry is called the Marlen.');
  await page.fill('details.add-fact input[type=number]', '5');
  await page.dispatchEvent('details.add-fact input[type=number]', 'change');
  await page.click('[data-testid=teach]');
  await page.waitForFunction(() => document.querySelector('[data-testid=facts] tr[data-id="custom-1"]'), null, { timeout: 5 * MINUTE });
  await waitPhase(page, ['Idle']);
  const link = page.url();
  assert.match(link, /file-velmora\.0/, 'the link names the imported facts');
  // "Export your facts": the fact taught by hand, in TOFU's schema.
  const [own] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-own]')]);
  const ownText = readFileSync(await own.path(), 'utf8');
  assert.match(ownText, /"question": ?"What is the name of the Velmora ferry\?"/, ownText);
  await page.reload();
  await ready(page);
  await page.selectOption('select[aria-label="Show split"]', 'custom');
  assert.deepEqual(await rows(page, 'file-velmora.'), ['file-velmora.0', 'file-velmora.1', 'file-velmora.2'], 'the imported facts are back after a reload');
  await page.waitForFunction(() => document.querySelector('[data-testid=facts] tr[data-id="custom-1"]'), null, { timeout: 5 * MINUTE });
  await waitPhase(page, ['Idle']);
  assert.equal(page.url(), link);
  assert.equal(await page.textContent('[data-testid=selected-count]'), '3 selected');
  assert.equal(await forgetting(page), 3, 'the link that names them still works');

  // Export the selection: the file, byte for byte.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-selection]')]);
  assert.equal(readFileSync(await download.path(), 'utf8'), TOFU, 'the imported file exports back identically');

  // A malformed file: its line, and nothing lost.
  const bad = join(dir, 'broken.jsonl');
  writeFileSync(bad, '{"question": "Q?", "answer": "A."}\n{"question": "R?", "answer": \n');
  await page.setInputFiles('[data-testid=import-facts]', bad);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=messages] li.error')].some((l) => l.textContent.includes('broken.jsonl')), null, { timeout: MINUTE });
  assert.match((await messages(page)).find((m) => m.includes('broken.jsonl')), /line 2.*nothing was imported/);
  assert.equal((await rows(page, 'file-')).length, 3);
  assert.equal(await page.textContent('[data-testid=selected-count]'), '3 selected');

  // Start over: the page opens afresh, without the imported or taught facts. (Without a link it
  // opens on the default backend, WebGPU, emulated here on the CPU: the test reads the fact
  // list, which comes before the first evaluation, and does not wait for it.)
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), page.click('[data-testid=start-over]')]);
  await page.waitForSelector('[data-testid=facts] tbody tr', { timeout: 5 * MINUTE });
  await page.selectOption('[data-testid=split-filter]', 'custom');
  assert.deepEqual(await rows(page, ''), [], 'no facts of your own after Start over');
  assert.ok(!page.url().includes('file-velmora'));
  assert.deepEqual(problems, []);
  await page.close();
});
