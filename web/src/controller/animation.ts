// Animation frames: one requestAnimationFrame loop advances the player while
// it plays and draws the frame map with the highlight of the step shown.

import type { HighlightTarget } from '../model/highlight.js';
import type { Highlight } from '../render/framemap.js';
import type { Context } from './context.js';

/** How long a step's animation lasts when stepping by hand (ms). */
export const STEP_ANIMATION_MS = 450;

export class Animation {
  /** The block the map is animating, since when and for how long (ms). */
  private current: { target: HighlightTarget | null; start: number; duration: number } | null = null;
  private loop = 0;

  constructor(private readonly ctx: Context) {}

  /** Animates `target` from now on for `duration` ms (0: shown at once, as a scrub lands). */
  show(target: HighlightTarget | null, duration: number): void {
    this.current = { target, start: performance.now(), duration };
  }

  clear(): void {
    this.current = null;
  }

  /** Starts the loop; `tick(now)` runs first in every frame (the player's clock). */
  start(tick: (now: number) => void): void {
    const frame = (now: number) => {
      this.loop = requestAnimationFrame(frame);
      tick(now);
      const map = this.ctx.loaded?.map;
      map?.setHighlight(this.highlightAt(now));
      map?.draw();
    };
    cancelAnimationFrame(this.loop);
    this.loop = requestAnimationFrame(frame);
  }

  private highlightAt(now: number): Highlight | null {
    const a = this.current;
    if (!a?.target) return null;
    return { ...a.target, progress: a.duration > 0 ? Math.min(1, (now - a.start) / a.duration) : 1 };
  }
}
