// The session as statements: every operation the page ran on the engine,
// in order, as what it would take to run it again (a boot, or statements
// of the scenario language). A link carries the part of this list that
// built the machine on screen; opening it runs the same entries on a fresh
// engine and gets the same machine, event for event (operations are
// deterministic).
//
// The list runs parallel to the engine's timeline (the undo stack): each
// entry made one or more of its operations. opRanges() is the ONE place
// that says which operations belong to which entry. Today every entry is
// one operation (one runCommand, one runScenario, one boot); an engine that
// records a multi-line scenario as one operation per statement marks them
// with a shared `group` id, and opRanges() keeps them together.
//
// Nothing here knows about the DOM or the engine: plain data and functions.

/** What a boot booted. */
export type MachineRef = { kind: 'shorthand'; spec: string } | { kind: 'dmesg'; text: string };

export type Entry =
  /** The Machine box, a preset, the Real dmesg tab. */
  | { kind: 'boot'; machine: MachineRef }
  /** Statements on the running machine (runCommand): a panel action or the command box. */
  | { kind: 'command'; text: string }
  /** The Scenario tab's text (runScenario). */
  | { kind: 'scenario'; text: string };

/** What opRanges() reads of an engine timeline operation. */
export interface OpLike {
  events: number;
  /** Operations of one entry share it (an engine that splits a scenario); absent: one operation, one entry. */
  group?: number;
}

/** Operations [first, end) of the timeline. */
export interface OpRange {
  first: number;
  end: number;
}

/** The cursor in session terms: statement S (0: the session's first entry) and event E of it (0: before it). */
export interface At {
  statement: number;
  event: number;
}

/** A boot statement of the scenario language, as the first statement of a text. */
const FIRST_STATEMENT_BOOTS = /^(?:[ \t]*(?:#.*)?\r?\n)*[ \t]*(?:machine|dmesg)[ \t]/;

/** An entry that starts a machine afresh: what came before it does not matter to what comes after. */
export function startsMachine(e: Entry): boolean {
  return e.kind === 'boot' || FIRST_STATEMENT_BOOTS.test(e.text);
}

/**
 * The operations of each of `count` entries (the newest last) on a
 * timeline whose last operation is the newest entry's. Entries older than
 * the timeline's first operation (history the engine dropped) get null.
 */
export function opRanges(count: number, ops: readonly OpLike[]): (OpRange | null)[] {
  const ranges: (OpRange | null)[] = new Array<OpRange | null>(count).fill(null);
  let i = ops.length;
  for (let e = count - 1; e >= 0 && i > 0; e--) {
    const end = i;
    const group = ops[--i]!.group;
    if (group !== undefined) while (i > 0 && ops[i - 1]!.group === group) i--;
    ranges[e] = { first: i, end };
  }
  return ranges;
}

/** Where statement `at` of a session whose entries have `ranges` is on the timeline (clamped into it). */
export function cursorOf(
  ranges: readonly (OpRange | null)[],
  ops: readonly OpLike[],
  at: At,
): { op: number; pos: number } | null {
  const r = ranges[Math.min(Math.max(0, at.statement), ranges.length - 1)];
  if (!r) return null;
  let left = Math.max(0, at.event);
  for (let op = r.first; op < r.end; op++) {
    const n = ops[op]!.events;
    if (left <= n || op === r.end - 1) return { op, pos: Math.min(left, n) };
    left -= n;
  }
  return null;
}

/** The page's list of entries, kept in step with the engine's undo and redo stacks. */
export class SessionLog {
  // Replaced, never changed in place: `entries` stays what it was when read
  // (the page keeps the entries it last showed: Shown).
  private list: readonly Entry[] = [];
  private undone: Entry[] = [];

  get entries(): readonly Entry[] {
    return this.list;
  }

  /**
   * An operation is about to run with the cursor at (op, pos) of `ops`
   * (null: at the end). The engine first drops what came after the state on
   * screen (the operation the cursor is inside is kept whole, unless the
   * cursor is at its start) and its redo stack: so does the list.
   */
  settle(ops: readonly OpLike[], cursor: { op: number; pos: number } | null): void {
    if (cursor) {
      const keep = cursor.pos === 0 ? cursor.op : cursor.op + 1;
      const ranges = opRanges(this.list.length, ops);
      this.list = this.list.filter((_, i) => !ranges[i] || ranges[i].end <= keep);
    }
    this.undone = [];
  }

  /** An operation ran and was recorded: its entry. */
  push(e: Entry): void {
    this.list = [...this.list, e];
    this.undone = [];
  }

  /** The engine undid its last operation. */
  undo(): void {
    const e = this.list.at(-1);
    if (!e) return;
    this.list = this.list.slice(0, -1);
    this.undone.push(e);
  }

  /** The engine redid one. */
  redo(): void {
    const e = this.undone.pop();
    if (e) this.list = [...this.list, e];
  }

  /** The newest entry that starts a machine (0 when none does): statement 0 of the newest session. */
  lastHead(): number {
    for (let i = this.list.length - 1; i > 0; i--) if (startsMachine(this.list[i]!)) return i;
    return 0;
  }

  /** A fresh engine: nothing ran yet. */
  clear(): void {
    this.list = [];
    this.undone = [];
  }

  /**
   * The session that built the state at `cursor` (null: the end), and the
   * cursor in its terms: sessionAt() of this list.
   */
  sessionAt(
    ops: readonly OpLike[],
    cursor: { op: number; pos: number } | null,
  ): { entries: Entry[]; at: At | null } | null {
    return sessionAt({ entries: this.list, ops, cursor });
  }
}

/**
 * What the page showed: the session's entries, the engine's timeline and
 * its cursor (null: at the end). The page keeps the last one, to rebuild it
 * on a new engine when the old one stopped.
 */
export interface Shown {
  entries: readonly Entry[];
  ops: readonly OpLike[];
  cursor: { op: number; pos: number } | null;
}

/**
 * The session that built the state at the place's cursor: the last entry
 * at or before the cursor's that starts a machine, and the entries after it
 * up to the next one that does; and the cursor in its terms (null: the end).
 * Null when there are no entries or the cursor's operation is not one of them.
 */
export function sessionAt({ entries: list, ops, cursor }: Shown): { entries: Entry[]; at: At | null } | null {
  const ranges = opRanges(list.length, ops);
  if (list.length === 0) return null;
  let e = list.length - 1;
  let event = 0;
  if (cursor) {
    e = ranges.findIndex((r) => r !== null && r.first <= cursor.op && cursor.op < r.end);
    if (e < 0) return null;
    const r = ranges[e]!;
    for (let op = r.first; op < cursor.op; op++) event += ops[op]!.events;
    event += cursor.pos;
  }
  let head = e;
  while (head > 0 && !startsMachine(list[head]!)) head--;
  let tail = e + 1;
  while (tail < list.length && !startsMachine(list[tail]!)) tail++;
  const entries = list.slice(head, tail);
  // At the very end of the session's last entry: the end (no cursor in the link).
  const last = ranges[tail - 1];
  let atEnd = !cursor;
  if (cursor && e === tail - 1 && last) {
    let total = 0;
    for (let op = last.first; op < last.end; op++) total += ops[op]!.events;
    atEnd = event >= total;
  }
  return { entries, at: atEnd ? null : { statement: e - head, event } };
}

/** What booted a machine, as the kernel switch and the compare view need it. */
export type BootSource = { kind: 'shorthand'; spec: string } | { kind: 'dmesg' };

/** A boot statement of the scenario language: `machine SPEC` or `dmesg FILE` (a comment after it cut). */
const BOOT_LINE = /^[ \t]*(machine|dmesg)[ \t]+([^#\n]*)/gm;

/**
 * What booted the newest machine of `entries` (a session's, oldest first):
 * the newest boot, or the last `machine`/`dmesg` statement of a scenario or
 * command. Null when none of them boots one.
 */
export function bootSource(entries: readonly Entry[]): BootSource | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind === 'boot')
      return e.machine.kind === 'shorthand' ? { kind: 'shorthand', spec: e.machine.spec } : { kind: 'dmesg' };
    const last = [...e.text.matchAll(BOOT_LINE)].at(-1);
    if (last) return last[1] === 'machine' ? { kind: 'shorthand', spec: last[2]!.trim() } : { kind: 'dmesg' };
  }
  return null;
}

// --- Panel actions as statements ------------------------------------------------------

/** The Allocate panel's request as an `alloc` statement (a blank CPU is CPU 0, node -1 the CPU's node). */
export function allocStatement(form: { gfp: string; order: number; cpu: number; node: number }): string {
  const parts = ['alloc', `order=${form.order}`];
  const gfp = form.gfp.replace(/\s+/g, '');
  if (gfp) parts.push(`gfp=${gfp}`);
  parts.push(`cpu=${Number.isInteger(form.cpu) ? form.cpu : 0}`);
  if (Number.isInteger(form.node) && form.node >= 0) parts.push(`node=${form.node}`);
  return parts.join(' ');
}

/** Freeing the block at `pfn` (of `order`) from the panel or the map. */
export function freeStatement(pfn: number, order: number, cpu: number): string {
  return `free pfn=${pfn} order=${order} cpu=${cpu}`;
}

/** The "Drain pcp lists" button: drain_all_pages. */
export const DRAIN_STATEMENT = 'drain all';
