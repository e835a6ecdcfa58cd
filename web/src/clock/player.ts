// The player clock: where the cursor is on the timeline and how it moves.
// It knows nothing of the engine or the DOM. The controller asks it where
// to go (step, jump, tick while playing) and then seeks the engine there.
//
// Positions are global step numbers g in [0, total]. Operation i covers
// g = start(i) .. start(i) + events(i); the end of one operation and the
// start of the next are the same state, so they share one g (the later
// operation's pos 0), except at the very end of the timeline.

export interface TimelineOp {
  label: string;
  events: number;
}

export interface Place {
  op: number;
  pos: number;
}

/** "max" (Infinity in SPEEDS): events per second, ten times the fastest
 *  listed speed, so max is the fastest; every frame still shows a state. */
export const MAX_RATE = 3000;

/** Events per second; Infinity plays "max" (MAX_RATE, at least one a frame). */
export const SPEEDS: readonly number[] = [1, 2, 5, 10, 30, 100, 300, Infinity];
export const DEFAULT_SPEED = 5;

export class Timeline {
  readonly starts: readonly number[];
  readonly total: number;

  constructor(readonly ops: readonly TimelineOp[]) {
    const starts: number[] = [];
    let g = 0;
    for (const op of ops) {
      starts.push(g);
      g += op.events;
    }
    this.starts = starts;
    this.total = g;
  }

  get empty(): boolean {
    return this.ops.length === 0;
  }

  /** The place of global step g (clamped). */
  place(g: number): Place {
    if (this.empty) return { op: 0, pos: 0 };
    const at = Math.max(0, Math.min(Math.round(g), this.total));
    // The last operation whose start is at or before g; an empty operation
    // (no events) is skipped for every g but its own start.
    let lo = 0;
    let hi = this.ops.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { op: lo, pos: at - this.starts[lo]! };
  }

  /** The global step of a place. */
  global(p: Place): number {
    if (this.empty) return 0;
    const op = Math.max(0, Math.min(p.op, this.ops.length - 1));
    return this.starts[op]! + Math.max(0, Math.min(p.pos, this.ops[op]!.events));
  }

  /** Start and end (global) of the operation holding g. Moving back from an
   *  operation's start goes to the previous operation's start. */
  opBounds(g: number): { start: number; end: number; op: number } {
    const { op } = this.place(g);
    const start = this.starts[op] ?? 0;
    return { start, end: start + (this.ops[op]?.events ?? 0), op };
  }
}

/** Kinds of step the player can jump to (keys s m p f w k o; Shift: back),
 *  each the catalogue motions it stands for. */
export const STEP_KINDS = {
  split: ['split'],
  merge: ['merge'],
  pcp: ['pcp-refill', 'pcp-drain'],
  fallback: ['steal'],
  watermark: ['check'],
  reclaim: ['reclaim'],
  oom: ['oom-score', 'oom-kill'],
} as const satisfies Record<string, readonly string[]>;
export type StepKind = keyof typeof STEP_KINDS;

/**
 * The index in `motions` (one motion name per event of an operation, 'none'
 * for End records) of the first event after `from` (dir 1) or the last
 * before it (dir -1) whose motion is one of `want`; -1 when there is none.
 */
export function scanMotion(motions: readonly string[], from: number, dir: 1 | -1, want: readonly string[]): number {
  for (let i = from + dir; i >= 0 && i < motions.length; i += dir) if (want.includes(motions[i]!)) return i;
  return -1;
}

/** Where a jump key goes. */
export type Jump = 'back' | 'forward' | 'op-start' | 'op-end' | 'first' | 'last';

export function jumpTarget(tl: Timeline, g: number, jump: Jump): number {
  switch (jump) {
    case 'back':
      return Math.max(0, g - 1);
    case 'forward':
      return Math.min(tl.total, g + 1);
    case 'first':
      return 0;
    case 'last':
      return tl.total;
    case 'op-start': {
      const b = tl.opBounds(g);
      if (g > b.start) return b.start;
      return tl.opBounds(Math.max(0, g - 1)).start; // already at a start: the previous operation
    }
    case 'op-end': {
      const b = tl.opBounds(g);
      if (g < b.end) return b.end;
      return tl.opBounds(Math.min(tl.total, g + 1)).end;
    }
  }
}

/** The clock while playing: how far to advance at time `now` (ms). */
export class Clock {
  private last = 0;
  private carry = 0;
  playing = false;

  constructor(public speed: number = DEFAULT_SPEED) {}

  start(now: number): void {
    this.playing = true;
    this.last = now;
    this.carry = 0;
  }

  stop(): void {
    this.playing = false;
  }

  /** Steps to advance now; fractional progress carries over so slow speeds
   *  keep their pace. "max" plays MAX_RATE events a second, and at least
   *  one a frame. */
  advance(now: number): number {
    if (!this.playing) return 0;
    const dt = Math.max(0, now - this.last);
    this.last = now;
    const rate = Number.isFinite(this.speed) ? this.speed : MAX_RATE;
    this.carry += (dt * rate) / 1000;
    const steps = Number.isFinite(this.speed) ? Math.floor(this.carry) : Math.max(1, Math.floor(this.carry));
    this.carry = Math.max(0, this.carry - steps);
    return steps;
  }
}
