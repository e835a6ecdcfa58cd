// Entry point of the page (index.html) and of the embed (embed.html, the
// same page with data-mode="embed" on <html>): reads the URL state, starts
// the controller, and in an embed the postMessage API.

import { Controller } from './controller/controller.js';
import { findDom } from './render/dom.js';
import { startEmbedApi } from './embed/api.js';
import { parseHash } from './embed/urlstate.js';

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
