// Browser test of the page in Debian's Chromium (playwright-core, no
// downloaded browsers). Serves build/web (or $MM_WEB_ROOT; build it with
// scripts/build-web.mjs) on a free localhost port and drives the page like a
// student would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, servePage } from './harness.mjs';

const BOOT_TIMEOUT = 60_000; // a traced 1 GiB boot in wasm, on a slow CI machine

const web = servePage();

/** Waits for the boot log; on timeout, says what the page showed instead. */
async function waitForBoot(page, errors) {
  try {
    // The kernel log is not the default tab (Zones is): wait for its text, shown or not.
    await page
      .locator('#boot-log')
      .filter({ hasText: 'Zone ranges:' })
      .waitFor({ state: 'attached', timeout: BOOT_TIMEOUT });
  } catch (e) {
    const status = await page.textContent('#status').catch(() => '?');
    const error = await page.textContent('#error').catch(() => '?');
    throw new Error(
      `no boot log: status "${status}", error "${error?.trim()}", page errors ${JSON.stringify(errors)}`,
      {
        cause: e,
      },
    );
  }
}

/** A fresh page that records page errors and every request it makes. */
async function openPage() {
  const context = await web.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(web.baseUrl);
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
    const foreign = requests.filter((u) => !u.startsWith(web.baseUrl) && !u.startsWith('data:'));
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
  const { context, page, errors } = await openPage();
  try {
    assert.equal(await page.textContent('#tab-log'), 'Kernel log');
    assert.equal(await page.textContent('#alloc-submit'), 'Allocate');
    await page.click('#lang');
    assert.equal(await page.textContent('#tab-log'), '内核日志');
    assert.equal(await page.textContent('#alloc-submit'), '分配');
    assert.equal(await page.textContent('#tab-scenario'), '场景');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
    await page.reload();
    await waitForBoot(page, []);
    assert.equal(await page.textContent('#tab-log'), '内核日志');
    await page.click('#lang');
    assert.equal(await page.textContent('#tab-log'), 'Kernel log');
    assert.equal(await page.textContent('#tab-oom'), 'OOM replay');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** The text of /proc/NAME as the /proc tab shows it. */
async function procText(page, name) {
  await page.click('#tab-proc');
  await page.selectOption('#proc-select', name);
  await page.locator('#proc-text').filter({ hasText: 'Node 0' }).waitFor({ timeout: 10_000 });
  return page.textContent('#proc-text');
}

test('Allocate: order 3 GFP_KERNEL adds a live row and changes buddyinfo; Free removes it', async () => {
  const { context, page, errors } = await openPage();
  try {
    assert.equal(await page.isVisible('#alloc-empty'), true);
    const zoneBefore = await procText(page, 'zoneinfo');
    const buddyBefore = await procText(page, 'buddyinfo');
    await page.fill('#alloc-gfp', 'GFP_KERNEL');
    await page.selectOption('#alloc-order', '3');
    await page.click('#alloc-submit');
    const row = page.locator('#alloc-list tr');
    await row.first().waitFor({ timeout: 10_000 });
    assert.equal(await row.count(), 1);
    const pfn = Number(await row.first().getAttribute('data-pfn'));
    assert.ok(Number.isInteger(pfn) && pfn % 8 === 0, `pfn ${pfn}`);
    const cells = await row.first().locator('td').allTextContents();
    assert.equal(cells[1], '3');
    assert.equal(cells[2], '8');
    assert.match(await page.textContent('#alloc-message'), new RegExp(`Allocated pfn ${pfn}, order 3`));
    assert.equal(await page.getAttribute('#alloc-message', 'data-tone'), 'ok');
    // The /proc view refreshed by itself (buddyinfo is still selected).
    const buddyAfter = await page.textContent('#proc-text');
    assert.notEqual(buddyAfter, buddyBefore, 'an order-3 allocation splits a buddy block');
    const zoneAfter = await procText(page, 'zoneinfo');
    assert.notEqual(zoneAfter, zoneBefore);

    await page.click(`#alloc-list button.free[data-pfn="${pfn}"]`);
    await row.first().waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await row.count(), 0);
    assert.match(await page.textContent('#alloc-message'), new RegExp(`Freed pfn ${pfn}`));
    assert.notEqual(await page.textContent('#proc-text'), zoneAfter, 'zoneinfo refreshed after the free');

    await page.click('#drain');
    assert.match(await page.textContent('#alloc-message'), /Drained/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Allocate: a bad gfp shows the engine message next to the panel; the page keeps working', async () => {
  const { context, page, errors } = await openPage();
  try {
    const log = await page.textContent('#boot-log');
    await page.fill('#alloc-gfp', 'GFP_KERNAL');
    await page.press('#alloc-gfp', 'Enter'); // Enter in the panel allocates
    await page.locator('#alloc-message').filter({ hasText: 'did you mean GFP_KERNEL?' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getAttribute('#alloc-message', 'data-tone'), 'error');
    // The panel runs a statement; the message names it and points into it.
    assert.match(
      await page.textContent('#alloc-message-detail'),
      /alloc order=0 gfp=GFP_KERNAL cpu=0\s*command:1:19: error: unknown gfp flag 'GFP_KERNAL'/,
    );
    assert.equal(await page.locator('#alloc-list tr').count(), 0);
    assert.equal(await page.inputValue('#alloc-gfp'), 'GFP_KERNAL', 'the bad text stays so it can be fixed');
    assert.equal(await page.textContent('#boot-log'), log);
    assert.equal(await page.isHidden('#error'), true);

    await page.fill('#alloc-gfp', 'GFP_KERNEL|__GFP_ZERO');
    await page.press('#alloc-gfp', 'Enter');
    await page.locator('#alloc-list tr').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.getAttribute('#alloc-message', 'data-tone'), 'ok');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Scenario: the example runs, its expects pass, and the OOM reports reach the kernel log', async () => {
  const { context, page, errors } = await openPage();
  try {
    await page.click('#tab-scenario');
    assert.match(await page.inputValue('#scenario-text'), /machine ram=256M/);
    await page.click('#scenario-run');
    await page.locator('#scenario-summary').filter({ hasText: 'ran' }).waitFor({ timeout: BOOT_TIMEOUT });
    assert.equal(await page.getAttribute('#scenario-summary', 'data-tone'), 'ok');
    assert.match(await page.textContent('#scenario-summary'), /\d+ expect lines passed/);
    assert.equal(await page.isHidden('#scenario-failures'), true);
    assert.match(await page.textContent('#scenario-output'), /oom_score/);
    assert.match(await page.textContent('#summary'), /^scenario · /);

    await page.click('#tab-log');
    const log = await page.textContent('#boot-log');
    assert.match(log, /Out of memory: Killed process \d+ \(D\)/);
    assert.match(log, /invoked oom-killer/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('Scenario: a typo shows line:col, nothing runs; a failed expect is listed with its line', async () => {
  const { context, page, errors } = await openPage();
  try {
    const log = await page.textContent('#boot-log');
    await page.click('#tab-scenario');
    await page.fill('#scenario-text', 'machine ram=256M cpus=1\nspawn A anon=10M\n  spwan B anon=1M\n');
    await page.press('#scenario-text', 'Control+Enter');
    await page.locator('#scenario-failures').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await page.textContent('#scenario-summary'), /line 3, column 3/);
    assert.equal(await page.textContent('#scenario-failures button.jump'), '3:3');
    assert.match(await page.textContent('#scenario-failures'), /scenario:3:3: error: unknown statement 'spwan'/);
    assert.equal(await page.isHidden('#scenario-result'), true);
    // The caret went to the error.
    const caret = await page.$eval('#scenario-text', (t) => [document.activeElement === t, t.selectionStart]);
    assert.deepEqual(caret, [true, 'machine ram=256M cpus=1\nspawn A anon=10M\n  '.length]);
    assert.equal(await page.textContent('#boot-log'), log, 'the machine is unchanged');

    await page.fill('#scenario-text', 'machine ram=256M cpus=1\nexpect cpus == 1\nexpect cpus == 4\n');
    await page.click('#scenario-run');
    await page.locator('#scenario-summary').filter({ hasText: '1 failed' }).waitFor({ timeout: BOOT_TIMEOUT });
    assert.match(await page.textContent('#scenario-failures button.jump'), /^3:\d+$/);
    assert.match(await page.textContent('#scenario-failures'), /scenario:3:\d+: error: expect failed/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('OOM replay of the reference capture names pid 109', async () => {
  const dmesg = readFileSync(path.resolve(root, '../shared/reference/linux-6.1/oom-m256-smp1/dmesg.txt'), 'utf8');
  const { context, page, errors } = await openPage();
  try {
    const log = await page.textContent('#boot-log');
    await page.click('#tab-oom');
    await page.evaluate((text) => {
      const area = document.getElementById('oom-text');
      area.value = text;
      area.dispatchEvent(new Event('input', { bubbles: true }));
    }, dmesg);
    await page.click('#oom-run');
    await page.locator('#oom-output').filter({ hasText: 'Killed process' }).waitFor({ timeout: 30_000 });
    const out = await page.textContent('#oom-output');
    const kills = [...out.matchAll(/Out of memory: Killed process (\d+)/g)].map((m) => m[1]);
    assert.equal(kills[0], '109', out.slice(0, 500));
    assert.equal(await page.textContent('#boot-log'), log, 'the replay does not touch the machine');

    await page.fill('#oom-text', 'no report here');
    await page.press('#oom-text', 'Control+Enter');
    await page.locator('#oom-summary').filter({ hasText: 'error:' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.isHidden('#oom-output'), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('keyboard: Tab reaches the Allocate panel, "?" opens the help and Esc closes it', async () => {
  const { context, page, errors } = await openPage();
  try {
    // From the top bar, Tab goes through the map tools and the player (the
    // stage comes first) and then into the Allocate panel.
    await page.focus('#lang');
    const visited = [];
    for (let i = 0; i < 40 && visited.at(-1) !== 'alloc-gfp'; i++) {
      await page.keyboard.press('Tab');
      visited.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    assert.equal(visited.at(-1), 'alloc-gfp', `Tab visited ${visited.join(' ')}`);
    assert.ok(visited.includes('p-back') && visited.includes('map'), `Tab visited ${visited.join(' ')}`);
    await page.selectOption('#alloc-order', '2');
    await page.focus('#alloc-submit');
    await page.keyboard.press('Enter');
    await page.locator('#alloc-list tr').first().waitFor({ timeout: 10_000 });
    // Free with the keyboard; focus stays in the panel.
    await page.focus('#alloc-list button.free');
    await page.keyboard.press('Enter');
    await page.locator('#alloc-list tr').first().waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'alloc-submit');

    await page.focus('#tab-log');
    await page.keyboard.press('?');
    await page.locator('#help').waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.press('Escape');
    await page.locator('#help').waitFor({ state: 'hidden', timeout: 5_000 });
    // "?" typed in a text box is just a character.
    await page.fill('#alloc-gfp', '');
    await page.type('#alloc-gfp', '?');
    assert.equal(await page.isHidden('#help'), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
