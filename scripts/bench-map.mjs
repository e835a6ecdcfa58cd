// The frame map on a large machine, in headless Chromium (Debian's, via
// playwright-core). Prints figures; it asserts nothing (the targets are in
// docs/performance.md):
//   - boot: from submitting `ram=2T cpus=384 nodes=2` in the Machine box of a
//     page already open (as a user does) to the first animation frame after
//     the map shows it (the engine's boot, the page's refresh, the map's
//     bitmap of 2^22 cells); median of RUNS boots;
//   - redraw while the user zooms and pans, FRAMES animation frames each, one
//     wheel event per frame (Ctrl+wheel zoom about the machine's middle;
//     Shift+wheel pan, 40 CSS px a frame): zooming in from fit to frames of
//     tens of px (the detail window fetched on the way), panning with cells
//     of ~6 CSS px (no detail), and panning over the detail window at 200 CSS
//     px a frame (a fling: windows fetched again as the view leaves them).
//
//   node scripts/bench-map.mjs [RUNS=3] [FRAMES=60]   (build the page first: npm run build:web)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { startServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = process.env.MM_WEB_OUT || path.join(root, 'build/web');
const runs = Number(process.argv[2] || 3);
const FRAMES = Number(process.argv[3] || 60);
const SPEC = 'ram=2T cpus=384 nodes=2';
const FRAMES_2T = 2 ** 28 + 2 ** 29 - 3 * 2 ** 18; // max_pfn: qemu puts the RAM above 3 GiB at 1 TiB
if (!existsSync(path.join(webRoot, 'index.html'))) {
  console.error(`bench-map: ${webRoot}/index.html is missing: run node scripts/build-web.mjs`);
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** In the page: boots `spec` through the Machine box; ms to the first frame drawn after the map shows it. */
async function bootThroughBox({ spec, frames }) {
  const map = document.getElementById('map');
  const input = document.getElementById('spec');
  const form = document.getElementById('spec-form');
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const t0 = performance.now();
  input.value = spec;
  form.requestSubmit();
  while (map.frameMapView().frames < frames) {
    await nextFrame();
    if (performance.now() - t0 > 120_000) throw new Error(`no ${spec} after 120 s`);
  }
  await nextFrame();
  return performance.now() - t0;
}

/** In the page: `frames` animation frames, one wheel event on the map each; fps and the longest frame. */
async function wheelFrames({ frames, kind, step = 40 }) {
  const map = document.getElementById('map');
  const box = map.getBoundingClientRect();
  const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
  if (kind === 'zoom') {
    // About the machine's middle (at fit the map may not fill the box).
    const v = map.frameMapView();
    at.clientX = box.left + v.x0 + (v.rowFrames * v.cell) / 2;
    at.clientY = box.top + v.y0 + (v.rows * v.cell) / 2;
  }
  map.focus();
  const wheel = kind === 'zoom' ? { deltaY: -70, ctrlKey: true } : { deltaY: step, shiftKey: true }; // x1.15 a frame; `step` px down
  const times = [];
  const start = map.frameMapView();
  await new Promise((resolve) => {
    const tick = (now) => {
      times.push(now);
      if (times.length > frames) return resolve();
      map.dispatchEvent(new WheelEvent('wheel', { bubbles: true, cancelable: true, ...at, ...wheel }));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
  const v = map.frameMapView();
  return {
    fps: ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]),
    longest,
    cell: v.cell,
    detail: v.detail.shown,
    fetches: v.detail.fetches - start.detail.fetches,
    moved: Math.abs(v.y0 - start.y0),
  };
}

/** In the page: back to fit, then zoomed in by `factor` at the middle. */
async function zoomTo(factor) {
  const map = document.getElementById('map');
  document.getElementById('zoom-reset').click();
  // About the machine's middle: node 0's last rows and node 1's first below them.
  const box = map.getBoundingClientRect();
  const v = map.frameMapView();
  const at = { clientX: box.left + v.x0 + (v.rowFrames * v.cell) / 2, clientY: box.top + v.y0 + (v.rows * v.cell) / 2 };
  // Ctrl+wheel zooms by at most 2 a step.
  for (let left = factor; left > 1.0001; left /= Math.min(2, left)) {
    const f = Math.min(2, left);
    map.dispatchEvent(
      new WheelEvent('wheel', { bubbles: true, cancelable: true, ctrlKey: true, deltaY: -Math.log(f) / 0.002, ...at }),
    );
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return map.frameMapView().cell;
}

const { server, url } = await startServer({ root: webRoot, port: 0 });
const browser = await launchChromium();
try {
  const boots = [];
  let page = null;
  for (let i = 0; i < runs; i++) {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${url}#lang=en`);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
    boots.push(await page.evaluate(bootThroughBox, { spec: SPEC, frames: FRAMES_2T }));
  }
  console.log(
    `boot ${SPEC} through the Machine box, to the map drawn: median ${median(boots).toFixed(0)} ms, ` +
      `min ${Math.min(...boots).toFixed(0)}, max ${Math.max(...boots).toFixed(0)} over ${runs} (target <= 3000 ms)`,
  );
  const v = await page.evaluate(() => document.getElementById('map').frameMapView());
  console.log(
    `the map: ${v.frames} frames in ${v.cells} cells of 2^${v.shift}, ${v.rowFrames} cells a row, ${v.rows} rows, ` +
      `a cell ${v.cell.toFixed(3)} CSS px at fit`,
  );
  const report = (label, r) =>
    console.log(
      `${label}: ${r.fps.toFixed(1)} fps over ${FRAMES} frames, longest ${r.longest.toFixed(1)} ms, ` +
        `cell ${r.cell.toFixed(1)} CSS px at the end, detail ${r.detail ? 'shown' : 'not shown'}, ` +
        `${r.fetches} windows fetched, moved ${r.moved.toFixed(0)} CSS px (target >= 30 fps)`,
    );
  await page.evaluate(zoomTo, 1);
  report('zoom in from fit (x1.15 a frame)', await page.evaluate(wheelFrames, { frames: FRAMES, kind: 'zoom' }));
  const coarse = await page.evaluate(zoomTo, 4 / 0.2);
  report(
    `pan over cells (${coarse.toFixed(1)} CSS px)`,
    await page.evaluate(wheelFrames, { frames: FRAMES, kind: 'pan' }),
  );
  const fine = await page.evaluate(zoomTo, 400);
  report(
    `pan over the detail window (cells ${fine.toFixed(0)} CSS px)`,
    await page.evaluate(wheelFrames, { frames: FRAMES, kind: 'pan', step: 200 }),
  );
  await page.close();
} finally {
  await browser.close();
  server.close();
}
