// Engine calls: what each button, form and tab asks of the engine (boot,
// allocate, free, drain, undo, scenarios, OOM replay, /proc, the structures'
// lists), turned into the next model. After an operation that changed the
// machine the cursor shows its end.
//
// Every operation is an entry of the session (model/session.ts): a boot, or
// statements of the scenario language. The panels' actions are statements
// too (alloc, free pfn=, drain all, run by runCommand), so that a link can
// run them again. record() keeps the list in step with the engine's timeline.

import {
  allocated,
  allocFailed,
  allocRefused,
  bootFailed,
  bootSucceeded,
  compared,
  compareNeedsShorthand,
  DEFAULT_SPEC,
  drained,
  freed,
  freeRefused,
  notFreeableKey,
  notice,
  oomReplayed,
  panelError,
  patch,
  procFailed,
  procShown,
  scenarioRan,
  withAllocForm,
  withBusy,
  withOomText,
  withTab,
  type LiveAllocation,
  type PageModel,
  type ScenarioRunView,
  type Tab,
} from '../model/page.js';
import { withKernel, type Kernel } from '../model/kernels.js';
import { allocStatement, DRAIN_STATEMENT, freeStatement, type Entry } from '../model/session.js';
import { readAllocForm } from '../render/dom.js';
import { t } from '../words/i18n.js';
import { narrate } from '../words/narrate.js';
import type { MmEvent } from '../../../wasm/mm-engine.js';
import type { Context } from './context.js';
import type { Cursor } from './cursor.js';

/** Lets the browser paint (e.g. "Booting…") before a long synchronous call. */
const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** A scenario line that boots a machine (the `machine` and `dmesg` statements). */
const BOOTS = /^[ \t]*(machine|dmesg)[ \t]/m;

export class Operations {
  constructor(
    private readonly ctx: Context,
    private readonly cursor: Cursor,
  ) {}

  private get model(): PageModel {
    return this.ctx.store.model;
  }

  private update(next: PageModel): void {
    this.ctx.store.set(next);
  }

  /**
   * Runs `run`, an engine call that records one operation when `ran` says
   * it ran, and keeps the session's list in step: an operation run with the
   * cursor in the past first drops what came after the state on screen (the
   * engine then shows its end), and one that ran is the list's newest entry.
   */
  private record<T>(entry: Entry, run: () => T, ran: (r: T) => boolean): T {
    const engine = this.ctx.engine!;
    const ops = engine.timeline();
    const before = engine.cursor();
    let r: T;
    // What the message names should the engine stop in it (recovery.ts).
    this.ctx.running = this.entryName(entry);
    try {
      r = run();
    } finally {
      this.ctx.running = null;
    }
    if (!before.atEnd && engine.cursor().atEnd) this.ctx.session.settle(ops, before);
    if (ran(r)) this.ctx.session.push(entry);
    return r;
  }

  /** An entry as a message names it: the machine, or the first line of its statements. */
  private entryName(e: Entry): string {
    if (e.kind === 'boot') return e.machine.kind === 'shorthand' ? e.machine.spec : t(this.model.lang, 'dmesgName');
    const lines = e.text.split('\n').filter((l) => l.trim() !== '');
    const first = lines[0]?.trim() ?? '';
    return first.length > 80 ? `${first.slice(0, 79)}…` : lines.length > 1 ? `${first} …` : first;
  }

  /** Statements on the running machine, as one operation of the session. */
  private command(text: string) {
    return this.record(
      { kind: 'command', text },
      () => this.ctx.engine!.runCommand(text),
      (r) => r.ran,
    );
  }

  /** The newest operation's events: its last `tail` (all of them when 0). */
  private lastOpEvents(tail = 0): MmEvent[] {
    const engine = this.ctx.engine!;
    const tl = engine.timeline();
    const op = tl.length - 1;
    if (op < 0) return [];
    const n = tl[op]!.events;
    const from = tail > 0 ? Math.max(0, n - tail) : 0;
    return engine.opEvents(op, from, n - from);
  }

  /** What the `alloc` statement just run gave: its block (prep_new_page), or why it failed (warn_alloc). */
  private allocOutcome(gfp: string): { block: LiveAllocation } | { failure: string } {
    const engine = this.ctx.engine!;
    for (const tail of [64, 0]) {
      const events = this.lastOpEvents(tail);
      // The request's own steps are the outermost ones (a slab or reclaim inside allocates deeper).
      const top = (code: (c: string) => boolean) =>
        events.filter((e) => code(e.code)).reduce<MmEvent | null>((a, e) => (!a || e.depth <= a.depth ? e : a), null);
      const done = top((c) => c === 'alloc_done');
      const fail = top((c) => c.startsWith('alloc_fail'));
      if (done && (!fail || done.depth <= fail.depth)) {
        const zone = engine.catalogue.zoneName(done.zone) ?? '?';
        return { block: { pfn: done.pfn, order: done.order, node: done.node, zone, gfp } };
      }
      if (fail) return { failure: narrate(engine.catalogue, fail, this.model.lang).text };
      if (tail === 0 || events.length < tail) break;
    }
    return { failure: '' };
  }

  // --- Machines -------------------------------------------------------------------

  /** Boots a shorthand machine; true when it booted. */
  async bootShorthand(spec: string): Promise<boolean> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return false;
    this.update(withBusy({ ...this.model, spec }, notice('booting', { what: spec })));
    await nextPaint();
    const r = this.record(
      { kind: 'boot', machine: { kind: 'shorthand', spec } },
      () => engine.bootShorthand(spec),
      (b) => b.ok,
    );
    this.update(
      r.ok ? bootSucceeded(this.model, r.machine, engine.procNames()) : bootFailed(this.model, spec, r.error),
    );
    if (r.ok) {
      this.cursor.afterOperation();
      this.compareIfShown();
    }
    return r.ok;
  }

  /**
   * The kernel switch: the machine's shorthand (the Machine box's text, else
   * what booted the machine on screen) with its kernel= set to `kernel`,
   * booted. The box then holds that shorthand, so a link carries it.
   */
  switchKernel(kernel: Kernel): Promise<boolean> {
    return this.bootShorthand(withKernel(this.shorthand() ?? DEFAULT_SPEC, kernel));
  }

  /** The shorthand the Machine box holds, else the one that booted the machine on screen; null for neither (a pasted dmesg). */
  private shorthand(): string | null {
    const typed = this.model.spec.trim();
    if (typed) return typed;
    const b = this.model.booted;
    return b?.kind === 'shorthand' && b.spec ? b.spec : null;
  }

  /** Boots a pasted kernel log; true when it booted. */
  async bootDmesg(text: string): Promise<boolean> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return false;
    const label = t(this.model.lang, 'dmesgName');
    this.update(withBusy(this.model, notice('booting', { what: label })));
    await nextPaint();
    const r = this.record(
      { kind: 'boot', machine: { kind: 'dmesg', text } },
      () => engine.bootDmesg(text, label),
      (b) => b.ok,
    );
    this.update(
      r.ok ? bootSucceeded(this.model, r.machine, engine.procNames()) : bootFailed(this.model, label, r.error),
    );
    if (r.ok) {
      this.cursor.afterOperation();
      // The Machine box no longer names the machine that runs.
      this.update(patch(withTab(this.model, 'log'), { spec: '' }));
    }
    return r.ok;
  }

  // --- The Allocate panel ------------------------------------------------------------

  allocate(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    if (!this.model.machine) return this.update(panelError(this.model, 'needMachine', ''));
    const form = readAllocForm(this.ctx.dom);
    let next = withAllocForm(this.model, form);
    const text = allocStatement(form);
    const { run, alloc } = this.statement(text);
    // The engine's words point into the statement the panel ran: show it too.
    if (!run.ran) next = allocRefused(next, [text, ...run.failures.map((f) => f.text)].join('\n'));
    else if (alloc && 'block' in alloc) next = allocated(next, alloc.block);
    else next = allocFailed(next, alloc?.failure ?? '');
    this.update(next);
    if (run.ran) this.cursor.afterOperation();
  }

  free(pfn: number): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy || !Number.isFinite(pfn)) return;
    const { dom } = this.ctx;
    const rows = [...dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
    const at = rows.findIndex((b) => b.dataset['pfn'] === String(pfn));
    const hadFocus = rows.some((b) => b === document.activeElement);
    const cpu = Number.isInteger(this.model.allocForm.cpu) ? this.model.allocForm.cpu : 0;
    const info = engine.frameInfo(pfn);
    const order =
      info.ok && info.head === pfn ? info.order : (this.ctx.allocated.find((a) => a.pfn === pfn)?.order ?? 0);
    const run = this.command(freeStatement(pfn, order, cpu));
    this.update(
      run.ran ? freed(this.model, pfn) : freeRefused(this.model, pfn, run.failures.map((f) => f.text).join('\n')),
    );
    if (run.ran) this.cursor.afterOperation();
    if (hadFocus) {
      // The row is gone: keep the keyboard in the list, or go back to Allocate.
      const left = [...dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
      (left[Math.min(at, left.length - 1)] ?? dom.allocSubmit).focus();
    }
  }

  /** A click on the frame map: frees the block there, if this page may. */
  freeAt(pfn: number): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    const info = engine.frameInfo(pfn);
    if (!info.ok || info.head < 0) return;
    if (!info.freeable) {
      this.update(
        patch(this.model, {
          allocMessage: { tone: 'error', notice: notice(notFreeableKey(info.kind), { pfn, owner: info.owner }) },
        }),
      );
      return;
    }
    this.free(info.head);
  }

  drain(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy || !this.model.machine) return;
    const run = this.command(DRAIN_STATEMENT);
    this.update(
      run.ran
        ? drained(this.model)
        : panelError(this.model, 'drainRefused', run.failures.map((f) => f.text).join('\n')),
    );
    if (run.ran) this.cursor.afterOperation();
  }

  undo(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    this.cursor.pause();
    if (engine.call('undo').ok) this.ctx.session.undo();
    this.cursor.afterOperation();
  }

  redo(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    this.cursor.pause();
    if (engine.call('redo').ok) this.ctx.session.redo();
    this.cursor.afterOperation();
  }

  // --- Scenarios, the command box, OOM replay --------------------------------------

  /**
   * Statements on the running machine as one operation (a panel action, the
   * command box, a link's do=). A single `alloc` that got its block lists it
   * in the Allocate panel, whoever ran it: a link that runs the statement
   * again lists the same block.
   */
  private statement(text: string): {
    run: ScenarioRunView;
    alloc: { block: LiveAllocation } | { failure: string } | null;
  } {
    const run = this.command(text);
    const m = run.ran ? /^\s*alloc\b(?:.*\bgfp=(\S+))?[^\n]*\s*$/.exec(text) : null;
    const alloc = m ? this.allocOutcome(m[1] ?? 'GFP_KERNEL') : null;
    if (alloc && 'block' in alloc)
      this.ctx.allocated = [alloc.block, ...this.ctx.allocated.filter((a) => a.pfn !== alloc.block.pfn)];
    return { run, alloc };
  }

  /**
   * A lesson step's statements (controller/lesson.ts) as one command of the
   * session, as a link's do= runs them. One that boots (`machine ...`) makes
   * its machine the page's (the summary, the panels).
   */
  lessonCommand(text: string): ScenarioRunView {
    const engine = this.ctx.engine;
    if (!engine) return { ran: false, ok: false, output: '', failures: [], passed: 0, failed: 0 };
    const { run } = this.statement(text);
    if (run.ran && BOOTS.test(text)) {
      const label = /^[ \t]*machine[ \t]+(.*)$/m.exec(text)?.[1]?.trim() ?? text.split('\n')[0]!;
      const machine = engine.current(label);
      if (machine) this.update(patch(bootSucceeded(this.model, machine, engine.procNames()), { spec: label }));
    }
    if (run.ran) this.cursor.afterOperation();
    return run;
  }

  /** One scenario statement on the running machine (the command box); true when it ran. */
  runCommand(text: string): boolean {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy || !text.trim()) return false;
    // A command that fails keeps nothing (no operation on the timeline): its
    // text stays in the box to be corrected.
    const { run } = this.statement(text);
    // Statements that only look (proc, expect, echo) answer without an operation.
    const looked = !run.ran && run.ok;
    let cmdMessage;
    if (!run.ran && !looked)
      cmdMessage = {
        tone: 'error' as const,
        notice: notice('cmdRefused', {}, run.failures.map((f) => f.text).join('\n')),
      };
    else cmdMessage = { tone: 'ok' as const, notice: notice('cmdOk', { label: text.trim() }, run.output.trim()) };
    this.update(patch(this.model, { cmdMessage, cmdText: run.ran || looked ? '' : text }));
    if (run.ran) this.cursor.afterOperation();
    return run.ran;
  }

  /** Runs the Scenario tab's text: whether it ran (an operation), and whether every expect held too. */
  async runScenario(): Promise<{ ran: boolean; ok: boolean }> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return { ran: false, ok: false };
    const text = this.model.scenarioText;
    this.update(withBusy(this.model, notice('runningScenario')));
    await nextPaint();
    const { run, machine } = this.record(
      { kind: 'scenario', text },
      () => engine.runScenario(text, t(this.model.lang, 'scenarioName')),
      (r) => r.run.ran,
    );
    let next = scenarioRan(this.model, run);
    if (machine) next = bootSucceeded(next, machine, engine.procNames());
    // A scenario that boots its own machine: the Machine box no longer names what runs.
    if (run.ran && BOOTS.test(text)) next = patch(next, { spec: '' });
    this.update(next);
    if (run.ran) this.cursor.afterOperation();
    else {
      const f = run.failures[0];
      if (f && !this.ctx.options.embedded) this.jumpTo(f.line, f.col);
    }
    return { ran: run.ran, ok: run.ran && run.ok };
  }

  /** Puts the caret at line:col (1-based) of the scenario text. */
  jumpTo(line: number, col: number): void {
    const area = this.ctx.dom.scenarioText;
    const lines = area.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i]!.length + 1;
    const lineText = lines[line - 1] ?? '';
    offset += Math.min(Math.max(col - 1, 0), lineText.length);
    this.selectTab('scenario');
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  async replayOom(): Promise<void> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    const text = this.ctx.dom.oomText.value;
    this.update(withBusy(withOomText(this.model, text), notice('replaying')));
    await nextPaint();
    this.update(oomReplayed(this.model, engine.call('oomReplay', text)));
  }

  // --- The compare view ------------------------------------------------------------------

  /**
   * Boots the machine's shorthand (the Machine box's, else the one that
   * booted the machine on screen) as Linux 6.1 and as 6.12 and shows what
   * differs; the running machine is not touched. A machine from a pasted
   * dmesg has no shorthand: the view says so. A shorthand the engine
   * refuses is named in the error line.
   */
  async compareKernels(): Promise<void> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    const spec = this.shorthand();
    if (spec === null) return this.update(compareNeedsShorthand(this.model));
    this.update(withBusy(this.model, notice('comparing', { what: spec })));
    await nextPaint();
    const r = engine.compareKernels(spec);
    this.update(compared(this.model, spec, r.ok ? r.rows : null, r.ok ? '' : r.error));
  }

  /** The compare tab is open: compares again when the shorthand is not the one its table shows. */
  private compareIfShown(): void {
    const m = this.model;
    if (m.tab !== 'compare') return;
    const spec = this.shorthand();
    if (spec === null || spec !== m.compare.spec || m.compare.rows === null) void this.compareKernels();
  }

  /** The compare tab (key v): shown, and compared when its table is not of the machine's shorthand. */
  showCompare(): void {
    this.selectTab('compare');
  }

  // --- Tabs, /proc and the structures' lists ------------------------------------------

  selectTab(tab: Tab): void {
    this.update(withTab(this.model, tab));
    if (tab === 'proc') this.showProc(this.model.procName);
    if (tab === 'compare') this.compareIfShown();
  }

  showProc(name: string, quiet = false): void {
    const engine = this.ctx.engine;
    if (!engine || !this.model.machine) return;
    const r = engine.call('proc', name);
    if (r.ok) this.update(procShown(this.model, name, r.text));
    else if (quiet) this.update(procShown(this.model, name, ''));
    else this.update(procFailed(this.model, name, r.error));
  }

  /** Re-reads the selected /proc file after the machine or the cursor moved. */
  refreshProc(): void {
    if (this.model.procName && this.model.tab === 'proc') this.showProc(this.model.procName, true);
  }

  listBlocks(node: number, zone: number, order: number, mt: number): void {
    const engine = this.ctx.engine;
    const s = this.model.state;
    if (!engine || !s) return;
    const pfns = engine.freeBlocks(node, zone, order, mt, 256);
    const zoneName = s.zones.find((z) => z.node === node && z.type === zone)?.name ?? String(zone);
    const title = `Node ${node} ${zoneName} · free_area[${order}] · ${s.migrateTypes[mt] ?? mt}`;
    this.update(patch(this.model, { blocks: { title, pfns, order } }));
  }

  selectCache(name: string): void {
    const engine = this.ctx.engine;
    if (!engine) return;
    this.update(patch(this.model, { cache: name, cacheDetail: engine.slabDetail(name) }));
  }
}
