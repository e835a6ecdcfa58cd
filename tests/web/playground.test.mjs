// Browser tests of the playground as a student and a course page use it, in
// Debian's Chromium (playwright-core, no downloaded browsers): the frame map,
// the player (keys, scrubber, undo/redo), the kernel actions, the language,
// the URL state, the cross-origin embed and its postMessage API, the
// <mm-playground> element and the single-file offline page.
//
// Serves build/web (or $MM_WEB_ROOT; build it with scripts/build-web.mjs) on
// 127.0.0.1, and course pages from a second server reached as
// http://localhost:PORT (another origin). One browser for every test; each
// test gets its own context (fresh localStorage) and fails on any console
// error or warning and any uncaught page error, in every frame.
//
// Screenshots of the main views go to build/test-artifacts/ ($MM_TEST_ARTIFACTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM_PATH, launchChromium } from '../../scripts/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = path.resolve(process.env.MM_WEB_ROOT || path.join(root, 'build/web'));
const artifacts = path.resolve(process.env.MM_TEST_ARTIFACTS || path.join(root, 'build/test-artifacts'));
const BOOT_TIMEOUT = 60_000; // a traced 1 GiB boot in wasm, on a slow CI machine
const OP_TIMEOUT = 30_000; // one operation (spawn, a scenario) on a small machine
const TEST_TIMEOUT = 180_000;

const SMALL = 'ram=128M cpus=1';
const MID = 'ram=256M cpus=1';
/** index.html's fragment for a machine (as urlstate.ts writes it). */
const machineHash = (spec) => `#machine=${encodeURIComponent(spec)}`;

let server;
let baseUrl; // http://127.0.0.1:P/ : the playground
let browser;
let hostServer;
let hostUrl; // http://localhost:H/ : a course page on another site
let thirdUrl; // http://127.0.0.1:H/ : the same server as a third origin
/** path -> HTML the course-page server serves. */
const hostPages = new Map();

before(async () => {
  assert.ok(
    existsSync(path.join(webRoot, 'index.html')),
    `${webRoot}/index.html missing: run node scripts/build-web.mjs`,
  );
  assert.ok(
    existsSync(path.join(webRoot, 'embed.html')),
    `${webRoot}/embed.html missing: run node scripts/build-web.mjs`,
  );
  assert.ok(existsSync(CHROMIUM_PATH), `${CHROMIUM_PATH} missing: apt-get install chromium`);
  mkdirSync(artifacts, { recursive: true });
  ({ server, url: baseUrl } = await startServer({ root: webRoot, port: 0 }));
  hostServer = http.createServer((req, res) => {
    const body = hostPages.get(new URL(req.url, 'http://x').pathname);
    if (body === undefined) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    else res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise((resolve, reject) => {
    hostServer.once('error', reject);
    hostServer.listen(0, '127.0.0.1', resolve);
  });
  const hp = hostServer.address().port;
  hostUrl = `http://localhost:${hp}/`;
  thirdUrl = `http://127.0.0.1:${hp}/`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await new Promise((resolve) => (hostServer ? hostServer.close(resolve) : resolve()));
});

// --- helpers ---------------------------------------------------------------------

/** A fresh context and page that records every console error or warning and
 *  every uncaught error, of the page and of its frames. */
async function newPage({ width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
  page.on('crash', () => problems.push('the page crashed'));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
  });
  return { context, page, problems };
}

/** What the page shows when it is not ready: for timeouts that explain themselves. */
async function pageState(page, problems) {
  const status = await page.textContent('#status').catch(() => '?');
  const error = await page.textContent('#error').catch(() => '?');
  const position = await page.textContent('#p-position').catch(() => '?');
  return `status "${status}", error "${error?.trim()}", position "${position}", problems ${JSON.stringify(problems)}`;
}

/** Waits until a machine is on screen and nothing is busy. */
async function waitIdle(page, problems, timeout = BOOT_TIMEOUT) {
  try {
    await page.waitForFunction(
      () =>
        !document.documentElement.classList.contains('busy') &&
        (document.getElementById('summary')?.textContent ?? '') !== '',
      null,
      { timeout },
    );
  } catch (e) {
    throw new Error(`the page did not get ready: ${await pageState(page, problems)}`, { cause: e });
  }
}

/** Waits until the player's position text matches `re`. */
async function waitPosition(page, problems, re, timeout = BOOT_TIMEOUT) {
  try {
    await page.locator('#p-position').filter({ hasText: re }).waitFor({ timeout });
  } catch (e) {
    throw new Error(`position never matched ${re}: ${await pageState(page, problems)}`, { cause: e });
  }
}

/** Opens index.html (+ fragment) in a fresh context and waits for the machine. */
async function openPage(hash = '', opts = {}) {
  const p = await newPage(opts);
  await p.page.goto(new URL(`index.html${hash}`, baseUrl).href);
  await waitIdle(p.page, p.problems);
  return p;
}

/** The player's numbers: operation i/n, step pos/events, global g/total. */
async function position(page) {
  const text = await page.textContent('#p-position');
  // "Operation 2/3 “label” · step 7/11 · 5279/5304 in all", or its Chinese twin.
  const m = /([\d,]+)\/([\d,]+)\D*?“(.*)”\D+([\d,]+)\/([\d,]+)\D+([\d,]+)\/([\d,]+)/u.exec(text);
  assert.ok(m, `unreadable position "${text}"`);
  const [op, ops, pos, events, g, total] = [m[1], m[2], m[4], m[5], m[6], m[7]].map((n) => Number(n.replace(/,/g, '')));
  const label = m[3];
  // The player is marked "past" while the cursor is not on the live machine.
  const live = !(await page.$eval('#player', (p) => p.classList.contains('past')));
  return { text, op, ops, label, pos, events, g, total, live };
}

/** Polls `check` (sync state, not time) until it holds or `timeout` ms pass. */
async function eventually(check, message, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const r = await check();
    if (r === true) return;
    if (Date.now() > end) assert.fail(`${message}: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Leaves every text box and control: the page-wide keys act on <body>. */
async function blur(page) {
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined,
  );
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'focus is on <body>');
}

/** Presses `key` n times (on <body>). */
async function press(page, key, n = 1) {
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

/** Runs one statement in the command box; resolves to the message's tone and text. */
async function command(page, problems, text) {
  await page.fill('#cmd', text);
  // Every render writes the message's tone: 'pending' until this one is answered.
  await page.$eval('#cmd-message', (m) => (m.dataset.tone = 'pending'));
  await page.press('#cmd', 'Enter');
  try {
    await page.waitForFunction(
      () => {
        const msg = document.getElementById('cmd-message');
        return !msg.hidden && msg.dataset.tone !== 'pending' && msg.dataset.tone !== '';
      },
      null,
      { timeout: OP_TIMEOUT },
    );
  } catch (e) {
    throw new Error(`"${text}" gave no answer: ${await pageState(page, problems)}`, { cause: e });
  }
  return {
    tone: await page.getAttribute('#cmd-message', 'data-tone'),
    text: (await page.textContent('#cmd-message')).replace(/\s+/g, ' ').trim(),
  };
}

/** Allocates one block of `order` with the Allocate panel; resolves to its pfn. */
async function allocate(page, order, gfp = 'GFP_KERNEL') {
  const rows = page.locator('#alloc-list tr');
  const before = await rows.count();
  await page.fill('#alloc-gfp', gfp);
  await page.selectOption('#alloc-order', String(order));
  await page.click('#alloc-submit');
  await page.waitForFunction((n) => document.querySelectorAll('#alloc-list tr').length === n + 1, before, {
    timeout: OP_TIMEOUT,
  });
  assert.equal(await page.getAttribute('#alloc-message', 'data-tone'), 'ok', await page.textContent('#alloc-message'));
  return Number(await rows.first().getAttribute('data-pfn')); // newest first
}

/** The orders of the live allocations the panel lists, newest first. */
async function listedOrders(page) {
  return page.$$eval('#alloc-list tr', (rows) => rows.map((r) => r.children[1]?.textContent ?? '?'));
}

/** The text of /proc/NAME at the cursor, as the /proc tab shows it. */
async function procText(page, name) {
  if ((await page.getAttribute('#tab-proc', 'aria-selected')) !== 'true') await page.click('#tab-proc');
  await page.selectOption('#proc-select', name);
  assert.equal(await page.inputValue('#proc-select'), name);
  return page.textContent('#proc-text');
}

/**
 * What the page shows of the machine at the cursor: the position, /proc
 * buddyinfo and zoneinfo (the engine's own text), the legend's per-kind
 * frame counts and the narration. Equal fingerprints: the same state.
 */
async function fingerprint(page) {
  const buddyinfo = await procText(page, 'buddyinfo');
  const zoneinfo = await procText(page, 'zoneinfo');
  assert.match(buddyinfo, /Node 0, zone\s+DMA/, 'buddyinfo has its zone lines');
  assert.match(zoneinfo, /pages free/, 'zoneinfo has its per-zone figures');
  await blur(page);
  return {
    position: await page.textContent('#p-position'),
    buddyinfo,
    zoneinfo,
    legend: await page.$$eval('#legend li', (ls) => ls.map((l) => l.textContent)),
    narration: `${await page.textContent('#n-fn')} | ${await page.textContent('#n-text')}`,
  };
}

/** Moves the scrubber to global step g as a drag would (input events). */
async function scrubTo(page, g) {
  await page.$eval(
    '#p-scrub',
    (s, v) => {
      s.value = String(v);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    },
    g,
  );
}

/** Moves the mouse to (x, y) over the map; resolves to what the tooltip then says. */
async function tipAt(page, x, y) {
  await page.mouse.move(x, y);
  // Hover is handled once per animation frame.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  if (await page.isHidden('#map-tip')) return null;
  const text = await page.textContent('#map-tip');
  const pfn = /pfn (\d+)/.exec(text);
  const head = /head (\d+)/.exec(text);
  return { x, y, text, pfn: pfn ? Number(pfn[1]) : -1, head: head ? Number(head[1]) : -1 };
}

/**
 * Hovers the block of `order` at `pfn` on the frame map, finding it by what
 * the tooltip says (no knowledge of the map's geometry beyond one frame per
 * cell, ROW frames per row, which the map tells): two probes give the size of a cell, then a few
 * corrections land on the block's middle. Resolves to the tooltip there.
 */
async function hoverBlock(page, pfn, order) {
  // Frames per map row: a power of two that suits the machine and the map's box (framemap.ts).
  const ROW = await page.evaluate(() => document.getElementById('map').frameMapView().rowFrames);
  const box = await page.locator('#map').boundingBox();
  const x0 = box.x + box.width * 0.5;
  const y0 = box.y + 4;
  const a = await tipAt(page, x0, y0);
  const b = await tipAt(page, x0 + 40, y0);
  const c = await tipAt(page, x0, y0 + 20);
  assert.ok(a && b && c, `no tooltip over the map: ${JSON.stringify([a, b, c])}`);
  const colPx = 40 / (b.pfn - a.pfn);
  const rowPx = 20 / (Math.floor(c.pfn / ROW) - Math.floor(a.pfn / ROW));
  assert.ok(colPx > 0 && rowPx > 0, `map geometry: ${JSON.stringify([a, b, c])}`);
  const target = pfn + ((2 ** order) >> 1);
  let at = a;
  const seen = [];
  for (let i = 0; i < 12; i++) {
    if (at.head === pfn && Math.floor(at.pfn / ROW) === Math.floor(target / ROW)) return at;
    const dRow = Math.floor(target / ROW) - Math.floor(at.pfn / ROW);
    const dCol = (target % ROW) - (at.pfn % ROW);
    at = await tipAt(page, at.x + dCol * colPx, at.y + dRow * rowPx);
    assert.ok(at, `the tooltip went away at ${JSON.stringify(seen.at(-1))}`);
    seen.push({ x: at.x, y: at.y, pfn: at.pfn });
  }
  assert.fail(`could not hover pfn ${pfn}: ${JSON.stringify(seen)}`);
}

/** The legend's counts: { label: count }. */
async function legendCounts(page) {
  const items = await page.$$eval('#legend li', (ls) => ls.map((l) => l.textContent.trim()));
  const counts = {};
  for (const item of items) {
    const m = /^(.*\D)\s([\d,]+)$/.exec(item);
    assert.ok(m, `legend item without a count: "${item}" (all: ${JSON.stringify(items)})`);
    counts[m[1].trim()] = Number(m[2].replace(/,/g, ''));
  }
  return counts;
}

/** Page frames the footer says the machine has. */
async function summaryFrames(page) {
  const m = /· ([\d,]+) page frames/.exec(await page.textContent('#summary'));
  assert.ok(m, await page.textContent('#summary'));
  return Number(m[1].replace(/,/g, ''));
}

async function shot(target, name) {
  await target.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

const noProblems = (problems) => assert.deepEqual(problems, [], 'no console errors or warnings, no page errors');

// --- 1. load --------------------------------------------------------------------------

test(
  'load: boots ram=1G cpus=2, draws the frame map and counts every frame in the legend',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage();
    try {
      assert.equal(await page.inputValue('#spec'), 'ram=1G cpus=2');
      assert.match(await page.textContent('#summary'), /^ram=1G cpus=2 · /);
      const pos = await position(page);
      assert.equal(pos.label, 'boot ram=1G cpus=2');
      assert.ok(pos.live && pos.g === pos.total && pos.total > 0, pos.text);
      assert.equal(await page.isHidden('#error'), true);

      // The canvas has a size and something drawn on it: mostly opaque, in
      // several colours (free blocks, reserved frames, the zone overlay...).
      await page.waitForFunction(() => {
        const c = document.getElementById('map');
        return c.width > 0 && c.height > 0 && c.clientWidth > 0 && c.clientHeight > 0;
      });
      const ink = await page.evaluate(async () => {
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // one frame drawn after sizing
        const c = document.getElementById('map');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colors = new Set();
        let opaque = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] > 0) opaque++;
          colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        }
        return { width: c.width, height: c.height, opaque: opaque / (c.width * c.height), colors: colors.size };
      });
      assert.ok(ink.opaque > 0.5, `the map is mostly blank: ${JSON.stringify(ink)}`);
      assert.ok(ink.colors >= 4, `the map has too few colours: ${JSON.stringify(ink)}`);

      // The legend counts frames by kind; together they are every frame.
      const counts = await legendCounts(page);
      const frames = await summaryFrames(page);
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        frames,
        JSON.stringify(counts),
      );
      assert.ok(counts['free (buddy)'] > frames / 2, JSON.stringify(counts));
      assert.ok(counts['reserved'] > 0, JSON.stringify(counts));

      // The Zones tab is the default view and shows the zones.
      assert.equal(await page.getAttribute('#tab-zones', 'aria-selected'), 'true');
      assert.equal(await page.isVisible('#panel-zones'), true);
      const zones = await page.textContent('#zones-view');
      assert.match(zones, /DMA32/);
      assert.match(zones, /Normal/);
      await shot(page, 'map-zones');
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 2. presets ---------------------------------------------------------------------------

test('presets: choosing ram=256M cpus=1 boots it', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await openPage();
  try {
    const options = await page.$$eval('#preset option', (os) => os.map((o) => o.value));
    assert.ok(options.includes(MID), `presets: ${options}`);
    await page.selectOption('#preset', MID);
    await waitPosition(page, problems, /“boot ram=256M cpus=1”/);
    await waitIdle(page, problems);
    const pos = await position(page);
    assert.equal(pos.label, 'boot ram=256M cpus=1');
    assert.ok(pos.live, pos.text);
    assert.equal(await page.inputValue('#spec'), MID, 'the machine box shows the preset');
    assert.match(await page.textContent('#summary'), /^ram=256M cpus=1 · /);
    const counts = await legendCounts(page);
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      await summaryFrames(page),
    );
    assert.ok((await summaryFrames(page)) < 70_000, 'a 256 MiB machine has about 65536 frames');
    noProblems(problems);
  } finally {
    await context.close();
  }
});

test(
  'history=: a small undo history lets the oldest operations go, and the player says so',
  { timeout: TEST_TIMEOUT },
  async () => {
    const spawns = Array.from({ length: 30 }, (_, i) => `do=${encodeURIComponent(`spawn t${i} anon=1M`)}`).join('&');
    const { context, page, problems } = await openPage(`#machine=${encodeURIComponent(MID)}&history=2&${spawns}`);
    try {
      await waitPosition(page, problems, /“spawn t29 anon=1M”/);
      const pos = await position(page);
      const m = /undo history full: the (\d+) oldest operations were let go of/.exec(pos.text);
      assert.ok(m, `the position line does not say what was dropped: ${pos.text}`);
      const dropped = Number(m[1]);
      assert.ok(dropped > 0 && dropped < 31, pos.text);
      assert.equal(pos.ops, 31 - dropped, 'the timeline holds what was kept');
      await page.click('#lang');
      await eventually(
        async () => /撤销历史已满：最早的 \d+ 个操作已被舍弃/.test(await page.textContent('#p-position')),
        '中文',
      );
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 3. actions ---------------------------------------------------------------------------

test(
  'actions: allocate and free a block; kmalloc and spawn show in the Slab and Tasks tabs',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(MID));
    try {
      await waitPosition(page, problems, /“boot ram=256M cpus=1”/);
      assert.equal(await page.isVisible('#alloc-empty'), true);

      // Allocate: one row, order 3, 8 pages, naturally aligned.
      const pfn = await allocate(page, 3);
      assert.ok(Number.isInteger(pfn) && pfn % 8 === 0, `pfn ${pfn}`);
      const row = page.locator(`#alloc-list tr[data-pfn="${pfn}"]`);
      assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 3), [String(pfn), '3', '8']);
      assert.match(await page.textContent('#alloc-message'), new RegExp(`Allocated pfn ${pfn}, order 3`));
      // Panel actions run as statements (a link replays them): the operation is named by its statement.
      assert.match((await position(page)).label, /^alloc order=3 gfp=GFP_KERNEL cpu=0$/);

      // Hover the map to the block the table names: the tooltip says what the
      // engine says of it. A click there frees it.
      const tip = await hoverBlock(page, pfn, 3);
      assert.match(tip.text, new RegExp(`order 3 · head ${pfn}\\b`), tip.text);
      await page.mouse.click(tip.x, tip.y);
      await row.waitFor({ state: 'detached', timeout: OP_TIMEOUT });
      await page.mouse.move(0, 0);
      assert.equal(await page.locator('#alloc-list tr').count(), 0);
      assert.match(await page.textContent('#alloc-message'), new RegExp(`Freed pfn ${pfn}`));
      assert.equal((await position(page)).label, `free pfn=${pfn} order=3 cpu=0`);

      // Zones: a free_area cell lists its blocks, each aligned to the order.
      await page.click('#tab-zones');
      const cell = page.locator('#zones-view button[data-key="fa:0:1:10:1"]'); // Node 0 DMA32, order 10, Movable
      const inCell = Number((await cell.textContent()).replace(/\D/g, ''));
      assert.ok(inCell > 0, 'DMA32 has free order-10 Movable blocks after boot');
      await cell.click();
      const blocks = page.locator('#blocks-view button.sv-pfn');
      await blocks.first().waitFor({ timeout: OP_TIMEOUT });
      assert.equal(await blocks.count(), Math.min(inCell, 256));
      const first = Number((await blocks.first().textContent()).split('–')[0]);
      assert.equal(first % 1024, 0, `an order-10 block starts at a multiple of 1024: ${first}`);

      // Slab: no kmalloc-256 slab before the kmalloc, one with a live object after.
      await page.click('#tab-slab');
      assert.doesNotMatch(await page.textContent('#slab-view'), /kmalloc-256/);
      // (The engine's statement is `kmalloc NAME SIZE`: p holds the address.)
      const k = await command(page, problems, 'kmalloc p 200');
      assert.equal(k.tone, 'ok', k.text);
      assert.match(k.text, /^Done: kmalloc p 200/);
      assert.equal((await position(page)).label, 'kmalloc p 200');
      const cache = page.locator('#slab-view tr', {
        has: page.locator('button.sv-cache', { hasText: /^kmalloc-256$/ }),
      });
      await cache.waitFor({ timeout: 10_000 });
      const cells = await cache.locator('td').allTextContents();
      const objs = /([\d,]+) \/ ([\d,]+)/.exec(cells.join(' '));
      assert.ok(objs, `kmalloc-256 row: ${cells}`);
      const [active, total] = [Number(objs[1].replace(/,/g, '')), Number(objs[2].replace(/,/g, ''))];
      assert.ok(active >= 1 && total >= active, `kmalloc-256 objects ${active} / ${total}`);
      assert.equal(cells[0], '256', 'the slot size of kmalloc-256');
      await shot(page, 'slab-after-kmalloc');

      // The box remembers names: p from the kmalloc above is freed by name.
      const kf = await command(page, problems, 'kfree p');
      assert.equal(kf.tone, 'ok', kf.text);
      assert.equal((await position(page)).label, 'kfree p');
      // A statement that fails is refused whole: no operation, text kept.
      const bad = await command(page, problems, 'kill nobody');
      assert.equal(bad.tone, 'error', bad.text);
      assert.match(bad.text, /command:1:\d+: error: .*nobody/);
      assert.equal((await position(page)).label, 'kfree p', 'a failed statement is not an operation');
      assert.equal(await page.inputValue('#cmd'), 'kill nobody', 'a refused statement stays in the box');

      // Tasks: spawn A with 64 MiB of anonymous memory = 16384 pages of rss.
      const s = await command(page, problems, 'spawn A anon=64M');
      assert.equal(s.tone, 'ok', s.text);
      assert.match(s.text, /^Done: spawn A anon=64M/);
      assert.equal(await page.inputValue('#cmd'), '', 'a statement that ran leaves the box empty');
      await page.click('#tab-tasks');
      const task = page.locator('#tasks-view tr', { has: page.locator('.sv-task-name', { hasText: /^A$/ }) });
      await task.waitFor({ timeout: 10_000 });
      const taskCells = await task.locator('td').allTextContents();
      assert.ok(taskCells.includes('alive'), `task A: ${taskCells}`);
      assert.ok(taskCells.includes('16,384'), `task A has 16384 anon pages: ${taskCells}`);
      await shot(page, 'tasks');
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

test(
  'actions: every example the command box offers is a statement the engine accepts',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(MID));
    try {
      const examples = await page.$$eval('#cmd-choices option', (os) => os.map((o) => o.value));
      const chips = await page.$$eval('#cmd-examples button', (bs) => bs.map((b) => b.textContent));
      assert.ok(examples.length >= 5, `examples: ${examples}`);
      assert.ok(
        chips.every((c) => examples.includes(c)),
        `chips ${chips} are examples`,
      );
      const placeholder = await page.getAttribute('#cmd', 'placeholder');
      const refused = [];
      for (const text of [placeholder, ...examples]) {
        // In this order every one runs on this machine (kfree p frees the p
        // of the kmalloc before it: the box remembers names); "error": it
        // was refused and nothing changed.
        const r = await command(page, problems, text);
        if (r.tone === 'error') refused.push(`${text} -> ${r.text}`);
      }
      assert.deepEqual(refused, [], 'examples the engine refuses');
      // A statement that only looks (no operation on the timeline) answers too.
      const echo = await command(page, problems, 'echo hello from the box');
      assert.equal(echo.tone, 'ok', echo.text);
      assert.match(echo.text, /hello from the box/);
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 4. stepping -------------------------------------------------------------------------

test(
  'player: stepping back and forth lands on identical states; Shift+←, Home, End',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(SMALL));
    try {
      await allocate(page, 3);
      assert.equal((await command(page, problems, 'kmalloc p 200')).tone, 'ok');
      const end = await position(page);
      assert.ok(end.live && end.ops === 3 && end.g === end.total, end.text);
      // Back over the whole kmalloc and into the allocation before it.
      const n = end.events + 4;
      assert.ok(n < end.total - 100, end.text);

      await page.click('#tab-proc');
      const atEnd = await fingerprint(page);
      await press(page, 'ArrowLeft', n);
      const mid = await position(page);
      assert.equal(mid.g, end.g - n, mid.text);
      assert.equal(mid.op, 2, `${n} steps back is inside the allocation: ${mid.text}`);
      assert.equal(mid.live, false);
      const atMidByKeys = await fingerprint(page);
      assert.notDeepEqual(atMidByKeys, atEnd);
      assert.notEqual(atMidByKeys.narration, ' | ', 'a step inside an operation is narrated');
      await shot(page.locator('.stage'), 'player-mid-operation');

      await press(page, 'ArrowRight', n);
      assert.deepEqual(await fingerprint(page), atEnd, `${n} steps back then ${n} forward`);

      // The same step reached with the scrubber shows the same state.
      await scrubTo(page, end.g - n);
      assert.equal((await position(page)).g, end.g - n);
      assert.deepEqual(await fingerprint(page), atMidByKeys, 'the same step by keys and by the scrubber');

      // Shift+← goes to the start of the operation, again to the previous one's.
      await press(page, 'Shift+ArrowLeft');
      let p = await position(page);
      assert.deepEqual([p.op, p.pos], [2, 0], p.text);
      assert.match(p.text, /step 0\//);
      await press(page, 'Shift+ArrowLeft');
      p = await position(page);
      assert.deepEqual([p.op, p.pos, p.g], [1, 0, 0], p.text);
      assert.equal(await page.isDisabled('#p-back'), true, 'nothing before the start');
      const bootEvents = p.events;
      // Shift+→: the end of the boot, which is where the allocation starts.
      await press(page, 'Shift+ArrowRight');
      p = await position(page);
      assert.deepEqual([p.op, p.pos, p.g], [2, 0, bootEvents], p.text);
      await press(page, 'Home');
      p = await position(page);
      assert.deepEqual([p.op, p.g], [1, 0], p.text);
      await press(page, 'End');
      p = await position(page);
      assert.ok(p.live && p.g === p.total && p.total === end.total, p.text);
      assert.equal(await page.isDisabled('#p-forward'), true, 'nothing after the end');
      assert.deepEqual(await fingerprint(page), atEnd, 'End is the live state again');

      // The player buttons do what their keys do.
      await page.click('#p-back');
      assert.equal((await position(page)).g, end.g - 1);
      await page.click('#p-forward');
      assert.equal((await position(page)).g, end.g);
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 5. undo / redo ----------------------------------------------------------------------

test(
  'undo/redo: the buttons and Ctrl+Z / Ctrl+Shift+Z change the operations and resync the list',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(SMALL));
    try {
      const ops = async () => (await position(page)).ops;
      assert.equal(await ops(), 1);
      await allocate(page, 2);
      await allocate(page, 1);
      assert.equal(await ops(), 3);
      assert.deepEqual(await listedOrders(page), ['1', '2']);

      await page.click('#p-undo');
      assert.equal(await ops(), 2);
      assert.deepEqual(await listedOrders(page), ['2'], 'the undone allocation left the list');
      await blur(page);
      await press(page, 'Control+z');
      assert.equal(await ops(), 1);
      assert.deepEqual(await listedOrders(page), []);
      assert.equal(await page.isVisible('#alloc-empty'), true);

      await press(page, 'Control+Shift+Z');
      assert.equal(await ops(), 2);
      assert.deepEqual(await listedOrders(page), ['2'], 'redone: back in the list');
      await page.click('#p-redo');
      assert.equal(await ops(), 3);
      assert.deepEqual(await listedOrders(page), ['1', '2']);
      const top = await position(page);
      assert.ok(top.live, top.text);
      await blur(page);
      await press(page, 'Control+Shift+Z'); // nothing left to redo
      assert.equal((await position(page)).text, top.text);

      // Undo, then a new action: the redo is gone.
      await page.click('#p-undo');
      await allocate(page, 0);
      assert.equal(await ops(), 3);
      assert.deepEqual(await listedOrders(page), ['0', '2']);
      await blur(page);
      await press(page, 'Control+Shift+Z');
      assert.equal(await ops(), 3, 'a new action drops the redo');
      assert.deepEqual(await listedOrders(page), ['0', '2']);
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 6. keyboard -------------------------------------------------------------------------

test(
  'keyboard: Tab+Enter allocates, Space plays and pauses, ? and Esc, [ and ] change the speed',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(SMALL));
    try {
      // Tab through the Allocate form to its button, Enter.
      await page.focus('#alloc-gfp');
      const visited = [];
      for (let i = 0; i < 8 && visited.at(-1) !== 'alloc-submit'; i++) {
        await page.keyboard.press('Tab');
        visited.push(await page.evaluate(() => document.activeElement?.id));
      }
      assert.equal(visited.at(-1), 'alloc-submit', `Tab visited ${visited}`);
      await page.keyboard.press('Enter');
      await page.locator('#alloc-list tr').first().waitFor({ timeout: OP_TIMEOUT });
      assert.equal((await position(page)).ops, 2);

      // Keys typed into a text box stay there.
      const before = (await position(page)).text;
      await page.focus('#cmd');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Space');
      assert.equal((await position(page)).text, before);
      assert.equal(await page.getAttribute('#p-play', 'aria-pressed'), 'false');

      // [ and ] change the speed, one notch each.
      await blur(page);
      const speed = async () => Number(await page.inputValue('#p-speed'));
      const s0 = await speed();
      await press(page, '[');
      assert.equal(await speed(), s0 - 1);
      await press(page, '[');
      assert.equal(await speed(), s0 - 2);
      await press(page, ']');
      assert.equal(await speed(), s0 - 1);
      await press(page, '[', 10);
      assert.equal(await speed(), 0, 'the slowest speed stops the notches');
      assert.match(await page.$eval('#p-speed', (s) => s.selectedOptions[0].textContent), /^1\/s$/);

      // Space plays from the start (a long boot at 1 step/s) and pauses.
      await press(page, 'Home');
      await press(page, 'Space');
      assert.equal(await page.getAttribute('#p-play', 'aria-pressed'), 'true');
      await press(page, 'Space');
      assert.equal(await page.getAttribute('#p-play', 'aria-pressed'), 'false');
      assert.equal((await position(page)).live, false, 'paused in the boot, far from its end');
      await page.click('#p-play');
      assert.equal(await page.getAttribute('#p-play', 'aria-pressed'), 'true');
      await blur(page);
      await press(page, 'ArrowRight'); // a step pauses the player
      assert.equal(await page.getAttribute('#p-play', 'aria-pressed'), 'false');

      // ? opens the help, Esc closes it.
      await press(page, '?');
      await page.locator('#help').waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await page.$eval('#help', (d) => d.open), true);
      await page.keyboard.press('Escape');
      await page.locator('#help').waitFor({ state: 'hidden', timeout: 5_000 });
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 7. language --------------------------------------------------------------------------

test('language: Chinese labels and narration, remembered after a reload', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await openPage(machineHash(SMALL));
  try {
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#tab-zones'), 'Zones');
    await allocate(page, 3);
    await page.click('#lang');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
    assert.equal(await page.textContent('#tab-zones'), '内存域');
    assert.equal(await page.textContent('#tab-tasks'), '进程');
    assert.equal(await page.textContent('#alloc-submit'), '分配');
    assert.equal(await page.textContent('#lang'), 'English');
    assert.match(await page.textContent('#p-position'), /^操作 2\/2/);
    assert.equal(await page.evaluate(() => localStorage.getItem('mm-playground.lang')), 'zh');

    // Step into the allocation, on to the step that takes a block off a
    // free list: its narration is the catalogue's Chinese template. (Steps
    // of sites the engine has not put on the catalogue yet still narrate
    // in the engine's English: transitional.)
    await blur(page);
    await press(page, 'Shift+ArrowLeft');
    await press(page, 'ArrowRight', 2);
    const p = await position(page);
    assert.deepEqual([p.op, p.pos], [2, 2], p.text);
    for (let i = 0; i < 20 && (await page.textContent('#n-fn')) !== '__rmqueue_smallest'; i++)
      await press(page, 'ArrowRight');
    assert.equal(await page.textContent('#n-fn'), '__rmqueue_smallest');
    const narration = await page.textContent('#n-text');
    assert.match(
      narration,
      /^__rmqueue_smallest：为 3 阶请求从不可移动的 \d+ 阶空闲链表取下页框 \d+$/,
      `narration: ${narration}`,
    );
    // The values are marked as the catalogue's typed arguments.
    assert.equal(await page.textContent('#n-text .arg[data-arg="req_order"]'), '3');
    assert.equal(await page.getAttribute('#n-text .arg[data-arg="mt"]', 'data-type'), 'MigrateType');
    // Kernel terms in the narration carry the glossary as a tooltip.
    const terms = page.locator('#n-text abbr[title]');
    assert.ok((await terms.count()) > 0, `no glossary term in: ${narration}`);
    assert.match(await terms.first().getAttribute('title'), /[\u4e00-\u9fff].*: /);
    await shot(page, 'chinese');

    await page.reload();
    await waitIdle(page, problems);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
    assert.equal(await page.textContent('#tab-zones'), '内存域');
    await page.click('#lang');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#tab-zones'), 'Zones');
    noProblems(problems);
  } finally {
    await context.close();
  }
});

// --- 8. URL state ---------------------------------------------------------------------------

test(
  'URL state: machine, lang and view from the fragment; a bad step is reported and the page still boots',
  { timeout: TEST_TIMEOUT },
  async () => {
    {
      const { context, page, problems } = await openPage('#machine=ram%3D256M%20cpus%3D1&lang=zh&view=tasks');
      try {
        await waitPosition(page, problems, /“boot ram=256M cpus=1”/);
        assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
        assert.equal(await page.getAttribute('#tab-tasks', 'aria-selected'), 'true');
        assert.equal(await page.isVisible('#panel-tasks'), true);
        assert.equal(await page.isHidden('#panel-zones'), true);
        assert.equal(await page.isHidden('#error'), true);
        noProblems(problems);
      } finally {
        await context.close();
      }
    }
    {
      const { context, page, problems } = await openPage(`${machineHash(SMALL)}&step=100`);
      try {
        const p = await position(page);
        assert.deepEqual([p.label, p.g, p.live], ['boot ram=128M cpus=1', 100, false], p.text);
        noProblems(problems);
      } finally {
        await context.close();
      }
    }
    {
      const { context, page, problems } = await openPage('#step=abc');
      try {
        await page.locator('#error').waitFor({ state: 'visible', timeout: 10_000 });
        assert.match(await page.textContent('#error-text'), /step=abc/);
        const p = await position(page);
        assert.equal(p.label, 'boot ram=1G cpus=2', 'the default machine booted all the same');
        assert.ok(p.live, p.text);
        noProblems(problems);
      } finally {
        await context.close();
      }
    }
  },
);

// --- 8a. jumps to a kind of step ------------------------------------------------------------

test(
  'player: s / Shift+S jump to the next / previous split, m to a merge; none says so',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(machineHash(SMALL));
    try {
      await allocate(page, 3);
      const end = await position(page);
      // From the end, backwards: the last split of the allocation (expand), narrated.
      await page.keyboard.press('Shift+S');
      await page
        .locator('#n-fn')
        .filter({ hasText: /^expand$/ })
        .waitFor({ timeout: OP_TIMEOUT });
      const last = await position(page);
      assert.equal(last.label, end.label);
      assert.ok(last.pos < last.events, last.text);
      // Back once more: an earlier split; forward again: the same one as before.
      await page.keyboard.press('Shift+S');
      await eventually(async () => (await position(page)).g < last.g, 'an earlier split');
      assert.equal(await page.textContent('#n-fn'), 'expand');
      await page.keyboard.press('s');
      await eventually(async () => (await position(page)).g === last.g, 'the later split again');
      // No split after the last one: the cursor stays and the status line says so.
      await page.keyboard.press('s');
      await page
        .locator('#status')
        .filter({ hasText: /No later step/ })
        .waitFor({ timeout: OP_TIMEOUT });
      assert.equal((await position(page)).g, last.g);
      // Back from the end, Shift+M: the last merge, in the boot's frees (__free_one_page).
      await page.keyboard.press('End');
      await page.keyboard.press('Shift+M');
      await page
        .locator('#n-fn')
        .filter({ hasText: /^__free_one_page$/ })
        .waitFor({ timeout: OP_TIMEOUT });
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 8b. small faults a class would trip over (issue 11, fault 8) -------------------------

test(
  'faults: a bad machine link with nothing booted, a click on a free frame, the Machine box after a dmesg',
  { timeout: TEST_TIMEOUT },
  async () => {
    {
      // #machine=ram%3D0: nothing runs, so the error must not say the previous machine does.
      const { context, page, problems } = await newPage();
      try {
        await page.goto(new URL('index.html#machine=ram%3D0', baseUrl).href);
        await page.locator('#error').waitFor({ state: 'visible', timeout: BOOT_TIMEOUT });
        const text = await page.textContent('#error-text');
        assert.doesNotMatch(text, /still running/, text);
        assert.match(text, /No machine is running/, text);
        noProblems(problems);
      } finally {
        await context.close();
      }
    }
    const { context, page, problems } = await openPage(machineHash(SMALL));
    try {
      // A click on a free frame says it is already free (not "Cannot free pfn N. free").
      const box = await page.locator('#map').boundingBox();
      let free = null;
      for (let i = 0; i < 60 && !free; i++) {
        const tip = await tipAt(page, box.x + box.width * (0.2 + (0.6 * ((i * 7) % 10)) / 10), box.y + 4 + i * 3);
        if (tip && /\bfree\b/.test(tip.text) && !/pcp/.test(tip.text)) free = tip;
      }
      assert.ok(free, 'found a free frame on the map');
      await page.mouse.click(free.x, free.y);
      await page
        .locator('#alloc-message')
        .filter({ hasText: /already free/ })
        .waitFor({ timeout: OP_TIMEOUT });
      assert.match(await page.textContent('#alloc-message'), /buddy free list/);

      // After booting a pasted dmesg the Machine box no longer shows the shorthand.
      const dmesg = readFileSync(path.join(root, '../shared/reference/linux-6.1/m1g-smp2/dmesg.txt'), 'utf8');
      await page.click('#tab-dmesg');
      await page.fill('#dmesg-text', dmesg);
      await page.click('#dmesg-boot');
      await waitPosition(page, problems, /pasted|dmesg/i);
      await waitIdle(page, problems);
      assert.equal(await page.inputValue('#spec'), '', 'the box does not name the old machine');
      assert.match(await page.getAttribute('#spec', 'placeholder'), /^running: /);
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 9. the embed, cross-origin -----------------------------------------------------------------

const EMBED_SCENARIO = 'machine ram=128M cpus=1\nspawn A anon=16M\n';

/**
 * Opens a course page at http://localhost:H/ (another origin than the
 * playground's) holding embed.html in an iframe, with EMBED_SCENARIO in the
 * URL, controls=player and origin=<the course page>, and a frame of a third
 * origin (http://127.0.0.1:H/) beside it. Resolves when the embed said
 * mm:ready. In the page: `received` (every message the host got) and
 * `send(msg)` (posts to the embed).
 */
async function openCourse(page) {
  const hostOrigin = new URL(hostUrl).origin;
  const embedOrigin = new URL(baseUrl).origin;
  const src = `${baseUrl}embed.html#scenario=${Buffer.from(EMBED_SCENARIO).toString('base64url')}&controls=player&origin=${hostOrigin}`;
  hostPages.set(
    '/course.html',
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>course</title></head><body>
<script>
  window.received = [];
  addEventListener('message', (e) => received.push({ origin: e.origin, data: e.data }));
  window.send = (msg) => document.getElementById('mm').contentWindow.postMessage(msg, ${JSON.stringify(embedOrigin)});
</script>
<iframe id="mm" src="${src}" style="width:1200px;height:700px;border:0"></iframe>
<iframe id="other" src="${thirdUrl}other.html" style="width:10px;height:10px;border:0"></iframe>
</body></html>`,
  );
  // It can reach the embed (parent.frames[0]) but is neither its parent nor an allowed origin.
  hostPages.set(
    '/other.html',
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>other</body></html>',
  );
  await page.goto(`${hostUrl}course.html`);
  await page.waitForFunction(() => received.some((m) => m.data?.type === 'mm:ready'), null, { timeout: BOOT_TIMEOUT });
  return { embedOrigin, frame: page.frameLocator('#mm') };
}

/** The messages of `type` the course page received. */
const receivedOf = (page, type) => page.evaluate((t) => received.filter((m) => m.data?.type === t), type);

/** Sends mm:get-state with `id` from the course page; resolves to the answer's state. */
async function askState(page, id) {
  await page.evaluate((i) => send({ type: 'mm:get-state', id: i }), id);
  await page.waitForFunction((i) => received.some((m) => m.data?.type === 'mm:state' && m.data.id === i), id, {
    timeout: 10_000,
  });
  return page.evaluate((i) => received.find((m) => m.data?.type === 'mm:state' && m.data.id === i).data.state, id);
}

test(
  'embed: a cross-origin course page drives embed.html by postMessage; other frames are ignored',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await newPage();
    try {
      const { embedOrigin, frame } = await openCourse(page);

      // Everything the host heard came from the embed, and it said ready,
      // its height and its state.
      const all = await page.evaluate(() => received);
      assert.deepEqual([...new Set(all.map((m) => m.origin))], [embedOrigin]);
      const [ready] = await receivedOf(page, 'mm:ready');
      // The scenario's statements are operations of their own, labelled by their text.
      assert.equal(ready.data.state.label, 'spawn A anon=16M');
      const heights = (await receivedOf(page, 'mm:height')).map((m) => m.data.height);
      assert.ok(heights.length > 0 && heights.every((h) => typeof h === 'number' && h > 0), `heights ${heights}`);

      // The scenario ran in the frame; controls=player hides the panels.
      assert.match(await frame.locator('#p-position').textContent(), /“spawn A anon=16M”/);
      assert.equal(await frame.locator('#alloc-panel').isHidden(), true, 'controls=player hides the Allocate panel');
      assert.equal(await frame.locator('#spec-form').isHidden(), true);
      assert.equal(await frame.locator('#player').isVisible(), true);
      assert.equal(await frame.locator('#error').isHidden(), true);
      assert.equal(await frame.locator('html').getAttribute('data-mode'), 'embed');

      // mm:get-state is answered with its id, and mm:state follows changes.
      const s1 = await askState(page, 1);
      assert.deepEqual([s1.lang, s1.view], ['en', 'zones']);

      // The third-origin frame's messages are ignored: no language or view
      // change, no answer.
      const other = page.frames().find((f) => f.url() === `${thirdUrl}other.html`);
      assert.ok(
        other,
        page
          .frames()
          .map((f) => f.url())
          .join(' '),
      );
      await other.evaluate(() => {
        const mm = parent.frames[0];
        mm.postMessage({ type: 'mm:set-lang', lang: 'zh' }, '*');
        mm.postMessage({ type: 'mm:set-view', view: 'slab' }, '*');
        mm.postMessage({ type: 'mm:get-state', id: 99 }, '*');
      });
      await askState(page, 2); // (two round trips after the other frame's messages)
      const s3 = await askState(page, 3);
      assert.deepEqual([s3.lang, s3.view], ['en', 'zones'], 'a message from another frame changed the embed');
      assert.equal(await frame.locator('html').getAttribute('lang'), 'en');
      assert.deepEqual(
        (await page.evaluate(() => received)).filter((m) => m.data?.id === 99),
        [],
        'no answer to the other frame',
      );

      // The same messages from the host are obeyed (so the check above can fail).
      await page.evaluate(() => send({ type: 'mm:set-lang', lang: 'zh' }));
      await page.waitForFunction(
        () => received.some((m) => m.data?.type === 'mm:state' && m.data.state?.lang === 'zh'),
        null,
        { timeout: 10_000 },
      );
      assert.equal(await frame.locator('html').getAttribute('lang'), 'zh-Hans');
      await page.evaluate(() => send({ type: 'mm:set-view', view: 'tasks' }));
      await frame.locator('#tasks-view .sv-task-name', { hasText: /^A$/ }).waitFor({ timeout: 10_000 });
      await page.evaluate(() => send({ type: 'mm:set-lang', lang: 'en' }));
      await frame.locator('html[lang="en"]').waitFor({ state: 'attached', timeout: 10_000 });
      await shot(page, 'embed');

      // A malformed message gets mm:error back.
      await page.evaluate(() => send({ type: 'mm:nonsense' }));
      await page.waitForFunction(() => received.some((m) => m.data?.type === 'mm:error'), null, { timeout: 10_000 });
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

test('embed: mm:step moves through the steps of the scenario in the URL', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page, problems } = await newPage();
  try {
    const { frame } = await openCourse(page);
    const s6 = await askState(page, 6);
    assert.ok(s6.atEnd && s6.step === s6.total, JSON.stringify(s6));
    assert.ok(
      s6.total > 0,
      `the scenario's timeline has no steps to play (${JSON.stringify(s6)}): ` +
        'the machine a scenario boots is not traced (mm::run_scenario boots it with BootOptions{} = trace off)',
    );
    await page.evaluate(() => {
      send({ type: 'mm:step', delta: -1 });
      send({ type: 'mm:get-state', id: 7 });
    });
    await page.waitForFunction(() => received.some((m) => m.data?.id === 7), null, { timeout: 10_000 });
    const s7 = await page.evaluate(() => received.find((m) => m.data?.id === 7).data.state);
    assert.equal(s7.step, s6.step - 1, JSON.stringify({ s6, s7 }));
    assert.equal(s7.atEnd, false);
    assert.match(await frame.locator('#p-position').textContent(), new RegExp(`${s7.step}/${s7.total} in all`));
    // mm:step {at}: a place as mm:state (and a link's at=) names it, not a global step.
    assert.ok(s7.at && s7.at.event > 2, JSON.stringify(s7));
    const target = { statement: s7.at.statement, event: 2 };
    await page.evaluate((at) => {
      send({ type: 'mm:step', at });
      send({ type: 'mm:get-state', id: 8 });
      send({ type: 'mm:step', at: { statement: 99, event: 0 } });
      send({ type: 'mm:step', at: { statement: -1, event: 0 } });
    }, target);
    await page.waitForFunction(() => received.filter((m) => m.data?.type === 'mm:error').length >= 2, null, {
      timeout: 10_000,
    });
    const s8 = await page.evaluate(() => received.find((m) => m.data?.id === 8).data.state);
    assert.deepEqual(s8.at, target, JSON.stringify(s8));
    assert.equal(s8.step, s7.step - (s7.at.event - 2));
    const errors = await page.evaluate(() =>
      received.filter((m) => m.data?.type === 'mm:error').map((m) => m.data.message),
    );
    assert.deepEqual(errors, [
      'at 99.0: the session has no such place',
      'mm:step at must be {statement, event}, two whole numbers (as mm:state gives it)',
    ]);
    noProblems(problems);
  } finally {
    await context.close();
  }
});

// --- 10. the custom element ---------------------------------------------------------------------

/**
 * Opens a course page at http://localhost:H/ that loads the element's script
 * from the playground's origin (a cross-origin module) and holds
 * <mm-playground machine="ram=128M cpus=1" lang="zh" controls="player">,
 * 760px wide. In the page: `events` (mm-ready, mm-state, mm-height events of
 * the element). Resolves when it is ready, to the embed's frame.
 */
async function openElement(page) {
  hostPages.set(
    '/element.html',
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>element</title>
<script type="module" src="${baseUrl}js/element.js"></script></head><body>
<mm-playground id="el" machine="ram=128M cpus=1" lang="zh" controls="player" style="width:760px"></mm-playground>
<script>
  window.events = [];
  const el = document.getElementById('el');
  for (const name of ['mm-ready', 'mm-state', 'mm-height']) el.addEventListener(name, (e) => events.push({ name, detail: e.detail }));
</script>
</body></html>`,
  );
  await page.goto(`${hostUrl}element.html`);
  try {
    await page.waitForFunction(() => events.some((e) => e.name === 'mm-ready'), null, { timeout: BOOT_TIMEOUT });
  } catch (e) {
    throw new Error(
      `<mm-playground> never said mm-ready: ${await page.evaluate(() => JSON.stringify(window.events))}`,
      { cause: e },
    );
  }
  const src = await page.evaluate(() => document.getElementById('el').shadowRoot.querySelector('iframe').src);
  const frame = page.frames().find((f) => f.url() === src);
  assert.ok(frame, `the embed frame ${src}: ${page.frames().map((f) => f.url())}`);
  // Its height follows mm:height.
  await page.waitForFunction(
    () => {
      const last = events.filter((e) => e.name === 'mm-height').at(-1);
      const iframe = document.getElementById('el').shadowRoot.querySelector('iframe');
      return (
        last !== undefined && last.detail.height > 0 && iframe.style.height === `${Math.max(200, last.detail.height)}px`
      );
    },
    null,
    { timeout: 10_000 },
  );
  return { src, frame };
}

test(
  '<mm-playground>: on a cross-origin page it hosts embed.html with its attributes and relays the API',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await newPage();
    try {
      const { src, frame } = await openElement(page);

      // The shadow iframe: embed.html with the attributes as URL state.
      const url = new URL(src);
      assert.equal(url.origin + url.pathname, `${new URL(baseUrl).origin}/embed.html`);
      const hash = new URLSearchParams(url.hash.slice(1));
      assert.equal(hash.get('machine'), SMALL);
      assert.equal(hash.get('lang'), 'zh');
      assert.equal(hash.get('controls'), 'player');
      assert.equal(await frame.getAttribute('html', 'lang'), 'zh-Hans');
      assert.equal(await frame.isHidden('#alloc-panel'), true);
      assert.match(await frame.textContent('#p-position'), /“boot ram=128M cpus=1”/);

      // The element is as tall as the embed's document says (mm:height): no scroll bar inside.
      await eventually(async () => {
        const height = await page.evaluate(() => document.getElementById('el').getBoundingClientRect().height);
        const content = await frame.evaluate(() => document.documentElement.scrollHeight);
        return Math.round(height) === content || { height, content };
      }, 'the element is not as tall as the embed document');

      // getState() resolves with the embed's state.
      const state = await page.evaluate(() => document.getElementById('el').getState());
      assert.equal(state.lang, 'zh');
      assert.equal(state.label, 'boot ram=128M cpus=1');
      assert.ok(state.atEnd && state.total > 0 && state.step === state.total, JSON.stringify(state));

      // step(-1) moves the embed; an mm-state event says where it is now.
      await page.evaluate(() => document.getElementById('el').step(-1));
      await page.waitForFunction(
        (t) => events.some((e) => e.name === 'mm-state' && e.detail?.step === t - 1),
        state.total,
        { timeout: 10_000 },
      );
      const after = await page.evaluate(() => document.getElementById('el').getState());
      assert.equal(after.step, state.total - 1);
      assert.equal(after.atEnd, false);
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

test(
  '<mm-playground>: sized by mm:height, it shows the whole player and narration',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await newPage();
    try {
      const { frame } = await openElement(page);
      // The reported height must be the content's, not only the frame's own
      // viewport: then nothing of the player is cut off or scrolled away.
      await eventually(
        () =>
          frame.evaluate(() => {
            const out = [];
            for (const sel of ['.stage', '.views', '#player', '#narration', '#p-position']) {
              const el = document.querySelector(sel);
              const r = el.getBoundingClientRect();
              if (r.bottom > innerHeight + 1)
                out.push(`${sel} ends at ${Math.round(r.bottom)}px, below the ${innerHeight}px frame`);
              if (getComputedStyle(el).overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1) {
                out.push(`${sel} scrolls inside (${el.scrollHeight}px of content in ${el.clientHeight}px)`);
              }
            }
            return out.length === 0 || out;
          }),
        'the embed sized by mm:height still hides part of the player',
      );
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);

// --- 11. the offline single file -------------------------------------------------------------------

test(
  'offline: mm-playground-offline.html boots from file:// without a request or a CSP violation',
  { timeout: TEST_TIMEOUT },
  async (t) => {
    const file = path.join(webRoot, 'mm-playground-offline.html');
    if (!existsSync(file)) {
      assert.ok(!process.env.CI, `${file} is missing under CI: build mm_wasm_single, then node scripts/build-web.mjs`);
      t.skip(`${file} is missing (build the wasm target mm_wasm_single, then node scripts/build-web.mjs)`);
      return;
    }
    const { context, page, problems } = await newPage();
    try {
      const href = pathToFileURL(file).href;
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
        );
      });
      await page.goto(href);
      await waitIdle(page, problems);
      const p = await position(page);
      assert.equal(p.label, 'boot ram=1G cpus=2');
      assert.ok(p.live && p.total > 0, p.text);
      // It works, not only boots: an allocation and a step back.
      await allocate(page, 2);
      await blur(page);
      await press(page, 'ArrowLeft');
      const back = await position(page);
      assert.equal(back.g, back.total - 1, back.text);

      const foreign = requests.filter((u) => u !== href && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'the offline page loads nothing but itself');
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
      noProblems(problems);
    } finally {
      await context.close();
    }
  },
);
