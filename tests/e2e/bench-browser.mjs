// For the benchmark scripts (bench-*.mjs, never run by the test command): the release build in
// dist/ served from 127.0.0.1 and Debian's Chromium with WebGPU, closed when `measure` returns.
import { chromium } from 'playwright-core';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';
import { openPanelsFirst } from './panels.mjs';

export async function withBrowser(measure) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const server = await serve(process.env.FORGETLAB_DIST ?? join(root, 'dist'), 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run'],
  });
  try {
    await measure(openPanelsFirst(await browser.newPage()), `http://127.0.0.1:${server.address().port}`);
  } finally {
    await browser.close();
    server.close();
  }
}
