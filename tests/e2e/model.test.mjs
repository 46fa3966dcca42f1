// "Load a model": a Hugging Face folder made by transformers (tests/golden/make_golden_families.py)
// is loaded through the page's file inputs, replaces the built-in model for every panel, and a
// live gradient-ascent run trains it; a model too large for the tab's limits, and malformed files,
// are refused with numbers or the file's error, and the model that was loaded stays; files dropped
// on the panel load too (a sharded checkpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT, ARTIFACTS, MINUTE, open, waitPhase, metrics, num, step, waitStep, setNumber, ready } from './helpers.mjs';

const GOLDEN = join(ROOT, 'tests', 'golden', 'models');
const summary = (page) => page.textContent('[data-testid=model-summary]');
const messages = (page) => page.$$eval('[data-testid=messages] li', (ls) => ls.map((l) => l.textContent));

/** Wait until the model panel names `name`, then for the step-0 evaluation on it. */
async function loaded(page, name) {
  await page.waitForFunction((n) => document.querySelector('[data-testid=model-summary]')?.textContent.startsWith(n), name, { timeout: 5 * MINUTE, polling: 200 });
  await waitStep(page, 0);
  await waitPhase(page, ['Idle']);
}

test('a GPT-2 folder with untied embeddings (folder input) and a Llama checkpoint (file input) replace the model; GA runs live on them', { timeout: 20 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  const builtIn = await metrics(page);
  assert.match(await summary(page), /^forgetlab-small \(gpt2, built in\)/);
  assert.match(await page.textContent('[data-testid=model-memory]'), /training at batch 16 needs about .* with LoRA rank 8/);

  await page.click('[data-testid=load-model]');
  assert.ok(await page.isVisible('[data-testid=model-folder]'), '"Load a model" opens the file pickers');
  await page.setInputFiles('[data-testid=model-folder]', join(GOLDEN, 'gpt2-untied-gelu'));
  await loaded(page, 'gpt2-untied-gelu');
  assert.match(await summary(page), /gpt2-untied-gelu \(gpt2, your files\): 2 layers × 16 wide/);
  // "Teach it the authors" (a few steps here): live progress, then the quality bar.
  await setNumber(page, 'teach-world-steps', 10);
  await page.click('[data-testid=teach-world]');
  await page.waitForFunction(() => document.querySelector('[data-testid=quality-bar]')?.textContent.includes('trained authors'), null, { timeout: 5 * MINUTE, polling: 200 });
  await waitPhase(page, ['Idle']);
  assert.match(await page.textContent('[data-testid=teach-world-progress]'), /step 10\/10 · loss \d/);
  assert.match(await page.textContent('[data-testid=quality-bar]'), /trained authors \d+ % .* holdout \d+ %/);
  await waitStep(page, 0);
  const start = await metrics(page);
  // Random weights over 1,024 tokens: the built-in model's knowledge is gone from every number.
  assert.ok(num(start, 'forget.prob') < 0.05 && num(builtIn, 'forget.prob') > 0.5, `forget prob: built in ${builtIn['forget.prob']}, loaded ${start['forget.prob']}`);
  assert.match(await page.textContent('[data-testid=retain-model]'), /No retain model/, 'the built-in model\'s retain models do not describe the loaded one');
  await setNumber(page, 'steps', 3);
  await setNumber(page, 'eval-every', 1);
  await page.click('[data-testid=play]');
  await waitPhase(page, ['Finished'], 10 * MINUTE);
  const end = await metrics(page);
  assert.equal(await step(page), 3);
  assert.equal(Number(await page.getAttribute('[data-chart=prob] [data-series=forget]', 'data-points')), 4, 'the live curves have steps 0 to 3');
  assert.ok(num(end, 'forget.prob') < num(start, 'forget.prob'), `gradient ascent lowers the loaded model's forget probability: ${start['forget.prob']} → ${end['forget.prob']}`);

  // A Llama-family checkpoint given as its files (grouped-query attention, untied head).
  const llama = join(GOLDEN, 'llama-gqa-untied');
  await page.setInputFiles('[data-testid=model-files]', ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => join(llama, f)));
  await loaded(page, 'your model (llama');
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);
  assert.ok(Number.isFinite(num(await metrics(page), 'forget.prob')), 'a step and an evaluation on the Llama model');
  // The in-page benchmark on it (figures printed, never asserted beyond being there).
  await page.click('[data-testid=benchmark]');
  await page.waitForFunction(() => document.querySelector('[data-testid=bench-figures]')?.textContent.includes('training tokens/s'), null, { timeout: 5 * MINUTE, polling: 200 });
  await waitPhase(page, ['Idle']);
  console.log(`in-page benchmark, Llama checkpoint: ${await page.textContent('[data-testid=bench-figures]')}`);
  assert.equal(await step(page), 1, 'the benchmark ran on a copy: the run is still at step 1');
  await page.screenshot({ path: join(ARTIFACTS, 'loaded-model.png'), fullPage: true });

  await page.click('[data-testid=model-built-in]');
  await loaded(page, 'forgetlab-small');
  assert.equal((await metrics(page))['forget.prob'], builtIn['forget.prob'], 'back to the built-in model: its step-0 numbers exactly');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a model too large for the tab is refused with numbers, malformed files with the file\'s error, and nothing is lost', { timeout: 10 * MINUTE }, async () => {
  const { page, problems } = await open('?backend=cpu&eval=quick');
  await ready(page);
  const before = await metrics(page);
  const dir = mkdtempSync(join(tmpdir(), 'forgetlab-big-'));
  // A 7-billion-parameter Llama's config.json: refused before its (here absent) weights are read.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    model_type: 'llama', vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32,
    num_attention_heads: 32, num_key_value_heads: 32, max_position_embeddings: 4096, rms_norm_eps: 1e-5,
    rope_theta: 10000, tie_word_embeddings: false,
  }));
  copyFileSync(join(GOLDEN, 'llama-gqa-untied', 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'model.safetensors'), 'not read');
  await page.setInputFiles('[data-testid=model-files]', ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => join(dir, f)));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=messages] li.error')].some((l) => l.textContent.includes('was not loaded')), null, { timeout: 2 * MINUTE });
  const refusal = (await messages(page)).find((m) => m.includes('was not loaded'));
  assert.match(refusal, /6738415616 parameters\) does not fit: training on the CPU needs about [\d.]+ GB of the tab's memory, more than wasm's 4\.3 GB/, refusal);
  assert.match(refusal, /Settings that fit: none in the browser: train it with the forgetlab CLI; the current model stays/, refusal);
  await waitPhase(page, ['Idle']);
  assert.match(await summary(page), /^forgetlab-small \(gpt2, built in\)/);

  // A config.json that is not JSON: the CLI's error, and still nothing lost.
  writeFileSync(join(dir, 'config.json'), '{"model_type": "gpt2", "n_embd": ');
  await page.setInputFiles('[data-testid=model-files]', ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => join(dir, f)));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=messages] li.error')].some((l) => l.textContent.includes('config.json')), null, { timeout: 2 * MINUTE });
  await waitPhase(page, ['Idle']);
  assert.deepEqual(await metrics(page), before, 'the built-in model and its run are as they were');
  await page.click('[data-testid=step]');
  await waitStep(page, 1);
  await waitPhase(page, ['Idle']);

  // Files dropped on the panel: a sharded bf16 checkpoint (its index and two shards).
  const sharded = join(GOLDEN, 'gpt2-quick-gelu-sharded');
  const files = readdirSync(sharded).map((name) => ({ name, base64: readFileSync(join(sharded, name)).toString('base64') }));
  await page.evaluate((files) => {
    const drop = new DataTransfer();
    for (const f of files) drop.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    document.querySelector('[data-testid=model-drop]').dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }));
  }, files);
  await loaded(page, 'your model (gpt2, your files)');
  assert.ok(Number.isFinite(num(await metrics(page), 'forget.prob')), 'the dropped sharded checkpoint is evaluated');
  assert.deepEqual(problems, []);
  await page.close();
});
