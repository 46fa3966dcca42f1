// Hosting anywhere: the release build served unchanged from a sub-folder (the shape of a GitHub
// Pages project site or a course's web space) loads, runs a step, and works offline there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { browser, DIST, MINUTE, ready, recordGestures, openPanelsFirst, waitStep } from './helpers.mjs';

// A CSP violation is a console error ("Refused to …"), which `problems` records below.

test('the build served from a sub-folder loads, steps and works offline there', { timeout: 10 * MINUTE }, async () => {
  // A site root whose only content is the build, three folders down.
  const root = mkdtempSync(join(tmpdir(), 'forgetlab-site-'));
  mkdirSync(join(root, 'a', 'sub'), { recursive: true });
  symlinkSync(DIST, join(root, 'a', 'sub', 'path'));
  const server = await serve(root, 0);
  const site = `http://127.0.0.1:${server.address().port}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = openPanelsFirst(await context.newPage());
  await recordGestures(page);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  page.on('request', (r) => { if (!r.url().startsWith(`${site}/a/sub/path/`) && !/^(data|blob):/.test(r.url())) problems.push(`outside the folder: ${r.url()}`); });
  try {
    await page.goto(`${site}/a/sub/path/?backend=cpu&eval=quick`);
    await ready(page);
    // Locked down: the CSP allows this origin only, and there is no inline script to allow.
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    for (const rule of ["script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "default-src 'self'"]) {
      assert.ok(csp.includes(rule), `CSP has ${rule}: ${csp}`);
    }
    assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0, 'no inline scripts');
    await page.click('[data-testid=step]');
    await waitStep(page, 1);
    // The guided labs are listed from the folder too.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=lab-select] option').length >= 5, null, { timeout: MINUTE });
    // Offline: the service worker (scoped to the folder) serves every file. (Failed network
    // attempts are expected there, so problems are judged online only.)
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    assert.deepEqual(problems, []);
    await context.setOffline(true);
    await page.reload();
    await ready(page);
  } finally {
    await context.close();
    server.close();
  }
});
