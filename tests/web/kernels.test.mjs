// The two kernel profiles on the page (issue 13), in Debian's Chromium: the
// kernel switch in the Machine form boots the shorthand with kernel= set (the
// shorthand stays the one source of truth: the box, the footer, a link); the
// "6.1 vs 6.12" view (key v) lists what compareKernels says differs, grouped,
// with the catalogue's reason in the page's language; a machine from a
// pasted dmesg follows its log (the switch disabled, compare asks for a
// shorthand); a shorthand the engine refuses is named in the error line.
// The figures are the engine's (tests/page/kernels.test.mjs checks the same
// ones against the node build). Screenshots: build/test-artifacts/kernels-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { artifacts, newPage, root, servePage } from './harness.mjs';
import { auditLayout, DECORATIONS, SCROLLERS } from './layout-audit.mjs';

const BOOT_TIMEOUT = 60_000;
const OP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 180_000;
const SPEC = 'ram=1G cpus=2';

const web = servePage();

/** The catalogue's reasons, as the engine exports them (the node build). */
async function reasons() {
  const { newEngine } = await import('../page/support.mjs');
  const e = await newEngine();
  try {
    return new Map(JSON.parse(e.catalogue()).kernelDiffs.map((d) => [d.code, d]));
  } finally {
    e.delete();
  }
}

/** Waits until the page has opened its state and is not busy. */
async function waitReady(page) {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.ready === 'true' &&
      !document.documentElement.classList.contains('busy') &&
      (document.getElementById('summary')?.textContent ?? '') !== '',
    null,
    { timeout: BOOT_TIMEOUT },
  );
}

async function open(width, height, hash = '') {
  const p = await newPage(web, width, height);
  await p.page.goto(`${web.baseUrl}${hash}`);
  await waitReady(p.page);
  return p;
}

/** The footer once it names `spec` and the profile (a boot finished). */
async function waitMachine(page, spec, kernel) {
  const want = `${spec} · Linux ${kernel} · `;
  await page.waitForFunction(
    (w) =>
      document.getElementById('summary').textContent.startsWith(w) &&
      !document.documentElement.classList.contains('busy'),
    want,
    { timeout: BOOT_TIMEOUT },
  );
}

/** Which kernel button is pressed, and whether the switch can be used. */
async function switchState(page) {
  return page.$$eval('#kernel-switch button', (bs) => ({
    pressed: bs.filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.textContent),
    disabled: bs.every((b) => b.disabled),
    title: bs[0].title,
  }));
}

/** /proc/zoneinfo as the /proc tab shows it. */
async function zoneinfo(page) {
  await page.click('#tab-proc');
  await page.selectOption('#proc-select', 'zoneinfo');
  await page.locator('#proc-text').filter({ hasText: 'pagesets' }).waitFor({ timeout: OP_TIMEOUT });
  return page.textContent('#proc-text');
}

/** One zone's part of zoneinfo ("Node 0, zone    DMA32" up to the next zone). */
function zone(text, name) {
  const m = new RegExp(`^Node 0, zone +${name}\\n([\\s\\S]*?)(?=^Node |(?![\\s\\S]))`, 'm').exec(text);
  assert.ok(m, `no zone ${name} in zoneinfo`);
  return m[1];
}

/** The "Link / embed" dialog's link (the dialog closed again). */
async function shareLink(page) {
  await page.click('#share-button');
  await page.locator('#share[data-ready="true"]').waitFor({ timeout: OP_TIMEOUT });
  const link = await page.inputValue('#share-link');
  await page.keyboard.press('Escape');
  await page.locator('#share').waitFor({ state: 'hidden' });
  return link;
}

/** The compare table's rows: what, 6.1, 6.12, why, and the section each is in. */
async function compareRows(page) {
  return page.$$eval('#compare-view tr.kd-row', (trs) =>
    trs.map((tr) => {
      // A figure one kernel does not print is a dash: '' here, as the engine says it.
      const [what, a, b, why] = [...tr.children].map((c) => (c.classList.contains('kd-none') ? '' : c.textContent));
      return { what, v6_1: a, v6_12: b, why, group: tr.closest('tbody').dataset.group };
    }),
  );
}

async function blur(page) {
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
}

/** Two animation frames: whatever a change asked to draw is drawn. */
const settle = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function audit(page, width, where) {
  await blur(page);
  await page.mouse.move(0, 0);
  await settle(page);
  const found = await page.evaluate(auditLayout, {
    scrollers: SCROLLERS,
    decorations: DECORATIONS,
    fold: width >= 1000,
  });
  return found.map((p) => `${where}: ${p}`);
}

test(
  'the kernel switch boots the shorthand as 6.12 and back as 6.1; a link keeps kernel=6.12',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open(1280, 860);
    let second = null;
    try {
      await waitMachine(page, SPEC, '6.1');
      assert.deepEqual((await switchState(page)).pressed, ['6.1']);
      assert.equal((await switchState(page)).disabled, false);
      assert.match((await switchState(page)).title, /kernel=6\.1/);

      // 6.12: the box holds kernel=6.12, zoneinfo prints promo, DMA32 manages more pages.
      await page.click('#kernel-612');
      await waitMachine(page, `${SPEC} kernel=6.12`, '6.12');
      assert.equal(await page.inputValue('#spec'), `${SPEC} kernel=6.12`);
      assert.deepEqual((await switchState(page)).pressed, ['6.12']);
      let z = await zoneinfo(page);
      assert.match(zone(z, 'DMA32'), /^ +promo +19400$/m);
      assert.match(zone(z, 'DMA32'), /^ +managed +243796$/m);
      assert.match(await page.textContent('#boot-log'), /^mm-playground: Linux 6\.12 profile:/);

      // The link carries kernel= in machine=, and reopens as 6.12.
      const link = await shareLink(page);
      assert.equal(new URLSearchParams(new URL(link).hash.slice(1)).get('machine'), `${SPEC} kernel=6.12`);
      second = await open(1280, 860, new URL(link).hash);
      await waitMachine(second.page, `${SPEC} kernel=6.12`, '6.12');
      assert.deepEqual((await switchState(second.page)).pressed, ['6.12']);
      assert.equal(await second.page.inputValue('#spec'), `${SPEC} kernel=6.12`);
      assert.match(zone(await zoneinfo(second.page), 'DMA32'), /^ +managed +243796$/m);
      assert.equal(await shareLink(second.page), link);

      // Back to 6.1: kernel= replaced, no promo line, 6.1's managed pages.
      await page.click('#kernel-61');
      await waitMachine(page, `${SPEC} kernel=6.1`, '6.1');
      assert.equal(await page.inputValue('#spec'), `${SPEC} kernel=6.1`);
      assert.deepEqual((await switchState(page)).pressed, ['6.1']);
      z = await zoneinfo(page);
      assert.doesNotMatch(z, /^ +promo /m);
      assert.match(zone(z, 'DMA32'), /^ +managed +242033$/m);

      // A shorthand typed in the box is what the switch boots (its kernel= replaced).
      await page.fill('#spec', 'ram=256M kernel=6.1 cpus=1');
      await page.click('#kernel-612');
      await waitMachine(page, 'ram=256M kernel=6.12 cpus=1', '6.12');
      assert.deepEqual(problems, []);
      assert.deepEqual(second.problems, []);
    } finally {
      await context.close();
      await second?.context.close();
    }
  },
);

test(
  'the compare view: key v, rows grouped with their reasons, both languages, the layout',
  { timeout: TEST_TIMEOUT },
  async () => {
    const why = await reasons();
    const { context, page, problems } = await open(1280, 860);
    try {
      await waitMachine(page, SPEC, '6.1');
      // The help lists the key.
      await blur(page);
      await page.keyboard.press('?');
      await page.locator('#help').waitFor({ state: 'visible' });
      assert.match(await page.textContent('#help'), /v\s*Compare the machine under Linux 6\.1 and 6\.12/);
      await page.keyboard.press('Escape');
      await page.locator('#help').waitFor({ state: 'hidden' });

      // Key v: the tab, compared at once (the running machine untouched).
      const before = await page.textContent('#p-position');
      await blur(page);
      await page.keyboard.press('v');
      await page.locator('#compare-view tr.kd-row').first().waitFor({ timeout: OP_TIMEOUT });
      assert.equal(await page.getAttribute('#tab-compare', 'aria-selected'), 'true');
      assert.equal(await page.textContent('#p-position'), before, 'compare does not touch the timeline');
      assert.equal(
        await page.textContent('#compare-summary'),
        'ram=1G cpus=2: 34 figures differ between Linux 6.1 and Linux 6.12.',
      );
      const rows = await compareRows(page);
      assert.equal(rows.length, 34);
      const row = (what) => {
        const r = rows.find((x) => x.what === what);
        assert.ok(r, `no row ${what}: ${rows.map((x) => x.what).join(', ')}`);
        return r;
      };
      assert.deepEqual(row('Node 0 DMA32 managed'), {
        what: 'Node 0 DMA32 managed',
        v6_1: '242033',
        v6_12: '243796',
        why: why.get('image').en,
        group: 'zones',
      });
      assert.match(why.get('image').en, /kernel image is smaller/);
      const high = row('Node 0 DMA32 cpu 0 pcp high');
      assert.deepEqual(
        [high.v6_1, high.v6_12, high.why, high.group],
        ['6928', '0 (high_min 6929, high_max 15109)', why.get('pcp_high').en, 'pcp'],
      );
      const built = row('log: Built');
      assert.match(built.v6_1, /Total pages: 257760$/);
      assert.match(built.v6_12, /Total pages: 262014$/);
      assert.equal(built.group, 'log');
      assert.equal(built.why, why.get('total_pages').en);
      // What one kernel does not print is a dash (named for screen readers).
      assert.equal(row('Node 0 DMA32 promo').v6_1, '');
      assert.equal(
        await page.textContent('#compare-view tr[data-what="Node 0 DMA32 promo"] td[data-kernel="6.1"]'),
        '—not printed',
      );
      assert.equal(row('zoneinfo: nr_iommu_pages').group, 'proc');
      // Sections in order, each titled; the engine's order within each.
      const groups = await page.$$eval('#compare-view tbody', (bs) =>
        bs.map((b) => [b.dataset.group, b.querySelector('.kd-group').textContent]),
      );
      assert.deepEqual(groups, [
        ['zones', 'Zones: pages, watermarks, protection'],
        ['pcp', 'Per-CPU page lists'],
        ['globals', 'The whole machine'],
        ['log', 'Boot log lines'],
        ['proc', '/proc fields'],
      ]);
      // A long log line wraps inside its cell.
      const memory = await page.$eval('#compare-view tr[data-what="log: Memory:"] td[data-kernel="6.12"]', (td) => ({
        wide: td.scrollWidth - td.clientWidth,
        lines: Math.round(td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight)),
      }));
      assert.ok(memory.wide <= 1 && memory.lines >= 2, JSON.stringify(memory));

      // 中文: the reasons in Chinese, the figures as they were.
      await page.click('#lang');
      await page.locator('#tab-compare').filter({ hasText: '6.1 对比 6.12' }).waitFor();
      const zh = await compareRows(page);
      assert.equal(zh.find((x) => x.what === 'Node 0 DMA32 managed').why, why.get('image').zh);
      assert.match(why.get('image').zh, /内核映像更小/);
      assert.equal(zh.find((x) => x.what === 'log: Built').why, why.get('total_pages').zh);
      assert.deepEqual(
        zh.map((r) => [r.what, r.v6_1, r.v6_12]),
        rows.map((r) => [r.what, r.v6_1, r.v6_12]),
      );
      assert.match(
        await page.textContent('#compare-summary'),
        /^ram=1G cpus=2：Linux 6\.1 与 Linux 6\.12 之间有 34 项数值不同。$/,
      );
      await blur(page);
      await page.screenshot({ path: path.join(artifacts, 'kernels-compare-1280x860-zh.png') });
      await page.click('#lang');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }

    // A 1024×768 projector and a phone, each language: the layout audit on the compare view.
    const found = [];
    for (const [w, h, lang] of [
      [1024, 768, 'en'],
      [1024, 768, 'zh'],
      [390, 844, 'en'],
      [390, 844, 'zh'],
    ]) {
      const p = await open(w, h, `#machine=${encodeURIComponent(`${SPEC} kernel=6.12`)}&lang=${lang}`);
      try {
        await waitMachine(p.page, `${SPEC} kernel=6.12`, '6.12');
        found.push(...(await audit(p.page, w, `${w}x${h} ${lang} zones`)));
        await p.page.click('#tab-compare');
        await p.page.locator('#compare-view tr.kd-row').first().waitFor({ timeout: OP_TIMEOUT });
        found.push(...(await audit(p.page, w, `${w}x${h} ${lang} compare`)));
        if (w < 500) await p.page.locator('#panel-compare').scrollIntoViewIfNeeded();
        await p.page.screenshot({ path: path.join(artifacts, `kernels-compare-${w}x${h}-${lang}.png`) });
        assert.deepEqual(p.problems, []);
      } finally {
        await p.context.close();
      }
    }
    assert.deepEqual(found, [], `${found.length} layout problems`);
  },
);

test(
  'a pasted 6.12 dmesg: the log decides; compare asks for a shorthand; a bad one is named in the error line',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open(1280, 860);
    try {
      await waitMachine(page, SPEC, '6.1');
      const dmesg = readFileSync(path.join(root, '../shared/reference/linux-6.12/m1g-smp2/dmesg.txt'), 'utf8');
      await page.click('#tab-dmesg');
      await page.fill('#dmesg-text', dmesg);
      await page.click('#dmesg-boot');
      await waitMachine(page, 'pasted dmesg', '6.12.117+deb12-amd64 (6.12 profile)');
      const s = await switchState(page);
      assert.deepEqual(s.pressed, ['6.12']);
      assert.equal(s.disabled, true);
      assert.match(s.title, /the log decides/);
      assert.match(await page.getAttribute('#kernel-switch', 'title'), /6\.12\.117\+deb12-amd64.*6\.12 profile/);

      // Compare: a clear message, not a dead button.
      await page.click('#tab-compare');
      await page.locator('#compare-summary').filter({ hasText: 'needs a machine description' }).waitFor();
      assert.equal(await page.getAttribute('#compare-summary', 'data-tone'), 'error');
      assert.equal(await page.locator('#compare-view tr').count(), 0);
      assert.equal(await page.isEnabled('#compare-run'), true);

      // A shorthand typed in the box is compared (the dmesg machine keeps running).
      await page.fill('#spec', 'ram=256M cpus=1');
      await page.click('#compare-run');
      await page
        .locator('#compare-summary')
        .filter({ hasText: /^ram=256M cpus=1: \d+ figures differ/ })
        .waitFor({
          timeout: OP_TIMEOUT,
        });
      assert.ok((await page.locator('#compare-view tr.kd-row').count()) > 10);
      assert.match(await page.textContent('#summary'), /^pasted dmesg · /);

      // One the engine refuses: the error line names it, with the engine's words.
      await page.fill('#spec', 'ram=1Q cpus=1');
      await page.click('#compare-run');
      await page.locator('#error').waitFor({ state: 'visible', timeout: OP_TIMEOUT });
      assert.match(await page.textContent('#error-text'), /Could not compare ram=1Q cpus=1/);
      assert.match(await page.textContent('#error-detail'), /^<machine>:1:\d+: error: /);
      assert.equal(await page.getAttribute('#compare-summary', 'data-tone'), 'error');
      assert.equal(await page.locator('#compare-view tr').count(), 0);
      assert.match(await page.textContent('#summary'), /^pasted dmesg · Linux 6\.12\.117/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
