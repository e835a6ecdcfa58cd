// The frame map as a teaching tool, in Debian's Chromium: fit shows the
// whole machine (4 GiB included); a small machine's frames, when the view
// follows the narrated event, are big enough to read their pfns; the view
// follows the event (and stays put with follow off: box, key c); wheel zoom
// keeps the point under the pointer where it is.
//
// The page's map exposes what its view shows as
// document.getElementById('map').frameMapView() (controller/map.ts: frames
// per row, a frame's size in CSS px, where frame 0 is, whether pfns are
// written); the tests check it against what the hover tooltip says is under
// the pointer, which is how a user sees the map. Screenshots go to
// build/test-artifacts/map-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, servePage } from './harness.mjs';

const BOOT_TIMEOUT = 90_000;
const TEST_TIMEOUT = 180_000;

/** A frame at least this big (CSS px) when the view follows an event on a
 *  128 MiB machine: its pfns have 5 digits, 27 px in the map's 9 px
 *  monospace font plus 3 px of padding each side; from 12 px the order
 *  digits are written in free blocks and from 6 px every block is outlined,
 *  so at 32 px all of a frame's marks are readable (the map writes pfns
 *  once they fit: `pfns` is asserted too). */
const READ_PX = 32;

const web = servePage();

async function open(machine, { width = 1280, height = 720, hash = '' } = {}) {
  const context = await web.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message ?? e}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  await page.goto(`${web.baseUrl}#machine=${encodeURIComponent(machine)}&lang=en${hash}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: BOOT_TIMEOUT });
  await page.waitForFunction((m) => document.getElementById('p-position')?.textContent.includes(m), machine, {
    timeout: BOOT_TIMEOUT,
  });
  await frames(page);
  return { context, page, problems };
}

const frames = (page, n = 2) =>
  page.evaluate(
    (k) =>
      new Promise((resolve) => {
        const step = (i) => (i === 0 ? resolve() : requestAnimationFrame(() => step(i - 1)));
        step(k);
      }),
    n,
  );

/** What the map's view shows, plus the canvas's client box. */
const view = (page) =>
  page.evaluate(() => {
    const c = document.getElementById('map');
    const r = c.getBoundingClientRect();
    return {
      ...c.frameMapView(),
      left: r.left,
      top: r.top,
      width: r.width,
      height: r.height,
      devW: c.width,
      devH: c.height,
    };
  });

/** Waits until the camera has landed; resolves to the view. */
async function landed(page) {
  await page.waitForFunction(() => !document.getElementById('map').frameMapView().flying, null, { timeout: 10_000 });
  await frames(page);
  return view(page);
}

/** Client point of the middle of frame `pfn` (or of fractional cell col, row). */
// The view's figures are CSS pixels at the width's device ratio; a box of a
// fractional CSS height holds a whole number of device rows, so the bitmap
// is stretched a little vertically (463 device px in 462.19 CSS px): at the
// bottom of a tall map that is a row or more of 0.3 px frames.
const pointOf = (v, pfn) => {
  const ky = (v.height / v.devH) * (v.devW / v.width);
  return {
    x: v.left + v.x0 + ((pfn % v.rowFrames) + 0.5) * v.cell,
    y: v.top + (v.y0 + (Math.floor(pfn / v.rowFrames) + 0.5) * v.cell) * ky,
  };
};

/** The pfn the hover tooltip names at a client point (null: no tooltip). */
async function tipPfn(page, x, y) {
  await page.mouse.move(x, y);
  await frames(page);
  if (await page.isHidden('#map-tip')) return null;
  const m = /pfn (\d+)/.exec(await page.textContent('#map-tip'));
  return m ? Number(m[1]) : null;
}

async function summaryFrames(page) {
  const m = /· ([\d,]+) page frames/.exec(await page.textContent('#summary'));
  assert.ok(m, await page.textContent('#summary'));
  return Number(m[1].replace(/,/g, ''));
}

/** The pfn the narration names ("... pfn 18501 ..."), or null. */
async function narratedPfn(page) {
  const m = /\bpfn (\d+)/.exec(await page.textContent('#narration'));
  return m ? Number(m[1]) : null;
}

/** Steps forward until the narration names a pfn; resolves to it. */
async function stepToPfn(page, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.click('#p-forward');
    await frames(page);
    const pfn = await narratedPfn(page);
    if (pfn !== null) return pfn;
  }
  assert.fail(`no event naming a pfn in ${limit} steps`);
}

const blur = (page) =>
  page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());

for (const [width, height] of [
  [1280, 720],
  [1024, 768],
  [390, 844],
]) {
  test(`fit at ${width}×${height}: the whole 4 GiB machine is in view`, { timeout: TEST_TIMEOUT }, async () => {
    const { context, page, problems } = await open('ram=4G cpus=2', { width, height });
    try {
      const check = async (when) => {
        const v = await view(page);
        const n = await summaryFrames(page);
        assert.equal(v.frames, n, `${when}: the map has every frame`);
        const right = v.x0 + v.rowFrames * v.cell;
        const bottom = v.y0 + v.rows * v.cell;
        assert.ok(
          v.x0 >= -0.5 && v.y0 >= -0.5 && right <= v.width + 0.5 && bottom <= v.height + 0.5,
          `${when}: the machine (${v.x0},${v.y0})-(${right},${bottom}) is not inside the map ${v.width}x${v.height}`,
        );
        // What the tooltip says agrees: the first frames at the top left, the
        // last ones at the bottom right (within a few rows: a row is a
        // fraction of a pixel high).
        const slack = 8 * v.rowFrames;
        const first = await tipPfn(page, v.left + v.x0 + 0.5, v.top + v.y0 + 0.5);
        const lastAt = pointOf(v, n - 1);
        const last = await tipPfn(
          page,
          Math.min(lastAt.x, v.left + v.width - 1),
          Math.min(lastAt.y, v.top + v.height - 1),
        );
        assert.ok(first !== null && first < slack, `${when}: top left shows pfn ${first}`);
        assert.ok(last !== null && last >= n - 1 - slack, `${when}: bottom right shows pfn ${last} of ${n}`);
      };
      await check('after boot');
      await page.screenshot({ path: path.join(artifacts, `map-4g-fit-${width}x${height}.png`) });
      await page.click('#zoom-in');
      await page.click('#zoom-in');
      assert.ok((await view(page)).zoom > 1);
      await page.click('#zoom-reset');
      await frames(page);
      await check('after zooming in and back to fit');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test(
  '128 MiB: fit is not a strip; following the narrated event shows its frames readable, with pfns',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open('ram=128M cpus=1');
    try {
      const fit = await view(page);
      assert.ok(fit.zoom === 1 && fit.cell >= 1.5, `at fit a frame is ${fit.cell} px (fit-to-width gave < 1)`);
      assert.ok(fit.y0 + fit.rows * fit.cell <= fit.height + 0.5, 'the whole machine is in view');

      await page.click('#alloc-submit');
      await page.waitForFunction(() => document.getElementById('p-position').textContent.includes('Operation 2/2'));
      await page.click('#p-opstart');
      const pfn = await stepToPfn(page);
      const v = await landed(page);
      assert.ok(v.cell >= READ_PX, `following pfn ${pfn}: a frame is ${v.cell} px, want >= ${READ_PX}`);
      assert.equal(v.pfns, true, 'pfns are written in the frames');
      const p = pointOf(v, pfn);
      assert.ok(
        p.x > v.left + 0.1 * v.width && p.x < v.left + 0.9 * v.width,
        `pfn ${pfn} at x ${p.x} is not well inside the map`,
      );
      assert.ok(p.y > v.top + 0.1 * v.height && p.y < v.top + 0.9 * v.height, `pfn ${pfn} at y ${p.y}`);
      assert.equal(await tipPfn(page, p.x, p.y), pfn, 'the tooltip agrees');
      await page.mouse.move(0, 0);
      await frames(page);
      await page.locator('.map-wrap').screenshot({ path: path.join(artifacts, 'map-128m-follow.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'follow moves the view to the narrated pfn; off (box or key c) it stays; on again it goes there',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open('ram=1G cpus=2', { width: 1920, height: 1080 });
    try {
      assert.equal(await page.isChecked('#ov-follow'), true, 'follow is on by default');
      await page.click('#alloc-submit');
      await page.waitForFunction(() => document.getElementById('p-position').textContent.includes('Operation 2/2'));
      await page.click('#p-opstart');
      const first = await stepToPfn(page);
      let v = await landed(page);
      let p = pointOf(v, first);
      assert.equal(await tipPfn(page, p.x, p.y), first, `the view went to pfn ${first}`);
      assert.ok(v.cell >= READ_PX, `${v.cell} px a frame`);

      // Follow off (key c), back to fit: stepping on leaves the view alone.
      await page.mouse.move(0, 0);
      await blur(page);
      await page.keyboard.press('c');
      assert.equal(await page.isChecked('#ov-follow'), false);
      await page.click('#zoom-reset');
      await blur(page);
      const still = await view(page);
      assert.equal(still.zoom, 1);
      const next = await stepToPfn(page);
      await page.waitForTimeout(600); // longer than a flight
      v = await view(page);
      assert.deepEqual([v.zoom, v.x0, v.y0], [still.zoom, still.x0, still.y0], 'follow off: the view stayed');

      // On again (the box): it flies to the event being narrated.
      await page.click('#ov-follow');
      v = await landed(page);
      p = pointOf(v, next);
      assert.ok(v.cell >= READ_PX, `${v.cell} px a frame`);
      assert.equal(await tipPfn(page, p.x, p.y), next, `the view went to pfn ${next}`);

      // The choice is remembered.
      assert.equal(await page.evaluate(() => localStorage.getItem('mm-playground.follow')), 'true');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'a scrub lands with the highlight of the event it narrates, never the one shown before',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await open('ram=128M cpus=1');
    try {
      await page.selectOption('#alloc-order', '3');
      await page.click('#alloc-submit');
      await page.click('#p-opstart');
      // The highlight each step of the allocation shows when stepped to by hand.
      const stepped = [];
      for (let i = 0; i < 12; i++) {
        await page.click('#p-forward');
        await frames(page, 3);
        const v = await view(page);
        stepped.push({ g: Number(await page.inputValue('#p-scrub')), pfn: await narratedPfn(page), hl: v.highlight });
      }
      const marked = stepped.filter((s) => s.hl !== null && s.pfn !== null);
      assert.ok(marked.length >= 2, JSON.stringify(stepped));
      const [a, b] = [marked[0], marked.find((s) => s.hl.pfn !== marked[0].hl.pfn) ?? marked[marked.length - 1]];
      // Step by hand onto one (its highlight animates), then scrub to the
      // other: the map marks the other's block at once.
      const scrub = (g) =>
        page.evaluate((to) => {
          const s = document.getElementById('p-scrub');
          s.value = String(to);
          s.dispatchEvent(new Event('input'));
        }, g);
      for (const [from, to] of [
        [a, b],
        [b, a],
      ]) {
        await scrub(from.g - 1);
        await page.click('#p-forward');
        await frames(page);
        assert.equal((await view(page)).highlight?.pfn, from.hl.pfn, `stepped onto ${from.g}`);
        await scrub(to.g);
        await frames(page);
        const hl = (await view(page)).highlight;
        assert.ok(hl !== null, `scrubbed to ${to.g}: no highlight`);
        assert.deepEqual([hl.pfn, hl.order, hl.progress], [to.hl.pfn, to.hl.order, 1], `scrub ${from.g} -> ${to.g}`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test('wheel zoom keeps the point under the pointer fixed (within 1 px)', { timeout: TEST_TIMEOUT }, async () => {
  // A small machine: at fit it does not fill the map's height, the case
  // where the view used to snap back to the top.
  const { context, page, problems } = await open('ram=128M cpus=1');
  try {
    await page.focus('#map'); // plain wheel zooms the focused map (Ctrl+wheel always does)
    let v = await view(page);
    // Whole pixels: a wheel event's clientX and clientY are.
    const x = Math.round(v.left + 0.3 * v.width);
    const y = Math.round(v.top + 0.6 * Math.min(v.height, v.y0 + v.rows * v.cell));
    const col = (x - v.left - v.x0) / v.cell;
    const row = (y - v.top - v.y0) / v.cell;
    const pfn = await tipPfn(page, x, y);
    assert.ok(pfn !== null, 'a frame under the pointer');
    const seen = [];
    for (const dy of [-120, -120, -240, -120, -360, 120, 240]) {
      await page.mouse.wheel(0, dy);
      await frames(page);
      v = await view(page);
      const px = v.left + v.x0 + col * v.cell;
      const py = v.top + v.y0 + row * v.cell;
      seen.push({ dy, zoom: v.zoom.toFixed(2), dx: (px - x).toFixed(2), dy2: (py - y).toFixed(2) });
      assert.ok(Math.abs(px - x) <= 1 && Math.abs(py - y) <= 1, `moved: ${JSON.stringify(seen)}`);
      assert.equal(await tipPfn(page, x, y), pfn, `the frame under the pointer: ${JSON.stringify(seen)}`);
    }
    assert.ok(Number(seen.at(-3).zoom) > 5, `zoomed in: ${JSON.stringify(seen)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
