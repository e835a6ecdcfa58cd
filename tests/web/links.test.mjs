// Links that reproduce the screen exactly (issue 11, fault 5), in Debian's
// Chromium: the "Link / embed" dialog's link holds the machine (a shorthand
// or a pasted dmesg, packed), every statement of the session (panel actions
// included) and the cursor as (statement, event); opening it in a second
// page gives the same state, compared in full: every /proc view, the
// cursor, the narration, the frame map's states, the tables. And the same
// rules for the embed: mm:load {scenario, step} lands inside that scenario,
// mm:error on failure, and <mm-playground> follows attribute changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newPage as pageAt, root, servePage } from './harness.mjs';

const BOOT_TIMEOUT = 60_000;
const OP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 240_000;
const SMALL = 'ram=128M cpus=1';
const machineHash = (spec) => `#machine=${encodeURIComponent(spec)}`;

const web = servePage();

const newPage = () => pageAt(web, 1280, 860);

/** Waits until the page (or frame) has opened its state and is not busy. */
async function waitReady(page, timeout = BOOT_TIMEOUT) {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.ready === 'true' &&
      !document.documentElement.classList.contains('busy') &&
      (document.getElementById('summary')?.textContent ?? '') !== '',
    null,
    { timeout },
  );
}

async function openPage(href) {
  const p = await newPage();
  await p.page.goto(href);
  await waitReady(p.page);
  return p;
}

/** "Operation 2/3 “label” · step 7/11 · 5279/5304 in all" */
async function position(page) {
  const text = await page.textContent('#p-position');
  const m = /([\d,]+)\/([\d,]+)\D*?“(.*)”\D+([\d,]+)\/([\d,]+)\D+([\d,]+)\/([\d,]+)/u.exec(text);
  assert.ok(m, `unreadable position "${text}"`);
  const n = (s) => Number(s.replace(/,/g, ''));
  return { text, op: n(m[1]), label: m[3], pos: n(m[4]), events: n(m[5]), g: n(m[6]), total: n(m[7]) };
}

async function blur(page) {
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
}

async function allocate(page, order) {
  const rows = page.locator('#alloc-list tr');
  const before = await rows.count();
  await page.fill('#alloc-gfp', 'GFP_KERNEL');
  await page.selectOption('#alloc-order', String(order));
  await page.click('#alloc-submit');
  await page.waitForFunction((k) => document.querySelectorAll('#alloc-list tr').length === k + 1, before, {
    timeout: OP_TIMEOUT,
  });
  return Number(await rows.first().getAttribute('data-pfn'));
}

async function command(page, text) {
  const before = (await position(page)).total;
  await page.fill('#cmd', text);
  await page.press('#cmd', 'Enter');
  await page.waitForFunction(
    (b) => {
      const m = /([\d,]+)\/([\d,]+) in all/.exec(document.getElementById('p-position').textContent);
      return m && Number(m[2].replace(/,/g, '')) > b;
    },
    before,
    { timeout: OP_TIMEOUT },
  );
  assert.equal(await page.getAttribute('#cmd-message', 'data-tone'), 'ok', await page.textContent('#cmd-message'));
}

async function scrubTo(page, g) {
  await page.$eval(
    '#p-scrub',
    (s, v) => {
      s.value = String(v);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    },
    g,
  );
  await page.waitForFunction((v) => new RegExp(`\\b${v}/`).test(document.getElementById('p-position').textContent), g);
}

/** The dialog's link for what is on screen (the dialog closed again). */
async function shareLink(page) {
  await page.click('#share-button');
  await page.locator('#share[data-ready="true"]').waitFor({ timeout: OP_TIMEOUT });
  const link = await page.inputValue('#share-link');
  const status = await page.textContent('#share-status');
  await page.keyboard.press('Escape');
  await page.locator('#share').waitFor({ state: 'hidden' });
  return { link, status };
}

/** The frame states the map shows (per-frame bytes, pageblock types: counts and hashes). */
async function mapStates(page) {
  const states = await page.$eval('#map', (c) => c.frameMapStates());
  assert.ok(states && states.frames > 0, 'the map shows a machine');
  return states;
}

/** Everything the page shows of the machine at its cursor. */
async function fullState(page) {
  await blur(page);
  const pos = await position(page);
  const s = {
    label: pos.label,
    step: `${pos.pos}/${pos.events}`,
    crumbs: await page.textContent('#n-crumbs'),
    fn: await page.textContent('#n-fn'),
    narration: await page.textContent('#n-text'),
    summary: await page.textContent('#summary'),
    legend: await page.$$eval('#legend li', (ls) => ls.map((l) => l.textContent)),
    allocations: await page.$$eval('#alloc-list tr', (rs) => rs.map((r) => r.textContent)),
    map: await mapStates(page),
    views: {},
    proc: {},
  };
  for (const [tab, view] of [
    ['zones', '#zones-view'],
    ['slab', '#slab-view'],
    ['tasks', '#tasks-view'],
    ['log', '#boot-log'],
  ]) {
    await page.click(`#tab-${tab}`);
    s.views[tab] = await page.textContent(view);
  }
  await page.click('#tab-proc');
  const names = await page.$$eval('#proc-select option', (os) => os.map((o) => o.value));
  assert.ok(names.length >= 8, `the /proc views: ${names}`);
  for (const name of names) {
    await page.selectOption('#proc-select', name);
    await page.waitForFunction((n) => document.getElementById('proc-select').value === n, name);
    s.proc[name] = await page.textContent('#proc-text');
    assert.ok(s.proc[name].length > 0, `/proc/${name} is empty`);
  }
  await page.click('#tab-zones');
  return s;
}

/** Compares two full states field by field (a readable failure, not a 1 MB diff). */
function sameState(a, b) {
  for (const key of Object.keys(a)) {
    if (key === 'views' || key === 'proc') {
      assert.deepEqual(Object.keys(b[key]), Object.keys(a[key]), key);
      for (const k of Object.keys(a[key])) assert.ok(a[key][k] === b[key][k], `${key} ${k} differs`);
    } else assert.deepEqual(b[key], a[key], key);
  }
}

/**
 * Boot (`boot`), an Allocate panel allocation, a kmalloc and a spawn in the
 * command box, then the cursor inside one of them; the link opened in a
 * second page shows the same, in full.
 */
async function roundTrip(boot, inside) {
  const first = await openPage(new URL(`index.html${machineHash(SMALL)}`, web.baseUrl).href);
  const { page, problems } = first;
  let second = null;
  try {
    await boot(page, problems);
    const ops = [];
    const mark = async () => ops.push(await position(page));
    await allocate(page, 3);
    await mark();
    await command(page, 'kmalloc p 200');
    await mark();
    await command(page, 'spawn A anon=4M');
    await mark();
    // Inside the operation `inside` (0 the allocation, 1 the kmalloc), a few events in.
    const op = ops[inside];
    assert.ok(op.events > 6, op.text);
    await scrubTo(page, op.g - op.events + 5);
    const here = await position(page);
    assert.deepEqual([here.label, here.pos], [op.label, 5], here.text);

    const { link, status } = await shareLink(page);
    assert.equal(status, '');
    const hash = new URLSearchParams(new URL(link).hash.slice(1));
    assert.deepEqual(hash.getAll('do'), ['alloc order=3 gfp=GFP_KERNEL cpu=0', 'kmalloc p 200', 'spawn A anon=4M']);
    assert.equal(hash.get('at'), `${inside + 1}.5`, 'the cursor as (statement, event)');
    assert.equal(hash.get('step'), null, 'no global step');
    const want = await fullState(page);

    second = await openPage(link);
    // The second page's link is the first's: the same session, the same place.
    assert.equal((await shareLink(second.page)).link, link);
    const got = await fullState(second.page);
    sameState(want, got);
    assert.deepEqual(problems, []);
    assert.deepEqual(second.problems, []);
    return { link, want };
  } finally {
    await first.context.close();
    await second?.context.close();
  }
}

test(
  'links: a boot, a panel allocation, a kmalloc and a spawn, the cursor inside: the link opens the same state',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { link } = await roundTrip(async (page) => {
      await page.fill('#spec', 'ram=256M cpus=2');
      await page.press('#spec', 'Enter');
      await page
        .locator('#p-position')
        .filter({ hasText: '“boot ram=256M cpus=2”' })
        .waitFor({ timeout: BOOT_TIMEOUT });
      await waitReady(page);
    }, 0);
    // The boot before the statements is the link's machine; the 128M boot before it is not in it.
    assert.equal(new URLSearchParams(new URL(link).hash.slice(1)).get('machine'), 'ram=256M cpus=2');
  },
);

test(
  'links: a pasted dmesg boot goes into the link packed, and opens the same state',
  { timeout: TEST_TIMEOUT },
  async () => {
    const dmesg = readFileSync(path.join(root, '../shared/reference/linux-6.1/oom-m256-smp1/dmesg.txt'), 'utf8');
    const { link } = await roundTrip(async (page) => {
      await page.click('#tab-dmesg');
      await page.fill('#dmesg-text', dmesg);
      await page.click('#dmesg-boot');
      await page.locator('#p-position').filter({ hasText: /dmesg/i }).waitFor({ timeout: BOOT_TIMEOUT });
      await waitReady(page);
    }, 1);
    const hash = new URLSearchParams(new URL(link).hash.slice(1));
    assert.equal(hash.get('machine'), null);
    assert.match(hash.get('dmesg'), /^[A-Za-z0-9_-]+$/);
    assert.ok(hash.get('dmesg').length < dmesg.length / 2, 'the dmesg is packed');
  },
);

test(
  'links: undone statements are not in the link; an old #machine=&step= link still opens',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openPage(new URL(`index.html${machineHash(SMALL)}`, web.baseUrl).href);
    try {
      await allocate(page, 0);
      await command(page, 'kmalloc p 64');
      await blur(page);
      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => /“alloc order=0/.test(document.getElementById('p-position').textContent));
      const { link } = await shareLink(page);
      assert.deepEqual(new URLSearchParams(new URL(link).hash.slice(1)).getAll('do'), [
        'alloc order=0 gfp=GFP_KERNEL cpu=0',
      ]);
      // An old link: a machine and a global step.
      const old = await openPage(new URL(`index.html${machineHash(SMALL)}&step=100`, web.baseUrl).href);
      try {
        const p = await position(old.page);
        assert.deepEqual([p.label, p.g, p.pos], [`boot ${SMALL}`, 100, 100], p.text);
        assert.equal(await old.page.isHidden('#error'), true);
        assert.deepEqual(old.problems, []);
      } finally {
        await old.context.close();
      }
      // A new fragment on the open page opens that state in place.
      await page.evaluate(
        (h) => (location.hash = h),
        `${machineHash(SMALL)}&do=${encodeURIComponent('kmalloc q 300')}&at=1.3`,
      );
      await page.waitForFunction(
        () => /“kmalloc q 300” · step 3\//.test(document.getElementById('p-position').textContent),
        null,
        {
          timeout: BOOT_TIMEOUT,
        },
      );
      assert.equal((await position(page)).op, 2, 'a fresh timeline: the boot and the kmalloc');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

// --- the embed: mm:load and <mm-playground> ----------------------------------------------------

/** A page of the playground's own origin (served by the test) holding `body`. */
async function hostPage(body) {
  const p = await newPage();
  const url = new URL('host-page-for-test.html', web.baseUrl).href;
  await p.context.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>host</title></head><body>${body}</body></html>`,
    }),
  );
  await p.page.goto(url);
  return p;
}

test(
  'embed: mm:load {scenario, step} lands inside that scenario; a bad one gets mm:error',
  { timeout: TEST_TIMEOUT },
  async () => {
    const src = new URL(`embed.html${machineHash(SMALL)}&controls=player`, web.baseUrl).href;
    const { context, page, problems } = await hostPage(
      `<iframe id="f" src="${src}" style="width:900px;height:700px"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => received.push(e.data));
  window.send = (m) => document.getElementById('f').contentWindow.postMessage(m, location.origin);
</script>`,
    );
    try {
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:ready'), null, { timeout: BOOT_TIMEOUT });
      const ask = async (id) => {
        await page.evaluate((i) => send({ type: 'mm:get-state', id: i }), id);
        await page.waitForFunction((i) => received.some((m) => m.type === 'mm:state' && m.id === i), id, {
          timeout: OP_TIMEOUT,
        });
        return page.evaluate((i) => received.find((m) => m.type === 'mm:state' && m.id === i).state, id);
      };
      await page.evaluate(() => send({ type: 'mm:load', scenario: 'spawn A anon=4M\nkmalloc p 100', step: 10 }));
      await page.waitForFunction(
        () => received.some((m) => m.type === 'mm:state' && m.state.at?.statement === 1),
        null,
        { timeout: OP_TIMEOUT },
      );
      const s = await ask(1);
      assert.equal(s.label, 'spawn A anon=4M', JSON.stringify(s)); // the statement the cursor is in
      assert.deepEqual([s.pos, s.at], [10, { statement: 1, event: 10 }], JSON.stringify(s));
      assert.equal(s.atEnd, false);
      // A scenario that does not parse, and a step past the end: mm:error, saying why.
      await page.evaluate(() => send({ type: 'mm:load', scenario: 'spwan B anon=1M' }));
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:error'), null, { timeout: OP_TIMEOUT });
      const err = await page.evaluate(() => received.find((m) => m.type === 'mm:error').message);
      assert.match(err, /did not run.*spwan/);
      await page.evaluate(() => send({ type: 'mm:load', scenario: 'kmalloc q 64', step: 1e9 }));
      await page.waitForFunction(() => received.filter((m) => m.type === 'mm:error').length === 2, null, {
        timeout: OP_TIMEOUT,
      });
      assert.match(await page.evaluate(() => received.filter((m) => m.type === 'mm:error')[1].message), /past the end/);
      // mm:load {link}: a link's state, afresh.
      await page.evaluate(
        (l) => send({ type: 'mm:load', link: l }),
        `#machine=${encodeURIComponent('ram=96M cpus=1')}&do=drain%20all&at=0.7`,
      );
      await page.waitForFunction(
        () => received.some((m) => m.type === 'mm:state' && /ram=96M/.test(m.state.label)),
        null,
        {
          timeout: BOOT_TIMEOUT,
        },
      );
      const l = await ask(2);
      assert.deepEqual(
        [l.label, l.op, l.pos, l.at, l.statements],
        ['boot ram=96M cpus=1', 0, 7, { statement: 0, event: 7 }, 2],
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  '<mm-playground>: step is a place in the scenario, and attribute changes after load are followed',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await hostPage(
      `<script type="module" src="${new URL('js/element.js', web.baseUrl).href}"></script>
<mm-playground id="el" machine="${SMALL}" scenario="spawn A anon=4M" step="12" controls="player" style="width:900px"></mm-playground>
<script>
  window.events = [];
  const el = document.getElementById('el');
  for (const n of ['mm-ready', 'mm-state', 'mm-error']) el.addEventListener(n, (e) => events.push({ n, d: e.detail }));
</script>`,
    );
    try {
      await page.waitForFunction(() => events.some((e) => e.n === 'mm-ready'), null, { timeout: BOOT_TIMEOUT });
      const state = () => page.evaluate(() => document.getElementById('el').getState());
      let s = await state();
      assert.deepEqual([s.label, s.pos, s.at], ['spawn A anon=4M', 12, { statement: 1, event: 12 }], JSON.stringify(s));
      // A later attribute: the embed opens the new state (it ignored it before).
      await page.evaluate(() => document.getElementById('el').setAttribute('scenario', 'kmalloc p 200'));
      await page.waitForFunction(() => events.some((e) => e.n === 'mm-state' && e.d.label === 'kmalloc p 200'), null, {
        timeout: BOOT_TIMEOUT,
      });
      s = await state();
      assert.deepEqual([s.label, s.pos, s.at], ['kmalloc p 200', 12, { statement: 1, event: 12 }], JSON.stringify(s));
      await page.evaluate(() => {
        const el = document.getElementById('el');
        el.removeAttribute('scenario');
        el.setAttribute('machine', 'ram=96M cpus=1');
      });
      await page.waitForFunction(
        () => events.some((e) => e.n === 'mm-state' && e.d.label === 'boot ram=96M cpus=1'),
        null,
        {
          timeout: BOOT_TIMEOUT,
        },
      );
      s = await state();
      assert.deepEqual([s.op, s.pos, s.statements], [0, 12, 1], JSON.stringify(s));
      // lang switches in place.
      await page.evaluate(() => document.getElementById('el').setAttribute('lang', 'zh'));
      await page.waitForFunction(() => events.some((e) => e.n === 'mm-state' && e.d.lang === 'zh'), null, {
        timeout: OP_TIMEOUT,
      });
      assert.equal((await state()).label, 'boot ram=96M cpus=1');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
