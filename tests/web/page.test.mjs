// Browser test of the page in Debian's Chromium (playwright-core, no
// downloaded browsers). Serves build/web (or $MM_WEB_ROOT; build it with
// scripts/build-web.mjs) on a free localhost port and drives the page like a
// student would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = process.env.MM_WEB_ROOT || path.join(root, 'build/web');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const BOOT_TIMEOUT = 60_000; // a traced 1 GiB boot in wasm, on a slow CI machine

let server;
let baseUrl;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(webRoot, 'index.html')), `${webRoot}/index.html missing: run node scripts/build-web.mjs`);
  assert.ok(existsSync(executablePath), `${executablePath} missing: apt-get install chromium`);
  ({ server, url: baseUrl } = await startServer({ root: webRoot, port: 0 }));
  // playwright-core starts Chromium with a fresh temporary --user-data-dir of
  // its own (it refuses the flag in `args`) and removes it on close; each
  // test then gets its own context, so localStorage starts empty every time.
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** Waits for the boot log; on timeout, says what the page showed instead. */
async function waitForBoot(page, errors) {
  try {
    await page.locator('#boot-log').filter({ hasText: 'Zone ranges:' }).waitFor({ timeout: BOOT_TIMEOUT });
  } catch (e) {
    const status = await page.textContent('#status').catch(() => '?');
    const error = await page.textContent('#error').catch(() => '?');
    throw new Error(`no boot log: status "${status}", error "${error?.trim()}", page errors ${JSON.stringify(errors)}`, {
      cause: e,
    });
  }
}

/** A fresh page that records page errors and every request it makes. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(baseUrl);
  await waitForBoot(page, errors);
  return { context, page, errors, requests };
}

test('boots ram=1G cpus=2 on open and shows the boot log', async () => {
  const { context, page, errors, requests } = await openPage();
  try {
    assert.equal(await page.inputValue('#spec'), 'ram=1G cpus=2');
    assert.match(await page.textContent('#summary'), /ram=1G cpus=2/);
    assert.equal(await page.isHidden('#error'), true);
    assert.deepEqual(errors, []);
    const foreign = requests.filter((u) => !u.startsWith(baseUrl) && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'the page only loads its own files');
  } finally {
    await context.close();
  }
});

test('the /proc tab shows zoneinfo', async () => {
  const { context, page, errors } = await openPage();
  try {
    await page.click('#tab-proc');
    const options = await page.$$eval('#proc-select option', (os) => os.map((o) => o.value));
    assert.ok(options.includes('zoneinfo'), `options: ${options}`);
    await page.selectOption('#proc-select', 'zoneinfo');
    await page.locator('#proc-text').filter({ hasText: 'pagesets' }).waitFor({ timeout: 10_000 });
    assert.ok(await page.isVisible('#proc-text'));
    assert.equal(await page.isHidden('#boot-log'), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a bad spec shows an error and keeps the previous machine', async () => {
  const { context, page, errors } = await openPage();
  try {
    const logBefore = await page.textContent('#boot-log');
    await page.fill('#spec', 'ram=1Q');
    await page.press('#spec', 'Enter');
    await page.locator('#error').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await page.textContent('#error-text'), /ram=1Q/);
    assert.match(await page.textContent('#error-detail'), /:\d+:\d+: error: /);
    assert.equal(await page.textContent('#boot-log'), logBefore);
    assert.match(await page.textContent('#boot-log'), /Zone ranges:/);
    assert.match(await page.textContent('#summary'), /ram=1G cpus=2/);
    // The spec box keeps the bad text so it can be fixed.
    assert.equal(await page.inputValue('#spec'), 'ram=1Q');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the language toggle switches labels and is remembered', async () => {
  const { context, page } = await openPage();
  try {
    assert.equal(await page.textContent('#tab-log'), 'Boot log');
    await page.click('#lang');
    assert.equal(await page.textContent('#tab-log'), '启动日志');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
    await page.reload();
    await waitForBoot(page, []);
    assert.equal(await page.textContent('#tab-log'), '启动日志');
    await page.click('#lang');
    assert.equal(await page.textContent('#tab-log'), 'Boot log');
  } finally {
    await context.close();
  }
});
