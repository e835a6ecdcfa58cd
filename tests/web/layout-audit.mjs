// What the layout tests check in the page, as one function run in the page
// (page.evaluate(auditLayout, options)); it returns a list of problems in
// plain words, empty when the page is laid out well:
//   overlap   no two visible controls (buttons, inputs, selects, text areas,
//             tabs, the map canvas) or key boxes (the narration, the player,
//             the legend, the footer, the open tab panel...) overlap, unless
//             one holds the other; what a scroll container hides does not count;
//   clipping  no element's content is wider than its box: an element that
//             scrolls sideways must be an explicit horizontal scroller
//             (SCROLLERS), and nothing is cut by overflow: hidden or clip;
//             content spilling out of its box (overflow: visible) counts too;
//   one line  tabs and the buttons of the bars never wrap their label;
//   contrast  every visible text meets WCAG AA on what is behind it (4.5:1,
//             3:1 for large text), disabled controls excepted;
//   fold      (options.fold) the map, the player and the narration are all on
//             the first screen, uncut;
//   width     the document is no wider than the viewport.
// It must stay self-contained: playwright serialises it into the page.

/** Boxes that are meant to scroll sideways (their content may be wider). */
export const SCROLLERS = [
  '.hscroll', // the tab strip and other marked strips
  '.sv-scroll', // a structure view's table
  'pre', // kernel text: long lines scroll, they never wrap
  'textarea',
  'input',
  'select',
].join(', ');

/** Decorations drawn across their box's edges on purpose (a gauge's marks,
 *  the scrubber's ticks): their overflow is not content. */
export const DECORATIONS = ['.sv-gauge', '.sv-tick', '.markers'].join(', ');

export function auditLayout(options = {}) {
  const SCROLLERS_ = options.scrollers;
  const DECORATIONS_ = options.decorations;
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;

  const describe = (el) => {
    if (el.id) return `#${el.id}`;
    const cls = [...el.classList].slice(0, 2).join('.');
    const text = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 24);
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''}${text ? ` "${text}"` : ''}`;
  };
  // Visually hidden text (the 1 px clip technique) is for screen readers: not shown.
  const shown = (el) => {
    if (el.getClientRects().length === 0) return false;
    if (!(el.checkVisibility?.({ checkOpacity: false, visibilityProperty: true }) ?? true)) return false;
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1) return false;
    }
    return true;
  };

  /** The part of `el` not hidden by a scrolling or clipping ancestor. */
  const visibleRect = (el) => {
    const r = el.getBoundingClientRect();
    let x0 = r.left;
    let y0 = r.top;
    let x1 = r.right;
    let y1 = r.bottom;
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      const left = ar.left + a.clientLeft;
      const top = ar.top + a.clientTop;
      if (cs.overflowX !== 'visible') {
        x0 = Math.max(x0, left);
        x1 = Math.min(x1, left + a.clientWidth);
      }
      if (cs.overflowY !== 'visible') {
        y0 = Math.max(y0, top);
        y1 = Math.min(y1, top + a.clientHeight);
      }
    }
    return x1 - x0 > 0.5 && y1 - y0 > 0.5 ? { x0, y0, x1, y1 } : null;
  };

  // --- overlap -----------------------------------------------------------------
  const CONTROLS = 'button, input, select, textarea, [role="tab"], canvas';
  const BOXES = [
    '.topbar h1',
    '.map-head h2',
    '.map-wrap',
    '#map-help',
    '#legend',
    '#player',
    '#p-position',
    '#narration',
    '.tabs',
    '.panel:not([hidden])',
    '.side',
    'footer',
    '.notices',
  ].join(', ');
  const items = [...document.querySelectorAll(`${CONTROLS}, ${BOXES}`)]
    .filter((el) => shown(el) && !el.closest('dialog:not([open])') && !el.closest('.sr-only'))
    .map((el) => ({ el, r: visibleRect(el) }))
    .filter((i) => i.r !== null);
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i];
      const b = items[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.x1, b.r.x1) - Math.max(a.r.x0, b.r.x0);
      const h = Math.min(a.r.y1, b.r.y1) - Math.max(a.r.y0, b.r.y0);
      if (w > 1 && h > 1)
        problems.push(`overlap: ${describe(a.el)} and ${describe(b.el)} (${w.toFixed(0)}×${h.toFixed(0)} px)`);
    }
  }

  // --- clipping -----------------------------------------------------------------
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || el.closest('dialog:not([open])') || el.closest('.sr-only')) continue;
    if (el.matches(DECORATIONS_)) continue;
    if (el instanceof SVGElement || el instanceof HTMLCanvasElement || el instanceof HTMLOptionElement) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'contents') continue;
    const wide = el.scrollWidth - el.clientWidth;
    const tall = el.scrollHeight - el.clientHeight;
    if (wide > 1) {
      if (cs.overflowX === 'hidden' || cs.overflowX === 'clip') {
        problems.push(`clipped: ${describe(el)} hides ${wide} px of its content's width`);
      } else if (cs.overflowX === 'visible') {
        problems.push(`spills: ${describe(el)}'s content is ${wide} px wider than its box`);
      } else if (!el.matches(SCROLLERS_)) {
        problems.push(`scrolls sideways: ${describe(el)} (${wide} px) is not a horizontal scroller`);
      }
    }
    if (tall > 1 && (cs.overflowY === 'hidden' || cs.overflowY === 'clip')) {
      problems.push(`clipped: ${describe(el)} hides ${tall} px of its content's height`);
    }
    // (A table row is as tall as its cells; a cell spanning rows is taller.)
    const tablePart = el instanceof HTMLTableSectionElement || el instanceof HTMLTableRowElement;
    if (tall > 1 && cs.overflowY === 'visible' && !tablePart) {
      problems.push(`spills: ${describe(el)}'s content is ${tall} px taller than its box`);
    }
  }

  // --- one line -------------------------------------------------------------------
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [];
    for (const r of range.getClientRects()) {
      if (r.width < 1) continue;
      if (!tops.some((t) => Math.abs(t - r.top) < r.height / 2)) tops.push(r.top);
    }
    return tops.length;
  };
  for (const el of document.querySelectorAll(
    '[role="tab"], .topbar button, .player button, .map-tools button, .map-tools label, .actions button, .toolbar button, .cmd-form button',
  )) {
    if (!shown(el) || visibleRect(el) === null) continue;
    const n = lines(el);
    if (n > 1) problems.push(`wraps: ${describe(el)} takes ${n} lines`);
  }

  // --- contrast -----------------------------------------------------------------------
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (el) => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const bg = parse(getComputedStyle(a).backgroundColor);
      if (bg && bg[3] > 0) layers.push(bg);
      if (bg && bg[3] >= 1) break;
    }
    let c = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) c = over(layers[i], c);
    return c;
  };
  const faded = (el) => {
    for (let a = el; a; a = a.parentElement) if (Number(getComputedStyle(a).opacity) < 1) return true;
    return false;
  };
  const seen = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
    const field =
      (el instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'color'].includes(el.type)) ||
      el instanceof HTMLSelectElement ||
      el instanceof HTMLTextAreaElement;
    if (!own && !(field && (el.value ?? '') !== '')) continue;
    if (!shown(el) || el.closest('dialog:not([open])') || el.closest('.sr-only') || visibleRect(el) === null) continue;
    if (el.closest(':disabled') || faded(el) || el.closest('[aria-disabled="true"]')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') continue;
    const fg = parse(cs.color);
    if (!fg) continue;
    const bg = background(el);
    const r = ratio(over(fg, bg), bg);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    // One report per kind of element and pair of colours.
    const key = `${el.tagName}.${[...el.classList].join('.')} ${cs.color} ${bg.join()}`;
    if (r + 0.005 < need && !seen.has(key)) {
      seen.add(key);
      problems.push(
        `contrast: ${describe(el)} ${r.toFixed(2)}:1 < ${need}:1 (${cs.color} on rgb(${bg.slice(0, 3).join(', ')}))`,
      );
    }
  }

  // --- the first screen and the width ---------------------------------------------------
  if (options.fold) {
    for (const sel of ['#map', '#player', '#narration']) {
      const el = document.querySelector(sel);
      const r = el?.getBoundingClientRect();
      const v = el && visibleRect(el);
      if (!r || !v) problems.push(`fold: ${sel} is not on screen`);
      else if (r.top < -0.5 || r.bottom > vh + 0.5 || r.left < -0.5 || r.right > vw + 0.5)
        problems.push(`fold: ${sel} is not on the first screen (${r.top.toFixed(0)}..${r.bottom.toFixed(0)} of ${vh})`);
      else if (v.y1 - v.y0 < r.height - 1 || v.x1 - v.x0 < r.width - 1) problems.push(`fold: ${sel} is partly hidden`);
    }
  }
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > vw) problems.push(`width: the document is ${docWidth} px wide in a ${vw} px viewport`);
  return problems;
}
