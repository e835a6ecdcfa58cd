// The frame map: every page frame of the machine as one pixel of a bitmap,
// in rows of a power of two of frames (a pageblock, 2^pageblock_order = 512
// frames = 2 MiB on x86-64, when that shows the machine well; more for big
// machines on wide screens, fewer for small ones), drawn on a canvas that
// can be zoomed and panned. Fit shows the whole machine; zoomed in, frames
// grow to 64 CSS px, large enough to read their pfns (render/mapgeom.ts
// holds the geometry). Like the renderers it only reads what it is given: the
// page fetches a MapData from the engine and hands it over. It draws and
// keeps the view (zoom and position); the input that moves the view and
// picks frames (wheel, drag, keys, hover, click) is controller/map-input.ts.
//
// Why a bitmap: a 4 GiB machine has 1M frames. Painting them one by one each
// frame is far too slow; filling a 512 x rows ImageData through a palette
// lookup takes a few milliseconds once per change, and a frame is then one
// scaled drawImage plus overlays drawn for the visible rows only.

import {
  blockCells,
  cellGrid,
  clampView,
  pfnAtCell,
  splitsAcross,
  fit,
  fitScale,
  rowFramesFor,
  scaleOf,
  zoomAbout,
  carryView,
  FOLLOW,
  type CellRect,
  type FollowOptions,
  type Geometry,
  type View,
} from './mapgeom.js';
import { DEFAULT_MAP_THEME, parseColor, type MapTheme } from './maptheme.js';
import { MapDetail, type CellSpan, type FrameWindowSource } from './mapdetail.js';

export type { MapTheme } from './maptheme.js';

/** What the engine reports about every frame. The page passes copies. */
export interface MapData {
  /** One byte per cell (a frame up to 16 GiB; 2^shift frames above: the kind most of them have, the largest order of that kind's blocks): (order << 4) | kind. kind: 0 Hole, 1 Reserved, 2 Uninit, 3 Free (buddy), 4 Pcp, 5 Kernel, 6 PageTable, 7 Slab, 8 Anon (user), 9 PageCache, 10 Other. order = order of the block (free block, pcp page or allocation) holding the frame; blocks are naturally aligned (head pfn = pfn & ~((1<<order)-1)). */
  cells: Uint8Array;
  /** log2 of the frames per cell (the engine's mapShift(): 0 up to 16 GiB). */
  shift: number;
  /** Page frames of the machine (pfns 0 .. frames - 1). */
  frames: number;
  /** Migrate type per pageblock, by the catalogue's index (Catalogue.names.migratetype_en). */
  pageblockMt: Uint8Array;
  zones: { node: number; name: string; startPfn: number; spanned: number }[]; // spanned 0 = empty zone
  nodes: { id: number; startPfn: number; spanned: number }[];
}

export interface Highlight {
  motion: string;
  pfn: number;
  order: number;
  /** a second block (e.g. the buddy of a merge, the upper half of a split); -1 if none */
  other: number;
  /** 0..1, driven by the caller's clock */
  progress: number;
}

export interface Overlays {
  zones: boolean;
  pageblocks: boolean;
  outlines: boolean;
}

// --- Colours ----------------------------------------------------------------
// Ten kinds cannot all be told apart by hue under every colour-vision
// deficiency, so the palette spreads them over lightness too: the pairs most
// easily confused (red/orange, blue/purple, green/teal) differ clearly in
// lightness as well as hue.

export const KIND_NAMES = [
  'Hole',
  'Reserved',
  'Uninit',
  'Free',
  'Pcp',
  'Kernel',
  'PageTable',
  'Slab',
  'Anon',
  'PageCache',
  'Other',
] as const;

const KIND_HOLE = 0;
const KIND_FREE = 3;
const KIND_OTHER = 10;

// The colours themselves are the theme's (render/maptheme.ts, from the page's
// stylesheet), the same in light and dark: they are data. Pageblock migrate
// types use Paul Tol's "muted" scheme, chosen for colour-blind readers, by
// the engine's names (structures.css colours the free_area columns the
// same way).

/** Free blocks: pale for order 0 (fragmented), deep for the largest order,
 *  so fragmentation reads as pale patches inside solid green. */
function freeOrderColors(maxOrder: number, lo: string, hi: string): string[] {
  const top = Math.max(1, maxOrder - 1);
  return Array.from({ length: top + 1 }, (_, o) => mix(lo, hi, o / top));
}

function mix(a: string, b: string, t: number): string {
  const pa = parseColor(a);
  const pb = parseColor(b);
  const c = (i: number) =>
    Math.round(pa[i]! + (pb[i]! - pa[i]!) * t)
      .toString(16)
      .padStart(2, '0');
  return `#${c(0)}${c(1)}${c(2)}`;
}

// ImageData is RGBA in memory; a Uint32Array over it reads those bytes in the
// platform's order, so the packed values depend on endianness.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function packed(color: string): number {
  const [r, g, b] = parseColor(color).map(Math.round) as [number, number, number];
  return LITTLE_ENDIAN
    ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** Cell byte -> pixel, for all 256 bytes, so the fill loop is one lookup. */
function makeCellLut(freeColors: readonly string[], kinds: readonly string[]): Uint32Array<ArrayBuffer> {
  const lut = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    const kind = v & 15;
    const order = v >> 4;
    lut[v] =
      kind === KIND_FREE
        ? packed(freeColors[Math.min(order, freeColors.length - 1)]!)
        : packed(kinds[Math.min(kind, KIND_OTHER)]!);
  }
  return lut;
}

// --- Geometry -----------------------------------------------------------------

/** Canvases are limited to 32767 px a side, so the bitmap is cut into tiles
 *  of 4096 rows (8 GiB each with 2 MiB rows); a 4 GiB machine is a single
 *  tile. Each tile has extra columns holding the migrate-type colours of
 *  the row's pageblocks (one column when a row holds one pageblock or part
 *  of one), drawn stretched as the strip. */
const TILE_ROWS = 4096;

// Sizes in CSS pixels; multiplied by devicePixelRatio when drawn.
const STRIP_CSS = 8; // (up to 16 pageblocks of a row side by side in it)
const STRIP_GAP_CSS = 3;
const STRIP_MAX_COLS = 16;
/** A large machine's cells show their own frames (the detail window) once a
 *  frame in them is at least this big. */
const DETAIL_FRAME_CSS = 1;
const MAX_CELL_CSS = 64;
const OUTLINE_MIN_CSS = 3; // outlines of free blocks of 2+ frames from this cell size up
const OUTLINE_ALL_CSS = 6; // of single free frames and allocated blocks too
const ROWLINE_MIN_CSS = 5; // pageblock separators
const GRID_MIN_CSS = 10; // faint frame grid
const ORDER_TEXT_MIN_CSS = 12; // order numbers in free blocks...
const ORDER_TEXT_BLOCK_CSS = 24; // ...at least this wide
const MARK_MIN_CSS = 12; // highlighted blocks are drawn at least this big
const LOCATOR_BELOW_CSS = 24; // and get a ring and a guide line when smaller than this
const LABEL_FONT_CSS = 11;
const PFN_FONT_CSS = 9; // pfns in their frames, when frames are wide enough
const PFN_PAD_CSS = 3;

const ORDER_TEXT = Array.from({ length: 32 }, (_, i) => String(i));
const NO_DASH: number[] = [];
const ZONE_DASH_CSS = [6, 4];

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Tile {
  firstRow: number;
  rows: number;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  px: Uint32Array;
}

interface MapLabel {
  text: string;
  start: number; // first pfn
  end: number; // one past the last pfn
  width: number; // device px at the current font
}

interface Boundary {
  pfn: number;
  node: boolean;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const ease = (t: number) => {
  const c = clamp(t, 0, 1);
  return c * c * (3 - 2 * c);
};

export interface FrameMapLayout {
  /** Frames per row: one pageblock, 2^pageblock_order. */
  pageblockPages: number;
  /** Orders 0 .. maxOrder - 1 exist (MAX_ORDER). */
  maxOrder: number;
  /** Migrate type names by index, in English (the strip's colours go by name). */
  migrateTypes: readonly string[];
}

export class FrameMap {
  /** The legend's colours: the same ones the bitmap uses. Free stands for
   *  the middle of its ramp. */
  palette: readonly { kind: number; name: string; color: string }[] = [];
  /** Cells per row (render/mapgeom.ts rowFramesFor: a pageblock, or a
   *  power of two more or fewer, whichever shows the whole machine best). */
  private rowCells: number;
  /** Frames per pageblock. */
  private readonly pageblock: number;
  /** log2 of the frames per cell (MapData.shift), and the machine's frames. */
  private shift = 0;
  private frames = 0;
  /** Columns of the strip: the pageblocks of one row (1 if a row holds one
   *  or less), at most STRIP_MAX_COLS (a column then shows the pageblock at
   *  its first cell). */
  private stripCols = 1;
  /** The frames of the cells in view, once zoomed in on a large machine. */
  private readonly detail = new MapDetail();
  private detailSource: FrameWindowSource | null = null;
  /** Text colour for a pfn written on a cell, by the cell's byte (dark on light colours). */
  private inkLut: string[] = [];
  private readonly maxOrder: number;
  private readonly migrateTypes: readonly string[];
  private theme: MapTheme = DEFAULT_MAP_THEME;
  private cellLut = new Uint32Array(256);
  private mtLut = new Uint32Array(256);
  private holePx = new Uint32Array(2);
  /** The last data, to repaint the bitmap in a new theme. */
  private data: MapData | null = null;

  private readonly ctx: CanvasRenderingContext2D;
  /** Everything but the highlight, drawn only when the data, the overlays,
   *  the view or the size changed: a frame that only moves the highlight
   *  is then one copy of this plus the highlight, at any zoom. */
  private readonly base: HTMLCanvasElement;
  private readonly bctx: CanvasRenderingContext2D;
  private readonly resize: ResizeObserver;

  private cells: Uint8Array = new Uint8Array(0);
  private rows = 0;
  private tiles: Tile[] = [];
  private boundaries: Boundary[] = [];
  private zoneLabels: MapLabel[] = [];
  private nodeLabels: MapLabel[] = [];

  private overlays: Overlays = { zones: true, pageblocks: true, outlines: true };

  // Cached sizes: read from the ResizeObserver, never from the DOM in draw().
  private devW = 1;
  private devH = 1;
  private cssW = 1;
  private dpr = 1;
  private labelFont = '';
  private orderFont = '';
  private pfnFont = '';
  /** Device px one digit of a pfn takes in pfnFont. */
  private digitW = 0;
  private zoneDash: number[] = [];

  /** The view: zoom relative to fit (the whole machine in view), and the
   *  (fractional) column and row shown at the map area's top-left corner.
   *  Kept in cell units so a resize keeps the same place in view. */
  private zoom = 1;
  private col0 = 0;
  private row0 = 0;

  private hl = false;
  private hlMotion = '';
  private hlPfn = 0;
  private hlOrder = 0;
  private hlOther = -1;
  private hlProgress = 0;

  private dirty = true; // the screen needs drawing
  private baseDirty = true; // and the base layer too

  private readonly viewListeners: (() => void)[] = [];

  // Scratch rectangles for draw(), so a frame allocates nothing.
  private readonly ra: Rect = { x: 0, y: 0, w: 0, h: 0 };
  private readonly rb: Rect = { x: 0, y: 0, w: 0, h: 0 };
  private readonly rc: Rect = { x: 0, y: 0, w: 0, h: 0 };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    layout: FrameMapLayout,
  ) {
    this.rowCells = layout.pageblockPages;
    this.pageblock = layout.pageblockPages;
    this.maxOrder = layout.maxOrder;
    this.migrateTypes = layout.migrateTypes;
    this.makeLuts();
    const ctx = canvas.getContext('2d', { alpha: true });
    if (!ctx) throw new Error('FrameMap: no 2D canvas context');
    this.ctx = ctx;
    this.base = document.createElement('canvas');
    const bctx = this.base.getContext('2d');
    if (!bctx) throw new Error('FrameMap: no 2D canvas context');
    this.bctx = bctx;

    this.resize = new ResizeObserver((entries) => {
      const e = entries[entries.length - 1];
      if (e) this.resized(e);
    });
    try {
      this.resize.observe(canvas, { box: 'device-pixel-content-box' });
    } catch {
      this.resize.observe(canvas); // Safari: no device-pixel box
    }
    const rect = canvas.getBoundingClientRect();
    this.setSize(rect.width, Math.round(rect.width * devicePixelRatio), Math.round(rect.height * devicePixelRatio));
  }

  // --- Input from the page ------------------------------------------------

  /** New colours (the page's theme changed): repaints everything. */
  setTheme(theme: MapTheme): void {
    this.theme = theme;
    this.makeLuts();
    if (this.data) this.fillTiles(this.data);
    this.invalidate();
  }

  private makeLuts(): void {
    const t = this.theme;
    const free = freeOrderColors(this.maxOrder, t.freeLo, t.freeHi);
    this.cellLut = makeCellLut(free, t.kinds);
    this.mtLut = new Uint32Array(256); // unknown types stay transparent
    this.migrateTypes.forEach((name, mt) => (this.mtLut[mt] = packed(t.migrateTypes[name] ?? t.mtUnknown)));
    this.holePx = new Uint32Array([packed(t.kinds[KIND_HOLE]!), packed(t.holeHatch)]);
    // Pfn text: dark on light cells, light on dark ones (relative luminance).
    const lum = (c: string) => {
      const [r, g, b] = parseColor(c).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    this.inkLut = Array.from({ length: 256 }, (_, v) => {
      const kind = v & 15;
      const c = kind === KIND_FREE ? free[Math.min(v >> 4, free.length - 1)]! : t.kinds[Math.min(kind, KIND_OTHER)]!;
      return lum(c) > 0.18 ? t.pfnDark : t.pfnLight;
    });
    this.palette = KIND_NAMES.map((name, kind) => ({
      kind,
      name,
      color: kind === KIND_FREE ? free[Math.floor(free.length / 2)]! : t.kinds[kind]!,
    }));
  }

  /** What the map shows (null before the first machine). */
  get shown(): MapData | null {
    return this.data;
  }

  setData(d: MapData): void {
    // Another machine (another size) starts at the fitted view; the same
    // machine moving on keeps the place the user is looking at.
    const resized = d.cells.length !== this.cells.length || d.frames !== this.frames || d.shift !== this.shift;
    this.cells = d.cells;
    this.data = d;
    this.shift = d.shift;
    this.frames = d.frames;
    // Another state: the detail window is fetched again when it is shown.
    this.detail.clear();
    if (resized) {
      this.rowCells = this.bestRowFrames();
      this.zoom = 1;
      this.col0 = 0;
      this.row0 = 0;
    }
    this.rows = Math.ceil(d.cells.length / this.rowCells);
    this.stripCols = this.stripColsFor(this.rowCells);
    this.fillTiles(d);
    this.buildLabels(d);
    this.clampView();
    this.invalidate();
  }

  /** Where the map gets a large machine's frames in view (the engine's
   *  mapCellsRange); without one it shows cells only. */
  setFrameWindowSource(source: FrameWindowSource | null): void {
    this.detailSource = source;
    this.detail.clear();
    this.invalidate();
  }

  /** Cells per row that show this machine best in the map's area now. */
  private bestRowFrames(): number {
    const w = this.devW - this.mapLeft();
    return rowFramesFor(this.cells.length, w, this.devH, this.pageblockCells());
  }

  /** Cells per pageblock (at least one: a cell may hold several). */
  private pageblockCells(): number {
    return Math.max(1, this.pageblock / 2 ** this.shift);
  }

  private stripColsFor(rowCells: number): number {
    return Math.min(STRIP_MAX_COLS, Math.max(1, rowCells / this.pageblockCells()));
  }

  /** The first pfn of the pageblock strip column k of row `row` shows. */
  private stripPageblock(row: number, k: number): number {
    const cell = row * this.rowCells + (k * this.rowCells) / this.stripCols;
    return Math.floor((cell * 2 ** this.shift) / this.pageblock);
  }

  /** After a resize: rows as wide as now shows the machine best, the same
   *  place in view (a fitted view stays fitted). */
  private relayout(): void {
    if (!this.data || this.cells.length === 0) return;
    const cols = this.bestRowFrames();
    if (cols === this.rowCells) return;
    // Only for a clear gain: the map's height changes a little with the
    // narration's length, and rows must not flip back and forth as it does.
    const w = this.devW - this.mapLeft();
    const n = this.cells.length;
    if (fitScale(n, cols, w, this.devH) < 1.1 * fitScale(n, this.rowCells, w, this.devH)) return;
    const from = this.geometry();
    this.rowCells = cols;
    this.rows = Math.ceil(this.cells.length / cols);
    this.stripCols = this.stripColsFor(cols);
    this.setView(carryView(this.view(), from, this.geometry()));
    this.fillTiles(this.data);
  }

  setOverlays(o: Overlays): void {
    this.overlays = { zones: o.zones, pageblocks: o.pageblocks, outlines: o.outlines };
    this.clampView(); // the strip's room changes the fitted width
    this.invalidate();
  }

  /** The fields are copied: call again whenever the highlight moves on. */
  setHighlight(h: Highlight | null): void {
    this.hl = h !== null;
    if (h) {
      this.hlMotion = h.motion;
      this.hlPfn = h.pfn;
      this.hlOrder = h.order;
      this.hlOther = h.other;
      this.hlProgress = clamp(h.progress, 0, 1);
    }
    this.dirty = true;
  }

  /** Zooms keeping `atPfn` where it is on screen, or bringing it to the
   *  centre if it is out of view (so zoomBy(1, pfn) reveals a pfn); without
   *  it, zooms at the centre of the view. */
  zoomBy(factor: number, atPfn?: number): void {
    if (atPfn === undefined || !(atPfn >= 0) || atPfn >= this.frames) {
      this.zoomAt(factor, (this.mapLeft() + this.devW) / 2, this.devH / 2);
      return;
    }
    const s = this.scale();
    // The frame's middle, in (fractional) cells.
    const b = blockCells(atPfn, 0, this.rowCells, this.shift);
    const col = b.col + b.cols / 2 - 0.5;
    const row = b.row + b.rows / 2 - 0.5;
    const x = this.mapLeft() + (col + 0.5 - this.col0) * s;
    const y = (row + 0.5 - this.row0) * s;
    if (x < this.mapLeft() || x > this.devW || y < 0 || y > this.devH) {
      const g = this.geometry();
      const ns = scaleOf(g, clampView({ zoom: this.zoom * factor, col0: 0, row0: 0 }, g).zoom);
      this.zoom = ns / fit(g);
      this.col0 = col + 0.5 - (this.devW - this.mapLeft()) / 2 / ns;
      this.row0 = row + 0.5 - this.devH / 2 / ns;
      this.viewChanged();
    } else {
      this.zoomAt(factor, x, y);
    }
  }

  /** Moves the view by columns (dx) and rows (dy); positive dy shows higher pfns. */
  panBy(dxRows: number, dyRows: number): void {
    this.col0 += dxRows;
    this.row0 += dyRows;
    this.viewChanged();
  }

  resetView(): void {
    this.zoom = 1;
    this.col0 = 0;
    this.row0 = 0;
    this.viewChanged();
  }

  /** The pfn under a point (on a large machine the first of the cell's
   *  frames, or, once its frames are shown, the frame under the point);
   *  over the migrate-type strip, the pageblock's first pfn; null outside
   *  the machine. */
  pfnAt(clientX: number, clientY: number): number | null {
    if (this.rows === 0) return null;
    const r = this.canvas.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    const x = ((clientX - r.left) * this.devW) / r.width;
    const y = ((clientY - r.top) * this.devH) / r.height;
    if (x < 0 || y < 0 || x >= this.devW || y >= this.devH) return null;
    const s = this.scale();
    const row = Math.floor(this.row0 + y / s);
    if (row < 0 || row >= this.rows) return null;
    // Left of the map's visible edge: the strip (which covers cells panned under it) or nothing.
    const mapX = Math.max(this.mapLeft(), this.mapLeft() - this.col0 * s);
    if (x < mapX) {
      // The strip: the pageblock of the row under x (a row may show several side by side).
      const sx = this.stripX();
      if (!this.overlays.pageblocks || x < sx) return null;
      const k = clamp(Math.floor(((x - sx) / (STRIP_CSS * this.dpr)) * this.stripCols), 0, this.stripCols - 1);
      const first = this.stripPageblock(row, k) * this.pageblock;
      return first < this.frames ? first : null;
    }
    const col = this.col0 + (x - this.mapLeft()) / s;
    const pfn = pfnAtCell(col, this.row0 + y / s, this.rowCells, this.shift, this.detailShown(s));
    return pfn !== null && pfn < this.frames ? pfn : null;
  }

  /** Where the block of `order` holding `pfn` is on screen, in client
   *  coordinates (its true size, however small); null if it is out of view. */
  cellRect(pfn: number, order: number): DOMRect | null {
    if (!(pfn >= 0) || pfn >= this.frames) return null;
    const b = this.ra;
    this.blockRect(pfn, order, b);
    const left = this.mapLeft();
    if (b.x + b.w <= left || b.x >= this.devW || b.y + b.h <= 0 || b.y >= this.devH) return null;
    const r = this.canvas.getBoundingClientRect();
    const k = r.width / this.devW;
    return new DOMRect(r.left + b.x * k, r.top + b.y * k, b.w * k, b.h * k);
  }

  /** Called after every zoom or pan (what is under a still pointer changes). */
  onViewChange(listener: () => void): void {
    this.viewListeners.push(listener);
  }

  /** Zooms by `factor` keeping the cell under a client point where it is. */
  zoomAtClient(factor: number, clientX: number, clientY: number): void {
    const r = this.canvas.getBoundingClientRect();
    const k = this.devW / this.cssW;
    this.zoomAt(factor, (clientX - r.left) * k, (clientY - r.top) * k);
  }

  /** Moves the view by CSS pixels (a drag: the map follows the pointer). */
  panByCss(dx: number, dy: number): void {
    const s = this.scale() / (this.devW / this.cssW); // CSS px per cell
    this.panBy(dx / s, dy / s);
  }

  /** The view's size in cells (columns and pageblock rows), for keyboard paging. */
  viewCells(): { cols: number; rows: number } {
    const s = this.scale();
    return { cols: (this.devW - this.mapLeft()) / s, rows: this.devH / s };
  }

  /** Pageblock rows of the machine. */
  get rowCount(): number {
    return this.rows;
  }

  /** The canvas height in CSS pixels (a wheel's "page"). */
  heightCss(): number {
    return this.devH / this.dpr;
  }

  /** The view (zoom 1: fit), for whoever moves it smoothly (controller/map.ts). */
  view(): View {
    return { zoom: this.zoom, col0: this.col0, row0: this.row0 };
  }

  /** Sets the view (within its limits, render/mapgeom.ts clampView). */
  setView(v: View): void {
    this.zoom = v.zoom;
    this.col0 = v.col0;
    this.row0 = v.row0;
    this.viewChanged();
  }

  /** The map area's geometry now (render/mapgeom.ts). */
  geometry(): Geometry {
    return {
      cols: this.rowCells,
      rows: Math.max(1, this.rows),
      width: Math.max(1, this.devW - this.mapLeft()),
      height: Math.max(1, this.devH),
      // On a large machine a cell grows until its frames are that big.
      maxCellPx: MAX_CELL_CSS * this.dpr * cellGrid(this.shift).across,
    };
  }

  /** The cells a highlight is about: its block, or for a merge the parent
   *  of the two buddies; null if it names no frame of this machine. */
  highlightCells(h: Pick<Highlight, 'motion' | 'pfn' | 'order' | 'other'>): CellRect | null {
    if (this.rows === 0 || !(h.pfn >= 0) || h.pfn >= this.frames) return null;
    const merge = h.motion === 'merge' && h.other >= 0;
    const pfn = merge ? Math.min(h.pfn, h.other) : h.pfn;
    return blockCells(pfn, merge ? h.order + 1 : h.order, this.rowCells, this.shift);
  }

  /** How the camera follows an event on this map (render/mapgeom.ts
   *  followView), in device px: frames read well once their pfn fits in
   *  them (the longest pfn of the machine, at the pfn font). */
  followOptions(): FollowOptions {
    const d = this.dpr;
    const digits = String(Math.max(0, this.frames - 1)).length;
    const pfnPx = digits * this.digitW + 2 * PFN_PAD_CSS * d + 1;
    // The sizes are a frame's; a large machine's cell is `across` frames wide.
    const across = cellGrid(this.shift).across;
    return {
      ...FOLLOW,
      readPx: Math.min(MAX_CELL_CSS * d, Math.max(FOLLOW.readPx * d, pfnPx)) * across,
      minPx: FOLLOW.minPx * d * across,
    };
  }

  /** What the view shows, in CSS pixels of the canvas: cells per row, rows,
   *  a cell's size, and where cell 0's top-left corner is (cell c is at
   *  x0 + (c % rowFrames) * cell, y0 + floor(c / rowFrames) * cell; up to
   *  16 GiB a cell is frame c; above, frames 2^shift c .. in its grid,
   *  render/mapgeom.ts cellGrid). For tests and tools; the page does not use it. */
  viewInfo(): {
    rowFrames: number;
    rows: number;
    frames: number;
    cells: number;
    shift: number;
    /** The detail window: its frames, drawn now (a large machine zoomed in), and fetches so far. */
    detail: { shown: boolean; frames: number; fetches: number; span: CellSpan | null };
    cell: number;
    x0: number;
    y0: number;
    zoom: number;
    pfns: boolean;
    /** The block the highlight marks (null: none). */
    highlight: { pfn: number; order: number; progress: number } | null;
  } {
    const s = this.scale();
    const r1 = Math.min(this.rows, Math.ceil((this.devH + this.row0 * s) / s));
    return {
      pfns: this.pfnsShown(s, r1),
      rowFrames: this.rowCells,
      rows: this.rows,
      frames: this.frames,
      cells: this.cells.length,
      shift: this.shift,
      detail: {
        shown: this.detailShown(s) && this.detail.span !== null,
        frames: this.detail.rows.reduce((n, r) => n + r.length, 0),
        fetches: this.detail.fetches,
        span: this.detail.span,
      },
      cell: s / this.dpr,
      x0: (this.mapLeft() - this.col0 * s) / this.dpr,
      y0: (-this.row0 * s) / this.dpr,
      zoom: this.zoom,
      highlight: this.hl ? { pfn: this.hlPfn, order: this.hlOrder, progress: this.hlProgress } : null,
    };
  }

  destroy(): void {
    this.resize.disconnect();
    this.tiles = [];
  }

  // --- The bitmap ----------------------------------------------------------

  private fillTiles(d: MapData): void {
    const count = Math.ceil(this.rows / TILE_ROWS);
    // Tiles are reused while the machine keeps its size, so a step of the
    // simulation does not hand megabytes to the garbage collector.
    const width = this.rowCells + this.stripCols;
    const keep =
      this.tiles.length === count &&
      this.tiles.every((t, i) => t.rows === Math.min(TILE_ROWS, this.rows - i * TILE_ROWS) && t.canvas.width === width);
    if (!keep) {
      this.tiles = [];
      for (let i = 0; i < count; i++) {
        const rows = Math.min(TILE_ROWS, this.rows - i * TILE_ROWS);
        const canvas = document.createElement('canvas');
        canvas.width = this.rowCells + this.stripCols;
        canvas.height = rows;
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('FrameMap: no 2D canvas context');
        const image = ctx.createImageData(this.rowCells + this.stripCols, rows);
        this.tiles.push({ firstRow: i * TILE_ROWS, rows, canvas, ctx, image, px: new Uint32Array(image.data.buffer) });
      }
    }
    const cells = d.cells;
    const n = cells.length;
    const mt = d.pageblockMt;
    const cellLut = this.cellLut;
    const mtLut = this.mtLut;
    const holePx = this.holePx;
    for (const t of this.tiles) {
      const px = t.px;
      for (let r = 0; r < t.rows; r++) {
        const row = t.firstRow + r;
        const base = row * this.rowCells;
        const o = r * width;
        const lim = Math.min(this.rowCells, n - base);
        for (let c = 0; c < lim; c++) {
          const v = cells[base + c]!;
          // Holes get a diagonal hatch so "no memory here" does not read as
          // a colour of its own.
          px[o + c] = (v & 15) === KIND_HOLE ? holePx[((c + row) >> 2) & 1]! : cellLut[v]!;
        }
        for (let c = Math.max(lim, 0); c < this.rowCells; c++) px[o + c] = 0;
        // The strip: the migrate type of each pageblock in the row (or of
        // the one pageblock the row is part of).
        for (let k = 0; k < this.stripCols; k++) {
          const pb = this.stripPageblock(row, k);
          px[o + this.rowCells + k] = pb < mt.length ? mtLut[mt[pb]!]! : 0;
        }
      }
      t.ctx.putImageData(t.image, 0, 0);
    }
  }

  private buildLabels(d: MapData): void {
    const n = d.frames;
    const seen = new Map<number, boolean>();
    const add = (pfn: number, node: boolean) => {
      if (pfn <= 0 || pfn >= n) return; // the machine's own edges need no line
      seen.set(pfn, (seen.get(pfn) ?? false) || node);
    };
    for (const nd of d.nodes) {
      if (nd.spanned <= 0) continue;
      add(nd.startPfn, true);
      add(nd.startPfn + nd.spanned, true);
    }
    const zones = d.zones.filter((z) => z.spanned > 0).sort((a, b) => a.startPfn - b.startPfn);
    for (const z of zones) {
      add(z.startPfn, false);
      add(z.startPfn + z.spanned, false);
    }
    this.boundaries = [...seen].map(([pfn, node]) => ({ pfn, node })).sort((a, b) => a.pfn - b.pfn);
    this.zoneLabels = zones.map((z) => ({
      text: `Node ${z.node} ${z.name}`,
      start: z.startPfn,
      end: z.startPfn + z.spanned,
      width: 0,
    }));
    // Node names on the right only matter when there are several nodes;
    // the zone labels already name the node.
    this.nodeLabels =
      d.nodes.length < 2
        ? []
        : d.nodes
            .filter((nd) => nd.spanned > 0)
            .sort((a, b) => a.startPfn - b.startPfn)
            .map((nd) => ({ text: `Node ${nd.id}`, start: nd.startPfn, end: nd.startPfn + nd.spanned, width: 0 }));
    this.measureLabels();
  }

  /** Label widths depend on the font size, so on devicePixelRatio. */
  private measureLabels(): void {
    const ctx = this.ctx;
    ctx.font = this.labelFont;
    for (const l of this.zoneLabels) l.width = ctx.measureText(l.text).width;
    for (const l of this.nodeLabels) l.width = ctx.measureText(l.text).width;
  }

  // --- The view --------------------------------------------------------------

  private resized(e: ResizeObserverEntry): void {
    const dpr = window.devicePixelRatio || 1;
    // Exact device pixels where the browser reports them (Chromium,
    // Firefox), so the bitmap's cells are not resampled twice.
    // Trusted only when it agrees with devicePixelRatio: under device
    // emulation (DevTools, headless tests) Chromium reports CSS pixels there.
    const dev = (e.devicePixelContentBoxSize as readonly ResizeObserverSize[] | undefined)?.[0];
    const css = e.contentRect;
    const good =
      dev !== undefined &&
      Math.abs(dev.inlineSize - css.width * dpr) < 2 &&
      Math.abs(dev.blockSize - css.height * dpr) < 2;
    const w = good ? dev.inlineSize : Math.round(css.width * dpr);
    const h = good ? dev.blockSize : Math.round(css.height * dpr);
    this.setSize(css.width, w, h);
  }

  private setSize(cssW: number, w: number, h: number): void {
    w = Math.max(1, w);
    h = Math.max(1, h);
    const dpr = cssW > 0 ? w / cssW : window.devicePixelRatio || 1;
    const resized = w !== this.canvas.width || h !== this.canvas.height;
    // Zoomed in, a frame keeps its size and the view its top-left corner
    // when the map's box changes (it shrinks and grows with the narration
    // below it): what is under the eye does not move.
    const cellCss = this.zoom > 1 && this.rows > 0 ? this.scale() / this.dpr : 0;
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    if (this.base.width !== w) this.base.width = w;
    if (this.base.height !== h) this.base.height = h;
    this.devW = w;
    this.devH = h;
    this.cssW = Math.max(1, cssW);
    const dprChanged = dpr !== this.dpr;
    if (dpr !== this.dpr || this.labelFont === '') {
      this.dpr = dpr;
      this.labelFont = `600 ${Math.round(LABEL_FONT_CSS * dpr)}px system-ui, sans-serif`;
      this.orderFont = `${Math.round(10 * dpr)}px system-ui, sans-serif`;
      this.pfnFont = `${Math.round(PFN_FONT_CSS * dpr)}px ui-monospace, "DejaVu Sans Mono", monospace`;
      this.ctx.font = this.pfnFont;
      this.digitW = this.ctx.measureText('0123456789').width / 10;
      this.zoneDash = ZONE_DASH_CSS.map((v) => v * dpr);
      this.measureLabels();
    }
    if (cellCss > 0) this.zoom = (cellCss * this.dpr) / fit(this.geometry());
    if (resized || dprChanged) this.relayout();
    this.clampView();
    this.invalidate();
    // Setting canvas.width cleared it; ResizeObserver runs before paint, so
    // drawing now avoids a blank frame.
    if (resized) this.draw();
  }

  /** The strip sits just left of the map: at the canvas edge, or next to a
   *  map zoomed out narrower than the view. */
  private stripX(): number {
    return Math.max(0, -this.col0 * this.scale());
  }

  private invalidate(): void {
    this.dirty = true;
    this.baseDirty = true;
  }

  private mapLeft(): number {
    return this.overlays.pageblocks ? Math.round((STRIP_CSS + STRIP_GAP_CSS) * this.dpr) : 0;
  }

  private scale(): number {
    return scaleOf(this.geometry(), this.zoom);
  }

  /** The view within its limits (render/mapgeom.ts clampView: fit shows the
   *  whole machine; zoomed in, the view's centre stays over the machine). */
  private clampView(): void {
    const v = clampView(this.view(), this.geometry());
    this.zoom = v.zoom;
    this.col0 = v.col0;
    this.row0 = v.row0;
  }

  /** Zooms keeping the cell under device point (x, y) where it is. */
  private zoomAt(factor: number, x: number, y: number): void {
    const v = zoomAbout(this.view(), this.geometry(), factor, x - this.mapLeft(), y);
    this.zoom = v.zoom;
    this.col0 = v.col0;
    this.row0 = v.row0;
    this.viewChanged();
  }

  private viewChanged(): void {
    this.clampView();
    this.invalidate();
    for (const l of this.viewListeners) l();
  }

  // --- Drawing ---------------------------------------------------------------

  /** Cheap enough for every animation frame; does nothing when nothing changed. */
  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.baseDirty) {
      this.baseDirty = false;
      this.drawBase();
    }
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.clearRect(0, 0, this.devW, this.devH);
    ctx.drawImage(this.base, 0, 0);
    if (this.hl && this.rows > 0) this.drawHighlight();
  }

  private drawBase(): void {
    const ctx = this.bctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.clearRect(0, 0, this.devW, this.devH);
    if (this.rows === 0) return;

    const s = this.scale();
    const left = this.mapLeft();
    const ox = left - this.col0 * s;
    const oy = -this.row0 * s;
    // The visible part of the bitmap, in whole rows and columns.
    const r0 = Math.max(0, Math.floor(-oy / s));
    const r1 = Math.min(this.rows, Math.ceil((this.devH - oy) / s));
    const c0 = Math.max(0, Math.floor((left - ox) / s));
    const c1 = Math.min(this.rowCells, Math.ceil((this.devW - ox) / s));
    if (r1 <= r0 || c1 <= c0) return;

    ctx.imageSmoothingEnabled = false;
    for (const t of this.tiles) {
      const a = Math.max(r0, t.firstRow);
      const b = Math.min(r1, t.firstRow + t.rows);
      if (b <= a) continue;
      ctx.drawImage(t.canvas, c0, a - t.firstRow, c1 - c0, b - a, ox + c0 * s, oy + a * s, (c1 - c0) * s, (b - a) * s);
    }

    const span = { r0, r1, c0, c1 };
    const detail = this.detailShown(s) && this.drawDetail(s, ox, oy, span);
    const cellCss = s / this.dpr;
    if (this.overlays.outlines && cellCss >= OUTLINE_MIN_CSS) this.drawOutlines(s, ox, oy, r0, r1, c0, c1);
    if (detail && this.overlays.outlines) this.drawDetailOutlines(s, ox, oy, span);
    if (this.overlays.pageblocks && cellCss >= ROWLINE_MIN_CSS) this.drawRowLines(s, ox, oy, r0, r1, c0, c1);
    if (this.shift === 0 && cellCss >= PFN_FONT_CSS + 2 * PFN_PAD_CSS) this.drawPfns(s, ox, oy, r0, r1, c0, c1);
    if (detail) this.drawDetailPfns(s, ox, oy, span);
    if (this.overlays.zones) this.drawBoundaries(s, ox, oy);

    if (this.overlays.pageblocks) {
      const sx = Math.round(this.stripX());
      ctx.clearRect(sx, 0, left, this.devH); // cells panned under the strip
      const w = Math.round(STRIP_CSS * this.dpr);
      for (const t of this.tiles) {
        const a = Math.max(r0, t.firstRow);
        const b = Math.min(r1, t.firstRow + t.rows);
        if (b > a)
          ctx.drawImage(t.canvas, this.rowCells, a - t.firstRow, this.stripCols, b - a, sx, oy + a * s, w, (b - a) * s);
      }
    }
    if (this.overlays.zones) this.drawLabels(s, ox, oy);
  }

  /** Outlines of free blocks (and, fainter, of allocated blocks bigger than
   *  one frame), walking block by block through the visible cells only.
   *  Below OUTLINE_ALL_CSS a 1 px frame would eat most of a single cell, so
   *  only free blocks of two frames or more are outlined there. */
  private drawOutlines(s: number, ox: number, oy: number, r0: number, r1: number, c0: number, c1: number): void {
    const ctx = this.bctx;
    const cells = this.cells;
    const n = cells.length;
    // One device pixel whatever the ratio: Skia strokes such hairlines on a
    // fast path, 3-4x quicker than 2 px lines in software rendering, and
    // this pass is redrawn on every pan and zoom.
    const lw = 1;
    const half = lw / 2;
    const cellCss = s / this.dpr;

    if (cellCss >= GRID_MIN_CSS) {
      // Faint frame grid, so frames can be counted.
      ctx.beginPath();
      for (let c = c0; c <= c1; c++) {
        const x = Math.round(ox + c * s) + 0.5;
        ctx.moveTo(x, oy + r0 * s);
        ctx.lineTo(x, oy + r1 * s);
      }
      ctx.lineWidth = 1;
      ctx.strokeStyle = this.theme.grid;
      ctx.stroke();
    }

    const text = cellCss >= ORDER_TEXT_MIN_CSS;
    const textMin = ORDER_TEXT_BLOCK_CSS * this.dpr;
    const all = cellCss >= OUTLINE_ALL_CSS;
    const minFree = all ? 1 : 2;
    for (let pass = all ? 0 : 1; pass < 2; pass++) {
      const free = pass === 1; // free blocks last, on top
      ctx.beginPath();
      for (let r = r0; r < r1; r++) {
        const base = r * this.rowCells;
        let p = base + c0;
        const end = Math.min(base + c1, n);
        while (p < end) {
          const v = cells[p]!;
          // The block's order in cells; below 0 it is smaller than a cell
          // (a large machine's): drawDetailOutlines draws those.
          const co = (v >> 4) - this.shift;
          const size = co > 0 ? 1 << co : 1;
          const head = p - (p & (size - 1));
          const isFree = (v & 15) === KIND_FREE;
          if (co >= 0 && isFree === free && size >= (free ? minFree : 2)) {
            if (size <= this.rowCells) {
              this.snapRect(ox + (head - base) * s, oy + r * s, size * s, s, half);
            } else if (head >= base || r === r0) {
              // A block of more than one row (order 10): drawn once, from its first row.
              this.snapRect(
                ox,
                oy + Math.floor(head / this.rowCells) * s,
                this.rowCells * s,
                (size / this.rowCells) * s,
                half,
              );
            }
          }
          p = Math.max(p + 1, Math.min(head + size, base + this.rowCells));
        }
      }
      ctx.lineWidth = lw;
      // Softer while cells are small, where lines are dense.
      ctx.globalAlpha = free && !all ? 0.6 : 1;
      ctx.strokeStyle = free ? this.theme.outlineFree : this.theme.outline;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }

    if (!text) return;
    // Below the middle when pfns are written at the top of the frames.
    const below = this.pfnsShown(s, r1) ? 0.64 : 0.5;
    ctx.font = this.orderFont;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    let ink = -1;
    for (let r = r0; r < r1; r++) {
      const base = r * this.rowCells;
      let p = base + c0;
      const end = Math.min(base + c1, n);
      while (p < end) {
        const v = cells[p]!;
        const order = v >> 4;
        const co = order - this.shift; // in cells, as above
        const size = co > 0 ? 1 << co : 1;
        const head = p - (p & (size - 1));
        if (co < 0) {
          p++;
          continue;
        }
        if ((v & 15) === KIND_FREE && order !== ink) {
          // Dark digits on the pale greens of small orders, white on the deep ones.
          ink = order;
          ctx.fillStyle = order <= 5 ? '#0b2e14' : '#ffffff';
        }
        if ((v & 15) === KIND_FREE && size <= this.rowCells && size * s >= textMin) {
          // Centred in the visible part of the block, so a long block
          // half off screen still shows its order.
          const xa = Math.max(ox + (head - base) * s, this.mapLeft());
          const xb = Math.min(ox + (head - base + size) * s, this.devW);
          ctx.fillText(ORDER_TEXT[order]!, (xa + xb) / 2, oy + (r + below) * s);
        } else if ((v & 15) === KIND_FREE && size > this.rowCells && (head >= base || r === r0)) {
          ctx.fillText(
            ORDER_TEXT[order]!,
            (Math.max(ox, this.mapLeft()) + Math.min(ox + this.rowCells * s, this.devW)) / 2,
            oy + (Math.floor(head / this.rowCells) + size / this.rowCells / 2) * s,
          );
        }
        p = Math.max(p + 1, Math.min(head + size, base + this.rowCells));
      }
    }
  }

  /** Adds a rectangle to the path with its edges on device pixels, inset so
   *  two neighbouring blocks show two lines, not one. */
  private snapRect(x: number, y: number, w: number, h: number, half: number): void {
    const x0 = Math.round(x);
    const y0 = Math.round(y);
    const x1 = Math.round(x + w);
    const y1 = Math.round(y + h);
    this.bctx.rect(x0 + half, y0 + half, Math.max(0, x1 - x0 - 2 * half), Math.max(0, y1 - y0 - 2 * half));
  }

  /** Lines between pageblocks, when frames are big enough to see them:
   *  across, between rows that start a pageblock, and up and down inside
   *  rows that hold several. */
  private drawRowLines(s: number, ox: number, oy: number, r0: number, r1: number, c0: number, c1: number): void {
    const ctx = this.bctx;
    const pb = this.pageblockCells();
    ctx.beginPath();
    const xb = Math.min(this.devW, ox + c1 * s);
    for (let r = r0; r <= r1; r++) {
      if ((r * this.rowCells) % pb !== 0) continue;
      const y = Math.round(oy + r * s) + 0.5;
      ctx.moveTo(0, y); // across the strip too: it is drawn over this
      ctx.lineTo(xb, y);
    }
    for (let c = Math.ceil(c0 / pb) * pb; c < c1 && pb < this.rowCells; c += pb) {
      if (c === 0) continue;
      const x = Math.round(ox + c * s) + 0.5;
      ctx.moveTo(x, oy + r0 * s);
      ctx.lineTo(x, oy + r1 * s);
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = this.theme.rowLine;
    ctx.stroke();
  }

  /** Frames are wide enough for the longest pfn in view (rows up to r1);
   *  on a large machine, only once its frames are drawn (the detail). */
  private pfnsShown(s: number, r1: number): boolean {
    const per = 2 ** this.shift;
    const { across, down } = cellGrid(this.shift);
    const last = Math.min(this.frames, r1 * this.rowCells * per) - 1;
    const pad = PFN_PAD_CSS * this.dpr;
    const fits =
      s / down >= PFN_FONT_CSS * this.dpr + 2 * pad && String(last).length * this.digitW + 2 * pad <= s / across;
    return last >= 0 && fits && (this.shift === 0 || (this.detailShown(s) && this.detail.span !== null));
  }

  /** Each frame's pfn in its top left corner, once frames are wide enough
   *  for the longest pfn in view (dark on light colours, light on dark). */
  private drawPfns(s: number, ox: number, oy: number, r0: number, r1: number, c0: number, c1: number): void {
    if (!this.pfnsShown(s, r1)) return;
    const pad = PFN_PAD_CSS * this.dpr;
    const ctx = this.bctx;
    ctx.font = this.pfnFont;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const cells = this.cells;
    let ink = '';
    for (let r = r0; r < r1; r++) {
      const base = r * this.rowCells;
      const end = Math.min(base + c1, cells.length);
      for (let p = base + c0; p < end; p++) {
        const v = cells[p]!;
        if ((v & 15) === KIND_HOLE) continue;
        const color = this.inkLut[v]!;
        if (color !== ink) ctx.fillStyle = ink = color;
        ctx.fillText(String(p), ox + (p - base) * s + pad, oy + r * s + pad);
      }
    }
  }

  // --- The detail window (a large machine zoomed in: render/mapdetail.ts) ----

  /** A large machine's cells are big enough (at `s` px) to show their frames. */
  private detailShown(s: number): boolean {
    return (
      this.shift > 0 && this.detailSource !== null && s / cellGrid(this.shift).across >= DETAIL_FRAME_CSS * this.dpr
    );
  }

  /** Draws the frames of the cells in `span` over the cells, fetching them
   *  first when the window does not hold them; false when it cannot (too
   *  many frames in view: the cells stay). */
  private drawDetail(s: number, ox: number, oy: number, span: CellSpan): boolean {
    const d = this.detail;
    if (!d.covers(span)) {
      const source = this.detailSource!;
      const lay = { rowCells: this.rowCells, shift: this.shift, frames: this.frames };
      const lut = this.cellLut;
      const hole = this.holePx;
      const paint = (v: number, x: number, y: number) => ((v & 15) === KIND_HOLE ? hole[((x + y) >> 2) & 1]! : lut[v]!);
      if (!d.fetch(span, lay, this.rows, source, paint)) return false;
    }
    const held = d.span!;
    const { across, down } = cellGrid(this.shift);
    const ctx = this.bctx;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(
      d.canvas,
      (span.c0 - held.c0) * across,
      (span.r0 - held.r0) * down,
      (span.c1 - span.c0) * across,
      (span.r1 - span.r0) * down,
      ox + span.c0 * s,
      oy + span.r0 * s,
      (span.c1 - span.c0) * s,
      (span.r1 - span.r0) * s,
    );
    return true;
  }

  /** Calls f(pfn, byte, x, y) for the frames of the window's cells in `span`
   *  whose top-left corner is on screen (x, y: that corner in device px). */
  private eachDetailFrame(
    s: number,
    ox: number,
    oy: number,
    span: CellSpan,
    f: (pfn: number, v: number, x: number, y: number) => void,
  ): void {
    const held = this.detail.span;
    if (!held) return;
    const { across, down } = cellGrid(this.shift);
    const per = across * down;
    const fw = s / across;
    const fh = s / down;
    for (let r = span.r0; r < span.r1; r++) {
      const row = this.detail.rows[r - held.r0]!;
      for (let c = span.c0; c < span.c1; c++) {
        const at = (c - held.c0) * per;
        const first = (r * this.rowCells + c) * per;
        for (let w = 0; w < per && at + w < row.length; w++) {
          const x = ox + c * s + (w % across) * fw;
          const y = oy + r * s + Math.floor(w / across) * fh;
          if (x + fw < 0 || x > this.devW || y + fh < 0 || y > this.devH) continue;
          f(first + w, row[at + w]!, x, y);
        }
      }
    }
  }

  /** Outlines of the blocks smaller than a cell (drawOutlines draws the
   *  others), by the same size rules as theirs, at the frames' size. */
  private drawDetailOutlines(s: number, ox: number, oy: number, span: CellSpan): void {
    const held = this.detail.span;
    const frameCss = s / cellGrid(this.shift).across / this.dpr;
    if (!held || frameCss < OUTLINE_MIN_CSS) return;
    const all = frameCss >= OUTLINE_ALL_CSS;
    const per = 2 ** this.shift;
    const ctx = this.bctx;
    const b = { col: 0, row: 0, cols: 0, rows: 0 };
    for (let pass = all ? 0 : 1; pass < 2; pass++) {
      const free = pass === 1;
      ctx.beginPath();
      for (let r = span.r0; r < span.r1; r++) {
        const row = this.detail.rows[r - held.r0]!;
        for (let c = span.c0; c < span.c1; c++) {
          const at = (c - held.c0) * per;
          const first = (r * this.rowCells + c) * per;
          for (let w = 0; w < per && at + w < row.length;) {
            const v = row[at + w]!;
            const order = v >> 4;
            if (order >= this.shift) break; // the cell is one block: drawOutlines'
            const size = 1 << order;
            const head = w - (w & (size - 1));
            if (((v & 15) === KIND_FREE) === free && size >= (free ? (all ? 1 : 2) : 2)) {
              Object.assign(b, blockCells(first + head, order, this.rowCells, this.shift));
              this.snapRect(ox + b.col * s, oy + b.row * s, b.cols * s, b.rows * s, 0.5);
            }
            w = Math.max(w + 1, head + size);
          }
        }
      }
      ctx.lineWidth = 1;
      ctx.globalAlpha = free && !all ? 0.6 : 1;
      ctx.strokeStyle = free ? this.theme.outlineFree : this.theme.outline;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }

  /** Each shown frame's pfn in its top left corner, as drawPfns does for cells that are frames. */
  private drawDetailPfns(s: number, ox: number, oy: number, span: CellSpan): void {
    if (!this.pfnsShown(s, span.r1)) return;
    const pad = PFN_PAD_CSS * this.dpr;
    const ctx = this.bctx;
    ctx.font = this.pfnFont;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    let ink = '';
    this.eachDetailFrame(s, ox, oy, span, (pfn, v, x, y) => {
      if ((v & 15) === KIND_HOLE) return;
      const color = this.inkLut[v]!;
      if (color !== ink) ctx.fillStyle = ink = color;
      ctx.fillText(String(pfn), x + pad, y + pad);
    });
  }

  /** Zone and node boundaries. One that falls inside a row is a step: the
   *  end of that row belongs to the next zone, its start to the previous one. */
  private drawBoundaries(s: number, ox: number, oy: number): void {
    const ctx = this.bctx;
    const xa = Math.max(ox, this.mapLeft());
    const xb = Math.min(ox + this.rowCells * s, this.devW);
    for (let pass = 0; pass < 4; pass++) {
      const node = pass >= 2;
      const under = pass % 2 === 0; // a light line under a dark one: visible on any colour
      ctx.beginPath();
      for (const b of this.boundaries) {
        if (b.node !== node) continue;
        const cell = Math.floor(b.pfn / 2 ** this.shift);
        const row = Math.floor(cell / this.rowCells);
        const col = cell % this.rowCells;
        const y = Math.round(oy + row * s);
        const y2 = Math.round(oy + (row + 1) * s);
        if (y2 < -4 || y > this.devH + 4) continue;
        if (col === 0) {
          ctx.moveTo(xa, y);
          ctx.lineTo(xb, y);
        } else {
          const x = Math.round(ox + col * s);
          ctx.moveTo(xa, y2);
          ctx.lineTo(x, y2);
          ctx.lineTo(x, y);
          ctx.lineTo(xb, y);
        }
      }
      const d = this.dpr;
      ctx.setLineDash(under || node ? NO_DASH : this.zoneDash);
      ctx.lineWidth = (node ? (under ? 4 : 2) : under ? 3 : 1.5) * d;
      ctx.strokeStyle = under ? this.theme.boundaryUnder : this.theme.boundary;
      ctx.stroke();
    }
    ctx.setLineDash(NO_DASH);
  }

  /** Zone labels at the left, node labels at the right, each kept inside
   *  the view while its zone is (so it stays readable at any zoom) and
   *  pushed down rather than drawn over the previous one. */
  private drawLabels(s: number, ox: number, oy: number): void {
    const ctx = this.bctx;
    ctx.font = this.labelFont;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const d = this.dpr;
    const h = Math.round((LABEL_FONT_CSS + 6) * d);
    const pad = Math.round(4 * d);
    // The map's visible edges (it may be narrower than the view).
    const xa = Math.max(ox, this.mapLeft());
    const xb = Math.min(ox + this.rowCells * s, this.devW);
    for (let side = 0; side < 2; side++) {
      const labels = side === 0 ? this.zoneLabels : this.nodeLabels;
      let below = -Infinity;
      for (const l of labels) {
        const per = 2 ** this.shift;
        const top = oy + Math.floor(Math.floor(l.start / per) / this.rowCells) * s;
        const bottom = oy + Math.ceil(Math.ceil(l.end / per) / this.rowCells) * s;
        if (bottom <= 0 || top >= this.devH) continue;
        let y = Math.min(Math.max(top, 0), bottom - h);
        y = Math.max(y, top, below);
        if (y >= this.devH) continue;
        const w = l.width + 2 * pad;
        const x = side === 0 ? xa + pad : xb - w - pad;
        ctx.fillStyle = side === 0 ? this.theme.labelBg : this.theme.nodeLabelBg;
        ctx.fillRect(x, y + d, w, h - 2 * d);
        ctx.fillStyle = this.theme.labelFg;
        ctx.fillText(l.text, x + pad, y + h / 2);
        below = y + h;
      }
    }
  }

  /** The screen rectangle of the naturally aligned block of `order` holding `pfn`. */
  private blockRect(pfn: number, order: number, out: Rect): void {
    const s = this.scale();
    const ox = this.mapLeft() - this.col0 * s;
    const oy = -this.row0 * s;
    const b = blockCells(pfn, order, this.rowCells, this.shift);
    out.x = ox + b.col * s;
    out.y = oy + b.row * s;
    out.w = b.cols * s;
    out.h = b.rows * s;
  }

  /** Grows a rectangle about its centre to at least `mw` x `mh`. */
  private static atLeast(r: Rect, mw: number, mh: number): void {
    if (r.w < mw) {
      r.x -= (mw - r.w) / 2;
      r.w = mw;
    }
    if (r.h < mh) {
      r.y -= (mh - r.h) / 2;
      r.h = mh;
    }
  }

  /** Splits `r` into its halves along the axis the buddy allocator splits:
   *  left/right within a row, top/bottom for blocks of several rows. */
  private static halves(r: Rect, alongX: boolean, lo: Rect, hi: Rect): void {
    lo.x = r.x;
    lo.y = r.y;
    hi.x = alongX ? r.x + r.w / 2 : r.x;
    hi.y = alongX ? r.y : r.y + r.h / 2;
    lo.w = hi.w = alongX ? r.w / 2 : r.w;
    lo.h = hi.h = alongX ? r.h : r.h / 2;
  }

  private drawHighlight(): void {
    const ctx = this.ctx;
    const d = this.dpr;
    const p = this.hlProgress;
    const motion = this.hlMotion;
    const pfn = this.hlPfn;
    const order = clamp(Math.floor(this.hlOrder), 0, 30);

    // The block whose outline is drawn: the parent of a split or merge, so
    // the two halves keep their true places relative to each other.
    const parentOrder = motion === 'merge' ? order + 1 : order;
    const whole = this.ra;
    this.blockRect(motion === 'merge' && this.hlOther >= 0 ? Math.min(pfn, this.hlOther) : pfn, parentOrder, whole);
    // Small in both directions: the eye needs help to find it. (A long thin
    // block, such as a whole row at fit zoom, is easy to see once thickened.)
    const tiny = Math.max(whole.w, whole.h) < LOCATOR_BELOW_CSS * d;
    // A split or merge shows two halves, each at least the minimum size.
    const pair = motion === 'split' || motion === 'merge';
    const alongX = splitsAcross(parentOrder, this.rowCells, this.shift);
    const m = MARK_MIN_CSS * d;
    FrameMap.atLeast(whole, pair && alongX ? 2 * m : m, pair && !alongX ? 2 * m : m);
    const cx = whole.x + whole.w / 2;
    const cy = whole.y + whole.h / 2;
    const left = this.mapLeft();
    const visible = cx >= left && cx <= this.devW && cy >= 0 && cy <= this.devH;
    const pulse = 0.5 + 0.5 * Math.sin(p * Math.PI * 6);

    if (!visible) {
      this.drawEdgeArrow(cx, cy);
      return;
    }
    if (tiny) this.drawLocator(cx, cy, Math.hypot(whole.w, whole.h) / 2, pulse);

    const lo = this.rb;
    const hi = this.rc;
    switch (motion) {
      case 'split': {
        if (parentOrder === 0) {
          this.box(whole, '#ffffff', 1, 0, 0);
          break;
        }
        FrameMap.halves(whole, alongX, lo, hi);
        // Which half moves: the one named by `other` (by default the upper).
        const half = 2 ** (parentOrder - 1);
        const head = pfn - (pfn % (2 * half));
        const upperMoves = this.hlOther < 0 || this.hlOther >= head + half;
        if (p < 0.6) {
          this.box(whole, '#ffffff', ease(p / 0.25), 0, 0);
          // The divider grows across the block at the half.
          const t = ease((p - 0.3) / 0.3);
          if (t > 0) {
            ctx.beginPath();
            if (alongX) {
              ctx.moveTo(hi.x, hi.y);
              ctx.lineTo(hi.x, hi.y + hi.h * t);
            } else {
              ctx.moveTo(hi.x, hi.y);
              ctx.lineTo(hi.x + hi.w * t, hi.y);
            }
            this.doubleStroke('#ffd400', 1);
          }
        } else {
          const t = ease((p - 0.6) / 0.4);
          const gap = t * Math.max(6 * d, 0.15 * (alongX ? whole.w : whole.h));
          const still = upperMoves ? lo : hi;
          const moving = upperMoves ? hi : lo;
          const dir = upperMoves ? 1 : -1;
          this.box(still, '#ffffff', 1, 0, 0);
          const dx = alongX ? dir * gap : 0;
          const dy = alongX ? 0 : dir * gap;
          this.fill(moving, 'rgba(255,212,0,0.55)', pulse, dx, dy);
          this.box(moving, '#ffd400', 1, dx, dy);
        }
        break;
      }
      case 'merge': {
        FrameMap.halves(whole, alongX, lo, hi);
        if (p < 0.7) {
          // The buddies start apart and slide together.
          const t = ease((p - 0.3) / 0.4);
          const gap = (1 - t) * Math.max(6 * d, 0.15 * (alongX ? whole.w : whole.h));
          const a = ease(p / 0.2);
          this.box(lo, '#ffffff', a, alongX ? -gap : 0, alongX ? 0 : -gap);
          this.box(hi, '#ffd400', a, alongX ? gap : 0, alongX ? 0 : gap);
        } else {
          const t = ease((p - 0.7) / 0.3);
          this.fill(whole, 'rgba(255,255,255,0.6)', 1 - t, 0, 0);
          this.box(whole, '#ffffff', 1, 0, 0);
        }
        break;
      }
      case 'take':
      case 'give': {
        // take: the block fills up (it is being handed out); give: its fill
        // fades away (it is being returned).
        const take = motion === 'take';
        const t = ease(p);
        const f = this.rb;
        f.x = whole.x;
        f.y = whole.y;
        f.w = take ? whole.w * t : whole.w;
        f.h = whole.h;
        this.fill(f, 'rgba(255,255,255,0.7)', take ? 1 : 1 - t, 0, 0);
        this.box(whole, take ? '#ffffff' : '#ffd400', 1, 0, 0);
        break;
      }
      default: {
        const grow = pulse * 3 * d;
        const g = this.rb;
        g.x = whole.x - grow;
        g.y = whole.y - grow;
        g.w = whole.w + 2 * grow;
        g.h = whole.h + 2 * grow;
        this.box(g, '#ffffff', 0.6 + 0.4 * pulse, 0, 0);
      }
    }
    ctx.globalAlpha = 1;
  }

  /** A dark line under a light one: stands out on every palette colour. */
  private doubleStroke(color: string, alpha: number): void {
    const ctx = this.ctx;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = 4 * this.dpr;
    ctx.strokeStyle = 'rgba(0,0,0,0.85)';
    ctx.stroke();
    ctx.lineWidth = 2 * this.dpr;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  private box(r: Rect, color: string, alpha: number, dx: number, dy: number): void {
    if (alpha <= 0) return;
    this.ctx.beginPath();
    this.ctx.rect(r.x + dx, r.y + dy, r.w, r.h);
    this.doubleStroke(color, alpha);
  }

  private fill(r: Rect, color: string, alpha: number, dx: number, dy: number): void {
    if (alpha <= 0 || r.w <= 0) return;
    const ctx = this.ctx;
    ctx.globalAlpha = alpha;
    ctx.fillStyle = color;
    ctx.fillRect(r.x + dx, r.y + dy, r.w, r.h);
    ctx.globalAlpha = 1;
  }

  /** For blocks too small to see at this zoom: a pulsing ring with sight
   *  ticks, a faint guide along the row and an arrow on the strip. */
  private drawLocator(cx: number, cy: number, inner: number, pulse: number): void {
    const ctx = this.ctx;
    const d = this.dpr;
    // The ring goes round the (grown) block, never across it.
    const r = Math.max(16 * d, inner + 6 * d) + 4 * pulse * d;
    const s = this.scale();
    const ox = this.mapLeft() - this.col0 * s;
    const xa = Math.max(ox, this.mapLeft());
    const xb = Math.min(ox + this.rowCells * s, this.devW);
    ctx.beginPath();
    ctx.moveTo(xa, cy);
    ctx.lineTo(cx - r - 10 * d, cy);
    ctx.moveTo(cx + r + 10 * d, cy);
    ctx.lineTo(xb, cy);
    ctx.setLineDash(this.zoneDash);
    ctx.lineWidth = 1 * d;
    ctx.strokeStyle = 'rgba(255,255,255,0.8)';
    ctx.stroke();
    ctx.setLineDash(NO_DASH);

    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    const t = 8 * d;
    ctx.moveTo(cx - r - t, cy);
    ctx.lineTo(cx - r + t / 2, cy);
    ctx.moveTo(cx + r - t / 2, cy);
    ctx.lineTo(cx + r + t, cy);
    ctx.moveTo(cx, cy - r - t);
    ctx.lineTo(cx, cy - r + t / 2);
    ctx.moveTo(cx, cy + r - t / 2);
    ctx.lineTo(cx, cy + r + t);
    this.doubleStroke('#ff3df5', 1);

    const a = 7 * d;
    const sx = this.overlays.pageblocks ? this.stripX() : Math.max(0, xa - a);
    ctx.beginPath();
    ctx.moveTo(sx, cy - a);
    ctx.lineTo(Math.max(sx + a, xa), cy);
    ctx.lineTo(sx, cy + a);
    ctx.closePath();
    ctx.fillStyle = '#ff3df5';
    ctx.fill();
    ctx.lineWidth = 1 * d;
    ctx.strokeStyle = '#000000';
    ctx.stroke();
  }

  /** The highlighted block is out of view: an arrow at the nearest edge points to it. */
  private drawEdgeArrow(cx: number, cy: number): void {
    const ctx = this.ctx;
    const d = this.dpr;
    const m = 16 * d;
    const ex = clamp(cx, this.mapLeft() + m, this.devW - m);
    const ey = clamp(cy, m, this.devH - m);
    const angle = Math.atan2(cy - ey, cx - ex);
    ctx.save();
    ctx.translate(ex, ey);
    ctx.rotate(angle);
    ctx.beginPath();
    ctx.moveTo(12 * d, 0);
    ctx.lineTo(-8 * d, -9 * d);
    ctx.lineTo(-8 * d, 9 * d);
    ctx.closePath();
    ctx.fillStyle = '#ff3df5';
    ctx.fill();
    ctx.lineWidth = 1.5 * d;
    ctx.strokeStyle = '#000000';
    ctx.stroke();
    ctx.restore();
  }
}
