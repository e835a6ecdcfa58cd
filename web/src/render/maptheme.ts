// The frame map's colours, read from the page's theme (style.css: the
// --cell-*, --mt-* and --map-* properties), so the canvas follows light,
// dark and projector mode like the rest of the page. A canvas cannot use
// var() or light-dark(): each property is resolved by a probe element's
// computed colour, which is always rgb() or rgba().

/** Colours by frame kind (KIND_NAMES in framemap.ts), the free ramp's two
 *  ends, pageblock migrate types by name, and the overlays'. */
export interface MapTheme {
  kinds: readonly string[];
  freeLo: string;
  freeHi: string;
  holeHatch: string;
  migrateTypes: Readonly<Record<string, string>>;
  mtUnknown: string;
  labelBg: string;
  labelFg: string;
  nodeLabelBg: string;
  grid: string;
  rowLine: string;
  outlineFree: string;
  outline: string;
  boundary: string;
  boundaryUnder: string;
  pfnDark: string;
  pfnLight: string;
  /** Projector mode: thicker lines, bigger labels and cells. */
  bold: boolean;
}

/** The light theme, for a map made before any stylesheet applies (and for tests). */
export const DEFAULT_MAP_THEME: MapTheme = {
  kinds: [
    '#2b2f36', // Hole: dark, with a lighter hatch painted into the bitmap
    '#8a9099', // Reserved: mid grey
    '#d9dce1', // Uninit: pale grey (struct pages not initialised yet)
    '#5aa95e', // Free: stands for the green ramp (freeLo .. freeHi)
    '#e8cf4f', // Pcp: yellow
    '#3b6fb6', // Kernel: blue
    '#6a3d9a', // PageTable: deep purple, darker than the kernel blue
    '#f08c2e', // Slab: orange, lighter than anon red
    '#cf2e3e', // Anon: red
    '#44b3d2', // PageCache: light teal-blue, lighter than free greens of the same hue range
    '#b3a58a', // Other: neutral tan
  ],
  freeLo: '#bfe5b4',
  freeHi: '#17703a',
  holeHatch: '#3a3f48',
  migrateTypes: {
    Unmovable: '#332288',
    Movable: '#44aa99',
    Reclaimable: '#ddcc77',
    HighAtomic: '#cc6677',
    Isolate: '#555555',
  },
  mtUnknown: '#999999',
  labelBg: 'rgba(20, 24, 30, 0.85)',
  labelFg: '#ffffff',
  nodeLabelBg: 'rgba(36, 87, 197, 0.92)',
  grid: 'rgba(0, 0, 0, 0.12)',
  rowLine: 'rgba(255, 255, 255, 0.55)',
  outlineFree: 'rgba(8, 40, 16, 0.85)',
  outline: 'rgba(0, 0, 0, 0.35)',
  boundary: '#1d232b',
  boundaryUnder: 'rgba(255, 255, 255, 0.85)',
  pfnDark: '#0b1117',
  pfnLight: '#ffffff',
  bold: false,
};

/** The CSS property of each kind, in KIND_NAMES order. */
const KIND_PROPS = [
  '--cell-hole',
  '--cell-reserved',
  '--cell-uninit',
  '--cell-free-lo', // replaced by the ramp's middle below
  '--cell-pcp',
  '--cell-kernel',
  '--cell-pagetable',
  '--cell-slab',
  '--cell-anon',
  '--cell-pagecache',
  '--cell-other',
];

/** Reads the theme in effect at `el` (the map's canvas). */
export function readMapTheme(el: HTMLElement, bold: boolean): MapTheme {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  (el.parentElement ?? document.body).append(probe);
  const d = DEFAULT_MAP_THEME;
  const color = (prop: string, fallback: string): string => {
    probe.style.color = '';
    probe.style.color = `var(${prop}, ${fallback})`;
    const c = getComputedStyle(probe).color;
    return /^rgba?\(/.test(c) ? c : fallback;
  };
  try {
    const kinds = KIND_PROPS.map((p, i) => color(p, d.kinds[i]!));
    kinds[3] = d.kinds[3]!; // the legend's free swatch is the ramp's middle (framemap.ts)
    return {
      kinds,
      freeLo: color('--cell-free-lo', d.freeLo),
      freeHi: color('--cell-free-hi', d.freeHi),
      holeHatch: color('--cell-hole-hatch', d.holeHatch),
      migrateTypes: {
        Unmovable: color('--mt-unmovable', d.migrateTypes['Unmovable']!),
        Movable: color('--mt-movable', d.migrateTypes['Movable']!),
        Reclaimable: color('--mt-reclaimable', d.migrateTypes['Reclaimable']!),
        HighAtomic: color('--mt-highatomic', d.migrateTypes['HighAtomic']!),
        Isolate: color('--mt-isolate', d.migrateTypes['Isolate']!),
      },
      mtUnknown: d.mtUnknown,
      labelBg: color('--map-label-bg', d.labelBg),
      labelFg: color('--map-label-fg', d.labelFg),
      nodeLabelBg: color('--map-node-label-bg', d.nodeLabelBg),
      grid: color('--map-grid', d.grid),
      rowLine: color('--map-rowline', d.rowLine),
      outlineFree: color('--map-outline-free', d.outlineFree),
      outline: color('--map-outline', d.outline),
      boundary: color('--map-boundary', d.boundary),
      boundaryUnder: color('--map-boundary-under', d.boundaryUnder),
      pfnDark: color('--map-pfn-dark', d.pfnDark),
      pfnLight: color('--map-pfn-light', d.pfnLight),
      bold,
    };
  } finally {
    probe.remove();
  }
}

/** [r, g, b, a] of '#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)'; black if unreadable. */
export function parseColor(c: string): [number, number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (hex) {
    const v = parseInt(hex[1]!, 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255, 1];
  }
  const m = /^rgba?\(([^)]*)\)$/.exec(c.trim());
  if (!m) return [0, 0, 0, 1];
  const p = m[1]!
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map((x) => (x.endsWith('%') ? (parseFloat(x) / 100) * 255 : parseFloat(x)));
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
}
