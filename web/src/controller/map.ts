// The frame map's wiring, once the engine's catalogue has given its layout:
// the map itself, its input, the overlay boxes, the zoom buttons, the legend
// and the hover tooltip.

import type { Catalog } from '../engine/catalogue.js';
import { FrameMap } from '../render/framemap.js';
import { readMapTheme } from '../render/maptheme.js';
import { t } from '../words/i18n.js';
import type { Context } from './context.js';
import { MapInput } from './map-input.js';
import { viewPrefs } from './prefs.js';

/** Makes the frame map; a click on a frame calls `onClick(pfn)`. */
export function mountMap(ctx: Context, cat: Catalog, onClick: (pfn: number) => void): FrameMap {
  const { dom } = ctx;
  const map = new FrameMap(dom.map, {
    pageblockPages: cat.pageblockPages,
    maxOrder: cat.maxOrder,
    migrateTypes: cat.raw.names.migratetype_en,
  });
  new MapInput(dom.map, map, { onHover: (pfn, x, y) => hover(ctx, pfn, x, y), onClick });

  const overlays = () =>
    map.setOverlays({
      zones: dom.ovZones.checked,
      pageblocks: dom.ovPageblocks.checked,
      outlines: dom.ovOutlines.checked,
    });
  for (const box of [dom.ovZones, dom.ovPageblocks, dom.ovOutlines]) box.addEventListener('change', overlays);
  overlays();
  dom.zoomIn.addEventListener('click', () => map.zoomBy(2));
  dom.zoomOut.addEventListener('click', () => map.zoomBy(0.5));
  dom.zoomReset.addEventListener('click', () => map.resetView());
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
