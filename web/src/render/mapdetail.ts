// The frame map's detail window: on a machine above 16 GiB a map cell stands
// for 2^shift frames (render/mapgeom.ts cellGrid), so once the user has
// zoomed in far enough for a cell's frames to be told apart, the cells in
// view (and a margin round them, so a pan does not ask again at once) are
// fetched one frame per byte through the page's window source (the engine's
// mapCellsRange) and painted into a bitmap of their own, each cell's frames
// in its 2^across x 2^down grid. The window is kept until the data changes
// (a new cursor position: FrameMap.setData calls clear()) or the view leaves it.

import { cellGrid } from './mapgeom.js';

/** Frames [first, first + count) one byte each, as MapData.cells: the page's
 *  door to the engine's mapCellsRange (a copy: the map keeps it). */
export type FrameWindowSource = (first: number, count: number) => Uint8Array;

/** The engine serves at most this many frames a window (kMaxMapCells). */
export const MAX_WINDOW_FRAMES = 4194304;

/** The cells a window holds: rows [r0, r1), columns [c0, c1). */
export interface CellSpan {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export interface DetailLayout {
  rowCells: number;
  shift: number;
  frames: number;
}

export class MapDetail {
  /** What the bitmap holds; null: nothing yet (or cleared). */
  span: CellSpan | null = null;
  /** Frames of each row of the span, cells [c0, c1) of it (shorter at the machine's end). */
  rows: Uint8Array[] = [];
  /** Windows fetched since the page began (for tests and the benchmark). */
  fetches = 0;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;

  constructor() {
    this.canvas = document.createElement('canvas');
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('MapDetail: no 2D canvas context');
    this.ctx = ctx;
  }

  clear(): void {
    this.span = null;
    this.rows = [];
  }

  /** Whether the window holds every cell of `want`. */
  covers(want: CellSpan): boolean {
    const s = this.span;
    return s !== null && want.r0 >= s.r0 && want.r1 <= s.r1 && want.c0 >= s.c0 && want.c1 <= s.c1;
  }

  /** Fetches the cells of `want` grown by half its size each side (within
   *  the machine and the engine's limit), one window per row, and paints
   *  them with `paint(cellByte, x, y)` (the map's colour lookup). False when
   *  even `want` alone is more than the engine serves. */
  fetch(
    want: CellSpan,
    lay: DetailLayout,
    rowsOfMachine: number,
    source: FrameWindowSource,
    paint: (v: number, x: number, y: number) => number,
  ): boolean {
    const per = 2 ** lay.shift;
    const area = (s: CellSpan) => (s.r1 - s.r0) * (s.c1 - s.c0) * per;
    if (area(want) > MAX_WINDOW_FRAMES) return false;
    const dr = Math.ceil((want.r1 - want.r0) / 2);
    const dc = Math.ceil((want.c1 - want.c0) / 2);
    let span: CellSpan = {
      r0: Math.max(0, want.r0 - dr),
      r1: Math.min(rowsOfMachine, want.r1 + dr),
      c0: Math.max(0, want.c0 - dc),
      c1: Math.min(lay.rowCells, want.c1 + dc),
    };
    if (area(span) > MAX_WINDOW_FRAMES) span = want;
    const rows: Uint8Array[] = [];
    for (let r = span.r0; r < span.r1; r++) {
      const first = (r * lay.rowCells + span.c0) * per;
      const count = Math.min((span.c1 - span.c0) * per, lay.frames - first);
      rows.push(count > 0 ? source(first, count) : new Uint8Array(0));
    }
    this.span = span;
    this.rows = rows;
    this.fetches++;
    this.paint(lay.shift, paint);
    return true;
  }

  /** The byte of frame `pfn` if the window holds it, else -1. */
  frame(pfn: number, lay: DetailLayout): number {
    const s = this.span;
    if (!s) return -1;
    const per = 2 ** lay.shift;
    const cell = Math.floor(pfn / per);
    const r = Math.floor(cell / lay.rowCells);
    const c = cell % lay.rowCells;
    if (r < s.r0 || r >= s.r1 || c < s.c0 || c >= s.c1) return -1;
    const row = this.rows[r - s.r0]!;
    const i = (c - s.c0) * per + (pfn - cell * per);
    return i < row.length ? row[i]! : -1;
  }

  /** The bitmap: each cell's frames in its grid, row-major inside the cell. */
  private paint(shift: number, lut: (v: number, x: number, y: number) => number): void {
    const s = this.span!;
    const { across, down } = cellGrid(shift);
    const per = across * down;
    const w = (s.c1 - s.c0) * across;
    const h = (s.r1 - s.r0) * down;
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    const image = this.ctx.createImageData(w, h);
    const px = new Uint32Array(image.data.buffer);
    const aShift = Math.log2(across);
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r]!;
      const y0 = r * down;
      for (let i = 0; i < row.length; i++) {
        const cell = Math.floor(i / per);
        const within = i - cell * per;
        const x = cell * across + (within & (across - 1));
        const y = y0 + (within >> aShift);
        px[y * w + x] = lut(row[i]!, x, y);
      }
    }
    this.ctx.putImageData(image, 0, 0);
  }
}
