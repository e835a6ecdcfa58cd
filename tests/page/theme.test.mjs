// Themes: the view preferences (controller/prefs.ts) and the colours of
// web/style.css. The stylesheet writes every colour as light-dark(LIGHT,
// DARK) for browsers that have it and the light ones again for those that do
// not; both lists must agree. Text and the backgrounds it sits on must meet
// WCAG AA (4.5:1) in all four themes (light, dark, and projector mode's
// high-contrast light and dark), and projector mode AAA (7:1) for the
// page's main text. The browser layout test checks what is rendered; this
// checks every theme, including the ones it does not open.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { page } from './support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const css = readFileSync(path.join(root, 'web/style.css'), 'utf8');

let prefs;
let maptheme;
before(async () => {
  prefs = await page('controller/prefs.js');
  maptheme = await page('render/maptheme.js');
});

/** The declarations of the first rule with exactly this selector, after `from`. */
function block(selector, from = 0) {
  const at = css.indexOf(`${selector} {`, from);
  assert.ok(at >= 0, `style.css has no "${selector}" rule`);
  const body = css.slice(at + selector.length + 2, css.indexOf('}', at));
  const props = new Map();
  for (const m of body.matchAll(/--([\w-]+):\s*([^;]+);/g)) props.set(m[1], m[2].trim());
  return props;
}

const supportsAt = css.indexOf('@supports (color: light-dark(');
const THEMES = {
  light: { props: block(':root'), pair: 0, modern: block(':root', supportsAt) },
  projector: { props: block(':root[data-projector]'), pair: 0, modern: block(':root[data-projector]', supportsAt) },
};

/** light-dark(a, b) -> [a, b] (a and b may be rgba(...)). */
function pair(v) {
  const m = /^light-dark\((.*)\)$/.exec(v);
  assert.ok(m, `not a light-dark(): ${v}`);
  let depth = 0;
  for (let i = 0; i < m[1].length; i++) {
    const ch = m[1][i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) return [m[1].slice(0, i).trim(), m[1].slice(i + 1).trim()];
  }
  assert.fail(`light-dark() without two colours: ${v}`);
}

/** Property -> colour in each of the four themes. */
function palette(name) {
  const base = name.startsWith('projector') ? THEMES.projector : THEMES.light;
  const dark = name.endsWith('dark');
  const out = new Map();
  for (const [k, v] of base.modern) out.set(k, pair(v)[dark ? 1 : 0]);
  // Projector mode overrides the colours; the rest (cells) come from :root.
  if (base === THEMES.projector) {
    for (const [k, v] of THEMES.light.props) if (!out.has(k)) out.set(k, v);
  }
  return out;
}

const lum = ([r, g, b]) => {
  const ch = [r, g, b].map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
};
const ratio = (a, b) => {
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

/** [text, background] pairs the page draws (style.css and structures.css). */
const TEXT_ON = [
  ['fg', 'bg'],
  ['fg', 'panel'],
  ['muted', 'bg'],
  ['muted', 'panel'],
  ['accent', 'panel'],
  ['accent', 'bg'],
  ['accent-fg', 'accent-bg'],
  ['fg', 'input-bg'],
  ['muted', 'input-bg'],
  ['bar-fg', 'bar'],
  ['bar-muted', 'bar'],
  ['bar-fg', 'bar-input'],
  ['err-fg', 'err-bg'],
  ['ok-fg', 'ok-bg'],
  ['warn-fg', 'warn-bg'],
  ['fg', 'narr-bg'],
  ['muted', 'narr-bg'],
  ['accent', 'narr-bg'],
  ['fg', 'narr-warn-bg'],
  ['zero', 'panel'],
  ['zero', 'hl-row'],
  ['zero', 'victim-bg'],
  ['zero', 'hover-bg'],
  ['fg', 'hl-row'],
  ['fg', 'victim-bg'],
  ['fg', 'sel-bg'],
  ['dead', 'panel'],
  ['dead', 'victim-bg'],
  ['prot', 'panel'],
  ['prot', 'prot-bg'],
  ['unkillable', 'panel'],
  ['over', 'panel'],
  ['tip-fg', 'tip-bg'],
  ['map-label-fg', 'map-label-bg'],
  ['map-label-fg', 'map-node-label-bg'],
];
/** White text on these (the watermark chips, the victim badge). */
const WHITE_ON = ['lv-min', 'lv-low', 'lv-ok', 'badge-bg'];

test('every light-dark() colour has the same light fallback for older browsers', () => {
  for (const [name, t] of Object.entries(THEMES)) {
    assert.ok(t.modern.size > 40, `${name}: ${t.modern.size} light-dark() properties`);
    for (const [k, v] of t.modern) {
      assert.equal(t.props.get(k), pair(v)[0], `${name}: --${k} fallback`);
    }
    for (const k of t.props.keys()) {
      if (!k.startsWith('cell-') && !['mono', 'sans', 'gap', 'pad', 'line-width'].includes(k))
        assert.ok(t.modern.has(k), `${name}: --${k} has no light-dark() pair`);
    }
  }
});

for (const theme of ['light', 'dark', 'projector-light', 'projector-dark']) {
  test(`text contrast meets WCAG AA in the ${theme} theme`, () => {
    const p = palette(theme);
    const rgb = (k) => {
      assert.ok(p.has(k), `--${k} is missing`);
      return maptheme.parseColor(p.get(k));
    };
    const composite = (fg, bg) => {
      const a = fg[3];
      return [0, 1, 2].map((i) => fg[i] * a + bg[i] * (1 - a));
    };
    const low = [];
    const panel = rgb('panel');
    for (const [text, on] of TEXT_ON) {
      // Translucent backgrounds (the tooltip, map labels) sit on the map.
      const bgc = rgb(on);
      const bg = bgc[3] < 1 ? composite(bgc, rgb('map-bg')) : bgc;
      const r = ratio(composite(rgb(text), bg), bg);
      const need = theme.startsWith('projector') && ['fg', 'muted'].includes(text) ? 7 : 4.5;
      if (r < need) low.push(`--${text} on --${on}: ${r.toFixed(2)} < ${need}`);
    }
    for (const on of WHITE_ON) {
      const r = ratio([255, 255, 255], rgb(on));
      if (r < 4.5) low.push(`white on --${on}: ${r.toFixed(2)}`);
    }
    // The focus ring must stand out (3:1, WCAG 2.2 non-text contrast).
    for (const on of ['bg', 'panel']) {
      const r = ratio(rgb('focus'), rgb(on));
      if (r < 3) low.push(`--focus on --${on}: ${r.toFixed(2)} < 3`);
    }
    const r = ratio(rgb('bar-focus'), rgb('bar'));
    if (r < 3) low.push(`--bar-focus on --bar: ${r.toFixed(2)} < 3`);
    assert.ok(panel, 'a panel colour');
    assert.deepEqual(low, []);
  });
}

test('prefs: the theme cycles auto, light, dark', () => {
  assert.equal(prefs.nextTheme('auto'), 'light');
  assert.equal(prefs.nextTheme('light'), 'dark');
  assert.equal(prefs.nextTheme('dark'), 'auto');
  assert.equal(prefs.resolvedTheme('auto', true), 'dark');
  assert.equal(prefs.resolvedTheme('auto', false), 'light');
  assert.equal(prefs.resolvedTheme('light', true), 'light');
});

test('prefs: remembered values are read back; bad or missing ones give the defaults', () => {
  const store = (o) => ({ getItem: (k) => (k in o ? o[k] : null) });
  assert.deepEqual(prefs.storedPrefs(null), prefs.DEFAULT_PREFS);
  assert.deepEqual(prefs.storedPrefs(store({})), { theme: 'auto', projector: false, follow: true });
  assert.deepEqual(
    prefs.storedPrefs(
      store({ 'mm-playground.theme': 'dark', 'mm-playground.projector': 'true', 'mm-playground.follow': 'false' }),
    ),
    { theme: 'dark', projector: true, follow: false },
  );
  assert.deepEqual(prefs.storedPrefs(store({ 'mm-playground.theme': 'neon', 'mm-playground.follow': 'maybe' })), {
    theme: 'auto',
    projector: false,
    follow: true,
  });
  const throwing = {
    getItem() {
      throw new Error('SecurityError');
    },
  };
  assert.deepEqual(prefs.storedPrefs(throwing), prefs.DEFAULT_PREFS, 'disabled storage is not fatal');
});

test('prefs: the URL fragment sets theme, projector and follow; other keys and bad values are ignored', () => {
  assert.deepEqual(prefs.prefsFromHash(''), {});
  assert.deepEqual(prefs.prefsFromHash('#machine=ram%3D1G&theme=dark&projector=1&follow=0'), {
    theme: 'dark',
    projector: true,
    follow: false,
  });
  assert.deepEqual(prefs.prefsFromHash('#theme=light&projector=0'), { theme: 'light', projector: false });
  assert.deepEqual(prefs.prefsFromHash('#theme=sepia&projector=yes'), {});
});
