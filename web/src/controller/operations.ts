// Engine calls: what each button, form and tab asks of the engine (boot,
// allocate, free, drain, undo, scenarios, OOM replay, /proc, the structures'
// lists), turned into the next model. After an operation that changed the
// machine the cursor shows its end.

import {
  allocated,
  allocFailed,
  allocRefused,
  bootFailed,
  bootSucceeded,
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
  type PageModel,
  type Tab,
} from '../model/page.js';
import { readAllocForm } from '../render/dom.js';
import { t } from '../words/i18n.js';
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

  // --- Machines -------------------------------------------------------------------

  async bootShorthand(spec: string): Promise<void> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    this.update(withBusy({ ...this.model, spec }, notice('booting', { what: spec })));
    await nextPaint();
    const r = engine.bootShorthand(spec);
    this.update(
      r.ok ? bootSucceeded(this.model, r.machine, engine.procNames()) : bootFailed(this.model, spec, r.error),
    );
    if (r.ok) this.cursor.afterOperation();
  }

  async bootDmesg(text: string): Promise<void> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    const label = t(this.model.lang, 'dmesgName');
    this.update(withBusy(this.model, notice('booting', { what: label })));
    await nextPaint();
    const r = engine.bootDmesg(text, label);
    this.update(
      r.ok ? bootSucceeded(this.model, r.machine, engine.procNames()) : bootFailed(this.model, label, r.error),
    );
    if (r.ok) {
      this.cursor.afterOperation();
      // The Machine box no longer names the machine that runs.
      this.update(patch(withTab(this.model, 'log'), { spec: '' }));
    }
  }

  // --- The Allocate panel ------------------------------------------------------------

  allocate(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    if (!this.model.machine) return this.update(panelError(this.model, 'needMachine', ''));
    const form = readAllocForm(this.ctx.dom);
    let next = withAllocForm(this.model, form);
    const r = engine.allocPages(form);
    if (r.ok) {
      this.ctx.allocated = [r.block, ...this.ctx.allocated.filter((a) => a.pfn !== r.block.pfn)];
      next = allocated(next, r.block);
    } else if (r.error) next = allocRefused(next, r.error);
    else next = allocFailed(next, r.failure);
    this.update(next);
    this.cursor.afterOperation();
  }

  free(pfn: number): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy || !Number.isFinite(pfn)) return;
    const { dom } = this.ctx;
    const rows = [...dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
    const at = rows.findIndex((b) => b.dataset['pfn'] === String(pfn));
    const hadFocus = rows.some((b) => b === document.activeElement);
    const cpu = Number.isInteger(this.model.allocForm.cpu) ? this.model.allocForm.cpu : 0;
    const r = engine.call('freeBlock', pfn, cpu);
    this.update(r.ok ? freed(this.model, pfn) : freeRefused(this.model, pfn, r.error));
    this.cursor.afterOperation();
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
    const r = engine.call('drain', -1);
    this.update(r.ok ? drained(this.model) : panelError(this.model, 'drainRefused', r.error));
    this.cursor.afterOperation();
  }

  undo(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    this.cursor.pause();
    engine.call('undo');
    this.cursor.afterOperation();
  }

  redo(): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return;
    this.cursor.pause();
    engine.call('redo');
    this.cursor.afterOperation();
  }

  // --- Scenarios, the command box, OOM replay --------------------------------------

  /** One scenario statement on the running machine (the command box). */
  runCommand(text: string): void {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy || !text.trim()) return;
    // A command that fails keeps nothing (no operation on the timeline): its
    // text stays in the box to be corrected.
    const run = engine.runCommand(text);
    let cmdMessage;
    if (!run.ran)
      cmdMessage = {
        tone: 'error' as const,
        notice: notice('cmdRefused', {}, run.failures.map((f) => f.text).join('\n')),
      };
    else cmdMessage = { tone: 'ok' as const, notice: notice('cmdOk', { label: text.trim() }, run.output.trim()) };
    this.update(patch(this.model, { cmdMessage, cmdText: run.ran ? '' : text }));
    if (run.ran) this.cursor.afterOperation();
  }

  /** Runs the Scenario tab's text; true when it ran and every expect held. */
  async runScenario(): Promise<boolean> {
    const engine = this.ctx.engine;
    if (!engine || this.model.busy) return false;
    const text = this.model.scenarioText;
    this.update(withBusy(this.model, notice('runningScenario')));
    await nextPaint();
    const { run, machine } = engine.runScenario(text, t(this.model.lang, 'scenarioName'));
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
    return run.ran && run.ok;
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

  // --- Tabs, /proc and the structures' lists ------------------------------------------

  selectTab(tab: Tab): void {
    this.update(withTab(this.model, tab));
    if (tab === 'proc') this.showProc(this.model.procName);
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
