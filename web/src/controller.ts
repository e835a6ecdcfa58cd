// The controller: turns user actions into engine calls and new models, then
// renders. It is the only part that holds state over time.

import { EngineClient } from './engine.js';
import { loadLang, otherLang, saveLang, t } from './i18n.js';
import {
  bootFailed,
  bootSucceeded,
  initialModel,
  notice,
  procFailed,
  procShown,
  withBusy,
  withError,
  withLang,
  withTab,
  type PageModel,
  type Tab,
} from './model.js';
import type { Dom } from './dom.js';
import { render } from './render.js';

export const DEFAULT_SPEC = 'ram=1G cpus=2';

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
    dom.procSelect.addEventListener('change', () => this.showProc(dom.procSelect.value));
    dom.langButton.addEventListener('click', () => {
      const lang = otherLang(this.model.lang);
      saveLang(this.storage, lang);
      this.update(withLang(this.model, lang));
    });
    dom.errorDismiss.addEventListener('click', () => this.update(withError(this.model, null)));
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
