// The frame map's geometry (web/src/render/mapgeom.ts): row widths, fit,
// the view's limits, zoom about a point, following a block and the
// camera's flight between two views.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './support.mjs';

let g;
before(async () => {
  g = await page('render/mapgeom.js');
});

const PB = 512; // frames per pageblock on x86-64
const MIB = 256; // frames per MiB

/** The map area of a 1280x720 page (CSS px = device px here). */
const AREA = { width: 448, height: 238 };
const geometry = (frames, area = AREA, maxCellPx = 64) => {
  const cols = g.rowFramesFor(frames, area.width, area.height, PB);
  return { cols, rows: Math.ceil(frames / cols), width: area.width, height: area.height, maxCellPx };
};

/** Where cell (col, row) is in the area at view v. */
const at = (geo, v, col, row) => {
  const s = g.scaleOf(geo, v.zoom);
  return { x: (col - v.col0) * s, y: (row - v.row0) * s, s };
};

test('row widths: a power of two that shows the whole machine biggest; a pageblock unless another is 15% better', () => {
  for (const cols of [16, 32, 256, 512, 2048, 8192]) {
    assert.equal(g.rowFramesFor(cols * 64, 1e6, 1e6, PB) & (g.rowFramesFor(cols * 64, 1e6, 1e6, PB) - 1), 0);
  }
  // 128 MiB in a wide, low area: rows of 256 frames (two rows a pageblock).
  const small = geometry(128 * MIB);
  assert.equal(small.cols, 256);
  assert.ok(g.fit(small) > 1.5, `128 MiB at fit: ${g.fit(small)} px a frame (fit-to-width gave 448/512 = 0.875)`);
  // 4 GiB (with its 1 GiB PCI hole: 5 GiB of pfns): rows of 2048.
  const big = geometry(5 * 1024 * MIB);
  assert.equal(big.cols, 2048);
  // 1 GiB on a square-ish area stays one pageblock a row.
  assert.equal(g.rowFramesFor(1024 * MIB, 800, 680, PB), PB);
  // Degenerate areas and machines give a pageblock.
  assert.equal(g.rowFramesFor(0, 100, 100, PB), PB);
  assert.equal(g.rowFramesFor(1000, 0, 100, PB), PB);
  // Limits: never below 16 or above 8192 frames.
  assert.equal(g.rowFramesFor(64, 10, 10000, PB), g.MIN_ROW_FRAMES);
  assert.equal(g.rowFramesFor(64 * 1024 * MIB, 100000, 1, PB), g.MAX_ROW_FRAMES);
});

test('fit shows the whole machine, centred across, at the top', () => {
  for (const frames of [96 * MIB, 128 * MIB, 1024 * MIB, 5 * 1024 * MIB, 16 * 1024 * MIB]) {
    for (const area of [AREA, { width: 364, height: 462 }, { width: 815, height: 687 }]) {
      const geo = geometry(frames, area);
      const v = g.clampView({ zoom: 1, col0: 123, row0: 45 }, geo);
      const a = at(geo, v, 0, 0);
      const b = at(geo, v, geo.cols, geo.rows);
      const name = `${frames} frames in ${area.width}x${area.height}`;
      assert.ok(a.x >= -1e-9 && a.y === 0, `${name}: top-left ${a.x},${a.y}`);
      assert.ok(b.x <= area.width + 1e-6 && b.y <= area.height + 1e-6, `${name}: bottom-right ${b.x},${b.y}`);
      assert.ok(Math.abs(a.x - (area.width - b.x)) < 1e-6, `${name}: centred`);
      // It fills one side.
      assert.ok(b.x - a.x > area.width - 1e-6 || b.y > area.height - 1e-6, `${name}: fills a side`);
    }
  }
  // Never out further than fit, never in further than maxCellPx.
  const geo = geometry(128 * MIB);
  assert.equal(g.clampView({ zoom: 0.1, col0: 0, row0: 0 }, geo).zoom, 1);
  assert.equal(g.scaleOf(geo, g.clampView({ zoom: 1e6, col0: 0, row0: 0 }, geo).zoom), 64);
});

test('zoomed in, the centre of the view stays over the machine', () => {
  const geo = geometry(128 * MIB);
  const z = 8;
  const s = g.scaleOf(geo, z);
  const viewCols = geo.width / s;
  const viewRows = geo.height / s;
  const far = g.clampView({ zoom: z, col0: -1e6, row0: 1e6 }, geo);
  assert.equal(far.col0, -viewCols / 2);
  assert.equal(far.row0, geo.rows - viewRows / 2);
  const inside = { zoom: z, col0: 10, row0: 20 };
  assert.deepEqual(g.clampView(inside, geo), inside);
});

test('zoom about a point keeps the cell under it in place', () => {
  const geo = geometry(128 * MIB);
  let v = g.clampView({ zoom: 1, col0: 0, row0: 0 }, geo);
  const x = 0.3 * geo.width;
  const y = 0.4 * geo.height;
  const s0 = g.scaleOf(geo, v.zoom);
  const col = v.col0 + x / s0;
  const row = v.row0 + y / s0;
  // In, step by step up to the largest zoom, then out again while zoomed in.
  for (const factor of [1.25, 2, 2, 1.5, 3, 0.8, 0.5]) {
    v = g.zoomAbout(v, geo, factor, x, y);
    const p = at(geo, v, col, row);
    assert.ok(Math.abs(p.x - x) < 1e-6 && Math.abs(p.y - y) < 1e-6, `factor ${factor}: ${p.x},${p.y} vs ${x},${y}`);
  }
  // Zooming in never goes past the largest zoom; the point still stays.
  v = g.zoomAbout(v, geo, 1e9, x, y);
  assert.equal(g.scaleOf(geo, v.zoom), 64);
  const p = at(geo, v, col, row);
  assert.ok(Math.abs(p.x - x) < 1e-6 && Math.abs(p.y - y) < 1e-6);
  // Back to fit: the fitted view, whatever the point.
  assert.deepEqual(g.zoomAbout(v, geo, 1e-9, x, y), g.clampView({ zoom: 1, col0: 0, row0: 0 }, geo));
  assert.equal(g.zoomAbout(v, geo, 0, x, y), v, 'a bad factor changes nothing');
});

test('blocks: one row or several whole rows', () => {
  assert.deepEqual(g.blockCells(18503, 0, 256), { col: 18503 % 256, row: 72, cols: 1, rows: 1 });
  assert.deepEqual(g.blockCells(18503, 3, 256), { col: 18496 % 256, row: 72, cols: 8, rows: 1 });
  assert.deepEqual(g.blockCells(18503, 10, 256), { col: 0, row: 72, cols: 256, rows: 4 });
});

test('follow: an unreadable or hidden block is flown to, centred, at a readable size; a shown one stays', () => {
  const geo = geometry(128 * MIB);
  const opts = { ...g.FOLLOW, readPx: 34 };
  const fitted = g.clampView({ zoom: 1, col0: 0, row0: 0 }, geo);
  const block = g.blockCells(18501, 0, geo.cols);
  const v = g.followView(fitted, geo, block, opts);
  assert.ok(v, 'at fit a frame is too small: the view moves');
  const p = at(geo, v, block.col + 0.5, block.row + 0.5);
  assert.equal(p.s, 34, 'a frame is as big as its pfn needs');
  assert.ok(Math.abs(p.x - geo.width / 2) < 1e-6 && Math.abs(p.y - geo.height / 2) < 1e-6, 'centred');
  assert.equal(g.followView(v, geo, block, opts), null, 'once there, it stays');
  // The next frame along is still well inside: no move.
  assert.equal(g.followView(v, geo, g.blockCells(18502, 0, geo.cols), opts), null);
  // A frame far away: a pan at the same zoom.
  const far = g.followView(v, geo, g.blockCells(100, 0, geo.cols), opts);
  assert.ok(far && far.zoom === v.zoom, 'pans, keeping the zoom');
  // Zoomed in further by the user: kept while the block fits.
  const close = g.clampView({ ...v, zoom: v.zoom * 1.8 }, geo);
  const kept = g.followView(close, geo, g.blockCells(5000, 1, geo.cols), opts);
  assert.equal(kept.zoom, close.zoom);
  // A big block (order 7: 128 frames) is shown whole, in 70% of the area.
  const big = g.blockCells(18432, 7, geo.cols);
  const bv = g.followView(v, geo, big, opts);
  const a = at(geo, bv, big.col, big.row);
  const b = at(geo, bv, big.col + big.cols, big.row + big.rows);
  assert.ok(a.x >= 0 && b.x <= geo.width && a.y >= 0 && b.y <= geo.height, JSON.stringify({ a, b }));
  assert.ok(Math.abs(b.x - a.x - 0.7 * geo.width) < 1e-6, `${b.x - a.x}`);
  // Bigger than the whole machine can show zoomed in (order 9: two full rows): fit.
  assert.equal(g.followView(v, geo, g.blockCells(18432, 9, geo.cols), opts).zoom, 1);
});

test('flight: the ends are the two views, the zoom moves evenly in log, a zoom-in keeps its target in view', () => {
  const geo = geometry(128 * MIB);
  const from = g.clampView({ zoom: 1, col0: 0, row0: 0 }, geo);
  const block = g.blockCells(18501, 0, geo.cols);
  const to = g.followView(from, geo, block, { ...g.FOLLOW, readPx: 34 });
  const close = (a, b) => Math.abs(a - b) < 1e-6;
  const start = g.lerpView(from, to, 0, geo);
  const end = g.lerpView(from, to, 1, geo);
  for (const k of ['zoom', 'col0', 'row0']) {
    assert.ok(close(start[k], from[k]), `start ${k}`);
    assert.ok(close(end[k], to[k]), `end ${k}`);
  }
  assert.ok(close(g.lerpView(from, to, 0.5, geo).zoom, Math.sqrt(from.zoom * to.zoom)));
  for (let t = 0; t <= 1; t += 0.05) {
    const p = at(geo, g.lerpView(from, to, t, geo), block.col + 0.5, block.row + 0.5);
    assert.ok(p.x >= 0 && p.x <= geo.width && p.y >= 0 && p.y <= geo.height, `t=${t}: ${p.x},${p.y}`);
  }
  // A pan: the centre moves evenly.
  const a = { zoom: 10, col0: 0, row0: 0 };
  const b = { zoom: 10, col0: 100, row0: 40 };
  const mid = g.lerpView(a, b, 0.25, geo);
  assert.ok(close(mid.col0, 25) && close(mid.row0, 10));
});

test('a new geometry keeps the place in view: fit stays fit, the centre stays at the same size', () => {
  const from = geometry(128 * MIB);
  const to = geometry(128 * MIB, { width: 364, height: 462 });
  assert.notEqual(from.cols, to.cols);
  assert.deepEqual(
    g.carryView(g.clampView({ zoom: 1, col0: 0, row0: 0 }, from), from, to),
    g.clampView({ zoom: 1, col0: 0, row0: 0 }, to),
  );
  const v = g.followView(g.clampView({ zoom: 1, col0: 0, row0: 0 }, from), from, g.blockCells(18501, 0, from.cols), {
    ...g.FOLLOW,
    readPx: 34,
  });
  const w = g.carryView(v, from, to);
  assert.ok(Math.abs(g.scaleOf(to, w.zoom) - 34) < 1e-6, 'same frame size');
  const s = g.scaleOf(to, w.zoom);
  const centre = Math.floor(w.row0 + to.height / s / 2) * to.cols + Math.floor(w.col0 + to.width / s / 2);
  assert.ok(Math.abs(centre - 18501) <= 1, `centre pfn ${centre}`);
});

// A 2 TiB machine (2^29 frames) has one cell per 2^7 frames (mapShift 7):
// 2^22 cells, each holding its 128 frames as 8 sub-rows of 16.
const SHIFT = 7;
const COLS = 8192;

test('large machines: cells of 2^shift frames, their frames in a grid of 2^ceil(shift/2) across', () => {
  assert.deepEqual(g.cellGrid(0), { across: 1, down: 1 });
  assert.deepEqual(g.cellGrid(7), { across: 16, down: 8 });
  assert.deepEqual(g.cellGrid(8), { across: 16, down: 16 });
  assert.equal(g.cellCount(2 ** 29, SHIFT), 2 ** 22);
  assert.equal(g.cellCount(2 ** 29 + 1, SHIFT), 2 ** 22 + 1);
  assert.equal(g.cellCount(1000, 0), 1000);
});

test('large machines: a block is whole cells, or a part of one cell (a sub-row or whole sub-rows)', () => {
  // Shift 0 is the map of old: a cell is a frame.
  assert.deepEqual(g.blockCells(18503, 3, 256, 0), g.blockCells(18503, 3, 256));
  // The first frame of node 1 (2^28) heads cell 2^21 = row 256 of 8192 cells.
  assert.deepEqual(g.blockCells(2 ** 28, 0, COLS, SHIFT), { col: 0, row: 256, cols: 1 / 16, rows: 1 / 8 });
  // Frame 2^28 + 128 + 17: cell 1 of that row, sub-row 1, column 1.
  assert.deepEqual(g.blockCells(2 ** 28 + 128 + 17, 0, COLS, SHIFT), {
    col: 1 + 1 / 16,
    row: 256 + 1 / 8,
    cols: 1 / 16,
    rows: 1 / 8,
  });
  // Order 3 (8 frames): half a sub-row; order 5 (32 frames): two whole sub-rows.
  assert.deepEqual(g.blockCells(2 ** 28 + 8 + 3, 3, COLS, SHIFT), { col: 0.5, row: 256, cols: 0.5, rows: 1 / 8 });
  assert.deepEqual(g.blockCells(2 ** 28 + 64 + 5, 5, COLS, SHIFT), { col: 0, row: 256.5, cols: 1, rows: 0.25 });
  // Order 7 is one cell; order 10 is 8 cells; order 23 (2^16 cells) is 8 rows.
  assert.deepEqual(g.blockCells(2 ** 28 + 200, 7, COLS, SHIFT), { col: 1, row: 256, cols: 1, rows: 1 });
  assert.deepEqual(g.blockCells(2 ** 28 + 1500, 10, COLS, SHIFT), { col: 8, row: 256, cols: 8, rows: 1 });
  assert.deepEqual(g.blockCells(2 ** 28 + 5, 23, COLS, SHIFT), { col: 0, row: 256, cols: COLS, rows: 8 });
});

test("large machines: the pfn under a point is the cell's first frame, or with fine the frame there", () => {
  assert.equal(g.pfnAtCell(3.7, 2.2, 256, 0, true), 2 * 256 + 3);
  assert.equal(g.pfnAtCell(3.7, 2.2, 256, 0, false), 2 * 256 + 3);
  assert.equal(g.pfnAtCell(1.3, 256.6, COLS, SHIFT, false), 2 ** 28 + 128);
  // 0.3 of 16 across is column 4; 0.6 of 8 down is sub-row 4.
  assert.equal(g.pfnAtCell(1.3, 256.6, COLS, SHIFT, true), 2 ** 28 + 128 + 4 * 16 + 4);
  assert.equal(g.pfnAtCell(-0.1, 3, COLS, SHIFT, true), null);
  assert.equal(g.pfnAtCell(COLS, 3, COLS, SHIFT, true), null);
  // Round trips: every frame of a cell is found at the middle of its own rectangle.
  for (const pfn of [0, 1, 15, 16, 127, 2 ** 28 + 77, 2 ** 29 - 1]) {
    const b = g.blockCells(pfn, 0, COLS, SHIFT);
    assert.equal(g.pfnAtCell(b.col + b.cols / 2, b.row + b.rows / 2, COLS, SHIFT, true), pfn);
    assert.equal(g.pfnAtCell(b.col + b.cols / 2, b.row + b.rows / 2, COLS, SHIFT, false), pfn - (pfn % 128));
  }
});

test('large machines: halves lie side by side within a sub-row or a row, else one above the other', () => {
  assert.equal(g.splitsAcross(0, 256, 0), true);
  assert.equal(g.splitsAcross(8, 256, 0), true);
  assert.equal(g.splitsAcross(9, 256, 0), false);
  assert.equal(g.splitsAcross(4, COLS, SHIFT), true); // 16 frames: one sub-row
  assert.equal(g.splitsAcross(5, COLS, SHIFT), false); // two sub-rows
  assert.equal(g.splitsAcross(7, COLS, SHIFT), false); // one cell: its top and bottom halves
  assert.equal(g.splitsAcross(8, COLS, SHIFT), true); // two cells side by side
  assert.equal(g.splitsAcross(7 + 13, COLS, SHIFT), true); // 8192 cells: a whole row
  assert.equal(g.splitsAcross(7 + 14, COLS, SHIFT), false);
});
