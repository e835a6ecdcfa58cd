// What every browser test file shares: where the built page is, where
// screenshots go, and a server for it on a free localhost port plus one
// Debian Chromium (playwright-core, no downloaded browsers) for the file's
// tests. playwright-core starts Chromium with a fresh temporary profile and
// removes it on close; each test makes its own context, so localStorage
// starts empty every time.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, launchChromium } from '../../scripts/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** build/web, or $MM_WEB_ROOT (build it with scripts/build-web.mjs). */
export const webRoot = path.resolve(process.env.MM_WEB_ROOT || path.join(root, 'build/web'));
/** Screenshots: build/test-artifacts, or $MM_TEST_ARTIFACTS. */
export const artifacts = path.resolve(process.env.MM_TEST_ARTIFACTS || path.join(root, 'build/test-artifacts'));

/**
 * Serves webRoot and launches Chromium before the file's tests, closes both
 * after them. The fields of what it returns are set once `before` ran.
 */
export function servePage() {
  const web = { baseUrl: '', browser: null, server: null };
  before(async () => {
    assert.ok(
      existsSync(path.join(webRoot, 'index.html')),
      `${webRoot}/index.html missing: run node scripts/build-web.mjs`,
    );
    assert.ok(existsSync(CHROMIUM_PATH), `${CHROMIUM_PATH} missing: apt-get install chromium`);
    mkdirSync(artifacts, { recursive: true });
    ({ server: web.server, url: web.baseUrl } = await startServer({ root: webRoot, port: 0 }));
    web.browser = await launchChromium();
  });
  after(async () => {
    await web.browser?.close();
    await new Promise((resolve) => (web.server ? web.server.close(resolve) : resolve()));
  });
  return web;
}

/**
 * A fresh context and page of `web.browser` at width x height; `problems`
 * collects page errors and console errors and warnings (a test asserts it
 * stays empty).
 */
export async function newPage(web, width, height) {
  const context = await web.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  return { context, page, problems };
}
