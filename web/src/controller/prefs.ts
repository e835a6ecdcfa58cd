// The page's view preferences: the theme (auto follows the system's light or
// dark, or light, or dark), projector mode (large type, high contrast,
// thicker lines, bigger map cells) and whether the frame map follows the
// event being narrated. Each has a toggle and a key (t, b, c), is
// remembered in localStorage, and can be set for one visit by the URL
// fragment (theme=light|dark|auto, projector=1|0, follow=1|0: an embed or a
// lecture's link), which is not remembered.
//
// They live on <html> as data-theme (absent for auto) and data-projector,
// where style.css reads them; what draws on a canvas (the frame map) listens
// through onChange and for the system's scheme through onScheme.

export type ThemePref = 'auto' | 'light' | 'dark';
export const THEMES: readonly ThemePref[] = ['auto', 'light', 'dark'];

export interface ViewPrefs {
  theme: ThemePref;
  projector: boolean;
  follow: boolean;
}

export const DEFAULT_PREFS: ViewPrefs = { theme: 'auto', projector: false, follow: true };

const KEYS: Record<keyof ViewPrefs, string> = {
  theme: 'mm-playground.theme',
  projector: 'mm-playground.projector',
  follow: 'mm-playground.follow',
};

/** The next theme of the cycle auto -> light -> dark -> auto. */
export function nextTheme(t: ThemePref): ThemePref {
  return THEMES[(THEMES.indexOf(t) + 1) % THEMES.length]!;
}

function parseTheme(v: string | null | undefined): ThemePref | null {
  return v === 'auto' || v === 'light' || v === 'dark' ? v : null;
}

function parseBool(v: string | null | undefined): boolean | null {
  if (v === '1' || v === 'true' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'off') return false;
  return null;
}

/** What localStorage remembers (defaults where it holds nothing usable). */
export function storedPrefs(storage: Pick<Storage, 'getItem'> | null): ViewPrefs {
  const get = (k: keyof ViewPrefs): string | null => {
    try {
      return storage?.getItem(KEYS[k]) ?? null;
    } catch {
      return null; // storage may be disabled; the page still works
    }
  };
  return {
    theme: parseTheme(get('theme')) ?? DEFAULT_PREFS.theme,
    projector: parseBool(get('projector')) ?? DEFAULT_PREFS.projector,
    follow: parseBool(get('follow')) ?? DEFAULT_PREFS.follow,
  };
}

/** What the URL fragment sets for this visit; unknown values are ignored. */
export function prefsFromHash(hash: string): Partial<ViewPrefs> {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Partial<ViewPrefs> = {};
  const theme = parseTheme(p.get('theme'));
  if (theme) out.theme = theme;
  const projector = parseBool(p.get('projector'));
  if (projector !== null) out.projector = projector;
  const follow = parseBool(p.get('follow'));
  if (follow !== null) out.follow = follow;
  return out;
}

/** The theme in effect: auto resolves to the system's scheme. */
export function resolvedTheme(t: ThemePref, systemDark: boolean): 'light' | 'dark' {
  return t === 'auto' ? (systemDark ? 'dark' : 'light') : t;
}

export type PrefsListener = (p: ViewPrefs, before: ViewPrefs) => void;

export class Prefs {
  private current: ViewPrefs;
  private readonly listeners: PrefsListener[] = [];
  private readonly media: MediaQueryList | null;

  constructor(
    private readonly storage: Storage | null,
    hash: string,
    private readonly root: HTMLElement = document.documentElement,
  ) {
    this.current = { ...storedPrefs(storage), ...prefsFromHash(hash) };
    this.media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    this.apply();
  }

  /** A new URL fragment (an embed's attributes changed): what it sets applies
   *  for this visit, like at load, and is not remembered. */
  applyHash(hash: string): void {
    const change = prefsFromHash(hash);
    const before = this.current;
    this.current = { ...before, ...change };
    if (Object.keys(change).length === 0) return;
    this.apply();
    for (const l of this.listeners) l(this.current, before);
  }

  get value(): ViewPrefs {
    return this.current;
  }

  /** The theme in effect now ('light' or 'dark'). */
  get scheme(): 'light' | 'dark' {
    return resolvedTheme(this.current.theme, this.media?.matches ?? false);
  }

  /** Changes some preferences, remembers them and tells the listeners. */
  set(change: Partial<ViewPrefs>): void {
    const before = this.current;
    this.current = { ...before, ...change };
    for (const k of Object.keys(change) as (keyof ViewPrefs)[]) this.save(k);
    this.apply();
    for (const l of this.listeners) l(this.current, before);
  }

  cycleTheme(): void {
    this.set({ theme: nextTheme(this.current.theme) });
  }

  toggleProjector(): void {
    this.set({ projector: !this.current.projector });
  }

  toggleFollow(): void {
    this.set({ follow: !this.current.follow });
  }

  onChange(listener: PrefsListener): void {
    this.listeners.push(listener);
  }

  /** The system switched between light and dark (matters while the theme is auto). */
  onScheme(listener: () => void): void {
    this.media?.addEventListener('change', listener);
  }

  private save(k: keyof ViewPrefs): void {
    try {
      this.storage?.setItem(KEYS[k], String(this.current[k]));
    } catch {
      /* not remembered, not fatal */
    }
  }

  private apply(): void {
    const ds = this.root.dataset;
    if (this.current.theme === 'auto') delete ds['theme'];
    else ds['theme'] = this.current.theme;
    if (this.current.projector) ds['projector'] = '';
    else delete ds['projector'];
  }
}

let shared: Prefs | null = null;

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The page's one Prefs (made on first use, from localStorage and the URL fragment). */
export function viewPrefs(): Prefs {
  if (!shared) {
    const prefs = new Prefs(localStorageOrNull(), location.hash);
    window.addEventListener('hashchange', () => prefs.applyHash(location.hash));
    shared = prefs;
  }
  return shared;
}
