// What the controller's modules share: the page's elements, the model's
// store, and what exists once the engine has loaded (the engine client,
// whose catalogue lays out the frame map and the structure views).

import type { EngineClient } from '../engine/client.js';
import type { Controls } from '../embed/urlstate.js';
import type { LiveAllocation } from '../model/page.js';
import { SessionLog, type Shown } from '../model/session.js';
import type { Dom } from '../render/dom.js';
import type { FrameMap } from '../render/framemap.js';
import type { StructureViews } from '../render/structures.js';
import type { Store } from './store.js';

export interface ControllerOptions {
  /** Embedded in a course page (embed.html): which controls to show. */
  controls: Controls;
  embedded: boolean;
}

/** Made once, when the engine has loaded. */
export interface Loaded {
  engine: EngineClient;
  map: FrameMap;
  views: StructureViews;
}

export class Context {
  /** Null until the engine has loaded. */
  loaded: Loaded | null = null;
  /** Everything this page allocated; the panel lists those still allocated at the cursor. */
  allocated: LiveAllocation[] = [];
  /** What ran since the engine started, as statements (what a link carries). */
  readonly session = new SessionLog();
  /** The session, timeline and cursor of the last refresh: what to rebuild if the engine stops. */
  shown: Shown | null = null;
  /** The session's entry being run (a boot's machine, a statement's first line), for the message if the engine stops. */
  running: string | null = null;

  constructor(
    readonly dom: Dom,
    readonly store: Store,
    readonly options: ControllerOptions,
  ) {}

  get engine(): EngineClient | null {
    return this.loaded?.engine ?? null;
  }

  /** What the page shows: the session with the engine's timeline and cursor; once the engine has stopped, the last refresh's. */
  place(): Shown | null {
    const engine = this.engine;
    if (!engine || engine.crashed) return this.shown;
    const c = engine.cursor();
    return { entries: this.session.entries, ops: engine.timeline(), cursor: c.atEnd ? null : { op: c.op, pos: c.pos } };
  }
}
