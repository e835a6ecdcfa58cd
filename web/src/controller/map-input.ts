// The frame map's input: wheel and pinch zoom, drag to pan, the map's own
// keys, hover and click. It moves the FrameMap's view (render/framemap.ts,
// which only draws) and reports frames under the pointer as pfns.

import type { FrameMap } from '../render/framemap.js';

export interface MapInputHandlers {
  /** The frame under the pointer changed (null: none, or the pointer left). */
  onHover(pfn: number | null, clientX: number, clientY: number): void;
  /** A click (a press that did not drag) on a frame. */
  onClick(pfn: number): void;
  /** The user is moving the view (wheel, drag, keys): a flight to follow an event stops. */
  onManual?(): void;
}

const DRAG_CSS = 4; // a press that moves less is a click

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export class MapInput {
  private readonly abort = new AbortController();
  private hoverIn = false;
  private hoverX = 0;
  private hoverY = 0;
  private hoverRaf = 0;
  private lastHoverPfn: number | null = null;
  private lastHoverX = NaN;
  private lastHoverY = NaN;
  private drag: { id: number; x0: number; y0: number; x: number; y: number; moved: boolean } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly map: FrameMap,
    private readonly handlers: MapInputHandlers,
  ) {
    if (!canvas.hasAttribute('tabindex')) canvas.tabIndex = 0;
    // Without this a touch drag would scroll the page instead of panning.
    canvas.style.touchAction = 'none';
    // What is under a still pointer changes when the map moves.
    map.onViewChange(() => {
      if (this.hoverIn) this.scheduleHover();
    });
    this.listen();
  }

  destroy(): void {
    this.abort.abort();
    if (this.hoverRaf) cancelAnimationFrame(this.hoverRaf);
    this.hoverRaf = 0;
  }

  private listen(): void {
    const c = this.canvas;
    const signal = this.abort.signal;
    c.addEventListener('wheel', (e) => this.onWheel(e), { passive: false, signal });
    c.addEventListener('pointerdown', (e) => this.onPointerDown(e), { signal });
    c.addEventListener('pointermove', (e) => this.onPointerMove(e), { signal });
    c.addEventListener('pointerup', (e) => this.onPointerUp(e), { signal });
    c.addEventListener('pointercancel', () => this.endDrag(), { signal });
    c.addEventListener(
      'pointerleave',
      () => {
        if (this.drag) return; // captured: the drag goes on outside
        this.hoverIn = false;
        this.lastHoverPfn = null;
        this.handlers.onHover(null, this.hoverX, this.hoverY);
      },
      { signal },
    );
    c.addEventListener(
      'dblclick',
      (e) => {
        e.preventDefault();
        this.handlers.onManual?.();
        this.map.resetView();
      },
      { signal },
    );
    c.addEventListener('keydown', (e) => this.onKey(e), { signal });
  }

  /** Plain wheel zooms only when the map has focus, so a page scrolled with
   *  the mouse over the map keeps scrolling; Ctrl+wheel (and trackpad
   *  pinch, which arrives as Ctrl+wheel) always zooms. With focus,
   *  Shift+wheel pans up and down. */
  private onWheel(e: WheelEvent): void {
    if (!e.ctrlKey && document.activeElement !== this.canvas) return;
    e.preventDefault();
    this.handlers.onManual?.();
    let dy = e.deltaY || (e.shiftKey ? e.deltaX : 0);
    if (e.deltaMode === 1) dy *= 16;
    else if (e.deltaMode === 2) dy *= this.map.heightCss();
    if (e.shiftKey && !e.ctrlKey) {
      this.map.panByCss(0, dy);
      return;
    }
    this.map.zoomAtClient(clamp(Math.exp(-dy * 0.002), 0.5, 2), e.clientX, e.clientY);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { id: e.pointerId, x0: e.clientX, y0: e.clientY, x: e.clientX, y: e.clientY, moved: false };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onPointerMove(e: PointerEvent): void {
    this.hoverIn = true;
    this.hoverX = e.clientX;
    this.hoverY = e.clientY;
    this.scheduleHover();
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    if (!d.moved && Math.hypot(e.clientX - d.x0, e.clientY - d.y0) >= DRAG_CSS) {
      d.moved = true;
      this.canvas.style.cursor = 'grabbing';
    }
    if (d.moved) this.handlers.onManual?.();
    if (d.moved) this.map.panByCss(-(e.clientX - d.x), -(e.clientY - d.y));
    d.x = e.clientX;
    d.y = e.clientY;
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.endDrag();
    if (!d.moved) {
      const pfn = this.map.pfnAt(e.clientX, e.clientY);
      if (pfn !== null) this.handlers.onClick(pfn);
    }
  }

  private endDrag(): void {
    if (this.drag && this.canvas.hasPointerCapture(this.drag.id)) this.canvas.releasePointerCapture(this.drag.id);
    this.drag = null;
    this.canvas.style.cursor = '';
  }

  /** Only keys the map uses are consumed. Shift+arrows, space, ?, [ and ]
   *  belong to the page's player and bubble on untouched. */
  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const map = this.map;
    const view = map.viewCells();
    switch (e.key) {
      case '+':
      case '=':
        map.zoomBy(1.25);
        break;
      case '-':
      case '_':
        map.zoomBy(0.8);
        break;
      case '0':
        map.resetView();
        break;
      case 'ArrowUp':
      case 'ArrowDown':
      case 'ArrowLeft':
      case 'ArrowRight': {
        if (e.shiftKey) return;
        const v = e.key === 'ArrowUp' ? -1 : e.key === 'ArrowDown' ? 1 : 0;
        const h = e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowRight' ? 1 : 0;
        map.panBy(h * Math.max(1, view.cols / 8), v * Math.max(1, view.rows / 8));
        break;
      }
      case 'PageUp':
      case 'PageDown':
        map.panBy(0, (e.key === 'PageUp' ? -0.9 : 0.9) * view.rows);
        break;
      case 'Home':
        map.panBy(0, -map.rowCount);
        break;
      case 'End':
        map.panBy(0, map.rowCount);
        break;
      default:
        return;
    }
    this.handlers.onManual?.();
    e.preventDefault();
    e.stopPropagation();
  }

  /** Hover is reported at most once per animation frame. */
  private scheduleHover(): void {
    if (this.hoverRaf === 0) this.hoverRaf = requestAnimationFrame(this.hoverTick);
  }

  private readonly hoverTick = (): void => {
    this.hoverRaf = 0;
    if (!this.hoverIn) return;
    const pfn = this.map.pfnAt(this.hoverX, this.hoverY);
    if (pfn === this.lastHoverPfn && this.hoverX === this.lastHoverX && this.hoverY === this.lastHoverY) return;
    this.lastHoverPfn = pfn;
    this.lastHoverX = this.hoverX;
    this.lastHoverY = this.hoverY;
    this.handlers.onHover(pfn, this.hoverX, this.hoverY);
  };
}
