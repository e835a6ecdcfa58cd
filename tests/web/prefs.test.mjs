// View preferences in Debian's Chromium: the theme (auto, light, dark), the
// projector mode and the map's follow toggle, each with a button or box, a
// key (t, b, c) listed in the ? help, remembered in localStorage and
// settable for one visit by the URL; the frame map's canvas redraws in the
// theme's colours; the keyboard focus ring is visible in every theme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servePage } from './harness.mjs';

const BOOT_TIMEOUT = 60_000;
const TEST_TIMEOUT = 120_000;

const web = servePage();

async function open(hash = '', { colorScheme = 'light', context } = {}) {
  const ctx = context ?? (await web.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme }));
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
  await page.goto(`${web.baseUrl}${hash}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: BOOT_TIMEOUT });
  return { context: ctx, page, problems };
}

const frame = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** What the page shows of the theme: <html>'s attributes, the page and map backgrounds. */
const look = (page) =>
  page.evaluate(() => ({
    theme: document.documentElement.dataset.theme ?? 'auto',
    projector: 'projector' in document.documentElement.dataset,
    scheme: getComputedStyle(document.documentElement).colorScheme,
    bg: getComputedStyle(document.body).backgroundColor,
    map: getComputedStyle(document.querySelector('.map-wrap')).backgroundColor,
    rootFont: getComputedStyle(document.documentElement).fontSize,
    follow: document.getElementById('ov-follow').checked,
    stored: {
      theme: localStorage.getItem('mm-playground.theme'),
      projector: localStorage.getItem('mm-playground.projector'),
      follow: localStorage.getItem('mm-playground.follow'),
    },
  }));

/** A fingerprint of the frame map's pixels. */
const canvasHash = (page) =>
  page.evaluate(() => {
    // A copy, read once: reading the map's own canvas again and again makes Chromium warn.
    const map = document.getElementById('map');
    const c = document.createElement('canvas');
    c.width = map.width;
    c.height = map.height;
    const cx = c.getContext('2d');
    cx.drawImage(map, 0, 0);
    const d = cx.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ d[i], 16777619);
    return h >>> 0;
  });

const blur = (page) =>
  page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());

test(
  'theme: the button cycles auto, light, dark; the canvas redraws; the choice is remembered',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open('', { colorScheme: 'dark' });
    try {
      let l = await look(page);
      assert.equal(l.theme, 'auto');
      assert.equal(l.scheme, 'light dark');
      const darkBg = l.bg; // auto follows the system, which is dark here
      assert.notEqual(darkBg, 'rgb(246, 247, 249)', 'auto with a dark system is dark');
      await frame(page);
      const autoDark = await canvasHash(page);

      await page.click('#theme-button');
      l = await look(page);
      assert.equal(l.theme, 'light');
      assert.equal(l.bg, 'rgb(246, 247, 249)');
      assert.equal(l.stored.theme, 'light');
      assert.match(await page.getAttribute('#theme-button', 'aria-label'), /light/);
      await frame(page);
      const light = await canvasHash(page);
      assert.notEqual(light, autoDark, 'the map redrew in the light colours');

      await page.click('#theme-button');
      l = await look(page);
      assert.equal(l.theme, 'dark');
      assert.equal(l.bg, darkBg);
      await frame(page);
      assert.equal(await canvasHash(page), autoDark, 'dark is what auto showed on a dark system');

      // Remembered: a new page of the same browser opens dark, even on a light system.
      await page.emulateMedia({ colorScheme: 'light' });
      const again = await open('', { context });
      assert.equal((await look(again.page)).theme, 'dark');
      assert.equal((await look(again.page)).bg, darkBg);
      await again.page.close();
      // Back to auto: follows the (now light) system.
      await page.click('#theme-button');
      l = await look(page);
      assert.equal(l.theme, 'auto');
      assert.equal(l.bg, 'rgb(246, 247, 249)');
      await frame(page);
      assert.equal(await canvasHash(page), light, 'auto on a light system is light');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'keys t, b and c toggle theme, projector and follow; ? lists them; the URL overrides for one visit',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open();
    try {
      await blur(page);
      const before = await look(page);
      assert.equal(before.projector, false);
      assert.equal(before.follow, true);
      await frame(page);
      const plain = await canvasHash(page);

      await page.keyboard.press('b');
      let l = await look(page);
      assert.equal(l.projector, true);
      assert.equal(l.stored.projector, 'true');
      assert.ok(
        parseFloat(l.rootFont) > parseFloat(before.rootFont),
        `projector type ${l.rootFont} > ${before.rootFont}`,
      );
      assert.equal(await page.getAttribute('#projector-button', 'aria-pressed'), 'true');
      await frame(page);
      await frame(page);
      assert.notEqual(await canvasHash(page), plain, 'the map redrew in projector mode');

      await page.keyboard.press('t');
      assert.equal((await look(page)).theme, 'light');
      await page.keyboard.press('c');
      l = await look(page);
      assert.equal(l.follow, false);
      assert.equal(l.stored.follow, 'false');
      // Keys typed into a text box are text.
      await page.focus('#cmd');
      await page.keyboard.type('tbc');
      assert.equal(await page.inputValue('#cmd'), 'tbc');
      assert.deepEqual(await look(page).then((x) => [x.theme, x.projector, x.follow]), ['light', true, false]);
      await page.fill('#cmd', '');
      await blur(page);

      // The help lists the new keys.
      await page.keyboard.press('?');
      await page.locator('#help').waitFor({ state: 'visible', timeout: 5_000 });
      const keys = await page.$$eval('#help dt', (dts) => dts.map((d) => d.textContent.trim()));
      for (const k of ['t', 'b', 'c']) assert.ok(keys.includes(k), `help lists ${k}: ${keys}`);
      const help = await page.textContent('#help');
      assert.match(help, /Projector mode/);
      assert.match(help, /Theme/);
      await page.keyboard.press('Escape');

      // The toggles are controls: Tab reaches them.
      await page.focus('#lang');
      const visited = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Shift+Tab');
        visited.push(await page.evaluate(() => document.activeElement?.id));
      }
      assert.ok(visited.includes('theme-button') && visited.includes('projector-button'), visited.join(' '));
      await page.focus('#ov-follow');
      await page.keyboard.press('Space');
      assert.equal((await look(page)).follow, true);

      // The URL sets them for one visit and does not change what is remembered.
      const visit = await open('#theme=dark&projector=0&follow=0', { context });
      l = await look(visit.page);
      assert.deepEqual([l.theme, l.projector, l.follow], ['dark', false, false]);
      assert.deepEqual(l.stored, { theme: 'light', projector: 'true', follow: 'true' });
      await visit.page.close();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'the keyboard focus ring is visible in the light, dark and projector themes',
  { timeout: TEST_TIMEOUT },
  async () => {
    for (const hash of ['#theme=light', '#theme=dark', '#theme=light&projector=1', '#theme=dark&projector=1']) {
      const { context, page } = await open(hash);
      try {
        for (const sel of ['#theme-button', '#zoom-in', '#map', '#tab-zones', '#p-back', '#alloc-gfp', '#cmd-run']) {
          await page.focus(sel);
          // Focus by script counts as keyboard focus only after a key press.
          await page.keyboard.press('Shift');
          const ring = await page.$eval(sel, (el) => {
            const cs = getComputedStyle(el);
            const parse = (c) =>
              /rgba?\(([^)]+)\)/
                .exec(c)?.[1]
                .split(/[\s,/]+/)
                .map(Number) ?? [0, 0, 0, 0];
            // The ring is drawn outside (or, on the map, inside) the element: against what is behind it.
            let bg = [255, 255, 255];
            for (let a = el.tagName === 'CANVAS' ? el : el.parentElement; a; a = a.parentElement) {
              const c = parse(getComputedStyle(a).backgroundColor);
              if (c.length > 3 ? c[3] > 0.5 : true) {
                bg = c.slice(0, 3);
                break;
              }
            }
            return {
              width: parseFloat(cs.outlineWidth),
              style: cs.outlineStyle,
              color: parse(cs.outlineColor).slice(0, 3),
              bg,
            };
          });
          const lum = (c) =>
            c
              .map((v) => v / 255)
              .map((s) => (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4))
              .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
          const [hi, lo] = [lum(ring.color), lum(ring.bg)].sort((a, b) => b - a);
          const contrast = (hi + 0.05) / (lo + 0.05);
          assert.ok(ring.width >= 2 && ring.style !== 'none', `${hash} ${sel}: no focus ring ${JSON.stringify(ring)}`);
          assert.ok(
            contrast >= 3,
            `${hash} ${sel}: focus ring contrast ${contrast.toFixed(2)} ${JSON.stringify(ring)}`,
          );
        }
      } finally {
        await context.close();
      }
    }
  },
);

test(
  '<mm-playground theme projector follow>: the embed takes them, and again when they change',
  { timeout: TEST_TIMEOUT },
  async () => {
    const context = await web.browser.newContext({ viewport: { width: 1100, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
    try {
      // A course page on the playground's own origin (served by the test).
      await page.route('**/course.html', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="js/element.js"></script></head><body>
<mm-playground id="el" machine="ram=128M cpus=1" theme="dark" projector="1" follow="0" style="width:1000px"></mm-playground>
</body></html>`,
        }),
      );
      await page.goto(`${web.baseUrl}course.html`);
      const iframe = () => page.locator('#el').locator('iframe');
      await page.waitForFunction(() =>
        document.getElementById('el')?.shadowRoot?.querySelector('iframe')?.src.includes('embed.html'),
      );
      const frame = await (await iframe().elementHandle()).contentFrame();
      await frame.waitForSelector('html[data-ready="true"]', { timeout: BOOT_TIMEOUT });
      const state = () =>
        frame.evaluate(() => ({
          theme: document.documentElement.dataset.theme ?? 'auto',
          projector: 'projector' in document.documentElement.dataset,
          follow: document.getElementById('ov-follow').checked,
          stored: localStorage.getItem('mm-playground.theme'),
        }));
      assert.deepEqual(await state(), { theme: 'dark', projector: true, follow: false, stored: null });
      const src = new URL(await iframe().getAttribute('src'));
      assert.equal(new URLSearchParams(src.hash.slice(1)).get('machine'), 'ram=128M cpus=1', src.hash);

      // Changed after load: the embed restyles in place (no reload: the fragment changed).
      await frame.evaluate(() => (window.sameDocument = true));
      await page.evaluate(() => {
        const el = document.getElementById('el');
        el.setAttribute('theme', 'light');
        el.setAttribute('projector', '0');
      });
      await frame.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      assert.deepEqual(await state(), { theme: 'light', projector: false, follow: false, stored: null });
      assert.equal(await frame.evaluate(() => window.sameDocument), true, 'the embed did not reload');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
