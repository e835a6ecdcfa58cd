// Renderers: each reads the model and writes one part of the DOM. They never
// change the model and never call the engine; render() runs them all.

import type { Catalog } from '../engine/catalogue.js';
import { t, type Lang, type MessageKey } from '../words/i18n.js';
import { GFP_CHOICES, type LiveAllocation, type Notice, type PageModel, type Tab } from '../model/page.js';
import { DEFAULT_KERNEL, specKernel, type KernelInfo } from '../model/kernels.js';
import { renderCompare } from './compare.js';
import { readAllocForm, type Dom } from './dom.js';

export function render(m: PageModel, dom: Dom, cat: Catalog | null): void {
  renderLabels(m, dom);
  renderStatus(m, dom);
  renderError(m, dom);
  renderTabs(m, dom);
  renderMachine(m, dom);
  renderKernel(m, dom);
  renderProc(m, dom);
  renderCompare(m, dom, cat);
  renderAllocForm(m, dom, cat);
  renderAllocMessage(m, dom);
  renderAllocations(m, dom);
  renderScenario(m, dom);
  renderOom(m, dom);
  renderHelp(m, dom);
}

function say(m: PageModel, n: Notice): string {
  return t(m.lang, n.key, n.params);
}

/** Every element with data-i18n="key" (text) or data-i18n-placeholder="key". */
function renderLabels(m: PageModel, dom: Dom): void {
  dom.root.lang = m.lang === 'zh' ? 'zh-Hans' : 'en';
  document.title = t(m.lang, 'title');
  for (const el of dom.labels) {
    const key = el.dataset['i18n'] as MessageKey | undefined;
    if (key) el.textContent = t(m.lang, key);
  }
  // An empty box while a pasted dmesg or a scenario's machine runs says so.
  dom.specInput.placeholder =
    m.machine && !m.spec
      ? t(m.lang, 'specPlaceholderRunning', { label: m.machine.label })
      : t(m.lang, 'specPlaceholder');
  dom.dmesgText.placeholder = t(m.lang, 'dmesgPlaceholder');
  dom.langButton.textContent = t(m.lang, 'langButton');
  dom.langButton.title = t(m.lang, 'langButtonTitle');
  dom.errorDismiss.setAttribute('aria-label', t(m.lang, 'dismiss'));
  dom.errorDismiss.title = t(m.lang, 'dismiss');
  // Below the wide layout the button is its icon: its name is its label.
  dom.shareButton.title = t(m.lang, 'share');
  dom.shareButton.setAttribute('aria-label', t(m.lang, 'share'));
  dom.helpButton.title = t(m.lang, 'helpButtonTitle');
  dom.helpButton.setAttribute('aria-label', t(m.lang, 'helpButtonTitle'));
  dom.allocNode.placeholder = t(m.lang, 'allocNodeAuto');
  dom.allocNode.title = t(m.lang, 'allocNodeTitle');
  dom.drain.title = t(m.lang, 'drainTitle');
  dom.scenarioRun.title = t(m.lang, 'scenarioRunTitle');
  dom.oomRun.title = t(m.lang, 'oomReplayTitle');
  dom.oomText.placeholder = t(m.lang, 'oomPlaceholder');
}

function renderStatus(m: PageModel, dom: Dom): void {
  dom.status.textContent = m.busy ? say(m, m.busy) : m.hint ? say(m, m.hint) : '';
  dom.root.classList.toggle('busy', m.busy !== null);
  dom.specForm.querySelector('button')!.disabled = m.busy !== null;
  dom.dmesgBoot.disabled = m.busy !== null;
  dom.scenarioRun.disabled = m.busy !== null;
  dom.oomRun.disabled = m.busy !== null;
  const noMachine = m.busy !== null || m.machine === null;
  dom.allocSubmit.disabled = noMachine;
  dom.drain.disabled = noMachine;
}

function renderError(m: PageModel, dom: Dom): void {
  dom.error.hidden = m.error === null;
  dom.errorText.textContent = m.error ? say(m, m.error) : '';
  dom.errorDetail.textContent = m.error?.detail ?? '';
  dom.errorDetail.hidden = !m.error?.detail;
}

function renderTabs(m: PageModel, dom: Dom): void {
  for (const tab of dom.tabs) {
    const selected = (tab.dataset['tab'] as Tab) === m.tab;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  for (const panel of dom.panels) panel.hidden = panel.dataset['tab'] !== m.tab;
}

function renderMachine(m: PageModel, dom: Dom): void {
  const machine = m.machine;
  setText(dom.bootLog, machine ? machine.bootLog : t(m.lang, 'noMachine'));
  dom.summary.textContent = machine
    ? t(m.lang, 'summary', {
        // The label, then the kernel it follows, as its boot log says.
        what: m.kernel ? `${machine.label} · ${kernelName(m.lang, m.kernel)}` : machine.label,
        frames: machine.frameCount.toLocaleString(m.lang === 'zh' ? 'zh-CN' : 'en'),
        events: machine.eventCount.toLocaleString(m.lang === 'zh' ? 'zh-CN' : 'en'),
      })
    : '';
}

/** The kernel the machine follows, as the footer names it ("Linux 6.12", "Linux 6.12.117+deb12-amd64 (6.12 profile)"). */
function kernelName(lang: Lang, k: KernelInfo): string {
  if (!k.release) return t(lang, 'summaryKernel', { profile: k.profile });
  return t(lang, k.unmodelled ? 'summaryKernelUnmodelled' : 'summaryKernelLog', {
    release: k.release,
    profile: k.profile,
  });
}

/**
 * The kernel switch: pressed on the profile the machine on screen follows
 * (before a boot, the Machine box's kernel=). A machine booted from a
 * pasted dmesg follows its log: the switch shows that and is disabled, its
 * title saying why.
 */
function renderKernel(m: PageModel, dom: Dom): void {
  const k = m.kernel;
  const shown = k?.profile ?? specKernel(m.spec) ?? DEFAULT_KERNEL;
  const fromLog = m.machine !== null && (m.booted?.kind === 'dmesg' || k?.fromLog === true);
  let why = '';
  if (fromLog && k?.unmodelled) why = t(m.lang, 'kernelUnmodelled', { release: k.release ?? '', profile: k.profile });
  else if (fromLog && k?.release) why = t(m.lang, 'kernelFromLog', { release: k.release, profile: k.profile });
  else if (fromLog) why = t(m.lang, 'kernelFromLogDefault', { profile: shown });
  dom.kernelSwitch.title = why;
  dom.kernelSwitch.dataset['from'] = fromLog ? 'log' : 'shorthand';
  for (const b of dom.kernelButtons) {
    const kernel = b.dataset['kernel'] ?? '';
    b.setAttribute('aria-pressed', String(kernel === shown));
    b.disabled = m.busy !== null || fromLog;
    b.title = why || t(m.lang, 'kernelSwitchTitle', { kernel });
  }
}

function renderProc(m: PageModel, dom: Dom): void {
  const select = dom.procSelect;
  const current = [...select.options].map((o) => o.value);
  if (current.join('\n') !== m.procNames.join('\n')) {
    select.replaceChildren(...m.procNames.map((name) => new Option(name, name)));
  }
  if (select.value !== m.procName) select.value = m.procName;
  setText(dom.procText, m.procText);
}

// --- Allocate panel ---------------------------------------------------------

/** Writes the form only where it differs from the model, so typing is never disturbed. */
function renderAllocForm(m: PageModel, dom: Dom, cat: Catalog | null): void {
  if (dom.gfpChoices.options.length === 0) {
    dom.gfpChoices.replaceChildren(...GFP_CHOICES.map((g) => new Option(g, g)));
  }
  // Orders 0 .. MAX_ORDER - 1, once the engine has said what MAX_ORDER is.
  if (cat && dom.allocOrder.options.length !== cat.maxOrder) {
    dom.allocOrder.replaceChildren(...Array.from({ length: cat.maxOrder }, (_, o) => new Option(String(o), String(o))));
  }
  const shown = readAllocForm(dom);
  const f = m.allocForm;
  if (shown.gfp !== f.gfp) dom.allocGfp.value = f.gfp;
  if (shown.order !== f.order) dom.allocOrder.value = String(f.order);
  if (!Object.is(shown.cpu, f.cpu)) dom.allocCpu.value = Number.isNaN(f.cpu) ? '' : String(f.cpu);
  if (!Object.is(shown.node, f.node)) dom.allocNode.value = f.node === -1 || Number.isNaN(f.node) ? '' : String(f.node);
}

function renderAllocMessage(m: PageModel, dom: Dom): void {
  const msg = m.allocMessage;
  dom.allocMessage.hidden = msg === null;
  dom.allocMessage.dataset['tone'] = msg?.tone ?? '';
  dom.allocMessage.setAttribute('role', msg?.tone === 'error' ? 'alert' : 'status');
  setText(dom.allocMessageText, msg ? say(m, msg.notice) : '');
  setText(dom.allocMessageDetail, msg?.notice.detail ?? '');
  dom.allocMessageDetail.hidden = !msg?.notice.detail;
}

/** The rows are rebuilt only when the list or the language changed, so a
 *  focused Free button survives unrelated renders. */
const drawnAllocations = new WeakMap<HTMLElement, { list: readonly LiveAllocation[]; lang: Lang }>();

function renderAllocations(m: PageModel, dom: Dom): void {
  const drawn = drawnAllocations.get(dom.allocList);
  if (drawn && drawn.list === m.allocations && drawn.lang === m.lang) return;
  drawnAllocations.set(dom.allocList, { list: m.allocations, lang: m.lang });
  const rows = m.allocations.map((a) => {
    const tr = document.createElement('tr');
    tr.dataset['pfn'] = String(a.pfn);
    const cells = [String(a.pfn), String(a.order), String(2 ** a.order), `${a.node}:${a.zone}`];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    tr.title = a.gfp;
    const td = document.createElement('td');
    const free = document.createElement('button');
    free.type = 'button';
    free.className = 'free secondary';
    free.dataset['pfn'] = String(a.pfn);
    free.textContent = t(m.lang, 'freeButton');
    free.setAttribute('aria-label', t(m.lang, 'freeLabel', { pfn: a.pfn, order: a.order }));
    td.append(free);
    tr.append(td);
    return tr;
  });
  dom.allocList.replaceChildren(...rows);
  dom.allocTable.hidden = rows.length === 0;
  dom.allocEmpty.hidden = rows.length !== 0;
}

// --- Scenario and OOM replay tabs -------------------------------------------

function renderScenario(m: PageModel, dom: Dom): void {
  if (dom.scenarioText.value !== m.scenarioText) dom.scenarioText.value = m.scenarioText;
  const run = m.scenarioRun;
  let summary = '';
  let tone = '';
  if (run && !run.ran) {
    const f = run.failures[0];
    summary = t(m.lang, 'scenarioParseError', { line: f?.line ?? 0, col: f?.col ?? 0 });
    tone = 'error';
  } else if (run) {
    summary = run.ok
      ? t(m.lang, 'scenarioOk', { passed: run.passed })
      : t(m.lang, 'scenarioFailed', { problems: run.failures.length, passed: run.passed, failed: run.failed });
    tone = run.ok ? 'ok' : 'error';
  }
  setText(dom.scenarioSummary, summary);
  dom.scenarioSummary.dataset['tone'] = tone;

  const drawn = drawnFailures.get(dom.scenarioFailures);
  if (!drawn || drawn.run !== run || drawn.lang !== m.lang) {
    drawnFailures.set(dom.scenarioFailures, { run, lang: m.lang });
    const items = (run?.failures ?? []).map((f) => {
      const li = document.createElement('li');
      if (f.line > 0) {
        const jump = document.createElement('button');
        jump.type = 'button';
        jump.className = 'jump';
        jump.dataset['line'] = String(f.line);
        jump.dataset['col'] = String(f.col);
        jump.textContent = `${f.line}:${f.col}`;
        jump.title = t(m.lang, 'jumpTitle', { line: f.line, col: f.col });
        li.append(jump, ' ');
      }
      const code = document.createElement('code');
      code.textContent = f.text;
      li.append(code);
      return li;
    });
    dom.scenarioFailures.replaceChildren(...items);
  }
  dom.scenarioFailures.hidden = !run || run.failures.length === 0;
  dom.scenarioResult.hidden = !run?.ran;
  setText(dom.scenarioOutput, run?.ran ? run.output || t(m.lang, 'scenarioNoOutput') : '');
}

const drawnFailures = new WeakMap<HTMLElement, { run: PageModel['scenarioRun']; lang: Lang }>();

function renderOom(m: PageModel, dom: Dom): void {
  if (dom.oomText.value !== m.oomText) dom.oomText.value = m.oomText;
  const r = m.oomReplay;
  setText(dom.oomSummary, r && !r.ok ? `${t(m.lang, 'oomFailed')} ${r.error}` : '');
  dom.oomSummary.dataset['tone'] = r && !r.ok ? 'error' : '';
  dom.oomOutput.hidden = !r?.ok;
  setText(dom.oomOutput, r?.ok ? r.text : '');
}

function renderHelp(m: PageModel, dom: Dom): void {
  if (m.helpOpen && !dom.help.open) dom.help.showModal();
  else if (!m.helpOpen && dom.help.open) dom.help.close();
}

/** Assigning a big text only when it changed keeps scrolling and selection. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
