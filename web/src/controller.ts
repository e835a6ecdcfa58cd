// The controller: turns user actions into engine calls and new models, then
// renders. It is the only part that holds state over time.

import { EngineClient } from './engine.js';
import { loadLang, otherLang, saveLang, t } from './i18n.js';
import {
  allocated,
  allocFailed,
  allocRefused,
  bootFailed,
  bootSucceeded,
  drained,
  freed,
  freeRefused,
  initialModel,
  machineChanged,
  notice,
  oomReplayed,
  panelError,
  procFailed,
  procShown,
  scenarioRan,
  withAllocForm,
  withBusy,
  withError,
  withHelp,
  withLang,
  withOomText,
  withScenarioText,
  withTab,
  type PageModel,
  type Tab,
} from './model.js';
import { readAllocForm, type Dom } from './dom.js';
import { render } from './render.js';

export const DEFAULT_SPEC = 'ram=1G cpus=2';

/** Ctrl+Enter (Cmd+Enter on a Mac) in a text area runs `action`. */
function onCtrlEnter(el: HTMLElement, action: () => void): void {
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      action();
    }
  });
}

/** Where typing "?" means a question mark, not "show the help". */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit'].includes(target.type));
}

/** Lets the browser paint (e.g. "Booting…") before a long synchronous call. */
const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export class Controller {
  private model: PageModel;
  private engine: EngineClient | null = null;

  constructor(
    private readonly dom: Dom,
    private readonly storage: Storage | null,
  ) {
    this.model = initialModel(loadLang(storage), dom.specInput.value.trim() || DEFAULT_SPEC);
    this.wire();
  }

  /** Loads the engine and boots the default machine. */
  async start(): Promise<void> {
    this.update(withBusy(this.model, notice('loadingEngine')));
    try {
      this.engine = await EngineClient.load();
    } catch (e) {
      this.update(withError(this.model, notice('engineFailed', {}, String(e))));
      return;
    }
    this.update(withBusy(this.model, null));
    await this.bootShorthand(this.model.spec);
  }

  private update(next: PageModel): void {
    this.model = next;
    render(this.model, this.dom);
  }

  private wire(): void {
    const { dom } = this;
    dom.specForm.addEventListener('submit', (ev) => {
      ev.preventDefault(); // Enter in the spec box lands here too
      void this.bootShorthand(dom.specInput.value.trim());
    });
    dom.dmesgBoot.addEventListener('click', () => void this.bootDmesg(dom.dmesgText.value));
    onCtrlEnter(dom.dmesgText, () => void this.bootDmesg(dom.dmesgText.value));
    dom.procSelect.addEventListener('change', () => this.showProc(dom.procSelect.value));
    dom.langButton.addEventListener('click', () => {
      const lang = otherLang(this.model.lang);
      saveLang(this.storage, lang);
      this.update(withLang(this.model, lang));
    });
    dom.errorDismiss.addEventListener('click', () => this.update(withError(this.model, null)));

    // Allocate panel. Enter in any field submits the form.
    dom.allocForm.addEventListener('input', () => this.update(withAllocForm(this.model, readAllocForm(dom))));
    dom.allocForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.allocate();
    });
    dom.drain.addEventListener('click', () => this.drain());
    dom.allocList.addEventListener('click', (ev) => {
      const button = (ev.target as Element).closest<HTMLButtonElement>('button.free');
      if (button) this.free(Number(button.dataset['pfn']));
    });

    // Scenario tab.
    dom.scenarioText.addEventListener('input', () => this.update(withScenarioText(this.model, dom.scenarioText.value)));
    dom.scenarioRun.addEventListener('click', () => void this.runScenario());
    onCtrlEnter(dom.scenarioText, () => void this.runScenario());
    dom.scenarioFailures.addEventListener('click', (ev) => {
      const jump = (ev.target as Element).closest<HTMLButtonElement>('button.jump');
      if (jump) this.jumpTo(Number(jump.dataset['line']), Number(jump.dataset['col']));
    });

    // OOM replay tab.
    dom.oomText.addEventListener('input', () => this.update(withOomText(this.model, dom.oomText.value)));
    dom.oomRun.addEventListener('click', () => void this.replayOom());
    onCtrlEnter(dom.oomText, () => void this.replayOom());

    // Help overlay: "?" outside text boxes, the ? button; Esc or Close shut it.
    dom.helpButton.addEventListener('click', () => this.update(withHelp(this.model, true)));
    dom.help.addEventListener('close', () => {
      if (this.model.helpOpen) this.update(withHelp(this.model, false));
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key !== '?' || ev.ctrlKey || ev.metaKey || ev.altKey || isTextEntry(ev.target)) return;
      ev.preventDefault();
      this.update(withHelp(this.model, !this.model.helpOpen));
    });
    dom.tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => this.selectTab(tab.dataset['tab'] as Tab));
      tab.addEventListener('keydown', (ev) => {
        const step = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
        if (!step) return;
        const next = dom.tabs[(i + step + dom.tabs.length) % dom.tabs.length]!;
        next.focus();
        this.selectTab(next.dataset['tab'] as Tab);
      });
    });
  }

  private selectTab(tab: Tab): void {
    this.update(withTab(this.model, tab));
    if (tab === 'proc') this.showProc(this.model.procName);
  }

  private async bootShorthand(spec: string): Promise<void> {
    if (!this.engine || this.model.busy) return;
    this.update(withBusy({ ...this.model, spec }, notice('booting', { what: spec })));
    await nextPaint();
    const r = this.engine.bootShorthand(spec);
    this.update(r.ok ? bootSucceeded(this.model, r.machine, this.engine.procNames()) : bootFailed(this.model, spec, r.error));
    if (r.ok) this.refreshProc();
  }

  private async bootDmesg(text: string): Promise<void> {
    if (!this.engine || this.model.busy) return;
    const label = t(this.model.lang, 'dmesgName');
    this.update(withBusy(this.model, notice('booting', { what: label })));
    await nextPaint();
    const r = this.engine.bootDmesg(text, label);
    this.update(r.ok ? bootSucceeded(this.model, r.machine, this.engine.procNames()) : bootFailed(this.model, label, r.error));
    if (r.ok) {
      this.refreshProc();
      this.update(withTab(this.model, 'log'));
    }
  }

  // --- Allocate panel -------------------------------------------------------

  private allocate(): void {
    if (!this.engine || this.model.busy) return;
    if (!this.model.machine) return this.update(panelError(this.model, 'needMachine', ''));
    const form = readAllocForm(this.dom);
    let next = withAllocForm(this.model, form);
    const r = this.engine.allocPages(form);
    if (r.ok) next = allocated(next, r.block);
    else if (r.error) next = allocRefused(next, r.error);
    else next = allocFailed(next, r.failure);
    this.update(next);
    this.afterChange();
  }

  private free(pfn: number): void {
    if (!this.engine || this.model.busy || !Number.isFinite(pfn)) return;
    const rows = [...this.dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
    const at = rows.findIndex((b) => b.dataset['pfn'] === String(pfn));
    const hadFocus = rows.some((b) => b === document.activeElement);
    const cpu = Number.isInteger(this.model.allocForm.cpu) ? this.model.allocForm.cpu : 0;
    const r = this.engine.freeBlock(pfn, cpu);
    this.update(r.ok ? freed(this.model, pfn) : freeRefused(this.model, pfn, r.error));
    this.afterChange();
    if (hadFocus) {
      // The row is gone: keep the keyboard in the list, or go back to Allocate.
      const left = [...this.dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
      (left[Math.min(at, left.length - 1)] ?? this.dom.allocSubmit).focus();
    }
  }

  private drain(): void {
    if (!this.engine || this.model.busy || !this.model.machine) return;
    const r = this.engine.drain(-1);
    this.update(r.ok ? drained(this.model) : panelError(this.model, 'drainRefused', r.error));
    this.afterChange();
  }

  /** After an operation: the kernel log and the /proc view move on. */
  private afterChange(): void {
    if (!this.engine || !this.model.machine) return;
    const machine = this.engine.current(this.model.machine.label);
    if (machine) this.update(machineChanged(this.model, machine));
    this.refreshProc();
  }

  // --- Scenario and OOM replay ---------------------------------------------

  private async runScenario(): Promise<void> {
    if (!this.engine || this.model.busy) return;
    const text = this.dom.scenarioText.value;
    this.update(withBusy(withScenarioText(this.model, text), notice('runningScenario')));
    await nextPaint();
    const { run, machine } = this.engine.runScenario(text, t(this.model.lang, 'scenarioName'));
    let next = scenarioRan(this.model, run);
    if (machine) next = bootSucceeded(next, machine, this.engine.procNames());
    this.update(next);
    if (machine) this.refreshProc();
    if (!run.ran) {
      const f = run.failures[0];
      if (f) this.jumpTo(f.line, f.col);
    }
  }

  /** Puts the caret at line:col (1-based) of the scenario text. */
  private jumpTo(line: number, col: number): void {
    const area = this.dom.scenarioText;
    const lines = area.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i]!.length + 1;
    const lineText = lines[line - 1] ?? '';
    offset += Math.min(Math.max(col - 1, 0), lineText.length);
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  private async replayOom(): Promise<void> {
    if (!this.engine || this.model.busy) return;
    const text = this.dom.oomText.value;
    this.update(withBusy(withOomText(this.model, text), notice('replaying')));
    await nextPaint();
    this.update(oomReplayed(this.model, this.engine.oomReplay(text)));
  }

  /** Re-reads the selected /proc file after the machine changed. */
  private refreshProc(): void {
    if (this.model.procName) this.showProc(this.model.procName, true);
  }

  private showProc(name: string, quiet = false): void {
    if (!this.engine || !this.model.machine) return;
    const r = this.engine.proc(name);
    if (r.ok) this.update(procShown(this.model, name, r.text));
    else if (quiet) this.update(procShown(this.model, name, ''));
    else this.update(procFailed(this.model, name, r.error));
  }
}
