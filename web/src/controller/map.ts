// The frame map's wiring, once the engine's catalogue has given its layout:
// the map itself, its input, the overlay boxes, the zoom buttons, the legend,
// the hover tooltip, and the camera that follows the event being narrated.

import type { Catalog } from '../engine/catalogue.js';
import { highlightTarget } from '../model/highlight.js';
import type { PageModel } from '../model/page.js';
import { FrameMap } from '../render/framemap.js';
import { followView, lerpView, type View } from '../render/mapgeom.js';
import { readMapTheme } from '../render/maptheme.js';
import { t } from '../words/i18n.js';
import { motionOf } from '../words/narrate.js';
import type { Context } from './context.js';
import { MapInput } from './map-input.js';
import { viewPrefs } from './prefs.js';

/** How long the camera takes to reach a new target (ms). It starts fast
 *  and slows down (ease-out), so when targets come faster than this
 *  (playing) each new one bends the flight without stopping it. */
const FLIGHT_MS = 450;

/** Moves the map's view smoothly to a target, one animation frame at a time;
 *  any move by the user stops it. */
class Camera {
  private flight: { from: View; to: View; start: number } | null = null;
  private raf = 0;
  private readonly reduced = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

  constructor(private readonly map: FrameMap) {}

  get flying(): boolean {
    return this.flight !== null;
  }

  flyTo(v: View): void {
    if (this.reduced?.matches) {
      this.stop();
      this.map.setView(v);
      return;
    }
    this.flight = { from: this.map.view(), to: v, start: performance.now() };
    if (this.raf === 0) this.raf = requestAnimationFrame(this.tick);
  }

  stop(): void {
    this.flight = null;
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  private readonly tick = (now: number): void => {
    this.raf = 0;
    const f = this.flight;
    if (!f) return;
    const t = Math.min(1, Math.max(0, (now - f.start) / FLIGHT_MS));
    const eased = 1 - (1 - t) ** 3;
    this.map.setView(t >= 1 ? f.to : lerpView(f.from, f.to, eased, this.map.geometry()));
    if (t >= 1) this.flight = null;
    else this.raf = requestAnimationFrame(this.tick);
  };
}

/** Makes the frame map; a click on a frame calls `onClick(pfn)`. */
export function mountMap(ctx: Context, cat: Catalog, onClick: (pfn: number) => void): FrameMap {
  const { dom } = ctx;
  const map = new FrameMap(dom.map, {
    pageblockPages: cat.pageblockPages,
    maxOrder: cat.maxOrder,
    migrateTypes: cat.raw.names.migratetype_en,
  });
  const camera = new Camera(map);
  // A large machine zoomed in shows its frames: the map asks the engine at
  // the cursor for the ones in view (a dead engine has none to give).
  map.setFrameWindowSource((first, count) => {
    const engine = ctx.engine;
    if (!engine || engine.crashed) return new Uint8Array(0);
    return engine.mapWindow(first, count);
  });
  // For tests and tools: what the view shows (FrameMap.viewInfo), and the camera's state.
  Object.defineProperty(dom.map, 'frameMapView', {
    value: () => ({ ...map.viewInfo(), flying: camera.flying }),
    configurable: true,
  });
  // For tests: the frame states the map shows, as counts of cells per cell byte and a
  // hash of the cells and of the pageblock types (a link's state must give the same).
  Object.defineProperty(dom.map, 'frameMapStates', {
    value: () => {
      const d = map.shown;
      if (!d) return null;
      const fnv = (a: Uint8Array) => {
        let h = 0x811c9dc5;
        for (const b of a) h = Math.imul(h ^ b, 0x01000193) >>> 0;
        return h;
      };
      const counts: Record<number, number> = {};
      for (const c of d.cells) counts[c] = (counts[c] ?? 0) + 1;
      return {
        frames: d.frames,
        cells: d.cells.length,
        shift: d.shift,
        counts,
        hash: fnv(d.cells),
        pageblocks: fnv(d.pageblockMt),
      };
    },
    configurable: true,
  });
  new MapInput(dom.map, map, {
    onHover: (pfn, x, y) => hover(ctx, pfn, x, y),
    onClick,
    onManual: () => camera.stop(),
  });

  const overlays = () =>
    map.setOverlays({
      zones: dom.ovZones.checked,
      pageblocks: dom.ovPageblocks.checked,
      outlines: dom.ovOutlines.checked,
    });
  for (const box of [dom.ovZones, dom.ovPageblocks, dom.ovOutlines]) box.addEventListener('change', overlays);
  overlays();
  const manual = (move: () => void) => () => {
    camera.stop();
    move();
  };
  dom.zoomIn.addEventListener(
    'click',
    manual(() => map.zoomBy(2)),
  );
  dom.zoomOut.addEventListener(
    'click',
    manual(() => map.zoomBy(0.5)),
  );
  dom.zoomReset.addEventListener(
    'click',
    manual(() => map.resetView()),
  );
  dom.legend.replaceChildren(
    ...map.palette.map((p) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.dataset['swatch'] = String(p.kind);
      const label = document.createElement('span');
      label.dataset['kind'] = String(p.kind);
      li.append(sw, label);
      return li;
    }),
  );

  // The canvas takes its colours from the page's theme: read them again
  // (and redraw) whenever the theme, projector mode or, while the theme
  // follows it, the system's scheme changes.
  const prefs = viewPrefs();
  const retheme = () => {
    map.setTheme(readMapTheme(dom.map, prefs.value.projector));
    for (const sw of dom.legend.querySelectorAll<HTMLElement>('.swatch')) {
      const p = map.palette[Number(sw.dataset['swatch'])];
      if (p) sw.style.background = p.color;
    }
  };
  prefs.onChange((next, before) => {
    if (next.theme !== before.theme || next.projector !== before.projector) retheme();
  });
  prefs.onScheme(retheme);
  retheme();

  // Follow: when the player moves to another event (a step, play, a jump,
  // the scrubber), the camera brings its block into view at a size where
  // its frames read well. A new operation (a boot, an allocation) does not
  // move the view: its end is not a place the user stepped to.
  const follow = (m: PageModel) => {
    const ev = m.player.event;
    if (!ev || !prefs.value.follow) return;
    const target = highlightTarget(ev, motionOf(cat, ev));
    const cells = target && map.highlightCells(target);
    const v = cells && followView(map.view(), map.geometry(), cells, map.followOptions());
    if (v) camera.flyTo(v);
  };
  ctx.store.onChange((next, before) => {
    const a = next.player;
    const b = before.player;
    const stepped =
      a.g !== b.g && a.timeline.ops.length === b.timeline.ops.length && a.timeline.total === b.timeline.total;
    if (stepped) follow(next);
  });
  prefs.onChange((next, before) => {
    if (next.follow === before.follow) return;
    if (next.follow) follow(ctx.store.model);
    else camera.stop();
  });
  return map;
}

/** The tooltip: what the engine says about the frame under the pointer. */
function hover(ctx: Context, pfn: number | null, x: number, y: number): void {
  const { dom, engine } = ctx;
  const tip = dom.mapTip;
  if (pfn === null || !engine) {
    tip.hidden = true;
    return;
  }
  const info = engine.frameInfo(pfn);
  if (!info.ok) {
    tip.hidden = true;
    return;
  }
  const lang = ctx.store.model.lang;
  const lines = [
    t(lang, 'tipPfn', { pfn: info.pfn }) + (info.zone ? ` · Node ${info.node} ${info.zone}` : ''),
    info.head >= 0 ? `order ${info.order} · head ${info.head}` : '',
    `${info.owner}`,
    info.migrateType ? `pageblock: ${info.migrateType}` : '',
  ].filter(Boolean);
  tip.textContent = lines.join('\n');
  tip.hidden = false;
  const box = dom.map.getBoundingClientRect();
  tip.style.left = `${Math.min(x - box.left + 14, box.width - 220)}px`;
  tip.style.top = `${y - box.top + 14}px`;
}
