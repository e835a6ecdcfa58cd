// Layout tests: the page at the sizes classrooms use, in both languages, and
// in the dark and projector themes at each size, in Debian's Chromium.
// For every case the page boots its default machine, a task is spawned (so
// the Tasks tab has its table), and then, on each of the main tabs (the
// compare view with its table of 6.1 against 6.12):
//   - a screenshot goes to build/test-artifacts/layout-WxH-LANG[-THEME].png
//     (the Zones tab) and ...-tasks.png (the Tasks tab), for people to look at;
//   - tests/web/layout-audit.mjs checks that no control overlaps another, no
//     table or text box is clipped, tab and bar labels stay on one line,
//     text contrast meets WCAG AA, and the document is no wider than the
//     viewport; at desktop sizes the map, the player and the narration are
//     all on the first screen.
// Chinese renders as boxes where no CJK font is installed: the layout counts,
// not the glyphs (the test does not depend on fonts-noto-cjk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, servePage } from './harness.mjs';
import { auditLayout, DECORATIONS, SCROLLERS } from './layout-audit.mjs';

const BOOT_TIMEOUT = 60_000;
const OP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 240_000;

/** Sizes: a 4:3 projector, a 720p projector, full HD, a phone; 1440 and 2560 wide too. */
const CASES = [
  ...[
    [1024, 768],
    [1280, 720],
    [1920, 1080],
    [390, 844],
  ].flatMap(([w, h]) => ['en', 'zh'].map((lang) => ({ w, h, lang }))),
  { w: 1440, h: 900, lang: 'en' },
  { w: 2560, h: 1440, lang: 'zh' },
  // Dark and projector mode at each of the four sizes, the languages alternating.
  ...[
    [1024, 768, 'en'],
    [1280, 720, 'zh'],
    [1920, 1080, 'en'],
    [390, 844, 'zh'],
  ].flatMap(([w, h, lang]) => [
    { w, h, lang, theme: 'dark' },
    { w, h, lang: lang === 'en' ? 'zh' : 'en', projector: true },
  ]),
  { w: 1280, h: 720, lang: 'en', theme: 'dark', projector: true },
];

const web = servePage();

const caseName = (c) =>
  `layout-${c.w}x${c.h}-${c.lang}${c.theme ? `-${c.theme}` : ''}${c.projector ? '-projector' : ''}`;

async function open(c) {
  const context = await web.browser.newContext({ viewport: { width: c.w, height: c.h } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  const hash = new URLSearchParams({ lang: c.lang });
  if (c.theme) hash.set('theme', c.theme);
  if (c.projector) hash.set('projector', '1');
  await page.goto(`${web.baseUrl}#${hash}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: BOOT_TIMEOUT });
  return { context, page, problems };
}

/** Two animation frames: whatever a change asked to draw is drawn. */
const settle = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function audit(page, c, where) {
  await settle(page);
  const found = await page.evaluate(auditLayout, {
    scrollers: SCROLLERS,
    decorations: DECORATIONS,
    fold: c.w >= 1000 && where === 'zones',
  });
  return found.map((p) => `${where}: ${p}`);
}

async function command(page, text) {
  await page.fill('#cmd', text);
  await page.$eval('#cmd-message', (m) => (m.dataset.tone = 'pending'));
  await page.press('#cmd', 'Enter');
  await page.waitForFunction(
    () => {
      const msg = document.getElementById('cmd-message');
      return !msg.hidden && msg.dataset.tone !== 'pending' && msg.dataset.tone !== '';
    },
    null,
    { timeout: OP_TIMEOUT },
  );
  assert.equal(await page.getAttribute('#cmd-message', 'data-tone'), 'ok', await page.textContent('#cmd-message'));
}

// MM_LAYOUT_CASES=1024x768-en,390x844-zh runs only those (names without "layout-").
const only = process.env.MM_LAYOUT_CASES?.split(',').map((n) => `layout-${n}`);
for (const c of CASES.filter((k) => !only || only.includes(caseName(k)))) {
  test(
    `layout at ${c.w}×${c.h} in ${c.lang}${c.theme ? `, ${c.theme}` : ''}${c.projector ? ', projector' : ''}`,
    {
      timeout: TEST_TIMEOUT,
    },
    async () => {
      const { context, page, problems } = await open(c);
      try {
        const found = [];
        await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
        await page.mouse.move(0, 0);
        await settle(page);
        await page.screenshot({ path: path.join(artifacts, `${caseName(c)}.png`) });
        found.push(...(await audit(page, c, 'zones')));

        await command(page, 'spawn A anon=16M adj=300');
        await command(page, 'spawn B anon=8M');
        for (const tab of ['tasks', 'slab', 'log', 'proc', 'compare', 'scenario', 'oom', 'dmesg']) {
          await page.click(`#tab-${tab}`);
          await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
          if (tab === 'compare') await page.locator('#compare-view tr.kd-row').first().waitFor({ timeout: OP_TIMEOUT });
          if (tab === 'tasks') {
            await page.locator('#tasks-view .sv-task-name').first().waitFor({ timeout: OP_TIMEOUT });
            await settle(page);
            await page.screenshot({ path: path.join(artifacts, `${caseName(c)}-tasks.png`) });
          }
          found.push(...(await audit(page, c, tab)));
        }
        assert.deepEqual(found, [], `${caseName(c)}: ${found.length} layout problems`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    },
  );
}
