// The page's one model over time. Modules replace it through the model's
// pure update functions; every replacement redraws (the renderers only read
// the model) and tells whoever listens.

import type { PageModel } from '../model/page.js';

export type ModelListener = (next: PageModel, before: PageModel) => void;

export class Store {
  private current: PageModel;
  private readonly listeners: ModelListener[] = [];

  constructor(initial: PageModel) {
    this.current = initial;
  }

  get model(): PageModel {
    return this.current;
  }

  /** Replaces the model and redraws. */
  set(next: PageModel): void {
    const before = this.current;
    this.current = next;
    for (const l of this.listeners) l(next, before);
  }

  /** Replaces the model by `change` of it. */
  update(change: (m: PageModel) => PageModel): void {
    this.set(change(this.current));
  }

  onChange(listener: ModelListener): void {
    this.listeners.push(listener);
  }
}
