// Entry point of the page (loaded by index.html as js/main.js).

import { Controller } from './controller.js';
import { findDom } from './dom.js';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const controller = new Controller(findDom(), storage());
void controller.start();
