// The view preferences' controls (controller/prefs.ts): the theme button
// (its icon and label say the theme in effect), the projector button and
// the map's follow box. Like the other renderers it only writes the DOM.

import type { ViewPrefs } from '../controller/prefs.js';
import { t, type Lang } from '../words/i18n.js';
import type { Dom } from './dom.js';

export function renderPrefs(dom: Dom, p: ViewPrefs, lang: Lang): void {
  const theme = t(lang, p.theme === 'auto' ? 'themeAuto' : p.theme === 'light' ? 'themeLight' : 'themeDark');
  dom.themeButton.dataset['theme'] = p.theme;
  dom.themeButton.title = theme;
  dom.themeButton.setAttribute('aria-label', theme);
  const projector = t(lang, 'projector');
  dom.projectorButton.title = projector;
  dom.projectorButton.setAttribute('aria-label', projector);
  dom.projectorButton.setAttribute('aria-pressed', String(p.projector));
  if (dom.ovFollow.checked !== p.follow) dom.ovFollow.checked = p.follow;
  const follow = dom.ovFollow.closest('label');
  if (follow) follow.title = t(lang, 'followTitle');
}
