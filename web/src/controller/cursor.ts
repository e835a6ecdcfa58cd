// The player: moves the timeline cursor (step, jump, scrub, play), seeks the
// engine there and reads back everything the page shows at that point.

import type { MmEvent } from '../../../wasm/mm-engine.js';
import {
  Clock,
  jumpTarget,
  scanMotion,
  SPEEDS,
  STEP_KINDS,
  Timeline,
  type Jump,
  type StepKind,
} from '../clock/player.js';
import { highlightTarget } from '../model/highlight.js';
import { machineChanged, notice, patch, shownEventIndex, withError } from '../model/page.js';
import { bootSource, sessionAt, type Shown } from '../model/session.js';
import { motionOf } from '../words/narrate.js';
import { STEP_ANIMATION_MS, type Animation } from './animation.js';
import type { Context } from './context.js';

/**
 * What one step costs the page, as performance measures (scripts/bench-web.mjs
 * reads them). The browser keeps measures until they are cleared, so every
 * few thousand they are: a page played for an hour must not grow.
 */
let measures = 0;
function measure(name: 'mm-step' | 'mm-refresh', start: number): void {
  if (++measures % 8192 === 0) {
    performance.clearMeasures('mm-step');
    performance.clearMeasures('mm-refresh');
  }
  performance.measure(name, { start });
}

export class Cursor {
  private readonly clock = new Clock();

  /** `afterRefresh` runs after every refresh (e.g. to re-read /proc). */
  constructor(
    private readonly ctx: Context,
    private readonly animation: Animation,
    private readonly afterRefresh: () => void,
  ) {}

  private get player() {
    return this.ctx.store.model.player;
  }

  step(delta: number): void {
    this.seekGlobal(this.player.g + delta);
  }

  jump(j: Jump): void {
    this.pause();
    this.seekGlobal(jumpTarget(this.player.timeline, this.player.g, j));
  }

  play(): void {
    if (!this.ctx.engine || this.player.timeline.empty) return;
    const p = this.player;
    // Playing from the end starts the last operation again.
    if (p.g >= p.timeline.total) this.seekGlobal(p.timeline.opBounds(p.g).start);
    this.clock.speed = p.speed;
    this.clock.start(performance.now());
    this.ctx.store.update((m) => patch(m, { player: { ...m.player, playing: true } }));
  }

  pause(): void {
    if (!this.player.playing) return;
    this.clock.stop();
    this.ctx.store.update((m) => patch(m, { player: { ...m.player, playing: false } }));
  }

  togglePlay(): void {
    if (this.player.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.clock.speed = speed;
    this.ctx.store.update((m) => patch(m, { player: { ...m.player, speed } }));
  }

  changeSpeed(delta: number): void {
    const i = SPEEDS.indexOf(this.player.speed);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + delta))];
    if (next !== undefined) this.setSpeed(next);
  }

  /** Every animation frame: moves on as far as the clock says while playing. */
  tick(now: number): void {
    if (!this.player.playing) return;
    const steps = this.clock.advance(now);
    if (steps <= 0) return;
    const p = this.player;
    const target = Math.min(p.timeline.total, p.g + steps);
    this.seekGlobal(target);
    if (target >= p.timeline.total) this.pause();
  }

  /** Moves the cursor to global step g (clamped) and shows that state. */
  seekGlobal(g: number, animate = true): void {
    const engine = this.ctx.engine;
    if (!engine) return;
    const tl = this.player.timeline;
    if (tl.empty) return;
    const t0 = performance.now();
    const target = Math.max(0, Math.min(Math.round(g), tl.total));
    const place = tl.place(target);
    if (target === tl.total) engine.seekEnd();
    else {
      const r = engine.call('seek', place.op, place.pos);
      if (!r.ok) return this.ctx.store.update((m) => withError(m, notice('procFailed', { name: 'seek' }, r.error)));
    }
    this.refresh(animate);
    // A whole step: the engine's seek and the refresh.
    measure('mm-step', t0);
  }

  /**
   * Moves to the next (dir 1) or previous (dir -1) step of a kind (a split,
   * a merge, a pcp refill or drain, ...), into later or earlier operations
   * when this one has none. The cursor then narrates that step. With none,
   * the cursor stays and the status line says so.
   */
  jumpToKind(kind: StepKind, dir: 1 | -1): void {
    const engine = this.ctx.engine;
    const tl = this.player.timeline;
    if (!engine || tl.empty) return;
    this.pause();
    const want = STEP_KINDS[kind];
    // Position g shows event g-1: search from the event on screen.
    const shown = this.player.g - 1;
    const at = tl.place(Math.max(0, shown));
    const CHUNK = 50_000; // events fetched at a time from a long operation
    for (let op = at.op; op >= 0 && op < tl.ops.length; op += dir) {
      // The events of this operation to look at: [a, b).
      const n = tl.ops[op]!.events;
      const here = op === at.op ? shown - tl.starts[op]! : dir > 0 ? -1 : n;
      const [a, b] = dir > 0 ? [here + 1, n] : [0, Math.min(here, n)];
      for (let k = 0; a + k * CHUNK < b; k++) {
        const lo = dir > 0 ? a + k * CHUNK : Math.max(a, b - (k + 1) * CHUNK);
        const hi = dir > 0 ? Math.min(b, lo + CHUNK) : b - k * CHUNK;
        const motions = engine.opEvents(op, lo, hi - lo).map((e) => motionOf(engine.catalogue, e));
        const i = scanMotion(motions, dir > 0 ? -1 : motions.length, dir, want);
        if (i >= 0) return this.seekGlobal(tl.starts[op]! + lo + i + 1);
      }
    }
    this.ctx.store.update((m) => patch(m, { hint: notice(dir > 0 ? 'jumpNoneAfter' : 'jumpNoneBefore') }));
  }

  /** After an operation: show its end, then let the player step through it. */
  afterOperation(): void {
    this.pause();
    this.refresh(false);
  }

  /** Reads everything the page shows from the engine at its cursor. */
  refresh(animate = false): void {
    const loaded = this.ctx.loaded;
    if (!loaded) return;
    const { engine, map } = loaded;
    const t0 = performance.now();
    const tl = new Timeline(engine.timeline());
    const c = engine.cursor();
    const g = tl.global({ op: c.op, pos: c.pos });
    const state = engine.state();
    if (state) map.setData(engine.mapData(state));
    else
      map.setData({
        cells: new Uint8Array(0),
        shift: 0,
        frames: 0,
        pageblockMt: new Uint8Array(0),
        zones: [],
        nodes: [],
      });

    const { event, crumbs } = this.eventAt(tl, c.op, c.pos);
    const model = this.ctx.store.model;
    const speed = model.player.speed;
    if (event) {
      // A scrub lands on its event without the motion (the highlight is
      // that event's, never the one shown before).
      const perStep = Number.isFinite(speed) && model.player.playing ? 1000 / speed : STEP_ANIMATION_MS;
      this.animation.show(
        highlightTarget(event, motionOf(engine.catalogue, event)),
        animate ? Math.min(STEP_ANIMATION_MS, perStep) : 0,
      );
    } else this.animation.clear();

    const player = { ...model.player, timeline: tl, g, atEnd: c.atEnd, event, crumbs, dropped: c.dropped };
    const machine = model.machine ? engine.current(model.machine.label) : null;
    const allocations = this.ctx.allocated.filter((a) => {
      const info = state ? engine.frameInfo(a.pfn) : null;
      return info !== null && info.ok && info.freeable && info.head === a.pfn;
    });
    const cacheDetail = model.cache && state ? engine.slabDetail(model.cache) : null;
    const shown: Shown = {
      entries: this.ctx.session.entries,
      ops: tl.ops,
      cursor: c.atEnd ? null : { op: c.op, pos: c.pos },
    };
    // What booted the machine on screen (the kernel switch: a shorthand's, or a pasted log's).
    const booted = bootSource(sessionAt(shown)?.entries ?? []);
    let next = patch(model, { player, state, allocations, cacheDetail, hint: null, booted });
    if (machine) next = machineChanged(next, machine);
    this.ctx.shown = shown;
    this.ctx.store.set(next);
    this.afterRefresh();
    measure('mm-refresh', t0);
  }

  /** The event on screen and the phases around it, read from the engine
   *  (a window of one event: an operation may hold a million). */
  private eventAt(tl: Timeline, op: number, pos: number): { event: MmEvent | null; crumbs: MmEvent[] } {
    const engine = this.ctx.engine;
    if (!engine || tl.empty || pos === 0) return { event: null, crumbs: [] };
    const index = shownEventIndex(tl.ops[op]!.events, pos);
    const event = index < 0 ? undefined : engine.opEvents(op, index, 1)[0];
    if (!event) return { event: null, crumbs: [] };
    return { event, crumbs: engine.opCrumbs(op, index) };
  }
}
