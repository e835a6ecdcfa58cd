// A large machine on the frame map, in Debian's Chromium: `ram=2T cpus=384
// nodes=2` (2^29 frames of RAM) booted from a link as users share them. qemu
// puts the RAM above 3 GiB at 1 TiB (past AMD's HyperTransport range), so
// the map spans 3 TiB less 3 GiB, a third of it hole. It has one cell per
// 2^8 frames (the engine's mapShift), each cell's frames in a grid of 16 x 16
// (render/mapgeom.ts cellGrid). The test checks the map shows both nodes'
// memory, that hovering names a pfn of the place under the pointer (node 0
// from 1 TiB, node 1 from 2 TiB - 3 GiB), and that zoomed in the cells in view are
// fetched frame by frame (the detail window) and hovering names the frame
// itself. Screenshots: build/test-artifacts/large-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, newPage, servePage } from './harness.mjs';

const SPEC = 'ram=2T cpus=384 nodes=2';
const RAM_FRAMES = 2 ** 29;
const LOW_FRAMES = 3 * 2 ** 18; // below the PCI hole: [0, 3 GiB)
const AT_1T = 2 ** 28; // the pfn of 1 TiB, where the rest of the RAM starts
const MAX_PFN = AT_1T + RAM_FRAMES - LOW_FRAMES;
const NODE1 = AT_1T + RAM_FRAMES / 2 - LOW_FRAMES; // node 1's first pfn (2 TiB - 3 GiB)
// 804,519,936 frames are more than 2^22 cells of 2^7: cells of 2^8 frames,
// 16 x 16 of them.
const SHIFT = 8;
const ACROSS = 2 ** Math.ceil(SHIFT / 2);
const DOWN = 2 ** Math.floor(SHIFT / 2);
const PER = 2 ** SHIFT;

const web = servePage();

const frames = (page, n = 2) =>
  page.evaluate(
    (k) =>
      new Promise((resolve) => {
        const step = (i) => (i === 0 ? resolve() : requestAnimationFrame(() => step(i - 1)));
        step(k);
      }),
    n,
  );

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

/** Vertical CSS px per view unit (the bitmap may be stretched a little: map.test.mjs pointOf). */
const ky = (v) => (v.height / v.devH) * (v.devW / v.width);

/** Client point of the middle of frame `pfn` (cells of 2^SHIFT frames in their grid). */
function pointOf(v, pfn) {
  const cell = Math.floor(pfn / 2 ** SHIFT);
  const within = pfn % 2 ** SHIFT;
  const col = (cell % v.rowFrames) + ((within % ACROSS) + 0.5) / ACROSS;
  const row = Math.floor(cell / v.rowFrames) + (Math.floor(within / ACROSS) + 0.5) / DOWN;
  return { x: v.left + v.x0 + col * v.cell, y: v.top + (v.y0 + row * v.cell) * ky(v) };
}

/** The pfn the hover tooltip names at a client point, and its text. */
async function tipAt(page, x, y) {
  await page.mouse.move(x, y);
  await frames(page);
  if (await page.isHidden('#map-tip')) return { pfn: null, text: '' };
  const text = await page.textContent('#map-tip');
  const m = /pfn (\d+)/.exec(text);
  return { pfn: m ? Number(m[1]) : null, text };
}

test(
  'ram=2T cpus=384 nodes=2: the map shows both nodes; hover names their pfns; zoomed in it shows real frames',
  { timeout: 300_000 },
  async () => {
    const { context, page, problems } = await newPage(web, 1280, 800);
    try {
      await page.goto(`${web.baseUrl}#machine=${encodeURIComponent(SPEC)}&lang=en`);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 180_000 });
      await page.waitForFunction((m) => document.getElementById('p-position')?.textContent.includes(m), SPEC, {
        timeout: 180_000,
      });
      await frames(page);
      let v = await view(page);
      const FRAMES = v.frames;
      assert.equal(FRAMES, MAX_PFN, `${FRAMES} frames`);
      assert.equal(v.shift, SHIFT);
      assert.equal(v.cells, Math.ceil(FRAMES / 2 ** SHIFT));
      assert.equal(v.detail.shown, false, 'at fit the map shows cells');

      // Both nodes' memory is on the map: as many cells that are memory, not
      // hole, as the RAM fills (the 4G-1T hole is a third of the cells).
      const states = await page.$eval('#map', (c) => c.frameMapStates());
      let memory = 0;
      for (const [byte, n] of Object.entries(states.counts)) if ((Number(byte) & 15) !== 0) memory += n;
      const ramCells = RAM_FRAMES / PER;
      assert.ok(memory > 0.99 * ramCells && memory < 1.01 * ramCells, `memory cells ${memory} of ${v.cells}`);
      await page.screenshot({ path: path.join(artifacts, 'large-2t-fit.png') });

      // At fit, hovering names the first frame of the cell under the pointer.
      for (const [pfn, node] of [
        [AT_1T + 12345 * PER, 0],
        [NODE1 + (MAX_PFN - NODE1) / 2 + 777 * PER, 1],
        [FRAMES - (FRAMES % PER) - PER * 9, 1],
      ]) {
        const p = pointOf(v, pfn);
        const tip = await tipAt(page, p.x, p.y);
        assert.equal(tip.pfn, pfn, `hover at the cell of pfn ${pfn}: ${tip.text}`);
        assert.match(tip.text, new RegExp(`Node ${node} `), tip.text);
      }

      // Zoom in on node 1 (the wheel on the focused map, at the pointer) until
      // a cell's frames are tens of px: the cells in view come frame by frame.
      // (a cell in the middle column: zoomed in to the limit, the view
      // stops at the map's edges and would not keep an edge cell in view)
      const target = NODE1 + (MAX_PFN - NODE1) / 4 + 37;
      await page.focus('#map');
      for (let i = 0; i < 12; i++) {
        const p = pointOf(await view(page), target);
        await page.mouse.move(p.x, p.y);
        await page.mouse.wheel(0, -350);
        await frames(page, 1);
      }
      await frames(page);
      v = await view(page);
      assert.ok(v.cell / ACROSS >= 8, `a frame is ${v.cell / ACROSS} CSS px`);
      assert.equal(v.detail.shown, true, 'the detail window is drawn');
      assert.ok(v.detail.frames > 0 && v.detail.fetches > 0, JSON.stringify(v.detail));
      // Hovering names the very frame under the pointer, on node 1.
      for (const pfn of [target, target + 1, target + ACROSS, target - 2 * ACROSS + 3]) {
        const p = pointOf(v, pfn);
        const tip = await tipAt(page, p.x, p.y);
        assert.equal(tip.pfn, pfn, `hover at frame ${pfn}: ${tip.text}`);
        assert.ok(tip.pfn >= NODE1 && tip.pfn < FRAMES);
        assert.match(tip.text, /Node 1 /, tip.text);
      }
      await page.mouse.move(5, 5);
      await page.screenshot({ path: path.join(artifacts, 'large-2t-detail.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
