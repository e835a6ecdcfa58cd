// The frame map's geometry as pure functions (render/framemap.ts draws with
// them, controller/map.ts moves the view with them, tests/page/mapgeom.test.mjs
// checks them): how many frames a row holds, the fitted scale, the limits of
// the view, zoom about a point, and where the view goes to follow an event.
//
// Units: a cell is one page frame up to 16 GiB; a larger machine's map has
// one cell per 2^shift frames (the engine's mapShift()), and inside a cell
// its frames are laid out as rows are inside the map: 2^across frames a
// sub-row, 2^down sub-rows (cellGrid), so a pfn has one place at any zoom.
// "px" are device pixels of the map area (the canvas minus the migrate-type
// strip at its left). A view is the zoom (1 = fit: the whole machine in the
// area) and the cell shown at the area's top-left corner (fractional column
// and row).

export interface View {
  zoom: number;
  col0: number;
  row0: number;
}

export interface Geometry {
  /** Frames per row. */
  cols: number;
  /** Rows of the machine. */
  rows: number;
  /** The map area in device pixels. */
  width: number;
  height: number;
  /** The largest zoom (a cell is then at most this many px: MAX_CELL_CSS x dpr). */
  maxCellPx: number;
}

/** Rows hold a power of two of frames, from 16 (a 16 MiB machine in a
 *  tall phone column) to 8192 (16 pageblocks: a 16 GiB machine on a wide
 *  screen). */
export const MIN_ROW_FRAMES = 16;
export const MAX_ROW_FRAMES = 8192;

/** The scale (px per frame) at which `frames` frames in rows of `cols`
 *  fill `width` x `height` without overflowing either. */
export function fitScale(frames: number, cols: number, width: number, height: number): number {
  const rows = Math.max(1, Math.ceil(frames / cols));
  return Math.max(1e-9, Math.min(width / cols, height / rows));
}

/** Frames per row for a machine of `frames` frames in an area of `width` x
 *  `height`: the power of two that shows the whole machine biggest. A row
 *  of exactly one pageblock is what the strip's colours mean best, so it
 *  wins unless another width gives frames at least 15% bigger. */
export function rowFramesFor(frames: number, width: number, height: number, pageblock: number): number {
  if (!(frames > 0) || !(width > 0) || !(height > 0)) return pageblock;
  let best = pageblock;
  let bestScale = fitScale(frames, pageblock, width, height) * 1.15;
  for (let cols = MIN_ROW_FRAMES; cols <= MAX_ROW_FRAMES; cols *= 2) {
    const s = fitScale(frames, cols, width, height);
    if (s > bestScale) {
      best = cols;
      bestScale = s;
    }
  }
  return best;
}

export function fit(g: Geometry): number {
  return Math.max(1e-9, Math.min(g.width / g.cols, g.height / Math.max(1, g.rows)));
}

export function maxZoom(g: Geometry): number {
  return Math.max(1, g.maxCellPx / fit(g));
}

/** px per cell at a zoom. */
export function scaleOf(g: Geometry, zoom: number): number {
  return fit(g) * zoom;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** The view within its limits. At fit (zoom 1) the whole machine is shown,
 *  centred across and at the top. Zoomed in, the view may be moved as long
 *  as its centre stays over the machine: half the area may be empty at an
 *  edge, so a block at the machine's edge can be centred (follow) and a
 *  zoom about the pointer is exact (zooming in keeps the centre over the
 *  machine, since the machine grows about a point on it). */
export function clampView(v: View, g: Geometry): View {
  const zoom = clamp(Number.isFinite(v.zoom) ? v.zoom : 1, 1, maxZoom(g));
  const s = scaleOf(g, zoom);
  const viewCols = g.width / s;
  const viewRows = g.height / s;
  if (zoom <= 1 + 1e-9) {
    return { zoom: 1, col0: -(viewCols - g.cols) / 2, row0: 0 };
  }
  const col0 = clamp(v.col0, -viewCols / 2, g.cols - viewCols / 2);
  const row0 = clamp(v.row0, -viewRows / 2, g.rows - viewRows / 2);
  return { zoom, col0, row0 };
}

/** Zooms by `factor` keeping the cell under area point (x, y) at (x, y). */
export function zoomAbout(v: View, g: Geometry, factor: number, x: number, y: number): View {
  if (!(factor > 0)) return v;
  const s = scaleOf(g, v.zoom);
  const col = v.col0 + x / s;
  const row = v.row0 + y / s;
  const zoom = clamp(v.zoom * factor, 1, maxZoom(g));
  const ns = scaleOf(g, zoom);
  return clampView({ zoom, col0: col - x / ns, row0: row - y / ns }, g);
}

/** A rectangle of cells: a block (one row or several whole rows). */
export interface CellRect {
  col: number;
  row: number;
  cols: number;
  rows: number;
}

/** How the 2^shift frames of one cell sit in it: 2^across frames a sub-row,
 *  2^down sub-rows, as square as a power of two allows (shift 7: 16 x 8). */
export interface CellGrid {
  /** Frames across a cell. */
  across: number;
  /** Sub-rows of a cell. */
  down: number;
}

export function cellGrid(shift: number): CellGrid {
  return { across: 2 ** Math.ceil(shift / 2), down: 2 ** Math.floor(shift / 2) };
}

/** Cells of a machine of `frames` frames at one cell per 2^shift frames. */
export function cellCount(frames: number, shift: number): number {
  return Math.ceil(frames / 2 ** shift);
}

/** The cells of the naturally aligned block of 2^order frames holding `pfn`,
 *  in rows of `cols` cells of 2^shift frames. A block smaller than a cell is
 *  a fraction of one: part of a sub-row, or whole sub-rows (cellGrid). */
export function blockCells(pfn: number, order: number, cols: number, shift = 0): CellRect {
  const o = clamp(Math.floor(order), 0, 40);
  const size = 2 ** o;
  const head = pfn - (pfn % size);
  const per = 2 ** shift;
  const cell = Math.floor(head / per);
  const row = Math.floor(cell / cols);
  const col = cell % cols;
  if (o >= shift) {
    const n = size / per;
    return n <= cols ? { col, row, cols: n, rows: 1 } : { col: 0, row, cols, rows: n / cols };
  }
  const { across, down } = cellGrid(shift);
  const within = head - cell * per;
  const sub = Math.floor(within / across);
  if (size <= across)
    return { col: col + (within % across) / across, row: row + sub / down, cols: size / across, rows: 1 / down };
  return { col, row: row + sub / down, cols: 1, rows: size / across / down };
}

/** Whether a block of 2^order frames splits into a left and a right half
 *  (it lies within one row, or one sub-row of a cell), not a top and a bottom. */
export function splitsAcross(order: number, cols: number, shift = 0): boolean {
  return order <= shift ? 2 ** order <= cellGrid(shift).across : 2 ** (order - shift) <= cols;
}

/** The pfn at fractional cell position (col, row) with rows of `cols` cells
 *  of 2^shift frames: with `fine`, the frame under the point (cellGrid);
 *  else the cell's first frame. Null outside the rows' width or above 0. */
export function pfnAtCell(col: number, row: number, cols: number, shift: number, fine: boolean): number | null {
  const c = Math.floor(col);
  const r = Math.floor(row);
  if (c < 0 || c >= cols || r < 0) return null;
  const first = (r * cols + c) * 2 ** shift;
  if (!fine || shift === 0) return first;
  const { across, down } = cellGrid(shift);
  const x = clamp(Math.floor((col - c) * across), 0, across - 1);
  const y = clamp(Math.floor((row - r) * down), 0, down - 1);
  return first + y * across + x;
}

/** (FOLLOW is in CSS px; the map scales it by devicePixelRatio and raises
 *  readPx to what its longest pfn needs.) */
export interface FollowOptions {
  /** px per cell at which a frame reads well (its pfn fits in it). */
  readPx: number;
  /** Smaller than this a frame cannot be told apart: zoom in. */
  minPx: number;
  /** The block may fill at most this part of the area (0..1). */
  room: number;
  /** The block counts as in view inside this margin (a part of the area, each side). */
  margin: number;
}

export const FOLLOW: FollowOptions = { readPx: 32, minPx: 12, room: 0.7, margin: 0.1 };

/** Where the view goes to show block `b` (the event being narrated): null
 *  when it already shows it well. "Well": the block's frames are at least
 *  minPx and the whole block is inside the area's margin. Otherwise the
 *  zoom becomes readPx per frame (or less, so the block fits in `room` of
 *  the area; or more, if the user had zoomed in further and it still fits)
 *  and the block is centred. */
export function followView(v: View, g: Geometry, b: CellRect, o: FollowOptions = FOLLOW): View | null {
  const s = scaleOf(g, v.zoom);
  const fits = Math.min((o.room * g.width) / b.cols, (o.room * g.height) / b.rows);
  const x0 = (b.col - v.col0) * s;
  const y0 = (b.row - v.row0) * s;
  const x1 = x0 + b.cols * s;
  const y1 = y0 + b.rows * s;
  const mx = o.margin * g.width;
  const my = o.margin * g.height;
  const inside = x0 >= mx && y0 >= my && x1 <= g.width - mx && y1 <= g.height - my;
  const readable = s >= o.minPx || s >= fits;
  if (inside && readable) return null;
  let target = s;
  if (s < o.minPx) target = Math.min(o.readPx, fits);
  if (target > fits) target = fits;
  const zoom = clamp(target / fit(g), 1, maxZoom(g));
  const ns = scaleOf(g, zoom);
  return clampView(
    {
      zoom,
      col0: b.col + b.cols / 2 - g.width / ns / 2,
      row0: b.row + b.rows / 2 - g.height / ns / 2,
    },
    g,
  );
}

/** A step of `t` (0..1) from view a to view b, as one smooth flight: the
 *  zoom moves evenly in its logarithm, and the centre moves in step with
 *  the width of the view, so a place that is in view at the start (the
 *  target of a zoom-in) stays in view all the way. A pure pan (no zoom)
 *  moves the centre evenly. */
export function lerpView(a: View, b: View, t: number, g: Geometry): View {
  const za = Math.log(a.zoom);
  const zb = Math.log(b.zoom);
  const zoom = Math.exp(za + (zb - za) * t);
  const wa = 1 / scaleOf(g, a.zoom);
  const wb = 1 / scaleOf(g, b.zoom);
  const w = 1 / scaleOf(g, zoom);
  const u = Math.abs(zb - za) < 1e-3 ? t : (wa - w) / (wa - wb);
  const cxa = a.col0 + (g.width * wa) / 2;
  const cya = a.row0 + (g.height * wa) / 2;
  const cx = cxa + (b.col0 + (g.width * wb) / 2 - cxa) * u;
  const cy = cya + (b.row0 + (g.height * wb) / 2 - cya) * u;
  return { zoom, col0: cx - (g.width * w) / 2, row0: cy - (g.height * w) / 2 };
}

/** The view showing the same place after the geometry changed (a resize,
 *  or another row width): the cell at the centre stays at the centre at the
 *  same size; a fitted view stays fitted. */
export function carryView(v: View, from: Geometry, to: Geometry): View {
  if (v.zoom <= 1 + 1e-9) return clampView({ zoom: 1, col0: 0, row0: 0 }, to);
  const s = scaleOf(from, v.zoom);
  const pfn = Math.floor(v.row0 + from.height / s / 2) * from.cols + (v.col0 + from.width / s / 2);
  const zoom = (s / fit(to)) * (to.maxCellPx / from.maxCellPx);
  const ns = scaleOf(to, clamp(zoom, 1, maxZoom(to)));
  const col = ((pfn % to.cols) + to.cols) % to.cols;
  const row = Math.floor(pfn / to.cols);
  return clampView({ zoom, col0: col - to.width / ns / 2, row0: row + 0.5 - to.height / ns / 2 }, to);
}
