// Entry point of the page (index.html) and of the embed (embed.html, the
// same page with data-mode="embed" on <html>): reads the URL state, starts
// the controller, and in an embed the postMessage API.

import { Controller } from './controller/controller.js';
import { findDom } from './render/dom.js';
import { startEmbedApi } from './embed/api.js';
import { parseHash, sessionKey } from './embed/urlstate.js';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const embedded = document.documentElement.dataset['mode'] === 'embed';
const { state, problems } = parseHash(location.hash);
const controller = new Controller(findDom(), storage(), { controls: embedded ? state.controls : 'full', embedded });
void controller.start(location.hash.length > 1 ? state : null, problems).then(() => {
  if (embedded) startEmbedApi(controller, { origins: state.origins });
});

// A new fragment (a link pasted into the address bar, an <mm-playground>
// attribute changed): another session is opened afresh; the same session
// with another language or view only changes those. (View preferences
// follow the fragment by themselves: controller/prefs.ts.)
let shown = sessionKey(state);
window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  const key = sessionKey(next.state);
  if (key !== shown) {
    shown = key;
    void controller.open(next.state, next.problems);
  } else {
    if (next.state.lang) controller.setLang(next.state.lang, false);
    if (next.state.view) controller.setView(next.state.view);
  }
});
